#!/bin/sh
# relax_cli.sh -- `relax` and `explore` as users run them: on an ACAS Xu
# network over a property box and on the digits example; the certified
# bound is never below the observed error; bad input exits 2 and leaves no
# output file.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
ACAS="$DATA/vnncomp2021/acasxu/ACASXU_run2a_1_1_batch_2000.onnx"
PROP="$DATA/vnncomp2021/acasxu/prop_3.vnnlib"
DIGITS="$TESTS/../examples/digits"
[ -e "$DIGITS/digits.onnx" ] || fail "the digits example model is missing"


# bound >= observed in every row of an explore CSV (columns by name)
check_csv() { # csv rows
  awk -F, -v want="$2" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i
              split("method eps neurons params certified bound observed accuracy agreement calib_deviation", need, " ")
              for (k in need) if (!(need[k] in col)) { print "missing column " need[k]; bad = 1 }
              next }
    { rows++
      b = $col["bound"]; o = $col["observed"]
      if (b != "inf" && b + 0 < o + 0) { print "row " NR ": bound " b " < observed " o; bad = 1 }
      if ($col["method"] !~ /^(original|lumpnet|prune|prune_params)$/) { print "row " NR ": method " $1; bad = 1 } }
    END { if (rows != want) { print rows " rows, expected " want; bad = 1 }
          exit bad }' "$1" || fail "$1 is not as expected"
}

# ---- digits (committed example: no real data needed) ----------------------
expect_exit 0 "$LUMPNET" relax "$DIGITS/digits.onnx" --eps 1.2 --box 0:1 -o "$TMP/d.onnx" --json
for k in neurons_before neurons_after params_before params_after bound certified observed; do
  grep -q "\"$k\"" "$TMP/out" || fail "relax --json lacks $k"
done
[ -s "$TMP/d.onnx" ] || fail "relax wrote no network"
expect_exit 0 "$LUMPNET" explore "$DIGITS/digits.onnx" --box 0:1 --data "$DIGITS/test.csv" \
  --eps-list 0.5,1.2 --csv "$TMP/d.csv" --samples 200
check_csv "$TMP/d.csv" 7
awk -F, 'NR > 1 && $8 == "" { exit 1 }' "$TMP/d.csv" || fail "explore --data left accuracy empty"
# the original's accuracy is that of the committed model on its test split
awk -F, '$1 == "original" && ($8 < 0.9 || $9 != 1) { exit 1 }' "$TMP/d.csv" ||
  fail "original accuracy: $(grep original "$TMP/d.csv")"

# bad input: exit 2, a message, no output file
expect_exit 2 "$LUMPNET" relax "$DIGITS/digits.onnx" --eps -1 --box 0:1 -o "$TMP/bad.onnx"
grep -q "eps" "$TMP/err" || fail "no message for eps < 0"
expect_exit 2 "$LUMPNET" relax "$DIGITS/digits.onnx" --eps abc --box 0:1 -o "$TMP/bad.onnx"
expect_exit 2 "$LUMPNET" relax "$DIGITS/digits.onnx" --eps 0.1 --box 0:1,0:1 -o "$TMP/bad.onnx"
grep -q "box" "$TMP/err" || fail "no message for a box of the wrong dimension"
expect_exit 2 "$LUMPNET" relax "$DIGITS/digits.onnx" --eps 0.1 --box 1:0 -o "$TMP/bad.onnx"
printf '(declare-const X_0 Real)\n(assert (<= X_0 zork\n' > "$TMP/garbage.vnnlib"
expect_exit 2 "$LUMPNET" relax "$DIGITS/digits.onnx" --eps 0.1 --box "$TMP/garbage.vnnlib" -o "$TMP/bad.onnx"
grep -q "garbage.vnnlib" "$TMP/err" || fail "the vnnlib message does not name the file"
printf '1,2,3\n' > "$TMP/narrow.csv"
expect_exit 2 "$LUMPNET" explore "$DIGITS/digits.onnx" --box 0:1 --data "$TMP/narrow.csv" \
  --csv "$TMP/bad.csv" --eps-list 1
grep -q "features" "$TMP/err" || fail "no message for a data width mismatch"
expect_exit 2 "$LUMPNET" explore "$DIGITS/digits.onnx" --box 0:1 --csv "$TMP/bad.csv" \
  --eps-list 1,-2
expect_exit 2 env PATH=/nonexistent "$LUMPNET" explore "$DIGITS/digits.onnx" --box 0:1 \
  --csv "$TMP/bad.csv" --plot "$TMP/bad.svg" --eps-list 1
grep -q "gnuplot" "$TMP/err" || fail "no message for a missing gnuplot"
for f in bad.onnx bad.csv bad.svg; do
  [ ! -e "$TMP/$f" ] || fail "a failed command left $f"
done
ls "$TMP" | grep -q 'tmp-' && fail "a temporary file was left: $(ls "$TMP")"

# ---- ACAS Xu over a property box -------------------------------------------
need_data vnncomp2021/acasxu/ACASXU_run2a_1_1_batch_2000.onnx vnncomp2021/acasxu/prop_3.vnnlib
expect_exit 0 "$LUMPNET" relax "$ACAS" --eps 0.1 --box "$PROP" -o "$TMP/a.onnx" --json
python3 - "$TMP/out" <<'PY' || fail "relax on ACAS Xu: $(cat "$TMP/out")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["neurons_after"] < j["neurons_before"], "nothing merged"
assert len(j["bound"]) == 5 and len(j["observed"]) == 5
for b, o in zip(j["bound"], j["observed"]):
    assert b is None or b >= o, (b, o)
PY
if command -v gnuplot >/dev/null 2>&1; then plot="--plot $TMP/a.svg"; else plot=""; fi
expect_exit 0 "$LUMPNET" explore "$ACAS" --box "$PROP" --csv "$TMP/a.csv" $plot --steps 2 --samples 300
check_csv "$TMP/a.csv" 7
if [ -n "$plot" ]; then
  grep -q "<svg" "$TMP/a.svg" || fail "the plot is not an SVG"
fi
echo "relax_cli: relax and explore on digits and ACAS Xu; bad input refused"
