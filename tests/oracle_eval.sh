#!/bin/sh
# oracle_eval.sh -- `lumpnet eval` against an independent numpy evaluation
# (tests/oracle.py) on every real network, and NNet against its ONNX twin.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
need_data acasxu vnncomp2021/acasxu vnncomp2021/mnistfc vnncomp2021/eran
find_python
O="$PY $TESTS/oracle.py"
$O eval-nnet "$LUMPNET" "$DATA"/acasxu/*.nnet || fail "NNet evaluation"
$O eval-onnx "$LUMPNET" "$DATA"/vnncomp2021/acasxu/*.onnx || fail "ACAS Xu ONNX evaluation"
$O eval-onnx "$LUMPNET" "$DATA"/vnncomp2021/mnistfc/*.onnx \
  "$DATA"/vnncomp2021/eran/*.onnx "$DATA"/vnncomp2021/test/*.onnx || fail "ONNX evaluation"
$O acas-pairs "$LUMPNET" "$DATA/acasxu" "$DATA/vnncomp2021/acasxu" || fail "NNet vs ONNX twins"
echo "oracle_eval: pass"
