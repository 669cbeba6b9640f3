#!/bin/sh
# vnnlib_out.sh -- reduce --box PROP.vnnlib --vnnlib-out: the property for
# the written network. Exact files carry the property over unchanged; a
# rounded file gets its certified distance to the network, stated, and the
# unsafe region enlarged by it (checked against exact evaluation at
# sampled points); the three outputs are written all or none
. "$(dirname "$0")/common.sh"
cd "$TMP" || exit 1
# weights of 1/3 do not fit a binary64 ONNX file: the written network rounds
cat >net.json <<'EON'
{"format": "lumpnet-net", "version": 1, "inputs": 2, "layers": [
 {"activation": "relu", "weights": [["1/3", "2"], ["-1", "1/7"], ["1", "1"]], "bias": ["0", "1/3", "-5"]},
 {"activation": "identity", "weights": [["1", "-1", "2"], ["1/3", "1", "1"]], "bias": ["0", "1/10"]}]}
EON
cat >prop.vnnlib <<'EOV'
(declare-const X_0 Real)
(declare-const X_1 Real)
(declare-const Y_0 Real)
(declare-const Y_1 Real)
(assert (>= X_0 0))
(assert (<= X_0 1))
(assert (>= X_1 -1))
(assert (<= X_1 1))
(assert (<= Y_0 Y_1))
EOV
"$LUMPNET" reduce net.json --box prop.vnnlib -o small.json --vnnlib-out p1.vnnlib >out.txt 2>err.txt ||
  fail "exact: $(cat err.txt)"
grep -q "equals net.json exactly on prop.vnnlib" err.txt || fail "exact: not stated: $(cat err.txt)"
"$LUMPNET" info p1.vnnlib >i.txt || fail "p1.vnnlib does not read back"
grep -qx '  Y_0 - Y_1 <= 0' i.txt || fail "exact: the property changed: $(cat i.txt)"
grep -q 'X_1 in \[-1, 1\]' i.txt || fail "exact: the box changed: $(cat i.txt)"
"$LUMPNET" reduce net.json --box prop.vnnlib -o small.onnx --vnnlib-out p2.vnnlib >out.txt 2>err.txt ||
  fail "rounded: $(cat err.txt)"
u=$(sed -n 's/.*equals net.json within \([^ ]*\) on prop.vnnlib (certified.*/\1/p' err.txt)
[ -n "$u" ] || fail "rounded: the distance is not stated: $(cat err.txt)"
"$LUMPNET" info p2.vnnlib >i.txt || fail "p2.vnnlib does not read back"
rhs=$(sed -n 's/^  Y_0 - Y_1 <= \(.*\)$/\1/p' i.txt)
[ -n "$rhs" ] || fail "rounded: no widened constraint: $(cat i.txt)"
# the right-hand side is 2 U (the sum of the |coefficients| times U); the
# stated distance is U rounded up to three digits
awk -v r="$rhs" -v u="$u" 'BEGIN { exit !(r > 0 && r >= 2 * u * 0.99 && r <= 2 * u * 1.0001) }' ||
  fail "rounded: right-hand side $rhs for distance $u"
# the certified distance holds at sampled points (exact evaluation of both)
awk 'BEGIN { srand(7); for (i = 0; i < 40; i++) printf "%d/97,%d/89\n", int(rand() * 98), int(rand() * 179) - 89 }' >pts.txt
"$LUMPNET" eval net.json --exact --inputs pts.txt >a.txt || fail "eval net.json"
"$LUMPNET" eval small.onnx --exact --inputs pts.txt >b.txt || fail "eval small.onnx"
paste -d' ' a.txt b.txt >ab.txt
"${PY:-python3}" - "$u" ab.txt <<'EOP' || fail "a sampled difference exceeds the certified distance $u"
import sys
from fractions import Fraction as F
u = F(sys.argv[1])
worst = 0
for line in open(sys.argv[2]):
    a, b = line.split()
    for x, y in zip(a.split(','), b.split(',')):
        worst = max(worst, abs(F(x) - F(y)))
assert 0 < worst <= u, (worst, u)
EOP
# all or none: an unwritable property leaves no network either
"$LUMPNET" reduce net.json --box prop.vnnlib -o s3.onnx --vnnlib-out nodir/p.vnnlib >out.txt 2>err.txt
[ $? -eq 2 ] || fail "an unwritable --vnnlib-out: exit not 2"
[ ! -e s3.onnx ] || fail "an unwritable --vnnlib-out left s3.onnx"
"$LUMPNET" reduce net.json -o s4.onnx --vnnlib-out p.vnnlib >out.txt 2>err.txt
[ $? -eq 2 ] && grep -q "needs --box PROP.vnnlib" err.txt || fail "--vnnlib-out without a property"
echo "vnnlib-out: exact and rounded (distance $u) properties"
