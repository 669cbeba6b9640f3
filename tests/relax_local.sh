#!/bin/sh
# relax_local.sh -- relax --local-radius on the digits example: every ball's
# certified bound is at least the largest difference sampled in it by an
# independent evaluator (tests/relax_local.py with numpy), no ball said to
# keep its class has a sampled point of another class, the summary agrees
# with the per-ball list, and bad uses are refused with exit 2.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
find_python
DIGITS="$TESTS/../examples/digits"
for f in digits.onnx train.csv test.csv; do
  [ -e "$DIGITS/$f" ] || fail "the digits example lacks $f"
done
head -n 12 "$DIGITS/test.csv" >"$TMP/pts.csv"

for r in 0.01 0.05; do
  "$LUMPNET" relax "$DIGITS/digits.onnx" --box 0:1 --calib "$DIGITS/train.csv" --eps 2 \
    -o "$TMP/g.onnx" --local-radius $r --local-data "$TMP/pts.csv" --json \
    >"$TMP/r.json" 2>"$TMP/err" || fail "relax --local-radius $r: $(cat "$TMP/err")"
  "$PY" - "$TMP/r.json" <<'PY' || fail "radius $r: the --json report is inconsistent"
import json, sys
l = json.load(open(sys.argv[1]))["local"]
b = l["balls"]
assert l["points"] == len(b) == 12 and l["outside"] == 0, l
assert l["certified"] is True
assert l["unchanged"] == sum(x["unchanged"] for x in b)
assert l["robust_original"] == sum(x["robust_original"] for x in b)
assert all(x["robust_original"] for x in b if x["unchanged"])
assert abs(l["unchanged_fraction"] - l["unchanged"] / 12) < 1e-12
assert l["bound_max"] == max(max(x["bound"]) for x in b)
assert l["observed_max"] <= l["bound_max"]
PY
  "$PY" "$TESTS/relax_local.py" "$DIGITS/digits.onnx" "$TMP/g.onnx" "$TMP/pts.csv" $r 0 1 \
    "$TMP/r.json" || fail "radius $r: the sampling oracle disagrees"
done

# the text report names the radius and the share certified unchanged
"$LUMPNET" relax "$DIGITS/digits.onnx" --box 0:1 --calib "$DIGITS/train.csv" --eps 2 \
  -o "$TMP/g.onnx" --local-radius 0.01 --local-points 5 >"$TMP/out" 2>"$TMP/err" ||
  fail "relax --local-radius (calibration points): $(cat "$TMP/err")"
grep -q "radius 0.01 around 5 points" "$TMP/out" || fail "text report: $(cat "$TMP/out")"
grep -q "class certified unchanged in the ball: [0-9]* of 5 points" "$TMP/out" ||
  fail "text report lacks the unchanged share: $(cat "$TMP/out")"

# bad uses: exit 2, no output written
refused() { # what args...
  what=$1; shift
  rm -f "$TMP/bad.onnx"
  "$LUMPNET" relax "$DIGITS/digits.onnx" --box 0:1 --eps 1 -o "$TMP/bad.onnx" "$@" \
    >/dev/null 2>"$TMP/err"
  [ $? -eq 2 ] || fail "$what: not exit 2"
  [ -e "$TMP/bad.onnx" ] && fail "$what: an output was written"
  [ -s "$TMP/err" ] || fail "$what: no message"
}
refused "negative radius" --calib "$DIGITS/train.csv" --local-radius -1
refused "radius not a number" --calib "$DIGITS/train.csv" --local-radius abc
refused "no points" --local-radius 0.01
refused "--local-points without a radius" --calib "$DIGITS/train.csv" --local-points 3
refused "--local-data missing" --local-radius 0.01 --local-data "$TMP/none.csv"
echo "relax --local-radius: bounds above sampled maxima, unchanged classes confirmed, bad uses refused"
exit 0
