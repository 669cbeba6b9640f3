#!/bin/sh
# oracle_exact.sh -- `lumpnet eval --exact` equals a rational re-computation
# (Python Fractions from the file's weights) on random rational inputs.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
need_data acasxu/ACASXU_run2a_1_1_batch_2000.nnet vnncomp2021/test/test_small.onnx
find_python
O="$PY $TESTS/oracle.py"
$O exact "$LUMPNET" "$DATA"/acasxu/ACASXU_run2a_1_1_batch_2000.nnet \
  "$DATA"/acasxu/ACASXU_run2a_3_7_batch_2000.nnet \
  "$DATA"/acasxu/ACASXU_run2a_5_9_batch_2000.nnet \
  "$DATA"/vnncomp2021/acasxu/ACASXU_run2a_2_4_batch_2000.onnx \
  "$DATA"/vnncomp2021/test/*.onnx \
  "$DATA"/vnncomp2021/mnistfc/mnist-net_256x2.onnx || fail "exact evaluation"
# sigmoid has no exact evaluation: a clear refusal, exit 2
if "$LUMPNET" eval "$DATA"/vnncomp2021/eran/ffnnSIGMOID__Point_6x200.onnx --exact \
     --input "$(seq -s, 784 | sed 's/[0-9]\+/0/g')" >"$TMP/out" 2>"$TMP/err"; then
  fail "exact evaluation of a sigmoid network was accepted"
fi
grep -q "mpfr" "$TMP/err" || fail "the refusal does not point to --mpfr: $(cat "$TMP/err")"
echo "oracle_exact: pass"
