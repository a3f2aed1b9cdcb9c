#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The stress suite for one topic, inside the lab VM (make stress; make test runs it with small
# counts). Prints KTAP, then one line "# stress: TOPIC cycles=… faults=… bad=… concurrent=…
# reports=…" that scripts/run-tests turns into the table.
#   sh /lab/stress.sh TOPIC       counts from the environment: CYCLES (50), CONC_SECONDS (3),
#                                 FAULT_TYPE (all: every failable allocation; slab: kmalloc only)
#   sh /lab/stress.sh checkers    proves the debug kernel's checkers live (expects reports)
#
# Generic for every topic (a new topic needs nothing here):
#   1. CYCLES load/unload cycles, bare and with parameters, then a kmemleak scan;
#   2. an injected allocation failure at every allocation point the load reaches (faultload);
#   3. bad values for every parameter modinfo lists, by its type;
# plus what only some topics have (stress_TOPIC below): bad input and concurrency through
# their files.
set -eu
# shellcheck source=lab.sh
. /lab/lab.sh
TOPIC=$1
MOD=lab_$TOPIC
CYCLES=${CYCLES:-50}
CONC_SECONDS=${CONC_SECONDS:-3}
FAULT_TYPE=${FAULT_TYPE:-all}
KMEMLEAK=/sys/kernel/debug/kmemleak
KO=/lib/modules/$(uname -r)/extra/$MOD.ko
faults=0 bad=0 concurrent=0
dmesg >/tmp/boot.log

# What each topic is loaded with in the "with parameters" half of the cycles: valid values.
good_params() {
	case $TOPIC in
	params) echo "my_param=7 my_bool=y my_count=3" ;;
	printing) echo "level=6" ;;
	errors) echo "fail=0" ;;
	alloc) echo "buf_size=8192" ;;
	sync) echo "iterations=1000" ;;
	*) echo "" ;;
	esac
}

# --- kmemleak --------------------------------------------------------------------------------
# kmemleak reports an object once it has been unreferenced for 5 s and two scans agree
# (Documentation/dev-tools/kmemleak.rst): wait, scan, scan, read.
leaks() {
	[ -w $KMEMLEAK ] || { echo 0; return; }
	sleep 6
	echo scan >$KMEMLEAK
	echo scan >$KMEMLEAK
	grep -c '^unreferenced object' $KMEMLEAK || true
}
leaks_clear() { if [ -w $KMEMLEAK ]; then echo clear >$KMEMLEAK; fi; }

reports() { dmesg | grep -cE "$SPLAT" || true; }

# --- the checkers' own proof ------------------------------------------------------------------
if [ "$TOPIC" = checkers ]; then
	ktap_print_header
	ktap_set_plan 3
	kmsg_reset
	insmod /lab/checkers/lab_check_sleep.ko || true
	check "atomic-sleep checker reports a Mutex taken under a SpinLock" \
		kmsg_at '[0-7]' 'BUG: sleeping function called from invalid context'
	leaks_clear
	insmod /lab/checkers/lab_check_leak.ko && rmmod lab_check_leak
	n=$(leaks)
	echo "# kmemleak: $n unreferenced objects after lab_check_leak"
	check "kmemleak reports the objects lab_check_leak leaked" [ "$n" -gt 0 ]
	check "KASAN is in the kernel" grep -q 'KernelAddressSanitizer initialized' /tmp/boot.log
	echo "# stress: checkers cycles=0 faults=0 bad=0 concurrent=0 reports=$(reports)"
	ktap_finished
fi

# --- 1. load/unload cycles --------------------------------------------------------------------
cycles() {
	_i=0
	while [ $_i -lt "$CYCLES" ]; do
		# every other cycle with the topic's (valid) parameters
		if [ $((_i % 2)) = 0 ]; then _p=; else _p=$(good_params); fi
		# shellcheck disable=SC2086 # the parameters are split on purpose
		modprobe "$MOD" $_p || { echo "# cycle $_i: modprobe $MOD $_p failed"; return 1; }
		rmmod "$MOD" || { echo "# cycle $_i: rmmod $MOD failed"; return 1; }
		_i=$((_i + 1))
	done
}

# --- 2. injected allocation failures ----------------------------------------------------------
# faultload (userspace/faultload.c) fails the 1st, 2nd, … failable allocation of the load in
# turn (fail-nth + init_module(2) in one thread) until a load succeeds untouched; it exits 0
# only if every injected failure gave ENOMEM and the module was never left loaded. Its last
# line: "summary points=P enomem=E other=O absorbed=A last_n=L".
FAULT_ERRNO=ENOMEM
fault_points() {
	if ! _out=$(faultload -i -t "$FAULT_TYPE" -a "$KO" 2>&1); then
		echo "$_out" | grep -v 'result=ENOMEM' | tail -n 5 | sed 's/^/# /'
		return 1
	fi
	_sum=$(echo "$_out" | grep '^summary ')
	echo "# faultload -t $FAULT_TYPE: $_sum"
	faults=$(echo "$_sum" | sed -n 's/.* points=\([0-9]*\).*/\1/p')
	[ "${faults:-0}" -gt 0 ] && not is_loaded "$MOD" && modprobe "$MOD" && rmmod "$MOD"
}

# --- 3. bad parameter values ------------------------------------------------------------------
# Values each parameter type must refuse with EINVAL: out of range, not a number, empty,
# 4 KiB long. One a line.
bad_values() {
	case $1 in
	i8) printf '%s\n' 128 -129 ;;
	u8) printf '%s\n' 256 -1 ;;
	i16) printf '%s\n' 32768 -32769 ;;
	u16) printf '%s\n' 65536 -1 ;;
	i32 | int) printf '%s\n' 2147483648 -2147483649 ;;
	u32 | uint) printf '%s\n' 4294967296 -1 ;;
	i64 | isize | long) printf '%s\n' 9223372036854775808 -9223372036854775809 ;;
	u64 | usize | ulong) printf '%s\n' 18446744073709551616 -1 ;;
	bool) printf '%s\n' maybe 2 abc '' ; return 0 ;; # kstrtobool reads one character: 12abc is y
	*) return 0 ;; # strings and others: only the generic ones below
	esac
	printf '%s\n' abc 12abc '' "$(head -c 4096 /dev/zero | tr '\0' 7)"
}

bad_params() {
	_ok=0
	for _pt in $(parmtypes "$MOD"); do
		_name=${_pt%%:*} _type=${_pt#*:}
		_vals=$(bad_values "$_type")
		[ -n "$_vals" ] || { echo "# $_name ($_type): no generic bad values, skipped"; continue; }
		echo "$_vals" | {
			while IFS= read -r _v; do
				_err=$(load_err "$MOD" "$_name=$_v")
				if [ "$_err" != "Invalid argument" ] || is_loaded "$MOD"; then
					echo "# $_name=$(echo "$_v" | cut -c1-24) ($_type): got '$_err', want 'Invalid argument'"
					rmmod "$MOD" 2>/dev/null || true
					exit 1
				fi
			done
		} || _ok=1
		bad=$((bad + $(echo "$_vals" | wc -l)))
	done
	return $_ok
}

# --- 4. topic-specific: bad input and concurrency through the topic's files -------------------
# stress_TOPIC runs its own checks; stress_plan_TOPIC says how many.
stress_plan() { if type "stress_plan_$TOPIC" >/dev/null 2>&1; then "stress_plan_$TOPIC"; else echo 0; fi; }

# sync: N = 2, 4, 8 writer processes for CONC_SECONDS each, a reader alongside; the totals must
# equal what the writers did, exactly.
stress_plan_sync() { echo 1; }
stress_sync() {
	check "2, 4, 8 writer processes for ${CONC_SECONDS}s each and a reader: totals exact" sync_hammer
}
sync_hammer() {
	_f=/sys/kernel/debug/lab_sync/counters
	modprobe lab_sync iterations=1 || return 1
	_sum=0
	for _n in 2 4 8; do
		_end=$(($(date +%s) + CONC_SECONDS))
		_i=0
		while [ $_i -lt $_n ]; do
			(
				_c=0
				while [ "$(date +%s)" -lt $_end ]; do echo 100 >$_f || break; _c=$((_c + 1)); done
				echo $_c >/tmp/writes.$_i
			) &
			_i=$((_i + 1))
		done
		(while [ "$(date +%s)" -lt $_end ]; do cat $_f >/dev/null; done) &
		wait
		_i=0
		while [ $_i -lt $_n ]; do _sum=$((_sum + $(cat /tmp/writes.$_i))); _i=$((_i + 1)); done
		_want="mutex=$((1 + 100 * _sum)) spinlock=$((1 + 100 * _sum)) runs=$((1 + _sum))"
		[ "$(cat $_f)" = "$_want" ] || { echo "# after $_n writers: $(cat $_f), want $_want"; return 1; }
	done
	concurrent=$_sum
	echo "# $_sum writes of 100 increments by 2+4+8 processes"
	rmmod lab_sync
}

# --- the run ----------------------------------------------------------------------------------
ktap_print_header
ktap_set_plan $((5 + $(stress_plan)))
GOOD=$(good_params)
leaks_clear
check "$CYCLES load/unload cycles, bare and with parameters: ${GOOD:-(none)}" cycles
n=$(leaks)
check "kmemleak: no unreferenced object after the cycles (found $n)" [ "$n" = 0 ]
check "an injected failure at each allocation point of the load: $FAULT_ERRNO, module absent, next load works" fault_points
check "every parameter refuses bad values with EINVAL, module absent, no splat" bad_params
echo "# $bad bad parameter values tried"
if type "stress_$TOPIC" >/dev/null 2>&1; then "stress_$TOPIC"; fi
n=$(leaks)
check "kmemleak: no unreferenced object at the end (found $n)" [ "$n" = 0 ]
echo "# stress: $TOPIC cycles=$CYCLES faults=$faults bad=$bad concurrent=$concurrent reports=$(reports)"
ktap_finished
