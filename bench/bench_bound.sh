#!/bin/sh
# bench_bound.sh -- time `lumpnet bound` and report its tightness: ACAS Xu
# pairs (f, f with weights rounded to 12 bits) over prop_1..4, in the
# differential encoding (default: symbolic bounds with input splitting;
# "nosplit": symbolic bounds and the LP on the whole box) and the separate
# encoding, and mnist-net_256x2 against its rounded copy over one 0.03 box.
# Relaxed quotients and all 45 networks: bench/soundness_sweep.sh.
#
#   sh bench/bench_bound.sh LUMPNET_BINARY [DATA_DIR] [NETWORKS]
#
# NETWORKS: ACAS Xu ids (default "1_1 2_3 3_5 4_7 5_9"). Prints one line per
# network, box and encoding: seconds of the certified bound (the
# `seconds` key), the median over outputs of bound/observed and of
# naive/bound. Targets: <= 2 s per ACAS Xu network and box, <= 60 s for
# MNIST 256x2. Needs /usr/bin/python3 (standard library only).
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 LUMPNET_BINARY [DATA_DIR] [NETWORKS]" >&2
    exit 2
fi
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${2:-${LUMPNET_DATA:-$HERE/../../shared/data}}
IDS=${3:-"1_1 2_3 3_5 4_7 5_9"}
PY=${PYTHON:-/usr/bin/python3}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lumpnet-bench-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
A=$DATA/vnncomp2021/acasxu

round_json() { # src dst: every weight and bias rounded to 12 bits
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

summary() { # json label
    "$PY" - "$1" "$2" <<'PYEOF'
import json, statistics, sys
r = json.load(open(sys.argv[1]))
b, n, o = r["bound"], r["naive"], r["observed"]
tight = statistics.median(u / max(x, 1e-300) for u, x in zip(b, o)) if None not in b else float("inf")
gain = statistics.median(x / u for u, x in zip(b, n)) if None not in b else 0
print("%-34s %8.3f %9s %14.4g %12.4g %10.4g" % (sys.argv[2], r["bound_seconds"], r["certified"], tight, gain, max(b)))
PYEOF
}

printf '%-34s %8s %9s %14s %12s %10s\n' "pair/box/encoding" seconds certified bound/observed naive/bound max_bound
for id in $IDS; do
    f=$A/ACASXU_run2a_${id}_batch_2000.onnx
    [ -f "$f" ] || { echo "missing $f" >&2; exit 77; }
    "$BIN" convert "$f" "$TMP/f.json"
    round_json "$TMP/f.json" "$TMP/g.json"
    for p in 1 2 3 4; do
        for enc in differential nosplit separate; do
            case $enc in
            nosplit) opt="--encoding differential --max-boxes 0" ;;
            *) opt="--encoding $enc" ;;
            esac
            # shellcheck disable=SC2086
            "$BIN" bound "$f" "$TMP/g.json" --box "$A/prop_$p.vnnlib" $opt --json >"$TMP/r.json" || true
            summary "$TMP/r.json" "acas $id prop_$p $enc"
        done
    done
done
m=$DATA/vnncomp2021/mnistfc/mnist-net_256x2.onnx
if [ -f "$m" ]; then
    "$BIN" convert "$m" "$TMP/m.json"
    round_json "$TMP/m.json" "$TMP/mg.json"
    box=$(ls "$DATA"/vnncomp2021/mnistfc/prop_*_0.03.vnnlib | head -1)
    "$BIN" bound "$m" "$TMP/mg.json" --box "$box" --json --samples 200 >"$TMP/r.json" || true
    summary "$TMP/r.json" "mnist256x2 $(basename "$box") diff"
fi
