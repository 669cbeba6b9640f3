#!/bin/sh
# make.sh -- regenerate the figures of docs/gallery. Run from the repository
# root with the build directory (holding lumpnet and tests/widen):
#   docs/gallery/make.sh BUILD_DIR
# The real networks come from LUMPNET_DATA (default ../shared/data).
set -eu
B=${1:?usage: docs/gallery/make.sh BUILD_DIR}
LUMPNET=$B/lumpnet
WIDEN=$B/tests/widen
DATA=${LUMPNET_DATA:-../shared/data}
G=docs/gallery
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lumpnet-gallery-XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# 1. the counterexample of DESIGN section 2: a and b = 2a are one block;
#    p (weights 1, 1) and q (weights 2, 0) have equal plain sums but
#    scale-weighted sums 3 and 2, so they stay apart
for ext in svg png; do
  "$LUMPNET" draw $G/counterexample.json --reduce -o $G/counterexample.$ext \
    --title "DESIGN §2 counterexample"
done

# 2. a planted ACAS Xu network, reduced back to its original 300 hidden neurons
"$WIDEN" "$DATA/acasxu/ACASXU_run2a_1_1_batch_2000.nnet" "$TMP/acas_1_1_planted.json" \
  --seed 1 --dup 4 --mult 3 --dead 2 --const 2
"$LUMPNET" draw "$TMP/acas_1_1_planted.json" --reduce -o $G/acas_1_1_planted.svg \
  --title "ACAS Xu 1_1 with planted redundancy" --max-width 20 --max-edges 40

# 3. MNIST 256x2 (784 inputs), summarised
"$LUMPNET" draw "$DATA/vnncomp2021/mnistfc/mnist-net_256x2.onnx" -o $G/mnist_256x2.svg \
  --title "MNIST 256x2" --max-width 16 --max-edges 32

# 4. ACAS Xu 1_1 reduced on property 3, drawn from its box certificate
"$LUMPNET" reduce "$DATA/vnncomp2021/acasxu/ACASXU_run2a_1_1_batch_2000.onnx" \
  --box "$DATA/vnncomp2021/acasxu/prop_3.vnnlib" -o "$TMP/acas_p3.json" \
  --cert "$TMP/acas_p3.cert.json" --quiet >/dev/null
"$LUMPNET" draw "$DATA/vnncomp2021/acasxu/ACASXU_run2a_1_1_batch_2000.onnx" \
  --cert "$TMP/acas_p3.cert.json" -o $G/acas_1_1_prop_3.svg \
  --title "ACAS Xu 1_1 on property 3" --max-width 14 --max-edges 30

# 5. convolutional networks at channel level: resnet_2b (the residual skips
#    are the edges that jump columns), and cifar_base_kw with planted
#    channel redundancy (tests/cnn_plant.py), reduced back to 8 and 16
#    channels
"$LUMPNET" draw "$DATA/vnncomp2021/cifar10_resnet/resnet_2b.onnx" -o $G/resnet_2b.svg \
  --title "resnet_2b (CIFAR-10)" --max-width 16 --max-edges 32
/usr/bin/python3 tests/cnn_plant.py "$DATA/vnncomp2021/oval21/cifar_base_kw.onnx" \
  "$TMP/cifar_planted.onnx" --seed 3 --ops dup,scale,dead,const >/dev/null
"$LUMPNET" draw "$TMP/cifar_planted.onnx" --reduce -o $G/cifar_base_kw_planted.svg \
  --title "cifar_base_kw with planted channels" --max-width 16 --max-edges 32
