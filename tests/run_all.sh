#!/bin/sh
# run_all.sh PRIMARY_POLLER [SECOND_POLLER]: run every test suite that
# `make test` built and print one summary line, "tests: N passed, N failed,
# N skipped". Exits non-zero if any suite fails.
#
# Both suites run once per poller backend: the unit tests include the
# poller's own, and the integration suite starts real chatd processes.
set -u
primary=$1
second=${2:-}
passed=0 failed=0 skipped=0 status=0

run_suite() {
  label=$1; shift
  echo "=== $label"
  log=$(mktemp)
  "$@" 2>&1 | tee "$log"
  rc=$(tail -n 1 "$log" | sed -n 's/^exit-code=//p')
  [ -n "$rc" ] || rc=0
  # A crash or leak report after the last test (at exit) shows only here.
  if [ "$rc" -ne 0 ]; then echo "$label: exited with status $rc"; status=1; fi
  p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
  f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
  s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
  if [ -z "$p" ] && [ -z "$f" ]; then
    echo "$label: no result line (crashed?)"; failed=$((failed + 1)); status=1
  fi
  rm -f "$log"
}

run() { "$@"; echo "exit-code=$?"; }

run_suite "unit tests ($primary)" run build/$primary/unit_tests
run_suite "integration tests ($primary)" run env CHATD_BIN=build/$primary/chatd build/$primary/integration_tests
if [ -n "$second" ]; then
  run_suite "unit tests ($second)" run build/$second/unit_tests
  run_suite "integration tests ($second)" run env CHATD_BIN=build/$second/chatd build/$second/integration_tests
fi

[ "$failed" -eq 0 ] || status=1
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
