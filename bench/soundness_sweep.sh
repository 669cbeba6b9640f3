#!/bin/sh
# soundness_sweep.sh -- acceptance sweep of the certified bound (issue 4,
# items 1 and 2): every ACAS Xu network over the boxes of prop_1..4 at two
# epsilon values each (`lumpnet relax`: the relaxed quotient, its certified
# bound and the largest error that sampling plus local search observes),
# each network against its copy with weights rounded to 12 bits over
# prop_3 and prop_4 (`lumpnet bound`), and mnist-net_256x2 over three 0.03
# boxes (relaxed at two epsilons, and rounded). Prints one line per case
# and a summary: unsound cases (observed > bound: must be 0), uncertified
# cases, the median of bound/observed over the prop_3/prop_4 outputs (per
# kind of g), the smallest naive/bound ratio, and the slowest bound.
#
#   sh bench/soundness_sweep.sh LUMPNET_BINARY [DATA_DIR] [ACAS_IDS] [JOBS]
#
# ACAS_IDS: "all" (default: the 45 networks) or ids like "1_1 3_5".
# Epsilons: 0.03 and 0.3 on prop_3/prop_4, 0.3 and 1 on the larger
# prop_1/prop_2 boxes (10-40% fewer neurons on most networks); 0.01 and
# 0.05 for MNIST. JOBS parallel runs (default 2). Needs /usr/bin/python3
# (standard library only). Exit status 1 when any case is unsound.
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 LUMPNET_BINARY [DATA_DIR] [ACAS_IDS] [JOBS]" >&2
    exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${2:-${LUMPNET_DATA:-$HERE/../../shared/data}}
IDS=${3:-all}
JOBS=${4:-2}
PY=${PYTHON:-/usr/bin/python3}
SAMPLES=${SAMPLES:-1000}
A=$DATA/vnncomp2021/acasxu
M=$DATA/vnncomp2021/mnistfc
[ -f "$A/prop_3.vnnlib" ] || { echo "missing $A" >&2; exit 77; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lumpnet-sweep-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
if [ "$IDS" = all ]; then
    IDS=
    for a in 1 2 3 4 5; do for b in 1 2 3 4 5 6 7 8 9; do IDS="$IDS ${a}_$b"; done; done
fi

round_json() { # src dst: every weight and bias rounded to 12 significant bits
    "$PY" - "$1" "$2" <<'PYEOF'
import json, math, sys
from fractions import Fraction
d = json.load(open(sys.argv[1]))
def rnd(s):
    q = Fraction(s)
    if q == 0:
        return s
    sc = Fraction(2) ** (12 - math.floor(math.log2(abs(q))))
    r = Fraction(round(q * sc)) / sc
    return str(r.numerator) if r.denominator == 1 else "%d/%d" % (r.numerator, r.denominator)
for l in d["layers"]:
    l["weights"] = [[rnd(w) for w in row] for row in l["weights"]]
    l["bias"] = [rnd(b) for b in l["bias"]]
json.dump(d, open(sys.argv[2], "w"))
PYEOF
}

# the job list: kind net box eps tag
: >"$TMP/jobs"
for id in $IDS; do
    f=$A/ACASXU_run2a_${id}_batch_2000.onnx
    [ -f "$f" ] || { echo "missing $f" >&2; exit 77; }
    "$BIN" convert "$f" "$TMP/acas_$id.json"
    round_json "$TMP/acas_$id.json" "$TMP/acas_${id}_r.json"
    for p in 1 2 3 4; do
        case $p in 1 | 2) E="0.3 1" ;; *) E="0.03 0.3" ;; esac
        for e in $E; do echo "relax $f $A/prop_$p.vnnlib $e acas_${id}_prop_$p" >>"$TMP/jobs"; done
        [ $p -ge 3 ] && echo "round $f $A/prop_$p.vnnlib - acas_${id}_prop_$p" >>"$TMP/jobs"
    done
done
if [ -f "$M/mnist-net_256x2.onnx" ]; then
    "$BIN" convert "$M/mnist-net_256x2.onnx" "$TMP/mnist.json"
    round_json "$TMP/mnist.json" "$TMP/mnist_r.json"
    # prop_0_0.03 is the one 0.03 box shipped; two more are the images of
    # prop_1_0.05 and prop_2_0.05 with the radius narrowed to 0.03
    for k in 1 2; do
        "$PY" - "$M/prop_${k}_0.05.vnnlib" "$TMP/prop_${k}_0.03.vnnlib" <<'PYEOF'
import re, sys
from fractions import Fraction
lo, hi = {}, {}
for m in re.finditer(r"\(assert \((<=|>=) X_(\d+) ([-0-9.eE]+)\)\)", open(sys.argv[1]).read()):
    (hi if m.group(1) == "<=" else lo)[int(m.group(2))] = Fraction(m.group(3))
r, q = Fraction(5, 100), Fraction(3, 100)
with open(sys.argv[2], "w") as out:
    for i in sorted(lo):
        p = lo[i] + r if lo[i] > 0 else (hi[i] - r if hi[i] < 1 else (lo[i] + hi[i]) / 2)
        out.write("(declare-const X_%d Real)\n" % i)
    for i in sorted(lo):
        p = lo[i] + r if lo[i] > 0 else (hi[i] - r if hi[i] < 1 else (lo[i] + hi[i]) / 2)
        l, h = max(p - q, 0), min(p + q, 1)
        out.write("(assert (<= X_%d %s))\n(assert (>= X_%d %s))\n" % (i, float(h), i, float(l)))
PYEOF
    done
    for b in "$M/prop_0_0.03.vnnlib" "$TMP/prop_1_0.03.vnnlib" "$TMP/prop_2_0.03.vnnlib"; do
        t=mnist_$(basename "$b" .vnnlib)
        for e in 0.01 0.05; do echo "relax $M/mnist-net_256x2.onnx $b $e $t" >>"$TMP/jobs"; done
        echo "round $M/mnist-net_256x2.onnx $b - $t" >>"$TMP/jobs"
    done
fi

# one job: writes TMP/out/N.json with the tag, kind and the CLI's report
mkdir "$TMP/out"
cat >"$TMP/run.sh" <<'EOF'
#!/bin/sh
# run.sh BIN TMP N kind net box eps tag
BIN=$1 TMP=$2 N=$3 kind=$4 net=$5 box=$6 eps=$7 tag=$8
out=$TMP/out/$N
case $kind in
relax)
    "$BIN" relax "$net" --eps "$eps" -o "$TMP/out/$N.g.json" --box "$box" --json \
        --samples "$SAMPLES" >"$out.r" 2>"$out.err" || echo "exit $?" >>"$out.err" ;;
round)
    base=$(basename "$net" .onnx)
    case $base in ACASXU_run2a_*) g=$TMP/acas_$(echo "$base" | cut -d_ -f3,4)_r.json ;; *) g=$TMP/mnist_r.json ;; esac
    "$BIN" bound "$net" "$g" --box "$box" --json --samples "$SAMPLES" >"$out.r" 2>"$out.err" ||
        echo "exit $?" >>"$out.err" ;;
esac
printf '%s %s %s\n' "$tag" "$kind" "$eps" >"$out.tag"
EOF
export SAMPLES
awk '{print NR, $0}' "$TMP/jobs" |
    xargs -P "$JOBS" -n 6 sh "$TMP/run.sh" "$BIN" "$TMP"

"$PY" - "$TMP/out" <<'PYEOF'
import glob, json, os, statistics, sys
rows, bad, uncert, failed = [], 0, 0, 0
ratios = {}
min_gain = None
slow = 0.0
for tagf in sorted(glob.glob(os.path.join(sys.argv[1], "*.tag")), key=lambda p: int(os.path.basename(p)[:-4])):
    n = tagf[:-4]
    tag, kind, eps = open(tagf).read().split()
    try:
        r = json.load(open(n + ".r"))
    except Exception:
        failed += 1
        print("%-28s %-6s %-5s FAILED: %s" % (tag, kind, eps, open(n + ".err").read().strip()))
        continue
    b, o, nv = r["bound"], r["observed"], r["naive"]
    secs = r.get("bound_seconds", r.get("seconds", 0.0))
    slow = max(slow, secs)
    cert = r["certified"] is True and None not in b
    sound = cert and all(x <= u for u, x in zip(b, o))
    bad += cert and not sound
    uncert += not cert
    rat = [u / x for u, x in zip(b, o) if u is not None and x > 0]
    gain = [x / u if u and u > 0 else float("inf") for u, x in zip(b, nv)]
    if cert:
        mg = min(gain)
        min_gain = mg if min_gain is None else min(min_gain, mg)
    label = kind if kind == "round" else "eps=" + eps
    if tag.startswith("mnist"):
        ratios.setdefault("mnist", []).extend(rat)
    elif "prop_3" in tag or "prop_4" in tag:
        ratios.setdefault(label, []).extend(rat)
    size = ""
    if "neurons_after" in r:
        size = "%d->%d" % (r["neurons_before"], r["neurons_after"])
    print("%-28s %-10s %-9s %-8s bound %-9.3g obs %-9.3g med.ratio %-8.3g naive/bound %-9.3g %6.2fs %s" % (
        tag, label, size, "sound" if sound else ("UNSOUND" if cert else "uncert."),
        max(u for u in b if u is not None) if cert else float("inf"), max(o),
        statistics.median(rat) if rat else float("nan"), min(gain) if cert else 0, secs,
        "" if sound else "<-- check"))
print()
print("cases: %d, unsound: %d, uncertified: %d, failed: %d" % (len(glob.glob(os.path.join(sys.argv[1], "*.tag"))), bad, uncert, failed))
allr = []
for k in sorted(ratios):
    v = ratios[k]
    allr += v if k != "mnist" else []
    if v:
        print("median bound/observed, %s, g = %-9s: %.3g (%d outputs, max %.3g)" % (
            "MNIST 0.03 boxes" if k == "mnist" else "ACAS Xu prop_3/4", k, statistics.median(v), len(v), max(v)))
if allr:
    print("median bound/observed, all ACAS Xu prop_3/prop_4 outputs: %.3g" % statistics.median(allr))
print("smallest naive/bound over all cases and outputs: %.3g" % (min_gain or 0))
print("slowest certified bound: %.2f s" % slow)
sys.exit(1 if bad or failed else 0)
PYEOF
