#!/bin/sh
# tol_tamper.sh -- `lumpnet check A B CERT` on tolerance certificates: a
# valid certificate (written by tests/tol_gen, which bisects until the
# trusted leaf bound of every leaf is <= EPS) passes, a tree split at thirds
# (non-dyadic points) passes, and every kind of tampering is rejected with
# exit 1 and a reason that names the place.
. "$(dirname "$0")/common.sh"
GEN=${LUMPNET_TOL_GEN:-$(dirname "$LUMPNET")/tests/tol_gen}
PY=/usr/bin/python3
[ -x "$PY" ] || skip "no /usr/bin/python3 (standard library only)"
[ -x "$GEN" ] || skip "no tests/tol_gen"

cat > "$TMP/a.json" <<'EOF'
{
  "format": "lumpnet-net",
  "version": 1,
  "inputs": 2,
  "layers": [
    {"activation": "relu", "weights": [["1", "-3/4"], ["1/2", "2"], ["-1", "1"]],
     "bias": ["0", "-1/2", "1/4"]},
    {"activation": "identity", "weights": [["1", "-2", "3/2"]], "bias": ["1/8"]}
  ]
}
EOF
# B: A with two weights and a bias moved by about 1/100
sed 's|\["1", "-2", "3/2"\]|["1.01", "-2", "1.49"]|; s|"-1/2", "1/4"|"-0.51", "1/4"|' \
  "$TMP/a.json" > "$TMP/b.json"
# C: further from A (the certificate is not about this pair)
sed 's|\["1", "-2", "3/2"\]|["1.2", "-2", "1.3"]|' "$TMP/a.json" > "$TMP/c.json"
A=$TMP/a.json
B=$TMP/b.json
BOX="-1:1,-1:1"
"$GEN" "$A" "$B" "$BOX" 1/30 0 > "$TMP/cert.json" 2>/dev/null || fail "tol_gen found no certificate"
"$GEN" "$A" "$B" "$BOX" 1/30 0 --thirds > "$TMP/thirds.json" 2>/dev/null ||
  fail "tol_gen --thirds found no certificate"

# valid: the certificate as written, and with non-dyadic split points
for c in cert thirds; do
  out=$("$LUMPNET" check "$A" "$B" "$TMP/$c.json") || fail "$c: check exits $?: $out"
  case $out in
    "valid: $A and $B differ by at most 1/30 on every output j in [0] over the"*leaves*) ;;
    *) fail "$c: unexpected line: $out" ;;
  esac
done
grep -q '"at": "-1/3"' "$TMP/thirds.json" || fail "the thirds tree has no split at -1/3"
out=$("$LUMPNET" check "$A" "$B" "$TMP/cert.json" --box "-1/2:1,0:1") ||
  fail "a box inside the certificate's is refused: $out"
out=$("$LUMPNET" check "$A" "$B" "$TMP/cert.json" --json) || fail "--json exits $?"
echo "$out" | "$PY" -c '
import json, sys
r = json.load(sys.stdin)
assert r["valid"] is True and r["kind"] == "tolerance", r
assert r["tolerance"] == "1/30" and r["outputs"] == [0], r
assert r["leaves"] >= 4 and 0 < r["bound"] <= 1/30, r
' || fail "--json report: $out"

# tamper FILE NAME PYTHON: write $TMP/NAME.json from FILE edited by PYTHON (c is
# the certificate as a dict; t its tree)
tamper() {
  "$PY" - "$1" "$TMP/$2.json" "$3" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
t = c["tree"]
exec(sys.argv[3])
json.dump(c, open(sys.argv[2], "w"), indent=1)
EOF
}

# reject NAME NEEDLE [ARGS...]: check must say invalid (exit 1), naming NEEDLE
reject() {
  name=$1
  needle=$2
  shift 2
  out=$("$LUMPNET" check "$A" "$B" "$TMP/$name.json" "$@")
  rc=$?
  [ $rc -eq 1 ] || fail "$name: exit $rc (want 1): $out"
  case $out in
    "invalid: "*"$needle"*) ;;
    *) fail "$name: reason lacks '$needle': $out" ;;
  esac
  kinds=$((kinds + 1))
}
kinds=0
C=$TMP/cert.json
# 1. the tolerance lowered below the largest leaf bound
tamper "$C" low 'c["tolerance"] = "1/100"'
reject low "exceeds the tolerance 0.01"
# 2. a leaf removed (the list ends early)
tamper "$C" missing 'del t[-1]'
reject missing "tree: the list ends before the tree is complete"
# 3. a leaf duplicated (the entries after it shift to other boxes)
tamper "$C" duplicated 'i = [k for k, e in enumerate(t) if "leaf" in e][0]; t.insert(i, dict(t[i]))'
reject duplicated "tree["
# 4. a split point moved outside its node's interval
tamper "$C" outside 'i = [k for k, e in enumerate(t) if "split" in e][1]; t[i]["at"] = "5"'
reject outside "is not strictly inside the node's interval"
# 5. a split point on the node's boundary
tamper "$C" boundary 't[0]["at"] = c["box"][t[0]["split"]][1]'
reject boundary "is not strictly inside"
# 6. a split on a dimension >= inputs
tamper "$C" dimension 't[0]["split"] = 2'
reject dimension "tree[0].split"
# 7. the box enlarged
tamper "$C" enlarged 'c["box"][0] = ["-40", "1"]'
reject enlarged "exceeds the tolerance"
# 8. the box narrowed: still a proof, but about a smaller box than --box
tamper "$C" narrowed 'c["box"][1] = ["-1", "3/4"]'
out=$("$LUMPNET" check "$A" "$B" "$TMP/narrowed.json") || fail "narrowed box alone: $out"
reject narrowed "does not contain --box" --box "$BOX"
# 9. the outputs changed: out of range, repeated, empty
tamper "$C" out_range 'c["outputs"] = [1]'
reject out_range "outputs[0]"
tamper "$C" out_repeated 'c["outputs"] = [0, 0]'
reject out_repeated "output 0 is repeated"
tamper "$C" out_empty 'c["outputs"] = []'
reject out_empty "no output selected"
# 10. the version changed
tamper "$C" version 'c["version"] = 2'
reject version "version"
# 11. the certificate checked against another pair
out=$("$LUMPNET" check "$A" "$TMP/c.json" "$C")
[ $? -eq 1 ] || fail "other pair: not rejected: $out"
kinds=$((kinds + 1))
# 12. unknown keys: at the top, in a node, a phase split (reserved)
tamper "$C" extra_top 'c["note"] = "hi"'
reject extra_top 'unknown key "note"'
tamper "$C" extra_node 't[0]["why"] = 1'
reject extra_node 'tree[0]: unknown key "why"'
tamper "$C" phase 't[0] = {"phase": 3}'
reject phase 'unknown key "phase"'
# 13. malformed rationals, a number where a string belongs
tamper "$C" bad_at 't[0]["at"] = "1/2/3"'
reject bad_at "tree[0].at"
tamper "$C" bad_tol 'c["tolerance"] = "0x1p-3"'
reject bad_tol "tolerance"
tamper "$C" num_at 't[0]["at"] = 0'
reject num_at "tree[0].at"
tamper "$C" bad_leaf 'i = [k for k, e in enumerate(t) if "leaf" in e][0]; t[i]["leaf"] = "1/0"'
reject bad_leaf ".leaf"
# 14. a negative tolerance, lo > hi, a wrong number of inputs or box rows
tamper "$C" negative 'c["tolerance"] = "-1/30"'
reject negative "negative"
tamper "$C" reversed 'c["box"][1] = ["1", "-1"]'
reject reversed "box[1]: lo > hi"
tamper "$C" inputs 'c["inputs"] = 3'
reject inputs "inputs"
tamper "$C" rows 'c["box"].append(["0", "1"])'
reject rows "box"
# 15. a node that is both a leaf and a split, an empty tree
tamper "$C" both 't[0]["leaf"] = "0"'
reject both "tree[0]"
tamper "$C" empty 'c["tree"] = []'
reject empty "ends before the tree is complete"
# 16. the format changed: no longer a tolerance certificate, never valid
tamper "$C" format 'c["format"] = "lumpnet-certificate"'
out=$("$LUMPNET" check "$A" "$B" "$TMP/format.json" 2>&1)
rc=$?
[ $rc -ne 0 ] || fail "format changed: accepted: $out"
case $out in valid*) fail "format changed: $out" ;; esac
kinds=$((kinds + 1))

# --json on an invalid certificate: valid false and the reason
out=$("$LUMPNET" check "$A" "$B" "$TMP/low.json" --json)
[ $? -eq 1 ] || fail "--json invalid: exit"
echo "$out" | "$PY" -c '
import json, sys
r = json.load(sys.stdin)
assert r["valid"] is False and r["kind"] == "tolerance" and "tree[" in r["reason"], r
' || fail "--json invalid report: $out"

[ $kinds -ge 10 ] || fail "only $kinds kinds of tampering"
echo "ok: 2 valid certificates accepted, $kinds tamperings rejected"
