#!/usr/bin/env bash
# Installs what building and booting the lab needs, and checks it. Idempotent: a second run only checks.
#   scripts/setup.sh            install what is missing (Debian packages, bindgen-cli), print versions
#   scripts/setup.sh --check    install nothing: one line per kind of thing missing or wrong
#                               (the Debian packages, each tool, bindgen-cli), all of them, then
#                               exit 1 if any
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
STAGE=setup

# Debian packages (bookworm and its -updates/-security suites, as this machine's apt lists them).
PACKAGES=(
	rustc-web rust-web-src rust-web-clippy rustfmt-web cargo-web  # rustc 1.96 with its std source
	"clang-$LAB_LLVM_VERSION" "lld-$LAB_LLVM_VERSION"             # LLVM=-22 builds kernel and modules
	"llvm-$LAB_LLVM_VERSION" "libclang-$LAB_LLVM_VERSION-dev"     # (bookworm-security: rustc's LLVM)
	flex bison bc libelf-dev libssl-dev make gcc libc6-dev cpio kmod # kernel build, depmod
	zlib1g-dev                                                    # userspace/labklog (static -lz)
	lz4                                                           # the kernel image's compression
	qemu-system-x86 busybox-static                                # the VM and its userland
	ca-certificates xz-utils python3 shellcheck                   # fetch, unpack, harness, lint
	gnuplot-nox                                                   # make bench's chart
	patch                                                         # make proofs' planted bugs
)

check_only=0
[ "${1:-}" = --check ] && check_only=1

# make runs this before every build (make test T=<topic> too): when nothing it checks has
# changed since a run that found everything there (dpkg's database, the tools, bindgen, these
# scripts: their size, times and inode), that run's lines are the answer. The checks and the
# version probes took 0.1 s of the learner's loop each time.
MEMO=$CACHE/memo/setup
memo_inputs() {
	stat -L -c '%n %s %.9Y %.9Z %i' /var/lib/dpkg/status "$RUSTC" "$RUSTDOC" "$CLIPPY_DRIVER" \
		"/usr/bin/clang$LLVM_SUFFIX" "/usr/bin/ld.lld$LLVM_SUFFIX" "/usr/bin/llvm-objdump$LLVM_SUFFIX" \
		/usr/bin/qemu-system-x86_64 /bin/busybox "$BINDGEN" "$ROOT/scripts/setup.sh" \
		"$ROOT/scripts/lib.sh" "$ROOT/scripts/toolchain.conf" 2>&1
	echo "LLVM=$LLVM"
}
# (Not with a rustc of another kind: a rustup proxy stays the same file when its toolchain changes.)
if [ $check_only = 0 ] && [ "$RUSTC" = "$LAB_RUSTC" ] && memo_get "$MEMO" "$(memo_inputs)"; then
	printf '%s\n' "$MEMO_ANSWER" >&2
	exit 0
fi

# One dpkg-query for all (make runs this before every build: it must cost nothing).
declare -A installed=()
while read -r p; do installed[$p]=1; done < <(dpkg-query -W -f='${Package} ${Status}\n' \
	"${PACKAGES[@]}" 2>/dev/null | awk '/ ok installed$/ { print $1 }')
missing=()
for p in "${PACKAGES[@]}"; do [ -n "${installed[$p]:-}" ] || missing+=("$p"); done
# --check reports every problem before it stops: one run shows all there is to fix.
problems=0
if [ ${#missing[@]} -gt 0 ] && [ $check_only = 1 ]; then
	say "missing Debian packages: ${missing[*]} (install: apt-get install ${missing[*]})"
	problems=$((problems + 1))
elif [ ${#missing[@]} -gt 0 ]; then
	say "installing Debian packages: ${missing[*]}"
	mkdir -p "$BUILD"
	{ as_root apt-get update -q && as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q "${missing[@]}"; } >"$BUILD/apt.log" 2>&1 \
		|| { tail -n 20 "$BUILD/apt.log" >&2; die "apt-get install failed (log: $BUILD/apt.log)"; }
fi

bad=()
for f in "$RUSTC" "$RUSTDOC" "$CLIPPY_DRIVER" "/usr/bin/clang$LLVM_SUFFIX" "/usr/bin/ld.lld$LLVM_SUFFIX" \
	"/usr/bin/llvm-objdump$LLVM_SUFFIX" /usr/bin/qemu-system-x86_64 /bin/busybox; do
	[ -x "$f" ] || bad+=("$f")
done
for f in "${bad[@]}"; do say "missing: $f"; done
problems=$((problems + ${#bad[@]}))
# Installing: bindgen-cli needs the toolchain (cargo, libclang), so missing tools stop it here.
[ $check_only = 1 ] || [ ${#bad[@]} = 0 ] \
	|| die "${#bad[@]} tools missing (install the Debian packages that provide them: apt-get install ${PACKAGES[*]})"

# bindgen-cli from crates.io: Debian 12's bindgen is older than the kernel's minimum (0.71.1).
have_bindgen=$("$BINDGEN" --version 2>/dev/null | awk '{print $2}') || true
if [ "$have_bindgen" != "$BINDGEN_VERSION" ] && [ $check_only = 1 ]; then
	say "bindgen-cli $BINDGEN_VERSION not at $BINDGEN (run: make setup)"
	problems=$((problems + 1))
elif [ "$have_bindgen" != "$BINDGEN_VERSION" ]; then
	cargo=$(command -v cargo || echo /usr/bin/cargo)
	[ -x "$cargo" ] || die "no cargo to build bindgen-cli (install: apt-get install cargo-web)"
	# The figure README's first-run timing measured on a fresh 2-core machine.
	say "installing bindgen-cli $BINDGEN_VERSION into $TOOLS (cargo install --locked, about 5 minutes)"
	"$cargo" install --quiet --locked --root "$TOOLS" bindgen-cli --version "$BINDGEN_VERSION" \
		|| die "cargo install bindgen-cli failed (see above)"
fi

[ "$problems" = 0 ] || die "$problems problems above (make setup installs what is missing)"

versions=("rustc:   $("$RUSTC" --version)" "bindgen: $("$BINDGEN" --version)"
	"clang:   $("clang$LLVM_SUFFIX" --version | head -n1)" "qemu:    $(qemu-system-x86_64 --version | head -n1)")
for v in "${versions[@]}"; do say "$v"; done
[ $check_only = 1 ] || memo_put "$MEMO" "$(memo_inputs)" "${versions[@]/#/[$STAGE] }"
