#!/bin/sh
# equiv_tol_exact.sh -- a tolerance equal to the exact maximum difference,
# reached at a corner of the box (found by the soundness suite, seed
# 20261206, case 459; case 219 is alike). A double bound rounded outward
# is above EPS on every part holding the corner, so the search used to
# split there until the parts were too thin for doubles and answer
# unknown. The exact leaf (exact/tol_exact.c) decides such a part: every
# relu keeps its phase on it, the difference is affine, its maximum is
# computed in rationals. Oracle: Python fractions evaluate both networks
# at the corner; the checker re-checks the certificate; tampering with
# the exact leaf is rejected.
. "$(dirname "$0")/common.sh"
A=$TESTS/data/tol/corner_a.json
B=$TESTS/data/tol/corner_b.json
BOX=-7/6:-7/6,-5/8:-1/4
EPS=971099/86400
# the oracle: both networks in Python fractions (relu and identity layers)
cat >"$TMP/netrun.py" <<'EOP'
import json
from fractions import Fraction as F
def run(path, x):
    net = json.load(open(path))
    for L in net["layers"]:
        z = [sum(F(w) * v for w, v in zip(row, x)) + F(b) for row, b in zip(L["weights"], L["bias"])]
        x = [max(v, F(0)) for v in z] if L["activation"] == "relu" else z
    return x
EOP
export PYTHONPATH="$TMP${PYTHONPATH:+:$PYTHONPATH}"
# the largest difference at the corner (-7/6, -5/8) is EPS
"${PY:-python3}" - "$A" "$B" "$EPS" <<'EOP' || fail "the oracle's corner difference is not EPS"
import json, sys
from fractions import Fraction as F
from netrun import run
x = [F(-7, 6), F(-5, 8)]
d = max(abs(p - q) for p, q in zip(run(sys.argv[1], x), run(sys.argv[2], x)))
assert d == F(sys.argv[3]), d
EOP
"$LUMPNET" equiv "$A" "$B" --box="$BOX" --tolerance "$EPS" --cert "$TMP/c.json" --timeout 20 \
    >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 0 ] || fail "exit $rc, expected 0 (equivalent): $(cat "$TMP/out" "$TMP/err")"
grep -q '^equivalent' "$TMP/out" || fail "no 'equivalent' line: $(cat "$TMP/out")"
grep -q '"exact"' "$TMP/c.json" || fail "the certificate has no exact leaf: $(cat "$TMP/c.json")"
"$LUMPNET" check "$A" "$B" "$TMP/c.json" >"$TMP/chk" 2>&1 || fail "check rejects it: $(cat "$TMP/chk")"
# just below the maximum, the corner is a witness
"$LUMPNET" equiv "$A" "$B" --box="$BOX" --tolerance 971098999/86400000 --timeout 20 >"$TMP/out" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "below the maximum: exit $rc, expected 1 (different): $(cat "$TMP/out")"
# tampering with the exact leaf: a claim on the whole box, where B's relus
# change phase; a smaller claimed maximum (the checker recomputes it, so it
# still passes); an exact leaf that also claims a bound
tamper() { # NAME SED-EXPRESSION EXPECTED-RC
    sed "$2" "$TMP/c.json" >"$TMP/t.json"
    cmp -s "$TMP/t.json" "$TMP/c.json" && fail "tamper $1 changed nothing"
    "$LUMPNET" check "$A" "$B" "$TMP/t.json" >"$TMP/tchk" 2>&1
    rc=$?
    [ "$rc" -eq "$3" ] || fail "tamper $1: check exit $rc, expected $3: $(cat "$TMP/tchk")"
}
# an exact leaf over a two-dimensional box where a relu's kink plane is
# slanted: the exact leaf splits the box into the relu's two phases (exact
# linear programs over the cut box) and computes the maximum M there. The
# oracle: Python fractions on a 61 x 61 grid of the box give a sampled
# maximum S <= M; a tolerance of 1000 is valid, one just below S is not
# (so M >= S), and the whole certificate's box (a segment: x_0 fixed) with
# tolerance 11 < max is refused
"${PY:-python3}" - "$TMP/c.json" "$TMP/slant.json" "$TMP/whole.json" "$TMP/slant_low.json" "$A" "$B" <<'EOP' || fail "could not write the whole-box claims"
import json, sys
from fractions import Fraction as F
from netrun import run
c = json.load(open(sys.argv[1]))
c["tree"] = [{"exact": "1000"}]
w = dict(c, tolerance="11")
c["box"] = [["-7/6", "0"], c["box"][1]]
c["tolerance"] = "1000"
(l0, h0), (l1, h1) = [[F(v) for v in r] for r in c["box"]]
S = max(max(abs(p - q) for p, q in zip(run(sys.argv[5], x), run(sys.argv[6], x)))
        for x in ([l0 + (h0 - l0) * i / 60, l1 + (h1 - l1) * j / 60]
                  for i in range(61) for j in range(61)))
low = dict(c, tolerance=str(S - F(1, 10**6)))
json.dump(c, open(sys.argv[2], "w"))
json.dump(w, open(sys.argv[3], "w"))
json.dump(low, open(sys.argv[4], "w"))
EOP
"$LUMPNET" check "$A" "$B" "$TMP/slant.json" >"$TMP/tchk" 2>&1 ||
    fail "an exact leaf over a slanted kink, tolerance 1000: $(cat "$TMP/tchk")"
"$LUMPNET" check "$A" "$B" "$TMP/slant_low.json" >"$TMP/tchk" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "an exact leaf over a slanted kink, tolerance below the sampled maximum: check exit $rc: $(cat "$TMP/tchk")"
grep -q 'exceeds the tolerance' "$TMP/tchk" || fail "the low claim is rejected for another reason: $(cat "$TMP/tchk")"
"$LUMPNET" check "$A" "$B" "$TMP/whole.json" >"$TMP/tchk" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "a whole-box exact leaf with tolerance 11 < max: check exit $rc: $(cat "$TMP/tchk")"
grep -q 'exceeds the tolerance' "$TMP/tchk" || fail "tolerance 11 rejected for another reason: $(cat "$TMP/tchk")"
# an exact leaf across an input clip that bends inside its box is not
# decided (the clip is not affine there): refused, not guessed
clip='"inputs": 2, "clip": {"lower": ["-1", "-2"], "upper": ["2", "2"]},'
tr -d '\n' <"$A" | sed "s|\"inputs\": 2,|$clip|" >"$TMP/ca.json"
tr -d '\n' <"$B" | sed "s|\"inputs\": 2,|$clip|" >"$TMP/cb.json"
grep -q '"clip"' "$TMP/cb.json" || fail "could not build the clipped networks"
"$LUMPNET" check "$TMP/ca.json" "$TMP/cb.json" "$TMP/slant.json" >"$TMP/tchk" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "an exact leaf across a clip: check exit $rc: $(cat "$TMP/tchk")"
grep -q 'not decided exactly' "$TMP/tchk" || fail "the clipped claim is rejected for another reason: $(cat "$TMP/tchk")"
tamper claim-lower 's|{"exact": "971099/86400"}|{"exact": "0"}|' 0
tamper with-leaf 's|{"exact": "971099/86400"}|{"exact": "0", "leaf": "0"}|' 1
tamper not-rational 's|{"exact": "971099/86400"}|{"exact": "x"}|' 1
# a kink at the maximiser: A(x) = 1 - |x - 1/3|, B = 0 on [-1, 1], EPS = 1
# = A(1/3); every part holding 1/3 has a two-phased relu, and the exact
# leaf splits it exactly at 1/3 (the box is a segment)
KA=$TESTS/data/tol/kink_a.json
KB=$TESTS/data/tol/kink_b.json
"${PY:-python3}" - "$KA" <<'EOP' || fail "the oracle's maximum at the kink is not 1"
import json, sys
from fractions import Fraction as F
net = json.load(open(sys.argv[1]))
def run(x):
    for L in net["layers"]:
        z = [sum(F(w) * v for w, v in zip(row, x)) + F(b) for row, b in zip(L["weights"], L["bias"])]
        x = [max(v, F(0)) for v in z] if L["activation"] == "relu" else z
    return x[0]
assert run([F(1, 3)]) == 1 and all(abs(run([F(k, 300)])) <= 1 for k in range(-300, 301))
EOP
"$LUMPNET" equiv "$KA" "$KB" --box=-1:1 --tolerance 1 --cert "$TMP/k.json" --timeout 20 >"$TMP/out" 2>&1
rc=$?
[ "$rc" -eq 0 ] || fail "kink: exit $rc, expected 0 (equivalent): $(cat "$TMP/out")"
grep -q '"exact"' "$TMP/k.json" || fail "kink: the certificate has no exact leaf"
"$LUMPNET" check "$KA" "$KB" "$TMP/k.json" >"$TMP/chk" 2>&1 || fail "kink: check rejects it: $(cat "$TMP/chk")"
"$LUMPNET" equiv "$KA" "$KB" --box=-1:1 --tolerance 999999/1000000 --timeout 20 >"$TMP/out" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "kink, below the maximum: exit $rc, expected 1 (different): $(cat "$TMP/out")"
echo "tolerance = the exact maximum at a corner and at a kink: equivalent by exact leaves, checked"
