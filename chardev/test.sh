#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# chardev: /dev/lab_chardev read, write, offsets, limits, ioctls, unload. make test T=chardev
set -eu
# shellcheck source=../scripts/guest/lab.sh
. /lab/lab.sh
MOD=lab_chardev
DEV=/dev/lab_chardev

node_matches_misc() {
	_minor=''
	while read -r _mn _name; do [ "$_name" != lab_chardev ] || _minor=$_mn; done </proc/misc
	line /sys/class/misc/lab_chardev/dev
	[ -c $DEV ] && [ -n "$_minor" ] && [ "$_ln" = "10:$_minor" ] &&
		[ "$(stat -c '%t:%T' $DEV)" = "$(printf 'a:%x' "$_minor")" ]
}
reads() { [ "$(cat $DEV)" = "$1" ]; }
# write_err BYTES: one write(2) of BYTES bytes; _err is dd's error text, or "ok".
write_err() { errno_of dd if=/dev/zero of=$DEV bs="$1" count=1; }
# torn: 4 processes each write their own pattern (about 4 KiB, lengths differ) and read it back
# 200 times each, through read and write only (chardev_stress torn); every read must be one
# writer's whole pattern, never a mix.
torn() { chardev_stress torn 4 200; }

write_hi() { echo hi >$DEV && reads hi; }
second_byte() { [ "$(dd if=$DEV bs=1 skip=1 count=1 2>/dev/null)" = e ]; }
efbig() { write_err 4097 && [ "$_err" = "File too large" ]; }
bad_write_pointer() { chardev_stress badwrite >/dev/null && reads abcde; }
bad_ioctl_pointer() { chardev_stress badptr >/dev/null && reads abcde; }

# past_end: a read at an offset past the end (the greeting's 17 bytes) succeeds with 0 bytes (a failed read, which dd
# would also turn into 0 bytes of output, prints its errno here and exits non-zero).
past_end() { [ "$(chardev_stress pread 20)" = 0 ]; }

# counters: after a reset, one 5-byte write and two whole reads, each field has its own value
# (a module that swapped two of them would not pass): 10 read, 5 written, 4 opens (the
# write's, the two reads', and chardev_ctl's own).
counters() {
	chardev_ctl reset >/dev/null && printf abcde >$DEV && cat $DEV >/dev/null && cat $DEV >/dev/null &&
		[ "$(chardev_ctl stats)" = "bytes_read=10 bytes_written=5 opens=4" ]
}

# One open file, fd 3, and a second one, fd 4 (opened below). dd and cat read from the open
# file itself (<&3), so they move its offset.
one_file_write_then_read() { printf hello >&3 && [ "$(cat <&3)" = hello ]; }
two_files_two_offsets() {
	[ "$(dd bs=2 count=1 <&4 2>/dev/null)" = he ] && [ "$(cat <&3)" = "" ] && [ "$(cat <&4)" = llo ]
}
write_after_partial_read() {
	printf hello >&3 && [ "$(dd bs=2 count=1 <&3 2>/dev/null)" = he ] && printf XY >&3 &&
		[ "$(cat <&3)" = XY ] && [ "$(cat $DEV)" = XY ]
}
# open_no TEXT: _no is the number N of TEXT's leading "open=N " (digits only), or it fails.
# (The shell's own patterns: a process costs tens of milliseconds on the debug kernel.)
open_no() {
	_no=${1#open=}
	_no=${_no%% *}
	case $1:$_no in open=*" "*:[0-9]*) case $_no in *[!0-9]*) return 1 ;; esac ;; *) return 1 ;; esac
}
# own_counters: fd 3 wrote 5+5+2 and read 5+0+2+2 bytes, fd 4 read 2+3 and wrote nothing;
# fd 4 was opened right after fd 3; a new open starts from zero.
own_counters() {
	_m3=$(chardev_ctl mine 3) && _m4=$(chardev_ctl mine 4) && _m5=$(chardev_ctl mine) || return 1
	echo "# fd 3: $_m3; fd 4: $_m4; a new open: $_m5"
	open_no "$_m3" && _n3=$_no && open_no "$_m5" && _n5=$_no || return 1
	[ "$_n3" -gt 0 ] && [ "$_m3" = "open=$_n3 bytes_read=9 bytes_written=12" ] &&
		[ "$_m4" = "open=$((_n3 + 1)) bytes_read=5 bytes_written=0" ] &&
		[ "$_n5" -gt $((_n3 + 1)) ] && [ "$_m5" = "open=$_n5 bytes_read=0 bytes_written=0" ]
}
open_release_logged() { says_all 6 open release; }
busy() { errno_of rmmod $MOD && [ "$_err" = "Resource temporarily unavailable" ] && is_loaded $MOD; }
badcmd() { chardev_stress badcmd >/dev/null; }

# Every check that reads or writes the device is bounded: one that hangs fails in 60 s (the
# torn-content one in 600 s), names itself, and the checks after it still run.
ktap_print_header
ktap_set_plan 23
kmsg_reset
exercise 0 0 basics
check "load succeeds" modprobe $MOD
check "node is a char device 10:<minor>, as /proc/misc and sysfs say" node_matches_misc
exercise 1 10 read the content
check "cat gives the greeting" bounded 60 reads "Hello from Rust!"
check "offsets: dd bs=1 skip=1 count=1 gives e" bounded 60 second_byte
check "a read past the end succeeds with 0 bytes" bounded 60 past_end
exercise 0 0 basics
check "open and release are logged at info" open_release_logged
exercise 2 10 write the content
check "echo hi > dev; cat dev gives hi" bounded 60 write_hi
check "the write's byte count is logged at debug level: 3 bytes" says 7 '(^|[^0-9])3 bytes'
check "a 4097-byte write fails with File too large (EFBIG)" bounded 60 efbig
check "and changes nothing" bounded 60 reads hi
full() { write_err 4096 && [ "$_err" = ok ] && [ "$(wc -c <$DEV)" -eq 4096 ]; }
check "a write of exactly 4096 bytes succeeds, reads back 4096 bytes" bounded 60 full
check "4 processes writing and reading at once never see torn content" bounded 600 torn
exercise 3 10 the counters through ioctl
check "counters via ioctl after reset, a 5-byte write and two reads: read 10, written 5, 4 opens" \
	bounded 30 counters
# chardev_stress badcmd reads the counters (LAB_CHARDEV_STATS) before and after.
check "an unknown ioctl gives ENOTTY, counters unchanged" bounded 60 badcmd
exercise 2 10 write the content
check "a bad user pointer to write gives EFAULT, content unchanged" bounded 60 bad_write_pointer
exercise 3 10 the counters through ioctl
check "a bad user pointer to LAB_CHARDEV_STATS gives EFAULT, content unchanged" bounded 60 bad_ioctl_pointer
exercise 2 10 write the content
exec 3<>$DEV 4<>$DEV
check "one open file: a read after its own write starts from the beginning" bounded 60 one_file_write_then_read
check "two open files: each reads from its own offset" bounded 60 two_files_two_offsets
check "one open file: a write after a partial read replaces the whole content, read back from 0" \
	bounded 30 write_after_partial_read
check "per-open counters (LAB_CHARDEV_MINE): each open file sees only its own bytes and number" \
	bounded 30 own_counters
exercise 0 0 basics
check "rmmod while the device is open is refused: Resource temporarily unavailable" bounded 60 busy
exec 3<&- 4<&-
check "rmmod after close succeeds" bounded 60 rmmod $MOD
check "the node is gone after unload" not test -e $DEV
ktap_finished
