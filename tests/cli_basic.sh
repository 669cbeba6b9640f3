#!/bin/sh
# cli_basic.sh -- the command line as users run it: help, version, info
# (text and --json against expected-output files), eval and exit codes.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
EX="$TESTS/../examples"
EXP="$TESTS/expected"


expect_exit 0 "$LUMPNET" --help
grep -q "lumpnet info" "$TMP/out" || fail "--help does not list info"
expect_exit 0 "$LUMPNET" --version
grep -q "^lumpnet [0-9]" "$TMP/out" || fail "--version: $(cat "$TMP/out")"
expect_exit 0 "$LUMPNET" eval --help
expect_exit 2 "$LUMPNET"
expect_exit 2 "$LUMPNET" frobnicate
expect_exit 2 "$LUMPNET" info
expect_exit 2 "$LUMPNET" info "$EX/tiny.json" --bogus
expect_exit 2 "$LUMPNET" info "$TMP/missing.json"
grep -q "missing.json" "$TMP/err" || fail "a missing file is not named"
expect_exit 2 "$LUMPNET" info "$EX/README.md"
grep -q "extension" "$TMP/err" || fail "an unknown extension is not explained"

# info, text and JSON, against expected-output files
(cd "$EX" && "$LUMPNET" info tiny.json) > "$TMP/info.out" || fail "info"
diff -u "$EXP/info_tiny.out" "$TMP/info.out" || fail "info text changed"
# (the time, the one value that changes from run to run, masked)
(cd "$EX" && "$LUMPNET" info tiny.json --json) > "$TMP/info.raw" || fail "info --json"
sed 's/^\(  "seconds": \).*/\1T/' "$TMP/info.raw" > "$TMP/info.json"
diff -u "$EXP/info_tiny.json" "$TMP/info.json" || fail "info --json changed"

# eval: exact values computed by hand in examples/README.md
expect_exit 0 "$LUMPNET" eval "$EX/tiny.json" --exact --input 1,1/2
[ "$(cat "$TMP/out")" = "11/4,-7/8" ] || fail "exact eval: $(cat "$TMP/out")"
# a value option given twice is refused, not silently overridden
expect_exit 2 "$LUMPNET" eval "$EX/tiny.json" --exact --input 1,1/2 --input 2,3
expect_exit 0 "$LUMPNET" eval "$EX/tiny.json" --inputs "$EX/tiny_inputs.txt"
printf '2.75,-0.875\n-0.75,0.75\n' > "$TMP/want"
diff -u "$TMP/want" "$TMP/out" || fail "double eval"
expect_exit 0 "$LUMPNET" eval "$EX/tiny.json" --mpfr 100 --input 0.5,-0.25
[ "$(cat "$TMP/out")" = "[5e+00, 5e+00], [-2.3125e+00, -2.3125e+00]" ] || fail "mpfr eval: $(cat "$TMP/out")"
expect_exit 0 "$LUMPNET" eval "$EX/tiny.json" --input=-1,2 --exact
[ "$(cat "$TMP/out")" = "-3/4,3/4" ] || fail "exact eval 2: $(cat "$TMP/out")"

# eval refusals: wrong dimension, bad numbers, both or neither input option
expect_exit 2 "$LUMPNET" eval "$EX/tiny.json" --input 1,2,3
grep -q "3 values given, the network has 2 inputs" "$TMP/err" || fail "$(cat "$TMP/err")"
expect_exit 2 "$LUMPNET" eval "$EX/tiny.json" --input 1,abc
grep -q "value 2" "$TMP/err" || fail "bad value not located: $(cat "$TMP/err")"
expect_exit 2 "$LUMPNET" eval "$EX/tiny.json" --input 1,1/0
expect_exit 2 "$LUMPNET" eval "$EX/tiny.json"
expect_exit 2 "$LUMPNET" eval "$EX/tiny.json" --input 1,2 --inputs "$EX/tiny_inputs.txt"
expect_exit 2 "$LUMPNET" eval "$EX/tiny.json" --mpfr 3 --input 1,2
printf '1,2\n1,2,3\n' > "$TMP/bad_inputs.txt"
expect_exit 2 "$LUMPNET" eval "$EX/tiny.json" --inputs "$TMP/bad_inputs.txt"
grep -q "line 2" "$TMP/err" || fail "bad input line not located: $(cat "$TMP/err")"

# convert refuses an unknown output format and leaves nothing behind
expect_exit 2 "$LUMPNET" convert "$EX/tiny.json" "$TMP/out.xyz"
[ -e "$TMP/out.xyz" ] && fail "a file was written for an unknown format"
expect_exit 2 "$LUMPNET" convert "$EX/tiny.json" "$TMP/no/such/dir/out.json"

# the counts of the real networks (acceptance of the foundation issue)
if [ -e "$DATA/acasxu/ACASXU_run2a_1_1_batch_2000.nnet" ]; then
  "$LUMPNET" info "$DATA/acasxu/ACASXU_run2a_1_1_batch_2000.nnet" --json > "$TMP/a.json"
  grep -q '"params": 13305' "$TMP/a.json" || fail "ACAS Xu NNet params: $(cat "$TMP/a.json")"
  "$LUMPNET" info "$DATA/vnncomp2021/acasxu/ACASXU_run2a_1_1_batch_2000.onnx" --json > "$TMP/a.json"
  grep -q '"params": 13305' "$TMP/a.json" || fail "ACAS Xu ONNX params"
  "$LUMPNET" info "$DATA/vnncomp2021/mnistfc/mnist-net_256x6.onnx" --json > "$TMP/m.json"
  grep -q '"params": 532490' "$TMP/m.json" || fail "mnist 256x6 params: $(cat "$TMP/m.json")"
  grep -q '"neurons": 1546' "$TMP/m.json" || fail "mnist 256x6 neurons"
else
  echo "real data absent: the ACAS Xu and MNIST counts were not checked"
fi
echo "cli_basic: pass"
