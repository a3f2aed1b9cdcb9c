#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# errors: each failure mode makes insmod fail with its errno, logged by name. make test T=errors
# Valid parameters for the stress suite's load cycles (scripts/guest/stress.sh reads this line):
# stress-params: fail=0
set -eu
# shellcheck source=../scripts/guest/lab.sh
. /lab/lab.sh
MOD=lab_errors
ko_of $MOD
KO=$_ko

# refused FAIL TEXT: insmod fail=FAIL fails, printing TEXT (the errno's text), and leaves the
# module unloaded. An unfinished exercise may load it: it is then unloaded again, so the checks
# after this one still start from an unloaded module.
refused() {
	kmsg_reset
	errno_of insmod "$KO" fail="$1"
	if [ "$_err" = ok ]; then
		echo "# fail=$1 loaded"
		rmmod $MOD
		return 1
	fi
	[ "$_err" = "$2" ] || { echo "# insmod said: $(cat /tmp/lab-err)"; return 1; }
	not is_loaded $MOD || { echo "# still loaded"; return 1; }
}

# names_errno NAME NUMBER: since the last refused, an err-level (3) line names the error
# symbolically and by its number (e.g. ENODEV and 19, or -19).
names_errno() {
	if says 3 "(^|[^A-Z])$1([^A-Z]|$)" && says 3 "(^|[^0-9])$2([^0-9]|$)"; then return 0; fi
	echo "# no err-level line naming $1 and $2"
	return 1
}

# logs_errno FAIL NAME NUMBER: insmod fail=FAIL fails, and logs NAME and NUMBER at err level.
logs_errno() {
	kmsg_reset
	if insmod "$KO" fail="$1" 2>/dev/null; then
		echo "# fail=$1 loaded"
		rmmod $MOD
		return 1
	fi
	names_errno "$2" "$3"
}

# logged_twice: busybox insmod tries finit_module(2), then init_module(2) when that failed, so
# a failing init runs, and logs, twice (the README says so).
logged_twice() {
	kmsg_reset
	if insmod "$KO" fail=3 2>/dev/null; then rmmod $MOD; return 1; fi
	_n=$(kmsg_grep -c 3 "$MOD: .*ENODEV" || true)
	echo "# the err-level line naming ENODEV came $_n times"
	[ "$_n" = 2 ]
}

gone_unloaded() { not is_loaded $MOD && kmsg_at 6 "$MOD: unloaded$"; }
load_unload() { modprobe $MOD && is_loaded $MOD && rmmod $MOD && not is_loaded $MOD; }

ktap_print_header
ktap_set_plan 18
kmsg_reset
exercise 0 0 basics
check "fail=0: modprobe succeeds" modprobe $MOD fail=0
check "fail=0: lsmod lists it" is_loaded $MOD
check "fail=0: loaded logged at info (6)" kmsg_at 6 "$MOD: loaded$"
kmsg_reset
check "fail=0: rmmod succeeds" rmmod $MOD
check "fail=0: gone from lsmod, unloaded logged at info (6)" gone_unloaded

exercise 1 10 return an errno
check "fail=9 (unknown): insmod fails with Invalid argument (EINVAL), not loaded" \
	refused 9 "Invalid argument"
check "  an err-level (3) line says valid, then lists the modes 0 1 2 3 4" \
	says 3 "valid.*0.*1.*2.*3.*4"
check "fail=1: insmod fails with Invalid argument (EINVAL), not loaded" refused 1 "Invalid argument"

exercise 2 10 propagate errors with the question mark
check "fail=3: insmod fails with No such device (ENODEV), not loaded" refused 3 "No such device"
check "  an err-level line names ENODEV and 19" names_errno ENODEV 19
check "fail=2: insmod fails with Cannot allocate memory (ENOMEM), not loaded" \
	refused 2 "Cannot allocate memory"
check "  an err-level line names ENOMEM and 12" names_errno ENOMEM 12
check "fail=1: insmod fails, an err-level line names EINVAL and 22" logs_errno 1 EINVAL 22
check "insmod's two tries (finit_module, init_module): a failing init logs twice" logged_twice

exercise 3 10 checked arithmetic
check "fail=4: insmod fails with Value too large for defined data type (EOVERFLOW), not loaded" \
	refused 4 "Value too large for defined data type"
check "  an err-level line names EOVERFLOW and 75" names_errno EOVERFLOW 75
sized() {
	kmsg_reset
	modprobe $MOD fail=0 || return 1
	_ok=0
	says 6 "(^|[^0-9])16384([^0-9]|$)" || { echo "# no info-level line with 16384"; _ok=1; }
	rmmod $MOD && return $_ok
}
check "fail=0: an info (6) line gives the computed buffer size, 16384" sized

exercise 0 0 basics
check "a second load and unload work" load_unload
ktap_finished
