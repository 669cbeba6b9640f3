#!/bin/sh
# check_within.sh -- check NET OUT CERT when OUT is the exact result
# rounded to its file's number type: the certificate is checked for the
# exact result, and OUT's distance to it is certified over the box, so the
# verdict is "valid within U" (exit 0) and U bounds the exact differences
# at sampled points; a file of another shape stays invalid
. "$(dirname "$0")/common.sh"
cd "$TMP" || exit 1
cat >net.json <<'EON'
{"format": "lumpnet-net", "version": 1, "inputs": 2, "layers": [
 {"activation": "relu", "weights": [["1/3", "2"], ["2/3", "4"], ["1", "1/7"]], "bias": ["0", "0", "-5"]},
 {"activation": "identity", "weights": [["1", "-1", "2"], ["1/3", "1", "1"]], "bias": ["0", "1/10"]}]}
EON
box=0:1,-1:1
# a box reduction written as ONNX: rounded, and the printed verify line works
"$LUMPNET" reduce net.json --box "$box" -o small.onnx --cert c.json >out.txt 2>err.txt || fail "reduce: $(cat err.txt)"
verify=$(sed -n 's/.*(verify: \(lumpnet check .*\))$/\1/p' out.txt)
[ -n "$verify" ] || fail "no verify line: $(cat out.txt)"
set -- $verify; shift
"$LUMPNET" "$@" >chk.txt 2>&1 || fail "the printed verify command fails: $(cat chk.txt)"
grep -q '^valid within ' chk.txt || fail "not 'valid within': $(cat chk.txt)"
u=$(sed -n 's/^valid within \([^:]*\):.*/\1/p' chk.txt)
# U bounds the exact difference at 30 points of the box
awk 'BEGIN { srand(3); for (i = 0; i < 30; i++) printf "%d/50,%d/37\n", int(rand() * 51), int(rand() * 75) - 37 }' >pts.txt
"$LUMPNET" eval net.json --exact --inputs pts.txt >a.txt && "$LUMPNET" eval small.onnx --exact --inputs pts.txt >b.txt ||
  fail "exact evaluation"
paste -d' ' a.txt b.txt | "${PY:-python3}" -c '
import sys
from fractions import Fraction as F
u = F(sys.argv[1]); worst = 0
for line in sys.stdin:
    a, b = line.split()
    worst = max([worst] + [abs(F(x) - F(y)) for x, y in zip(a.split(","), b.split(","))])
assert 0 < worst <= u, (worst, u)' "$u" || fail "a sampled difference exceeds U = $u"
"$LUMPNET" check net.json small.onnx c.json --box "$box" --json >j.txt || fail "--json: exit $?"
grep -q '"within"' j.txt || fail "--json has no within: $(cat j.txt)"
# a lumping certificate: within U on a box; without a box no distance, invalid
"$LUMPNET" reduce net.json -o q.onnx --cert cq.json >out.txt 2>&1 || fail "reduce: $(cat out.txt)"
"$LUMPNET" check net.json q.onnx cq.json --box "$box" >chk.txt 2>&1 || fail "lumping --box: $(cat chk.txt)"
grep -q '^valid within ' chk.txt || fail "lumping --box: $(cat chk.txt)"
"$LUMPNET" check net.json q.onnx cq.json >chk.txt 2>&1; rc=$?
[ "$rc" -eq 1 ] && grep -q '^invalid' chk.txt || fail "lumping without a box: exit $rc: $(cat chk.txt)"
# another network (other shape) is not "within" anything
cat >other.json <<'EON'
{"format": "lumpnet-net", "version": 1, "inputs": 2, "layers": [
 {"activation": "relu", "weights": [["1", "2"]], "bias": ["0"]},
 {"activation": "identity", "weights": [["1"], ["1"]], "bias": ["0", "0"]}]}
EON
"$LUMPNET" check net.json other.json c.json --box "$box" >chk.txt 2>&1; rc=$?
[ "$rc" -eq 1 ] && grep -q '^invalid' chk.txt || fail "another network: exit $rc: $(cat chk.txt)"
echo "check: valid within $u for a rounded result"
