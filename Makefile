# SPDX-License-Identifier: GPL-2.0
# Rust kernel module lab. `make help` lists the targets.
#
# Kbuild convention: the modules are built by the kernel's own build system,
#   $(MAKE) -C $(KDIR) M=$(CURDIR)
# KDIR defaults to the lab kernel (fetched and built into the cache on first use);
# `make KDIR=/path/to/a/prepared/rust/kernel/build` builds against your own kernel instead.

# FAST=1: the lab kernel without the debug checkers (KASAN, kmemleak), modules built for it.
FLAVOUR := $(if $(FAST),-fast)
LAB_KDIR := $(CURDIR)/build/kernel$(FLAVOUR)
KDIR ?= $(LAB_KDIR)

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

MO := $(CURDIR)/build/modules$(FLAVOUR)
CHECKERS_MO := $(CURDIR)/build/checkers$(FLAVOUR)
BENCH_MO := $(CURDIR)/build/bench-modules$(FLAVOUR)
MODULES := $(MO)
export MODULES FAST
# $(call kbuild,DIR,OUTPUT): kbuild for the external modules in DIR, output in OUTPUT.
kbuild = $(MAKE) -C $(KDIR) M=$(1) MO=$(2) LLVM=$(LLVM) RUSTC=$(RUSTC) \
	RUSTDOC=$(RUSTDOC) HOSTRUSTC=$(HOSTRUSTC) CLIPPY_DRIVER=$(CLIPPY_DRIVER) \
	$(if $(CLIPPY),CLIPPY=$(CLIPPY)) $(if $(V),V=$(V))
KBUILD := $(call kbuild,$(CURDIR),$(MO))

# With the default KDIR the lab kernel is made first (a no-op once cached).
ifeq ($(KDIR),$(LAB_KDIR))
KERNEL_DEP := kernel
endif

# Tiny static programs the tests run in the VM (userspace/NAME.c -> /usr/bin/NAME in the guest).
USERSPACE := $(patsubst userspace/%.c,build/userspace/%,$(wildcard userspace/*.c))
# Their shared headers (lab_chardev.h, the chardev ioctl ABI): a change rebuilds every program.
USERSPACE_H := $(wildcard userspace/*.h)
CC := gcc

.PHONY: all modules topic-module userspace checkers bench-modules bench bench-loop loglevels setup kernel demo test stress shell lint rust-analyzer rustavailable clean help
all: modules

# Every target carries a `## description`; make help lists them, so none is left out.
help: ## this list
	@echo 'Rust kernel module lab. Targets:'
	@awk -F':.*## ' '/^[a-z-]+:.*## / { printf "  make %-15s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
	@echo 'Variables: T=<topic>  FAST=1 (lab kernel without KASAN/kmemleak)  KDIR=<kernel build>'
	@echo '           KSRC=<kernel source>  CLIPPY=1  V=1  ACCEL=kvm  VM_TIMEOUT=<s>  NO_COLOR=1'
	@echo '           BENCH_PASSES=20  BENCH_ROUNDS=2  BENCH_BATCHES=8  BENCH_LOCK_N=20000  BENCH_PIN=1 (make bench)'
	@echo '           LEVELS="0 1 … 8 loglevel=3 quiet ignore_loglevel" (make loglevels)  LAB_TMUX=0 (make shell)'

setup: ## install the toolchain if missing (Debian packages, bindgen-cli in .tools/)
	@scripts/setup.sh

kernel: setup ## fetch and build the lab kernel into the cache (first time 6-10 min)
	@scripts/kernel.sh

modules: $(KERNEL_DEP) ## build the topic modules (the default target)
	@mkdir -p $(MO)
	@$(KBUILD) modules

# The topics, in the order of the top-level Kbuild (the one place that lists them).
TOPICS := $(shell scripts/run-tests --list)
$(foreach t,$(T),$(if $(filter $(t),$(TOPICS)),,$(error T=$(t) is not a topic (topics: $(TOPICS)))))
# The T= topics' modules alone (kbuild's single-target build), for make test T=<topic>.
topic-module: $(KERNEL_DEP)
	@mkdir -p $(MO)
	@$(KBUILD) $(foreach t,$(T),$(t)/lab_$(t).ko)

rustavailable: $(if $(KERNEL_DEP),setup) ## the kernel's own check of the Rust toolchain
	@$(MAKE) -s -C $(or $(KSRC),$(KDIR)) LLVM=$(LLVM) RUSTC=$(RUSTC) BINDGEN=$(BINDGEN) rustavailable

userspace: $(USERSPACE) ## build the small static programs the tests run in the VM
build/userspace/%: userspace/%.c $(USERSPACE_H)
	@mkdir -p $(@D)
	$(CC) -static -O2 -Wall -Wextra -Werror -o $@ $<

demo: modules userspace ## build, boot a VM, load each topic one at a time, show its log lines
	@scripts/demo

# make test is what CI runs: lint first, then every run. make test T=<topic> does one job: it
# builds the modules and helpers (kbuild recompiles only what changed) and runs that topic's checks.
test: $(if $(T),topic-module userspace,lint modules userspace checkers bench-modules) ## lint, every topic's test.sh, stress with small counts, a copied topic, a bench smoke; T=<topic>: that topic's test.sh alone
	@scripts/run-tests $(if $(T),--no-stress $(T))

stress: modules userspace checkers ## stress suite: 50 load cycles, fault injection, bad input, concurrency per topic
	@CYCLES=$${CYCLES:-50} CONC_SECONDS=$${CONC_SECONDS:-5} FAULT_TYPE=$${FAULT_TYPE:-all} \
		FAULT_SCOPE=$${FAULT_SCOPE:-all} scripts/run-tests --stress-only $(T)

# Modules that do wrong on purpose, so the stress suite proves the kernel's checkers live.
checkers: $(KERNEL_DEP) ## build tests/checkers (modules that leak/sleep in atomic on purpose)
	@mkdir -p $(CHECKERS_MO)
	@$(call kbuild,$(CURDIR)/tests/checkers,$(CHECKERS_MO)) modules

# The C twins of chardev and sync (bench/): same kbuild, same kernel, same flags as the topics.
# And chardev and sync once more without Rust's debug assertions and overflow checks, which the
# lab kernel turns on for the whole Rust build (C has no such checks): make bench shows their cost.
NOCHECKS := KRUSTFLAGS="-Cdebug-assertions=n -Coverflow-checks=n"
bench-modules: $(KERNEL_DEP) ## build bench/ (the C twins make bench compares the topics with)
	@mkdir -p $(BENCH_MO)/nochecks/chardev $(BENCH_MO)/nochecks/sync
	@$(call kbuild,$(CURDIR)/bench,$(BENCH_MO)) modules
	@$(call kbuild,$(CURDIR)/chardev,$(BENCH_MO)/nochecks/chardev) $(NOCHECKS) modules
	@$(call kbuild,$(CURDIR)/sync,$(BENCH_MO)/nochecks/sync) $(NOCHECKS) modules

# Always on the plain kernel: KASAN and lockdep would be most of what a debug kernel measures.
# KDIR and MODULES are named: the debug flavour's would come in through the environment.
bench: ## Rust topics vs their C twins: paired interleaved rounds in one VM, Rust/C ratios with 95% intervals (build/bench/)
	@$(MAKE) --no-print-directory FAST=1 KDIR=$(CURDIR)/build/kernel-fast modules userspace bench-modules
	@FAST=1 KDIR=$(CURDIR)/build/kernel-fast MODULES=$(CURDIR)/build/modules-fast scripts/bench

bench-loop: modules userspace ## the learner's loop: make test T=<topic> after an edit vs a bare boot, per topic (build/bench-loop/)
	@scripts/bench-loop

# One boot for the console levels 0-8, one per boot parameter; LEVELS="1 4 quiet" narrows.
loglevels: modules ## which pr_*! lines reach the console at console levels 0-8, loglevel=, quiet, ignore_loglevel (build/loglevels/)
	@LEVELS="$(LEVELS)" scripts/loglevels

lint: $(KERNEL_DEP) ## clippy (warnings as errors), rustfmt --check, shellcheck, rust-analyzer check
	@scripts/lint

# rust-project.json at the top of the clone, where rust-analyzer looks for it.
rust-analyzer: $(KERNEL_DEP) ## write rust-project.json for editors
	@mkdir -p $(MO)
	@$(KBUILD) BINDGEN=$(BINDGEN) rust-analyzer
	@cp $(MO)/rust-project.json rust-project.json
	@echo "wrote rust-project.json: open $(CURDIR) in an editor with rust-analyzer"

shell: modules userspace ## interactive VM with every module ready for modprobe
	@scripts/vm shell

# Everything built goes under build/ (kbuild's MO=, the kernel links, logs): one directory to remove.
clean: ## remove build output (the cached kernel stays)
	rm -rf build
