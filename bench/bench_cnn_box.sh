#!/bin/sh
# bench_cnn_box.sh -- `reduce --box` of the convolutional and residual
# networks of VNN-COMP 2021 on every shared property (issue 15, acceptance
# 4 and 6): per network and property, the relus proven stable with interval
# bounds and with LP tightening, the channels and neurons removed, the CPU
# seconds of reduce (user + system, GNU time) and of `check --box`, as the
# rows of the CNN table of docs/box-reduction.md. With UNROLL=1 also the
# fully connected reduction of the unrolled network (reduce --unroll): its
# unstable relus before and after. Target: reduce --box of cifar_base_kw
# at most 30 s of CPU per property.
#
#   sh bench/bench_cnn_box.sh LUMPNET_BINARY [DATA_DIR] [NETWORKS]
# NETWORKS: a subset of "avgpool maxpool base deep small medium resnet".
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 LUMPNET_BINARY [DATA_DIR] [NETWORKS]" >&2
    exit 2
fi
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${2:-${LUMPNET_DATA:-$HERE/../../shared/data}}
NETS=${3:-"avgpool maxpool base deep small medium resnet"}
. "$HERE/timing.sh"
D=$DATA/vnncomp2021
key() { # KEY FILE: an integer member of a --json report
    sed -n "s/^ *\"$1\": \([0-9.e+-]*\),*\$/\1/p" "$2" | head -n 1
}
cpu() { # CPU seconds of CMD... (user + system), its output to $TMP/out
    "$GNUTIME" -f '%U %S' -o "$TMP/cpu" "$@" >"$TMP/out"
    tail -n 1 "$TMP/cpu" | awk '{ printf "%.2f", $1 + $2 }'
}
row() { # NAME NET PROP
    name=$1 net=$2 prop=$3
    p=$(basename "$prop" .vnnlib)
    cpu "$BIN" reduce "$net" -o "$TMP/i.onnx" --box "$prop" --bounds interval --json >/dev/null
    cp "$TMP/out" "$TMP/i.json"
    t=$(cpu "$BIN" reduce "$net" -o "$TMP/q.onnx" --box "$prop" --cert "$TMP/c.json" --json)
    cp "$TMP/out" "$TMP/r.json"
    c=$(cpu "$BIN" check "$net" "$TMP/q.onnx" "$TMP/c.json" --box "$prop")
    grep -q '^valid' "$TMP/out" || { echo "$name $p: check refuses: $(cat "$TMP/out")" >&2; exit 1; }
    relus=$(key relus "$TMP/r.json")
    si=$(( $(key relus_inactive "$TMP/i.json") + $(key relus_active "$TMP/i.json") ))
    sl=$(( $(key relus_inactive "$TMP/r.json") + $(key relus_active "$TMP/r.json") ))
    printf '| %s | %s | %s | %s (%s off) | %s (%s off) | %s | %s | %s -> %s | %s | %s |\n' \
        "$name" "$p" "$relus" "$si" "$(key relus_inactive "$TMP/i.json")" "$sl" \
        "$(key relus_inactive "$TMP/r.json")" "$(key channels_removed "$TMP/r.json")" \
        "$(key channels_stuck "$TMP/r.json")" "$(key neurons_before "$TMP/r.json")" \
        "$(key neurons_after "$TMP/r.json")" "$t" "$c"
    if [ "${UNROLL:-0}" = 1 ]; then
        u=$(cpu "$BIN" reduce "$net" -o "$TMP/u.json" --box "$prop" --unroll --json)
        echo "|   unrolled | $p | relus $(key unrolled_relus "$TMP/r.json"), unstable after LP: $(key unstable "$TMP/out"), neurons $(key neurons_before "$TMP/out") -> $(key neurons_after "$TMP/out"), $u s |"
    fi
}
echo "load: $(uptime)"
echo "| network | property | relus | stable, intervals | stable, LP | channels removed | inactive channels kept | neurons | reduce CPU s | check CPU s |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in $NETS; do
    case $n in
    avgpool) for p in "$D"/verivital/avgpool_prop_*.vnnlib; do row Convnet_avgpool "$D/verivital/Convnet_avgpool.onnx" "$p"; done ;;
    maxpool) for p in "$D"/verivital/maxpool_prop_*.vnnlib; do row Convnet_maxpool "$D/verivital/Convnet_maxpool.onnx" "$p"; done ;;
    base) for p in "$D"/oval21/cifar_base_kw-*.vnnlib; do row cifar_base_kw "$D/oval21/cifar_base_kw.onnx" "$p"; done ;;
    deep) for p in "$D"/oval21/cifar_deep_kw-*.vnnlib; do row cifar_deep_kw "$D/oval21/cifar_deep_kw.onnx" "$p"; done ;;
    small) for p in "$D"/marabou-cifar10/networkcifar10_small_*.vnnlib; do row cifar10_small "$D/marabou-cifar10/cifar10_small.onnx" "$p"; done ;;
    medium) for p in "$D"/marabou-cifar10/networkcifar10_medium_*.vnnlib; do row cifar10_medium "$D/marabou-cifar10/cifar10_medium.onnx" "$p"; done ;;
    resnet) for p in "$D"/cifar10_resnet/*.vnnlib; do row resnet_2b "$D/cifar10_resnet/resnet_2b.onnx" "$p"; done ;;
    *) echo "unknown network $n" >&2; exit 2 ;;
    esac
done
