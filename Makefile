# SPDX-License-Identifier: GPL-2.0
# Rust kernel module lab. `make help` lists the targets.
#
# Kbuild convention: the modules are built by the kernel's own build system,
#   $(MAKE) -C $(KDIR) M=$(CURDIR)
# KDIR defaults to the lab kernel (fetched and built into the cache on first use);
# `make KDIR=/path/to/a/prepared/rust/kernel/build` builds against your own kernel instead.

LAB_KDIR := $(CURDIR)/build/kernel
KDIR ?= $(LAB_KDIR)

# The toolchain (override on the command line, e.g. LLVM=1 RUSTC=rustc for your own kernel).
LLVM ?= -19
RUSTC ?= /usr/bin/rustc
RUSTDOC ?= /usr/bin/rustdoc
HOSTRUSTC ?= $(RUSTC)
CLIPPY_DRIVER ?= /usr/bin/clippy-driver
BINDGEN ?= $(CURDIR)/.tools/bin/bindgen
export LLVM RUSTC RUSTDOC HOSTRUSTC CLIPPY_DRIVER BINDGEN KDIR

MO := $(CURDIR)/build/modules
KBUILD := $(MAKE) -C $(KDIR) M=$(CURDIR) MO=$(MO) LLVM=$(LLVM) RUSTC=$(RUSTC) \
	RUSTDOC=$(RUSTDOC) HOSTRUSTC=$(HOSTRUSTC) CLIPPY_DRIVER=$(CLIPPY_DRIVER) \
	$(if $(CLIPPY),CLIPPY=$(CLIPPY)) $(if $(V),V=$(V))

# With the default KDIR the lab kernel is made first (a no-op once cached).
ifeq ($(KDIR),$(LAB_KDIR))
KERNEL_DEP := kernel
endif

# Tiny static programs the tests run in the VM (userspace/NAME.c -> /usr/bin/NAME in the guest).
USERSPACE := $(patsubst userspace/%.c,build/userspace/%,$(wildcard userspace/*.c))
CC := gcc

.PHONY: all modules userspace setup kernel demo test shell rustavailable clean help
all: modules

help:
	@echo 'Rust kernel module lab: targets'
	@echo '  make demo           build everything, boot a VM, load each topic, show what it logs'
	@echo '  make test [T=name]  run every topic'"'"'s test.sh in the VM (T=minimal: one topic)'
	@echo '  make shell          interactive VM with every module ready for modprobe'
	@echo '  make modules        build the topic modules (the default target)'
	@echo '  make kernel         fetch and build the lab kernel into the cache (first time ~6 min)'
	@echo '  make setup          install the toolchain (Debian packages, bindgen-cli)'
	@echo '  make rustavailable  the kernel'"'"'s own check of the Rust toolchain'
	@echo '  make clean          remove build output (the cached kernel stays)'
	@echo 'Variables: KDIR=<kernel build>  KSRC=<kernel source>  T=<topic>  CLIPPY=1  V=1'
	@echo '           ACCEL=kvm  VM_TIMEOUT=<s>  LLVM=-19  RUSTC=/usr/bin/rustc'

setup:
	@scripts/setup.sh

kernel: setup
	@scripts/kernel.sh

modules: $(KERNEL_DEP)
	@mkdir -p $(MO)
	@$(KBUILD) modules

rustavailable: $(if $(KERNEL_DEP),setup)
	@$(MAKE) -s -C $(or $(KSRC),$(KDIR)) LLVM=$(LLVM) RUSTC=$(RUSTC) BINDGEN=$(BINDGEN) rustavailable

userspace: $(USERSPACE)
build/userspace/%: userspace/%.c
	@mkdir -p $(@D)
	$(CC) -static -O2 -Wall -Wextra -Werror -o $@ $<

demo: modules userspace
	@scripts/demo

test: modules userspace
	@scripts/run-tests $(T)

shell: modules userspace
	@scripts/vm shell

clean:
	@if [ -e $(KDIR)/Makefile ]; then $(KBUILD) clean; fi
	rm -rf build/modules build/userspace build/test-logs build/vm
