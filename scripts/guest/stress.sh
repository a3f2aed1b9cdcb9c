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
#   4. the topic's own checks, bad input and concurrency through its files, if it has any.
# What a topic needs beyond that is declared in its own directory, found by name; this file
# names no topic:
#   - the valid parameters for the "with parameters" cycles: a line in its test.sh
#         # stress-params: NAME=VALUE NAME=VALUE
#     (no such line: every cycle loads it bare);
#   - its own checks: an optional TOPIC/stress.sh, which scripts/vm copies to /lab/TOPIC/
#     beside test.sh and this file sources before the plan; it defines topic_stress_plan (prints
#     how many checks) and topic_stress (runs them with check), may use everything here and in
#     lab.sh (reports, CONC_SECONDS, …), and adds to bad and concurrent (the "# stress:" line).
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
	# How many it leaked: its own log line says, so the count is not written twice.
	want=$(dmesg | sed -n 's/.*lab_check_leak: leaked \([0-9]*\) objects.*/\1/p' | tail -n 1)
	n=$(leaks)
	echo "# kmemleak: $n unreferenced objects after lab_check_leak"
	# Every one: a stale pointer hiding some is the weakness slab_debug=Z (kernel/debug.config)
	# removes, and this is its proof.
	leaked_all() { [ "${want:-0}" -gt 0 ] && [ "$n" -ge "$want" ]; }
	check "kmemleak reports all ${want:-?} objects lab_check_leak leaked" leaked_all
	check "KASAN is in the kernel" grep -q 'KernelAddressSanitizer initialized' /tmp/boot.log
	echo "# stress: checkers cycles=0 faults=0 bad=0 concurrent=0 reports=$(reports)"
	ktap_finished
fi

# --- 1. load/unload cycles --------------------------------------------------------------------
cycles() {
	_i=0
	while [ $_i -lt "$CYCLES" ]; do
		# every other cycle with the topic's (valid) parameters
		if [ $((_i % 2)) = 0 ]; then _p=; else _p=$GOOD; fi
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
				load_err "$MOD" "$_name=$_v"
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

# --- 4. the topic's own checks: TOPIC/stress.sh, when it has one ---------------------------------
# Defaults for a topic without one; its file, sourced here, defines its own.
topic_stress_plan() { echo 0; }
topic_stress() { :; }
if [ -f "/lab/$TOPIC/stress.sh" ]; then
	# shellcheck source=/dev/null # the topic's, copied by scripts/vm beside its test.sh
	. "/lab/$TOPIC/stress.sh"
fi

# --- the run ----------------------------------------------------------------------------------
ktap_print_header
ktap_set_plan $((5 + $(topic_stress_plan)))
# What the topic is loaded with in the "with parameters" half of the cycles: valid values.
GOOD=$(sed -n 's/^# stress-params: *//p' "/lab/$TOPIC/test.sh" | head -n 1)
leaks_clear
check "$CYCLES load/unload cycles, bare and with parameters: ${GOOD:-(none)}" cycles
# Two leak checks in three kmemleak scans: the cycles' counts only what they allocated (before
# leak_mark's scan), kmemleak's 5 s passing during the checks after them; the last check counts
# everything, its first scan the cycles' check's last.
leak_mark
check "an injected failure at each allocation point of the load: $FAULT_ERRNO, module absent, next load works" fault_points
check "every parameter refuses bad values with EINVAL, module absent, no splat" bad_params
echo "# $bad bad parameter values tried"
topic_stress
check_no_leaks "kmemleak: no unreferenced object after the cycles"
leak_mark_last
check_no_leaks "kmemleak: no unreferenced object at the end"
echo "# stress: $TOPIC cycles=$CYCLES faults=$faults bad=$bad concurrent=$concurrent reports=$(reports)"
ktap_finished
