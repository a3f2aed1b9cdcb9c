#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# params: load-time parameters, their defaults, given values and refused values. make test T=params
set -eu
# shellcheck source=../scripts/guest/lab.sh
. /lab/lab.sh
MOD=lab_params
P="$MOD: "

# logged PARAM VALUE: init logged "PARAM = VALUE" at level 6.
logged() { kmsg_at 6 "${P}$1 = $2$"; }

# refused ARG: loading with ARG fails with "Invalid argument", the module is absent and the
# kernel log shows no splat.
refused() {
	kmsg_reset
	[ "$(load_err $MOD "$1")" = "Invalid argument" ] && not is_loaded $MOD &&
		! dmesg | grep -qE 'BUG:|WARNING:|Oops|Call Trace'
}

modinfo_lists() {
	_p=$(modinfo -p $MOD)
	echo "$_p" | grep -qx 'my_param:A signed integer (i32), default 42' &&
		echo "$_p" | grep -qx 'my_bool:A boolean: y/n, 1/0, on/off; default n' &&
		echo "$_p" | grep -qx 'my_count:An unsigned integer (u32), default 1' &&
		[ "$(parmtypes $MOD | tr "\n" " ")" = "my_bool:bool my_count:u32 my_param:i32 " ]
}

ktap_print_header
ktap_set_plan 14
check "modinfo -p lists the 3 parameters with descriptions and types" modinfo_lists
kmsg_reset
check "bare load succeeds" modprobe $MOD
check "defaults logged: my_param = 42, my_bool = false, my_count = 1" \
	sh -c ". /lab/lab.sh; kmsg_at 6 '${P}my_param = 42$' && kmsg_at 6 '${P}my_bool = false$' && kmsg_at 6 '${P}my_count = 1$'"
check "not in sysfs: 7.3 Rust parameters are load-time only" not test -e /sys/module/$MOD/parameters/my_param
rmmod $MOD
kmsg_reset
check "load with my_param=-7 my_bool=y my_count=4294967295" modprobe $MOD my_param=-7 my_bool=y my_count=4294967295
check "given values logged" sh -c ". /lab/lab.sh; kmsg_at 6 '${P}my_param = -7$' && kmsg_at 6 '${P}my_bool = true$' && kmsg_at 6 '${P}my_count = 4294967295$'"
rmmod $MOD
check "my_param=abc (not a number): Invalid argument, not loaded, no splat" refused my_param=abc
check "my_param=2147483648 (above i32): Invalid argument, not loaded" refused my_param=2147483648
check "my_param=-2147483649 (below i32): Invalid argument, not loaded" refused my_param=-2147483649
check "my_count=-1 (unsigned): Invalid argument, not loaded" refused my_count=-1
check "my_count=4294967296 (above u32): Invalid argument, not loaded" refused my_count=4294967296
check "my_param= (empty): Invalid argument, not loaded" refused my_param=
check "my_bool=maybe: Invalid argument, not loaded" refused my_bool=maybe
check "my_param=<4 KiB of digits>: Invalid argument, not loaded" refused "my_param=$(head -c 4096 /dev/zero | tr '\0' 7)"
ktap_finished
