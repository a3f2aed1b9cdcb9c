#!/bin/sh
# make demo, inside the VM: loads each module given, one at a time, shows what it logged
# with each line's level, and unloads it. --color colours the level names.
# shellcheck shell=sh
set -eu
# shellcheck source=lab.sh
. /lab/lab.sh

color=0
[ "${1:-}" = --color ] && { color=1; shift; }

show() {
	kmsg | while read -r level msg; do
		name=$(echo "EMERG ALERT CRIT ERR WARNING NOTICE INFO DEBUG" | cut -d' ' -f$((level + 1)))
		if [ $color = 1 ]; then
			case $level in [0-3]) c=31 ;; 4) c=33 ;; 5) c=36 ;; 6) c=32 ;; *) c=90 ;; esac
			printf '  \033[%sm%-7s\033[0m %s\n' "$c" "$name" "$msg"
		else
			printf '  %-7s %s\n' "$name" "$msg"
		fi
	done
}

for t in "$@"; do
	mod=lab_$t
	echo
	echo "== $t: modprobe $mod"
	kmsg_reset
	if ! out=$(modprobe "$mod" 2>&1); then
		echo "  (modprobe failed: $out)"
	fi
	show
	if is_loaded "$mod"; then
		echo "== $t: rmmod $mod"
		kmsg_reset
		rmmod "$mod"
		show
	fi
done
