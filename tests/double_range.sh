#!/bin/sh
# double_range.sh -- a double evaluation that overflows or loses a value
# says so and exits 2, never printing inf, nan or a wrong number with exit
# 0; relax names the file and the reason instead of exiting 70 (issue #11).
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
J="$TESTS/data/json"

expect() { # code needle command...: exit code, stderr contains needle, no inf/nan out
  want=$1; needle=$2; shift 2
  "$@" > "$TMP/out" 2> "$TMP/err"
  got=$?
  [ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want: $(cat "$TMP/out" "$TMP/err")"
  [ -z "$needle" ] || grep -q -- "$needle" "$TMP/err" || fail "'$*': no '$needle' in: $(cat "$TMP/err")"
  grep -qi "inf\|nan" "$TMP/out" && fail "'$*' printed $(cat "$TMP/out")"
  return 0
}

# a weight of 1e400 (legal, exact in JSON): double evaluation would print
# nan (or a wrong finite value); exact evaluation is 13/4,-2
expect 2 "huge_weight.json: layer 1, neuron 1: the weight from 1 is 1e+400, which overflows" \
  "$LUMPNET" eval "$J/huge_weight.json" --input 1,1
grep -q -- "--exact" "$TMP/err" || fail "no pointer to --exact: $(cat "$TMP/err")"
[ -s "$TMP/out" ] && fail "partial output: $(cat "$TMP/out")"
"$LUMPNET" eval "$J/huge_weight.json" --exact --input 1,1 > "$TMP/out" || fail "exact eval"
[ "$(cat "$TMP/out")" = "13/4,-2" ] || fail "exact eval: $(cat "$TMP/out")"
"$LUMPNET" eval "$J/huge_weight.json" --mpfr 64 --input 1,1 > "$TMP/out" 2>/dev/null || fail "mpfr eval"
grep -q "^\[3.2499" "$TMP/out" || fail "mpfr eval: $(cat "$TMP/out")"

# weights in range whose product overflows: 1e300 * 1e300
expect 2 "overflowed (layer 2, pre-activation of neuron 1 is inf)" \
  "$LUMPNET" eval "$J/overflow_sum.json" --input 1
expect 0 "" "$LUMPNET" eval "$J/overflow_sum.json" --input 0
[ "$(cat "$TMP/out")" = "0" ] || fail "eval at 0: $(cat "$TMP/out")"
# inputs beyond the double range, over and under
expect 2 "input value 1 is 1e+400, which overflows" "$LUMPNET" eval "$J/overflow_sum.json" --input 1e400
expect 2 "input value 1 is 1e-400, which underflows" "$LUMPNET" eval "$J/overflow_sum.json" --input 1e-400
printf '0\n1\n' > "$TMP/in.txt"
expect 2 "line 2" "$LUMPNET" eval "$J/overflow_sum.json" --inputs "$TMP/in.txt"

# relax computes in double: exit 2 naming the file, and no output file
expect 2 "huge_weight.json: layer 1, neuron 1: the weight from 1 is 1e+400" \
  "$LUMPNET" relax "$J/huge_weight.json" --eps 0.1 --box 0:1,0:1 -o "$TMP/q.json"
[ -e "$TMP/q.json" ] && fail "relax wrote an output"
expect 2 "relax_overflow.json: relax: a weight or bias of the quotient overflows" \
  "$LUMPNET" relax "$J/relax_overflow.json" --eps 0.1 --box 0:1 -o "$TMP/q.json"
[ -e "$TMP/q.json" ] && fail "relax wrote an output"
# explore runs relax at each eps: the same message, naming the file, and no CSV
expect 2 "relax_overflow.json: relax: a weight or bias of the quotient overflows" \
  "$LUMPNET" explore "$J/relax_overflow.json" --eps-list 0.1 --box 0:1 --csv "$TMP/x.csv"
[ -e "$TMP/x.csv" ] && fail "explore wrote a CSV"
# eps = 0 is exact and works
"$LUMPNET" relax "$J/huge_weight.json" --eps 0 --box 0:1,0:1 -o "$TMP/q.json" > /dev/null 2>&1 ||
  fail "relax --eps 0 failed"
echo ok
