#!/bin/sh
# bench_cnn_bound.sh -- issue #15, acceptance 5 on every shared CNN (the
# ones that unroll through their layered form; Convnet_maxpool, 2.1e8
# dense weights unrolled, through differential intervals on the graph,
# with its box-guided relax at eps 2 as well): for each
# network and one property, `bound A B --box PROP` (A and a copy with
# weights moved by up to 1%, both unrolled into layers) against the
# maximum of |A_j - B_j| found by tests/cnn_bound.py (PyTorch samples,
# vertices, gradient ascent); prints per output bound, observed and ratio,
# and the bound's CPU seconds. Also the unroll itself: `convert --unroll`
# CPU seconds and peak memory per network (written as JSON, since ONNX
# Gemm layers cannot mix activations; the JSON writer dominates both).
#
#   sh bench/bench_cnn_bound.sh BUILD_DIR [DATA_DIR] [--lp]
#
# Without --lp, bound runs with --no-lp (intervals, symbolic bounds and the
# exact weak-duality certificate; the LP on 3072-input networks takes
# minutes per output). Needs GNU time and /usr/bin/python3 with onnx,
# numpy and torch.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [DATA_DIR] [--lp]" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd) B=$(cd "$1" && pwd)
D=${2:-${LUMPNET_DATA:-$HERE/../../shared/data}}/vnncomp2021
LP=${3:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
uptime
for n in verivital/Convnet_avgpool oval21/cifar_base_kw oval21/cifar_deep_kw \
         marabou-cifar10/cifar10_small marabou-cifar10/cifar10_medium cifar10_resnet/resnet_2b; do
    /usr/bin/time -f "$n: convert --unroll %U s user %S s sys, %M KB peak" \
        "$B/lumpnet" convert "$D/$n.onnx" "$T/u.json" --unroll
    "$B/lumpnet" info "$T/u.json" | grep -E "layers|params"
done
/usr/bin/python3 "$HERE/../tests/cnn_bound.py" "$B/lumpnet" "$T" $LP \
    "$D/oval21/cifar_base_kw.onnx" "$D/oval21/cifar_base_kw-img1598-eps0.0026143790849673205.vnnlib" \
    -- "$D/cifar10_resnet/resnet_2b.onnx" "$D/cifar10_resnet/resnet2b_prop_0_eps_0.008.vnnlib" \
    -- "$D/marabou-cifar10/cifar10_small.onnx" \
       "$D/marabou-cifar10/networkcifar10_small_index1189_eps0.012_target1_orig0.vnnlib" \
    -- "$D/oval21/cifar_deep_kw.onnx" "$D/oval21/cifar_deep_kw-img386-eps0.024183006535947717.vnnlib" \
    -- "$D/marabou-cifar10/cifar10_medium.onnx" \
       "$D/marabou-cifar10/networkcifar10_medium_index1189_eps0.012_target1_orig0.vnnlib" \
    -- "$D/verivital/Convnet_avgpool.onnx" "$D/verivital/avgpool_prop_0_0.02.vnnlib"
CNN_BOUND_RELAX=2 /usr/bin/python3 "$HERE/../tests/cnn_bound.py" "$B/lumpnet" "$T" \
    "$D/verivital/Convnet_maxpool.onnx" "$D/verivital/maxpool_prop_0_0.004.vnnlib"
