#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench, inside the lab VM: Rust against C, both loaded at once, so that one labbench
# process alternates between them every few milliseconds. The chardev rows time the topic
# chardev against its C twin; the lock rows bench/'s Rust and C lock modules (lab_sync_rs,
# lab_sync_c: written for timing, the same operation on both sides).
#   sh /lab/bench.sh PASSES ROUNDS LOCK_N BATCHES [NOCHECKS]
# A pass times every row once, ROUNDS paired rounds each (labbench: per round A B B A, then
# B A A B; BATCHES batches per slot); the passes repeat the rows in turn, so a slow minute on
# the host is spread over every row instead of spoiling one. LOCK_N: increments per writer per
# batch in the lock rows. Prints "bench ROW PASS IMPL ROUND BEST MEDIAN UNIT" lines, which
# scripts/bench-report pairs by (ROW, PASS, ROUND) into ratios. NOCHECKS=0 leaves out the
# rust-nochecks set (the smoke does, to stay short).
set -eu
# shellcheck source=lab.sh
. /lab/lab.sh
PASSES=$1 ROUNDS=$2 LOCK_N=$3 BATCHES=$4 NOCHECKS=${5:-1}
EXTRA=/lib/modules/$(uname -r)/extra

# IMPL: rust (the topic chardev as the lab builds it, and /lab/bench/lab_sync_rs.ko), c (the C
# modules in /lab/bench) or rust-nochecks (the same Rust source built with -Cdebug-assertions=n
# -Coverflow-checks=n, in /lab/bench/nochecks: what the lab kernel's RUST_DEBUG_ASSERTIONS and
# overflow checks cost). WHAT: chardev or sync (the lock modules).
# name IMPL WHAT, ko IMPL WHAT: the module's name and file in that implementation.
name() {
	case $1:$2 in
	c:*) echo "lab_${2}_c" ;;
	*:sync) echo lab_sync_rs ;;
	*) echo "lab_$2" ;;
	esac
}
ko() {
	case $1:$2 in
	rust:chardev) echo "$EXTRA/lab_chardev.ko" ;;
	rust:*) echo "/lab/bench/$(name "$1" "$2").ko" ;;
	c:*) echo "/lab/bench/$(name c "$2").ko" ;;
	rust-nochecks:*) echo "/lab/bench/nochecks/$(name rust "$2").ko" ;;
	esac
}
dev() { echo "/dev/$(name "$1" chardev)"; }
syncfile() { echo "/sys/kernel/debug/$(name "$1" sync)/counters"; }
fill() { dd if=/dev/zero of="$1" bs=4096 count=1 2>/dev/null; }

# measure ROW CALL labbench-ARGS...: one labbench call, its lines prefixed "bench ROW CALL"
# (a -b in ARGS overrides BATCHES).
measure() {
	_row=$1 _pass=$2
	shift 2
	echo "# at $(cut -d" " -f1 /proc/uptime) s: $_row $_pass"
	_out=$(labbench -b "$BATCHES" "$@") || { echo "# $_row: labbench $* failed"; exit 1; }
	printf '%s\n' "$_out" | sed "s/^/bench $_row $_pass /"
}

# rows CALL A B: every chardev and lock row, A's modules against B's (both loaded), with the
# ceiling (/dev/zero, /dev/null) as a third target of the chardev rows when A is rust. CALL
# names this set of calls in the output (the pass, and n for the no-checks set).
rows() {
	_p=$1 _a=$2 _b=$3 _da=$(dev "$2") _db=$(dev "$3")
	_zero='' _null=''
	[ "$_a" = rust ] && _zero=ceiling=/dev/zero _null=ceiling=/dev/null
	for _bs in 64 4096 65536; do
		fill "$_da"
		fill "$_db"
		# shellcheck disable=SC2086 # $_zero: one word or none
		measure "read-$_bs" "$_p" read $_bs "$ROUNDS" "$_a=$_da" "$_b=$_db" $_zero
	done
	# A write replaces the whole content, at most 4 KiB: a 64 KiB write is EFBIG, not a row.
	for _bs in 64 4096; do
		# shellcheck disable=SC2086
		measure "write-$_bs" "$_p" write $_bs "$ROUNDS" "$_a=$_da" "$_b=$_db" $_null
	done
	# shellcheck disable=SC2086
	measure open-close "$_p" open "$ROUNDS" "$_a=$_da" "$_b=$_db" $_null
	# Two writers: a batch is fast only when the host runs both vCPUs throughout, which the
	# other host work often prevents; batches a quarter as long and four times as many give
	# the fastest of each round more chances to be such a batch.
	for _lock in mutex spinlock; do
		measure "lock-$_lock-1" "$_p" lock "$LOCK_N" 1 $_lock "$ROUNDS" \
			"$_a=$(syncfile "$_a")" "$_b=$(syncfile "$_b")"
		measure "lock-$_lock-2" "$_p" -b $((BATCHES * 4)) lock $((LOCK_N / 4)) 2 $_lock \
			"$ROUNDS" "$_a=$(syncfile "$_a")" "$_b=$(syncfile "$_b")"
	done
}

load() { insmod "$(ko "$1" chardev)" && insmod "$(ko "$1" sync)"; }
unload() { rmmod "$(name "$1" chardev)" "$(name "$1" sync)"; }

nochecks=
[ "$NOCHECKS" = 1 ] && [ -f /lab/bench/nochecks/lab_chardev.ko ] \
	&& [ -f /lab/bench/nochecks/lab_sync_rs.ko ] && nochecks=rust-nochecks
echo "# $(uname -r), $(nproc) CPUs, clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null || echo '?')"
echo "# $PASSES passes of $ROUNDS paired rounds, $BATCHES batches per slot, $LOCK_N increments per lock writer and batch"
p=1
while [ "$p" -le "$PASSES" ]; do
	echo "# pass $p"
	load c
	load rust
	rows "$p" rust c
	unload rust
	if [ -n "$nochecks" ]; then
		load "$nochecks"
		rows "${p}n" "$nochecks" c
		unload "$nochecks"
	fi
	unload c
	# Nothing loaded: load+unload each module, Rust against C (at most two batches per slot:
	# a load is slow).
	for m in chardev sync; do
		measure "load-$m" "$p" -b $((BATCHES < 2 ? BATCHES : 2)) load "$ROUNDS" \
			"rust=$(ko rust $m):$(name rust $m)" "c=$(ko c $m):$(name c $m)"
	done
	echo "# pass $p done at $(cut -d" " -f1 /proc/uptime) s of uptime"
	p=$((p + 1))
done
