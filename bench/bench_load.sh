#!/bin/sh
# bench_load.sh -- time `lumpnet info` on ONNX files: the MNIST 256x6 network
# and a generated 8 x 4096 float32 MLP (about 540 MB), with peak memory.
#
#   sh bench/bench_load.sh LUMPNET_BINARY [DATA_DIR]
#
# DATA_DIR defaults to $LUMPNET_DATA, else ../shared/data next to the source
# tree. Needs GNU time (/usr/bin/time; Debian package `time`) and, for the
# large model, /usr/bin/python3 with numpy and onnx. Targets: MNIST in at
# most 50 ms and 3 x file size + 10 MB; the 8 x 4096 model in at most 10 s
# and 2.5 GB.
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 LUMPNET_BINARY [DATA_DIR]" >&2
    exit 2
fi
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${2:-${LUMPNET_DATA:-$HERE/../../shared/data}}
PY=${PYTHON:-/usr/bin/python3}
. "$HERE/timing.sh"

printf '%-24s %10s %10s %12s %14s  %s\n' network size_MB time_s peak_MB limit_MB verdict

# (a) MNIST 256x6
MNIST=$DATA/vnncomp2021/mnistfc/mnist-net_256x6.onnx
if [ -f "$MNIST" ]; then
    size=$(wc -c <"$MNIST")
    set -- $(median_run 5 "$BIN" info "$MNIST")
    awk -v s="$size" -v t="$1" -v m="$2" 'BEGIN {
        lim = (3 * s + 10 * 1048576) / 1048576; mb = m / 1024
        ok = (t <= 0.05 && mb <= lim) ? "ok" : "OVER"
        printf "%-24s %10.1f %10.3f %12.1f %14.1f  %s (median of 5; time <= 0.05 s)\n",
               "mnist-net_256x6", s / 1048576, t, mb, lim, ok }'
else
    echo "mnist-net_256x6: $MNIST is absent, skipped"
fi

# (b) the generated 8 x 4096 float32 MLP
BIG=$TMP/mlp_8x4096.onnx
if "$PY" "$HERE/gen_mlp_onnx.py" "$BIG" --width 4096 --layers 8 --seed 1 >/dev/null; then
    size=$(wc -c <"$BIG")
    set -- $(run "$BIN" info "$BIG")
    awk -v s="$size" -v t="$1" -v m="$2" 'BEGIN {
        lim = 2.5 * 1024; mb = m / 1024
        ok = (t <= 10 && mb <= lim) ? "ok" : "OVER"
        printf "%-24s %10.1f %10.3f %12.1f %14.1f  %s (one run; time <= 10 s)\n",
               "mlp 8x4096 (generated)", s / 1048576, t, mb, lim, ok }'
    rm -f "$BIG"
else
    echo "mlp 8x4096: generation failed (needs $PY with numpy and onnx), skipped"
fi
