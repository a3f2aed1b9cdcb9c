#!/usr/bin/env bash
# make test's proof of README "Adding a topic", in two host-side steps that call no make and no
# harness (the Makefile builds the copy, scripts/run-tests runs its test in the VM):
#   tests/new-topic.sh copy DIR        (make new-topic) DIR becomes a scratch copy of the clone,
#                                      with minimal/ copied to mytopic/ as the README says, one
#                                      line added to the top-level Kbuild, and nothing else
#   tests/new-topic.sh check DIR MO    (scripts/run-tests) KTAP: the copy's harness lists
#                                      mytopic last, and kbuild (MO= its output) built
#                                      lab_mytopic.ko; exits 1 on a failure
# The third part of the proof, mytopic's test passing in the VM, is a guest run of
# scripts/run-tests (new-topic), with lab_mytopic.ko from MO.
set -eu
# shellcheck source=../scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"
# shellcheck source=../scripts/ktap.sh
. "$ROOT/scripts/ktap.sh"
STAGE=new-topic

usage() { sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

copy() {
	local dir=$1
	case $dir in /?*) ;; *) die "copy: want an absolute DIR, not '$dir'" ;; esac
	# Made afresh each time, so nothing of an earlier copy can stand in for a step. tar keeps
	# the files' times, so kbuild recompiles only mytopic, whose files the steps write anew.
	rm -rf "$dir" && mkdir -p "$dir"
	# The clone as a learner has it: the tracked files (everything but build output).
	(cd "$ROOT" && tar -cf - --exclude=./build --exclude=./.git --exclude=./.tools .) | tar -xf - -C "$dir"

	# README "Adding a topic", steps 1-3, word for word.
	cp -r "$dir/minimal" "$dir/mytopic"
	mv "$dir/mytopic/lab_minimal.rs" "$dir/mytopic/lab_mytopic.rs"
	sed -i 's/minimal/mytopic/g' "$dir/mytopic/Kbuild" "$dir/mytopic/lab_mytopic.rs" "$dir/mytopic/test.sh"
	echo 'obj-m += mytopic/' >>"$dir/Kbuild"
}

check() {
	local dir=$1 mo=$2 log
	[ -x "$dir/scripts/run-tests" ] || die "no copy at $dir (run: make new-topic)"
	log=$(mktemp "${TMPDIR:-/tmp}/lab-new-topic.XXXXXX")
	# shellcheck disable=SC2064 # the file's name now, not at exit
	trap "rm -f '$log'" EXIT
	ktap_print_header
	ktap_set_plan 2
	# --list prints the topics and exits: it is the copy's own reading of its Kbuild.
	if "$dir/scripts/run-tests" --list >"$log" 2>&1 && [ "$(tail -n1 "$log")" = mytopic ]; then
		ktap_test_pass "the copy's scripts/run-tests --list lists mytopic last, from the Kbuild line alone"
	else
		ktap_test_fail "the copy's scripts/run-tests --list lists mytopic last, from the Kbuild line alone"
		sed 's/^/# /' "$log"
	fi
	if [ -f "$mo/mytopic/lab_mytopic.ko" ] && [ -f "$mo/minimal/lab_minimal.ko" ]; then
		ktap_test_pass "kbuild built mytopic/lab_mytopic.ko with the other topics"
	else
		ktap_test_fail "kbuild built mytopic/lab_mytopic.ko with the other topics" "not in $mo (make new-topic)"
	fi
	ktap_print_totals
	ktap_passed
}

case ${1:-} in
copy) [ $# = 2 ] || usage; copy "$2" ;;
check) [ $# = 3 ] || usage; check "$2" "$3" ;;
*) usage ;;
esac
