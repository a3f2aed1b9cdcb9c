#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# printing: each pr_*! line reaches the log at exactly its priority. make test T=printing
set -eu
# shellcheck source=../scripts/guest/lab.sh
. /lab/lab.sh
MOD=lab_printing
P="$MOD: "
NAMES="emerg alert crit err warning notice info debug"

# level_lines: each of the eight lines once, at exactly its own priority.
level_lines() {
	_l=0
	for _n in $NAMES; do
		[ "$(kmsg_count "$P\[$_l $_n\] ")" = 1 ] || { echo "# [$_l $_n]: not exactly once"; return 1; }
		kmsg_at $_l "$P\[$_l $_n\] pr_" || { echo "# [$_l $_n]: not at priority $_l"; return 1; }
		_l=$((_l + 1))
	done
}

# only_level L: the line of level L and no other level's line.
only_level() {
	[ "$(kmsg_count "$P\[[0-7] ")" = 1 ] && kmsg_at "$1" "$P\[$1 "
}

# console_level N: sets the console log level the way dmesg -n does; it is the first of the four
# numbers in /proc/sys/kernel/printk (console, default message, minimum console, boot console).
console_level() { dmesg -n "$1" && [ "$(cut -f1 /proc/sys/kernel/printk)" = "$1" ]; }

ktap_print_header
ktap_set_plan 12
kmsg_reset
check "bare load succeeds" modprobe $MOD
check "each of the 8 levels logged once, at exactly its priority 0..7" level_lines
check "pr_debug! is compiled in (RUST_DEBUG_ASSERTIONS) and logged at priority 7" \
	kmsg_at 7 "$P\[7 debug\] pr_debug!"
check "formatting: {} {:?} {:#x} {:>4}" kmsg_at 6 "${P}formatting: 42 \"lab\" 0xdeadbeef    7\|$"
check "pr_cont! continues the line: one record" kmsg_at 6 "${P}continued: one, two, three$"
check "pr_info_once! reached 3 times, printed once" [ "$(kmsg_count "${P}printed once")" = 1 ]
rmmod $MOD
for l in 0 3 7; do
	kmsg_reset
	modprobe $MOD level=$l
	check "level=$l: only the level $l line" only_level $l
	rmmod $MOD
done
kmsg_reset
check "level=8: Invalid argument, not loaded" [ "$(load_err $MOD level=8)" = "Invalid argument" ]
check "level=8: the log says which levels are valid" \
	kmsg_at 3 "${P}level=8 is not a level: use 0 \(emerg\) to 7 \(debug\), or -1 for all$"
# The console level filters the console, never the log buffer: at 1 only emerg lines reach
# the console, yet all eight lines are still in the log.
kmsg_reset
console_level 1
modprobe $MOD
check "console level 1 (dmesg -n 1): all 8 lines still in the log buffer" level_lines
rmmod $MOD
console_level 7
ktap_finished
