#!/usr/bin/env bash
# The lab kernel: fetches Debian's linux-source-7.3 (first time), applies kernel/patches/ to a
# copy of it, configures it (tinyconfig + kernel/lab.config + kernel/debug.config) and builds it
# out of tree into the cache, keyed by kernel version, patches, fragments and toolchain. Links
# build/kernel to the result, which is the Makefile's default KDIR.
#   KSRC=/path/to/linux scripts/kernel.sh   use that source tree instead of Debian's, unpatched
#   REFRESH=1                               look for a newer 7.3.x now (otherwise once a day)
#   FAST=1                                  the plain flavour: without kernel/debug.config's
#                                           checkers (KASAN, kmemleak), linked as build/kernel-fast
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
STAGE=kernel
FRAGMENTS=("$ROOT/kernel/lab.config")
[ -n "${FAST:-}" ] || FRAGMENTS+=("$ROOT/kernel/debug.config")
LINK=$KERNEL_LINK
SUITE=trixie-backports
PACKAGE=linux-source-7.3
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

mkdir -p "$CACHE" "$BUILD"
# One lock for fetching the source, one per kernel build: a build of one configuration does not
# hold up users of another, already cached one.
exec 9>"$CACHE/src.lock"
flock 9 || die "cannot lock $CACHE/src.lock"

# --- source ---------------------------------------------------------------------------------
# A project-local apt: own sources list and state, the system's configuration untouched.
# apt still checks the suite's signature against Debian's archive keyring.
APT=$CACHE/apt
APT_OPTS=(-o "Dir::Etc::sourcelist=$APT/sources.list" -o Dir::Etc::sourceparts=/dev/null
	-o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache" -o Dir::State::status=/dev/null
	-o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")

# --- the answer of the last run, when nothing it read has changed ------------------------------
# make runs this before every build, make test T=<topic> too: the version probes below (make
# kernelversion, rustc, clang, ld.lld, bindgen) took 0.15 s of the learner's loop each time. A run
# that found its kernel cached leaves its answer in $MEMO, with the identity (size, times, inode)
# of everything that answer depends on: the toolchain's binaries, the fragments, the patches, the
# source's Makefile (the kernel version: a KSRC= tree's too), these scripts, apt's lists' stamp,
# and the variables that pick them. Same identity, the kernel still in the cache, the lists not
# due for their daily look: the same answer.
MEMO=$CACHE/memo/kernel${FAST:+-fast}
KSRC_GIVEN=${KSRC:-}
memo_inputs() {
	stat -L -c '%n %s %.9Y %.9Z %i' "$APT/lists/.updated" "$RUSTC" "/usr/bin/clang$LLVM_SUFFIX" \
		"/usr/bin/ld.lld$LLVM_SUFFIX" "$BINDGEN" "${FRAGMENTS[@]}" "$ROOT"/kernel/patches/*.patch \
		"$ROOT/scripts/kernel.sh" "$ROOT/scripts/lib.sh" "$ROOT/scripts/toolchain.conf" \
		"$CACHE"/src/*/Makefile ${KSRC_GIVEN:+"$KSRC_GIVEN/Makefile"} 2>&1
	echo "LLVM=$LLVM LIBCLANG_PATH=$LIBCLANG_PATH KSRC=$KSRC_GIVEN DEBIAN_MIRROR=${DEBIAN_MIRROR:-}"
}
memo_answer() {
	# Not with a rustc of another kind: a rustup proxy stays the same file when its toolchain
	# changes.
	[ -z "${REFRESH:-}" ] && [ "$RUSTC" = "$LAB_RUSTC" ] || return 1
	local inputs stamp_time now
	inputs=$(memo_inputs)
	memo_get "$MEMO" "$inputs" || return 1
	# The lists' stamp (with KSRC= there may be none: stat's complaint, no time).
	read -r _ _ stamp_time _ <<<"$inputs"
	stamp_time=${stamp_time%.*}
	case $stamp_time in '' | *[!0-9]*) [ -n "$KSRC_GIVEN" ] || return 1; stamp_time=0 ;; esac
	printf -v now '%(%s)T' -1
	[ -n "$KSRC_GIVEN" ] || [ $((now - stamp_time)) -lt 86400 ] || return 1
	# The answer: the kernel's directory, then what the run said.
	OUT=${MEMO_ANSWER%%$'\n'*}
	[ -e "$OUT/.lab-ready" ] || return 1
	printf '%s\n' "${MEMO_ANSWER#*$'\n'}" >&2
}

# Modules built against another kernel must not survive a switch of kernel.
link_kernel() {
	if [ "$(readlink "$LINK" 2>/dev/null)" != "$OUT" ]; then
		rm -rf "$MODULES_DIR" "$CHECKERS_DIR" "$BENCH_MODULES_DIR" "$NEW_TOPIC_MODULES"
		ln -sfn "$OUT" "$LINK"
	fi
}

if memo_answer; then
	link_kernel
	exit 0
fi

debian_mirror() {
	# The Debian mirror this machine already uses, so that nothing new has to be allowed.
	[ -n "${DEBIAN_MIRROR:-}" ] && { echo "$DEBIAN_MIRROR"; return; }
	# shellcheck disable=SC2016 # $(REPO_URI) is apt's format, not the shell's
	apt-get indextargets --format '$(REPO_URI)' 2>/dev/null | grep -E '/debian/?$' | head -n1
}

fetch_debian_source() {
	mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/debs" "$CACHE/src"
	local stamp=$APT/lists/.updated mirror
	if [ -n "${REFRESH:-}" ] || [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ] || [ ! -s "$APT/sources.list" ]; then
		# The mirror is looked up only here: apt-get indextargets takes 0.4 s, a third of what
		# make test T=<topic> spends before kbuild when nothing changed.
		mirror=$(debian_mirror)
		[ -n "$mirror" ] || die "no Debian mirror in this machine's apt sources; set DEBIAN_MIRROR=<uri of a Debian mirror>"
		[ -r "$KEYRING" ] || die "$KEYRING missing (install: apt-get install debian-archive-keyring)"
		echo "deb [signed-by=$KEYRING] $mirror $SUITE main" >"$APT/sources.list"
		say "looking up $PACKAGE in Debian $SUITE"
		if apt-get "${APT_OPTS[@]}" -q update >"$APT/update.log" 2>&1; then
			touch "$stamp"
		elif ls "$CACHE"/src/*/.unpacked >/dev/null 2>&1; then
			say "warning: apt-get update failed (log: $APT/update.log); using the source already cached"
		else
			tail -n 5 "$APT/update.log" >&2
			die "apt-get update of $SUITE failed (log: $APT/update.log)"
		fi
	fi

	local ver
	ver=$(apt-cache "${APT_OPTS[@]}" policy "$PACKAGE" 2>/dev/null | awk '/Candidate:/ {print $2}')
	if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
		# Offline with lists gone: the newest source already unpacked.
		ver=$(find "$CACHE/src" -mindepth 2 -maxdepth 2 -name .unpacked -printf '%h\n' 2>/dev/null \
			| sed 's|.*/linux-source-||' | sort -V | tail -n1)
		[ -n "$ver" ] || die "$PACKAGE not found in $SUITE (log: $APT/update.log)"
	fi
	KSRC=$CACHE/src/linux-source-$ver
	KLABEL="Debian $PACKAGE $ver"
	if [ ! -e "$KSRC/.unpacked" ]; then
		say "downloading $PACKAGE $ver (167 MB) and unpacking it (about 1 minute)"
		rm -rf "$KSRC" "$KSRC.tmp" && mkdir -p "$KSRC.tmp"
		(cd "$APT/debs" && apt-get "${APT_OPTS[@]}" -q download "$PACKAGE=$ver" >"$APT/download.log" 2>&1) \
			|| { tail -n 5 "$APT/download.log" >&2; die "apt-get download $PACKAGE=$ver failed"; }
		local deb=$APT/debs/${PACKAGE}_${ver/:/%3a}_all.deb
		[ -f "$deb" ] || die "apt-get download gave no $deb"
		dpkg-deb -x "$deb" "$KSRC.tmp/deb"
		tar -xf "$KSRC.tmp/deb/usr/src/$PACKAGE".tar.* -C "$KSRC.tmp" --strip-components=1
		rm -rf "$KSRC.tmp/deb" "$deb"
		mv "$KSRC.tmp" "$KSRC"
		touch "$KSRC/.unpacked"
	fi
}

# kernel/patches/*.patch, in name order, on a copy of Debian's source made of hard links (cp -al:
# seconds, no space): each file a patch changes first gets an inode of its own, so the source as
# Debian ships it stays untouched beside it. They make the debug kernel quicker, not different
# in what it checks (each says why). A KSRC= tree is built as it is.
patch_source() {
	local patches=("$ROOT"/kernel/patches/*.patch) p f
	[ -e "${patches[0]}" ] || return 0
	PATCHKEY=$(cat "${patches[@]}" | sha256sum | cut -c1-12)
	local dst=$KSRC-lab-$PATCHKEY
	if [ ! -e "$dst/.patched" ]; then
		say "patching a copy of the source: ${patches[*]#"$ROOT/"}"
		rm -rf "$dst" "$dst.tmp"
		cp -al "$KSRC" "$dst.tmp"
		for p in "${patches[@]}"; do
			sed -n 's|^+++ b/||p' "$p" | while read -r f; do
				cp -p "$dst.tmp/$f" "$dst.tmp/$f.lab" && mv "$dst.tmp/$f.lab" "$dst.tmp/$f"
			done
			patch -s -p1 -d "$dst.tmp" <"$p" || die "${p#"$ROOT/"} does not apply to $KLABEL"
		done
		touch "$dst.tmp/.patched"
		mv "$dst.tmp" "$dst"
	fi
	KSRC=$dst
	KLABEL="$KLABEL + kernel/patches ($PATCHKEY)"
}

PATCHKEY=
if [ -n "${KSRC:-}" ]; then
	{ [ -f "$KSRC/Makefile" ] && [ -d "$KSRC/rust" ]; } || die "KSRC=$KSRC is not a kernel source tree with Rust support"
	KSRC=$(cd "$KSRC" && pwd)
	KLABEL="$KSRC"
else
	fetch_debian_source
	patch_source
fi
exec 9>&-
KVERSION=$(make -s -C "$KSRC" kernelversion 2>/dev/null)
say "source: $KLABEL (Linux $KVERSION) in $KSRC"

mapfile -t KMAKE_VARS < <(kmake_vars)
# Started by make kernel (not as a `+` recipe): the kernel build takes every core itself, so the
# calling make's jobserver, whose pipe is not passed down, goes from the flags its makes inherit.
MAKEFLAGS=$(printf '%s' "${MAKEFLAGS:-}" | sed -E 's/(^| )-j[0-9]*//g; s/ ?--jobserver-(auth|fds)=[^ ]*//g')
kmake() { make -C "$KSRC" O="$OUT" "${KMAKE_VARS[@]}" "$@"; }

# --- cache key ------------------------------------------------------------------------------
# The toolchain actually used: LLVM= picks clang and ld.lld, LIBCLANG_PATH bindgen's libclang.
toolchain=$("$RUSTC" --version; "clang$LLVM_SUFFIX" --version | head -n1; "ld.lld$LLVM_SUFFIX" --version
	"$BINDGEN" --version; echo "LLVM=$LLVM LIBCLANG_PATH=$LIBCLANG_PATH")
# The options asked for, sorted: comments and moving an option between fragments change nothing.
options=$(cat "${FRAGMENTS[@]}" | grep -E '^(CONFIG_|# CONFIG_.* is not set)' | sort)
KEY=$(printf '%s\n' "$KLABEL" "$KVERSION" "$toolchain" "$options" | sha256sum | cut -c1-12)
FRAGNAMES=${FRAGMENTS[*]#"$ROOT/"}
OUT=$CACHE/build/$KVERSION-$KEY
mkdir -p "$CACHE/build"
exec 9>"$OUT.lock"
flock 9 || die "cannot lock $OUT.lock"

if [ -e "$OUT/.lab-ready" ]; then
	say "cached: $OUT (key $KEY: kernel version${PATCHKEY:+ + kernel/patches} + ${FRAGNAMES// / + } + toolchain)"
	link_kernel
	memo_put "$MEMO" "$(memo_inputs)" "$OUT" "[$STAGE] source: $KLABEL (Linux $KVERSION) in $KSRC" \
		"[$STAGE] cached: $OUT (key $KEY: kernel version${PATCHKEY:+ + kernel/patches} + ${FRAGNAMES// / + } + toolchain)"
	exit 0
fi

# --- toolchain check ------------------------------------------------------------------------
mkdir -p "$OUT"
kmake -s rustavailable >"$OUT/rustavailable.log" 2>&1 \
	|| { cat "$OUT/rustavailable.log" >&2; die "the kernel's 'make rustavailable' check failed (see above; run: make setup)"; }
say "$(tail -n1 "$OUT/rustavailable.log")"

# --- configuration --------------------------------------------------------------------------
say "configuring: tinyconfig + ${FRAGNAMES// / + } (merge_config.sh)"
kmake -s tinyconfig >"$OUT/config.log" 2>&1 || { cat "$OUT/config.log" >&2; die "make tinyconfig failed"; }
"$KSRC/scripts/kconfig/merge_config.sh" -m -O "$OUT" "$OUT/.config" "${FRAGMENTS[@]}" >>"$OUT/config.log" 2>&1 \
	|| { cat "$OUT/config.log" >&2; die "merge_config.sh failed"; }
kmake -s olddefconfig >>"$OUT/config.log" 2>&1 || { cat "$OUT/config.log" >&2; die "make olddefconfig failed"; }

# Kconfig silently drops what it cannot satisfy: every option the fragment asks for must be there.
# An option named in two fragments counts as the later one asks, as merge_config.sh sets it
# (debug.config turns lab.config's ORC unwinder off for frame pointers).
declare -A asked=()
order=() dropped=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) opt=${line%%=*} ;;
	"# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *} ;;
	*) continue ;;
	esac
	[ -n "${asked[$opt]+set}" ] || order+=("$opt")
	asked[$opt]=$line
done < <(cat "${FRAGMENTS[@]}")
for opt in "${order[@]}"; do
	line=${asked[$opt]}
	case $line in
	CONFIG_*=*)
		grep -qxF "$line" "$OUT/.config" || dropped+=("$line (got: $(grep -E "^(# )?${opt}[= ]" "$OUT/.config" || echo unset))") ;;
	*)
		! grep -q "^$opt=" "$OUT/.config" || dropped+=("$line (got: $(grep "^$opt=" "$OUT/.config"))") ;;
	esac
done
if [ ${#dropped[@]} -gt 0 ]; then
	for d in "${dropped[@]}"; do say "Kconfig dropped: $d"; done
	rm -f "$OUT/.config"
	die "${FRAGNAMES// / or } asks for options Kconfig did not set (a dependency is missing; see 'make menuconfig' in $OUT)"
fi

# --- build ----------------------------------------------------------------------------------
start=$(now)
say "building Linux $KVERSION into $OUT: 4 to 8 minutes on 2 cores (log: $OUT/build.log)"
if ! kmake -j"$(nproc)" all >"$OUT/build.log" 2>&1; then
	tail -n 30 "$OUT/build.log" >&2
	die "kernel build failed (log: $OUT/build.log)"
fi
kmake -s kernelrelease >"$OUT/kernelrelease"
touch "$OUT/.lab-ready"
link_kernel
say "built Linux $(cat "$OUT/kernelrelease") in $(( $(now) - start ))s"
