# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# sync's own stress checks (make stress T=sync). scripts/guest/stress.sh finds this
# file by name, sources it and calls topic_stress after its generic checks (topic_stress_plan:
# how many); they use its check, reports and CONC_SECONDS, and add to its bad and concurrent
# counts.
#
# N = 2, 4, 8 writer processes for CONC_SECONDS each, a reader alongside; the totals must
# equal what the writers did, exactly. Every write must succeed and every writer must get some
# done: a run where all writes fail, or nobody wrote, would otherwise meet its totals.
topic_stress_plan() { echo 1; }
topic_stress() {
	check "2, 4, 8 writer processes for ${CONC_SECONDS}s each and a reader: totals exact" sync_hammer
}
sync_hammer() {
	_f=/sys/kernel/debug/lab_sync/counters
	modprobe lab_sync iterations=1 || return 1
	_sum=0
	for _n in 2 4 8; do
		# The window is CONC_SECONDS of sleep, not a whole-second deadline of date +%s, which
		# could leave a fraction of a second.
		rm -f /tmp/hammer.stop /tmp/writes.*
		_i=0
		while [ $_i -lt $_n ]; do
			(
				_c=0 _e=0
				while [ ! -e /tmp/hammer.stop ]; do
					if echo 100 2>/dev/null >$_f; then _c=$((_c + 1)); else _e=$((_e + 1)); fi
				done
				echo "$_c $_e" >/tmp/writes.$_i
			) &
			_i=$((_i + 1))
		done
		(while [ ! -e /tmp/hammer.stop ]; do cat $_f >/dev/null; done) &
		sleep "$CONC_SECONDS"
		: >/tmp/hammer.stop
		# A write stuck in the kernel must fail this check in seconds, not hang the run: wait
		# for every writer's count at most 60 s.
		_t=0
		while [ "$(cat /tmp/writes.* 2>/dev/null | wc -l)" -lt $_n ]; do
			[ $_t -lt 600 ] || { echo "# after $_n writers: $(cat /tmp/writes.* 2>/dev/null | wc -l) of $_n ended within 60 s"; return 1; }
			sleep 0.1
			_t=$((_t + 1))
		done
		wait
		_i=0
		while [ $_i -lt $_n ]; do
			read -r _c _e </tmp/writes.$_i
			[ "$_e" = 0 ] || { echo "# writer $_i of $_n: $_e writes failed ($_c succeeded)"; return 1; }
			[ "$_c" -gt 0 ] || { echo "# writer $_i of $_n: no write done in ${CONC_SECONDS}s"; return 1; }
			_sum=$((_sum + _c))
			_i=$((_i + 1))
		done
		_want="mutex=$((1 + 100 * _sum)) spinlock=$((1 + 100 * _sum)) runs=$((1 + _sum))"
		[ "$(cat $_f)" = "$_want" ] || { echo "# after $_n writers: $(cat $_f), want $_want"; return 1; }
	done
	concurrent=$((concurrent + _sum))
	echo "# $_sum writes of 100 increments by 2+4+8 processes"
	rmmod lab_sync
}
