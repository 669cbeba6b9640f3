#!/bin/sh
# bound_sound.sh -- the certified bound on real ACAS Xu pairs: f an ACAS
# Xu network, g a close variant (its weights rounded to 12 bits, a few
# weights moved by 0.1%, the NNet file against its float32 ONNX copy, or
# its relaxed quotient from `lumpnet relax` at two epsilons, paired through
# the lumping). Over the prop boxes the observed maximum (sampling plus
# local search, confirmed in MPFR) never exceeds the certified bound, the
# bound is certified, it is at least 10x tighter than the naive interval
# bound, and the median of bound/observed over all these outputs is at
# most 10 (acceptance item 2 on a subset; bench/soundness_sweep.sh runs all
# 45 networks).
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
A=vnncomp2021/acasxu
IDS="1_1 3_5"
for id in $IDS; do
  need_data "$A/ACASXU_run2a_${id}_batch_2000.onnx" "acasxu/ACASXU_run2a_${id}_batch_2000.nnet"
done
need_data "$A/prop_3.vnnlib" "$A/prop_4.vnnlib"
PY=
for p in /usr/bin/python3 python3; do
  if "$p" -c 'import json, fractions' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || skip "no python3 to write the variant networks"

# variant SRC.json DST.json round|move: exact rational edits of the JSON
variant() {
  "$PY" - "$@" <<'PYEOF'
import json, math, random, sys
from fractions import Fraction
src, dst, mode = sys.argv[1:4]
d = json.load(open(src))
random.seed(7)
def text(q):
    return str(q.numerator) if q.denominator == 1 else "%d/%d" % (q.numerator, q.denominator)
def rnd(s):
    q = Fraction(s)
    if q == 0:
        return s
    sc = Fraction(2) ** (12 - math.floor(math.log2(abs(q))))
    return text(Fraction(round(q * sc)) / sc)
for l in d["layers"]:
    W = l["weights"]
    if mode == "round":
        l["weights"] = [[rnd(w) for w in row] for row in W]
        l["bias"] = [rnd(b) for b in l["bias"]]
    else:
        for _ in range(3):
            i, j = random.randrange(len(W)), random.randrange(len(W[0]))
            W[i][j] = text(Fraction(W[i][j]) * Fraction(1001, 1000))
json.dump(d, open(dst, "w"))
PYEOF
}

# verdict JSON LABEL: certified, observed <= bound, 10 * bound <= naive;
# the ratios bound/observed go to $TMP/ratios
verdict() {
  "$PY" - "$1" "$2" "$TMP/ratios" <<'PYEOF' || fail "$2"
import json, sys
r = json.load(open(sys.argv[1]))
ok = r["certified"] is True
with open(sys.argv[3], "a") as rf:
    for j, (u, n, o) in enumerate(zip(r["bound"], r["naive"], r["observed"])):
        if u is None or o > u or 10 * u > n:
            ok = False
        if u is not None and o > 0:
            rf.write("%r\n" % (u / o))
        print("%s: output %d: bound %.3g naive %.3g observed %.3g" % (sys.argv[2], j, u or -1, n, o))
sys.exit(0 if ok else 1)
PYEOF
}

# check F G BOX: `bound F G`
check() {
  "$LUMPNET" bound "$1" "$2" --box "$3" --json --samples 300 > "$TMP/b.json" 2> "$TMP/err" ||
    fail "bound $1 $2 $3 exited $?: $(cat "$TMP/err")"
  verdict "$TMP/b.json" "$1 vs $2 over $3"
}

# relax_check F EPS BOX: `relax F --eps EPS`, the quotient against F
relax_check() {
  "$LUMPNET" relax "$1" --eps "$2" -o "$TMP/q.json" --box "$3" --json --samples 300 \
    > "$TMP/r.json" 2> "$TMP/err" || fail "relax $1 --eps $2 over $3 exited $?: $(cat "$TMP/err")"
  verdict "$TMP/r.json" "$1 relaxed at $2 over $3"
}
: > "$TMP/ratios"

for id in $IDS; do
  f="$DATA/$A/ACASXU_run2a_${id}_batch_2000.onnx"
  "$LUMPNET" convert "$f" "$TMP/f.json" || fail "convert $f"
  variant "$TMP/f.json" "$TMP/round.json" round
  variant "$TMP/f.json" "$TMP/move.json" move
  for p in 3 4; do
    check "$f" "$TMP/round.json" "$DATA/$A/prop_$p.vnnlib"
    for e in 0.03 0.3; do relax_check "$f" $e "$DATA/$A/prop_$p.vnnlib"; done
    [ "$id" = 1_1 ] || break # keep the runtime down: one box for the second network
    check "$f" "$TMP/move.json" "$DATA/$A/prop_$p.vnnlib"
  done
done
# the NNet file against its float32 ONNX copy, over prop 3 in raw units
n="$DATA/acasxu/ACASXU_run2a_1_1_batch_2000.nnet"
"$LUMPNET" convert "$n" "$TMP/g32.onnx" --dtype float32 2>/dev/null || fail "convert $n"
check "$n" "$TMP/g32.onnx" "1500:1800,-0.06:0.06,3.1:3.141592653589793,980:1200,960:1200"
"$PY" - "$TMP/ratios" <<'PYEOF' || fail "median bound/observed above 10"
import statistics, sys
r = [float(x) for x in open(sys.argv[1])]
m = statistics.median(r)
print("median bound/observed over %d outputs: %.3g" % (len(r), m))
sys.exit(0 if m <= 10 else 1)
PYEOF
echo "bound_sound: ok"
