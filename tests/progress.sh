#!/bin/sh
# progress.sh -- long commands show that they are working: on a terminal
# (a pseudo-terminal made by script(1)) a progress line rewritten in place
# that names the phase and how far it is, then a one-line summary; with
# standard error redirected, the summary alone; with --quiet, nothing.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
A=vnncomp2021/acasxu
need_data "$A/ACASXU_run2a_1_1_batch_2000.onnx" "$A/ACASXU_run2a_1_2_batch_2000.onnx" \
  "$A/prop_1.vnnlib" "$A/prop_3.vnnlib"
command -v script >/dev/null 2>&1 || skip "no script(1) (Debian: bsdutils) to make a terminal"
N1=$DATA/$A/ACASXU_run2a_1_1_batch_2000.onnx
N2=$DATA/$A/ACASXU_run2a_1_2_batch_2000.onnx
P1=$DATA/$A/prop_1.vnnlib
P3=$DATA/$A/prop_3.vnnlib
cd "$TMP" || exit 1
# the first progress line at once: the commands here take about a second
LUMPNET_PROGRESS_DELAY=0; export LUMPNET_PROGRESS_DELAY

BOUND="bound $N1 $N2 --box $P1 --max-boxes 8 --samples 100"
REDUCE="reduce $N1 -o r.json --box $P3"
RELAX="relax $N1 --eps 0.05 -o x.json --box $P3 --samples 100"

# on_tty NAME ARGS: run lumpnet ARGS with a terminal for every stream;
# what the terminal showed goes to NAME.tty, carriage returns as newlines
on_tty() {
  name=$1; shift
  script -qec "'$LUMPNET' $*" /dev/null < /dev/null > "$name.raw" 2>&1 ||
    fail "lumpnet $* on a terminal exited $?: $(tr '\r' '\n' < "$name.raw" | tail -5)"
  tr '\r' '\n' < "$name.raw" > "$name.tty"
}

# 1. on a terminal: progress lines ("lumpnet: CMD: phase j of n, ..., 3 s")
# rewritten in place (\r ... ESC[K), then the summary
for cmd in bound reduce relax; do
  case $cmd in
    bound) args=$BOUND ;;
    reduce) args=$REDUCE ;;
    relax) args=$RELAX ;;
  esac
  on_tty "$cmd" "$args"
  grep -q "^lumpnet: $cmd: \[[0-9][0-9.]* [a-z]*[],].* [0-9][0-9]* of [0-9][0-9]*" "$cmd.tty" ||
    fail "$cmd on a terminal showed no progress line: $(head -c 600 "$cmd.tty")"
  grep -q "$(printf '\033')\[K" "$cmd.raw" || fail "$cmd: the progress line is not erased in place"
  grep -q "^lumpnet: $cmd: [0-9][0-9.]* s, " "$cmd.tty" ||
    fail "$cmd on a terminal printed no summary: $(tail -5 "$cmd.tty")"
done
grep -q "^lumpnet: bound: \[.*\] box [1-8] of 8, symbolic layer [1-7] of 7" bound.tty ||
  fail "bound: no 'box j of 8, symbolic layer i of 7' phase: $(head -c 600 bound.tty)"
grep -q "^lumpnet: relax: \[.*\] box [0-9]* of 64, symbolic layer [1-7] of 7" relax.tty ||
  fail "relax: no 'box j of 64, symbolic layer i of 7' phase: $(head -c 600 relax.tty)"
[ -s r.json ] && [ -s x.json ] || fail "reduce or relax wrote nothing on a terminal"

# check, the trusted checker, shows its passes too: each layer of the
# lumping, then each layer of the quotient
"$LUMPNET" reduce "$N1" -o c_q.json --cert c_c.json > /dev/null 2>&1 || fail "reduce for check failed"
on_tty check "check $N1 c_q.json c_c.json"
grep -q "^lumpnet: check: \[.*\] check layer [1-7] of 7" check.tty ||
  fail "check on a terminal showed no progress line: $(head -c 600 check.tty)"
grep -q "valid: c_q.json" check.tty || fail "check on a terminal: no verdict: $(tail -3 check.tty)"

# 2. standard error not a terminal: exactly the one summary line
for cmd in bound relax; do
  case $cmd in
    bound) args=$BOUND ;;
    relax) args=$RELAX ;;
  esac
  # shellcheck disable=SC2086
  "$LUMPNET" $args > "$cmd.out" 2> "$cmd.err" || fail "lumpnet $args exited $?: $(cat "$cmd.err")"
  [ "$(wc -l < "$cmd.err")" -eq 1 ] || fail "$cmd with stderr redirected printed more than the summary: $(cat "$cmd.err")"
  grep -q "^lumpnet: $cmd: [0-9][0-9.]* s, .*certified" "$cmd.err" ||
    fail "$cmd: not a summary line: $(cat "$cmd.err")"
  ! grep -q "$(printf '\r')" "$cmd.err" || fail "$cmd wrote a carriage return to a file"
done

# 3. --quiet: nothing on standard error, terminal or not
rm -f r.json
on_tty quiet "--quiet $REDUCE"
! grep -q '^lumpnet' quiet.tty || fail "--quiet still printed: $(grep '^lumpnet' quiet.tty | head -3)"
[ -s r.json ] || fail "reduce --quiet wrote nothing"
# shellcheck disable=SC2086
"$LUMPNET" $REDUCE --quiet > /dev/null 2> quiet.err || fail "reduce --quiet exited $?"
[ ! -s quiet.err ] || fail "--quiet with stderr redirected printed: $(cat quiet.err)"
echo "progress: bound, reduce --box and relax show progress on a terminal, a summary otherwise"
