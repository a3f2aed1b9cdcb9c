# shellcheck shell=sh
# The kernel console, as the guest can see it (busybox sh). ttyS0 is the console: on the host
# it is a file (scripts/vm). The host sends back, on ttyS3, what ttyS0 printed between a line
# "@@lab-console begin TAG" and a line "@@lab-console end TAG"; the guest writes those lines
# straight to ttyS0, past printk, so they mark a window of the console stream itself:
#   console_begin; modprobe lab_printing; console_end >lines   # what reached the console
# console_mark TEXT alone is what make loglevels uses (it reads the console log on the host).
# Source lab.sh first (its lab_nap).
CONSOLE_TTY=/dev/ttyS0
CONSOLE_BACK=/dev/ttyS3

# console_idle: returns once the console has printed, or skipped by level, every record logged
# so far. The 8250 console of Linux 7.3 is an nbcon console: after boot its own kthread,
# pr/ttyS0, prints the records, not the printk caller; printk wakes it through a lazy irq_work
# (at the next tick, 4 ms at HZ=250), and it sleeps (state S) only when no record is left. So:
# let five ticks pass, then wait until the thread sleeps, twice in a row, 10 ms apart. Without
# that thread (a legacy console, or before the kthreads start) printk prints in the caller:
# idle at once.
# Builtins only (a fork costs tens of ms on the debug kernel under TCG): the naps are lab.sh's
# lab_nap.
console_idle() {
	if [ -z "${_ci_pid:-}" ]; then
		_ci_pid=none
		for _ci_f in /proc/[0-9]*/comm; do
			read -r _ci_comm <"$_ci_f" || continue
			[ "$_ci_comm" != pr/ttyS0 ] || { _ci_pid=${_ci_f#/proc/}; _ci_pid=${_ci_pid%/comm}; break; }
		done
	fi
	[ "$_ci_pid" != none ] || return 0
	lab_nap 0.02
	_ci_n=0 _ci_asleep=0
	while :; do
		read -r _ _ _ci_state _ <"/proc/$_ci_pid/stat"
		if [ "$_ci_state" = S ]; then _ci_asleep=$((_ci_asleep + 1)); else _ci_asleep=0; fi
		[ $_ci_asleep -lt 2 ] || return 0
		_ci_n=$((_ci_n + 1))
		[ $_ci_n -lt 3000 ] || { echo "# console_idle: pr/ttyS0 still busy after 3000 looks"; return 1; }
		lab_nap 0.01
	done
}

# console_mark TEXT: TEXT as a line of its own on the console, after every record logged so far.
console_mark() {
	console_idle
	echo "$1" >$CONSOLE_TTY
}

# console_begin: opens the read-back port and marks the start of a window.
console_begin() {
	[ -c $CONSOLE_BACK ] || { echo "# no $CONSOLE_BACK: the VM does not read the console back"; return 1; }
	# Open before the window starts (an 8250 drops its FIFO when first opened). Raw, no echo;
	# min 0 time 250: a read that has waited 25 s for a first byte returns none (console_end's
	# bound). The port keeps its settings from one open to the next: set once.
	exec 9<$CONSOLE_BACK
	[ -n "${_cb_raw:-}" ] || stty -F $CONSOLE_BACK raw -echo min 0 time 250
	_cb_raw=1
	read -r _cb_tag </proc/sys/kernel/random/uuid
	console_mark "@@lab-console begin $_cb_tag"
}

# console_end: marks the end of the window, prints the console lines written inside it
# (without the \r the console adds). Fails when the host sent nothing back for 25 s. (One awk
# reads the window: the shell's read takes a byte a syscall, 0.3 s for a 4 KB window, and sed
# reads a line ahead, so it would wait for one after the end. The port's time 250 ends a read
# that waited 25 s, and with it awk's input.)
console_end() {
	console_mark "@@lab-console end $_cb_tag"
	_ce_rc=0
	# shellcheck disable=SC2016 # awk's program
	awk -v tag="$_cb_tag" '
		{ sub(/\r$/, "") }
		index($0, "@@lab-console begin " tag) { on = 1; next }
		index($0, "@@lab-console end " tag) { if (on) { ended = 1; exit } next }
		on { print }
		END { if (!ended) { print "# console_end: the end marker did not come back within 25 s"; exit 1 } }' <&9 ||
		_ce_rc=$?
	exec 9<&-
	return $_ce_rc
}
