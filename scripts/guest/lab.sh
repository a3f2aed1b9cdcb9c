# shellcheck shell=sh
# Helpers for the topics' test.sh, inside the lab VM (busybox sh). A test.sh starts with
#   . /lab/lab.sh
# which also brings the kernel's own KTAP helpers (ktap_print_header, ktap_set_plan, …).
# shellcheck source=/dev/null
. /lab/ktap_helpers.sh
# shellcheck source=splat.sh
. /lab/splat.sh

# check DESCRIPTION CMD [ARG]...: one KTAP result line, "ok" when CMD succeeds, "ok … # SKIP"
# when it returns $KSFT_SKIP (4: there was nothing it could test; it says why in a "#" line),
# "not ok" otherwise.
check() {
	_desc=${LAB_EXERCISE:+ex$LAB_EXERCISE: }$1
	shift
	_c_rc=0
	"$@" || _c_rc=$?
	case $_c_rc in
	0) ktap_test_pass "$_desc" ;;
	"$KSFT_SKIP") ktap_test_skip "$_desc" ;;
	*) ktap_test_fail "$_desc" ;;
	esac
}

# exercise N POINTS TITLE: the checks that follow are exercise N's, as the topic's lab sheet (its
# README) numbers them; each result line then starts "exN: ". make grade (scripts/grade) reads
# these lines from test.sh itself, so N, POINTS and TITLE are plain words in the call, and gives
# the POINTS when every check of the exercise passed and the kernel reported nothing meanwhile:
# the "lab: exercise N" record tells it which exercise a kernel report happened in.
# `exercise 0 0 basics`: checks of no exercise (the module loads, unloads …), worth nothing.
exercise() {
	if [ "$1" = 0 ]; then LAB_EXERCISE=; else LAB_EXERCISE=$1; fi
	shift 2
	echo "# exercise ${LAB_EXERCISE:-0}: $*"
	echo "lab: exercise ${LAB_EXERCISE:-0}" >/dev/kmsg
}
LAB_EXERCISE=

# says LEVEL WORDS: a record of $MOD at exactly LEVEL (0 emerg … 7 debug) whose message holds
# WORDS, in any case: what a check asks of a log line when the wording is the student's (the lab
# sheet names the word).
says() { kmsg_grep -qi "$1" "$MOD: .*$2"; }

# tally NAME LEVEL ERE [NAME LEVEL ERE]...: one look at the log (klog, one awk) that
# answers several checks: for each NAME, how many records at LEVEL (0-7) have a message that
# matches ERE from its start, as kmsg_grep -c counts them; with LEVEL followed by i ("6i"), in
# any case, as says matches (ERE then in lowercase). The checks read the counts back with
# tallied. Each ERE is written into awk's program (/…/: busybox awk compiles a regex held in a
# string again for every line it is matched against, 50 times grep's time), so without a "/".
tally() {
	: >/tmp/lab-tally
	# shellcheck disable=SC2016 # awk's program
	_t_p='{ l = tolower($0) }' _t_names=
	while [ $# -ge 3 ]; do
		case $3 in */*) echo "# tally: a / in '$3'"; return 2 ;; esac
		case $2 in
		*i) _t_p="$_t_p l ~ /^<${2%i}>\\[[^]]*\\] ?($3)/ { n[\"$1\"]++ }" ;;
		*) _t_p="$_t_p /^<$2>\\[[^]]*\\] ?($3)/ { n[\"$1\"]++ }" ;;
		esac
		_t_names="$_t_names $1"
		shift 3
	done
	klog /tmp/lab-klog &&
		awk "$_t_p END { n_k = split(\"$_t_names\", k, \" \"); for (i = 1; i <= n_k; i++) print k[i], n[k[i]] + 0 }" /tmp/lab-klog >/tmp/lab-tally
}
# tallied NAME [MIN]: NAME's count at the last tally is in _tv; succeeds when it is at least
# MIN (default 1). (The shell's read of a few lines: no process.)
tallied() {
	_tv=
	while read -r _t_n _t_c; do
		[ "$_t_n" != "$1" ] || { _tv=$_t_c; break; }
	done </tmp/lab-tally
	[ -n "$_tv" ] && [ "$_tv" -ge "${2:-1}" ]
}

# says_all LEVEL WORDS...: says LEVEL WORDS for each WORDS, in one look at the log (a tally, so
# the last tally's counts are replaced): one read of the log and one awk, not a grep each.
# Each WORDS is a regex in lowercase, without a "/" (tally).
says_all() {
	_sa_lv=$1 _sa_n=0
	shift
	for _sa_w; do
		_sa_n=$((_sa_n + 1))
		set -- "$@" "says$_sa_n" "${_sa_lv}i" "$MOD: .*$_sa_w"
	done
	shift $_sa_n
	tally "$@" || return
	while [ $_sa_n -gt 0 ]; do
		tallied "says$_sa_n" || return 1
		_sa_n=$((_sa_n - 1))
	done
}

# not CMD [ARG]...: succeeds when CMD fails.
not() { ! "$@"; }

# bounded SECS CMD [ARG]...: CMD's status, or 124 (and a "# still running" line) when it has
# not ended after SECS seconds; CMD and what it started are then killed and not waited for
# (a process stuck in the kernel cannot die), so a check that hangs in the kernel fails in
# seconds, names itself, and the checks after it still run. busybox's `timeout` runs programs
# only; this also bounds the test's own shell functions (in a subshell: whatever CMD sets in
# variables is lost). The test's shell does not wait for CMD but for the first of two events
# on a FIFO: CMD's subshell says "done" with its status, or one watchdog, a process of its own
# for the whole test, says "timeout" when the SECS it was told have passed without a "disarm"
# (lab_bw_loop). One fork a check, for CMD: each used to have a watchdog of its own, the other
# half of bounded's cost (13 ms a fork on the debug kernel under emulation; chardev has 17
# bounded checks). Events carry the call's number, so a late one of an earlier call is skipped.
# Inside CMD (bounded within bounded) the watchdog is taken: bounded_alone, one of its own.
bounded() {
	if [ -n "${_b_inner:-}" ] || ! lab_bw_ready; then bounded_alone "$@"; return; fi
	_b_secs=$1
	shift
	_b_seq=$((${_b_seq:-0} + 1))
	( _b_inner=1; set +e; "$@"; echo "done $_b_seq $?" >&7 ) 6>&- &
	_b_pid=$!
	echo "arm $_b_seq $_b_secs" >&6
	while read -r _b_ev _b_n _b_rc <&7; do
		[ "$_b_n" = "$_b_seq" ] || continue
		case $_b_ev in
		done)
			echo "disarm $_b_seq" >&6
			# CMD's subshell said done and is leaving: reaped before the next check, so that the
			# descriptors it inherited (a device the test holds open) are closed by then.
			wait $_b_pid 2>/dev/null || :
			return "$_b_rc" ;;
		timeout)
			echo "# still running after ${_b_secs}s, killed: $*"
			kill_tree $_b_pid
			return 124 ;;
		esac
	done
	return 1
}

# lab_bw_ready: the watchdog runs (started at the first bounded): fd 6 to tell it, fd 7 for the
# events, FIFOs unlinked once open. The watchdog reads fd 6's FIFO through a read-only open of
# its own (/proc/PID/fd/6): once the test's shell, and what it left with fd 6, has ended, the
# FIFO has no writer and the watchdog's read ends, and so does it. (So a bare `wait`, for every
# child, would wait for the watchdog too: wait for a PID.)
lab_bw_ready() {
	[ -z "${_bw_pid:-}" ] || return 0
	mkfifo /tmp/lab-bw-ctl.$$ /tmp/lab-bw-ev.$$ || return 1
	exec 6<>/tmp/lab-bw-ctl.$$ 7<>/tmp/lab-bw-ev.$$
	rm -f /tmp/lab-bw-ctl.$$ /tmp/lab-bw-ev.$$
	# (None of the test's other descriptors: a device it holds open would stay open. By exec:
	# redirections of a function call keep a copy of each descriptor they replace, fd 6 too.)
	( exec </proc/$$/fd/6 >/dev/null 2>&1 3>&- 4>&- 5>&- 6>&- 8>&- 9>&-; lab_bw_loop ) &
	_bw_pid=$!
}
# lab_bw_loop: the watchdog, on stdin. Told "arm N SECS", it waits SECS for "disarm N", else says
# "timeout N" on fd 7. Idle, it waits without a timeout: busybox's read -t drops what it has read
# of a line when its time is up, and a line cut so ("arm" lost) would leave a check unbounded.
# shellcheck disable=SC3045 # busybox ash's read has -t
lab_bw_loop() {
	while read -r _w_cmd _w_n _w_secs; do
		[ "$_w_cmd" = arm ] || continue
		while :; do
			if ! read -r -t "$_w_secs" _w_cmd _w_m _; then
				echo "timeout $_w_n" >&7
				break
			fi
			[ "$_w_cmd $_w_m" != "disarm $_w_n" ] || break
		done
	done
}

# bounded_alone SECS CMD [ARG]...: bounded with a watchdog of its own, for bounded inside
# bounded. The shell waits for the watchdog, which naps SECS seconds (lab_nap: no process) and
# exits 124; CMD's end kills it at once, with SIGPIPE, which ash does not report as it does
# SIGTERM ("Terminated", a line in the KTAP). CMD may nest further: its subshell keeps its own
# watchdog's PID apart (_b_mine), which an inner call's _b_dog does not overwrite.
bounded_alone() {
	_b_secs=$1
	shift
	( lab_nap "$_b_secs"; exit 124 ) &
	_b_dog=$!
	( set +e; _b_inner=1 _b_mine=$_b_dog; "$@"; _b_rc=$?; kill -PIPE $_b_mine 2>/dev/null; exit $_b_rc ) &
	_b_pid=$!
	_b_rc=0
	wait $_b_dog || _b_rc=$?
	if [ $_b_rc = 124 ]; then
		echo "# still running after ${_b_secs}s, killed: $*"
		kill_tree $_b_pid
		return 124
	fi
	_b_rc=0
	wait $_b_pid || _b_rc=$?
	return $_b_rc
}

# lab_nap SECONDS: sleeps without a process (a fork costs tens of milliseconds on the debug
# kernel under emulation): a read with a timeout from a FIFO nobody writes. Killed by a signal
# like any process; its nap ends with it.
# shellcheck disable=SC3045 # busybox ash's read has -t
lab_nap() {
	[ -p /tmp/lab-nap ] || mkfifo /tmp/lab-nap 2>/dev/null || [ -p /tmp/lab-nap ]
	read -r -t "$1" _ <>/tmp/lab-nap || true
}

# kill_tree PID: kills PID and every process it started, and theirs: a check killed by bounded
# must not leave writers behind to disturb the next checks. Each is stopped before its children
# are looked for, so none can start another meanwhile.
kill_tree() {
	kill -STOP "$1" 2>/dev/null || return 0
	for _k_stat in /proc/[0-9]*/stat; do
		read -r _k_pid _k_comm _k_state _k_ppid _k_rest 2>/dev/null <"$_k_stat" || continue
		if [ "$_k_ppid" = "$1" ]; then kill_tree "$_k_pid"; fi
	done
	kill -KILL "$1" 2>/dev/null || true
}

# errno_of CMD [ARG]...: runs CMD, its error output caught; _err is then "ok" when CMD
# succeeded, else the end of its first error line after the last ": " (the errno's text, e.g.
# "Invalid argument"). The shell reads the caught line back itself: no $(…) subshell and no
# sed (a process costs tens of milliseconds on the debug kernel under emulation).
errno_of() {
	if "$@" 2>/tmp/lab-err; then _err=ok; return 0; fi
	# (Its own status is 0 either way: what counts is _err.)
	_err=
	{ IFS= read -r _err || :; } </tmp/lab-err
	_err=${_err##*: }
}

# line FILE: _ln is FILE's first line as it is (spaces kept, no newline needed); fails when
# FILE has none. The shell's read, no process: fine for a sysfs, debugfs or /tmp file, not for a
# sysctl one (a read a byte at a time gets its first byte only).
line() { _ln=; { IFS= read -r _ln || [ -n "$_ln" ]; } <"$1"; }

# put FILE TEXT: writes "TEXT\n" to FILE, as echo does, with the shell's own echo: no process.
# (errno_of put FILE TEXT: the errno of the open or of the write, e.g. "Invalid argument".)
put() { echo "$2" >"$1"; }

# modprobe, insmod, rmmod: the commands' system calls (finit_module(2), init_module(2) when that
# failed, delete_module(2): as busybox's do) made by labcall (userspace/labcall.c), a process the
# test's shell starts at its first call and keeps: a process costs about 30 ms on the debug
# kernel under emulation, as much as the kernel's work for a load, and a test loads dozens of
# times. The same parameters string, exit status and error line ("modprobe: can't load module
# …: Invalid argument") as busybox's command, and its name in a kernel report ("Comm: insmod");
# what labcall does not take (an option, a call from a subshell: lab_call) runs the command.
modprobe() { lab_cmd modprobe "$@"; }
insmod() { lab_cmd insmod "$@"; }
rmmod() { lab_cmd rmmod "$@"; }
lab_cmd() {
	_lc_rc=0
	lab_call "$@" || _lc_rc=$?
	[ "$_lc_took" = no ] || return "$_lc_rc"
	command "$@"
}

# lab_call REQUEST...: REQUEST (see userspace/labcall.c) made by labcall; its status, with its
# error line on stderr as "WORD: MESSAGE". _lc_took is then "yes", or "no" when labcall did not
# take it: a request it does not take (a word with a space in it, a line of 4000 bytes or more),
# no labcall, or a call from a subshell (bounded's, a $(…), a writer in the background), which
# must not share labcall's FIFOs with the test's shell: the command is then its own process. A
# labcall killed during a request (by an oops in the call) is status 137, and the commands run
# as their own processes from then on.
# shellcheck disable=SC3045 # busybox ash's read has -n and -t
lab_call() {
	_lc_took=no
	read -r -n 12 _lc_self </proc/self/stat
	[ "${_lc_self%% *}" = $$ ] || return 1
	for _lc_w; do
		case $_lc_w in *" "* | *"	"* | *"
"*) return 1 ;; esac
	done
	_lc_req=$*
	[ ${#_lc_req} -lt 4000 ] || return 1
	case ${_lc_on:-} in
	yes) ;;
	no) return 1 ;;
	*)
		_lc_on=no
		command -v labcall >/dev/null || return 1
		# Not a child of the test's shell: a bare `wait` there (for every child) would wait
		# for it too, and it ends only with the shell.
		(labcall /tmp/lab-call-in.$$ /tmp/lab-call-out.$$ /tmp/lab-call-reply.$$ &
			echo $! >/tmp/lab-call-pid.$$)
		line /tmp/lab-call-pid.$$ || return 1
		_lc_pid=$_ln
		# labcall makes the FIFOs (no mkfifo process), the request one last; opened here
		# read-write, so that neither open waits, then it removes them.
		_lc_n=0
		until [ -p /tmp/lab-call-in.$$ ]; do
			_lc_n=$((_lc_n + 1))
			[ $_lc_n -le 1000 ] || { echo "# labcall did not start"; return 1; }
			lab_nap 0.005
		done
		exec 5<>/tmp/lab-call-in.$$ 8<>/tmp/lab-call-out.$$
		_lc_on=yes ;;
	esac
	_lc_took=yes
	echo "$_lc_req" >&5
	# The reply is a line in a file, announced by a byte on the FIFO: a line read from the FIFO
	# (a byte a system call) could lose its start to a signal or to the timeout. The shell
	# holds the FIFO open for writing too, so there is no end of input if labcall dies: every
	# 5 s without a reply, a look at whether it still lives.
	while ! read -r -t 5 -n 1 _ <&8; do
		{ read -r _ _ _lc_st _ <"/proc/$_lc_pid/stat"; } 2>/dev/null && [ "$_lc_st" != Z ] && continue
		echo "# labcall died during: $*"
		exec 5>&- 8<&-
		_lc_on=no
		return 137
	done
	_lc_rc='' _lc_msg=''
	{ read -r _lc_rc _lc_msg || :; } </tmp/lab-call-reply.$$
	case $_lc_rc in
	0) return 0 ;;
	-) _lc_took=no; return 1 ;;
	'' | *[!0-9]*)
		echo "# labcall's reply to '$*': '$_lc_rc $_lc_msg'"
		return 1 ;;
	esac
	echo "$1: $_lc_msg" >&2
	return "$_lc_rc"
}

# klog [-c] FILE: the kernel log since the last clear into FILE (an absolute path), as dmesg -r
# prints it; -c: and clear it (dmesg -r -c). By labcall when it can (lab_call): no process.
klog() {
	_lc_rc=0
	lab_call klog "$@" || _lc_rc=$?
	[ "$_lc_took" = no ] || return "$_lc_rc"
	if [ "$1" = -c ]; then dmesg -r -c >"$2"; else dmesg -r >"$1"; fi
}

# kmsg_reset: forget earlier kernel messages, so the kmsg_* helpers see only what follows.
kmsg_reset() { klog -c /dev/null; }

# kmsg: the kernel messages since kmsg_reset, one record a line as "LEVEL MESSAGE",
# LEVEL being the record's priority (0 emerg … 7 debug) as /dev/kmsg and `dmesg -r` give it.
kmsg() { klog /tmp/lab-klog && sed -n 's/^<\([0-7]\)>\[[^]]*\] \{0,1\}/\1 /p' /tmp/lab-klog; }

# kmsg_grep GREP-OPTION LEVEL REGEX: grep -E with that option (-q, -c, -qi …) over the records
# at LEVEL (0-7, or [0-7]: any) whose message matches REGEX from its start, as kmsg | grep would
# see them, in fewer processes: the "<LEVEL>[time] message" lines of dmesg -r, read by grep from
# klog's file. (A process costs tens of milliseconds on the debug kernel under emulation, and
# checks call these dozens of times.)
kmsg_grep() { klog /tmp/lab-klog && grep -E "$1" "^<$2>\[[^]]*\] ?($3)" /tmp/lab-klog; }

# kmsg_at LEVEL REGEX: a record at exactly LEVEL whose message matches REGEX (grep -E).
kmsg_at() { kmsg_grep -q "$1" "$2"; }

# kmsg_count REGEX: how many records match REGEX, whatever their level.
kmsg_count() { kmsg_grep -c '[0-7]' "$1" || true; }

# ko_of MODULE: _ko is the path of MODULE's .ko among the lab's modules (modinfo -F filename's
# answer, by a glob of the one kernel's directory: no process).
ko_of() { for _ko in /lib/modules/*/extra/"$1".ko; do :; done; }

# is_loaded MODULE: MODULE is in /proc/modules (what lsmod reads). (Builtins only: no process.)
is_loaded() {
	while read -r _il_name _il_rest; do [ "$_il_name" != "$1" ] || return 0; done </proc/modules
	return 1
}

# load_err MODULE [PARAM=VALUE]...: loads MODULE expecting failure; _err is then modprobe's
# error text (e.g. "Invalid argument"), or "loaded" when it did load.
load_err() {
	errno_of modprobe "$@"
	[ "$_err" != ok ] || _err=loaded
}

# kmemleak, in the debug lab kernel only (FAST=1's plain kernel has none).
KMEMLEAK=/sys/kernel/debug/kmemleak
# has_kmemleak: kmemleak is in the kernel and on. Booted with kmemleak=off, its file is still
# there but refuses every command with EPERM; an unknown one gets EINVAL only when it is on.
# Asked once per shell.
has_kmemleak() {
	if [ -z "${_hk_on:-}" ]; then
		_hk_on=no
		if [ -w $KMEMLEAK ] && errno_of put $KMEMLEAK lab-probe && [ "$_err" = "Invalid argument" ]; then
			_hk_on=yes
		fi
	fi
	[ "$_hk_on" = yes ]
}
kmemleak_clear() { if has_kmemleak; then echo clear >$KMEMLEAK; fi; }
# kmemleak_start, then kmemleak_finish: how many unreferenced objects kmemleak reports (in
# _kf_n), for what was allocated before kmemleak_start. An object is reported by a scan that
# starts 5 s or more after its allocation (MSECS_MIN_AGE) and finds it unreferenced and
# unchanged since the scan before: kmemleak_start scans at once (which a leak is too young for,
# seen here: 0 found), and kmemleak_finish scans again once 6 s have passed since
# kmemleak_start. An object allocated after the first scan cannot be reported by the second (its
# checksum is new to it), so whatever runs in between is not counted, and its seconds count
# toward the wait: stress.sh runs its fault sweep and bad inputs there. The scans take seconds
# each under emulation: the first one's time is the wait's too. Call has_kmemleak first.
kmemleak_start() {
	_kf_t0=$(uptime_cs)
	echo scan >$KMEMLEAK
}
kmemleak_finish() {
	_kf_left=$((600 - $(uptime_cs) + _kf_t0))
	[ $_kf_left -le 0 ] || sleep "$((_kf_left / 100)).$((_kf_left % 100 / 10))$((_kf_left % 10))"
	_kf_last=$(uptime_cs)
	echo scan >$KMEMLEAK
	_kf_n=$(grep -c '^unreferenced object' $KMEMLEAK) || true
	_kf_t0= # the mark is used up: the next count starts with a scan of its own
}
# kmemleak_found: both at once, printed: the objects allocated before the call.
kmemleak_found() { kmemleak_start; kmemleak_finish; echo "$_kf_n"; }
# uptime_cs: the time since boot, in hundredths of a second.
uptime_cs() { read -r _u_s _ </proc/uptime; echo "${_u_s%.*}${_u_s#*.}"; }
# check_no_leaks DESC: one KTAP result: ok when kmemleak reports no unreferenced object (the
# first reports are shown), not ok when it does, SKIP when the kernel has no kmemleak: "found
# 0" would then be a pass that proved nothing. What counts was allocated before the call, or
# before the scan of a leak_mark or leak_mark_last that came first (the wait then overlaps what
# ran in between).
check_no_leaks() {
	if ! has_kmemleak; then
		ktap_test_skip "$1: no kmemleak in this kernel (FAST=1), or it is off"
		return 0
	fi
	[ -n "${_kf_t0:-}" ] || kmemleak_start
	kmemleak_finish
	if [ "$_kf_n" != 0 ]; then head -n 40 $KMEMLEAK | sed 's/^/# /'; fi
	check "$1 (found $_kf_n)" [ "$_kf_n" = 0 ]
}
# leak_mark: the next check_no_leaks counts what was allocated until now, not later.
leak_mark() { if has_kmemleak; then kmemleak_start; fi; }
# leak_mark_last: right after a check_no_leaks, with nothing run since: the next one counts what
# was allocated before that check's last scan, which serves as its first (one scan fewer).
leak_mark_last() { _kf_t0=${_kf_last:-}; }

# parmtypes MODULE: "name:type" for each of MODULE's parameters, read from the .ko itself:
# busybox modinfo skips the first entry of the .modinfo section, which may be one of them.
parmtypes() {
	tr '\0' '\n' <"$(modinfo -F filename "$1")" | grep -ao 'parmtype=[A-Za-z0-9_]*:[A-Za-z0-9_]*' |
		sed 's/^parmtype=//' | sort -u
}
