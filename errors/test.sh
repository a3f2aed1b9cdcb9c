#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# errors: each failure mode makes insmod fail with its errno, logged by name. make test T=errors
# Valid parameters for the stress suite's load cycles (scripts/guest/stress.sh reads this line):
# stress-params: fail=0
set -eu
# shellcheck source=../scripts/guest/lab.sh
. /lab/lab.sh
MOD=lab_errors
P="$MOD: "

# fails_with FAIL TEXT NAME: insmod fail=FAIL prints TEXT, exits with the errno, the module is
# not loaded and the log names the error.
fails_with() {
	kmsg_reset
	_ko=/lib/modules/$(uname -r)/extra/$MOD.ko
	_out=$(insmod "$_ko" fail="$1" 2>&1) && { echo "# loaded"; return 1; }
	[ "${_out##*: }" = "$2" ] || { echo "# insmod said: $_out"; return 1; }
	not is_loaded $MOD || { echo "# still loaded"; return 1; }
	kmsg_at 3 "${P}init failed: $3 \(errno -$4\), fail=" || { echo "# no log line naming $3"; return 1; }
}

# set_up_and_loaded: init logged what it set up and "loaded", and the module is loaded.
set_up_and_loaded() {
	kmsg_at 6 "${P}4 devices, a buffer of 16384 bytes$" && kmsg_at 6 "${P}loaded$" && is_loaded $MOD
}

# logged_twice: busybox insmod tries finit_module(2), then init_module(2) when that failed, so
# a failing init runs, and logs, twice (the README says so).
logged_twice() {
	kmsg_reset
	insmod "/lib/modules/$(uname -r)/extra/$MOD.ko" fail=3 2>/dev/null && return 1
	_n=$(kmsg_count "${P}init failed: ENODEV")
	echo "# init failed logged $_n times"
	[ "$_n" = 2 ]
}

ktap_print_header
ktap_set_plan 9
kmsg_reset
check "fail=0: loads, logs what it set up" modprobe $MOD fail=0
check "fail=0: log line and loaded" set_up_and_loaded
check "fail=0: rmmod succeeds, unloaded logged" sh -c ". /lab/lab.sh; rmmod $MOD && kmsg_at 6 '${P}unloaded$' && ! is_loaded $MOD"
check "fail=1: Invalid argument (EINVAL, 22), not loaded, logged" fails_with 1 "Invalid argument" EINVAL 22
check "fail=2: Cannot allocate memory (ENOMEM, 12), not loaded, logged" fails_with 2 "Cannot allocate memory" ENOMEM 12
check "fail=3: No such device (ENODEV, 19), not loaded, logged" fails_with 3 "No such device" ENODEV 19
check "fail=4: Value too large for defined data type (EOVERFLOW, 75), not loaded, logged" \
	fails_with 4 "Value too large for defined data type" EOVERFLOW 75
kmsg_reset
unknown() {
	[ "$(load_err $MOD fail=9)" = "Invalid argument" ] && not is_loaded $MOD &&
		kmsg_at 3 "${P}fail=9 is unknown; valid: 0 none, 1 einval, 2 enomem, 3 enodev, 4 eoverflow$"
}
check "fail=9 (unknown): Invalid argument, and the log lists the valid modes" unknown
check "insmod's two tries (finit_module, init_module): a failing init logs twice" logged_twice
ktap_finished
