#!/bin/sh
# completion.sh -- the bash completion offers commands, each command's
# options (read from its --help), choices of known values, and files by
# extension
. "$(dirname "$0")/common.sh"
command -v bash >/dev/null 2>&1 || skip "no bash"
mkdir -p "$TMP/d/sub" && touch "$TMP/d/a.onnx" "$TMP/d/b.nnet" "$TMP/d/c.vnnlib" "$TMP/d/e.csv"
cat >"$TMP/run.bash" <<'EOS'
lumpnet() { "$LUMPNET" "$@"; }
. "$1"
cd "$2"
t() { COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _lumpnet
      printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '; echo; }
t lumpnet red
t lumpnet ""
t lumpnet reduce --b
t lumpnet reduce a.onnx --mode ""
t lumpnet reduce ""
t lumpnet reduce a.onnx --box ""
t lumpnet bound a.onnx b.nnet --max-boxes ""
t lumpnet explore a.onnx --csv ""
EOS
LUMPNET=$LUMPNET bash "$TMP/run.bash" "$TESTS/../completion/lumpnet" "$TMP/d" >"$TMP/out" 2>&1 ||
  fail "completion script failed: $(cat "$TMP/out")"
expect() { # line, expected
  got=$(sed -n "$1p" "$TMP/out")
  [ "$got" = "$2" ] || fail "case $1: expected '$2', got '$got'"
}
expect 1 "reduce "
case $(sed -n 2p "$TMP/out") in
  *bound*check*convert*draw*equiv*eval*explore*info*reduce*relax*) ;;
  *) fail "commands: $(sed -n 2p "$TMP/out")" ;;
esac
expect 3 "--bounds --box "
expect 4 "exact proportional "
expect 5 "a.onnx b.nnet sub "
expect 6 "c.vnnlib sub "
expect 7 " "
expect 8 "e.csv sub "
echo "completion: 8 cases"
