#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# chardev: /dev/lab_chardev read, write, offsets, limits, ioctls, unload. make test T=chardev
set -eu
# shellcheck source=../scripts/guest/lab.sh
. /lab/lab.sh
MOD=lab_chardev
DEV=/dev/lab_chardev
P="$MOD: "

node_matches_misc() {
	_minor=$(sed -n 's/^ *\([0-9]*\) lab_chardev$/\1/p' /proc/misc)
	[ -c $DEV ] && [ -n "$_minor" ] && [ "$(cat /sys/class/misc/lab_chardev/dev)" = "10:$_minor" ] &&
		[ "$(stat -c '%t:%T' $DEV)" = "$(printf 'a:%x' "$_minor")" ]
}
reads() { [ "$(cat $DEV)" = "$1" ]; }
# write_err BYTES: one write(2) of BYTES bytes; prints dd's error text, or "ok".
write_err() {
	if _o=$(dd if=/dev/zero of=$DEV bs="$1" count=1 2>&1); then echo ok; else echo "${_o##*: }" | head -n1; fi
}
# hammer N: N processes each write their own 64-byte pattern 30 times while reading; every
# read must be one whole pattern (64 equal bytes), never a mix.
hammer() {
	_pids=
	for _i in $(seq 1 "$1"); do
		(
			_pat=$(printf "%064d" 0 | tr 0 "$(printf '\\%03o' $((64 + _i)))")
			for _k in $(seq 1 30); do
				printf '%s' "$_pat" >$DEV
				_r=$(cat $DEV)
				if [ ${#_r} != 64 ] || [ -n "$(echo "$_r" | tr -d "$(echo "$_r" | cut -c1)")" ]; then
					echo "# torn: $_r"
					exit 1
				fi
			done
		) &
		_pids="$_pids $!"
	done
	_ok=0
	for _p in $_pids; do wait "$_p" || _ok=1; done
	return $_ok
}

ktap_print_header
ktap_set_plan 17
kmsg_reset
check "load succeeds" modprobe $MOD
check "node is a char device 10:<minor>, as /proc/misc and sysfs say" node_matches_misc
check "cat gives the greeting" reads "Hello from Rust!"
check "open and release are logged" sh -c ". /lab/lab.sh; kmsg_at 6 '${P}open$' && kmsg_at 6 '${P}release$'"
echo hi >$DEV
check "echo hi > dev; cat dev gives hi" reads hi
check "offsets: dd bs=1 skip=1 count=1 gives i" [ "$(dd if=$DEV bs=1 skip=1 count=1 2>/dev/null)" = i ]
check "a read past the end gives 0 bytes" [ "$(dd if=$DEV bs=1 skip=10 count=5 2>/dev/null | wc -c)" = 0 ]
check "a 4097-byte write fails with File too large (EFBIG)" [ "$(write_err 4097)" = "File too large" ]
check "  and changes nothing" reads hi
full() { [ "$(write_err 4096)" = ok ] && [ "$(wc -c <$DEV)" -eq 4096 ]; }
check "a write of exactly 4096 bytes succeeds, reads back 4096 bytes" full
check "4 processes writing and reading at once never see torn content" hammer 4
chardev_ctl reset >/dev/null
printf 'abcde' >$DEV
cat $DEV >/dev/null
check "counters via ioctl after reset, a 5-byte write and a read" \
	[ "$(chardev_ctl stats)" = "bytes_read=5 bytes_written=5 opens=3" ]
check "an unknown ioctl gives ENOTTY" sh -c "chardev_ctl badcmd >/dev/null"
check "a bad user pointer gives EFAULT (ioctl and write), content unchanged" \
	sh -c "chardev_ctl badptr >/dev/null && chardev_ctl badwrite >/dev/null && [ \"\$(cat $DEV)\" = abcde ]"
exec 3<$DEV
check "rmmod while the device is open is refused" not rmmod $MOD 2>/dev/null
exec 3<&-
check "rmmod after close succeeds" rmmod $MOD
check "the node is gone after unload" not test -e $DEV
ktap_finished
