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

# loaded_last: "loaded" (at info level) is the last line of a load: logged once init got through.
loaded_last() {
	kmsg_reset
	modprobe $MOD || return 1
	_last=$(kmsg | grep " $MOD: " | tail -n1)
	rmmod $MOD && echo "$_last" | grep -qiE "^6 $MOD: (.*[^a-z])?loaded"
}

load_unload() { modprobe $MOD && is_loaded $MOD && rmmod $MOD && not is_loaded $MOD; }

ktap_print_header
ktap_set_plan 10
kmsg_reset
exercise 0 0 basics
ko_of $MOD
check "insmod succeeds" insmod "$_ko"
check "lsmod lists it" is_loaded $MOD
check "modinfo shows name, author, description, license GPL" modinfo_ok
exercise 1 10 greet at load
check "init logs an info (level 6) line with Hello" says 6 hello
check "  which says it is not built in: false" says 6 "hello.*false"
exercise 2 10 goodbye at unload
kmsg_reset
check "rmmod succeeds" rmmod $MOD
check "gone from lsmod after rmmod" not is_loaded $MOD
check "Drop logs an info (level 6) line with unloaded" says 6 unloaded
exercise 0 0 basics
check "a second load and unload work" load_unload
check "the load logs loaded, at info (level 6), only once init has succeeded" loaded_last
ktap_finished
