# kbuild's try-run (scripts/Makefile.compiler), remembered. Each build of the external modules
# parses the kernel's top Makefile afresh, and with it some 40 probes of the compilers
# (cc-option, rustc-option, as-instr …), each a clang or rustc run: 1.5 s of the 1.9 s that
# make test T=<topic> spends building one topic, all of it beside the VM's boot, which it slows.
# Their answers cannot change for one kernel build, which is keyed by its toolchain
# (scripts/kernel.sh): scripts/try-run keeps each under that build, keyed by the probe's
# command (kbuild itself keeps none: a kernel tree outlives its compiler).
# Read first by every make of a kbuild run, through the environment's MAKEFILES (the Makefile's
# kbuild); override: the kernel's own try-run, read later, does not replace it. The command
# goes through a file ($(file): no shell quoting), one per make process.
override try-run = $(if $(filter 0,$(file >.lab-try-run.$(lab-pid),$(1))$(shell $(lab-try-run) .lab-try-run.$(lab-pid))),$(2),$(3))
lab-pid = $(eval lab-pid := $(shell echo $$PPID))$(lab-pid)
lab-try-run := $(dir $(lastword $(MAKEFILE_LIST)))try-run
