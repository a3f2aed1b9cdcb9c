# shellcheck shell=sh disable=SC2034
# What the kernel prints when something went wrong: BUG/WARNING/Oops splats, KASAN and lockdep
# reports (they start with BUG: or WARNING:), kmemleak reports and kmemleak turning itself off
# (its pool of records ran out: kernel/debug.config), panics. One pattern (grep -E)
# for the host (scripts/run-tests, on each run's whole kernel log; scripts/bench, on the console)
# and the guest (runs.sh, on its copy of the kernel log; stress.sh, on dmesg). runs.sh writes it
# into an awk program as /SPLAT/: no "/" in it.
SPLAT='BUG:|WARNING:|Oops|Call Trace:|KASAN:|unreferenced object|suspected memory leak|general protection fault|Kernel panic|kernel BUG|kmemleak: Memory pool empty|kmemleak: Cannot allocate a kmemleak_object'
