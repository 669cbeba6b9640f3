#!/bin/sh
# relax_cnn.sh -- issue #15, acceptances 5 and 7: `relax` of the digits CNN
# of examples/digits_cnn, checked against the PyTorch reference in
# relax_cnn.py (a smaller Conv network, eps kept over the calibration
# points, the certified bound above sampled and locally searched
# differences, the pruning baseline within its size); and bad use of the
# convolutional options refused with exit 2 and no output file.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
find_python
"$PY" -c 'import torch' 2>/dev/null || skip "no PyTorch for $PY (Debian: python3-torch)"
EX=$TESTS/../examples
NET=$EX/digits_cnn/digits_cnn.onnx
CAL=$EX/digits/train.csv
"$PY" "$TESTS/relax_cnn.py" "$LUMPNET" "$NET" "$CAL" "$TMP" || fail "relax of the digits CNN"
# --prune-to is for CNNs, and not with --eps
expect_exit 2 "$LUMPNET" relax "$TESTS/../examples/tiny.json" --prune-to 10 --box 0:1 -o "$TMP/x.json"
expect_exit 2 "$LUMPNET" relax "$NET" --prune-to 10 --eps 1 --box 0:1 -o "$TMP/x.onnx"
expect_exit 2 "$LUMPNET" relax "$NET" --prune-to many --box 0:1 -o "$TMP/x.onnx"
expect_exit 2 "$LUMPNET" relax "$NET" --calib "$CAL" --eps 1 --box 0:1 --local-radius 0.1 -o "$TMP/x.onnx"
# calibration rows of the wrong width
printf '0.5,0.5,1\n' >"$TMP/narrow.csv"
expect_exit 2 "$LUMPNET" relax "$NET" --calib "$TMP/narrow.csv" --eps 1 --box 0:1 -o "$TMP/x.onnx"
grep -q "narrow.csv" "$TMP/err" || fail "the message does not name the calibration file"
[ ! -e "$TMP/x.onnx" ] && [ ! -e "$TMP/x.json" ] || fail "a refused relax wrote a file"
echo "ok"
