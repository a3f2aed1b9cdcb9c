# shellcheck shell=bash
# KTAP for the host-side scripts (scripts/run-tests, scripts/lint, tests/new-topic.sh), sourced.
# The names and meaning follow the kernel's tools/testing/selftests/kselftest/ktap_helpers.sh,
# which the guest's test.sh files use; that one is not sourced here because the host must
# print the lab's own totals line, "N passed, N failed[, N skipped]" (what make test ends with
# and what bench-loop and CI look for), and must not exit on its own.
#   ktap_print_header; ktap_set_plan N
#   ktap_test_pass DESC [COMMENT]   "ok N DESC[ # COMMENT]"
#   ktap_test_fail DESC [COMMENT]   "not ok N DESC[ # COMMENT]"
#   ktap_test_skip DESC REASON      "ok N DESC # SKIP REASON"
#   ktap_print_totals               the totals line; ktap_passed: status 0 when nothing failed
KTAP_TESTNO=0 KTAP_CNT_PASS=0 KTAP_CNT_FAIL=0 KTAP_CNT_SKIP=0

ktap_print_header() { echo "KTAP version 1"; }
ktap_set_plan() { echo "1..$1"; }

# ktap_line RESULT DESC [COMMENT]: one result line, numbered in turn.
ktap_line() {
	KTAP_TESTNO=$((KTAP_TESTNO + 1))
	echo "$1 $KTAP_TESTNO $2${3:+ # $3}"
}
ktap_test_pass() { KTAP_CNT_PASS=$((KTAP_CNT_PASS + 1)); ktap_line ok "$@"; }
ktap_test_fail() { KTAP_CNT_FAIL=$((KTAP_CNT_FAIL + 1)); ktap_line "not ok" "$@"; }
ktap_test_skip() { KTAP_CNT_SKIP=$((KTAP_CNT_SKIP + 1)); ktap_line ok "$1" "SKIP $2"; }

# The skipped count only when there is one, so that a run without skips ends `N passed, N failed`.
ktap_print_totals() {
	if [ "$KTAP_CNT_SKIP" = 0 ]; then echo "$KTAP_CNT_PASS passed, $KTAP_CNT_FAIL failed"
	else echo "$KTAP_CNT_PASS passed, $KTAP_CNT_FAIL failed, $KTAP_CNT_SKIP skipped"; fi
}
ktap_passed() { [ "$KTAP_CNT_FAIL" = 0 ]; }
