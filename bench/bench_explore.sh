#!/bin/sh
# bench_explore.sh -- time `lumpnet explore` and summarise the trade-off.
#  1. ACAS Xu: a 10-value sweep (--steps 10, box-guided) over the prop_3
#     box, for a few networks: seconds and peak memory (target <= 30 s).
#  2. digits (examples/digits): the calibration-guided sweep over the
#     committed train split, accuracy on the test split. Prints, per row,
#     the parameter share and accuracy of lumpnet and of magnitude pruning
#     at the same parameter budget, then the smallest share at which
#     lumpnet loses at most 2 points (target <= 40%).
#
#   sh bench/bench_explore.sh LUMPNET_BINARY [DATA_DIR] [NETWORKS]
#
# NETWORKS: ACAS Xu ids (default "1_1 3_3 5_9").
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 LUMPNET_BINARY [DATA_DIR] [NETWORKS]" >&2
    exit 2
fi
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${2:-${LUMPNET_DATA:-$HERE/../../shared/data}}
IDS=${3:-"1_1 3_3 5_9"}
. "$HERE/timing.sh"
A=$DATA/vnncomp2021/acasxu
D=$HERE/../examples/digits

if [ -d "$A" ]; then
    printf '%-28s %8s %8s\n' "ACAS Xu explore --steps 10" seconds peak_MB
    for id in $IDS; do
        set -- $(run "$BIN" explore "$A/ACASXU_run2a_${id}_batch_2000.onnx" \
            --box "$A/prop_3.vnnlib" --steps 10 --csv "$TMP/a.csv")
        printf '%-28s %8.2f %8.1f\n' "$id prop_3" "$1" "$(echo "$2" | awk '{ print $1 / 1024 }')"
    done
else
    echo "ACAS Xu networks not found under $A: part 1 skipped"
fi

set -- $(run "$BIN" explore "$D/digits.onnx" --box 0:1 --calib "$D/train.csv" \
    --data "$D/test.csv" --steps 10 --csv "$TMP/d.csv")
printf '\ndigits explore --calib --steps 10: %.2f s, %.1f MB peak\n' "$1" \
    "$(echo "$2" | awk '{ print $1 / 1024 }')"
awk -F, '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $1 == "original" { P = $c["params"]; A0 = $c["accuracy"]; next }
    $1 == "lumpnet" { n++; e[n] = $c["eps"]; p[n] = $c["params"]; a[n] = $c["accuracy"] }
    $1 == "prune_params" { pp[n] = $c["params"]; pa[n] = $c["accuracy"] }
    END {
        printf "original: %d params, accuracy %.4f\n", P, A0
        printf "%8s %8s %8s %10s | %8s %10s\n", "eps", "params", "share", "accuracy", "prune", "accuracy"
        best = 1; wins = 0
        for (k = 1; k <= n; k++) {
            printf "%8s %8d %7.1f%% %10.4f | %8d %10.4f\n", e[k], p[k], 100 * p[k] / P, a[k], pp[k], pa[k]
            if (a[k] >= A0 - 0.02 && p[k] / P < best) best = p[k] / P
            if (a[k] > pa[k]) wins++
        }
        printf "smallest share losing <= 2 points: %.1f%% (target <= 40%%)\n", 100 * best
        printf "lumpnet more accurate than pruning at the same parameters in %d of %d rows\n", wins, n
    }' "$TMP/d.csv"
