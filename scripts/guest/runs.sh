#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Several test runs in one boot of the lab VM (scripts/run-tests), one after the other:
#   sh /lab/runs.sh RUN...     RUN: TOPIC (its test.sh), stress-TOPIC, stress-checkers,
#                              grade-KIND-TOPIC (TOPIC's test.sh on /lab/grade/KIND-TOPIC.ko)
# Each run is framed on stdout by "@@lab-run begin RUN" and "@@lab-run end RUN rc=N taint=T
# splat=LINE", and in the kernel log by "lab-run: begin RUN" / "lab-run: end RUN" records, so
# the host can cut both streams per run (scripts/vm --kmsg). A kernel that reported while
# booting makes the batch print "@@lab-boot-report taint=T splat=LINE" and run nothing. A run
# that failed (rc != 0), tainted the kernel or made it report something
# (scripts/guest/splat.sh) ends the batch with "@@lab-run stop": the
# host boots a fresh VM for the runs left, so that a broken kernel (lockdep switches itself
# off after its first report) cannot hide or spoil another run's result.
# Environment: RUN_TIMEOUT (s, per run, default 1500), and CYCLES, CONC_SECONDS, FAULT_TYPE,
# FAULT_SCOPE for the stress runs. The init (scripts/guest/init, booted with LAB_KMSG=1) appends
# the whole kernel log to /tmp/kmsg.log; this empties it before each run.
set -eu
# shellcheck source=lab.sh
. /lab/lab.sh
KLOG=/tmp/kmsg.log
# Markers go through /dev/kmsg, which lets a process write 10 lines per 5 s unless this is on.
echo on >/proc/sys/kernel/printk_devkmsg
# The console shows levels 0-3 only (emerg to err: a panic, an oops, a KASAN report, what explains
# a VM that dies); the harness reads every record from its copy of the kernel log. The console
# prints a character at a time through the emulated UART: at the default level 7 that cost about
# a tenth of the host CPU of params', chardev's and errors' tests. A run may change the level:
# it is set back after each.
# (Set through the sysctl, which takes one number as the first of its four: the shell's echo,
# no process, where dmesg -n is one.)
CONSOLE_LEVEL=4
echo $CONSOLE_LEVEL >/proc/sys/kernel/printk

# judge [FILE]: _taint, the kernel's taint flags less O (4096, an out-of-tree module was loaded)
# and E (8192, an unsigned one): every lab module sets those; what is left means trouble: W (a
# warning), D (an oops), B (bad page: KASAN), …; and _splat, the first line of FILE (of the
# kernel's log without one) that scripts/guest/splat.sh's SPLAT matches. One awk reads both, SPLAT
# written into its program (busybox awk compiles a regex held in a string again for every line:
# 50 times grep's time; one in the program, once, as fast as grep): a process costs
# tens of milliseconds on the debug kernel under emulation, and the runs' frame is in every
# make test T=<topic>. (Not the shell's read for the taint: it reads a byte at a time, and a
# sysctl file gives only its first byte so.)
judge() {
	if [ -n "${1:-}" ]; then awk "$JUDGE" /proc/sys/kernel/tainted "$1" >/tmp/judge
	else dmesg | awk "$JUDGE" /proc/sys/kernel/tainted - >/tmp/judge; fi
	line /tmp/judge
	_taint=$((${_ln%%" "*} & ~12288)) _splat=${_ln#*" "}
}
JUDGE="NR == 1 { t = \$1; next } s == \"\" && /$SPLAT/ { s = \$0 } END { print t \" \" s }"

# klog_mark TEXT: writes TEXT to the kernel log and waits (up to 10 s) until the init's copy of
# the log has it, so everything logged before it is in the copy too. (Looks every 0.02 s, a
# look being one grep, of a copy emptied at each run's begin; naps without a process: lab_nap,
# scripts/guest/lab.sh.)
klog_mark() {
	echo "lab-run: $1" >/dev/kmsg
	_i=0
	while ! grep -qF ";lab-run: $1" $KLOG; do
		_i=$((_i + 1))
		[ $_i -lt 500 ] || { echo "# the kernel log copy lags: no '$1' after 10 s"; return 1; }
		lab_nap 0.02
	done
}

# swap TOPIC FILE: FILE (a .ko) stands in for lab_TOPIC from now on; swap TOPIC puts the
# lab's own back. modprobe and insmod find the module by its path, which stays the same.
swap() {
	_ko=/lib/modules/$(uname -r)/extra/lab_$1.ko
	[ -e "$_ko.lab" ] || cp "$_ko" "$_ko.lab"
	cp "${2:-$_ko.lab}" "$_ko"
}

# A kernel that reported or was tainted while booting, before any lab module loaded, would fail
# every run of the boot for something none of them did: say so, and let the host boot again.
judge
_splat=${_splat#\[*\] }
if [ "$_taint" != 0 ] || [ -n "$_splat" ]; then
	echo "@@lab-boot-report taint=$_taint splat=$_splat"
	exit 0
fi

for run in "$@"; do
	graded=
	case $run in
	stress-*) set -- sh /lab/stress.sh "${run#stress-}" ;;
	grade-*)
		# grade-KIND-TOPIC: make test's proof of the grader (scripts/run-tests): the topic's
		# test.sh on another lab_TOPIC.ko, one of /lab/grade/KIND/ (a skeleton, another
		# solution, a planted bug). Its checks are meant to fail: only a kernel report or a
		# taint ends the batch.
		graded=${run##*-}
		swap "$graded" "/lab/grade/${run#grade-}.ko"
		set -- sh "/lab/$graded/test.sh" ;;
	*) set -- sh "/lab/$run/test.sh" ;;
	esac
	# The taint before the run: the first run's is the boot's, just read; later, read again,
	# after what the last run left was undone (a warning then is not this run's).
	# (judge of an empty log: the taint alone.)
	[ -z "${now:-}" ] || judge /dev/null
	taint=$_taint
	echo "@@lab-run begin $run"
	# (No wait for the mark to reach the copy: every record after it does, in order. Whatever
	# the copy gets after it was emptied from before the mark is the boot's, judged clean
	# above, or the last run's, judged at its end, or what the last run's clean-up logged,
	# which the judge below then reads too.)
	: >$KLOG
	echo "lab-run: begin $run" >/dev/kmsg
	rc=0
	case $run in
	grade-skel-*)
		# A skeleton must load and unload as it is, with the module's defaults.
		if modprobe "lab_$graded" && rmmod "lab_$graded"; then echo "# lab-skel: loads and unloads"
		else echo "# lab-skel: does not load and unload"; fi ;;
	esac
	# (In /lab, where the init runs this batch.)
	timeout -s KILL "${RUN_TIMEOUT:-1500}" "$@" </dev/null 2>&1 || rc=$?
	klog_mark "end $run" || [ "$rc" != 0 ] || rc=1
	# The copy was emptied before the run began: all it holds is the run's.
	judge $KLOG
	now=$_taint splat=${_splat#*;}
	echo "@@lab-run end $run rc=$rc taint=$now splat=$splat"
	# What a run may have changed for the next one.
	echo $CONSOLE_LEVEL >/proc/sys/kernel/printk
	echo on >/proc/sys/kernel/printk_devkmsg
	IGN=/sys/module/printk/parameters/ignore_loglevel
	[ ! -w $IGN ] || echo N >$IGN
	if [ -n "$graded" ]; then
		rmmod "lab_$graded" 2>/dev/null || true
		swap "$graded"
		rc=0
	fi
	if [ "$rc" != 0 ] || [ "$now" != "$taint" ] || [ -n "$splat" ]; then
		echo "@@lab-run stop"
		exit 0
	fi
done
