#!/bin/sh
# draw.sh -- `lumpnet draw` as users run it: DOT expected-output files (plain
# network, lumping, quotient, summarised layers), the four formats of a
# small lumped network (magic bytes; the SVG parsed as XML, one node per
# shown neuron, a fill per block checked against the certificate), identical
# bytes from two runs, a large real network within 5 s and 600 nodes, and
# exit 2 with no file left for bad options and unwritable paths; every
# layer drawn in index order.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
NET=$TESTS/data/cert/small.json
CERT=$TESTS/data/cert/small.cert.json
EXP=$TESTS/expected


# 1. DOT expected-output files: the graph handed to dot, the same on every
# Graphviz version
check_dot() { # name args...
  name=$1; shift
  expect_exit 0 "$LUMPNET" draw "$@" -o "$TMP/$name.dot"
  diff -u "$EXP/$name.dot" "$TMP/$name.dot" > "$TMP/diff" ||
    fail "$name.dot differs from tests/expected/$name.dot: $(head -40 "$TMP/diff")"
  ! grep -qi 'graphviz version' "$TMP/$name.dot" || fail "$name.dot names a Graphviz version"
}
check_dot draw_plain "$NET"
check_dot draw_lumping "$NET" --cert "$CERT"
check_dot draw_quotient "$NET" --cert "$CERT" --quotient-only
check_dot draw_summary "$NET" --cert "$CERT" --max-width 3 --max-edges 4

# 2. the four formats of a small lumped network
for ext in svg pdf png dot; do
  expect_exit 0 "$LUMPNET" draw "$NET" --cert "$CERT" -o "$TMP/small.$ext"
  [ -s "$TMP/small.$ext" ] || fail "small.$ext is empty"
done
head -c 5 "$TMP/small.pdf" | grep -q '^%PDF-' || fail "small.pdf is not a PDF"
[ "$(head -c 8 "$TMP/small.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
  fail "small.png is not a PNG"
head -c 200 "$TMP/small.dot" | grep -q '^digraph' || fail "small.dot is not DOT"

PY=
for p in /usr/bin/python3 python3; do
  if command -v "$p" >/dev/null 2>&1; then PY=$p; break; fi
done
[ -n "$PY" ] || skip "no python3 to parse the SVG"
# One node element per shown neuron (2+6+4+2 in the original, 2+2+2+2 in
# the quotient), and the fills follow the certificate's blocks: same block,
# same fill; different merged blocks of a layer, different fills; a neuron
# alone in its block white.
"$PY" - "$TMP/small.svg" "$CERT" 2>"$TMP/py.err" <<'EOF' || fail "small.svg: $(cat "$TMP/py.err" 2>/dev/null)"
import json, re, sys
import xml.etree.ElementTree as ET
ns = '{http://www.w3.org/2000/svg}'
root = ET.parse(sys.argv[1]).getroot()
fills = {}
for g in root.iter(ns + 'g'):
    if 'node' not in g.get('class', '').split():
        continue
    gid = g.get('id', '')
    if re.fullmatch(r'[oq]\d+_\d+', gid):
        shape = next(e for e in g if e.tag in (ns + 'ellipse', ns + 'polygon', ns + 'path'))
        fills[gid] = shape.get('fill')
assert len(fills) == 22, 'neuron nodes: %d, expected 22' % len(fills)
cert = json.load(open(sys.argv[2]))
for i, layer in enumerate(cert['layers'], start=1):
    kept = []
    for b in layer['blocks']:
        f = {fills['o%d_%d' % (i, m)] for m in b['members']}
        assert len(f) == 1, 'layer %d block %s has fills %s' % (i, b['members'], f)
        if b.get('fate', 'keep') == 'keep':
            kept.append(f.pop())
            alone = len(b['members']) == 1
            assert (kept[-1].lower() == '#ffffff') == alone, \
                'layer %d block %s: fill %s' % (i, b['members'], kept[-1])
    merged = [f for f in kept if f.lower() != '#ffffff']
    assert len(set(merged)) == len(merged), 'layer %d: merged blocks share fills %s' % (i, merged)
    qf = [fills['q%d_%d' % (i, j)] for j in range(len(kept))]
    assert qf == kept, 'layer %d: quotient fills %s, blocks %s' % (i, qf, kept)
EOF

# Every layer reads in index order, top to bottom, with "+N more" last (dot
# reorders the nodes of a rank to save crossings unless told otherwise).
check_order() { # svg
  "$PY" - "$1" 2>"$TMP/py.err" <<'EOF' || fail "$1: $(cat "$TMP/py.err" 2>/dev/null)"
import re, sys
import xml.etree.ElementTree as ET
ns = '{http://www.w3.org/2000/svg}'
layers = {}
for g in ET.parse(sys.argv[1]).getroot().iter(ns + 'g'):
    m = re.fullmatch(r'([oq]\d+)_(\d+|more)', g.get('id', ''))
    if m and 'node' in g.get('class', '').split():
        y = float(next(g.iter(ns + 'text')).get('y'))  # SVG y grows downwards
        k = float('inf') if m.group(2) == 'more' else int(m.group(2))
        layers.setdefault(m.group(1), []).append((y, k))
assert layers, 'no neuron nodes'
for name, nodes in layers.items():
    got = [k for _, k in sorted(nodes)]
    assert got == sorted(got), 'layer %s top to bottom: %s' % (name, got)
EOF
}
check_order "$TMP/small.svg"

# A lumping that merges nothing: one panel, the caption says so
cat >"$TMP/nolump.json" <<'EON'
{"format": "lumpnet-net", "version": 1, "inputs": 2, "layers": [
 {"activation": "relu", "weights": [["1", "2"], ["3", "-1"]], "bias": ["0", "1"]},
 {"activation": "identity", "weights": [["1", "-1"], ["2", "1"]], "bias": ["0", "0"]}]}
EON
expect_exit 0 "$LUMPNET" draw "$TMP/nolump.json" --reduce -o "$TMP/nolump.dot"
grep -q 'no lumps' "$TMP/nolump.dot" || fail "nothing lumps: the caption does not say 'no lumps'"
! grep -q '"*q[0-9]*_[0-9]' "$TMP/nolump.dot" || fail "nothing lumps: a quotient panel was drawn"
grep -q 'o1_1' "$TMP/nolump.dot" || fail "nothing lumps: the network was not drawn"

# --dpi scales PNG figures (default 300, for print) and only them
png_width() { od -An -tu1 -j16 -N4 "$1" | awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }'; }
expect_exit 0 "$LUMPNET" draw "$NET" --cert "$CERT" -o "$TMP/d96.png" --dpi 96
w300=$(png_width "$TMP/small.png"); w96=$(png_width "$TMP/d96.png")
[ "$w300" -gt $(( w96 * 29 / 10 )) ] && [ "$w300" -lt $(( w96 * 33 / 10 )) ] ||
  fail "--dpi: default PNG $w300 px wide, at 96 dpi $w96 px (expected a ratio near 300/96)"
expect_exit 2 "$LUMPNET" draw "$NET" -o "$TMP/x.svg" --dpi 96
expect_exit 2 "$LUMPNET" draw "$NET" -o "$TMP/x.png" --dpi 0
[ ! -e "$TMP/x.svg" ] && [ ! -e "$TMP/x.png" ] || fail "--dpi refused, but a figure was written"

# 3. two runs, identical bytes
for ext in svg dot pdf; do
  expect_exit 0 "$LUMPNET" draw "$NET" --cert "$CERT" -o "$TMP/again.$ext"
  cmp -s "$TMP/small.$ext" "$TMP/again.$ext" || fail "two runs gave different $ext bytes"
done

# 4. bad options and unwritable paths: exit 2, a message, no file left
bad() { # out args...
  out=$1; shift
  expect_exit 2 "$LUMPNET" draw "$@" -o "$out"
  [ -s "$TMP/err" ] || fail "'draw $*' exited 2 without a message"
  [ ! -e "$out" ] || fail "'draw $*' left $out behind"
}
mkdir "$TMP/bad"
bad "$TMP/bad/x.svg" "$NET" --bogus
bad "$TMP/bad/x.svg" "$NET" --max-width 1
bad "$TMP/bad/x.svg" "$NET" --max-width 12x
bad "$TMP/bad/x.svg" "$NET" --size 5
bad "$TMP/bad/x.svg" "$NET" --size 0,3
bad "$TMP/bad/x.svg" "$NET" --reduce --cert "$CERT"
bad "$TMP/bad/x.svg" "$NET" --quotient-only
bad "$TMP/bad/x.svg" "$NET" --mode exact
bad "$TMP/bad/x.svg" "$NET" --reduce --mode fuzzy
bad "$TMP/bad/x.svg" "$NET" --eps 0.1
bad "$TMP/bad/x.svg" "$NET" --eps -1 --box -1:1
bad "$TMP/bad/x.svg" "$NET" --eps 0.1 --box 0:1,0:1,0:1
bad "$TMP/bad/x.txt" "$NET"
bad "$TMP/bad/x.svg" "$TMP/missing.json"
bad "$TMP/bad/x.svg" "$NET" --cert "$TMP/missing.json"
bad "$TMP/bad/no/such/dir/x.svg" "$NET"
grep -q 'x.svg' "$TMP/err" || fail "the unwritable path is not named: $(cat "$TMP/err")"
if [ "$(id -u)" != 0 ]; then
  mkdir "$TMP/ro" && chmod 555 "$TMP/ro"
  bad "$TMP/ro/x.png" "$NET" --reduce
fi
[ -z "$(ls -A "$TMP/bad")" ] || fail "temporary files left: $(ls -A "$TMP/bad")"

# a certificate that does not hold is not drawn (exit 1, as in check)
sed 's/"scales": \["1", "2", "0.5"\]/"scales": ["1", "3", "0.5"]/' "$CERT" > "$TMP/wrong.cert.json"
expect_exit 1 "$LUMPNET" draw "$NET" --cert "$TMP/wrong.cert.json" -o "$TMP/bad/w.svg"
[ ! -e "$TMP/bad/w.svg" ] || fail "an invalid certificate was drawn"

# 5. a large real network: at most 5 s and about 600 nodes
M=vnncomp2021/mnistfc/mnist-net_256x6.onnx
need_data "$M"
start=$(date +%s%N)
expect_exit 0 "$LUMPNET" draw "$DATA/$M" -o "$TMP/m6.svg"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -le 5000 ] || fail "drawing $M took $ms ms (limit 5000)"
nodes=$(grep -c 'class="node"' "$TMP/m6.svg")
[ "$nodes" -le 600 ] || fail "drawing $M shows $nodes nodes (limit 600)"
check_order "$TMP/m6.svg"
echo "draw: expected DOT files match; four formats; identical runs; $M in $ms ms, $nodes nodes"
