#!/usr/bin/env bash
# make test's proof of the learner's loop's saved boot (scripts/vm --late, README "The VM"): a
# host-side run of scripts/vm, as make test T=<topic> calls it, in a directory of saved boots of
# its own (LAB_SNAPSHOTS), so that it starts with none and leaves the learner's alone.
#   tests/saved-boot.sh      KTAP; exits 1 on a failure
# The loop's own use of it, make test T=<topic>, is measured by make bench-loop.
set -eu
# shellcheck source=../scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"
# shellcheck source=../scripts/ktap.sh
. "$ROOT/scripts/ktap.sh"
# shellcheck source=../scripts/guest/splat.sh
. "$ROOT/scripts/guest/splat.sh"
STAGE="saved-boot"

MODULES=${MODULES:-$MODULES_DIR}
for t in minimal params; do
	[ -f "$MODULES/$t/lab_$t.ko" ] || die "no $MODULES/$t/lab_$t.ko (run: make modules${FAST:+ FAST=1})"
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lab-saved-boot.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export LAB_SNAPSHOTS=$tmp/saved
echo 0 >"$tmp/built"
echo 1 >"$tmp/failed"
echo one >"$tmp/one"
echo two >"$tmp/two"

# loop TOPIC FILE [GO]: scripts/vm as make test T=TOPIC runs it, with FILE as /lab/extra in the
# initramfs (another FILE, another initramfs) and GO the build's status (default: it built);
# the command loads and unloads lab_TOPIC and marks the kernel log. Sets rc, and out (its
# output and scripts/vm's, one file) and kmsg (the kernel log).
loop() {
	out=$tmp/$1.out kmsg=$tmp/$1.kmsg rc=0
	"$ROOT/scripts/vm" run --file "$2:/lab/extra" --late "$MODULES/$1/lab_$1.ko" --go "$tmp/${3:-built}" \
		--log "$tmp/console.log" --kmsg "$kmsg" --timeout 300 -- sh -c \
		"modprobe lab_$1 && grep -q '^lab_$1 ' /proc/modules && rmmod lab_$1 && echo 'saved-boot: $1 ran' >/dev/kmsg && echo 'ran lab_$1'" \
		>"$out" 2>&1 || rc=$?
}
# saved: how many boots are saved.
saved() { find "$LAB_SNAPSHOTS" -name '*.vm' 2>/dev/null | wc -l; }
# expect WHAT CMD...: CMD must succeed, or WHAT is a reason the next verdict fails.
fails=()
expect() {
	local what=$1
	shift
	"$@" || fails+=("$what")
}
not() { ! "$@"; }
# verdict DESC: the KTAP line of DESC, ok without a reason from expect; the run's output follows
# a failure.
verdict() {
	if [ ${#fails[@]} = 0 ]; then
		ktap_test_pass "$1"
	else
		ktap_test_fail "$1" "$(IFS=';'; echo "${fails[*]}")"
		sed 's/^/# /' "$out"
	fi
	fails=()
}

ktap_print_header
ktap_set_plan 6
loop minimal "$tmp/one"
expect "exit $rc, not 0" test "$rc" = 0
expect "no 'ran lab_minimal'" grep -qx "ran lab_minimal" "$out"
expect "not said saved" grep -q "saved the booted VM" "$out"
expect "$(saved) saved, not 1" test "$(saved)" = 1
verdict "no saved boot: the VM boots, runs the command on the module sent, and is saved"

loop params "$tmp/one"
expect "exit $rc, not 0" test "$rc" = 0
expect "no 'ran lab_params'" grep -qx "ran lab_params" "$out"
expect "not said resuming" grep -q "resuming the booted VM" "$out"
expect "saved again" not grep -q "saved the booted VM" "$out"
expect "$(saved) saved, not 1" test "$(saved)" = 1
verdict "the next run resumes it, and runs another topic's module (the module is not in the key)"
expect "no boot record" grep -q ";Linux version " "$kmsg"
expect "no record of the run" grep -q ";saved-boot: params ran$" "$kmsg"
expect "a report" not grep -qE "$SPLAT" "$kmsg"
verdict "the resumed VM's kernel log holds the boot's records, the run's, and no report"

loop params "$tmp/one" failed
expect "exit $rc, not 126" test "$rc" = 126
expect "the command ran" not grep -q "ran lab_" "$out"
expect "booted instead" not grep -q "could not be resumed" "$out"
expect "$(saved) saved, not 1" test "$(saved)" = 1
verdict "a build that failed stops the VM being resumed (exit 126), and the saved boot stays"

loop minimal "$tmp/two"
expect "exit $rc, not 0" test "$rc" = 0
expect "no 'ran lab_minimal'" grep -qx "ran lab_minimal" "$out"
expect "resumed the other" not grep -q "resuming" "$out"
expect "$(saved) saved, not 2" test "$(saved)" = 2
verdict "another initramfs is another saved boot: the VM boots and is saved beside the first"

# A saved boot cut short (a full disk, a crash while it was written): QEMU cannot load it.
# (The one saved after the runs of params.)
newest=$(find "$LAB_SNAPSHOTS" -name '*.vm' -newer "$tmp/params.out")
truncate -s 1M "$newest"
loop minimal "$tmp/two"
expect "exit $rc, not 0" test "$rc" = 0
expect "no 'ran lab_minimal'" grep -qx "ran lab_minimal" "$out"
expect "not said it could not resume" grep -q "could not be resumed" "$out"
expect "not saved again" grep -q "saved the booted VM" "$out"
expect "$(saved) saved, not 2" test "$(saved)" = 2
verdict "a saved boot QEMU cannot load is deleted, and the run boots (and saves it again)"
ktap_print_totals
ktap_passed
