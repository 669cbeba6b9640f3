#!/bin/sh
# suggest.sh -- a misspelt command or option is refused (exit 2) with the
# nearest known name, and only when one is near
. "$(dirname "$0")/common.sh"
# run ARGS...: stderr in $TMP/err, the exit code checked to be 2
run() {
  "$LUMPNET" "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?
  [ "$rc" -eq 2 ] || fail "lumpnet $*: exit $rc, expected 2"
  [ ! -s "$TMP/out" ] || fail "lumpnet $*: wrote to standard output"
}
says() { grep -qF -- "$1" "$TMP/err" || fail "expected '$1' in: $(cat "$TMP/err")"; }
silent() { ! grep -q "did you mean" "$TMP/err" || fail "no suggestion expected: $(cat "$TMP/err")"; }
run redcue;                         says "did you mean 'reduce'?"
run exlpore;                        says "did you mean 'explore'?"
run eqiv;                           says "did you mean 'equiv'?"
run xyzzy;                          silent; says "unknown command 'xyzzy'"
run reduce net.onnx --bx b;         says "did you mean '--box'?"
run bound a b --max-box 3;          says "did you mean '--max-boxes'?"
run equiv a b --sed=3;              says "did you mean '--seed'?"
run info --jsn;                     says "did you mean '--json'?"
run reduce net.onnx --quite;        says "did you mean '--quiet'?"
run reduce net.onnx --frobnicate;   silent; says "unknown option '--frobnicate'"
echo "suggestions: 10 cases"
