# SPDX-License-Identifier: GPL-2.0
# Rust kernel module lab. `make help` lists the targets.
#
# Kbuild convention: the modules are built by the kernel's own build system,
#   $(MAKE) -C $(KDIR) M=$(CURDIR)
# KDIR defaults to the lab kernel (fetched and built into the cache on first use);
# `make KDIR=/path/to/a/prepared/rust/kernel/build` builds against your own kernel instead.

# make bench measures the plain kernel (on the debug one KASAN and lockdep would be most of what
# is measured): with bench among the goals this whole make is FAST=1, so that bench's
# prerequisites are the plain flavour's, built by this make rather than a second one.
ifneq ($(filter bench,$(MAKECMDGOALS)),)
$(if $(filter-out bench,$(MAKECMDGOALS)),$(error make bench runs alone: it builds for the plain kernel (FAST=1)))
override FAST := 1
endif

# A goal's prerequisites build side by side, a job a core (make test's lint and builds, nothing
# changed: 25-29 s one at a time, 15-16 s so); JOBS=1 builds one at a time. Not with clean among
# the goals: it must be done before anything is built. A recipe that runs make (kbuild, or a
# script that does) starts with `+`, so that it shares these jobs rather than running alone.
# (scripts/kernel.sh does not: the kernel build takes every core itself.)
JOBS ?= $(shell nproc)
ifeq ($(filter clean,$(MAKECMDGOALS)),)
MAKEFLAGS += -j$(JOBS)
endif

# FAST=1: the lab kernel without the debug checkers (KASAN, kmemleak), modules built for it.
# The paths per flavour are named once, in scripts/paths.conf, for the Makefile and the scripts.
ROOT := $(CURDIR)
FLAVOUR_SUFFIX := $(if $(FAST),-fast)
include scripts/paths.conf
KDIR ?= $(KERNEL_LINK)

# The toolchain, named once in scripts/toolchain.conf (override on the command line, e.g.
# LLVM=1 RUSTC=rustc for your own kernel).
include scripts/toolchain.conf
LLVM ?= -$(LAB_LLVM_VERSION)
RUSTC ?= $(LAB_RUSTC)
RUSTDOC ?= $(LAB_RUSTDOC)
HOSTRUSTC ?= $(RUSTC)
CLIPPY_DRIVER ?= $(LAB_CLIPPY_DRIVER)
BINDGEN ?= $(CURDIR)/.tools/bin/bindgen
export LLVM RUSTC RUSTDOC HOSTRUSTC CLIPPY_DRIVER BINDGEN KDIR

MO := $(MODULES_DIR)
MODULES := $(MO)
export MODULES FAST
# With the default KDIR the lab kernel is made first (a no-op once cached).
ifeq ($(KDIR),$(KERNEL_LINK))
KERNEL_DEP := kernel
endif

# $(call kbuild,DIR,OUTPUT): kbuild for the external modules in DIR, output in OUTPUT. With the
# lab kernel, its compiler probes are remembered under it (scripts/try-run.mk).
kbuild = $(if $(KERNEL_DEP),MAKEFILES=$(CURDIR)/scripts/try-run.mk LAB_PROBE_CACHE=$(KDIR)/.lab-try-run) \
	$(MAKE) -C $(KDIR) M=$(1) MO=$(2) LLVM=$(LLVM) RUSTC=$(RUSTC) \
	RUSTDOC=$(RUSTDOC) HOSTRUSTC=$(HOSTRUSTC) CLIPPY_DRIVER=$(CLIPPY_DRIVER) \
	$(if $(CLIPPY),CLIPPY=$(CLIPPY)) $(if $(V),V=$(V))
KBUILD := $(call kbuild,$(CURDIR),$(MO))

# Tiny static programs the tests run in the VM (userspace/NAME.c -> /usr/bin/NAME in the guest).
USERSPACE := $(patsubst userspace/%.c,$(USERSPACE_DIR)/%,$(wildcard userspace/*.c))
# Their shared headers (lab_chardev.h, the chardev ioctl ABI): a change rebuilds every program.
USERSPACE_H := $(wildcard userspace/*.h)
CC := gcc

.PHONY: all skels grade proofs modules userspace checkers bench-modules new-topic bench bench-loop loglevels setup kernel demo test stress shell lint rust-analyzer rustavailable clean help
all: modules

# Every target carries a `## description`; make help lists them, so none is left out.
help: ## this list
	@echo 'Rust kernel module lab. Targets:'
	@awk -F':.*## ' '/^[a-z-]+:.*## / { printf "  make %-15s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
	@echo 'Variables: T=<topic>  FAST=1 (lab kernel without KASAN/kmemleak)  KDIR=<kernel build>'
	@echo '           KSRC=<kernel source>  CLIPPY=1  V=1  ACCEL=kvm  VM_TIMEOUT=<s>  NO_COLOR=1  JOBS=1'
	@echo '           BENCH_PASSES=40  BENCH_ROUNDS=2  BENCH_BATCHES=8  BENCH_LOCK_N=20000  BENCH_PIN=1 (make bench)'
	@echo '           LEVELS="0 1 … 8 loglevel=3 quiet ignore_loglevel" (make loglevels)  LAB_TMUX=0 (make shell)'

setup: ## install the toolchain if missing (Debian packages, bindgen-cli in .tools/)
	@scripts/setup.sh

kernel: setup ## fetch and build the lab kernel into the cache (first time 5-9 min)
	@scripts/kernel.sh

modules: $(KERNEL_DEP) ## build the topic modules (the default target)
	@mkdir -p $(MO)
	+@$(KBUILD) modules

# The topics, in the order of the top-level Kbuild (the one place that lists them).
TOPICS := $(shell scripts/run-tests --list)
$(foreach t,$(T),$(if $(filter $(t),$(TOPICS)),,$(error T=$(t) is not a topic (topics: $(TOPICS)))))
# make test T=<topic> builds the T= topics' modules alone (kbuild's single-target build), while
# the VM boots (scripts/run-tests --build).
TOPIC_BUILD := mkdir -p $(MO) && $(KBUILD) $(foreach t,$(T),$(t)/lab_$(t).ko)

rustavailable: $(if $(KERNEL_DEP),setup) ## the kernel's own check of the Rust toolchain
	@$(MAKE) -s -C $(or $(KSRC),$(KDIR)) LLVM=$(LLVM) RUSTC=$(RUSTC) BINDGEN=$(BINDGEN) rustavailable

userspace: $(USERSPACE) ## build the small static programs the tests run in the VM
$(USERSPACE_DIR)/%: userspace/%.c $(USERSPACE_H)
	@mkdir -p $(@D)
	$(CC) -static -O2 -Wall -Wextra -Werror -o $@ $< $(if $(filter labklog labrecv,$*),-lz)

demo: modules userspace ## build, boot a VM, load each topic one at a time, show its log lines
	@scripts/demo

# make test is what CI runs: lint first, then every run. make test T=<topic> does one job: it
# builds the topic's module (kbuild recompiles only what changed) while the VM boots, and runs that
# topic's checks. Everything else the runs need is a prerequisite here: scripts/run-tests only
# runs and judges, but for that one build (--build), which it starts beside the first boot.
test: $(if $(T),$(KERNEL_DEP) userspace,lint modules userspace checkers bench-modules new-topic proofs) ## lint, every topic's test.sh, stress with small counts, a copied topic, a bench smoke, the grader's proofs; T=<topic>: that topic's test.sh alone
	+@scripts/run-tests $(if $(T),--no-stress --build '$(TOPIC_BUILD)' $(T))

stress: modules userspace checkers ## stress suite: 50 load cycles, fault injection, bad input, concurrency per topic
	@CYCLES=$${CYCLES:-50} CONC_SECONDS=$${CONC_SECONDS:-5} FAULT_TYPE=$${FAULT_TYPE:-all} \
		FAULT_SCOPE=$${FAULT_SCOPE:-all} scripts/run-tests --stress-only $(T)

# Teaching labs: skeletons made from the reference modules, and the grader (README "For the instructor").
skels: ## exercise skeletons of every topic, or T=<topic>: TODO=<n> leaves exercises 1..n solved, SKELS=<dir> (build/skels)
	@scripts/skels -n "$(or $(TODO),0)" -o "$(or $(SKELS),$(CURDIR)/build/skels)" $(T)

grade: $(KERNEL_DEP) userspace ## grade T=<topic> DIR=<a student's topic dir, or a folder of them>: points per exercise, checkers' verdict
	@$(if $(and $(T),$(DIR)),,$(error make grade wants T=<topic> DIR=<the student's topic directory or a folder of them>))
	+@scripts/grade $(T) $(DIR)

# make test's proof of the labs (scripts/run-tests' grade-* runs): every topic's TODO=0 skeleton,
# which must build without a warning; tests/grading/alt/TOPIC/lab_TOPIC.rs (solutions worded
# differently); tests/grading/planted/TOPIC.patch (a bug planted in the reference, as a patch so
# that it follows the reference). Each is built as make grade builds a submission, the skeletons
# with W=e (a warning fails the build). The sources are made afresh in $(PROOFS)/new/ each time
# and copied over the last ones only where they differ, so that kbuild, which goes by file
# times, recompiles only what changed; a file gone starts that kind over.
PROOFS := $(PROOFS_DIR)
proofs: $(KERNEL_DEP) ## build what make test grades to prove the grader: every TODO=0 skeleton (no warning allowed), tests/grading/
	@rm -rf $(PROOFS)/new && mkdir -p $(PROOFS)/new/alt $(PROOFS)/new/planted
	@scripts/skels -o $(PROOFS)/new/skel 2>/dev/null
	@for f in tests/grading/alt/*/lab_*.rs; do \
		t=$$(basename $$(dirname $$f)); mkdir -p $(PROOFS)/new/alt/$$t; \
		cp $$f $(PROOFS)/new/alt/$$t/ && cp $$t/Kbuild $(PROOFS)/new/alt/$$t/; \
	done
	@for p in tests/grading/planted/*.patch; do \
		t=$$(basename $$p .patch); mkdir -p $(PROOFS)/new/planted/$$t; cp $$t/Kbuild $(PROOFS)/new/planted/$$t/; \
		patch -s -o $(PROOFS)/new/planted/$$t/lab_$$t.rs $$t/lab_$$t.rs <$$p || exit 1; \
	done
	@cp -r common $(PROOFS)/new/alt/ && cp -r common $(PROOFS)/new/planted/
	+@for k in skel alt planted; do \
		new=$(PROOFS)/new/$$k; \
		for d in $$new/*/lab_*.rs; do t=$$(basename $$(dirname $$d)); echo "obj-m += $$t/"; done >$$new/Kbuild; \
		if [ -d $(PROOFS)/$$k ] && (cd $(PROOFS)/$$k && find . -type f) | (cd $$new && while read -r f; do [ -f "$$f" ] || exit 1; done); \
		then :; else rm -rf $(PROOFS)/$$k $(PROOFS)/$$k-ko; fi; \
		(cd $$new && find . -type f) | while read -r f; do \
			cmp -s $$new/$$f $(PROOFS)/$$k/$$f || install -D -m 644 $$new/$$f $(PROOFS)/$$k/$$f; \
		done; \
		$(call kbuild,$(PROOFS)/$$k,$(PROOFS)/$$k-ko) $$([ $$k != skel ] || echo W=e) modules >$(PROOFS)/$$k.log 2>&1 || { \
			cat $(PROOFS)/$$k.log; \
			[ $$k != skel ] || echo 'make proofs: every TODO=0 skeleton must build without a warning (W=e): see above'; \
			exit 1; }; \
		for ko in $(PROOFS)/$$k-ko/*/lab_*.ko; do t=$$(basename $$(dirname $$ko)); cp $$ko $(PROOFS)/$$k-$$t.ko; done; \
	done

# Modules that do wrong on purpose, so the stress suite proves the kernel's checkers live.
checkers: $(KERNEL_DEP) ## build tests/checkers (modules that leak/sleep in atomic on purpose)
	@mkdir -p $(CHECKERS_DIR)
	+@$(call kbuild,$(CURDIR)/tests/checkers,$(CHECKERS_DIR)) modules

# bench/: the C twin of chardev and the Rust and C lock modules written for timing (the topic
# sync carries its lesson only), with the same kbuild, kernel and flags as the topics. And the
# Rust that make bench times (chardev, bench's lab_sync_rs) once more without Rust's debug
# assertions and overflow checks, which the lab kernel turns on for the whole Rust build (C has
# no such checks): make bench shows their cost.
NOCHECKS := KRUSTFLAGS="-Cdebug-assertions=n -Coverflow-checks=n"
bench-modules: $(KERNEL_DEP) ## build bench/ (what make bench compares the Rust with)
	@mkdir -p $(BENCH_MODULES_DIR)/nochecks/chardev $(BENCH_MODULES_DIR)/nochecks/bench
	+@$(call kbuild,$(CURDIR)/bench,$(BENCH_MODULES_DIR)) modules
	+@$(call kbuild,$(CURDIR)/chardev,$(BENCH_MODULES_DIR)/nochecks/chardev) $(NOCHECKS) modules
	+@$(call kbuild,$(CURDIR)/bench,$(BENCH_MODULES_DIR)/nochecks/bench) $(NOCHECKS) lab_sync_rs.ko

# make test's proof of README "Adding a topic", prepared as a learner would do it: a scratch copy
# of the clone where tests/new-topic.sh copies minimal/ to mytopic/ and adds its Kbuild line,
# nothing else; then kbuild builds the copy like any module tree (a failure stops make test here).
# scripts/run-tests checks that the copy lists mytopic and runs mytopic's test in the VM.
new-topic: $(KERNEL_DEP) ## build a scratch copy of the clone with minimal/ copied to mytopic/ as README "Adding a topic" says
	@tests/new-topic.sh copy $(NEW_TOPIC_CLONE)
	@mkdir -p $(NEW_TOPIC_MODULES)
	+@$(call kbuild,$(NEW_TOPIC_CLONE),$(NEW_TOPIC_MODULES)) modules

# Always on the plain kernel: make bench sets FAST=1 for the whole make (at the top).
bench: modules userspace bench-modules ## Rust vs C (chardev and its C twin, bench/'s lock modules): paired interleaved rounds in one VM, Rust/C ratios with 95% intervals (build/bench/)
	@scripts/bench

bench-loop: modules userspace ## the learner's loop: make test T=<topic> after an edit vs a bare boot, per topic or T="<topic>..." (build/bench-loop/)
	+@TOPICS="$(T)" scripts/bench-loop

# One boot for the console levels 0-8, one per boot parameter; LEVELS="1 4 quiet" narrows.
loglevels: modules ## which pr_*! lines reach the console at console levels 0-8, loglevel=, quiet, ignore_loglevel (build/loglevels/)
	@LEVELS="$(LEVELS)" scripts/loglevels

# kbuild's rust-analyzer target lists every crate root under M=, build/ included: made in the same
# make, proofs and new-topic, which remake their source copies there, go first (a file gone mid-scan
# fails the generator; seen once in make test).
LINT_AFTER := $(filter proofs new-topic,$(MAKECMDGOALS)) $(if $(filter test,$(MAKECMDGOALS)),$(if $(T),,proofs new-topic))
lint: $(KERNEL_DEP) | $(sort $(LINT_AFTER)) ## clippy (warnings as errors), rustfmt --check, shellcheck, rust-analyzer check
	+@scripts/lint

# rust-project.json at the top of the clone, where rust-analyzer looks for it.
rust-analyzer: $(KERNEL_DEP) ## write rust-project.json for editors
	@mkdir -p $(MO)
	+@$(KBUILD) BINDGEN=$(BINDGEN) rust-analyzer
	@# Only the clone's own crates, not the copies under build/ (make proofs', new-topic's). They
	@# come last and nothing depends on them, so the indices in the others' deps stay right.
	@python3 -c 'import json, sys; p = json.load(open(sys.argv[1])); \
		p["crates"] = [c for c in p["crates"] if not c["root_module"].startswith(sys.argv[2] + "/")]; \
		json.dump(p, open(sys.argv[3], "w"), indent=4, sort_keys=True)' $(MO)/rust-project.json $(BUILD) rust-project.json
	@echo "wrote rust-project.json: open $(CURDIR) in an editor with rust-analyzer"

shell: modules userspace ## interactive VM with every module ready for modprobe
	@scripts/vm shell

# Everything built goes under build/ (kbuild's MO=, the kernel links, logs): one directory to remove.
clean: ## remove build output (the cached kernel stays)
	rm -rf $(BUILD)
