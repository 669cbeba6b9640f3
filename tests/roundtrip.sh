#!/bin/sh
# roundtrip.sh -- `lumpnet convert` keeps the function exactly:
# ONNX -> JSON -> ONNX and NNet -> JSON -> NNet evaluate exactly equal on
# random rational inputs; JSON -> JSON is byte-identical; written ONNX files
# pass onnx.checker and agree with the originals under numpy.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
need_data acasxu/ACASXU_run2a_1_1_batch_2000.nnet vnncomp2021/acasxu vnncomp2021/test
find_python

# random rational inputs, one vector per line
rational_inputs() { # n count seed
  awk -v n="$1" -v c="$2" -v seed="$3" 'BEGIN { srand(seed);
    for (k = 0; k < c; k++) { s = "";
      for (i = 0; i < n; i++)
        s = s (i ? "," : "") int(rand() * 2001 - 1000) "/" (1 + int(rand() * 997));
      print s } }'
}

same_exact() { # a b inputs
  "$LUMPNET" eval "$1" --exact --inputs "$3" > "$TMP/ya" || fail "eval $1"
  "$LUMPNET" eval "$2" --exact --inputs "$3" > "$TMP/yb" || fail "eval $2"
  [ -s "$TMP/ya" ] || fail "no output for $1"
  cmp -s "$TMP/ya" "$TMP/yb" || fail "$1 and $2 differ exactly"
}

checked=0
for f in "$DATA"/vnncomp2021/acasxu/ACASXU_run2a_1_1_batch_2000.onnx \
         "$DATA"/vnncomp2021/acasxu/ACASXU_run2a_4_5_batch_2000.onnx \
         "$DATA"/vnncomp2021/test/test_small.onnx \
         "$DATA"/vnncomp2021/test/test_nano.onnx \
         "$DATA"/vnncomp2021/eran/mnist_relu_9_200.onnx; do
  [ -e "$f" ] || continue
  b=$(basename "$f" .onnx)
  "$LUMPNET" convert "$f" "$TMP/$b.json" || fail "convert $f to JSON"
  "$LUMPNET" convert "$TMP/$b.json" "$TMP/$b.2.json" || fail "JSON to JSON"
  cmp "$TMP/$b.json" "$TMP/$b.2.json" || fail "JSON -> JSON is not byte-identical ($b)"
  "$LUMPNET" convert "$TMP/$b.json" "$TMP/$b.onnx" 2>"$TMP/warn" || fail "JSON to ONNX"
  [ -s "$TMP/warn" ] && fail "float32 weights should need no rounding: $(cat "$TMP/warn")"
  n=$("$LUMPNET" info "$f" --json | sed -n 's/^ *"inputs": \([0-9]*\).*/\1/p')
  rational_inputs "$n" 20 7 > "$TMP/in.txt"
  same_exact "$f" "$TMP/$b.onnx" "$TMP/in.txt"
  same_exact "$f" "$TMP/$b.json" "$TMP/in.txt"
  $PY "$TESTS/oracle.py" check-onnx "$TMP/$b.onnx" || fail "onnx.checker refuses $b.onnx"
  $PY "$TESTS/oracle.py" same-function "$f" "$TMP/$b.onnx" || fail "numpy sees a difference"
  checked=$((checked + 1))
done

for f in "$DATA"/acasxu/ACASXU_run2a_1_1_batch_2000.nnet \
         "$DATA"/acasxu/ACASXU_run2a_2_9_batch_2000.nnet; do
  b=$(basename "$f" .nnet)
  "$LUMPNET" convert "$f" "$TMP/$b.json" || fail "convert $f to JSON"
  "$LUMPNET" convert "$TMP/$b.json" "$TMP/$b.nnet" || fail "JSON to NNet"
  "$LUMPNET" convert "$TMP/$b.nnet" "$TMP/$b.3.json" || fail "NNet to JSON"
  cmp "$TMP/$b.json" "$TMP/$b.3.json" || fail "NNet -> JSON -> NNet -> JSON changed $b"
  rational_inputs 5 20 11 > "$TMP/in.txt"
  same_exact "$f" "$TMP/$b.nnet" "$TMP/in.txt"
  checked=$((checked + 1))
done

# a network with values no float can hold: ONNX output warns and says how much
cat > "$TMP/third.json" <<'JSON'
{"format": "lumpnet-net", "version": 1, "inputs": 1,
 "layers": [{"activation": "relu", "weights": [["1/3"]], "bias": ["0"]}]}
JSON
"$LUMPNET" convert "$TMP/third.json" "$TMP/third.onnx" 2>"$TMP/warn" || fail "convert 1/3"
grep -q "rounded" "$TMP/warn" || fail "no rounding warning for 1/3: $(cat "$TMP/warn")"
echo "roundtrip: $checked networks round-trip exactly"
