#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# alloc: lab_alloc's allocations, ENOMEM for an absurd size, and every allocation of a load
# made to fail in turn with the kernel's fault injection (faultload). make test T=alloc
# The sweeps of exercise 3 take about 60 s on the debug kernel: make grade: timeout 600 s
# Valid parameters for the stress suite's load cycles (scripts/guest/stress.sh reads this line):
# stress-params: buf_size=8192
set -eu
# shellcheck source=../scripts/guest/lab.sh
. /lab/lab.sh
MOD=lab_alloc
ko_of $MOD
KO=$_ko
TIB=1099511627776
# What must never show in the log: splats, and the allocator's failure reports.
LOUD='BUG:|WARNING:|Oops|Call Trace|vmalloc error|page allocation failure'
# init's steps, in order: the message each logs once its allocation succeeded.
STEPS='KBox::new KVec::with_capacity KBox::zeroed VVec::from_elem KBox::pin_init KVec::push'
OUT=/tmp/faultload.out
# module (the default): only allocations with module code on the stack are failed, not the
# loader's own (faultload -s); all (FAULT_SCOPE=all make test T=alloc): every allocation.
FAULT_SCOPE=${FAULT_SCOPE:-module}
# The sweeps' buffer: 2 MiB + 4 KiB. Above 2 MiB vmalloc's array of page pointers outgrows a
# page and is vmalloc'ed itself, so every failure point of the default 8 MiB buffer is still
# there (measured: the same points by type, slab 21, page 7, all 28-29; 2 MiB exactly loses
# 3, 4 and 8 of them), and each of the sweeps' ~170 loads fills and checks a quarter as much.
SWEEP_BUF=2101248

# logged STEP [WORDS]: an info (6) line of the last load starts with STEP (the API that
# allocated, which the sweeps below count lines by) and holds WORDS (ERE) if given.
logged() {
	kmsg_at 6 "$MOD: $1.*${2:-}" || { echo "# no info line $1 ... ${2:-}"; return 1; }
}

# small_allocations_logged: exercise 1's three allocations, in init's order, then loaded.
small_allocations_logged() {
	logged 'KBox::new' && logged 'KVec::with_capacity' &&
		logged 'KBox::zeroed' '(^|[^0-9])256([^0-9]|$).*true' &&
		[ "$(kmsg | sed -n "s/^6 $MOD: \(KBox::new\|KVec::with_capacity\|KBox::zeroed\).*/\1/p" |
			tr '\n' ' ')" = "KBox::new KVec::with_capacity KBox::zeroed " ] &&
		kmsg_at 6 "$MOD: loaded$"
}

# freeing_logged: Drop's info line: "freeing", the header's magic in hex, the recorded sizes,
# the event, and every allocation intact (no "false").
freeing_logged() {
	_line=$(kmsg | grep -iE "^6 $MOD: .*freeing") || { echo "# no info line with freeing"; return 1; }
	echo "# $_line"
	echo "$_line" | grep -qi '0x1aba110c' &&
		echo "$_line" | grep -qE '\[16, 48, 1024, 8388608, [0-9]+, 16\]' &&
		echo "$_line" | grep -qF '["loaded"]' &&
		echo "$_line" | grep -qi 'intact' && ! echo "$_line" | grep -qi 'false'
}

gone_unloaded() { kmsg_at 6 "$MOD: unloaded$" && not is_loaded $MOD; }

has_buf_size() { parmtypes $MOD | grep -q '^buf_size:'; }

quiet_log() { [ "$(kmsg_count "$LOUD")" = 0 ]; }

# stopped_at_buffer: init ran, the zeroed histogram was allocated, the buffer was not.
stopped_at_buffer() {
	kmsg_at 6 "$MOD: init: buf_size=$TIB$" && kmsg_at 6 "$MOD: KBox::zeroed" &&
		not kmsg_at 6 "$MOD: VVec::from_elem" && not kmsg_at 6 "$MOD: loaded$"
}

vmalloc_kb() { sed -n 's/^VmallocUsed: *\([0-9]*\) kB$/\1/p' /proc/meminfo; }

# sweep_table: one line per load of the last sweep, "N RESULT INJECTED STEPS", STEPS being how
# many of init's allocations succeeded (-1: init never ran, the loader failed first). The
# kernel log is split at faultload's "faultload: lab_alloc n=N" lines, one per load, in order.
sweep_table() {
	klog /tmp/lab-klog && awk -v out="$OUT" -v mod="$MOD" '
		BEGIN {
			while ((getline l < out) > 0)
				if (split(l, f, /[ =]/) == 6 && f[1] == "n") { a++; nn[a] = f[2]; res[a] = f[4]; inj[a] = f[6] }
		}
		index($0, "faultload: " mod " n=") { steps[++i] = -1; next }
		i && index($0, mod ": init:") { steps[i] = 0 }
		i && $0 ~ mod ": (KBox|KVec|VVec)" { steps[i]++ }
		END { for (j = 1; j <= a; j++) print nn[j], res[j], inj[j], (j in steps) ? steps[j] : "?" }' /tmp/lab-klog
}

# every_step_failed: for each of init's allocations, some load failed with ENOMEM there.
every_step_failed() {
	sweep_table >/tmp/sweep.table
	_k=0
	for _s in $STEPS; do
		_c=$(awk -v k=$_k '$2 == "ENOMEM" && $3 == "yes" && $4 == k' /tmp/sweep.table | wc -l)
		echo "#   $_s: $_c failure point(s)"
		[ "$_c" -gt 0 ] || return 1
		_k=$((_k + 1))
	done
}

summary() { sed -n 's/^summary //p' "$OUT"; }
summary_field() { summary | tr ' ' '\n' | sed -n "s/^$1=//p"; }
# points_only_enomem: the sweep exercised failure points, and none gave an errno but ENOMEM.
points_only_enomem() { [ "$(summary_field points)" -gt 0 ] && [ "$(summary_field other)" = 0 ]; }

ktap_print_header
ktap_set_plan 29
# Only what this test leaves unreferenced counts (check_no_leaks at the end).
kmemleak_clear
exercise 0 0 basics
check "modinfo: the .ko declares the parameter buf_size" has_buf_size

exercise 1 10 allocate fallibly
kmsg_reset
check "insmod succeeds" insmod "$KO"
check "init logs KBox::new, KVec::with_capacity, KBox::zeroed (256 counters, true), then loaded" \
	small_allocations_logged
check "rmmod succeeds" rmmod $MOD
check "unloaded logged, gone from lsmod" gone_unloaded

exercise 2 10 the right GFP flags
kmsg_reset
check "insmod succeeds" insmod "$KO"
check "init logs VVec::from_elem with the buffer's 8388608 bytes" logged 'VVec::from_elem' 8388608
check "init logs KVec::push under the spinlock: 1 event" logged 'KVec::push' '(^|[^0-9])1 event'
check "rmmod succeeds" rmmod $MOD
kmsg_reset
enomem_at_load() { load_err $MOD buf_size=$TIB; [ "$_err" = "Cannot allocate memory" ]; }
check "buf_size=1 TiB: insmod fails with Cannot allocate memory" enomem_at_load
check "buf_size=1 TiB: init got as far as the buffer" stopped_at_buffer
check "buf_size=1 TiB: no warning or allocation failure report" quiet_log
check "buf_size=1 TiB: not loaded" not is_loaded $MOD

exercise 3 20 handle ENOMEM and free everything
kmsg_reset
check "insmod succeeds" insmod "$KO"
kmsg_reset
check "rmmod succeeds" rmmod $MOD
check "Drop logs freeing: magic 0x1aba110c, the six sizes, the event, all intact" freeing_logged

# fail-nth read back: a fault armed past the last failure point is never injected.
check "faultload -n 100000 (finit_module): loaded, injected=no" \
	[ "$(faultload -n 100000 "$KO")" = "n=100000 result=loaded injected=no" ]
check "rmmod after it" rmmod $MOD

# The sweep: N = 1, 2, ... until a load with no fault injected.
# Let the loader's caches settle before measuring.
if modprobe $MOD; then rmmod $MOD; fi
before=$(vmalloc_kb)
kmsg_reset
sweep() { faultload -i -s "$FAULT_SCOPE" "$@" "$KO" buf_size=$SWEEP_BUF >"$OUT"; }
check "faultload -i -s $FAULT_SCOPE -a -r 3 -u: every injected failure gives ENOMEM, then a clean load; every unload unloads" \
	sweep -a -r 3 -u
after=$(vmalloc_kb)
echo "# $(summary); $(sed -n 's/^unload-summary //p' "$OUT") (unloads)"
check "faultload -i -a -r 3: failure points exercised, none gave another errno" \
	points_only_enomem
sweep_table >/tmp/sweep.table
echo "# of these, $(awk '$2 == "ENOMEM" && $4 >= 0' /tmp/sweep.table | wc -l) failed in lab_alloc's init," \
	"$(awk '$2 == "ENOMEM" && $4 == -1' /tmp/sweep.table | wc -l) before it (the loader, the parameters)," \
	"$(awk '$2 == "loaded" && $3 == "yes"' /tmp/sweep.table | wc -l) were absorbed (the load succeeded)"
check "no splat or allocation failure report during the sweep" quiet_log
check "not loaded after the sweep" not is_loaded $MOD
echo "# VmallocUsed: $before kB before the sweep, $after kB after"
check "no vmalloc leak over the sweep (< 1 MiB more; the buffer is 2 MiB + 4 KiB)" \
	[ $((after - before)) -lt 1024 ]

# Which step each failure hit is judged on the slab sweep: the vmalloc of the buffer makes a
# varying number of page allocations (some absorbed), so in a sweep of every type the points
# after it shift from load to load; kmalloc alone keeps init's allocations in a fixed order.
# Its loads at one N are alike when only module code counts (FAULT_SCOPE=module; measured: 4
# sweeps with -r 3, of the reference twice, a skeleton and a planted bug: at every point the
# three loads alike), so one load a point is the same sweep; with the loader's own allocations
# counted too (FAULT_SCOPE=all), their number varies from load to load: -r 3.
SLAB_R=1
[ "$FAULT_SCOPE" = module ] || SLAB_R=3
kmsg_reset
check "slab-only sweep (-t slab -r $SLAB_R) ends in a clean load" sweep -t slab -a -r $SLAB_R
echo "# -t slab: $(summary)"
check "each of init's allocations was made to fail and gave ENOMEM" every_step_failed
check "page-only sweep (-t page) ends in a clean load" sweep -t page -a
echo "# -t page: $(summary)"

kmsg_reset
check "a clean load after all that works" modprobe $MOD
check "... and unloads" rmmod $MOD
# VmallocUsed above sees only a leaked buffer; kmemleak sees any allocation of any size, from
# every load, failed load and unload of this test. SKIP on a kernel without it (FAST=1).
check_no_leaks "kmemleak: no unreferenced object after all of the above"
ktap_finished
