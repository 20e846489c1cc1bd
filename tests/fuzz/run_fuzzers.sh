#!/bin/sh
# run_fuzzers.sh BUILD_DIR SECONDS TARGET...: runs each libFuzzer target built
# by `make fuzz` for SECONDS seconds, one after the other, and prints one line
# per target: executions, final coverage, and the verdict. Exits non-zero if
# any target found a crash, a leak, a timeout or a failed check.
#
# Each target fuzzes BUILD_DIR/corpus-<target>, a working copy seeded from
# tests/fuzz/corpus/<target>, so new inputs the fuzzer keeps never touch the
# committed seeds (and the working copy keeps growing across local runs).
# libFuzzer runs every corpus input before it starts mutating, so an input
# that crashed once and was added to the seeds is re-checked on every run.
# Findings are written to BUILD_DIR/<target>-crash-<sha1> (or -leak-,
# -timeout-, -oom-); the full log of each run is BUILD_DIR/<target>.log.
set -u
build=$1
seconds=$2
shift 2
status=0

for target in "$@"; do
  binary=$build/fuzz_$target
  corpus=$build/corpus-$target
  log=$build/$target.log
  mkdir -p "$corpus"
  cp tests/fuzz/corpus/"$target"/* "$corpus"/
  dict=""
  [ -f tests/fuzz/"$target".dict ] && dict="-dict=tests/fuzz/$target.dict"
  # The HTTP parser must be fuzzed past its 8 KiB head limit (431); the
  # others get room for a few large frames.
  max_len=8192
  [ "$target" = http_request ] && max_len=12288
  # -timeout: one input taking over 10 s is a finding (a hang), not a wait.
  "$binary" "$corpus" $dict -max_total_time="$seconds" -max_len=$max_len -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$build/$target-" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  coverage=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
  if [ "$rc" -eq 0 ]; then
    echo "fuzz_$target: ${runs:-?} executions in ${seconds} s, coverage ${coverage:-?}: ok"
  else
    echo "fuzz_$target: FAILED (exit $rc) after ${runs:-?} executions; log: $log"
    grep -E "ERROR|SUMMARY|fuzz check failed|Test unit written" "$log" | head -n 20
    status=1
  fi
done
exit $status
