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

# look NAME VALUE [NAME VALUE]...: one look at the log (tally) for the checks that follow: for
# each pair, an info (level 6) record that names NAME, then VALUE as a word of its own
# ("my_param = 42", "my_param: 42" …): the wording is the student's (README, Exercises); and
# the loaded and unloaded lines.
look() {
	_lk=$(($# / 2))
	while [ $_lk -gt 0 ]; do
		set -- "$@" "$1=$2" 6i "$MOD: .*$1([^a-z0-9_].*)?[^a-z0-9_-]$2([^a-z0-9_]|\$)"
		shift 2
		_lk=$((_lk - 1))
	done
	tally loaded 6 "$MOD: loaded\$" unloaded 6 "$MOD: unloaded\$" "$@"
}
# logged NAME VALUE [NAME VALUE]...: the last look found each pair.
logged() {
	while [ $# -ge 2 ]; do
		tallied "$1=$2" || { echo "# no info line names $1 with $2"; return 1; }
		shift 2
	done
}

defaults_logged() { logged my_param 42 my_bool false my_count 3; }

sysfs_defaults_logged() { logged threshold 10 slots 4; }

given_logged() { logged my_param -5 my_bool true my_count 4000000000; }

sysfs_given_logged() { logged threshold -3 slots 9; }

# reads FILE VALUE: the sysfs file FILE (under $P) reads VALUE (lab.sh's line: no process).
reads() { line "$P/$1" && [ "$_ln" = "$2" ]; }

no_module_param_files() { [ ! -e $P/my_param ] && [ ! -e $P/my_bool ] && [ ! -e $P/my_count ]; }

given_in_sysfs() { reads threshold -3 && reads slots 9; }

# writes FILE VALUE ERROR: writing "VALUE\n" to $P/FILE as echo does gives ERROR: "ok", or
# the error text of the failed open or write (e.g. "Invalid argument").
writes() { errno_of put "$P/$1" "$2"; [ "$_err" = "$3" ] || { echo "# $1=$2: $_err"; return 1; }; }

# sysfs_hex: "0x10" is 16, as for C's int parameters (kstrtoint with base 0); then 7 again.
sysfs_hex() {
	writes threshold 0x10 ok && reads threshold 16 && writes threshold 7 ok && reads threshold 7
}

# bad_write FILE VALUE ERROR OLD: the write fails with ERROR and FILE still reads OLD.
bad_write() { writes "$1" "$2" "$3" && reads "$1" "$4"; }

# bad_load NAME=VALUE...: insmod fails with EINVAL and leaves nothing loaded. A module that did
# load (an unfinished exercise) is unloaded again, so the checks after this one start clean.
bad_load() {
	load_err $MOD "$@"
	if is_loaded $MOD; then
		echo "# $*: loaded"
		rmmod $MOD
		return 1
	fi
	[ "$_err" = "Invalid argument" ]
}

# bool_lenient: my_bool=12abc loads and logs my_bool true; unloaded again, whatever it logged.
bool_lenient() {
	modprobe $MOD my_bool=12abc || return 1
	_ok=0
	look my_bool true
	logged my_bool true || _ok=1
	rmmod $MOD && return $_ok
}

# loads_with NAME=VALUE...: insmod succeeds with these values; the module is unloaded again.
loads_with() { modprobe $MOD "$@" && rmmod $MOD; }

# described NAME:TYPE...: the .ko's .modinfo gives each NAME the type TYPE (parmtype=) and a
# description (parm=, the student's words); modinfo -p lists it. Read from the .ko itself, in
# one pass: busybox modinfo misses the .modinfo section's first entry (see minimal/test.sh).
# When one is missing, what modinfo -p and the .ko say, as "#" lines.
described() {
	ko_of $MOD
	tr '\0' '\n' <"$_ko" | grep -a 'parm' | awk -v want="$*" '
		BEGIN { n = split(want, w, " ") }
		{
			for (i = 1; i <= n; i++) {
				name = substr(w[i], 1, index(w[i], ":") - 1)
				if (match($0, "parmtype=" name ":[A-Za-z0-9_]*") && substr($0, RSTART, RLENGTH) == "parmtype=" w[i])
					typed[i] = 1
				if ($0 ~ "(^|[^[:print:]])parm=" name ":[[:print:]]+$") told[i] = 1
			}
		}
		END { for (i = 1; i <= n; i++) if (!typed[i] || !told[i]) exit 1 }' && return 0
	modinfo -p $MOD | sed 's/^/#   /'
	echo "#   types: $(parmtypes $MOD | tr '\n' ' ')"
	return 1
}

ktap_print_header
ktap_set_plan 45

exercise 0 0 basics
kmsg_reset
check "insmod without parameters succeeds" modprobe $MOD
look my_param 42 my_bool false my_count 3 threshold 10 slots 4
check "init ends with loaded, at info (level 6)" tallied loaded

# Bare: the defaults.
exercise 1 10 load-time parameters
check "init logs my_param 42, my_bool false, my_count 3 at info (level 6)" defaults_logged
check "the module! params (load-time only) have no sysfs file" no_module_param_files

exercise 2 10 sysfs parameters
check "init logs threshold 10 and slots 4 at info (level 6)" sysfs_defaults_logged
check "sysfs: threshold reads the default 10" reads threshold 10
check "sysfs: slots reads the default 4" reads slots 4
check "sysfs: threshold is 0644, slots 0444" [ "$(stat -c %a $P/threshold $P/slots 2>&1 | tr '\n' ' ')" = "644 444 " ]

# Run-time writes through sysfs.
check "sysfs: echo 7 > threshold succeeds" writes threshold 7 ok
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
look threshold 7 slots 4
check "Drop sees the sysfs write: threshold 7 at info (level 6)" logged threshold 7
check "Drop: slots still 4 at info (level 6)" logged slots 4
exercise 0 0 basics
check "Drop ends with unloaded, at info (level 6)" tallied unloaded

# Given values.
exercise 1 10 load-time parameters
kmsg_reset
check "insmod my_param=-5 my_bool=y my_count=4000000000 threshold=-3 slots=9 succeeds" \
	modprobe $MOD my_param=-5 my_bool=y my_count=4000000000 threshold=-3 slots=9
look my_param -5 my_bool true my_count 4000000000 threshold -3 slots 9
check "init logs the given my_param -5, my_bool true, my_count 4000000000" given_logged
exercise 2 10 sysfs parameters
check "init logs the given threshold -3 and slots 9" sysfs_given_logged
check "sysfs: threshold and slots read the given -3 and 9" given_in_sysfs
check "rmmod after it" rmmod $MOD

exercise 1 10 load-time parameters
check "modinfo: my_param i32, my_bool bool, my_count u32, each with a description" \
	described my_param:i32 my_bool:bool my_count:u32
# A bool is lenient, in C as in Rust: kstrtobool reads the first character only
# (1/y/t/e: true, 0/n/f/d: false, on/off), so "12abc" is y.
kmsg_reset
check "insmod my_bool=12abc loads: kstrtobool reads only the 1, my_bool true" \
	bool_lenient
# Bad values at load time: EINVAL, not loaded. Without the declaration the kernel would only
# warn of an unknown parameter and load.
for bad in my_param=abc my_param=12abc my_param=$INT_MAX_PLUS_1 my_param=-2147483649 \
	my_param= my_count=-1 my_count=4294967296 my_bool=maybe; do
	check "insmod $bad fails with Invalid argument, not loaded" bad_load "$bad"
done

exercise 2 10 sysfs parameters
check "modinfo: threshold int, slots uint, each with a description" \
	described threshold:int slots:uint
for bad in threshold=$INT_MAX_PLUS_1 threshold=12abc threshold= slots=-1; do
	check "insmod $bad fails with Invalid argument, not loaded" bad_load "$bad"
done

# A value slots can hold but the module cannot use: init refuses it.
exercise 3 10 refuse slots outside 1 to 64
for bad in 0 65; do
	kmsg_reset
	check "insmod slots=$bad fails with Invalid argument, not loaded" bad_load slots=$bad
	check "  and logs an error (level 3) line naming slots and the range 1 to 64" \
		says 3 "slots.*[^0-9]1[^0-9].*64"
done
check "insmod slots=1 and slots=64 (the bounds) load" eval "loads_with slots=1 && loads_with slots=64"
ktap_finished
