#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# sync: exact totals from processes contending for a Mutex and a SpinLock. make test T=sync
set -eu
# shellcheck source=../scripts/guest/lab.sh
. /lab/lab.sh
MOD=lab_sync
P="$MOD: "
F=/sys/kernel/debug/lab_sync/counters

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
totals() { [ "$(cat $F)" = "mutex=$1 spinlock=${3:-$1} runs=$2" ] || { echo "# read: $(cat $F)"; return 1; }; }

# no_lock_reports: neither lockdep nor the atomic-sleep check said anything.
no_lock_reports() {
	! dmesg | grep -qE 'possible circular locking|inconsistent lock state|sleeping function called from invalid context|scheduling while atomic|lock held when returning'
}

ktap_print_header
ktap_set_plan 17
kmsg_reset
# One CPU would serialise the writers: nothing below would contend.
check "2 CPUs online, so writers really run at once" [ "$(grep -c '^processor' /proc/cpuinfo)" -ge 2 ]
check "bare load succeeds" modprobe $MOD
check "the load's own run is logged with exact totals" \
	kmsg_at 6 "${P}load run: 10000 increments: mutex=10000 spinlock=10000 runs=1$"
check "the file shows the same totals" totals 10000 1
check "2 writers x 20000 at once" writers 2 20000
check "  totals exact: 50000, 3 runs" totals 50000 3
check "4 writers x 10000, started together through the CondVar gate" writers 4 10000 4
check "  totals exact: 90000, 7 runs" totals 90000 7
check "8 writers x 5000, two batches of 4" writers 8 5000 4
check "  totals exact: 130000, 15 runs" totals 130000 15
check "one lock only: '3000 2 mutex' twice, '5000 spinlock' once" \
	sh -c "echo '3000 2 mutex' >$F & echo '3000 2 mutex' >$F & echo '5000 spinlock' >$F; wait"
check "  each count moved by its own lock alone: 136000 and 135000, 18 runs" totals 136000 18 135000
check "bad writes (0, 1000001, abc, batch 65, 5 rwlock, 5 2 mutex x) fail with EINVAL, totals unchanged" \
	sh -c "! echo 0 2>/dev/null >$F && ! echo 1000001 2>/dev/null >$F && ! echo abc 2>/dev/null >$F && ! echo '5 65' 2>/dev/null >$F && ! echo '5 rwlock' 2>/dev/null >$F && ! echo '5 2 mutex x' 2>/dev/null >$F && [ \"\$(cat $F)\" = 'mutex=136000 spinlock=135000 runs=18' ]"
# Unload waits for a worker still running: rmmod during a long write, the final line counts it.
echo 1000000 >$F &
writer=$!
sleep 0.2
check "rmmod during a running 1000000-increment write succeeds" rmmod $MOD
wait $writer || true
check "  and waited for it: final totals 1136000 and 1135000, 19 runs" \
	kmsg_at 6 "${P}final: mutex=1136000 spinlock=1135000 runs=19$"
kmsg_reset
check "iterations=0 and 1000001: Invalid argument, not loaded" \
	sh -c "[ \"\$(. /lab/lab.sh; load_err $MOD iterations=0)\" = 'Invalid argument' ] && [ \"\$(. /lab/lab.sh; load_err $MOD iterations=1000001)\" = 'Invalid argument' ] && ! grep -q '^$MOD ' /proc/modules"
check "no lockdep or sleeping-in-atomic report" no_lock_reports
ktap_finished
