#!/bin/sh
# cnn_io.sh -- issue #15, acceptance 2: the convolutional and residual
# networks of VNN-COMP 2021 go ONNX -> JSON -> ONNX keeping the function
# exactly (eval --exact equal at 3 points of a property's box), the JSON
# round-trips byte for byte, the written ONNX passes
# onnx.checker.check_model(full_check=True), keeps its Conv nodes, names and
# shapes with a symbolic batch dimension, and evaluates like the original
# in the PyTorch reference of cnn_ref.py (1e-9 relative); the synthetic
# networks of cnn_ref.py (every other operator) too, and handmade graph
# JSON (an index map that is no transpose, exact rationals, a value that
# float32 cannot hold: float64 and the rounding reported); broken graph JSON files
# are refused with one line naming the file and the place, exit 2.
# Seeded by LUMPNET_SEED (printed by the helper).
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
need_cnn
R="$PY $TESTS/cnn_io.py"
$R roundtrip "$LUMPNET" "$TMP" \
  $D/verivital/Convnet_avgpool.onnx $D/verivital/avgpool_prop_0_0.02.vnnlib \
  -- $D/verivital/Convnet_maxpool.onnx $D/verivital/maxpool_prop_0_0.004.vnnlib \
  -- $D/oval21/cifar_base_kw.onnx "$(ls $D/oval21/cifar_base_kw-*.vnnlib | head -n 1)" \
  -- $D/oval21/cifar_deep_kw.onnx "$(ls $D/oval21/cifar_deep_kw-*.vnnlib | head -n 1)" \
  -- $D/marabou-cifar10/cifar10_small.onnx \
     "$(ls $D/marabou-cifar10/networkcifar10_small_*.vnnlib | head -n 1)" \
  -- $D/marabou-cifar10/cifar10_medium.onnx \
     "$(ls $D/marabou-cifar10/networkcifar10_medium_*.vnnlib | head -n 1)" \
  -- $D/cifar10_resnet/resnet_2b.onnx $D/cifar10_resnet/resnet2b_prop_0_eps_0.008.vnnlib \
  || fail "ONNX -> JSON -> ONNX"
$R synth "$LUMPNET" "$TMP" || fail "ONNX -> JSON -> ONNX of the synthetic networks"
$R handmade "$LUMPNET" "$TMP" || fail "handmade graph JSON to ONNX"
$R malformed "$LUMPNET" "$TMP" $D/verivital/Convnet_avgpool.onnx || fail "malformed graph JSON"
# NNet holds fully connected networks only: a graph JSON is refused too
"$LUMPNET" convert "$TMP/base.json" "$TMP/base.nnet" 2>"$TMP/err" >/dev/null
rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l < "$TMP/err")" -eq 1 ] && grep -q "fully connected networks only" "$TMP/err" \
  || fail "convert of a graph JSON to .nnet: exit $rc, $(cat "$TMP/err")"
[ -e "$TMP/base.nnet" ] && fail "convert to .nnet left a file"
echo "cnn_io: pass"
