#!/bin/sh
# bench_reduce.sh -- time `lumpnet reduce` end to end (read, lump, quotient,
# write) on the MNIST 256x6 network, with peak memory.
#
#   sh bench/bench_reduce.sh LUMPNET_BINARY [DATA_DIR]
#
# Target (issue 3): at most 150 ms (median of 11) and 60 MB peak RSS.
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 LUMPNET_BINARY [DATA_DIR]" >&2
    exit 2
fi
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${2:-${LUMPNET_DATA:-$HERE/../../shared/data}}
. "$HERE/timing.sh"

printf '%-46s %10s %10s  %s\n' command time_s peak_MB verdict
for net in mnist-net_256x6 mnist-net_256x2; do
    NET=$DATA/vnncomp2021/mnistfc/$net.onnx
    [ -f "$NET" ] || { echo "$NET is absent, skipped"; continue; }
    for mode in proportional exact; do
        set -- $(median_run 11 "$BIN" reduce "$NET" -o "$TMP/out.onnx" --mode $mode)
        awk -v c="reduce $net --mode $mode" -v t="$1" -v m="$2" 'BEGIN {
            mb = m / 1024; ok = (t <= 0.150 && mb <= 60) ? "ok" : "OVER"
            printf "%-46s %10.3f %10.1f  %s (median of 11)\n", c, t, mb, ok }'
    done
    set -- $(median_run 11 "$BIN" reduce "$NET" -o "$TMP/out.json" --cert "$TMP/cert.json")
    awk -v c="reduce $net -o .json --cert" -v t="$1" -v m="$2" 'BEGIN {
        printf "%-46s %10.3f %10.1f  (exact JSON output and certificate)\n", c, t, m / 1024 }'
done
