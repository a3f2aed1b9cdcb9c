#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# params: lab_params' load-time parameters (module! params:) and its sysfs parameters
# (common/param.rs): defaults, given values, modinfo, bad values, sysfs reads and writes.
# Runs inside the lab VM: make test T=params
# Valid parameters for the stress suite's load cycles (scripts/guest/stress.sh reads this line):
# stress-params: my_param=7 my_bool=y my_count=3
set -eu
# shellcheck source=../scripts/guest/lab.sh
. /lab/lab.sh
MOD=lab_params
P=/sys/module/$MOD/parameters
INT_MAX_PLUS_1=2147483648

# logged NAME VALUE [SUFFIX]: init logged "NAME = VALUE[SUFFIX]" at level 6 (info).
logged() { kmsg_at 6 "$MOD: $1 = $2${3:-}$"; }

defaults_logged() {
	logged my_param 42 && logged my_bool false && logged my_count 3 &&
		logged threshold 10 ' \(sysfs, 0644\)' && logged slots 4 ' \(sysfs, 0444\)' &&
		kmsg_at 6 "$MOD: loaded$"
}

given_logged() {
	logged my_param -5 && logged my_bool true && logged my_count 4000000000 &&
		logged threshold -3 ' \(sysfs, 0644\)' && logged slots 9 ' \(sysfs, 0444\)'
}

# reads FILE VALUE: the sysfs file FILE (under $P) reads VALUE.
reads() { [ "$(cat "$P/$1")" = "$2" ]; }

no_module_param_files() { [ ! -e $P/my_param ] && [ ! -e $P/my_bool ] && [ ! -e $P/my_count ]; }

given_in_sysfs() { reads threshold -3 && reads slots 9; }

unload_rest() { logged "at unload: slots" 4 && kmsg_at 6 "$MOD: unloaded$"; }

# write_err FILE VALUE: writes "VALUE\n" to $P/FILE as echo does; prints "ok", or the error
# text of the failed open or write (e.g. "Invalid argument").
write_err() {
	if _o=$({ echo "$2" >"$P/$1"; } 2>&1); then echo ok; else echo "${_o##*: }"; fi
}

# sysfs_hex: "0x10" is 16, as for C's int parameters (kstrtoint with base 0); then 7 again.
sysfs_hex() {
	[ "$(write_err threshold 0x10)" = ok ] && reads threshold 16 &&
		[ "$(write_err threshold 7)" = ok ] && reads threshold 7
}

# bad_write FILE VALUE ERROR OLD: the write fails with ERROR and FILE still reads OLD.
bad_write() { [ "$(write_err "$1" "$2")" = "$3" ] && reads "$1" "$4"; }

# bad_load NAME=VALUE: insmod fails with EINVAL and leaves nothing loaded.
bad_load() { [ "$(load_err $MOD "$1")" = "Invalid argument" ] && not is_loaded $MOD; }

# modinfo_params: modinfo -p lists each parameter with its description, and the .ko's
# .modinfo gives each its type. The types are read from the .ko itself: busybox modinfo misses
# the section's first entry, here parmtype=my_param:i32 (see minimal/test.sh).
modinfo_params() {
	_p=$(modinfo -p $MOD)
	_t=$(tr '\0' '\n' <"$(modinfo -F filename $MOD)" | grep -aoE 'parmtype=[a-z_]+:[a-z0-9]+' |
		sed 's/^parmtype=//' | sort | tr '\n' ' ')
	echo "$_p" | sed 's/^/#   /'
	echo "#   types: $_t"
	echo "$_p" | grep -qx 'my_param:An i32 set at load time (default 42)' &&
		echo "$_p" | grep -qx 'my_bool:A bool set at load time: y/n, 1/0 (default n)' &&
		echo "$_p" | grep -qx 'my_count:A u32 set at load time (default 3)' &&
		echo "$_p" | grep -qx 'threshold:An int, root may change it in sysfs at run time (default 10)' &&
		echo "$_p" | grep -qx 'slots:A uint set at load time, read-only in sysfs (default 4)' &&
		[ "$_t" = "my_bool:bool my_count:u32 my_param:i32 slots:uint threshold:int " ]
}

ktap_print_header
ktap_set_plan 35

# Bare: the defaults.
kmsg_reset
check "insmod without parameters succeeds" modprobe $MOD
check "init logs every default (my_param = 42, …), then loaded" defaults_logged
check "sysfs: threshold reads the default 10" reads threshold 10
check "sysfs: slots reads the default 4" reads slots 4
check "sysfs: threshold is 0644, slots 0444" \
	[ "$(stat -c %a $P/threshold) $(stat -c %a $P/slots)" = "644 444" ]
check "sysfs: the module! params (load-time only) have no file" no_module_param_files

# Run-time writes through sysfs.
check "sysfs: echo 7 > threshold succeeds" [ "$(write_err threshold 7)" = ok ]
check "sysfs: threshold now reads 7" reads threshold 7
check "sysfs: threshold=0x10 reads back 16 (base 0, as C's int parameters), 7 written back" sysfs_hex
check "sysfs: threshold=abc fails with EINVAL, 7 kept" bad_write threshold abc "Invalid argument" 7
check "sysfs: threshold=12abc fails with EINVAL, 7 kept" bad_write threshold 12abc "Invalid argument" 7
check "sysfs: threshold=$INT_MAX_PLUS_1 fails with EINVAL, 7 kept" \
	bad_write threshold $INT_MAX_PLUS_1 "Invalid argument" 7
check "sysfs: an empty line fails with EINVAL, 7 kept" bad_write threshold "" "Invalid argument" 7
check "sysfs: slots (0444) refuses even root: EACCES, 4 kept" bad_write slots 5 "Permission denied" 4
kmsg_reset
check "rmmod succeeds" rmmod $MOD
check "Drop sees the sysfs write: at unload: threshold = 7" logged "at unload: threshold" 7
check "Drop: slots unchanged, then unloaded" unload_rest

# Given values.
kmsg_reset
check "insmod my_param=-5 my_bool=y my_count=4000000000 threshold=-3 slots=9 succeeds" \
	modprobe $MOD my_param=-5 my_bool=y my_count=4000000000 threshold=-3 slots=9
check "init logs every given value" given_logged
check "sysfs: threshold and slots read the given -3 and 9" given_in_sysfs
check "rmmod after it" rmmod $MOD

check "modinfo -p lists every parameter with its description; types int/uint/i32/u32/bool" \
	modinfo_params

# A bool is lenient, in C as in Rust: kstrtobool reads the first character only
# (1/y/t/e: true, 0/n/f/d: false, on/off), so "12abc" is y.
kmsg_reset
check "insmod my_bool=12abc loads: kstrtobool reads only the 1, my_bool = true" \
	eval "modprobe $MOD my_bool=12abc && logged my_bool true && rmmod $MOD"

# Bad values at load time: EINVAL, not loaded.
for bad in my_param=abc my_param=12abc my_param=$INT_MAX_PLUS_1 my_param=-2147483649 \
	my_param= my_count=-1 my_count=4294967296 my_bool=maybe threshold=$INT_MAX_PLUS_1 \
	threshold=12abc threshold= slots=-1; do
	check "insmod $bad fails with Invalid argument, not loaded" bad_load "$bad"
done
ktap_finished
