#!/bin/sh
# bench_calib.sh -- calibration-guided relax and explore at MNIST scale
# (issue 16, acceptance 5 and 6), on MNIST 256x2 (VNN-COMP 2021 mnistfc)
# with the shared calibration split and the disjoint test split:
#  1. `relax --calib --eps 1` (target <= 20 s) and `explore --calib
#     --eps-list 0.5,1,2,4 --data TEST` (target <= 60 s): wall and CPU
#     seconds (user + sys; the machine is shared, CPU is the fair figure),
#     peak memory;
#  2. the explore table: per epsilon the parameters kept, the test accuracy
#     of lumpnet, of the global magnitude pruning at equal parameters
#     (explore's prune_params row) and, computed here with numpy, of
#     magnitude pruning layer by layer to lumpnet's own layer sizes (equal
#     parameters exactly, a stronger baseline);
#  3. `relax --local-radius 0.01` at eps 0.5 and 1 around 100 test points:
#     the certified deviation over the balls next to the box bound over
#     [0,1]^784, the largest sampled deviation in the balls and the share of
#     points whose class is certified unchanged.
#
#   sh bench/bench_calib.sh LUMPNET_BINARY [DATA_DIR]
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 LUMPNET_BINARY [DATA_DIR]" >&2
    exit 2
fi
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${2:-${LUMPNET_DATA:-$HERE/../../shared/data}}
. "$HERE/timing.sh"
NET=$DATA/vnncomp2021/mnistfc/mnist-net_256x2.onnx
CAL=$DATA/mnist/mnist_calib.csv
TEST=$DATA/mnist/mnist_test.csv
for f in "$NET" "$CAL" "$TEST"; do
    [ -e "$f" ] || { echo "missing $f: nothing to measure" >&2; exit 77; }
done
PY=
for p in ${LUMPNET_PYTHON:-} /usr/bin/python3 python3; do
    if [ -n "$p" ] && "$p" -c 'import onnx, numpy' 2>/dev/null; then PY=$p; break; fi
done
ulimit -v 3000000 2>/dev/null || true

# cpurun NAME CMD...: run once; prints "NAME wall cpu peak_MB" and keeps
# the standard output in $TMP/NAME.out
cpurun() {
    name=$1
    shift
    t0=$(date +%s%N)
    "$GNUTIME" -f '%U %S %M' -o "$TMP/time" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" || {
        echo "$name failed: $(cat "$TMP/$name.err")" >&2
        exit 1
    }
    t1=$(date +%s%N)
    echo "$t0 $t1 $(tail -n 1 "$TMP/time")" |
        awk -v n="$name" '{ printf "%-34s %8.1f %8.1f %8.0f\n", n, ($2 - $1) / 1e9, $3 + $4, $5 / 1024 }'
}

echo "MNIST 256x2, calibration $(wc -l <"$CAL") rows, test $(wc -l <"$TEST") rows"
printf '%-34s %8s %8s %8s\n' command wall_s cpu_s peak_MB
cpurun "relax --calib --eps 1" "$BIN" relax "$NET" --box 0:1 --calib "$CAL" --eps 1 \
    -o "$TMP/r1.onnx" --json
cpurun "explore --calib --eps-list 0.5,1,2,4" "$BIN" explore "$NET" --box 0:1 --calib "$CAL" \
    --data "$TEST" --eps-list 0.5,1,2,4 --csv "$TMP/e.csv" --save "$TMP/nets"
echo "targets: relax <= 20 s, explore <= 60 s"

# per lumpnet row: its layer sizes, for the layer-wise baseline
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $1 == "lumpnet" { print $c["eps"], $c["file"] }' "$TMP/e.csv" >"$TMP/rows"
: >"$TMP/layers"
while read -r eps file; do
    sizes=$("$BIN" info "$file" --json | tr -d ' \n' |
        sed 's/.*"layers":\[\(.*\)\].*/\1/' | grep -o '"size":[0-9]*' | cut -d: -f2 | tr '\n' ' ')
    echo "$eps $sizes" >>"$TMP/layers"
done <"$TMP/rows"
if [ -n "$PY" ]; then
    "$PY" - "$NET" "$TEST" "$TMP/layers" >"$TMP/layerwise" <<'PY'
import sys
import numpy as np
import onnx
from onnx import numpy_helper
net, test, layers = sys.argv[1:4]
m = onnx.load(net)
init = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in m.graph.initializer}
Ws, bs = [], []
for n in m.graph.node:
    if n.op_type == "Gemm":
        W = init[n.input[1]]
        tb = [a.i for a in n.attribute if a.name == "transB"]
        Ws.append(W if tb and tb[0] else W.T)
        bs.append(init[n.input[2]])
d = np.loadtxt(test, delimiter=",")
X, y = d[:, :-1], d[:, -1].astype(int)
def acc(Ws, bs):
    h = X
    for i, (W, b) in enumerate(zip(Ws, bs)):
        h = h @ W.T + b
        if i + 1 < len(Ws):
            h = np.maximum(h, 0)
    return (h.argmax(1) == y).mean()
print("original", acc(Ws, bs))
for line in open(layers):
    f = line.split()
    eps, sizes = f[0], [int(v) for v in f[1:]]
    hidden = sizes[1:-1]  # info lists the inputs first
    W2, b2 = [w.copy() for w in Ws], [b.copy() for b in bs]
    for i, k in enumerate(hidden):
        score = np.linalg.norm(W2[i], axis=1) * np.linalg.norm(W2[i + 1], axis=0)
        keep = np.sort(np.argsort(-score, kind="stable")[:k])
        W2[i], b2[i] = W2[i][keep], b2[i][keep]
        W2[i + 1] = W2[i + 1][:, keep]
    print(eps, acc(W2, b2))
PY
else
    echo "no Python with onnx and numpy: the layer-wise baseline is left out" >&2
    : >"$TMP/layerwise"
fi
echo
awk -F, -v lw="$TMP/layerwise" '
    BEGIN { while ((getline l < lw) > 0) { split(l, a, " "); L[a[1]] = a[2] } }
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $1 == "original" { P = $c["params"]; A0 = $c["accuracy"]; next }
    $1 == "lumpnet" { n++; e[n] = $c["eps"]; p[n] = $c["params"]; a[n] = $c["accuracy"]; b[n] = $c["bound"]; cd[n] = $c["calib_deviation"] }
    $1 == "prune_params" { pp[n] = $c["params"]; pa[n] = $c["accuracy"] }
    END {
        printf "original: %d params, test accuracy %.4f\n", P, A0
        printf "%5s %8s %6s %9s | %8s %9s | %9s | %10s\n", "eps", "params", "share", "lumpnet", "prune", "accuracy", "layerwise", "box_bound"
        for (k = 1; k <= n; k++)
            printf "%5s %8d %5.1f%% %9.4f | %8d %9.4f | %9s | %10.4g\n", e[k], p[k], 100 * p[k] / P, a[k], pp[k], pa[k], (e[k] in L) ? sprintf("%.4f", L[e[k]]) : "-", b[k]
        print "prune: explore'"'"'s global magnitude pruning at equal parameters (prune_params);"
        print "layerwise: magnitude pruning per layer to lumpnet'"'"'s layer sizes (equal parameters)"
    }' "$TMP/e.csv"

echo
printf '%-6s %10s %12s %12s %10s %8s %8s\n' eps box_bound local_bound local_obs unchanged cpu_s wall_s
for e in 0.5 1; do
    cpurun "local$e" "$BIN" relax "$NET" --box 0:1 --calib "$CAL" --eps $e -o "$TMP/l.onnx" \
        --local-radius 0.01 --local-data "$TEST" --local-points 100 --json >"$TMP/lt"
    "${PY:-python3}" - "$TMP/local$e.out" "$e" "$(cat "$TMP/lt")" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
l = j["local"]
t = sys.argv[3].split()
print("%-6s %10.4g %12.4g %12.4g %9.1f%% %8s %8s" % (sys.argv[2], max(j["bound"]), l["bound_max"],
      l["observed_max"], 100 * l["unchanged_fraction"], t[2], t[1]))
PY
done
echo "local: L-inf radius 0.01 around 100 evenly spaced test points, clipped to [0,1];"
echo "unchanged: both networks certified to predict the original's class in the whole ball"
