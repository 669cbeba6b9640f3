#!/bin/sh
# cnn_bound.sh -- issue #15, acceptance 5: `bound A B --box PROP` on graph
# (convolutional) networks, read through their exact layered translation,
# is never below the maximum of |A_j - B_j| that an independent search
# finds (tests/cnn_bound.py: PyTorch float64 evaluation of the ONNX files,
# samples, vertices and gradient ascent), B a copy of A with weights moved
# by up to 1%, and A itself; on cifar_base_kw with one property (the other
# networks: bench/bench_cnn_bound.sh), and on Convnet_maxpool, whose bound
# is computed on the graphs (differential intervals; a network against
# itself: exactly 0), also for its box-guided `relax`. Also `convert --unroll` of a graph
# network evaluates exactly like the graph, and a MaxPool network too wide
# to unroll is refused with one line naming the file.
# Seeded by LUMPNET_SEED (printed by the script).
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
need_cnn
"$PY" -c 'import torch' 2>/dev/null || skip "no PyTorch (Debian: python3-torch)"
V=$D/oval21
"$PY" "$TESTS/cnn_bound.py" "$LUMPNET" "$TMP" "$V/cifar_base_kw.onnx" \
  "$V/cifar_base_kw-img1598-eps0.0026143790849673205.vnnlib" || fail "bound below the observed maximum"
# Convnet_maxpool does not unroll (2.1e8 dense weights): bound falls back to
# exact differential intervals on the graphs themselves
M=$D/verivital/Convnet_maxpool.onnx
if [ -e "$M" ]; then
  CNN_BOUND_RELAX=2 "$PY" "$TESTS/cnn_bound.py" "$LUMPNET" "$TMP" "$M" \
    "$D/verivital/maxpool_prop_1_0.004.vnnlib" \
    || fail "bound or relax of Convnet_maxpool below the observed maximum"
  "$LUMPNET" bound "$M" "$M" --box "$D/verivital/maxpool_prop_1_0.004.vnnlib" --json \
    >"$TMP/mpself.json" 2>/dev/null || fail "bound of Convnet_maxpool against itself"
  "$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["certified"] and r["encoding"] == "graph-differential", r
assert max(r["bound"]) == 0, r["bound"]
' "$TMP/mpself.json" || fail "Convnet_maxpool against itself: not a certified bound of 0"
  # equiv on the box through the same intervals: itself (bound 0), the
  # perturbed copy within 1 (bounds about 0.04), not within 1e-9 (a
  # witness, or unknown, but never "equivalent")
  MPP=$D/verivital/maxpool_prop_1_0.004.vnnlib
  "$LUMPNET" equiv "$M" "$M" --box "$MPP" >"$TMP/eq.out" 2>&1 && grep -q "^equivalent" "$TMP/eq.out" \
    || fail "equiv Convnet_maxpool itself on a box: $(cat "$TMP/eq.out")"
  "$LUMPNET" equiv "$M" "$TMP/perturbed_0.onnx" --box "$MPP" --tolerance 1 >"$TMP/eq.out" 2>&1 \
    && grep -q "^equivalent within 1" "$TMP/eq.out" || fail "equiv within 1: $(cat "$TMP/eq.out")"
  "$LUMPNET" equiv "$M" "$TMP/perturbed_0.onnx" --box "$MPP" --tolerance 1/1000000000 --json \
    >"$TMP/eq.json" 2>"$TMP/eq.err"
  rc=$?
  [ "$rc" -eq 1 ] || [ "$rc" -eq 3 ] || fail "equiv within 1e-9: exit $rc, $(cat "$TMP/eq.err")"
  if [ "$rc" -eq 1 ]; then # the witness, checked by exact evaluation here
    "$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["verdict"] == "different"
print(",".join(r["witness"]))' "$TMP/eq.json" >"$TMP/w.txt" || fail "witness"
    "$LUMPNET" eval --exact "$M" --inputs "$TMP/w.txt" >"$TMP/wa" || fail "eval A"
    "$LUMPNET" eval --exact "$TMP/perturbed_0.onnx" --inputs "$TMP/w.txt" >"$TMP/wb" || fail "eval B"
    cmp -s "$TMP/wa" "$TMP/wb" && fail "the witness gives equal outputs"
  fi
  echo "equiv of Convnet_maxpool on a box: itself proved, within 1 proved, within 1e-9 exit $rc"
fi
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
# equiv --box and --tolerance on graph networks (through the same path): a
# small CNN, its copy with permuted channels (equal), and a copy with one
# dense weight moved by 1% (different, by less than 0.1)
"$PY" - "$TMP" <<'PYEOF' || fail "writing the small CNNs"
import sys, numpy as np, onnx
from onnx import helper, numpy_helper as nh
T = onnx.TensorProto
rng = np.random.default_rng(3)
W1 = (rng.standard_normal((3, 1, 3, 3)) / 2).astype(np.float32)
B1 = rng.standard_normal(3).astype(np.float32)
W2 = (rng.standard_normal((2, 48)) / 2).astype(np.float32)
B2 = rng.standard_normal(2).astype(np.float32)
def save(w1, b1, w2, name):
    nodes = [helper.make_node("Conv", ["x", "W1", "B1"], ["c"]), helper.make_node("Relu", ["c"], ["r"]),
             helper.make_node("Flatten", ["r"], ["f"]),
             helper.make_node("Gemm", ["f", "W2", "B2"], ["y"], transB=1)]
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", T.FLOAT, ["N", 1, 6, 6])],
                          [helper.make_tensor_value_info("y", T.FLOAT, ["N", 2])],
                          [nh.from_array(w1, "W1"), nh.from_array(b1, "B1"), nh.from_array(w2, "W2"),
                           nh.from_array(b2, "B2")])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), sys.argv[1] + "/" + name)
b2 = B2
p = [2, 0, 1]
save(W1, B1, W2, "a.onnx")
save(W1[p], B1[p], W2.reshape(2, 3, 16)[:, p, :].reshape(2, 48), "b.onnx")
W2c = W2.copy()
W2c[0, 5] *= np.float32(1.01)
save(W1, B1, W2c, "c.onnx")
PYEOF
BOX=0:1
for _ in $(seq 35); do BOX="$BOX,0:1"; done
"$LUMPNET" equiv "$TMP/a.onnx" "$TMP/b.onnx" --box "$BOX" >/dev/null 2>&1 \
  || fail "equiv --box: a CNN and its channel permutation are not proved equal"
"$LUMPNET" equiv "$TMP/a.onnx" "$TMP/c.onnx" --box "$BOX" >/dev/null 2>&1
[ $? -eq 1 ] || fail "equiv --box: a moved weight not found different"
"$LUMPNET" equiv "$TMP/a.onnx" "$TMP/c.onnx" --box "$BOX" --tolerance 0.1 >/dev/null 2>&1 \
  || fail "equiv --tolerance 0.1: not proved"
"$LUMPNET" equiv "$TMP/a.onnx" "$TMP/c.onnx" --box "$BOX" --tolerance 0.0001 >/dev/null 2>&1
[ $? -eq 1 ] || fail "equiv --tolerance 0.0001: not found different"
echo "cnn_bound: pass"
