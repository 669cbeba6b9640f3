#!/bin/sh
# bench_cnn_lump.sh -- issue #15, acceptance 6 (lumping part): the exact
# channel-level lumping pass on resnet_2b.onnx, file loading excluded, CPU
# seconds, median of 9 runs (target at most 0.100 s), with the independent
# checker's time beside it; the same on cifar_base_kw and on both networks
# with planted redundancy (tests/cnn_plant.py, seed 1), where merged blocks
# and folded constants make the signatures longer.
#
#   sh bench/bench_cnn_lump.sh BUILD_DIR [DATA_DIR]
#
# BUILD_DIR is the build folder (bench/bench_glump is built there with
# make). DATA_DIR defaults to $LUMPNET_DATA, else ../shared/data next to the
# source tree. The planted networks need /usr/bin/python3 with onnx and
# numpy (Debian python3-onnx).
set -eu
B=$(cd "${1:?usage: bench_cnn_lump.sh BUILD_DIR [DATA_DIR]}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
V=${2:-${LUMPNET_DATA:-$HERE/../../shared/data}}/vnncomp2021
PY=${PYTHON:-/usr/bin/python3}
(cd "$B" && make -s bench/bench_glump >/dev/null)
GB=$B/bench/bench_glump
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lumpnet-bench-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
echo "load: $(uptime)"
for net in cifar10_resnet/resnet_2b oval21/cifar_base_kw; do
    b=$(basename $net)
    echo "== $b.onnx"
    "$GB" "$V/$net.onnx" 9
    if "$PY" "$HERE/../tests/cnn_plant.py" "$V/$net.onnx" "$TMP/$b.planted.onnx" --seed 1 \
        >/dev/null 2>&1; then
        echo "== $b with planted redundancy (tests/cnn_plant.py --seed 1)"
        "$GB" "$TMP/$b.planted.onnx" 9
    fi
done
echo "target: the partition of resnet_2b.onnx at most 0.100 s CPU"
