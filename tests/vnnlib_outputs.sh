#!/bin/sh
# vnnlib_outputs.sh -- info PROP.vnnlib reads the output constraints (the
# counterexample condition): comparisons of linear expressions over Y,
# chained, strict, with and/or multiplied out; non-linear or mixed
# constraints are refused with exit 2 and the line
. "$(dirname "$0")/common.sh"
cd "$TMP" || exit 1
cat >p.vnnlib <<'EOV'
(declare-const X_0 Real)
(declare-const Y_0 Real)
(declare-const Y_1 Real)
(declare-const Y_2 Real)
(assert (<= X_0 1))
(assert (>= X_0 0))
; two asserts and a disjunction: 1 x 2 conjunctions
(assert (<= (* 2 Y_0) (+ Y_1 1/2)))
(assert (or (and (< Y_2 (- Y_0)) (>= Y_1 3)) (<= 0 Y_2 Y_1)))
EOV
"$LUMPNET" info p.vnnlib >out.txt 2>err.txt || fail "info: $(cat err.txt)"
cat >want.txt <<'EOW'
  2 Y_0 - Y_1 <= 0.5 and Y_0 + Y_2 < 0 and Y_1 >= 3
  2 Y_0 - Y_1 <= 0.5 and Y_2 >= 0 and -Y_1 + Y_2 <= 0
EOW
grep '^  [-0-9Y]' out.txt | grep -v 'X_' >got.txt
diff want.txt got.txt >/dev/null || fail "output constraints: $(cat got.txt)"
grep -q 'one of:' out.txt || fail "no 'one of' for two conjunctions: $(cat out.txt)"
"$LUMPNET" info p.vnnlib --json >j.txt || fail "info --json"
grep -q '"Y_0 + Y_2 < 0"' j.txt || fail "--json: $(cat j.txt)"
# the real properties: ACAS Xu property 3 is one conjunction of four
if [ -e "$DATA/vnncomp2021/acasxu/prop_3.vnnlib" ]; then
  "$LUMPNET" info "$DATA/vnncomp2021/acasxu/prop_3.vnnlib" >out.txt 2>err.txt || fail "prop_3: $(cat err.txt)"
  grep -qx '  Y_0 - Y_1 <= 0 and Y_0 - Y_2 <= 0 and Y_0 - Y_3 <= 0 and Y_0 - Y_4 <= 0' out.txt ||
    fail "prop_3: $(cat out.txt)"
fi
# beyond what is read: a product of outputs, a constraint mixing inputs and
# outputs (the box is still shown, with a warning naming the line); an
# undeclared output is an error
for bad in '(assert (<= (* Y_0 Y_1) 1))' '(assert (<= Y_0 X_0))' '(assert (<= Y_7 1))'; do
  printf '(declare-const X_0 Real)\n(declare-const Y_0 Real)\n(declare-const Y_1 Real)\n(assert (<= X_0 1))\n(assert (>= X_0 0))\n%s\n' "$bad" >bad.vnnlib
  "$LUMPNET" info bad.vnnlib >out.txt 2>err.txt; rc=$?
  case $bad in
    *Y_7*) [ "$rc" -eq 2 ] || fail "'$bad': exit $rc, expected 2" ;;
    *) [ "$rc" -eq 0 ] && grep -q 'warning:' err.txt && grep -q 'X_0 in \[0, 1\]' out.txt ||
         fail "'$bad': exit $rc, expected 0 with a warning and the box: $(cat err.txt out.txt)" ;;
  esac
  grep -q 'bad.vnnlib: line 6' err.txt || fail "'$bad': the message names no line: $(cat err.txt)"
done
echo "VNN-LIB output constraints"
