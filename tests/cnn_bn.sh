#!/bin/sh
# cnn_bn.sh -- issue #15: BatchNormalization (inference mode) folded into
# the Conv or dense node before it, or an elementwise affine node: small
# CNNs with torch.nn.BatchNorm2d / BatchNorm1d exported by torch.onnx
# (tests/cnn_bn.py) load with params = the initializer values read, eval
# agrees with float64 torch to 1e-9 relative, a rounded factor gives one
# warning naming the file and the node, an exact one none (and eval --exact
# equals fractions), reduce still merges channels, and bad nodes
# (var + epsilon <= 0, wrong lengths, training_mode 1) exit 2 with one line.
# Seeded by LUMPNET_SEED (printed).
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
find_python
"$PY" -c 'import torch' 2>/dev/null || skip "no PyTorch for $PY (Debian: python3-torch)"
LUMPNET_SEED=${LUMPNET_SEED:-$(date +%s)}
export LUMPNET_SEED
"$PY" "$TESTS/cnn_bn.py" "$LUMPNET" "$TMP" || fail "BatchNormalization"
echo "cnn_bn: pass"
