#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# printing: each pr_*! line reaches the log at exactly its priority, and the console exactly
# when its priority is below the console log level. make test T=printing
# Valid parameters for the stress suite's load cycles (scripts/guest/stress.sh reads this line):
# stress-params: level=6
set -eu
# shellcheck source=../scripts/guest/lab.sh
. /lab/lab.sh
# shellcheck source=../scripts/guest/console.sh
. /lab/console.sh
MOD=lab_printing
P="$MOD: "
NAMES="emerg alert crit err warning notice info debug"

# The level lines start with the tag "[N name]" (README, Exercises): the checks below, the
# console's among them, find each line by it; the words after it are the student's.

# level_lines: each of the eight lines once, at exactly its own priority (from first_look's
# tally: n$l the lines tagged [l name] at any priority, at$l those at priority l).
level_lines() {
	_l=0
	for _name in $NAMES; do
		tallied "n$_l" 0
		[ "$_tv" = 1 ] || { echo "# [$_l $_name]: not exactly once"; return 1; }
		tallied "at$_l" || { echo "# [$_l $_name]: not at priority $_l"; return 1; }
		_l=$((_l + 1))
	done
}

# only_level L: the log held one level line in round level=L (only_levels), at priority L.
only_level() {
	line "/tmp/buffer.level=$1"
	[ "$_ln" = "$1+$1 " ] && return 0
	echo "# level=$1: the level lines logged, as priority+level: '$_ln'"
	return 1
}
# console_level N: sets the console log level, the first of the four numbers in
# /proc/sys/kernel/printk (console, default message, minimum console, default console), and
# checks it took. It writes the sysctl, which takes one number as the first of the four and
# 0 too, with the shell's echo (no process); dmesg -n, which does the same through syslog(2),
# takes 1 to 8 only and raises what is below the minimum console level to it (checked below).
console_level() {
	echo "$1" >/proc/sys/kernel/printk && console_level_is "$1"
}
# console_level_is N: the console log level is N (0 to 9). (The shell's read, no process: it
# reads a byte at a time, and a sysctl file gives it its first byte only, all a level 0-9 has.)
console_level_is() { _cl=; { read -r _cl || :; } </proc/sys/kernel/printk; [ "$_cl" = "$1" ]; }

# level_tags KIND: the level lines among the lines on stdin, in order, each as a word: for
# KIND log (`dmesg -r` lines, "<PRIORITY>[time] message", the tag at the message's start)
# "PRIORITY+LEVEL", for KIND console (the console's "[time] message" lines, the tag anywhere)
# "LEVEL". A line "... lab-round N" (log) or "@@lab-level N" (console) starts round N: from
# there on the words go to /tmp/buffer.N (log) or /tmp/levels.N (console, the round's lines
# themselves to /tmp/console.N); before any, they are printed. One awk for all of it: the
# shell's read takes a byte a syscall, and a window's log and console are some 10 KB.
level_tags() {
	awk -v kind="$1" -v p="$P" '
		function flush() { if (n != "") printf "%s", words > (out n); else printf "%s", words; words = "" }
		# tag(text): N when text starts with the tag "$P[N name] " (name: letters only), else -1
		function tag(text) {
			if (index(text, p "[") != 1) return -1
			text = substr(text, length(p) + 2)
			return text ~ /^[0-7] [a-z]*\] / ? substr(text, 1, 1) : -1
		}
		BEGIN { out = kind == "log" ? "/tmp/buffer." : "/tmp/levels."; n = "" }
		kind == "log" && /^<15>\[[^]]*\] lab-round / { flush(); n = $NF; next }
		kind == "console" && /@@lab-level / { flush(); n = $NF; printf "" > ("/tmp/console." n); next }
		kind == "log" && match($0, /^<[0-7]>\[[^]]*\] ?/) {
			lv = tag(substr($0, RLENGTH + 1))
			if (lv >= 0) words = words substr($0, 2, 1) "+" lv " "
		}
		kind == "console" && n != "" {
			print > ("/tmp/console." n)
			at = index($0, p "[")
			if (at && (lv = tag(substr($0, at))) >= 0) words = words lv " "
		}
		END { flush() }'
}


# on_consoles N...: loads the module at console level N, for each N in turn, all inside one
# console window (a window costs a round trip to the host: one for all, not one a level). N may
# be "ignore": console level 1 with ignore_loglevel=Y. A mark line on the console starts each N;
# each load's records are all printed (or skipped by level) before the level changes for the
# next, since the console judges a record's level when it prints it, not when it is logged. N's
# console level lines go to /tmp/console.N, then as "LEVEL " each, in order, to /tmp/levels.N;
# the level lines in the log buffer as "PRIORITY+LEVEL " each to /tmp/buffer.N.
on_consoles() {
	if [ -z "$EIGHT" ]; then
		for _n in "$@"; do
			echo "no window: the module does not log the eight lines" | tee "/tmp/levels.$_n" >"/tmp/buffer.$_n"
		done
		return 0
	fi
	_window=ok
	console_begin || _window=
	for _n in "$@"; do
		if [ "$_n" = ignore ]; then echo Y >$IGN; console_level 1; else console_level "$_n"; fi
		# The console is idle (console_begin, or the end of the last round): mark at once.
		[ -z "$_window" ] || echo "@@lab-level $_n" >$CONSOLE_TTY
		# The round's records start after this one in the log buffer (priority 7, facility
		# user: <15>, no level line).
		echo "<15>lab-round $_n" >/dev/kmsg
		modprobe $MOD
		rmmod $MOD
		console_idle || _window=
		[ "$_n" != ignore ] || echo N >$IGN
		echo "no console window" >"/tmp/levels.$_n"
		echo "no round in the log" >"/tmp/buffer.$_n"
	done
	# Every round's records, cut at the rounds' records: one process for all the rounds (what
	# came before the first round is left out).
	klog -c /tmp/lab-klog && level_tags log </tmp/lab-klog >/dev/null
	[ -n "$_window" ] && console_end >/tmp/console.all || return 0
	level_tags console </tmp/console.all
}

# only_levels L...: loads the module with level=L, for each L in turn, then each round's level
# lines, as "PRIORITY+LEVEL " each, go to /tmp/buffer.level=L. The rounds are cut by their
# marks in one read of the log, as on_consoles does (a process costs tens of milliseconds); what
# was logged before the first mark is left out, and the read empties the log.
only_levels() {
	for _l in "$@"; do
		echo "no round in the log" >"/tmp/buffer.level=$_l"
		echo "<15>lab-round level=$_l" >/dev/kmsg
		if modprobe $MOD level="$_l"; then rmmod $MOD; fi
	done
	klog -c /tmp/lab-klog && level_tags log </tmp/lab-klog >/dev/null
}

# in_buffer N: at console level N the log buffer held the eight lines, once each, each at its
# own priority.
in_buffer() {
	line "/tmp/buffer.$1"
	[ "$_ln" = "0+0 1+1 2+2 3+3 4+4 5+5 6+6 7+7 " ] && return 0
	echo "# console level $1: the log buffer held '$_ln'"
	return 1
}

# below N: _below is the levels whose lines the console shows at console level N: 0 to N-1.
below() {
	_b=0 _below=
	while [ $_b -lt "$1" ]; do _below="$_below$_b "; _b=$((_b + 1)); done
}

# console_shows N EXPECTED: the console showed exactly the lines of levels EXPECTED at level N.
console_shows() {
	line "/tmp/levels.$1"
	[ "$_ln" = "$2" ] && return 0
	echo "# console level $1: the console showed levels '$_ln', want '$2'"
	return 1
}

# debug_only_at_8: of the console levels 0..8, only 8 let the pr_debug! line through.
debug_only_at_8() {
	[ "$(grep -l "$P\[7 debug\] " /tmp/console.[0-8] | tr '\n' ' ')" = "/tmp/console.8 " ]
}

# first_look: the questions of the checks on the first load's log, in one look (tally): its
# loaded line, the formatting and pr_cont! lines, how many say "once", and each level line
# (level_lines).
first_look() {
	set -- loaded 6 "${P}loaded\$" format 6i "$P.*42 \"lab\" 0xdeadbeef    7\\|" \
		cont 6i "$P.*one, two, three" once 6i "$P.*once"
	_l=0
	for _name in $NAMES; do
		set -- "$@" "n$_l" "[0-7]" "$P\\[$_l $_name\\] " "at$_l" $_l "$P\\[$_l $_name\\] "
		_l=$((_l + 1))
	done
	tally "$@"
}
# printed_once: exactly one info (level 6) record with "once" (pr_alert!'s "at once" is not one).
printed_once() { tallied once && [ "$_tv" = 1 ]; }

# bad_levels L...: loads the module with level=L, for each L in turn, expecting a refusal: the
# load's error text (or "loaded") goes to /tmp/bad.L, and how many error (level 3) lines of the
# module about the level it logged to /tmp/errline.L, from one read of the log cut at each
# round's mark. A module that did load (an unfinished exercise) is unloaded again, so what comes
# after starts clean.
bad_levels() {
	for _l in "$@"; do
		echo 0 >"/tmp/errline.$_l"
		echo "<15>lab-round bad=$_l" >/dev/kmsg
		load_err $MOD level="$_l"
		echo "$_err" >"/tmp/bad.$_l"
		if is_loaded $MOD; then rmmod $MOD || :; fi
	done
	klog -c /tmp/lab-klog && awk "
		/^<15>\\[[^]]*\\] lab-round bad=/ { r = substr(\$NF, 5); next }
		r != \"\" && tolower(\$0) ~ /^<3>\\[[^]]*\\] ?($P.*level)/ { n[r]++ }
		END { for (k in n) print n[k] > (\"/tmp/errline.\" k) }" /tmp/lab-klog
}
# bad_level L: insmod level=L failed with EINVAL, leaving nothing loaded (bad_levels).
bad_level() {
	line "/tmp/bad.$1"
	[ "$_ln" = "Invalid argument" ] && return 0
	echo "# level=$1: $_ln"
	return 1
}
# error_line L: the module logged an error (level 3) line about the level at level=L.
error_line() { line "/tmp/errline.$1" && [ "$_ln" -ge 1 ]; }

printk_was=$(cat /proc/sys/kernel/printk)
ktap_print_header
ktap_set_plan 37
exercise 0 0 basics
kmsg_reset
check "bare load succeeds" modprobe $MOD
first_look
check "init ends with loaded, at info (level 6)" tallied loaded
exercise 1 10 one line at each of the eight levels
# Without the eight lines the console window below cannot pass: its checks then fail at once
# (on_consoles), instead of watching the console for lines that will never come.
EIGHT=
if level_lines; then EIGHT=1; fi
check "each of the 8 levels logged once, at exactly its priority 0..7, tagged [N name]" [ -n "$EIGHT" ]
check "pr_debug! is compiled in (RUST_DEBUG_ASSERTIONS) and logged at priority 7" tallied at7
exercise 2 10 formatting, pr_cont and print once
check "formatting: an info line with 42 \"lab\" 0xdeadbeef    7| ({} {:?} {:#x} {:>4})" \
	tallied format
check "pr_cont!: one info record with one, two, three" tallied cont
check "pr_info_once! reached 3 times: exactly one info line with once" \
	printed_once
exercise 0 0 basics
check "rmmod succeeds" rmmod $MOD
exercise 1 10 one line at each of the eight levels
only_levels 0 3 7
for l in 0 3 7; do check "level=$l: only the level $l line" only_level $l; done

# The console, read back (console.sh): at console level N exactly the lines of priority below
# N reach it, while the log buffer keeps all eight, whatever N.
exercise 1 10 one line at each of the eight levels
IGN=/sys/module/printk/parameters/ignore_loglevel
# ignore_loglevel (a boot parameter, and printk's module parameter, writable at run time):
# every line reaches the console, even at console level 1.
on_consoles 0 1 2 3 4 5 6 7 8 ignore
for n in 0 1 2 3 4 5 6 7 8; do
	below $n
	check "console level $n: the console shows exactly levels below $n" console_shows $n "$_below"
	check "console level $n: all 8 lines still in the log buffer, each at its priority" in_buffer $n
done
check "pr_debug! reaches the console at console level 8 only" debug_only_at_8
below 8
check "ignore_loglevel=Y at console level 1: all 8 lines on the console" console_shows ignore "$_below"
exercise 0 0 basics
# The minimum console level (third number) is the floor of dmesg -n, and 0 is no level for it.
echo "7 4 3 7" >/proc/sys/kernel/printk
dmesg -n 1
check "dmesg -n 1 below the minimum console level 3 sets 3" console_level_is 3
dmesg_n0() { errno_of dmesg -n 0; [ "$_err" = "Invalid argument" ]; }
check "dmesg -n 0: Invalid argument" dmesg_n0
echo "$printk_was" >/proc/sys/kernel/printk

# Last: a level=8 that reaches print_at unchecked panics inside insmod (README, Break it), and
# a module left half loaded would hang every later load.
exercise 3 10 refuse a level that is none
bad_levels 8 -2
for l in 8 -2; do
	check "level=$l: Invalid argument, not loaded" bad_level $l
	check "  and an error (level 3) line about the level" error_line $l
done
ktap_finished
