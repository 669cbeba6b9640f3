#!/bin/sh
# cli_malformed.sh -- every file of the malformed corpus (tests/malformed/)
# is refused with exit code 2 and one message naming the file, and no output
# file is left behind; nothing crashes (a crash is a signal exit > 128).
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
EX="$TESTS/../examples"
count=0
for f in "$TESTS"/malformed/*/*; do
  case "$f" in *.py|*.md|*.sh) continue ;; esac
  [ -f "$f" ] || continue
  name=$(basename "$f")
  case "$f" in
    *.vnnlib) set -- "$LUMPNET" info "$f" ;;
    */malformed/cert/*)
      set -- "$LUMPNET" check "$TESTS/data/cert/small.json" \
        "$TESTS/data/cert/small.quotient.json" "$f" ;;
    # a residual Add is a valid graph network (written as ONNX or JSON,
    # tests/cnn_io.sh) but no fully connected one: NNet refuses it
    */branching_graph.onnx) set -- "$LUMPNET" convert "$f" "$TMP/out.nnet" ;;
    *) set -- "$LUMPNET" convert "$f" "$TMP/out.json" ;;
  esac
  timeout 20 "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  rc=$?
  [ "$rc" -eq 124 ] && fail "$name: hung (killed after 20 s)"
  [ "$rc" -eq 2 ] || fail "$name: exit $rc, expected 2; stderr: $(head -c 300 "$TMP/stderr")"
  grep -qF "$name" "$TMP/stderr" || fail "$name: the message does not name the file: $(cat "$TMP/stderr")"
  [ "$(wc -l < "$TMP/stderr")" -le 3 ] || fail "$name: more than a short message: $(cat "$TMP/stderr")"
  [ -e "$TMP/out.json" ] || [ -e "$TMP/out.nnet" ] && fail "$name: an output file was left behind"
  ls -A "$TMP" | grep -q "^\.lumpnet-" && fail "$name: a temporary file was left behind"
  count=$((count + 1))
done
# the fixture the certificate cases start from is itself valid
"$LUMPNET" check "$TESTS/data/cert/small.json" "$TESTS/data/cert/small.quotient.json" \
  "$TESTS/data/cert/small.cert.json" >/dev/null || fail "the certificate fixture is not valid"
[ "$count" -ge 30 ] || fail "only $count malformed files in the corpus (at least 30 expected)"
echo "cli_malformed: $count malformed files refused cleanly"
