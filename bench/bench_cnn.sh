#!/bin/sh
# bench_cnn.sh -- the graph (CNN) model of issue #15, acceptance 1 and 6:
#  (1) load + `info` of resnet_2b.onnx: median wall time of 9 runs (target
#      at most 50 ms), with peak memory;
#  (2) double evaluator throughput on a batch of 1000 seeded random images
#      (bench/bench_graph) next to single-threaded PyTorch on the same batch
#      size (bench/bench_cnn_torch.py, torch.nn.functional, float64 and
#      float32), CPU seconds, the two run alternately 3 times (target: within
#      3x of PyTorch);
#  (3) acceptance 1 in full: `eval` against torch at each property's box
#      centre and 20 random points (tests/cnn_ref.py, CNN_POINTS=20).
#
#   sh bench/bench_cnn.sh BUILD_DIR [DATA_DIR]
#
# BUILD_DIR is the build folder (its lumpnet; bench/bench_graph is built
# there with make). DATA_DIR defaults to $LUMPNET_DATA, else ../shared/data
# next to the source tree. Needs GNU time, /usr/bin/python3 with onnx,
# numpy and torch (Debian python3-onnx, python3-torch).
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_DIR [DATA_DIR]" >&2
    exit 2
fi
B=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${2:-${LUMPNET_DATA:-$HERE/../../shared/data}}
V=$DATA/vnncomp2021
PY=${PYTHON:-/usr/bin/python3}
BIN=$B/lumpnet
. "$HERE/timing.sh"
(cd "$B" && make -s bench/bench_graph >/dev/null)
GB=$B/bench/bench_graph
[ -x "$B/bench/.libs/bench_graph" ] && GB=$B/bench/.libs/bench_graph

echo "== (1) load + info of resnet_2b.onnx (median of 9 runs; target <= 0.050 s)"
set -- $(median_run 9 "$BIN" info "$V/cifar10_resnet/resnet_2b.onnx")
awk -v t="$1" -v m="$2" 'BEGIN { printf "resnet_2b.onnx: %.4f s wall, peak %.1f MB: %s\n", t, m / 1024,
    t <= 0.05 ? "ok" : "OVER" }'
# on a loaded machine the wall time is mostly the process start (shared
# libraries): the same for `lumpnet --version`, and the CPU time besides
set -- $(median_run 9 "$BIN" --version)
awk -v t="$1" 'BEGIN { printf "lumpnet --version (process start alone): %.4f s wall\n", t }'
for i in 1 2 3 4 5 6 7 8 9; do
    "$GNUTIME" -f '%U %S' -o "$TMP/cpu" "$BIN" info "$V/cifar10_resnet/resnet_2b.onnx" >/dev/null
    tail -n 1 "$TMP/cpu"
done | awk '{ print $1 + $2 }' | sort -n | sed -n 5p |
    awk '{ printf "resnet_2b.onnx: %.3f s CPU (user+sys, median of 9; GNU time has 10 ms steps)\n", $1 }'

echo "== (2) double evaluator, batch of 1000, CPU seconds (3 alternating rounds)"
for n in cifar10_resnet/resnet_2b.onnx oval21/cifar_base_kw.onnx oval21/cifar_deep_kw.onnx \
         verivital/Convnet_maxpool.onnx marabou-cifar10/cifar10_medium.onnx; do
    for r in 1 2 3; do
        "$GB" "$V/$n" 1000 1 "$r" | awk -v n="$(basename "$n")" '{ print n, "lumpnet", $0 }'
        "$PY" "$HERE/bench_cnn_torch.py" "$V/$n" 1000 "$r" | awk -v n="$(basename "$n")" '{ print n, $0 }'
    done
done >"$TMP/tp"
awk '
  $2 == "lumpnet" { l[$1] = (l[$1] == "" || $6 < l[$1]) ? $6 : l[$1] }
  $2 == "torch" && $3 == "float64" { t64[$1] = (t64[$1] == "" || $7 < t64[$1]) ? $7 : t64[$1] }
  $2 == "torch" && $3 == "float32" { t32[$1] = (t32[$1] == "" || $7 < t32[$1]) ? $7 : t32[$1] }
  END {
    printf "%-22s %12s %12s %12s %10s %10s  %s\n", "network", "lumpnet/s", "torch64/s",
           "torch32/s", "vs64", "vs32", "verdict (within 3x of torch float32)"
    for (n in l) printf "%-22s %12.0f %12.0f %12.0f %9.2fx %9.2fx  %s\n", n, 1000 / l[n],
        1000 / t64[n], 1000 / t32[n], t64[n] / l[n], t32[n] / l[n],
        (l[n] <= 3 * t32[n]) ? "ok" : "OVER" }' "$TMP/tp"
echo "(images per second from the best of 3 rounds; vsNN = lumpnet speed / torch speed)"

echo "== (3) eval against torch at box centres and 20 random points (tests/cnn_ref.py)"
CNN_POINTS=20 TMPDIR_CNN=$TMP "$PY" "$HERE/../tests/cnn_ref.py" eval "$BIN" \
    "$V/verivital/Convnet_avgpool.onnx" "$V"/verivital/avgpool_prop_*.vnnlib \
 -- "$V/verivital/Convnet_maxpool.onnx" "$V"/verivital/maxpool_prop_*.vnnlib \
 -- "$V/oval21/cifar_base_kw.onnx" "$V"/oval21/cifar_base_kw-*.vnnlib \
 -- "$V/oval21/cifar_deep_kw.onnx" "$V"/oval21/cifar_deep_kw-*.vnnlib \
 -- "$V/marabou-cifar10/cifar10_small.onnx" "$V"/marabou-cifar10/networkcifar10_small_*.vnnlib \
 -- "$V/marabou-cifar10/cifar10_medium.onnx" "$V"/marabou-cifar10/networkcifar10_medium_*.vnnlib \
 -- "$V/cifar10_resnet/resnet_2b.onnx" "$V"/cifar10_resnet/*.vnnlib
