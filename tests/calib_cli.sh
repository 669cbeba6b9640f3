#!/bin/sh
# calib_cli.sh -- `relax --calib` as users run it on the digits example:
# the project's acceptance check (at most 40 % of the parameters, a
# certified bound, test accuracy within 2 points of the original), the
# reported calibration deviation recomputed with `eval` on the written
# networks, and bad calibration files refused with exit 2, a message naming
# the file and no output file.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
DIGITS="$TESTS/../examples/digits"
for f in digits.onnx train.csv test.csv; do
  [ -e "$DIGITS/$f" ] || fail "the digits example lacks $f"
done


# the value of a top-level scalar KEY of the (pretty-printed) JSON in FILE
json_val() { # key file
  sed -n "s/^  \"$1\": *\([^,]*\),\{0,1\}\$/\1/p" "$2"
}

# the rows of a --data CSV without their label (the last field), for eval
features() { # csv out
  awk -F, -v OFS=, '{ NF = NF - 1; print }' "$1" >"$2"
}

# the fraction of rows of OUTPUTS (eval's output) whose argmax is the label
# of the same row of CSV
accuracy() { # csv outputs
  awk -F, 'NR == FNR { lab[FNR] = $NF; n = FNR; next }
    { best = 1; for (i = 2; i <= NF; i++) if ($i + 0 > $best + 0) best = i
      rows++; if (best - 1 == lab[FNR]) ok++ }
    END { if (rows != n || n == 0) { print "rows " rows " vs " n > "/dev/stderr"; exit 1 }
          printf "%.4f\n", ok / n }' "$1" "$2"
}

# largest |a - b| over all entries of two eval outputs of the same inputs
max_diff() { # outputs-a outputs-b
  awk -F, 'NR == FNR { for (i = 1; i <= NF; i++) a[FNR, i] = $i; n = FNR; next }
    { rows++; for (i = 1; i <= NF; i++) { d = $i - a[FNR, i]; if (d < 0) d = -d
                                          if (d > m) m = d } }
    END { if (rows != n || n == 0) exit 1; printf "%.17g\n", m + 0 }' "$1" "$2"
}

# ---- a. acceptance: 40 % of the parameters, certified, accuracy kept -------
expect_exit 0 "$LUMPNET" relax "$DIGITS/digits.onnx" --box 0:1 --calib "$DIGITS/train.csv" \
  --eps 8 -o "$TMP/t.onnx" --json
cp "$TMP/out" "$TMP/t.json"
[ -s "$TMP/t.onnx" ] || fail "relax --calib wrote no network"
[ "$(json_val guide "$TMP/t.json")" = '"calib"' ] || fail "guide is not \"calib\": $(cat "$TMP/t.json")"
grep -q '"calib": ".*train.csv"' "$TMP/t.json" || fail "the JSON does not name the calibration file"
pb=$(json_val params_before "$TMP/t.json")
pa=$(json_val params_after "$TMP/t.json")
dev=$(json_val calib_deviation "$TMP/t.json")
[ -n "$pb" ] && [ -n "$pa" ] && [ -n "$dev" ] || fail "relax --json lacks keys: $(cat "$TMP/t.json")"
[ "$(json_val certified "$TMP/t.json")" = true ] || fail "the bound is not certified"
awk -v a="$pa" -v b="$pb" 'BEGIN { exit !(a <= 0.40 * b) }' ||
  fail "params $pb -> $pa: more than 40 % left"
awk -v d="$dev" 'BEGIN { exit !(d >= 0 && d <= 8) }' || fail "calib_deviation $dev is not in [0, 8]"
features "$DIGITS/test.csv" "$TMP/test.in"
expect_exit 0 "$LUMPNET" eval "$DIGITS/digits.onnx" --inputs "$TMP/test.in"
cp "$TMP/out" "$TMP/f.test"
expect_exit 0 "$LUMPNET" eval "$TMP/t.onnx" --inputs "$TMP/test.in"
cp "$TMP/out" "$TMP/g.test"
accf=$(accuracy "$DIGITS/test.csv" "$TMP/f.test") || fail "cannot score the original"
accg=$(accuracy "$DIGITS/test.csv" "$TMP/g.test") || fail "cannot score the quotient"
echo "params $pb -> $pa; test accuracy: original $accf, quotient $accg"
awk -v f="$accf" -v g="$accg" 'BEGIN { exit !(f >= 0.9 && g >= f - 0.02) }' ||
  fail "test accuracy: original $accf, quotient $accg"

# ---- b. the deviation over the points, recomputed on the written files ----
# 100 rows: every point is used (at most 512 are), so eps bounds them all
head -n 100 "$DIGITS/train.csv" >"$TMP/small.csv"
features "$TMP/small.csv" "$TMP/small.in"
expect_exit 0 "$LUMPNET" eval "$DIGITS/digits.onnx" --inputs "$TMP/small.in"
cp "$TMP/out" "$TMP/f.small"
for eps in 0.5 3; do
  expect_exit 0 "$LUMPNET" relax "$DIGITS/digits.onnx" --box 0:1 --calib "$TMP/small.csv" \
    --eps $eps -o "$TMP/s.onnx" --json
  cp "$TMP/out" "$TMP/s.json"
  dev=$(json_val calib_deviation "$TMP/s.json")
  na=$(json_val neurons_after "$TMP/s.json")
  nb=$(json_val neurons_before "$TMP/s.json")
  [ "$na" -lt "$nb" ] || fail "eps $eps: nothing merged ($nb -> $na)"
  expect_exit 0 "$LUMPNET" eval "$TMP/s.onnx" --inputs "$TMP/small.in"
  obs=$(max_diff "$TMP/f.small" "$TMP/out") || fail "eval outputs do not pair up"
  echo "eps $eps: neurons $nb -> $na, calib_deviation $dev, recomputed $obs"
  # eval prints 17 digits: the recomputed value is the reported one up to
  # rounding of the outputs (~1e-14 here)
  awk -v e=$eps -v d="$dev" -v o="$obs" 'BEGIN {
      t = 1e-9 * (d > o ? d : o) + 1e-12; a = o - d; if (a < 0) a = -a
      exit !(d <= e && o <= e * (1 + 1e-9) + 1e-12 && a <= t) }' ||
    fail "eps $eps: calib_deviation $dev, recomputed deviation $obs"
done

# ---- c. bad input: exit 2, a message naming the file, no output file ------
cut -d, -f1-60,65 "$TMP/small.csv" >"$TMP/narrow.csv"
head -n 5 "$DIGITS/train.csv" | sed '3s/,0\.0,/,zork,/' >"$TMP/garbage.csv"
grep -q zork "$TMP/garbage.csv" || fail "could not make garbage.csv"
: >"$TMP/empty.csv"
for f in narrow garbage empty missing; do
  expect_exit 2 "$LUMPNET" relax "$DIGITS/digits.onnx" --box 0:1 --calib "$TMP/$f.csv" \
    --eps 1 -o "$TMP/bad.onnx"
  grep -q "$f.csv" "$TMP/err" || fail "the message for $f.csv does not name it: $(cat "$TMP/err")"
  [ ! -e "$TMP/bad.onnx" ] || fail "relax with $f.csv left an output file"
done
expect_exit 2 "$LUMPNET" relax "$DIGITS/digits.onnx" --box 0:1 --calib "$TMP/narrow.csv" \
  --eps 1 -o "$TMP/bad.onnx"
grep -q "64 inputs" "$TMP/err" || fail "no width in the message: $(cat "$TMP/err")"
expect_exit 2 "$LUMPNET" relax "$DIGITS/digits.onnx" --box 0:1 --calib "$TMP/small.csv" \
  --centre lp --eps 1 -o "$TMP/bad.onnx"
grep -q -- "--calib" "$TMP/err" && grep -q -- "--centre" "$TMP/err" ||
  fail "no message for --calib with --centre: $(cat "$TMP/err")"
[ ! -e "$TMP/bad.onnx" ] || fail "a refused command left an output file"
ls "$TMP" | grep -q 'tmp-' && fail "a temporary file was left: $(ls "$TMP")"
echo "calib_cli: relax --calib on digits; deviation recomputed; bad input refused"
