#!/bin/sh
# cnn_lump.sh -- issue #15, acceptance 3: channel redundancy planted into
# cifar_base_kw and resnet_2b by tests/cnn_plant.py (duplicated channels
# with split outgoing weights, 2^k-scaled channels through ReLU, dead and
# constant channels, permuted channels; numpy on the ONNX initializers, not
# lumpnet code) is reduced back to the original channel count of every
# convolution; the quotient equals the planted and the original network
# exactly at random rational points (eval --exact); `check` accepts the
# certificate and rejects a wrong scale, a wrong block and a changed
# quotient weight (exit 1), and a malformed certificate with exit 2 and one
# line naming the file and the place; `equiv` proves planted = original,
# quotient = original and original = a channel-permuted copy, and finds a
# network with one changed bias different. A small network lumps through a
# zero Pad without expanding the channels back.
# Seeded by LUMPNET_SEED (printed).
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
V=vnncomp2021
need_data $V/oval21/cifar_base_kw.onnx $V/cifar10_resnet/resnet_2b.onnx
find_python
D=$DATA/$V
SEED=${LUMPNET_SEED:-$(date +%s)}
echo "seed $SEED (LUMPNET_SEED=$SEED replays it)"
H="$PY $TESTS/cnn_lump_help.py"

for net in oval21/cifar_base_kw cifar10_resnet/resnet_2b; do
  orig=$D/$net.onnx
  b=$(basename $net)
  P=$TMP/$b.planted.onnx
  Q=$TMP/$b.q.json
  C=$TMP/$b.cert.json
  $PY $TESTS/cnn_plant.py "$orig" "$P" --seed "$SEED" >/dev/null || fail "$b: planting"
  "$LUMPNET" reduce "$P" -o "$Q" --cert "$C" --json > "$TMP/$b.reduce.json" \
    || fail "$b: reduce of the planted network"
  "$LUMPNET" info "$orig" --json > "$TMP/$b.info.json" || fail "$b: info"
  $H counts "$TMP/$b.info.json" "$TMP/$b.reduce.json" || fail "$b: channel counts"
  # the same function, exactly, at random rational points
  $H points "$orig" "$SEED" > "$TMP/$b.points" || fail "$b: points"
  for n in "$orig" "$P" "$Q"; do
    "$LUMPNET" eval "$n" --exact --inputs "$TMP/$b.points" > "$TMP/$b.out.$(basename "$n")" \
      || fail "$b: eval --exact of $n"
  done
  cmp -s "$TMP/$b.out.$(basename "$orig")" "$TMP/$b.out.$(basename "$P")" \
    || fail "$b: the planted network is not the original (the planting is wrong)"
  cmp -s "$TMP/$b.out.$(basename "$orig")" "$TMP/$b.out.$(basename "$Q")" \
    || fail "$b: the quotient differs from the original at an exact point"
  [ -s "$TMP/$b.out.$(basename "$Q")" ] || fail "$b: no exact outputs"
  # the certificate
  out=$("$LUMPNET" check "$P" "$Q" "$C") || fail "$b: check refuses the certificate: $out"
  for t in scale block weight; do
    $H tamper "$t" "$C" "$Q" "$TMP/$b.t.cert.json" "$TMP/$b.t.q.json" || fail "$b: tamper $t"
    "$LUMPNET" check "$P" "$TMP/$b.t.q.json" "$TMP/$b.t.cert.json" > "$TMP/out" 2>&1
    rc=$?
    [ "$rc" -eq 1 ] && grep -q "^invalid: " "$TMP/out" \
      || fail "$b: a certificate with a wrong $t: exit $rc, $(cat "$TMP/out")"
  done
  # malformed: exit 2, one line naming the file and the place
  $H malformed "$C" "$TMP/$b.bad.json" || fail "$b: malformed"
  "$LUMPNET" check "$P" "$Q" "$TMP/$b.bad.json" > /dev/null 2> "$TMP/err"
  rc=$?
  [ "$rc" -eq 2 ] && [ "$(wc -l < "$TMP/err")" -eq 1 ] \
    && grep -q "$b.bad.json: nodes\[1\].scale\[0\]" "$TMP/err" \
    || fail "$b: malformed certificate: exit $rc, $(cat "$TMP/err")"
  # equivalence
  for pair in "$P $orig" "$Q $orig"; do
    "$LUMPNET" equiv $pair --cert "$TMP/$b.eq.json" > "$TMP/out" \
      || fail "$b: equiv $pair: $(cat "$TMP/out")"
    grep -q "^equivalent" "$TMP/out" || fail "$b: equiv $pair: $(cat "$TMP/out")"
    "$LUMPNET" check $pair "$TMP/$b.eq.json" > /dev/null \
      || fail "$b: check of the equivalence certificate of $pair"
  done
  $PY $TESTS/cnn_plant.py "$orig" "$TMP/$b.perm.onnx" --seed "$SEED" --ops perm >/dev/null \
    || fail "$b: permuting"
  "$LUMPNET" equiv "$orig" "$TMP/$b.perm.onnx" | grep -q "^equivalent" \
    || fail "$b: equiv of the original and a channel-permuted copy"
  $H bias "$orig" "$TMP/$b.bias.onnx" || fail "$b: changing a bias"
  "$LUMPNET" equiv "$orig" "$TMP/$b.bias.onnx" > "$TMP/out"
  rc=$?
  [ "$rc" -eq 1 ] && grep -q "^different" "$TMP/out" \
    || fail "$b: equiv with a changed output bias: exit $rc, $(cat "$TMP/out")"
  echo "$b: planted -> original channel counts, exact at 2 points, check, tamper, equiv: ok"
done

# Lumping through a zero Pad (verivital's Conv -> Relu -> Pad -> AveragePool
# -> Flatten -> Gemm): a channel that is 2x another and a dead one merge
# away, and the quotient is a smaller CNN of the same operators (no
# expansion back to the original channels); a constant channel stays (the
# pad's zeros break it); exact at random rational points, certificate
# accepted.
"$PY" - "$TMP/padnet.onnx" "$SEED" <<'PYEOF' || fail "writing the Pad network"
import sys, numpy as np, onnx
from onnx import helper, numpy_helper as nh
T = onnx.TensorProto
rng = np.random.default_rng(int(sys.argv[2]) % (2 ** 32))
W = (rng.integers(-8, 9, (5, 1, 2, 2)) / 8).astype(np.float32)
B = (rng.integers(-8, 9, 5) / 8).astype(np.float32)
W[3], B[3] = 2 * W[1], 2 * B[1]        # channel 3 = 2 x channel 1
W[4], B[4] = 0, -1                     # dead: relu(-1) = 0
W[2], B[2] = 0, 0.5                    # constant 0.5, but padded around
G = (rng.integers(-8, 9, (3, 5 * 3 * 3)) / 8).astype(np.float32)
nodes = [helper.make_node("Conv", ["x", "W", "B"], ["c"]), helper.make_node("Relu", ["c"], ["r"]),
         helper.make_node("Pad", ["r", "pads"], ["p"]),
         helper.make_node("AveragePool", ["p"], ["a"], kernel_shape=[2, 2], strides=[2, 2]),
         helper.make_node("Flatten", ["a"], ["f"]), helper.make_node("Gemm", ["f", "G"], ["y"], transB=1)]
g = helper.make_graph(nodes, "pad", [helper.make_tensor_value_info("x", T.FLOAT, ["N", 1, 5, 5])],
                      [helper.make_tensor_value_info("y", T.FLOAT, ["N", 3])],
                      [nh.from_array(W, "W"), nh.from_array(B, "B"), nh.from_array(G, "G"),
                       nh.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pads")])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), sys.argv[1])
PYEOF
"$LUMPNET" reduce "$TMP/padnet.onnx" -o "$TMP/padq.json" --cert "$TMP/padq.cert" >/dev/null \
  || fail "reduce of the Pad network"
"$LUMPNET" info "$TMP/padq.json" > "$TMP/padq.info" || fail "info of the Pad quotient"
grep -q "conv *3x4x4" "$TMP/padq.info" && ! grep -qE "gather|affine" "$TMP/padq.info" \
  || fail "the Pad network's quotient: $(cat "$TMP/padq.info")"
"$LUMPNET" check "$TMP/padnet.onnx" "$TMP/padq.json" "$TMP/padq.cert" >/dev/null \
  || fail "check of the Pad network's certificate"
"$PY" -c '
import random, sys
random.seed(int(sys.argv[1]))
for _ in range(3):
    print(",".join("%d/%d" % (random.randint(-99, 99), random.randint(1, 97)) for _ in range(25)))
' "$SEED" > "$TMP/pad.points"
"$LUMPNET" eval --exact "$TMP/padnet.onnx" --inputs "$TMP/pad.points" > "$TMP/pad.y0" || fail "eval"
"$LUMPNET" eval --exact "$TMP/padq.json" --inputs "$TMP/pad.points" > "$TMP/pad.y1" || fail "eval q"
[ -s "$TMP/pad.y0" ] && cmp -s "$TMP/pad.y0" "$TMP/pad.y1" \
  || fail "the Pad network's quotient differs at an exact point"
echo "pad: 5 -> 3 channels through Conv, Relu, Pad, AveragePool; exact at 3 points, check: ok"
exit 0
