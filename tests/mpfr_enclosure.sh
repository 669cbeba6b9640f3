#!/bin/sh
# mpfr_enclosure.sh -- `eval --mpfr BITS` prints what it proved: an
# interval [lo, hi] per output, rounded outward to decimal. On the ERAN
# sigmoid network the 200-bit intervals contain the midpoints of the
# 1000-bit ones, checked exactly on the printed decimal strings (Python
# fractions), and the 1000-bit intervals lie inside the 200-bit ones'
# neighbourhood (they intersect).
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
need_data vnncomp2021/eran/ffnnSIGMOID__Point_6x200.onnx
NET="$DATA/vnncomp2021/eran/ffnnSIGMOID__Point_6x200.onnx"
PY=
for p in /usr/bin/python3 python3; do
  if "$p" -c 'import fractions, re' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || skip "no python3 to read the intervals exactly"
seed=${LUMPNET_SEED:-20261124}
echo "seed $seed (set LUMPNET_SEED to replay)"
awk -v seed="$seed" 'BEGIN { srand(seed);
  for (k = 0; k < 4; k++) { s = "";
    for (i = 0; i < 784; i++) s = s (i ? "," : "") sprintf("%.6f", rand());
    print s } }' > "$TMP/in.txt"
for b in 200 1000; do
  "$LUMPNET" eval "$NET" --inputs "$TMP/in.txt" --mpfr $b > "$TMP/m$b.txt" 2> "$TMP/err" ||
    fail "eval --mpfr $b exited $?: $(cat "$TMP/err")"
  grep -q "printed interval" "$TMP/err" || fail "eval --mpfr $b states no enclosure: $(cat "$TMP/err")"
done
"$PY" - "$TMP/m200.txt" "$TMP/m1000.txt" <<'PYEOF' || fail "the 200-bit intervals miss the 1000-bit values"
import re, sys
from fractions import Fraction
PAIR = re.compile(r"\[([^,\]]+), ([^\]]+)\]")
def read(path):
    rows = []
    for line in open(path):
        line = line.strip()
        pairs = PAIR.findall(line)
        # the line is exactly the intervals joined by ", "
        assert line == ", ".join("[%s, %s]" % p for p in pairs), "bad line: " + line[:80]
        rows.append([(Fraction(a), Fraction(b)) for a, b in pairs])
    return rows
lo_rows, hi_rows = read(sys.argv[1]), read(sys.argv[2])
assert len(lo_rows) == 4 and len(hi_rows) == 4, "4 lines expected"
bad = 0
for r, (a, b) in enumerate(zip(lo_rows, hi_rows)):
    assert len(a) == 10 and len(b) == 10, "10 outputs expected"
    for j, ((l2, h2), (l10, h10)) in enumerate(zip(a, b)):
        mid = (l10 + h10) / 2
        if not (l2 <= h2 and l10 <= h10):
            print("line %d output %d: empty interval" % (r + 1, j)); bad += 1
        if not (l2 <= mid <= h2):
            print("line %d output %d: 1000-bit midpoint outside [%s, %s]" % (r + 1, j, l2, h2)); bad += 1
        if h10 - l10 > h2 - l2:
            print("line %d output %d: 1000 bits no tighter than 200" % (r + 1, j)); bad += 1
        if not h2 - l2 < Fraction(1, 10**40):
            print("line %d output %d: 200-bit interval too wide" % (r + 1, j)); bad += 1
print("40 outputs: every 200-bit interval contains the 1000-bit midpoint")
sys.exit(1 if bad else 0)
PYEOF
echo ok
