# shellcheck shell=bash disable=SC2034
# Shared by the host-side scripts: where things live and which tools build the lab kernel.
# The toolchain variables (LLVM, RUSTC, …, BINDGEN) and KDIR/MODULES where scripts read them
# can be overridden from the environment (or `make VAR=…`); the paths below cannot.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROJECT=rust-kmod-lab
CACHE=${LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/$PROJECT}
TOOLS=$ROOT/.tools
# Two flavours of the lab kernel: debug (the default: kernel/debug.config's lockdep,
# atomic-sleep check, KASAN and kmemleak on top of kernel/lab.config, which has fault
# injection) and FAST=1 (kernel/lab.config only). The build paths per flavour (BUILD,
# KERNEL_LINK, MODULES_DIR, CHECKERS_DIR, BENCH_MODULES_DIR, NEW_TOPIC_*) are named in
# paths.conf, for the Makefile and the scripts alike.
FLAVOUR_SUFFIX=${FAST:+-fast}
# shellcheck source=paths.conf
. "$ROOT/scripts/paths.conf"

# The toolchain the lab kernel and its modules are built with (README, "What make installs and
# where things go"), named once in toolchain.conf for the Makefile and the scripts alike.
# shellcheck source=toolchain.conf
. "$ROOT/scripts/toolchain.conf"
LLVM=${LLVM:--$LAB_LLVM_VERSION}
RUSTC=${RUSTC:-$LAB_RUSTC}
RUSTDOC=${RUSTDOC:-$LAB_RUSTDOC}
HOSTRUSTC=${HOSTRUSTC:-$RUSTC}
CLIPPY_DRIVER=${CLIPPY_DRIVER:-$LAB_CLIPPY_DRIVER}
BINDGEN=${BINDGEN:-$TOOLS/bin/bindgen}
BINDGEN_VERSION=$LAB_BINDGEN_VERSION
# LLVM=-22 names clang-22, ld.lld-22, …; LLVM=1 the unsuffixed ones (what the kernel's Makefile does).
case $LLVM in -*) LLVM_SUFFIX=$LLVM ;; *) LLVM_SUFFIX= ;; esac

# The make variables that pick that toolchain, for the kernel and for M= module builds.
kmake_vars() {
	printf '%s\n' "LLVM=$LLVM" "RUSTC=$RUSTC" "RUSTDOC=$RUSTDOC" \
		"HOSTRUSTC=$HOSTRUSTC" "BINDGEN=$BINDGEN" "CLIPPY_DRIVER=$CLIPPY_DRIVER"
}

say() { printf '[%s] %s\n' "${STAGE:-lab}" "$*" >&2; }
die() { printf '[%s] error: %s\n' "${STAGE:-lab}" "$*" >&2; exit 1; }

# Run as root, through sudo when we are not root.
as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"
	elif command -v sudo >/dev/null; then sudo "$@"
	else die "need root for: $* (run as root or install sudo)"
	fi
}

# Seconds since the epoch, for the timings the scripts print.
now() { date +%s; }

# bindgen loads libclang at run time: the one matching the clang the kernel is built with.
export LIBCLANG_PATH=${LIBCLANG_PATH:-/usr/lib/llvm-${LLVM_SUFFIX#-}/lib}

# A memo of a script's answer, for a script make runs before every build (setup.sh, kernel.sh):
# the answer, lines, stored under INPUTS, the identity of what it rests on (stat lines: size,
# times, inode; the variables that matter). Anything in INPUTS changed, and there is no answer.
# memo_get FILE INPUTS: MEMO_ANSWER is the answer stored under INPUTS (status 1: none).
memo_get() {
	local saved
	[ -f "$1" ] || return 1
	saved=$(<"$1")
	[[ $saved == "$2"$'\n@@answer\n'* ]] || return 1
	MEMO_ANSWER=${saved#"$2"$'\n@@answer\n'}
}
# memo_put FILE INPUTS LINE...: stores the answer LINE... under INPUTS.
memo_put() {
	local file=$1 inputs=$2
	shift 2
	mkdir -p "${file%/*}"
	{ printf '%s\n@@answer\n' "$inputs"; printf '%s\n' "$@"; } >"$file.tmp" && mv "$file.tmp" "$file"
}

# The topics, in the order of the top-level Kbuild (the one place that lists them).
topics() { sed -n 's|^obj-m[[:space:]]*+=[[:space:]]*\([a-z0-9_]*\)/[[:space:]]*$|\1|p' "$ROOT/Kbuild"; }

# kmsg_section KMSGLOG RUN: the kernel log records of RUN, between scripts/guest/runs.sh's
# markers (to the end of the log when the run never ended: the VM died or was stopped).
kmsg_section() {
	awk -v b=";lab-run: begin $2" -v e=";lab-run: end $2" \
		'index($0, b) { on = 1; next } index($0, e) { on = 0 } on' "$1"
}
