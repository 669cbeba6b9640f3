#!/bin/sh
# box-table.sh -- regenerate the table of docs/box-reduction.md: every ACAS
# Xu network (ONNX twins, whose inputs are the normalised coordinates of
# the vnnlib boxes) over the boxes of prop_1 .. prop_4, hidden neurons
# removed by cause with interval-only and with LP-tightened bounds, and the
# time of each run. Usage: docs/box-table.sh [LUMPNET] [DATA] > table.md
LUMPNET=${1:-lumpnet}
DATA=${2:-../shared/data}
A=$DATA/vnncomp2021/acasxu
TMP=$(mktemp -d "${TMPDIR:-/tmp}/box-table-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
field() { # key file
  sed -n "s/^ *\"$1\": \([0-9.e+-]*\),*$/\1/p" "$2" | head -n 1
}
echo "| network | box | interval: inactive | folded | lumped+dead+const | removed | LP: inactive | folded | lumped+dead+const | removed | LP seconds |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for f in "$A"/ACASXU_run2a_*_batch_2000.onnx; do
  id=$(basename "$f" | sed 's/ACASXU_run2a_\(.*\)_batch_2000.onnx/\1/')
  for p in 1 2 3 4; do
    row="| $id | $p"
    for b in interval lp; do
      "$LUMPNET" reduce "$f" -o "$TMP/q.json" --box "$A/prop_$p.vnnlib" --bounds $b --json \
        > "$TMP/r.json" || { echo "reduce failed: $f prop_$p $b" >&2; exit 1; }
      i=$(field inactive "$TMP/r.json"); fo=$(field folded "$TMP/r.json")
      o=$(( $(field lumped "$TMP/r.json") + $(field dead "$TMP/r.json") + $(field constant "$TMP/r.json") ))
      row="$row | $i | $fo | $o | $((i + fo + o))"
      s=$(field reduce_seconds "$TMP/r.json")
    done
    printf '%s | %.2f |\n' "$row" "$s"
  done
done
