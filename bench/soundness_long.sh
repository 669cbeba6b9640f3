#!/bin/sh
# soundness_long.sh -- the long mode of the randomised soundness suite
# (tests/test_soundness, issue 11): CASES cases (default 100,000) instead
# of make check's 2,000, with the seed, the wall time and the counts per
# kind of case at the end. Exit status: the suite's (0 when every case
# passed).
#
#   sh bench/soundness_long.sh BUILD_DIR [CASES] [SEED]
#
# BUILD_DIR is the configured build folder (e.g. _build); the runner is
# built there if needed. LUMPNET_SOUNDNESS_KNOWN_BUGS passes through
# ("check" runs the classes of open bugs too; see tests/test_soundness.c),
# and so does LUMPNET_SOUNDNESS_TOL_TIMEOUT (the --timeout of the
# `equiv --tolerance` cases, 1 s by default; 2,000 of them in long mode).
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_DIR [CASES] [SEED]" >&2
    exit 2
fi
B=$(cd "$1" && pwd)
CASES=${2:-100000}
SEED=${3:-${LUMPNET_SEED:-20261124}}
make -C "$B" -s tests/test_soundness lumpnet >/dev/null
LOG=$(mktemp "${TMPDIR:-/tmp}/lumpnet-soundness-XXXXXX")
trap 'rm -f "$LOG"' EXIT
t0=$(date +%s)
status=0
LUMPNET=$B/lumpnet LUMPNET_SEED=$SEED LUMPNET_SOUNDNESS_CASES=$CASES \
    "$B/tests/test_soundness" >"$LOG" 2>&1 || status=$?
t1=$(date +%s)
# the per-kind lines, the failures (first few per kind) and the counts
grep -E '^# (FAIL|[a-z-]+ +[0-9]+ cases|soundness suite|count |known bug)' "$LOG" || true
grep -E '^\[  (FAILED|PASSED)' "$LOG" || true
echo "cases: $CASES, seed: $SEED, wall time: $((t1 - t0)) s, exit status: $status"
exit "$status"
