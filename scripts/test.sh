#!/bin/sh
# test.sh -- build and run the whole test suite (cmocka runners and the
# shell tests against the real data in ../shared/data), then print a
# one-line count of passed, failed and skipped tests.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/deps.sh"
sh "$top/scripts/build.sh"
cd "$top/_build"
status=0
make -j"$(nproc 2>/dev/null || echo 2)" check >make-check.out 2>&1 || status=$?
grep -E '^(PASS|FAIL|SKIP|ERROR|XFAIL|XPASS)' make-check.out | grep -v '^PASS' || true
if [ "$status" -ne 0 ]; then
  for log in $(grep -l -E '^(FAIL|ERROR)' tests/*.log 2>/dev/null); do
    echo "---- $log"; tail -n 40 "$log"
  done
fi
count() { sed -n "s/^# $1: *\([0-9]*\).*/\1/p" test-suite.log | head -n 1; }
pass=$(count PASS); fail=$(count FAIL); skip=$(count SKIP); err=$(count ERROR)
echo "tests: ${pass:-0} passed, $(( ${fail:-0} + ${err:-0} )) failed, ${skip:-0} skipped"
exit "$status"
