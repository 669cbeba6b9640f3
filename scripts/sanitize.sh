#!/bin/sh
# sanitize.sh -- build with AddressSanitizer and UndefinedBehaviorSanitizer in
# _build-asan/ and run the whole test suite there (the malformed and mutated
# corpora included): any sanitizer report fails the run. Leaks inside
# Graphviz and its font libraries are suppressed (tests/lsan.supp).
# Uninitialised stack variables are filled with a 0xFE pattern, so that
# reading one fails every time rather than by the luck of the stack.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/deps.sh"
cd "$top"
[ -x configure ] || ./bootstrap >/dev/null 2>&1
mkdir -p _build-asan
cd _build-asan
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
CF="-g -O1 -ftrivial-auto-var-init=pattern $SAN"
# a build directory configured with other flags (an older script) is
# configured again, so the checks above always apply
grep -qxF "CFLAGS = $CF" Makefile 2>/dev/null || ../configure -q --enable-werror \
  --disable-shared CFLAGS="$CF" LDFLAGS="$SAN"
make -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export LSAN_OPTIONS=suppressions=$top/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
status=0
make -j"$(nproc 2>/dev/null || echo 2)" check >make-check.out 2>&1 || status=$?
count() { sed -n "s/^# $1: *\([0-9]*\).*/\1/p" test-suite.log | head -n 1; }
if [ "$status" -ne 0 ]; then
  for log in $(grep -l -E '^(FAIL|ERROR)' tests/*.log 2>/dev/null); do
    echo "---- $log"; tail -n 40 "$log"
  done
fi
echo "sanitizers: $(count PASS) passed, $(( $(count FAIL) + $(count ERROR) )) failed, $(count SKIP) skipped"
exit "$status"
