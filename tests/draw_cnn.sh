#!/bin/sh
# draw_cnn.sh -- issue #15: `draw` of convolutional and residual networks
# at channel level. The DOT (the graph handed to Graphviz) is read back
# here: a node per channel of every Conv (wide tensors summarised by a
# "+N more" node), the outputs double-circled, the residual skip of
# resnet_2b drawn as an edge from the ReLU it skips from to the Add; a
# planted network (cnn_plant.py: duplicated, scaled, dead and constant
# channels) drawn with --reduce colours its merged channels, dashes its
# removed ones and draws the quotient with the original channel counts;
# --cert draws a checked certificate and refuses a tampered one (exit 1);
# --eps on a CNN is refused (exit 2), and no file is left.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
NET=$TESTS/../examples/digits_cnn/digits_cnn.onnx
"$LUMPNET" draw "$NET" -o "$TMP/d.dot" >/dev/null || fail "draw of the digits CNN"
for c in 0 15; do
  grep -q "o1_$c[[:space:]]*\[" "$TMP/d.dot" || fail "conv channel $c of node 1 is not drawn"
done
grep -q "o1_16[[:space:]]*\[" "$TMP/d.dot" && fail "node 1 has 16 channels, a 17th was drawn"
grep -q 'o3_more' "$TMP/d.dot" || fail "the 32-channel conv is not summarised"
sed -n '/o6_0[[:space:]]*\[/,/\]/p' "$TMP/d.dot" | grep -q 'peripheries=2' ||
  fail "the outputs are not double-circled"
"$LUMPNET" draw "$NET" -o "$TMP/d.svg" --json >"$TMP/r.json" || fail "draw --json"
grep -q '"model": "graph"' "$TMP/r.json" && grep -q '"nodes": 115' "$TMP/r.json" ||
  fail "draw --json report: $(cat "$TMP/r.json")"
grep -q '<svg' "$TMP/d.svg" || fail "no SVG written"
expect_exit 2 "$LUMPNET" draw "$NET" --eps 1 --box 0:1 -o "$TMP/e.svg"
[ ! -e "$TMP/e.svg" ] || fail "a refused draw wrote a file"

need_data vnncomp2021/cifar10_resnet/resnet_2b.onnx vnncomp2021/oval21/cifar_base_kw.onnx
find_python
D=$DATA/vnncomp2021
"$LUMPNET" draw "$D/cifar10_resnet/resnet_2b.onnx" -o "$TMP/res.dot" >/dev/null || fail "draw resnet_2b"
# node 12 adds conv 11 and the skip from relu 8
grep -Eq 'o8_[0-9]+(:e)? -> o12_[0-9]+' "$TMP/res.dot" || fail "the residual skip 8 -> 12 is not drawn"
grep -Eq 'o11_[0-9]+(:e)? -> o12_[0-9]+' "$TMP/res.dot" || fail "the conv input of the Add is not drawn"

"$PY" "$TESTS/cnn_plant.py" "$D/oval21/cifar_base_kw.onnx" "$TMP/p.onnx" --seed 3 \
  --ops dup,scale,dead,const >/dev/null || fail "planting"
"$LUMPNET" draw "$TMP/p.onnx" --reduce -o "$TMP/p.dot" >/dev/null || fail "draw --reduce"
grep -q 'fillcolor="#77AADD"\|fill="#77AADD"\|#77AADD' "$TMP/p.dot" || fail "no merged block coloured"
grep -q 'dashed' "$TMP/p.dot" || fail "no removed channel dashed"
grep -q "q1_7[[:space:]]*\[" "$TMP/p.dot" || fail "the quotient's first conv lacks channel 7"
grep -q "q1_8[[:space:]]*\[" "$TMP/p.dot" && fail "the quotient's first conv has more than 8 channels"
"$LUMPNET" reduce "$TMP/p.onnx" -o "$TMP/q.onnx" --cert "$TMP/c.json" >/dev/null || fail "reduce"
"$LUMPNET" draw "$TMP/p.onnx" --cert "$TMP/c.json" -o "$TMP/pc.svg" >/dev/null || fail "draw --cert"
# the first scale other than 1 in the certificate made wrong
"$PY" - "$TMP/c.json" "$TMP/bad.json" <<'PYEOF' || fail "tampering"
import json, sys
c = json.load(open(sys.argv[1]))
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "scale" and isinstance(v, list):
                for i, x in enumerate(v):
                    if x != "1":
                        v[i] = "3/7" if x != "3/7" else "5/7"
                        return True
            if walk(v):
                return True
    if isinstance(o, list):
        return any(walk(v) for v in o)
    return False
assert walk(c), "no scale other than 1 in the certificate"
json.dump(c, open(sys.argv[2], "w"))
PYEOF
expect_exit 1 "$LUMPNET" draw "$TMP/p.onnx" --cert "$TMP/bad.json" -o "$TMP/bad.svg"
[ ! -e "$TMP/bad.svg" ] || fail "a refused certificate was drawn"
echo "ok"
