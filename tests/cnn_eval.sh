#!/bin/sh
# cnn_eval.sh -- issue #15, acceptance 1: the convolutional and residual
# networks of VNN-COMP 2021 load; `info --json` params equals the number of
# initializer values the network reads; `eval` agrees to 1e-9 relative with
# an independent PyTorch (torch.nn.functional, float64) evaluation built from
# the ONNX initializers at each property's box centre and CNN_POINTS random
# points of its box (default 3 here; bench/bench_cnn.sh runs 20); `eval
# --exact` equals a Python fractions evaluation on the verivital networks at
# 3 points; two small random networks that use every other operator and
# attribute of the reader agree with torch in double and --exact; broken
# variants are refused with one message and exit 2.
# Seeded by LUMPNET_SEED (printed by the reference).
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
need_cnn
R="$PY $TESTS/cnn_ref.py"
export TMPDIR_CNN="$TMP"
$R eval "$LUMPNET" $D/verivital/Convnet_avgpool.onnx $D/verivital/avgpool_prop_*.vnnlib \
  -- $D/verivital/Convnet_maxpool.onnx $D/verivital/maxpool_prop_*.vnnlib \
  -- $D/oval21/cifar_base_kw.onnx $D/oval21/cifar_base_kw-*.vnnlib \
  -- $D/oval21/cifar_deep_kw.onnx $D/oval21/cifar_deep_kw-*.vnnlib \
  -- $D/marabou-cifar10/cifar10_small.onnx $D/marabou-cifar10/networkcifar10_small_*.vnnlib \
  -- $D/marabou-cifar10/cifar10_medium.onnx $D/marabou-cifar10/networkcifar10_medium_*.vnnlib \
  -- $D/cifar10_resnet/resnet_2b.onnx $D/cifar10_resnet/*.vnnlib || fail "eval against torch"
$R exact "$LUMPNET" $D/verivital/Convnet_avgpool.onnx $D/verivital/avgpool_prop_1_0.02.vnnlib \
  -- $D/verivital/Convnet_maxpool.onnx $D/verivital/maxpool_prop_1_0.004.vnnlib \
  || fail "eval --exact against fractions"
$R synth "$LUMPNET" "$TMP" || fail "synthetic networks (every other operator)"
$R malformed "$LUMPNET" $D/marabou-cifar10/cifar10_small.onnx "$TMP" || fail "malformed (marabou)"
$R malformed "$LUMPNET" $D/cifar10_resnet/resnet_2b.onnx "$TMP" || fail "malformed (resnet)"
# convert of a graph network: NNet holds fully connected networks only, and
# says so (exit 2, one line naming the file); no output is left behind
# (ONNX and JSON are written: tests/cnn_io.sh)
"$LUMPNET" convert $D/cifar10_resnet/resnet_2b.onnx "$TMP/resnet.nnet" 2>"$TMP/err" >/dev/null
rc=$?
[ "$rc" -eq 2 ] || fail "convert of resnet_2b to .nnet: exit $rc, expected 2"
[ "$(wc -l < "$TMP/err")" -eq 1 ] && grep -q "resnet_2b.onnx: .*(graph) network" "$TMP/err" \
  || fail "convert of resnet_2b to .nnet: unclear message: $(cat "$TMP/err")"
[ -e "$TMP/resnet.nnet" ] && fail "convert of resnet_2b to .nnet left a file"
"$LUMPNET" convert $D/cifar10_resnet/resnet_2b.onnx "$TMP/resnet.nnet" 2>&1 >/dev/null \
  | grep -q "NNet, which holds fully connected networks only" \
  || fail "convert to .nnet does not say NNet is for fully connected networks only"
# the MLP networks keep their model: info reports layers, not graph nodes
"$LUMPNET" info --json $D/mnistfc/mnist-net_256x2.onnx | grep -q '"layers"' \
  || fail "an MLP is no longer read by the MLP reader"
echo "cnn_eval: pass"
