#!/bin/sh
# bench_box.sh -- time `lumpnet reduce --box` with LP tightening (wall
# clock of the whole command, reading and writing included) and `check
# --box`: ACAS Xu networks over prop_1..4, and mnist-net_256x2 over the
# 0.03 box of image 0 (the only 0.03 box of the set). Targets: <= 2 s per ACAS Xu network and box,
# <= 60 s for MNIST 256x2.
#
#   sh bench/bench_box.sh LUMPNET_BINARY [DATA_DIR] [NETWORKS]
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 LUMPNET_BINARY [DATA_DIR] [NETWORKS]" >&2
    exit 2
fi
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${2:-${LUMPNET_DATA:-$HERE/../../shared/data}}
IDS=${3:-"1_1 2_3 3_5 4_7 5_9"}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lumpnet-bench-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
A=$DATA/vnncomp2021/acasxu
M=$DATA/vnncomp2021/mnistfc
now() { date +%s.%N; }
run() { # network box label
    t0=$(now)
    "$BIN" reduce "$1" -o "$TMP/q.json" --cert "$TMP/c.json" --box "$2" --json > "$TMP/r.json"
    t1=$(now)
    "$BIN" check "$1" "$TMP/q.json" "$TMP/c.json" --box "$2" > /dev/null
    t2=$(now)
    after=$(sed -n 's/^ *"neurons_after": \([0-9]*\),*$/\1/p' "$TMP/r.json")
    before=$(sed -n 's/^ *"neurons_before": \([0-9]*\),*$/\1/p' "$TMP/r.json")
    printf '%-24s neurons %4s -> %4s  reduce %6.2f s  check %6.2f s  certificate %s bytes\n' \
        "$3" "$before" "$after" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" \
        "$(wc -c < "$TMP/c.json")"
}
for id in $IDS; do
    for p in 1 2 3 4; do
        run "$A/ACASXU_run2a_${id}_batch_2000.onnx" "$A/prop_$p.vnnlib" "acasxu $id prop_$p"
    done
done
for k in 0; do
    run "$M/mnist-net_256x2.onnx" "$M/prop_${k}_0.03.vnnlib" "mnist 256x2 prop_${k}_0.03"
done
