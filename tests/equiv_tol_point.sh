#!/bin/sh
# equiv_tol_point.sh -- a box that is a single point, where the difference
# exceeds the tolerance by 0.1% only (found by the soundness suite, seed 35
# case 26): the double search sees the difference at or below EPS through
# cancellation and the point cannot be split; the exact difference decides,
# so the answer is `different` with that point as the witness, not unknown
. "$(dirname "$0")/common.sh"
A=$TESTS/data/tol/point_a.json
B=$TESTS/data/tol/point_b.json
EPS=11455923132247490739/39614081257132168796771975168000
"$LUMPNET" equiv "$A" "$B" --box 3/8:3/8 --tolerance "$EPS" --timeout 20 >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 1 ] || fail "exit $rc, expected 1 (different): $(cat "$TMP/out" "$TMP/err")"
grep -q '^different' "$TMP/out" || fail "no 'different' line: $(cat "$TMP/out")"
# the witness is the point, and its exact difference exceeds EPS
"$LUMPNET" eval "$A" --exact --input 3/8 >"$TMP/a" && "$LUMPNET" eval "$B" --exact --input 3/8 >"$TMP/b" ||
  fail "exact evaluation failed"
"${PY:-python3}" - "$TMP/a" "$TMP/b" "$EPS" <<'EOP' || fail "the exact difference at 3/8 does not exceed EPS"
import sys
from fractions import Fraction as F
a = [F(v) for v in open(sys.argv[1]).read().strip().split(',')]
b = [F(v) for v in open(sys.argv[2]).read().strip().split(',')]
assert max(abs(x - y) for x, y in zip(a, b)) > F(sys.argv[3])
EOP
echo "a point box: different, confirmed exactly"
