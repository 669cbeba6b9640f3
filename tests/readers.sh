#!/bin/sh
# readers.sh -- the readers under limits and with odd but valid files:
# a valid ONNX model under --max-memory is out of memory, never "corrupt";
# MatMul(W, x) on a column vector with its [n, 1] bias is read; NNet
# header lines with extra values (NeuroDiff's ACAS Xu copies) read as the
# reference reader reads them; eval --inputs streams its file.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
ran=0

have_py() {
  for p in ${LUMPNET_PYTHON:-} /usr/bin/python3 python3; do
    if [ -n "$p" ] && "$p" -c 'import onnx, numpy' 2>/dev/null; then
      PY=$p
      return 0
    fi
  done
  return 1
}

# ---- ONNX under a memory cap -------------------------------------------
# A 16 MB model (one 2000 x 2000 Gemm). Between the limit where the file
# itself cannot be read and the one where it reads, protobuf-c's unpack
# fails on an allocation; that used to be reported as "not a valid ONNX
# protobuf (truncated or corrupt)". Sweep the limits across that window:
# every run either succeeds or says out of memory with the limit.
if have_py; then
  "$PY" - "$TMP/big.onnx" <<'PYEOF' || fail "cannot generate the large ONNX model"
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
n = 2000
W = np.zeros((n, n), np.float32)
W[0, 0] = 1
g = helper.make_graph([helper.make_node("Gemm", ["x", "W", "b"], ["y"], transB=1)], "big",
                      [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, n])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n])],
                      [numpy_helper.from_array(W, "W"),
                       numpy_helper.from_array(np.zeros(n, np.float32), "b")])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 7
onnx.save(m, sys.argv[1])
PYEOF
  "$LUMPNET" --max-memory 64 info "$TMP/big.onnx" >/dev/null 2>"$TMP/stderr"
  if grep -q 'no address-space limit' "$TMP/stderr"; then
    echo "max-memory: skipped in an AddressSanitizer build"
  else
    oom=0
    for mb in 16 18 20 22 24 26 28 30 32 34 36 38 40 44 48 56 64 96; do
      "$LUMPNET" --max-memory $mb info "$TMP/big.onnx" >/dev/null 2>"$TMP/stderr"
      rc=$?
      [ "$rc" -eq 0 ] && continue
      [ "$rc" -eq 2 ] || fail "--max-memory $mb: exit $rc: $(cat "$TMP/stderr")"
      grep -q 'corrupt\|not a valid' "$TMP/stderr" \
        && fail "--max-memory $mb: a valid model called corrupt: $(cat "$TMP/stderr")"
      grep -q 'out of memory' "$TMP/stderr" \
        || fail "--max-memory $mb: no out-of-memory message: $(cat "$TMP/stderr")"
      # an allocation refused while reading (decoding the protobuf, building
      # the network): the one out-of-memory exit, naming the file, the size
      # and the limit with the flag that sets it
      if grep -q 'an allocation of [0-9]* bytes failed' "$TMP/stderr"; then
        grep -q "the limit is $mb MB, see --max-memory" "$TMP/stderr" \
          || fail "--max-memory $mb: the message does not state the limit: $(cat "$TMP/stderr")"
        grep -qF "while reading $TMP/big.onnx" "$TMP/stderr" \
          || fail "--max-memory $mb: the message does not name the file: $(cat "$TMP/stderr")"
        [ "$(wc -l < "$TMP/stderr")" -eq 1 ] \
          || fail "--max-memory $mb: not one line: $(cat "$TMP/stderr")"
        oom=$((oom + 1))
      fi
    done
    [ "$oom" -gt 0 ] || fail "no limit in the sweep ran out of memory reading the model (window moved?)"
    echo "max-memory: $oom limits ran out of memory reading the model, each reported as such"
  fi

  # ---- MatMul(W, x) on a column vector, bias [n, 1] ----------------------
  "$PY" - "$TMP/col.onnx" <<'PYEOF' || fail "cannot generate the column ONNX model"
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
W = np.array([[1, 2], [3, 4], [5, 6]], np.float32)
b = np.array([[0.5], [-1], [2]], np.float32)
g = helper.make_graph([helper.make_node("MatMul", ["W", "x"], ["m"]),
                       helper.make_node("Add", ["m", "b"], ["y"])], "col",
                      [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 1])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 1])],
                      [numpy_helper.from_array(W, "W"), numpy_helper.from_array(b, "b")])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 7
onnx.checker.check_model(m, full_check=True)
onnx.save(m, sys.argv[1])
PYEOF
  out=$("$LUMPNET" eval "$TMP/col.onnx" --exact --input 1,1/2 2>&1) \
    || fail "MatMul(W, x) with x [2, 1] and bias [3, 1] refused: $out"
  [ "$out" = "5/2,4,10" ] || fail "MatMul(W, x) column: got '$out', expected 5/2,4,10 (W x = 2,5,8)"
  echo "onnx: W x on a column with an [n, 1] bias reads and evaluates exactly"
  ran=1
fi

# ---- NNet header lines with extra values ------------------------------------
if [ -e "$DATA/acasxu/ACASXU_run2a_1_1_batch_2000.nnet" ]; then
  src="$DATA/acasxu/ACASXU_run2a_1_1_batch_2000.nnet"
  # lines 7-8 (min/max) get 7 values, lines 9-10 (mean/range) 8, as in
  # the copies NeuroDiff and ReluVal ship
  awk 'NR == 7 || NR == 8 { sub(/,?[ \t]*$/, ",0.0,0.0,") }
       NR == 9 || NR == 10 { sub(/,?[ \t]*$/, ",0.0,1.0,") } { print }' "$src" >"$TMP/extra.nnet"
  [ "$(sed -n 7p "$TMP/extra.nnet" | tr -cd , | wc -c)" -eq 7 ] || fail "the test file was not built"
  "$LUMPNET" eval "$TMP/extra.nnet" --exact --input 1000,0.1,-0.2,300,400 \
    >"$TMP/extra.out" 2>"$TMP/stderr" || fail "extra header values refused: $(cat "$TMP/stderr")"
  "$LUMPNET" eval "$src" --exact --input 1000,0.1,-0.2,300,400 >"$TMP/orig.out" \
    || fail "the original network does not evaluate"
  cmp -s "$TMP/extra.out" "$TMP/orig.out" || fail "extra header values changed the function"
  for l in 7 8 9 10; do
    grep -q "extra.nnet: line $l: ignoring 2 extra values" "$TMP/stderr" \
      || fail "no warning naming line $l: $(cat "$TMP/stderr")"
  done
  grep -q 'line 9: .*: 0.0,1.0' "$TMP/stderr" || fail "the warning does not quote the values"
  echo "nnet: extra header values ignored with a warning per line"
  ran=1
fi

# ---- explore --data: a first line with a fraction or NaN is data -------------
# tiny.json computes (0.75, -0.04) at (1/3, 1/2) and (8.25, -4) at (0.5, -1):
# argmax 0 both times, so with both rows (labels 0, 1) the original's accuracy
# is 1/2; with the first row dropped as a "header" it was 0.
EX="$TESTS/../examples/tiny.json"
printf '1/3,1/2,0\n0.5,-1,1\n' >"$TMP/d1.csv"
"$LUMPNET" explore "$EX" --box -1:1 --data "$TMP/d1.csv" --csv "$TMP/x1.csv" >/dev/null 2>"$TMP/stderr" \
  || fail "--data with a fraction on line 1: $(cat "$TMP/stderr")"
grep -q 'skipped header' "$TMP/stderr" && fail "--data: line 1 '1/3,...' taken as a header"
acc=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "accuracy") c = i }
               $1 == "original" { print $c }' "$TMP/x1.csv")
[ "$acc" = "0.5" ] || fail "--data: original accuracy '$acc' on two rows, expected 0.5 (a row dropped?)"
printf 'nan,1/2,0\n0.5,-1,1\n' >"$TMP/d2.csv"
"$LUMPNET" explore "$EX" --box -1:1 --data "$TMP/d2.csv" --csv "$TMP/x2.csv" >/dev/null 2>"$TMP/stderr"
rc=$?
[ "$rc" -eq 2 ] || fail "--data with nan on line 1: exit $rc, expected 2"
grep -q "d2.csv: line 1: field 1: 'nan' is not a number" "$TMP/stderr" \
  || fail "--data nan: $(cat "$TMP/stderr")"
[ -e "$TMP/x2.csv" ] && fail "--data nan: an output file was written"
printf 'x0,x1,label\n1/3,1/2,0\n' >"$TMP/d3.csv"
"$LUMPNET" explore "$EX" --box -1:1 --data "$TMP/d3.csv" --csv "$TMP/x3.csv" >/dev/null 2>"$TMP/stderr" \
  || fail "--data with a header: $(cat "$TMP/stderr")"
grep -q 'd3.csv: skipped header line 1' "$TMP/stderr" || fail "--data: the header skip is not reported"
echo "explore --data: fractions read, nan refused on line 1, a real header reported"

# ---- eval --inputs streams -------------------------------------------------
# 20 MB of comment lines, one input on line 499,999 and a bad one on line
# 500,000. Under --max-memory 16 the file cannot be read whole (the old
# reader said out of memory and printed nothing); streamed, the good line
# is printed, then the error names line 500000, exit 2.
awk 'BEGIN { for (i = 1; i < 499999; i++) print "# a comment line of forty bytes, padding"
             print "1,1/2"; print "2,zz"; print "3,3" }' >"$TMP/inputs.txt"
"$LUMPNET" --max-memory 16 eval "$EX" --exact --inputs "$TMP/inputs.txt" >"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
[ "$rc" -eq 2 ] || fail "--inputs with a bad line 500000: exit $rc, expected 2: $(cat "$TMP/stderr")"
grep -q 'inputs.txt: line 500000: value 2' "$TMP/stderr" \
  || fail "--inputs: the error does not name line 500000: $(cat "$TMP/stderr")"
[ "$(cat "$TMP/stdout")" = "11/4,-7/8" ] \
  || fail "--inputs: expected the one line before the error, got: $(head -c 200 "$TMP/stdout")"
# a FIFO is refused at once, not waited on
if mkfifo "$TMP/fifo" 2>/dev/null; then
  timeout 10 "$LUMPNET" eval "$EX" --inputs "$TMP/fifo" >/dev/null 2>"$TMP/stderr"
  rc=$?
  [ "$rc" -eq 124 ] && fail "--inputs FIFO: hung"
  [ "$rc" -eq 2 ] || fail "--inputs FIFO: exit $rc, expected 2"
  grep -q 'fifo: is a FIFO' "$TMP/stderr" || fail "--inputs FIFO: $(cat "$TMP/stderr")"
fi
echo "eval --inputs: streamed (20 MB under --max-memory 16), error on line 500000 exits 2"
ran=1

[ "$ran" -eq 1 ] || skip "neither Python onnx nor the ACAS Xu NNet files are available"
echo "readers: ok"
