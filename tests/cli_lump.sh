#!/bin/sh
# cli_lump.sh -- reduce, check and equiv as users run them: sizes and JSON
# keys, the checker refusing tampered files, byte-identical reruns, and
# equivalence verdicts whose witnesses `eval --exact` confirms.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
EX="$TESTS/../examples"


# reduce the bundled example: neurons 0 and 3 are equal, neuron 1 is twice
# neuron 0 (see examples/README.md), so the hidden layer goes from 4 to 2
expect_exit 0 "$LUMPNET" reduce "$EX/tiny.json" -o "$TMP/q.json" --cert "$TMP/c.json" --json
grep -q '"neurons_before": 6' "$TMP/out" || fail "neurons_before: $(cat "$TMP/out")"
grep -q '"neurons_after": 4' "$TMP/out" || fail "neurons_after: $(cat "$TMP/out")"
grep -q '"params_after": 12' "$TMP/out" || fail "params_after"
tr -d ' \n' < "$TMP/out" | grep -q '"layers_after":\[2,2,2\]' || fail "layers_after"
expect_exit 0 "$LUMPNET" check "$EX/tiny.json" "$TMP/q.json" "$TMP/c.json"
expect_exit 0 "$LUMPNET" check "$EX/tiny.json" "$TMP/q.json" "$TMP/c.json" --json
grep -q '"valid": true' "$TMP/out" || fail "check --json"
# exact mode merges only the equal pair
expect_exit 0 "$LUMPNET" reduce "$EX/tiny.json" --mode exact -o "$TMP/qe.json" --json
grep -q '"neurons_after": 5' "$TMP/out" || fail "exact mode: $(cat "$TMP/out")"
# the quotient computes the same values
"$LUMPNET" eval "$EX/tiny.json" --exact --inputs "$EX/tiny_inputs.txt" > "$TMP/y1"
"$LUMPNET" eval "$TMP/q.json" --exact --inputs "$EX/tiny_inputs.txt" > "$TMP/y2"
cmp -s "$TMP/y1" "$TMP/y2" || fail "the quotient computes other values"

# the checker refuses tampering, names what fails, and exits 1
sed 's/"scales": \["1", "2"/"scales": ["1", "3"/' "$TMP/c.json" > "$TMP/bad_scale.json"
cmp -s "$TMP/c.json" "$TMP/bad_scale.json" && fail "the scale edit did not apply: $(cat "$TMP/c.json")"
expect_exit 1 "$LUMPNET" check "$EX/tiny.json" "$TMP/q.json" "$TMP/bad_scale.json"
grep -q "condition" "$TMP/out" || fail "no condition named: $(cat "$TMP/out")"
sed 's/\["4", "-1"\]/["4", "-2"]/' "$TMP/q.json" > "$TMP/bad_q.json"
cmp -s "$TMP/q.json" "$TMP/bad_q.json" && fail "the weight edit did not apply"
expect_exit 1 "$LUMPNET" check "$EX/tiny.json" "$TMP/bad_q.json" "$TMP/c.json"
grep -q "quotient" "$TMP/out" || fail "no quotient mismatch named: $(cat "$TMP/out")"
expect_exit 2 "$LUMPNET" check "$EX/tiny.json" "$TMP/q.json" "$TMP/missing.json"
expect_exit 2 "$LUMPNET" reduce "$EX/tiny.json" -o "$TMP/x.json" --mode bogus
[ -e "$TMP/x.json" ] && fail "reduce left a file after bad usage"

# equiv: proved for the quotient, refuted for a 2^-20 change, unknown when
# the networks agree on the searched box only
expect_exit 0 "$LUMPNET" equiv "$EX/tiny.json" "$TMP/q.json" --json
grep -q '"verdict": "equivalent"' "$TMP/out" || fail "equiv quotient: $(cat "$TMP/out")"
sed 's/\["1", "-1"\], \["2", "-2"\]/["1048577\/1048576", "-1"], ["2", "-2"]/' "$EX/tiny.json" > "$TMP/moved.json"
cmp -s "$EX/tiny.json" "$TMP/moved.json" && fail "the 2^-20 edit did not apply"
expect_exit 1 "$LUMPNET" equiv "$EX/tiny.json" "$TMP/moved.json" --json
w=$(tr -d ' \n' < "$TMP/out" | sed -n 's/.*"witness":\[\([^]]*\)\].*/\1/p' | tr -d '"')
[ -n "$w" ] || fail "no witness: $(cat "$TMP/out")"
ya=$("$LUMPNET" eval "$EX/tiny.json" --exact --input "$w")
yb=$("$LUMPNET" eval "$TMP/moved.json" --exact --input "$w")
[ "$ya" != "$yb" ] || fail "the witness $w does not separate the networks ($ya)"
cat > "$TMP/far.json" <<'JSON'
{"format": "lumpnet-net", "version": 1, "inputs": 1,
 "layers": [{"activation": "relu", "weights": [["1"]], "bias": ["-10"]},
            {"activation": "identity", "weights": [["1"]], "bias": ["0"]}]}
JSON
sed 's/\[\["1"\]\], "bias": \["-10"\]/[["0"]], "bias": ["0"]/' "$TMP/far.json" > "$TMP/zero.json"
expect_exit 3 "$LUMPNET" equiv "$TMP/far.json" "$TMP/zero.json"
grep -q "unknown" "$TMP/out" || fail "unknown not said: $(cat "$TMP/out")"
expect_exit 1 "$LUMPNET" equiv "$TMP/far.json" "$TMP/zero.json" --box 0:12
expect_exit 2 "$LUMPNET" equiv "$EX/tiny.json" "$TMP/far.json"

if [ -e "$DATA/acasxu/ACASXU_run2a_1_1_batch_2000.nnet" ]; then
  A="$DATA/acasxu/ACASXU_run2a_1_1_batch_2000.nnet"
  B="$DATA/acasxu/ACASXU_run2a_2_3_batch_2000.nnet"
  expect_exit 1 "$LUMPNET" equiv "$A" "$B" --json
  w=$(tr -d ' \n' < "$TMP/out" | sed -n 's/.*"witness":\[\([^]]*\)\].*/\1/p' | tr -d '"')
  [ "$("$LUMPNET" eval "$A" --exact --input "$w")" != "$("$LUMPNET" eval "$B" --exact --input "$w")" ] \
    || fail "the ACAS Xu witness does not separate the networks"
  M="$DATA/vnncomp2021/mnistfc/mnist-net_256x2.onnx"
  "$LUMPNET" reduce "$M" -o "$TMP/m1.onnx" --cert "$TMP/m1.json" >/dev/null || fail "reduce mnist"
  "$LUMPNET" reduce "$M" -o "$TMP/m2.onnx" --cert "$TMP/m2.json" >/dev/null || fail "reduce mnist"
  cmp -s "$TMP/m1.onnx" "$TMP/m2.onnx" || fail "two runs wrote different ONNX bytes"
  cmp -s "$TMP/m1.json" "$TMP/m2.json" || fail "two runs wrote different certificates"
  expect_exit 0 "$LUMPNET" check "$M" "$TMP/m1.onnx" "$TMP/m1.json"
fi
echo "cli_lump: pass"
