#!/bin/sh
# box_fit.sh -- reduce --box writes a float32 ACAS Xu ONNX on prop_3
# exactly (--fit exact, the default): 0 values rounded, folds kept, check
# says "valid" without a distance, and exact evaluation at seeded random
# points of the box agrees with the original. Control: --fit smallest
# folds everything, rounds values, and check says "valid within U".
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
A=vnncomp2021/acasxu
need_data "$A/ACASXU_run2a_1_1_batch_2000.onnx"
need_data "$A/prop_3.vnnlib"
net="$DATA/$A/ACASXU_run2a_1_1_batch_2000.onnx"
box="$DATA/$A/prop_3.vnnlib"
field() { # file key: a top-level value of a --json report
  sed -n "s/.*\"$2\": *\([^,}]*\).*/\1/p" "$1" | head -n 1
}
"$LUMPNET" reduce "$net" --box "$box" -o "$TMP/s.onnx" --cert "$TMP/c.json" --json \
  >"$TMP/j.txt" 2>"$TMP/err" || fail "reduce: $(cat "$TMP/err")"
[ "$(field "$TMP/j.txt" rounded_values)" = 0 ] || fail "values rounded: $(cat "$TMP/j.txt")"
[ "$(field "$TMP/j.txt" number_type)" = '"float32"' ] || fail "number type: $(cat "$TMP/j.txt")"
kept=$(field "$TMP/j.txt" kept_unfolded)
[ "${kept:-0}" -gt 0 ] || fail "no neuron kept unfolded: $(cat "$TMP/j.txt")"
grep -q "exactly" "$TMP/err" || fail "no 'equals ... exactly': $(cat "$TMP/err")"
"$LUMPNET" check "$net" "$TMP/s.onnx" "$TMP/c.json" --box "$box" >"$TMP/chk" 2>&1 ||
  fail "check: $(cat "$TMP/chk")"
grep -q '^valid: ' "$TMP/chk" || fail "check is not exact: $(cat "$TMP/chk")"
# 40 seeded points strictly inside the box, exact decimals
seed=16
echo "seed $seed"
awk -v seed="$seed" '
  /^\(assert \(<= X_/ { i = $3; sub(/X_/, "", i); v = $4; sub(/\)+$/, "", v); hi[i] = v; n = (i + 1 > n ? i + 1 : n) }
  /^\(assert \(>= X_/ { i = $3; sub(/X_/, "", i); v = $4; sub(/\)+$/, "", v); lo[i] = v }
  END { srand(seed); for (t = 0; t < 40; t++) { s = "";
    for (i = 0; i < n; i++) s = s (i ? "," : "") sprintf("%.12g", lo[i] + (hi[i] - lo[i]) * (1 + int(rand() * 998)) / 1000)
    print s } }' "$box" >"$TMP/pts"
[ "$(wc -l <"$TMP/pts")" -eq 40 ] || fail "could not sample the box"
"$LUMPNET" eval "$net" --exact --inputs "$TMP/pts" >"$TMP/ya" || fail "eval $net"
"$LUMPNET" eval "$TMP/s.onnx" --exact --inputs "$TMP/pts" >"$TMP/yb" || fail "eval s.onnx"
cmp -s "$TMP/ya" "$TMP/yb" || fail "the written file differs from the original inside the box"
# control: everything folded and rounded, the distance certified
"$LUMPNET" reduce "$net" --box "$box" -o "$TMP/f.onnx" --cert "$TMP/cf.json" --fit smallest \
  --json >"$TMP/jf.txt" 2>"$TMP/err" || fail "reduce --fit smallest: $(cat "$TMP/err")"
r=$(field "$TMP/jf.txt" rounded_values)
[ "${r:-0}" -gt 0 ] || fail "--fit smallest rounded nothing: $(cat "$TMP/jf.txt")"
[ "$(field "$TMP/jf.txt" kept_unfolded)" = 0 ] || fail "--fit smallest kept neurons"
[ "$(field "$TMP/jf.txt" neurons_after)" -lt "$(field "$TMP/j.txt" neurons_after)" ] ||
  fail "--fit smallest is not smaller"
"$LUMPNET" check "$net" "$TMP/f.onnx" "$TMP/cf.json" --box "$box" >"$TMP/chk" 2>&1 ||
  fail "check --fit smallest: $(cat "$TMP/chk")"
grep -q '^valid within ' "$TMP/chk" || fail "not 'valid within': $(cat "$TMP/chk")"
# --fit needs --box, and takes exact or smallest only
"$LUMPNET" reduce "$net" -o "$TMP/x.onnx" --fit exact >/dev/null 2>&1
[ $? -eq 2 ] || fail "--fit without --box was accepted"
"$LUMPNET" reduce "$net" --box "$box" -o "$TMP/x.onnx" --fit tiny >/dev/null 2>&1
[ $? -eq 2 ] || fail "--fit tiny was accepted"
echo "box_fit: ok ($kept kept unfolded, $r values rounded with --fit smallest)"
