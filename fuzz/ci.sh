#!/bin/sh
# ci.sh -- for CI: build the fuzz harnesses and run each one for a short,
# bounded time (FUZZ_SECONDS, default 30) on its corpus; fails when any
# harness finds a crash, a leak or a timeout. Needs clang with libFuzzer
# (Debian: clang, libclang-rt-14-dev or the one matching clang).
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
out=${FUZZ_BUILD:-$top/_build-fuzz}
command -v "${CC:-clang}" >/dev/null 2>&1 || { echo "fuzz/ci.sh: clang is missing" >&2; exit 2; }
sh "$top/fuzz/build.sh" "$out" >/dev/null
FUZZ_BUILD=$out sh "$top/fuzz/run.sh" "${FUZZ_SECONDS:-30}"
