#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# sync: exact totals from processes contending for a Mutex and a SpinLock, and from a timer in
# interrupt context. make test T=sync
# Valid parameters for the stress suite's load cycles (scripts/guest/stress.sh reads this line):
# stress-params: iterations=1000
set -eu
# shellcheck source=../scripts/guest/lab.sh
. /lab/lab.sh
MOD=lab_sync
F=/sys/kernel/debug/lab_sync/counters
T=/sys/kernel/debug/lab_sync/timer
# Every check that waits (for writers, the gate, the timer, rmmod) is bounded: a hang fails
# that check in WAIT seconds and names it, and the checks after it still report.
WAIT=60

# writers W N [BATCH]: W processes each write N (or "N BATCH") at once; all must succeed.
writers() {
	_i=0 _pids=
	while [ $_i -lt "$1" ]; do
		echo "$2${3:+ $3}" >$F &
		_pids="$_pids $!"
		_i=$((_i + 1))
	done
	_ok=0
	for _p in $_pids; do wait "$_p" || _ok=1; done
	return $_ok
}

# totals M R [S]: the file shows M for the mutex count (S, default M, for the spinlock's) and R runs.
totals() {
	line $F
	[ "$_ln" = "mutex=$1 spinlock=${3:-$1} runs=$2" ] || { echo "# read: $_ln"; return 1; }
}

# all_einval FILE VALUE...: every VALUE written to FILE fails with EINVAL ("Invalid argument").
all_einval() {
	_file=$1
	shift
	_ok=0
	for _v in "$@"; do
		errno_of put "$_file" "$_v"
		[ "$_err" = "Invalid argument" ] || { echo "# '$_v': $_err"; _ok=1; }
	done
	return $_ok
}

# field FILE NAME: _fv is NAME's value in FILE's "name=value ..." line (empty without one).
# (Into a variable, not printed: $(field …) would be a process, and the waits below call it in
# a loop.)
field() { line "$1"; pick "$2"; }
# pick NAME: _fv is NAME's value in _ln, the line field or line read last.
pick() {
	_fv=
	case " $_ln" in *" $1="*) _fv=${_ln#*"$1="} _fv=${_fv%% *} ;; esac
}

# timer_during_writers: 2000 ticks armed, then rounds of 2 writers x 20000 at once until the
# ticks are done, so writers run for the timer's whole life (rounds: /tmp/rounds).
timer_during_writers() {
	echo 2000 >$T || return 1
	_r=0
	while [ $_r = 0 ] || { field $T left; [ "$_fv" != 0 ]; }; do
		writers 2 20000 || return 1
		_r=$((_r + 1))
		echo $_r >/tmp/rounds
	done
	line $T
	echo "# timer: $_ln, $_r round(s) of writers"
}
# timer_totals: the spinlock count is the writes plus the 2000 ticks, the mutex's the writes.
timer_totals() {
	line /tmp/rounds
	_r=$_ln
	totals $((130000 + _r * 40000)) $((15 + _r * 2)) $((130000 + _r * 40000 + 2000))
}

# in_write PID: PID is blocked inside write(2) (syscall 1 on x86-64), e.g. on the gate.
in_write() { read -r _sc _ 2>/dev/null <"/proc/$1/syscall" && [ "$_sc" = 1 ]; }
# until_in_write PID: waits until PID is in write(2); fails once PID has ended without.
until_in_write() { while ! in_write "$1"; do [ -d "/proc/$1" ] || return 1; lab_nap 0.05; done; }

# killed_waiter: a writer waiting for a batch of 2 that never fills is killed by a signal;
# nothing was counted, and the gate forgot it: the next batch of 2 needs two new writers.
killed_waiter() {
	line $F
	_before=$_ln
	echo '7 2' >$F &
	_w=$!
	bounded 20 until_in_write $_w || return 1
	kill -TERM $_w
	# (ash would print "Terminated", a stray line in the KTAP)
	wait $_w 2>/dev/null && return 1
	line $F
	[ "$_ln" = "$_before" ] || { echo "# counted: $_ln, was $_before"; return 1; }
	writers 2 1000 2 && field $F runs && [ "$_fv" = $((${_before##*runs=} + 2)) ]
}

# gate_closed_on_unload: rmmod while a writer waits for a batch that never fills: the writer
# is sent away with ENODEV ("No such device") and rmmod succeeds.
gate_closed_on_unload() {
	(echo '7 2' >$F) 2>/tmp/gate.err &
	_w=$!
	bounded 20 until_in_write $_w || return 1
	rmmod $MOD || return 1
	wait $_w && return 1
	line /tmp/gate.err
	case $_ln in *"No such device"*) ;; *) echo "# writer said: $_ln"; return 1 ;; esac
}

# busy_ticking: with 100000 ticks (10 s at the least) under way, arming again is refused with EBUSY, the
# ticks advance, and rmmod stops the timer.
busy_ticking() {
	echo 100000 >$T && errno_of put $T 5 && [ "$_err" = "Device or resource busy" ] &&
		until_ticked
}
until_ticked() { while field $T ticks; [ "${_fv:-0}" -lt 10 ]; do lab_nap 0.05; done; }

# loaded_then CMD...: loads the module afresh, then CMD.
loaded_then() { modprobe $MOD iterations=1 && "$@"; }

# no_lock_reports: neither lockdep nor the atomic-sleep check nor anything else said anything
# since the test began.
# (One read of the log and one awk, the pattern written into its program: without a "/".)
no_lock_reports() {
	klog /tmp/lab-klog &&
		awk "/possible circular locking|inconsistent lock state|sleeping function called from invalid context|scheduling while atomic|lock held when returning|$SPLAT/ { print \"# \" \$0; if (++n == 5) exit }" /tmp/lab-klog >/tmp/lock-reports
	line /tmp/lock-reports || return 0
	cat /tmp/lock-reports
	return 1
}
# two_cpus: more than CPU 0 online ("0-1"), read by the shell (no process).
two_cpus() { line /sys/devices/system/cpu/online && [ "$_ln" != 0 ]; }

# The long write's increments: it has to be under way when rmmod begins, which then waits for
# the rest of it. 25000 take some 0.13 s on the debug kernel under emulation (50000 0.24 s,
# 1000000 6.5 s), and rmmod is inside delete_module(2) 20-30 ms after the look that saw the
# write under way (five tries): the three quarters of the write still to run then are three
# times that or more. One not seen with three quarters of it still to run (a faster kernel: it
# might end before rmmod begins) runs out and another starts, 4 times longer, up to 1000000, the
# most a write may ask (write_seen_running).
LONG=25000
# write_seen_running: a long write started and seen under way with at least three quarters of it
# left (its increments counted, its run not yet, both from one look); /tmp/long-writes says how
# many were started, and their increments in all. (The polling is the shell's own: a process
# per look would be tens of milliseconds.)
write_seen_running() {
	_k=1 _len=$LONG _sum=0
	while [ $_k -le 5 ]; do
		_sum=$((_sum + _len))
		echo "$_k $_sum" >/tmp/long-writes
		field $F mutex
		_m0=$_fv
		pick runs
		_r0=$_fv
		echo $_len >$F &
		writer=$!
		_late=
		while field $F runs; [ "$_fv" = "$_r0" ]; do
			pick mutex
			if [ "$_fv" -gt "$_m0" ]; then
				if [ $((_fv - _m0)) -le $((_len / 4)) ]; then
					echo "# under way ($_len increments): $_ln"
					return 0
				fi
				_late=" with three quarters of it left"
				break
			fi
			# Ended with nothing counted: no write can be seen under way.
			kill -0 $writer 2>/dev/null || break
		done
		wait $writer || return 1
		echo "# long write $_k ($_len increments) ended, or was not seen under way$_late"
		_k=$((_k + 1)) _len=$((_len * 4))
		[ $_len -le 1000000 ] || _len=1000000
	done
	return 1
}
rmmod_during_write() { write_seen_running && rmmod $MOD && wait "$writer"; }
# final_counts_it: the final line has every long write: their increments more on both counts
# than before them, and as many more runs as there were writes.
final_counts_it() {
	read -r _n _sum </tmp/long-writes
	field /tmp/before-long mutex
	_m=$_fv
	pick spinlock
	_s=$_fv
	pick runs
	_r=$_fv
	says 6 "mutex=$((_m + _sum)) spinlock=$((_s + _sum)) runs=$((_r + _n))$"
}
# bad_iterations: iterations=0 and 1000001 each fail with EINVAL, and nothing is left loaded.
bad_iterations() {
	load_err $MOD iterations=0
	[ "$_err" = "Invalid argument" ] || { echo "# iterations=0: $_err"; return 1; }
	load_err $MOD iterations=1000001
	[ "$_err" = "Invalid argument" ] || { echo "# iterations=1000001: $_err"; return 1; }
	not is_loaded $MOD
}

ktap_print_header
ktap_set_plan 24
kmsg_reset
exercise 0 0 basics
# One CPU would serialise the writers: nothing below would contend.
check "2 CPUs online, so writers really run at once" two_cpus
check "bare load succeeds" modprobe $MOD
exercise 1 10 count under the Mutex and the SpinLock
check "the load's own run is logged at info with its count, 10000" says 6 "10000"
check "the file shows the same totals" totals 10000 1
check "2 writers x 20000 at once" bounded $WAIT writers 2 20000
check "totals exact: 50000, 3 runs" totals 50000 3
exercise 2 10 start a batch together through the CondVar gate
check "4 writers x 10000, started together through the CondVar gate" bounded $WAIT writers 4 10000 4
check "totals exact: 90000, 7 runs" totals 90000 7
check "8 writers x 5000, two batches of 4" bounded $WAIT writers 8 5000 4
check "totals exact: 130000, 15 runs" totals 130000 15
exercise 0 0 basics
check "bad writes (0, 1000001, abc, batch 65, 5 mutex, 5 2 spinlock) each fail with EINVAL" \
	all_einval $F 0 1000001 abc '5 65' '5 mutex' '5 2 spinlock'
exercise 1 10 count under the Mutex and the SpinLock
check "totals unchanged after the bad writes" totals 130000 15
exercise 3 10 count timer ticks in interrupt context
check "timer: 2000 ticks in interrupt context while 2 writers x 20000 run, all done" \
	bounded $WAIT timer_during_writers
check "the spinlock count is the writes plus the 2000 ticks, the mutex's the writes alone" \
	timer_totals
interleaved() { field $T interleaved && [ "${_fv:-0}" -gt 0 ]; }
check "the ticks interleaved with the writers' increments" interleaved
check "bad timer writes (0, 100001, abc, 5 5) each fail with EINVAL" all_einval $T 0 100001 abc '5 5'

# Unload waits for a worker still running: rmmod while a long write is seen under way (its
# increments counted, its run not yet), and the final line counts it. On a fast kernel a
# write may end before it is seen: then another (how many: /tmp/long-writes).
exercise 1 10 count under the Mutex and the SpinLock
line $F
echo "$_ln" >/tmp/before-long
check "rmmod while a long write ($LONG increments or more) is seen under way succeeds, so does the write" \
	bounded $WAIT rmmod_during_write
check "and waited for it: the unload line's totals (mutex=… spinlock=… runs=…) count it all" final_counts_it
exercise 0 0 basics
# Unloaded already, unless the checks above failed half-way (on a skeleton): start clean.
rmmod $MOD 2>/dev/null || true
check "iterations=0 and 1000001: Invalid argument, not loaded" \
	bad_iterations

# The gate: writers waiting for a batch that never fills can always be sent away.
exercise 2 10 start a batch together through the CondVar gate
check "a writer waiting for a batch is killed by a signal: nothing counted, the gate forgets it" \
	loaded_then bounded $WAIT killed_waiter
check "rmmod while a writer waits for a batch: the writer gets ENODEV, rmmod succeeds" \
	bounded $WAIT gate_closed_on_unload

# The timer at unload: it must be stopped, or its next tick would run code that is gone.
exercise 3 10 count timer ticks in interrupt context
check "with the timer ticking, arming it again is refused with EBUSY" \
	loaded_then bounded $WAIT busy_ticking
check "rmmod with the timer still ticking succeeds and stops it" bounded $WAIT rmmod $MOD
# A tick left armed would run freed module code within a period (100 us) and oops, which
# no_lock_reports below sees: 0.1 s is a thousand periods, 25 jiffies.
lab_nap 0.1
exercise 0 0 basics
check "no lockdep, sleeping-in-atomic or other kernel report during the whole test" no_lock_reports
ktap_finished
