#!/bin/sh
# bound_trust_cli.sh -- issue #11 through the CLI: `bound` and `relax`
# certify no bound below the true error on networks whose activations are
# not monotone or steeper than 1 (leaky relu with alpha = -1, 2, 3); a GLPK
# fault never ends a run with exit 70.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"

# one NAME ALPHA BIAS: leaky_relu(ALPHA)(x + BIAS)
one() {
  cat > "$TMP/$1.json" <<JSON
{"format": "lumpnet-net", "version": 1, "inputs": 1,
 "layers": [{"activation": "leaky_relu", "alpha": "$2", "weights": [["1"]], "bias": ["$3"]}]}
JSON
}

# at_least JSON KEY TRUTH: every entry of KEY (non-null) is >= TRUTH, and
# the result is certified
at_least() {
  awk -v key="\"$2\": " -v t="$3" '
    $0 ~ key { inside = 1; next }
    inside && /\]/ { inside = 0 }
    inside { v = $1; sub(/,$/, "", v); if (v != "null" && v + 0 < t + 0) { print "bound " v " < " t; bad = 1 } }
    END { exit bad }' "$1" || fail "$4: $(cat "$1")"
  grep -q '"certified": true' "$1" || fail "$4: not certified"
}

# A = leaky(alpha)(x), B = leaky(alpha)(x - 1) on [-2, -1]: |A - B| = |alpha|
for a in -1 2 -1/2 3/2; do
  one A "$a" 0
  one B "$a" -1
  t=$(echo "$a" | awk -F/ '{ v = $1 / ($2 == "" ? 1 : $2); print v < 0 ? -v : v }')
  for mb in 64 0; do
    "$LUMPNET" bound "$TMP/A.json" "$TMP/B.json" --box=-2:-1 --max-boxes $mb --json \
      > "$TMP/b.json" 2> "$TMP/err" || fail "bound alpha $a exited $?: $(cat "$TMP/err")"
    at_least "$TMP/b.json" bound "$t" "bound, alpha $a, --max-boxes $mb"
  done
done

# outputs with different activations are not paired: A = relu(x), B = -x
# on [1, 2], |A - B| = 2x reaches 4; the old code read the bound off A's
# own pre-activation range and certified 2
cat > "$TMP/A.json" <<JSON
{"format": "lumpnet-net", "version": 1, "inputs": 1,
 "layers": [{"activation": "relu", "weights": [["1"]], "bias": ["0"]}]}
JSON
cat > "$TMP/B.json" <<JSON
{"format": "lumpnet-net", "version": 1, "inputs": 1,
 "layers": [{"activation": "identity", "weights": [["-1"]], "bias": ["0"]}]}
JSON
for mb in 64 0; do
  "$LUMPNET" bound "$TMP/A.json" "$TMP/B.json" --box=1:2 --max-boxes $mb --json \
    > "$TMP/b.json" 2> "$TMP/err" || fail "bound relu/identity exited $?: $(cat "$TMP/err")"
  at_least "$TMP/b.json" bound 4 "bound, relu against identity, --max-boxes $mb"
done

# relax: a network with a leaky_relu(3) output layer; the old code
# certified 0.0044 where its own observed error was 0.0132
"$LUMPNET" relax "$TESTS/data/json/leaky3_output.json" --eps 0.02 --box=-1:1 -o "$TMP/q.json" \
  --json > "$TMP/r.json" 2> "$TMP/err" || fail "relax exited $?: $(cat "$TMP/err")"
tr -d ' \n' < "$TMP/r.json" | awk '{
    match($0, /"bound":\[[^]]*\]/); split(substr($0, RSTART + 9, RLENGTH - 10), b, ",")
    match($0, /"observed":\[[^]]*\]/); split(substr($0, RSTART + 12, RLENGTH - 13), o, ",")
    for (j in o) if (b[j] != "null" && b[j] + 0 < o[j] + 0) { print "output " j ": bound " b[j] " < observed " o[j]; bad = 1 }
    if (length(o) != 2) { print "no observed field"; bad = 1 }
    exit bad }' || fail "relax certified less than it observed: $(cat "$TMP/r.json")"

# GLPK faulted ("glp_set_sjj: invalid scale factor", exit 70) on this
# small network (a subnormal weight, 3e-320) while reduce --box tightened
# its bounds; now the LP is retried without scaling
"$LUMPNET" reduce "$TESTS/data/json/glpk_scale_fault.json" --box=-1/2:0,1:3/2 -o "$TMP/gq.json" \
  > "$TMP/out" 2> "$TMP/err" || fail "reduce --box exited $?: $(cat "$TMP/err")"
grep -q "scale factor\|Error detected" "$TMP/out" "$TMP/err" && fail "GLPK's fault message leaked: $(cat "$TMP/out" "$TMP/err")"
[ -s "$TMP/gq.json" ] || fail "reduce --box wrote no network"
echo ok
