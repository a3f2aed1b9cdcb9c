# shellcheck shell=sh
# Helpers for the topics' test.sh, inside the lab VM (busybox sh). A test.sh starts with
#   . /lab/lab.sh
# which also brings the kernel's own KTAP helpers (ktap_print_header, ktap_set_plan, …).
# shellcheck source=/dev/null
. /lab/ktap_helpers.sh
# shellcheck source=splat.sh
. /lab/splat.sh

# check DESCRIPTION CMD [ARG]...: one KTAP result line, "ok" when CMD succeeds.
check() {
	_desc=$1
	shift
	if "$@"; then ktap_test_pass "$_desc"; else ktap_test_fail "$_desc"; fi
}

# not CMD [ARG]...: succeeds when CMD fails.
not() { ! "$@"; }

# kmsg_reset: forget earlier kernel messages, so the kmsg_* helpers see only what follows.
kmsg_reset() { dmesg -c >/dev/null; }

# kmsg: the kernel messages since kmsg_reset, one record a line as "LEVEL MESSAGE",
# LEVEL being the record's priority (0 emerg … 7 debug) as /dev/kmsg and `dmesg -r` give it.
kmsg() { dmesg -r | sed -n 's/^<\([0-7]\)>\[[^]]*\] \{0,1\}/\1 /p'; }

# kmsg_at LEVEL REGEX: a record at exactly LEVEL whose message matches REGEX (grep -E).
kmsg_at() { kmsg | grep -qE "^$1 ($2)"; }

# kmsg_count REGEX: how many records match REGEX, whatever their level.
kmsg_count() { kmsg | grep -cE "^[0-7] ($1)" || true; }

# is_loaded MODULE: MODULE is in /proc/modules (what lsmod reads).
is_loaded() { grep -q "^$1 " /proc/modules; }

# load_err MODULE [PARAM=VALUE]...: loads MODULE expecting failure; prints insmod's
# error text (e.g. "Invalid argument"), or "loaded" when it did load.
load_err() {
	_mod=$1
	shift
	if _out=$(modprobe "$_mod" "$@" 2>&1); then
		echo loaded
	else
		echo "${_out##*: }"
	fi
}

# parmtypes MODULE: "name:type" for each of MODULE's parameters, read from the .ko itself:
# busybox modinfo skips the first entry of the .modinfo section, which may be one of them.
parmtypes() {
	tr '\0' '\n' <"$(modinfo -F filename "$1")" | grep -ao 'parmtype=[A-Za-z0-9_]*:[A-Za-z0-9_]*' |
		sed 's/^parmtype=//' | sort -u
}
