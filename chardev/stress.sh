# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# chardev's own stress checks (make stress T=chardev). scripts/guest/stress.sh finds this
# file by name, sources it and calls topic_stress after its generic checks (topic_stress_plan:
# how many); they use its check, reports and CONC_SECONDS, and add to its bad and concurrent
# counts.
#
# Bad input through /dev/lab_chardev, one call each by chardev_stress
# (userspace/chardev_stress.c), which prints what the call returned (a count or an errno name) and
# adds "counters: …" when LAB_CHARDEV_STATS moved by anything but that call's bytes; every call
# counts as one bad input. Then N = 2, 4, 8 processes at once (chardev_stress hammer).
CD=/dev/lab_chardev
CD_FULL=/tmp/chardev.full
topic_stress_plan() { echo 16; }
topic_stress() {
	check "lab_chardev loads, $CD is a char device" chardev_load
	check "a 0-byte write returns 0 and empties the content (a write replaces it all)" \
		chardev_calls 0 'write 0' -- chardev_holds /dev/null
	check "a write of exactly 4096 bytes returns 4096 and reads back byte for byte" \
		chardev_calls 4096 "write 4096 $CD_FULL" -- chardev_holds $CD_FULL
	check "writes of 4097 bytes, 1 MiB and a 4000+97-byte writev: EFBIG, content unchanged" \
		chardev_calls EFBIG 'write 4097 /dev/urandom' EFBIG 'write 1048576 /dev/urandom' \
		EFBIG 'writev 4000 97' -- chardev_holds $CD_FULL
	check "pread at 4096, 5000, 1<<40, 1<<62: 0 bytes (4095: 1)" \
		chardev_calls 1 'pread 4095' 0 'pread 4096' 0 'pread 5000' 0 'pread 1099511627776' \
		0 'pread 4611686018427387904' --
	check "pread at -1 and 2^63-1 (offset + count overflows): EINVAL; lseek: ESPIPE (no llseek)" \
		chardev_calls EINVAL 'pread -1' EINVAL 'pread 9223372036854775807' ESPIPE 'lseek 5000' --
	check "unknown ioctls (neighbours, wrong direction or size, other type letters): ENOTTY" \
		chardev_badcmds
	check "LAB_CHARDEV_STATS to address 1, NULL, a kernel address, across an unmapped page: EFAULT" \
		chardev_calls EFAULT 'badptr low' EFAULT 'badptr null' EFAULT 'badptr kernel' \
		EFAULT 'badptr edge' --
	check "write from address 1, NULL, a kernel address, across an unmapped page: EFAULT, unchanged" \
		chardev_calls EFAULT 'badwrite low' EFAULT 'badwrite null' EFAULT 'badwrite kernel' \
		EFAULT 'badwrite edge' -- chardev_holds $CD_FULL
	check "read into a kernel address: EFAULT (the VFS's access_ok)" \
		chardev_calls EFAULT 'badread kernel' --
	check "read into address 1 and NULL: EFAULT, not a 0-byte end of file" chardev_badread
	check "no kernel report after the bad input" [ "$(reports)" = 0 ]
	for _n in 2 4 8; do
		check "$_n processes open/write/read, a stats reader, ${CONC_SECONDS}s: counters exact, none torn" \
			chardev_hammer $_n
	done
	check "rmmod after the hammering succeeds, the node is gone" chardev_unload
}
chardev_load() {
	modprobe lab_chardev && [ -c $CD ] && head -c 4096 /dev/urandom >$CD_FULL
}
# chardev_calls [WANT 'ARGS']... -- [CMD...]: each chardev_stress ARGS prints WANT; then CMD.
chardev_calls() {
	_ok=0
	while [ $# -ge 2 ] && [ "$1" != -- ]; do
		bad=$((bad + 1))
		# shellcheck disable=SC2086 # ARGS is split on purpose
		_got=$(chardev_stress $2 2>&1) || true
		if [ "$_got" != "$1" ]; then echo "# chardev_stress $2: got '$_got', want '$1'"; _ok=1; fi
		shift 2
	done
	[ $# = 0 ] || shift
	[ $_ok = 0 ] && { [ $# = 0 ] || "$@"; }
}
# chardev_holds FILE: the content is FILE's, byte for byte.
chardev_holds() {
	cat $CD >/tmp/chardev.now
	cmp -s /tmp/chardev.now "$1" && return 0
	echo "# content: $(wc -c </tmp/chardev.now) bytes, not those of $1"
	return 1
}
chardev_badcmds() {
	_ok=0
	_out=$(chardev_stress badcmd all 2>&1) || _ok=1
	bad=$((bad + $(echo "$_out" | wc -l)))
	echo "$_out" | grep -v ': ENOTTY$' | sed 's/^/# /' || true
	echo "# $(echo "$_out" | grep -c ': ENOTTY$') ioctl numbers gave ENOTTY"
	return $_ok
}
# read(2) into address 1 or NULL: the VFS lets both through (user addresses), and
# simple_read_from_buffer in rust/kernel/iov.rs returns what it copied, 0; lab_chardev turns
# that into EFAULT, or a reader would take it for the end of the file.
chardev_badread() {
	bad=$((bad + 2))
	_r="$(chardev_stress badread low 2>&1 || true) $(chardev_stress badread null 2>&1 || true)"
	[ "$_r" = "EFAULT EFAULT" ] || { echo "# got: $_r"; return 1; }
}
# chardev_hammer N: chardev_stress hammer exits 0 only if the counters equal the processes' sums.
chardev_hammer() {
	_ok=0
	_out=$(chardev_stress hammer "$1" "$CONC_SECONDS" 2>&1) || _ok=1
	echo "$_out" | sed 's/^/# /'
	_ops=$(echo "$_out" | sed -n 's/.* ops=\([0-9]*\) .*/\1/p')
	concurrent=$((concurrent + ${_ops:-0}))
	return $_ok
}
chardev_unload() { rmmod lab_chardev && not is_loaded lab_chardev && not test -e $CD; }
