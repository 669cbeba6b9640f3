#!/bin/sh
# draw_memory.sh -- `lumpnet --max-memory M draw` never dies by a signal and
# never leaves its temporary file: Graphviz's font stack (fontconfig, pango,
# cairo) aborts or crashes when memory runs short, so the renderer runs in
# a child process and its death is reported as exit 2 with a message that
# names the output file and the memory limit. Each run ends with exit 0
# and a whole figure, the same bytes as without a limit, or exit 2, that
# message and no file at all; and the runs leave the font cache intact.
# A subset of limits by default; LUMPNET_DRAW_SWEEP=full runs every M in
# 16..128 MB six times (all four formats) on both networks (minutes).
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
ACAS=acasxu/ACASXU_run2a_1_1_batch_2000.nnet
need_data "$ACAS"
EX=$(cd "$TESTS/.." && pwd)/examples/tiny.json
[ -e "$EX" ] || fail "examples/tiny.json is missing"

if [ "${LUMPNET_DRAW_SWEEP:-}" = full ]; then
  LIMITS=$(seq 16 128)
  RUNS="svg png pdf dot svg png"
else
  LIMITS="16 20 32 48 128"
  RUNS="svg png pdf dot"
fi

magic_ok() { # file ext
  case $2 in
    svg) grep -q '</svg>' "$1" ;;
    pdf) head -c 5 "$1" | grep -q '^%PDF-' && tail -c 64 "$1" | grep -q '%%EOF' ;;
    png) [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ;;
    dot) grep -q '^}' "$1" ;;
  esac
}

# the figures without a limit: a figure drawn under one is the same bytes
# (PNG aside: zlib's output is not compared)
mkdir "$TMP/ref" || exit 1
reference() { # net name
  for ext in svg pdf dot; do
    "$LUMPNET" draw "$1" -o "$TMP/ref/$2.$ext" > /dev/null 2> "$TMP/err" ||
      fail "draw $1 -o $2.$ext without a limit exited $?: $(cat "$TMP/err")"
  done
}
reference "$EX" tiny
reference "$DATA/$ACAS" acas

runs=0 ok=0 refused=0
for net in "$EX" "$DATA/$ACAS"; do
  case $net in
    "$EX") name=tiny ;;
    *) name=acas ;;
  esac
  for m in $LIMITS; do
    for ext in $RUNS; do
      out=$TMP/fig.$ext
      rm -f "$TMP"/fig.*
      "$LUMPNET" --max-memory "$m" draw "$net" -o "$out" > "$TMP/out" 2> "$TMP/err"
      rc=$?
      runs=$((runs + 1))
      what="--max-memory $m draw $(basename "$net") -o fig.$ext"
      [ "$rc" -lt 128 ] || fail "$what died by signal $((rc - 128)): $(head -c 300 "$TMP/err")"
      leftovers=$(ls "$TMP" | grep '^fig\..*tmp-' || true)
      [ -z "$leftovers" ] || fail "$what left $leftovers behind (exit $rc)"
      case $rc in
        0)
          [ -s "$out" ] && magic_ok "$out" "$ext" || fail "$what: exit 0 but fig.$ext is not a whole $ext"
          [ "$ext" = png ] || cmp -s "$out" "$TMP/ref/$name.$ext" ||
            fail "$what: exit 0 but fig.$ext differs from the drawing without a limit"
          ok=$((ok + 1)) ;;
        2)
          [ ! -e "$out" ] || fail "$what: exit 2 but fig.$ext was written"
          grep -q "fig\.$ext" "$TMP/err" || fail "$what: the message does not name the file: $(cat "$TMP/err")"
          grep -q "memory" "$TMP/err" || fail "$what: the message does not say memory: $(cat "$TMP/err")"
          [ "$(wc -l < "$TMP/err")" -eq 1 ] || fail "$what: more than one line on stderr: $(cat "$TMP/err")"
          refused=$((refused + 1)) ;;
        *) fail "$what exited $rc: $(cat "$TMP/err")" ;;
      esac
    done
  done
done
# the sweep must reach both outcomes, or it tests nothing (an ASan build
# has no address-space limit: everything draws)
[ "$ok" -gt 0 ] || fail "no limit was enough to draw ($runs runs)"
# and it must leave the machine as it found it: fontconfig short of memory
# once wrote an empty font cache for the whole system (as root), after
# which every drawing came out different
for ext in svg pdf; do
  "$LUMPNET" draw "$EX" -o "$TMP/after.$ext" > /dev/null 2>&1 || fail "draw after the sweep failed"
  cmp -s "$TMP/after.$ext" "$TMP/ref/tiny.$ext" ||
    fail "after the sweep, tiny.$ext draws differently: the font cache was spoilt (fc-cache -f repairs it)"
done
echo "draw under --max-memory: $runs runs, $ok drawn, $refused refused with exit 2"
