#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench, inside the lab VM: the Rust topics against their C twins (bench/), round after
# round, Rust first in odd rounds and C first in even ones, with the ceiling beside them.
#   sh /lab/bench.sh ROUNDS SECS LOCK_N
# SECS per timed loop; LOCK_N increments per writer in the lock rows. Prints one line per
# measurement, "bench ROW IMPL VALUE UNIT" (IMPL: see below, or ceiling), which scripts/bench
# turns into the table. The C twins are in /lab/bench/.
set -eu
# shellcheck source=lab.sh
. /lab/lab.sh
ROUNDS=$1 SECS=$2 LOCK_N=$3
EXTRA=/lib/modules/$(uname -r)/extra

# measure ROW IMPL CMD [ARG]...: runs a labbench command, prints its result as a bench line.
measure() {
	_row=$1 _impl=$2
	shift 2
	_out=$("$@") || { echo "# $_row $_impl: $* failed"; exit 1; }
	# shellcheck disable=SC2086 # "value=V unit=U ...": split into words on purpose
	set -- $_out
	echo "bench $_row $_impl ${1#value=} ${2#unit=}"
}

# IMPL: rust (the topic modules as the lab builds them), c (the twins in /lab/bench) or
# rust-nochecks (the same Rust source built with -Cdebug-assertions=n -Coverflow-checks=n, in
# /lab/bench/nochecks: what the lab kernel's RUST_DEBUG_ASSERTIONS and overflow checks cost).
# name IMPL MODULE, ko IMPL MODULE: the module's name and file in that implementation.
name() { if [ "$1" = c ]; then echo "${2}_c"; else echo "$2"; fi; }
ko() {
	case $1 in
	rust) echo "$EXTRA/$2.ko" ;;
	c) echo "/lab/bench/${2}_c.ko" ;;
	rust-nochecks) echo "/lab/bench/nochecks/$2.ko" ;;
	esac
}
fill() { dd if=/dev/zero of="$1" bs=4096 count=1 2>/dev/null; }
# count FILE LOCK: that lock's count in a sync file ("mutex=… spinlock=… runs=…").
count() { sed -n "s/.*$2=\\([0-9]*\\).*/\\1/p" "$1"; }

# One round of every row for IMPL, its two modules loaded (and nobody else's).
rows() {
	_d=/dev/$(name "$1" lab_chardev) _f=/sys/kernel/debug/$(name "$1" lab_sync)/counters
	insmod "$(ko "$1" lab_chardev)"
	insmod "$(ko "$1" lab_sync)" iterations=1
	for _bs in 64 4096 65536; do
		fill "$_d"
		measure "read-$_bs" "$1" labbench read "$_d" $_bs "$SECS"
	done
	# A write replaces the whole content, at most 4 KiB: a 64 KiB write is EFBIG, not a row.
	for _bs in 64 4096; do measure "write-$_bs" "$1" labbench write "$_d" $_bs "$SECS"; done
	measure open-close "$1" labbench open "$_d" "$SECS"
	for _lock in mutex spinlock; do
		for _w in 1 2; do
			_before=$(count "$_f" $_lock)
			measure "lock-$_lock-$_w" "$1" labbench lock "$_f" "$LOCK_N" $_w $_lock
			# A fast but wrong counter would be worthless: every increment asked for, exactly.
			_got=$(($(count "$_f" $_lock) - _before))
			[ $_got = $((LOCK_N * _w)) ] || { echo "# $1 $_lock: $_got increments, want $((LOCK_N * _w))"; exit 1; }
		done
	done
	rmmod "$(name "$1" lab_chardev)" "$(name "$1" lab_sync)"
	for _m in lab_chardev lab_sync; do
		measure "load-$_m" "$1" labbench load "$(ko "$1" $_m)" "$(name "$1" $_m)" "$SECS"
	done
}

ceiling() {
	for _bs in 64 4096 65536; do measure "read-$_bs" ceiling labbench read /dev/zero $_bs "$SECS"; done
	for _bs in 64 4096; do measure "write-$_bs" ceiling labbench write /dev/null $_bs "$SECS"; done
	measure open-close ceiling labbench open /dev/null "$SECS"
}

impls="rust c"
[ -f /lab/bench/nochecks/lab_chardev.ko ] && impls="$impls rust-nochecks"
echo "# $(uname -r), $(nproc) CPUs, $ROUNDS rounds of ${SECS}s loops, $LOCK_N increments per lock writer"
r=1
while [ $r -le "$ROUNDS" ]; do
	echo "# round $r"
	# Rust first in odd rounds, C first in even ones.
	if [ $((r % 2)) = 1 ]; then order=$impls; else order=$(echo "$impls" | sed 's/rust c/c rust/'); fi
	for i in $order; do rows "$i"; done
	ceiling
	r=$((r + 1))
done
