#!/bin/sh
# explore_save.sh -- `explore --save DIR` hands over every row's network:
# the CSV names one file per row, each file re-evaluates to its row's
# properties (neurons and parameters by `info`, accuracy by `eval` on the
# data, a certified bound by `bound` that is never below the row's
# observed error, and the row's certified bound never below the error
# `bound` observes on the file), an exact row's certificate passes
# `check`, and a sweep that fails leaves no file behind.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
DIGITS="$TESTS/../examples/digits"
for f in digits.onnx train.csv test.csv; do
  [ -e "$DIGITS/$f" ] || fail "the digits example lacks $f"
done

# the largest entry of the top-level list KEY of the JSON in FILE
json_list_max() { # key file
  awk -v k="\"$1\":" '$1 == k { on = 1; next } on && /\]/ { on = 0 }
    on { gsub(/,/, ""); if ($1 + 0 > m) m = $1 + 0 } END { printf "%.17g\n", m }' "$2"
}

# ---- calibration-guided sweep on digits: the files against their rows ----
"$LUMPNET" explore "$DIGITS/digits.onnx" --box 0:1 --calib "$DIGITS/train.csv" \
  --data "$DIGITS/test.csv" --eps-list 1,1.001,4 --samples 100 --csv "$TMP/e.csv" \
  --save "$TMP/nets" >"$TMP/out" 2>"$TMP/err" || fail "explore --save: $(cat "$TMP/err")"
rows=$(($(wc -l <"$TMP/e.csv") - 1))
[ "$rows" -eq 10 ] || fail "expected 10 rows, got $rows"
[ "$(ls "$TMP/nets" | wc -l)" -eq 10 ] || fail "expected 10 files in DIR: $(ls "$TMP/nets")"
r=1
while [ "$r" -le "$rows" ]; do
  check_saved_row "$TMP/e.csv" "$r" "$DIGITS/test.csv"
  file=$FILE method=$METHOD
  if [ "$method" != original ]; then
    # the saved file, bounded afresh: certified, never below the row's
    # observed error; the row's bound never below the error observed now
    "$LUMPNET" bound "$DIGITS/digits.onnx" "$file" --box 0:1 --no-lp --samples 100 --json \
      >"$TMP/b.json" 2>"$TMP/err" || fail "row $r: bound on $file: $(cat "$TMP/err")"
    [ "$(json_val certified "$TMP/b.json")" = true ] || fail "row $r: bound of $file not certified"
    awk -v b="$(json_list_max bound "$TMP/b.json")" -v o="$(col "$TMP/e.csv" "$r" observed)" \
      'BEGIN { exit !(b >= o) }' || fail "row $r: bound of the saved file below the row's observed error"
    awk -v b="$(col "$TMP/e.csv" "$r" bound)" -v o="$(json_list_max observed "$TMP/b.json")" \
      'BEGIN { exit !(b * (1 + 1e-5) >= o) }' || fail "row $r: the row's bound is below the error observed on the saved file"
  fi
  r=$((r + 1))
done
echo "explore --save: $rows files, sizes, accuracy and bounds consistent with their rows"

# ---- an exact row (box-guided, eps 0) comes with a certificate that checks
"$LUMPNET" explore "$TESTS/data/json/small.json" --box 0:1 --eps-list 0 --samples 20 \
  --csv "$TMP/s.csv" --save "$TMP/s" >"$TMP/out" 2>"$TMP/err" || fail "explore small: $(cat "$TMP/err")"
cert=$(col "$TMP/s.csv" 2 cert)
[ -n "$cert" ] && [ -s "$cert" ] || fail "the eps 0 lumpnet row names no certificate"
"$LUMPNET" check "$TESTS/data/json/small.json" "$(col "$TMP/s.csv" 2 file)" "$cert" >/dev/null ||
  fail "check refuses the saved exact row and its certificate"
[ -z "$(col "$TMP/s.csv" 3 cert)" ] || fail "a prune row claims a certificate"

# ---- a sweep that fails leaves nothing: no CSV, no files, no folder ------
# (a gnuplot that fails, first on PATH: the plot is drawn after the sweep)
mkdir "$TMP/bin"
printf '#!/bin/sh\ncat >/dev/null\necho "gnuplot: cannot draw" >&2\nexit 1\n' >"$TMP/bin/gnuplot"
chmod +x "$TMP/bin/gnuplot"
PATH="$TMP/bin:$PATH" "$LUMPNET" explore "$TESTS/data/json/small.json" --box 0:1 \
  --eps-list 0,0.5 --samples 20 --csv "$TMP/f.csv" --plot "$TMP/f.svg" --save "$TMP/fdir" \
  >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] || fail "explore with a failing plot: not exit 2: $(cat "$TMP/err")"
[ -e "$TMP/fdir" ] && fail "a failed explore left the --save folder: $(ls "$TMP/fdir")"
[ -e "$TMP/f.csv" ] && fail "a failed explore left its CSV"
: >"$TMP/notdir"
"$LUMPNET" explore "$TESTS/data/json/small.json" --box 0:1 --eps-list 0.5 --csv "$TMP/g.csv" \
  --save "$TMP/notdir" >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] || fail "--save to a file is not exit 2"
grep -q notdir "$TMP/err" || fail "the message does not name --save's path: $(cat "$TMP/err")"
[ -e "$TMP/g.csv" ] && fail "explore wrote a CSV after refusing --save"
echo "explore --save: certificate of the exact row checks; failures leave no files"
exit 0
