#!/bin/sh
# signals.sh -- every signal that ends the process while it writes removes
# the temporary file first and then ends it as that signal would (exit
# status 128 + signal number), leaving the old target intact: HUP, INT,
# QUIT, TERM, USR1, USR2, PIPE, ALRM and a real-time signal. A signal the
# caller ignores (nohup) stays ignored, SIGXFSZ is a write error (see
# files.sh), and the temporary file does not exist before the document is
# ready to be written.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"

# A dense network of 3 x 400 x 400 weights (about 3.5 MB of JSON).
awk -v N=400 -v LAYERS=3 'BEGIN {
  seed = 777
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
cp "$TESTS/data/cert/small.quotient.json" "$TMP/old.json"
"$LUMPNET" convert "$TMP/big.json" "$TMP/new.json" >/dev/null 2>&1 || fail "convert big.json"
D="$TMP/out"

# A background job of a non-interactive shell starts with INT and QUIT
# ignored, and the tool rightly keeps ignored signals ignored: start it
# with the default actions, as a terminal would.
if env --default-signal=INT,QUIT true 2>/dev/null; then
  RUN="env --default-signal=INT,QUIT"
  SIGS="HUP INT QUIT TERM USR1 USR2 PIPE ALRM 40"
else
  RUN=""
  SIGS="HUP TERM USR1 USR2 PIPE ALRM 40"
  echo "note: env --default-signal is missing: INT and QUIT are not tried"
fi

# write_under SIG: start `convert big.json D/target.json` over the old
# target, wait for the temporary file to appear, send SIG, and check what
# is left. Returns 1 when the signal missed the write (a retry).
write_under() {
  sig=$1
  rm -rf "$D" && mkdir -p "$D"
  cp "$TMP/old.json" "$D/target.json"
  $RUN "$LUMPNET" convert "$TMP/big.json" "$D/target.json" >/dev/null 2>"$TMP/stderr" &
  pid=$!
  seen=0
  i=0
  while [ $i -lt 4000 ] && kill -0 "$pid" 2>/dev/null; do
    if [ -n "$(ls -A "$D" | grep '^\.lumpnet-\|\.tmp-')" ]; then
      kill -s "$sig" "$pid" 2>/dev/null || kill -"$sig" "$pid"
      seen=1
      break
    fi
    sleep 0.005
    i=$((i + 1))
  done
  { wait "$pid"; } 2>/dev/null
  rc=$?
  left=$(ls -A "$D" | grep -c '^\.lumpnet-\|\.tmp-')
  [ "$left" -eq 0 ] || fail "SIG$sig during the write: a temporary file was left: $(ls -A "$D")"
  if cmp -s "$D/target.json" "$TMP/old.json"; then
    state=old
  elif cmp -s "$D/target.json" "$TMP/new.json"; then
    state=new
  else
    fail "SIG$sig during the write: the target is neither the old file nor the new one"
  fi
  if [ $seen -eq 1 ] && [ "$state" = old ]; then
    # the exit status names the signal: 128 + its number
    case "$sig" in
      [0-9]*) [ "$rc" -eq $((128 + sig)) ] || fail "signal $sig: exit $rc, expected $((128 + sig))" ;;
      *) [ "$rc" -gt 128 ] && [ "$(kill -l "$rc" 2>/dev/null)" = "$sig" ] ||
           fail "SIG$sig: exit $rc, not the status of death by SIG$sig" ;;
    esac
    echo "SIG$sig: ended mid-write with exit $rc, target intact, no temporary file"
    return 0
  fi
  echo "SIG$sig: the signal missed the write (exit $rc, target $state); retrying"
  return 1
}

for sig in $SIGS; do
  ok=0
  for attempt in 1 2 3 4; do
    if write_under "$sig"; then
      ok=1
      break
    fi
  done
  [ $ok -eq 1 ] || fail "SIG$sig: never landed during the write in 4 attempts"
done

# An ignored signal stays ignored (nohup): the write completes.
rm -rf "$D" && mkdir -p "$D"
cp "$TMP/old.json" "$D/target.json"
(trap '' HUP USR1 && exec "$LUMPNET" convert "$TMP/big.json" "$D/target.json") >/dev/null 2>&1 &
pid=$!
i=0
while [ $i -lt 4000 ] && [ -z "$(ls -A "$D" | grep '^\.lumpnet-')" ] && kill -0 "$pid" 2>/dev/null; do
  sleep 0.005
  i=$((i + 1))
done
kill -HUP "$pid" 2>/dev/null
kill -USR1 "$pid" 2>/dev/null
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || fail "ignored HUP and USR1: exit $rc, expected 0"
cmp -s "$D/target.json" "$TMP/new.json" || fail "ignored HUP and USR1: the target is not the new file"
echo "ignored HUP and USR1 stayed ignored: the write completed"

# The temporary file appears only when the document is ready: while the
# tool still builds it, nothing is in the folder. Poll while it works; an
# empty temporary file seen in several polls in a row means it was created
# before the document existed (the old behaviour: for the whole build).
rm -rf "$D" && mkdir -p "$D"
"$LUMPNET" convert "$TMP/big.json" "$D/target.json" >/dev/null 2>&1 &
pid=$!
empty=0
worst=0
while kill -0 "$pid" 2>/dev/null; do
  t=$(ls -A "$D" | grep '^\.lumpnet-\|\.tmp-' | head -1)
  if [ -n "$t" ] && [ -e "$D/$t" ] && [ ! -s "$D/$t" ]; then
    empty=$((empty + 1))
    [ $empty -gt $worst ] && worst=$empty
  else
    empty=0
  fi
  sleep 0.005
done
wait "$pid" || fail "convert big.json failed"
[ $worst -lt 5 ] || fail "an empty temporary file sat in the folder for $worst polls while the document was built"
echo "no empty temporary file while the document was built (longest run: $worst polls)"
echo "signals: every case passed"
