#!/bin/sh
# cnn_bound.sh -- issue #15, acceptance 5: `bound A B --box PROP` on graph
# (convolutional) networks, read through their exact layered translation,
# is never below the maximum of |A_j - B_j| that an independent search
# finds (tests/cnn_bound.py: PyTorch float64 evaluation of the ONNX files,
# samples, vertices and gradient ascent), B a copy of A with weights moved
# by up to 1%, and A itself; on cifar_base_kw with one property (the other
# networks: bench/bench_cnn_bound.sh). Also `convert --unroll` of a graph
# network evaluates exactly like the graph, and a MaxPool network too wide
# to unroll is refused with one line naming the file.
# Seeded by LUMPNET_SEED (printed by the script).
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
need_cnn
"$PY" -c 'import torch' 2>/dev/null || skip "no PyTorch (Debian: python3-torch)"
V=$D/oval21
"$PY" "$TESTS/cnn_bound.py" "$LUMPNET" "$TMP" "$V/cifar_base_kw.onnx" \
  "$V/cifar_base_kw-img1598-eps0.0026143790849673205.vnnlib" || fail "bound below the observed maximum"
# convert --unroll: the layered network equals the graph at rational points
"$LUMPNET" convert "$V/cifar_base_kw.onnx" "$TMP/unrolled.json" --unroll || fail "convert --unroll"
"$LUMPNET" info "$TMP/unrolled.json" | grep -q "layers:   4" || fail "unrolled cifar_base_kw: not 4 layers"
"$PY" -c '
import random, sys
random.seed(int(sys.argv[1]))
for _ in range(2):
    print(",".join("%d/%d" % (random.randint(-999, 999), random.randint(1, 997)) for _ in range(3072)))
' "${LUMPNET_SEED:-15}" > "$TMP/points.txt"
"$LUMPNET" eval --exact --inputs "$TMP/points.txt" "$V/cifar_base_kw.onnx" > "$TMP/graph.txt" || fail "eval graph"
"$LUMPNET" eval --exact --inputs "$TMP/points.txt" "$TMP/unrolled.json" > "$TMP/layers.txt" || fail "eval layers"
[ -s "$TMP/graph.txt" ] && cmp -s "$TMP/graph.txt" "$TMP/layers.txt" \
  || fail "the unrolled network differs from the graph at rational points"
# too wide to unroll: one line, exit 2, no file
"$LUMPNET" convert $D/verivital/Convnet_maxpool.onnx "$TMP/mp.json" --unroll 2>"$TMP/err" >/dev/null
rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l < "$TMP/err")" -eq 1 ] && grep -q "Convnet_maxpool.onnx: .*dense weights" "$TMP/err" \
  || fail "convert --unroll of Convnet_maxpool: exit $rc, $(cat "$TMP/err")"
[ -e "$TMP/mp.json" ] && fail "a refused convert --unroll left a file"
echo "cnn_bound: pass"
