#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The stress suite for one topic, inside the lab VM (make stress; make test runs it with small
# counts). Prints KTAP, then one line "# stress: TOPIC cycles=… faults=… bad=… concurrent=…
# reports=…" that scripts/run-tests turns into the table.
#   sh /lab/stress.sh TOPIC       counts from the environment: CYCLES (50), CONC_SECONDS (5),
#                                 FAULT_TYPE (all: every failable allocation; slab: kmalloc only),
#                                 FAULT_SCOPE (all: the loader's allocations too; module: only
#                                 those with module code on the stack, see faultload -s)
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
CONC_SECONDS=${CONC_SECONDS:-5}
FAULT_TYPE=${FAULT_TYPE:-all}
FAULT_SCOPE=${FAULT_SCOPE:-all}
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
# lab.sh's has_kmemleak, kmemleak_found and check_no_leaks (SKIP without kmemleak: FAST=1).
leaks() { if has_kmemleak; then kmemleak_found; else echo 0; fi; }
leaks_clear() { kmemleak_clear; }

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
# turn (fail-nth + init_module(2) in one thread) until a load succeeds untouched, then those of
# the unload (-u); it exits 0 only if every injected failure of a load gave ENOMEM, every unload
# unloaded, and the module was never left loaded. Its summary lines: "summary points=P
# enomem=E other=O absorbed=A last_n=L" and "unload-summary points=P last_n=L". With
# FAULT_SCOPE=module a module whose own code allocates nothing has no points: then the sweep
# proves only that a load and an unload with no fault work.
FAULT_ERRNO=ENOMEM
fault_points() {
	if ! _out=$(faultload -i -s "$FAULT_SCOPE" -t "$FAULT_TYPE" -a -u "$KO" 2>&1); then
		echo "$_out" | grep -v 'result=ENOMEM\|result=unloaded' | tail -n 5 | sed 's/^/# /'
		return 1
	fi
	_sum=$(echo "$_out" | grep '^summary ')
	_usum=$(echo "$_out" | grep '^unload-summary ')
	echo "# faultload -s $FAULT_SCOPE -t $FAULT_TYPE: $_sum; $_usum"
	faults=$(( $(echo "$_sum" | sed -n 's/.* points=\([0-9]*\).*/\1/p') \
		+ $(echo "$_usum" | sed -n 's/.* points=\([0-9]*\).*/\1/p') ))
	{ [ "$faults" -gt 0 ] || [ "$FAULT_SCOPE" = module ]; } &&
		not is_loaded "$MOD" && modprobe "$MOD" && rmmod "$MOD"
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
	*) return 0 ;; # others: none known (bad_params then says SKIP)
	esac
	printf '%s\n' abc 12abc '' "$(head -c 4096 /dev/zero | tr '\0' 7)"
}

# bad_params: returns $KSFT_SKIP (the check says SKIP) when there was nothing to try: the module
# has no parameters, or one has a type bad_values does not know (the others are still tried,
# and any failure among them fails the check).
bad_params() {
	_ok=0 _unknown='' _tried=0
	_reports=$(reports)
	for _pt in $(parmtypes "$MOD"); do
		_name=${_pt%%:*} _type=${_pt#*:}
		_vals=$(bad_values "$_type")
		[ -n "$_vals" ] || { _unknown="$_unknown $_name($_type)"; continue; }
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
		_tried=$((_tried + 1))
		bad=$((bad + $(echo "$_vals" | wc -l)))
	done
	if [ "$(reports)" != "$_reports" ]; then
		echo "# the kernel reported something while bad values were tried:"
		dmesg | grep -E "$SPLAT" | tail -n 3 | sed 's/^/#   /'
		_ok=1
	fi
	[ $_ok = 0 ] || return 1
	if [ $_tried = 0 ] && [ -z "$_unknown" ]; then
		echo "# $MOD has no parameters: nothing to try"
		return "$KSFT_SKIP"
	fi
	if [ -n "$_unknown" ]; then
		echo "# no bad values known for the type of:$_unknown (add them to bad_values)"
		return "$KSFT_SKIP"
	fi
}

# --- 4. topic-specific: bad input and concurrency through the topic's files -------------------
# stress_TOPIC runs its own checks; stress_plan_TOPIC says how many.
stress_plan() { if type "stress_plan_$TOPIC" >/dev/null 2>&1; then "stress_plan_$TOPIC"; else echo 0; fi; }

# sync: N = 2, 4, 8 writer processes for CONC_SECONDS each, a reader alongside; the totals must
# equal what the writers did, exactly. Every write must succeed and every writer must get some
# done: a run where all writes fail, or nobody wrote, would otherwise meet its totals.
stress_plan_sync() { echo 1; }
stress_sync() {
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
	concurrent=$_sum
	echo "# $_sum writes of 100 increments by 2+4+8 processes"
	rmmod lab_sync
}

# chardev: bad input through /dev/lab_chardev, one call each by chardev_stress
# (userspace/chardev_stress.c), which prints what the call returned (a count or an errno name) and
# adds "counters: …" when LAB_CHARDEV_STATS moved by anything but that call's bytes; every call
# counts as one bad input. Then N = 2, 4, 8 processes at once (chardev_stress hammer).
CD=/dev/lab_chardev
CD_FULL=/tmp/chardev.full
stress_plan_chardev() { echo 16; }
stress_chardev() {
	check "lab_chardev loads, $CD is a char device" chardev_load
	check "a 0-byte write returns 0 and empties the content (a write replaces it all)" \
		chardev_calls 0 'write 0' -- chardev_holds /dev/null
	check "a write of exactly 4096 bytes returns 4096 and reads back byte for byte" \
		chardev_calls 4096 "write 4096 $CD_FULL" -- chardev_holds $CD_FULL
	check "writes of 4097 bytes, 1 MiB and a 4000+97-byte writev: EFBIG, content unchanged" \
		chardev_calls EFBIG 'write 4097 /dev/urandom' EFBIG 'write 1048576 /dev/urandom' \
		EFBIG 'writev 4000 97' -- chardev_holds $CD_FULL
	check "pread at 4096, 5000, 1<<40, 1<<62: 0 bytes (4095: 1)" \
		chardev_calls 1 'pread 4095' 0 'pread 4096' 0 'pread 5000' 0 'pread 1099511627776' \
		0 'pread 4611686018427387904' --
	check "pread at -1 and 2^63-1 (offset + count overflows): EINVAL; lseek: ESPIPE (no llseek)" \
		chardev_calls EINVAL 'pread -1' EINVAL 'pread 9223372036854775807' ESPIPE 'lseek 5000' --
	check "unknown ioctls (neighbours, wrong direction or size, other type letters): ENOTTY" \
		chardev_badcmds
	check "LAB_CHARDEV_STATS to address 1, NULL, a kernel address, across an unmapped page: EFAULT" \
		chardev_calls EFAULT 'badptr low' EFAULT 'badptr null' EFAULT 'badptr kernel' \
		EFAULT 'badptr edge' --
	check "write from address 1, NULL, a kernel address, across an unmapped page: EFAULT, unchanged" \
		chardev_calls EFAULT 'badwrite low' EFAULT 'badwrite null' EFAULT 'badwrite kernel' \
		EFAULT 'badwrite edge' -- chardev_holds $CD_FULL
	check "read into a kernel address: EFAULT (the VFS's access_ok)" \
		chardev_calls EFAULT 'badread kernel' --
	check "read into address 1 and NULL: EFAULT, not a 0-byte end of file" chardev_badread
	check "no kernel report after the bad input" [ "$(reports)" = 0 ]
	for _n in 2 4 8; do
		check "$_n processes open/write/read, a stats reader, ${CONC_SECONDS}s: counters exact, none torn" \
			chardev_hammer $_n
	done
	check "rmmod after the hammering succeeds, the node is gone" chardev_unload
}
chardev_load() {
	modprobe lab_chardev && [ -c $CD ] && head -c 4096 /dev/urandom >$CD_FULL
}
# chardev_calls [WANT 'ARGS']... -- [CMD...]: each chardev_stress ARGS prints WANT; then CMD.
chardev_calls() {
	_ok=0
	while [ $# -ge 2 ] && [ "$1" != -- ]; do
		bad=$((bad + 1))
		# shellcheck disable=SC2086 # ARGS is split on purpose
		_got=$(chardev_stress $2 2>&1) || true
		if [ "$_got" != "$1" ]; then echo "# chardev_stress $2: got '$_got', want '$1'"; _ok=1; fi
		shift 2
	done
	[ $# = 0 ] || shift
	[ $_ok = 0 ] && { [ $# = 0 ] || "$@"; }
}
# chardev_holds FILE: the content is FILE's, byte for byte.
chardev_holds() {
	cat $CD >/tmp/chardev.now
	cmp -s /tmp/chardev.now "$1" && return 0
	echo "# content: $(wc -c </tmp/chardev.now) bytes, not those of $1"
	return 1
}
chardev_badcmds() {
	_ok=0
	_out=$(chardev_stress badcmd all 2>&1) || _ok=1
	bad=$((bad + $(echo "$_out" | wc -l)))
	echo "$_out" | grep -v ': ENOTTY$' | sed 's/^/# /' || true
	echo "# $(echo "$_out" | grep -c ': ENOTTY$') ioctl numbers gave ENOTTY"
	return $_ok
}
# read(2) into address 1 or NULL: the VFS lets both through (user addresses), and
# simple_read_from_buffer in rust/kernel/iov.rs returns what it copied, 0; lab_chardev turns
# that into EFAULT, or a reader would take it for the end of the file.
chardev_badread() {
	bad=$((bad + 2))
	_r="$(chardev_stress badread low 2>&1 || true) $(chardev_stress badread null 2>&1 || true)"
	[ "$_r" = "EFAULT EFAULT" ] || { echo "# got: $_r"; return 1; }
}
# chardev_hammer N: chardev_stress hammer exits 0 only if the counters equal the processes' sums.
chardev_hammer() {
	_ok=0
	_out=$(chardev_stress hammer "$1" "$CONC_SECONDS" 2>&1) || _ok=1
	echo "$_out" | sed 's/^/# /'
	_ops=$(echo "$_out" | sed -n 's/.* ops=\([0-9]*\) .*/\1/p')
	concurrent=$((concurrent + ${_ops:-0}))
	return $_ok
}
chardev_unload() { rmmod lab_chardev && not is_loaded lab_chardev && not test -e $CD; }

# --- the run ----------------------------------------------------------------------------------
ktap_print_header
ktap_set_plan $((5 + $(stress_plan)))
GOOD=$(good_params)
leaks_clear
check "$CYCLES load/unload cycles, bare and with parameters: ${GOOD:-(none)}" cycles
check_no_leaks "kmemleak: no unreferenced object after the cycles"
check "an injected failure at each allocation point of the load: $FAULT_ERRNO, module absent, next load works" fault_points
check "every parameter refuses bad values with EINVAL, module absent, no splat" bad_params
echo "# $bad bad parameter values tried"
if type "stress_$TOPIC" >/dev/null 2>&1; then "stress_$TOPIC"; fi
check_no_leaks "kmemleak: no unreferenced object at the end"
echo "# stress: $TOPIC cycles=$CYCLES faults=$faults bad=$bad concurrent=$concurrent reports=$(reports)"
ktap_finished
