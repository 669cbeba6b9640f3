#!/bin/sh
# verify45.sh -- issue 16, acceptance 2: the 45 ACAS Xu networks reduced on
# prop_3 and written as float32 ONNX; the printed verify: command must say
# "valid within U" with U at most 100 times the largest sampled difference
# (bench/verify45.py). Usage: sh bench/verify45.sh [SAMPLES]
# (from the repository top, after sh scripts/build.sh; LUMPNET_DATA and
# LUMPNET_PYTHON override the defaults).
top=$(cd "$(dirname "$0")/.." && pwd)
data=${LUMPNET_DATA:-$top/../shared/data}
py=${LUMPNET_PYTHON:-/usr/bin/python3}
"$py" -c 'import onnx, numpy' 2>/dev/null || py=python3
exec "$py" "$top/bench/verify45.py" "$top/_build/lumpnet" "$data" "$@"
