#!/usr/bin/env bash
# make test's proof of README "Adding a topic": in a scratch copy of the clone, copy minimal/
# to mytopic/ as the README says, add its one line to the top-level Kbuild, and nothing
# else; then kbuild must build lab_mytopic.ko and the harness must find the topic and pass its
# test in the VM. Host side; prints KTAP. Needs KDIR (a built lab kernel).
set -eu
# shellcheck source=../scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"
STAGE=new-topic
KDIR=$(readlink -f "${KDIR:-$KERNEL_LINK}")
[ -f "$KDIR/Module.symvers" ] || die "no lab kernel at $KDIR (run: make kernel)"

copy=$(mktemp -d "${TMPDIR:-/tmp}/lab-new-topic.XXXXXX")
trap 'rm -rf "$copy"' EXIT
# The clone as a learner has it: the tracked files (everything but build output).
(cd "$ROOT" && tar -cf - --exclude=./build --exclude=./.git --exclude=./.tools .) | tar -xf - -C "$copy"

# README "Adding a topic", steps 1-3, word for word.
cp -r "$copy/minimal" "$copy/mytopic"
mv "$copy/mytopic/lab_minimal.rs" "$copy/mytopic/lab_mytopic.rs"
sed -i 's/minimal/mytopic/g' "$copy/mytopic/Kbuild" "$copy/mytopic/lab_mytopic.rs" "$copy/mytopic/test.sh"
echo 'obj-m += mytopic/' >>"$copy/Kbuild"

listed() { [ "$("$copy/scripts/run-tests" --list | tail -n1)" = mytopic ]; }
built() {
	make -C "$copy" KDIR="$KDIR" BINDGEN="$BINDGEN" modules && [ -f "$copy/build/modules$FLAVOUR_SUFFIX/mytopic/lab_mytopic.ko" ]
}
passes() {
	KDIR=$KDIR MODULES=$copy/build/modules$FLAVOUR_SUFFIX "$copy/scripts/run-tests" --no-stress mytopic \
		| tee /dev/stderr | tail -n1 | grep -qx '1 passed, 0 failed'
}

n=0 failed=0
check() { # check DESCRIPTION CMD [ARG]...: one KTAP line; the command's output only on failure
	local d=$1
	shift
	n=$((n + 1))
	if "$@" >"$copy/check.log" 2>&1; then echo "ok $n $d"
	else failed=$((failed + 1)); echo "not ok $n $d"; tail -n 20 "$copy/check.log" | sed 's/^/# /'; fi
}

echo "KTAP version 1"
echo "1..3"
check "the harness lists mytopic last, from the Kbuild line alone" listed
check "kbuild builds mytopic/lab_mytopic.ko with the other topics" built
check "scripts/run-tests mytopic boots the VM and passes mytopic/test.sh" passes
echo "$((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
