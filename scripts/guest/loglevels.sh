#!/bin/sh
# make loglevels, in the lab VM (scripts/loglevels runs it): loads lab_printing once per column
# between two console markers, so the host can read from the console log which lines reached
# the console; prints what the log buffer holds (dmesg -r) and /proc/sys/kernel/printk.
#   sh /lab/loglevels.sh N...      one column per console log level N (0 to 8), in one boot
#   sh /lab/loglevels.sh COLUMN    one column at the level the boot left (loglevel=, quiet, …)
# Output, one line each: "printk COLUMN C D M B", "buffer COLUMN LEVEL" per level line logged.
set -eu
# shellcheck source=lab.sh
. /lab/lab.sh
# shellcheck source=console.sh
. /lab/console.sh
MOD=lab_printing

column() {
	dmesg -c >/dev/null
	console_mark "@@loglevels begin $1"
	modprobe $MOD
	console_mark "@@loglevels end $1"
	printf 'printk %s %s\n' "$1" "$(tr -s '\t ' ' ' </proc/sys/kernel/printk)"
	dmesg -r | sed -n "s/^<\([0-7]\)>.*$MOD: \[[0-7] [a-z]*\] pr_.*/buffer $1 \1/p"
	rmmod $MOD
}

case $1 in
[0-8])
	for n in "$@"; do
		# dmesg -n takes 1 to 8; 0 (not even emerg) only through the sysctl.
		if [ "$n" = 0 ]; then echo 0 >/proc/sys/kernel/printk; else dmesg -n "$n"; fi
		[ "$(cut -f1 /proc/sys/kernel/printk)" = "$n" ] || { echo "console level $n did not take"; exit 1; }
		column "$n"
	done ;;
*) column "$1" ;;
esac
