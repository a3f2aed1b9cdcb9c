#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# minimal: load, inspect and unload lab_minimal. Runs inside the lab VM: make test T=minimal
set -eu
# shellcheck source=../scripts/guest/lab.sh
. /lab/lab.sh
MOD=lab_minimal

modinfo_ok() {
	# busybox modinfo misses the .modinfo section's first entry (here: author): that one is
	# read from the .ko itself, where .modinfo is NUL-separated "key=value" strings.
	[ "$(modinfo -F name $MOD)" = $MOD ] &&
		tr '\0' '\n' <"$(modinfo -F filename $MOD)" |
		grep -aqE '(^|[^[:print:]])author=Rust Kernel Module Lab$' &&
		[ "$(modinfo -F description $MOD)" = "Minimal Rust module: logs on load and unload" ] &&
		[ "$(modinfo -F license $MOD)" = GPL ]
}

load_unload() { modprobe $MOD && is_loaded $MOD && rmmod $MOD && not is_loaded $MOD; }

ktap_print_header
ktap_set_plan 9
kmsg_reset
check "insmod succeeds" insmod /lib/modules/"$(uname -r)"/extra/$MOD.ko
check "lsmod lists it" is_loaded $MOD
check "init line logged at level 6 (info)" kmsg_at 6 "$MOD: Hello from a minimal Rust module \(built-in: false\)$"
check "loaded line logged at level 6 (info)" kmsg_at 6 "$MOD: loaded$"
check "modinfo shows name, author, description, license GPL" modinfo_ok
kmsg_reset
check "rmmod succeeds" rmmod $MOD
check "unload line logged at level 6 (info)" kmsg_at 6 "$MOD: unloaded$"
check "gone from lsmod after rmmod" not is_loaded $MOD
check "a second load and unload work" load_unload
ktap_finished
