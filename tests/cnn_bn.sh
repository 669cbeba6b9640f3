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
# A Conv read twice, once through an Identity into a BatchNormalization and
# once by an Add: the BN must not be folded into the Conv (the Add would
# read the folded values). The same network without the Identity is the
# reference (there the BN's input visibly has two readers).
"$PY" - "$TMP" "$LUMPNET_SEED" <<'PYEOF' || fail "writing the Identity networks"
import sys, numpy as np, onnx
from onnx import helper, numpy_helper as nh
T = onnx.TensorProto
rng = np.random.default_rng(int(sys.argv[2]) % (2 ** 32))
f = lambda *s: (rng.integers(-8, 9, s) / 8).astype(np.float32)
W, Bc, G = f(2, 1, 2, 2), f(2), f(2, 18)
sc, sh, mean = f(2), f(2), f(2)
var = np.array([0.75, 1.5], np.float32)
for ident in (0, 1):
    bn_in = "i" if ident else "c"
    nodes = [helper.make_node("Conv", ["x", "W", "Bc"], ["c"])]
    if ident:
        nodes.append(helper.make_node("Identity", ["c"], ["i"]))
    nodes += [helper.make_node("BatchNormalization", [bn_in, "sc", "sh", "mean", "var"], ["b"]),
              helper.make_node("Add", ["c", "b"], ["s"]), helper.make_node("Flatten", ["s"], ["fl"]),
              helper.make_node("Gemm", ["fl", "G"], ["y"], transB=1)]
    g = helper.make_graph(nodes, "idbn", [helper.make_tensor_value_info("x", T.FLOAT, ["N", 1, 4, 4])],
                          [helper.make_tensor_value_info("y", T.FLOAT, ["N", 2])],
                          [nh.from_array(a, n) for a, n in ((W, "W"), (Bc, "Bc"), (G, "G"), (sc, "sc"),
                                                            (sh, "sh"), (mean, "mean"), (var, "var"))])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]),
              "%s/idbn%d.onnx" % (sys.argv[1], ident))
print("\n".join(",".join("%d/%d" % (rng.integers(-99, 99), rng.integers(1, 97)) for _ in range(16))
                for _ in range(3)), file=open(sys.argv[1] + "/idbn.points", "w"))
PYEOF
for k in 0 1; do
  "$LUMPNET" eval "$TMP/idbn$k.onnx" --exact --inputs "$TMP/idbn.points" >"$TMP/idbn$k.out" 2>/dev/null \
    || fail "eval --exact of the Identity network $k"
done
[ -s "$TMP/idbn0.out" ] && cmp -s "$TMP/idbn0.out" "$TMP/idbn1.out" \
  || fail "a BatchNormalization behind an Identity was folded into a Conv that an Add also reads"
echo "cnn_bn: pass"
