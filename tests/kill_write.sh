#!/bin/sh
# kill_write.sh -- interrupt `convert` (SIGINT, SIGTERM, SIGKILL) while it
# writes a large network, and find the target file either the old one or the
# complete new one, never a mix; after SIGINT and SIGTERM no temporary file
# is left either (after SIGKILL nothing can clean up: a stray temporary may
# remain, but the target is still intact).
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"

# A dense network of 3 x 800 x 800 weights (about 14 MB of JSON): large
# enough that the write takes a noticeable fraction of a second.
awk -v N=800 -v LAYERS=3 'BEGIN {
  seed = 12345
  printf "{\"format\":\"lumpnet-net\",\"version\":1,\"inputs\":%d,\"layers\":[", N
  for (l = 0; l < LAYERS; l++) {
    printf "%s{\"activation\":\"%s\",\"weights\":[", (l ? "," : ""), (l < LAYERS - 1 ? "relu" : "identity")
    for (i = 0; i < N; i++) {
      printf "%s[", (i ? "," : "")
      for (j = 0; j < N; j++) {
        seed = (seed * 1103515245 + 12345) % 2147483648
        printf "%s\"%d/%d\"", (j ? "," : ""), seed % 201 - 100, seed % 7 + 1
      }
      printf "]"
    }
    printf "],\"bias\":["
    for (i = 0; i < N; i++)
      printf "%s\"%d\"", (i ? "," : ""), i % 5
    printf "]}"
  }
  printf "]}\n"
}' >"$TMP/big.json"

# What a complete write gives, to compare with.
D="$TMP/out"
mkdir -p "$D"
for ext in json onnx; do
  "$LUMPNET" convert "$TMP/big.json" "$TMP/new.$ext" >/dev/null 2>&1 \
    || fail "convert big.json to .$ext failed"
done
cp "$TESTS/data/cert/small.quotient.json" "$TMP/old.json"
"$LUMPNET" convert "$TMP/old.json" "$TMP/old.onnx" >/dev/null 2>&1 || fail "convert small.quotient.json"

# A background job of a non-interactive shell starts with SIGINT ignored,
# and the tool keeps ignored signals ignored: give it the default action.
RUN=""
env --default-signal=INT true 2>/dev/null && RUN="env --default-signal=INT"

# interrupt SIG EXT WHEN: start `convert big.json D/target.EXT` over the old
# target, wait until the temporary file exists (WHEN=early) or has data in
# it (WHEN=partial), send SIG, and check what is left. Returns 1 when the
# tool had finished or not started writing before the signal (a retry).
interrupt() {
  sig=$1 ext=$2 when=$3
  rm -rf "$D" && mkdir -p "$D"
  cp "$TMP/old.$ext" "$D/target.$ext"
  $RUN "$LUMPNET" convert "$TMP/big.json" "$D/target.$ext" >/dev/null 2>"$TMP/stderr" &
  pid=$!
  seen=0
  i=0
  while [ $i -lt 3000 ] && kill -0 "$pid" 2>/dev/null; do
    for t in "$D"/.lumpnet-*; do
      [ -e "$t" ] || continue
      if [ "$when" = early ] || [ -s "$t" ]; then
        kill -"$sig" "$pid"
        seen=1
      fi
    done
    [ $seen -eq 1 ] && break
    sleep 0.005
    i=$((i + 1))
  done
  { wait "$pid"; } 2>/dev/null
  rc=$?
  if cmp -s "$D/target.$ext" "$TMP/old.$ext"; then
    state=old
  elif cmp -s "$D/target.$ext" "$TMP/new.$ext"; then
    state=new
  else
    fail "SIG$sig ($when) during the write of .$ext: the target is neither the old file nor the new one ($(wc -c <"$D/target.$ext") bytes)"
  fi
  left=$(ls -A "$D" | grep -c '^\.lumpnet-')
  if [ "$sig" != KILL ] && [ "$left" -ne 0 ]; then
    fail "SIG$sig ($when) during the write of .$ext: a temporary file was left: $(ls "$D")"
  fi
  [ "$(ls -A "$D" | grep -vc '^\.lumpnet-')" -eq 1 ] || fail "stray files in the target folder: $(ls -A "$D")"
  # killed after the rename, the new file is right; only a kill before it
  # tests what this test is about
  if [ $seen -eq 1 ] && [ "$rc" -gt 128 ] && [ "$state" = old ]; then
    echo "SIG$sig ($when, .$ext): killed mid-write (exit $rc), target intact, $left temporary file(s) left"
    return 0
  fi
  echo "SIG$sig ($when, .$ext): the signal missed the write (exit $rc, target $state); retrying"
  return 1
}

for run in "INT json early" "TERM json early" "KILL json early" \
           "INT json partial" "TERM json partial" "KILL json partial" \
           "TERM onnx partial" "KILL onnx partial"; do
  set -- $run
  ok=0
  for attempt in 1 2 3 4; do
    if interrupt "$@"; then
      ok=1
      break
    fi
  done
  [ $ok -eq 1 ] || fail "SIG$1 ($3, .$2): never landed during the write in 4 attempts"
done
# Out of memory is the other way a write can be cut short: under a cap
# (--max-memory) the tool stops with exit 2 and a message, leaving the old
# target and no temporary file. (An AddressSanitizer build cannot cap its
# address space and says so: then this part is skipped.)
rm -rf "$D" && mkdir -p "$D"
cp "$TMP/old.json" "$D/target.json"
"$LUMPNET" --max-memory 64 convert "$TMP/big.json" "$D/target.json" >/dev/null 2>"$TMP/stderr"
rc=$?
if grep -q 'AddressSanitizer' "$TMP/stderr"; then
  echo "--max-memory: skipped in an AddressSanitizer build"
else
  [ "$rc" -eq 2 ] || fail "--max-memory 64: exit $rc, expected 2: $(head -c 300 "$TMP/stderr")"
  grep -q 'out of memory' "$TMP/stderr" || fail "--max-memory 64: no out-of-memory message: $(cat "$TMP/stderr")"
  grep -qF big.json "$TMP/stderr" || fail "--max-memory 64: the message does not name the file"
  [ "$(wc -l < "$TMP/stderr")" -eq 1 ] || fail "--max-memory 64: not one message line: $(cat "$TMP/stderr")"
  grep -q 'see --max-memory' "$TMP/stderr" || fail "--max-memory 64: the message does not name the flag"
  cmp -s "$D/target.json" "$TMP/old.json" || fail "--max-memory 64: the old target was changed"
  [ "$(ls -A "$D")" = target.json ] || fail "--max-memory 64: files left: $(ls -A "$D")"
  echo "--max-memory 64: refused cleanly: $(cat "$TMP/stderr")"
fi
echo "kill_write: every interrupted write left the old target intact"
