#!/bin/sh
# onnx_faithful.sh -- written ONNX keeps the source's names, shapes and
# float32 element type, and computes what the source does within the
# certified rounding distance (tests/onnx_faithful.py; issue 16, item 1).
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
need_data vnncomp2021/acasxu
find_python
"$PY" "$TESTS/onnx_faithful.py" "$LUMPNET" "$DATA" "$TMP"
