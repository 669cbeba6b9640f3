#!/bin/sh
# cnn_mpfr.sh -- issue #15: `eval --mpfr` on convolutional networks (their
# exact translation into layers). The exact value (`eval --exact`) lies in
# every printed interval on verivital's Convnet_avgpool and Convnet_maxpool
# (too large to unroll: interval arithmetic on the graph) at a seeded
# random point (on the graph an interval is the exact value rounded
# outward: at most 2 ulps wide); on a small CNN with sigmoid and tanh (no exact evaluation there),
# the float64 PyTorch reference of cnn_ref.py lies within 1e-12 of every
# interval, and the intervals are narrow. Seed: LUMPNET_SEED (printed).
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
need_cnn
SEED=${LUMPNET_SEED:-21}
echo "cnn_mpfr.sh: seed $SEED (LUMPNET_SEED)"
"$PY" - "$LUMPNET" "$D/verivital/Convnet_avgpool.onnx" "$TMP" "$SEED" "$TESTS" \
  "$D/verivital/Convnet_maxpool.onnx" <<'PYEOF' || fail "eval --mpfr of CNNs"
import random, re, subprocess, sys
from fractions import Fraction
lum, net, tmp, seed, tests = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
sys.path.insert(0, tests)
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
from cnn_ref import torch_eval
rng = random.Random(seed)

def intervals(path, x):
    out = subprocess.run([lum, "eval", path, "--mpfr", "80", "--input", ",".join(map(str, x))],
                         check=True, capture_output=True, text=True).stdout
    return [(Fraction(a), Fraction(b)) for a, b in re.findall(r"\[([^,\]]+), ([^\]]+)\]", out)]

# Convnet_maxpool is too large to unroll: enclosed on the graph itself
for path in (net, sys.argv[6]):
    x = [Fraction(rng.randint(0, 255), 255) for _ in range(784)]
    iv = intervals(path, [f"{v.numerator}/{v.denominator}" for v in x])
    ex = subprocess.run([lum, "eval", path, "--exact", "--input",
                         ",".join(f"{v.numerator}/{v.denominator}" for v in x)],
                        check=True, capture_output=True, text=True).stdout.strip().split(",")
    ex = [Fraction(t) for t in ex]
    assert len(iv) == len(ex) == 10, (len(iv), len(ex))
    for (lo, hi), e in zip(iv, ex):
        assert lo <= e <= hi, f"exact {float(e)} outside [{float(lo)}, {float(hi)}]"
        # on the graph: the exact value rounded outward, one ulp at 80 bits
        assert path == net or hi - lo <= abs(e) * Fraction(1, 2 ** 78), "a wide interval"
    print(f"{path.rsplit('/', 1)[-1]}: the exact outputs lie in all 10 intervals (widest {float(max(h - l for l, h in iv)):.3g})")

# a small CNN with sigmoid and tanh
r = np.random.default_rng(seed)
W1 = numpy_helper.from_array(r.standard_normal((3, 1, 3, 3)).astype(np.float32), "W1")
B1 = numpy_helper.from_array(r.standard_normal(3).astype(np.float32), "B1")
G = numpy_helper.from_array(r.standard_normal((2, 12)).astype(np.float32), "G")
nodes = [helper.make_node("Conv", ["x", "W1", "B1"], ["c"], name="conv", pads=[1, 1, 1, 1], strides=[2, 2]),
         helper.make_node("Sigmoid", ["c"], ["s"], name="sig"),
         helper.make_node("Flatten", ["s"], ["f"], name="flat"),
         helper.make_node("Gemm", ["f", "G"], ["g"], name="dense", transB=1),
         helper.make_node("Tanh", ["g"], ["y"], name="tanh")]
gr = helper.make_graph(nodes, "sig", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 4, 4])],
                       [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])], [W1, B1, G])
m = helper.make_model(gr, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 7
onnx.save(m, f"{tmp}/sig.onnx")
for k in range(3):
    x = [rng.uniform(-1, 1) for _ in range(16)]
    iv = intervals(f"{tmp}/sig.onnx", [repr(v) for v in x])
    ref = torch_eval(f"{tmp}/sig.onnx", [x])[0]
    for (lo, hi), t in zip(iv, ref):
        assert float(hi - lo) < 1e-15, f"interval too wide: {float(hi - lo)}"
        assert float(lo) - 1e-12 <= t <= float(hi) + 1e-12, f"torch {t} outside [{float(lo)}, {float(hi)}]"
print("sigmoid/tanh CNN: the torch reference lies in every interval at 3 points")
PYEOF
echo ok
