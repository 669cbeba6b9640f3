#!/bin/sh
# explore_cnn.sh -- issue #15: `explore` of convolutional networks. On the
# digits CNN of examples/digits_cnn (calibration-guided and box-guided
# sweeps): every row's certified bound is at least its observed error,
# the merged rows lose parameters as eps grows, the filter-pruning rows
# stay within the merged row's neuron or parameter budget, the saved networks
# evaluate and match their rows (size by `info`, accuracy by `eval`), the
# exact row keeps the original's accuracy, the CSV and the --json report
# agree; bad input exits 2 with one message naming the problem and writes
# no CSV; and one row on VNN-COMP's Convnet_avgpool with its property.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
find_python
EX=$TESTS/../examples
NET=$EX/digits_cnn/digits_cnn.onnx
CAL=$EX/digits/train.csv
TEST=$EX/digits/test.csv
for f in "$NET" "$CAL" "$TEST"; do
  [ -e "$f" ] || fail "the examples lack $f"
done

# check_table CSV JSON: the rows of the CSV and of the --json report agree,
# every bound is certified and at least the observed error, the lumpnet
# rows' parameters decrease as eps grows, and each prune (prune_params) row
# keeps at most the neurons (parameters) of the lumpnet row of its eps
check_table() {
  "$PY" - "$1" "$2" <<'EOF' || fail "the table of $1 is inconsistent (above)"
import csv, json, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
rep = json.load(open(sys.argv[2]))
jrows = rep["rows"]
bad = []
if len(rows) != len(jrows):
    bad.append("CSV has %d rows, JSON %d" % (len(rows), len(jrows)))
def num(s):
    return float("nan") if s == "" else float(s)
def same(a, b):
    if b is None:
        return math.isnan(a)
    return abs(a - b) <= 1e-5 * max(1.0, abs(b))
for i, (c, j) in enumerate(zip(rows, jrows)):
    for k in ("method",):
        if c[k] != j[k]:
            bad.append("row %d: %s %r vs %r" % (i, k, c[k], j[k]))
    for k in ("neurons", "params"):
        if int(c[k]) != j[k]:
            bad.append("row %d: %s %s vs %s" % (i, k, c[k], j[k]))
    if (c["certified"] == "true") != j["certified"]:
        bad.append("row %d: certified differs" % i)
    for k in ("eps", "bound", "observed", "accuracy", "agreement", "calib_deviation"):
        if not same(num(c[k]), j[k]):
            bad.append("row %d: %s %s vs %s" % (i, k, c[k], j[k]))
    for o, (b, ob) in enumerate(zip(j["bound_per_output"], j["observed_per_output"])):
        if not same(num(c["bound_%d" % o]), b) or not same(num(c["observed_%d" % o]), ob):
            bad.append("row %d: output %d differs" % (i, o))
    if c.get("file", "") != (j.get("file") or ""):
        bad.append("row %d: file %r vs %r" % (i, c.get("file"), j.get("file")))
    if c["certified"] != "true":
        bad.append("row %d: not certified" % i)
    if not num(c["bound"]) >= num(c["observed"]):
        bad.append("row %d (%s eps %s): bound %s below observed %s"
                   % (i, c["method"], c["eps"], c["bound"], c["observed"]))
    for o in range(rep["outputs"]):
        if not num(c["bound_%d" % o]) >= num(c["observed_%d" % o]):
            bad.append("row %d: output %d bound below observed" % (i, o))
lump = [c for c in rows if c["method"] == "lumpnet"]
eps = [num(c["eps"]) for c in lump]
if eps != sorted(eps) or len(set(eps)) != len(eps):
    bad.append("the eps values do not increase: %s" % eps)
params = [int(c["params"]) for c in lump]
if any(b >= a for a, b in zip(params, params[1:])):
    bad.append("the lumpnet rows' params do not decrease as eps grows: %s" % params)
if int(rows[0]["params"]) < params[0]:
    bad.append("the first lumpnet row is larger than the original")
for c in rows:
    budget = {"prune": "neurons", "prune_params": "params"}.get(c["method"])
    if budget is not None:
        l = [r for r in lump if r["eps"] == c["eps"]][0]
        if int(c[budget]) > int(l[budget]):
            bad.append("%s at eps %s keeps %s > %s %s"
                       % (c["method"], c["eps"], c[budget], l[budget], budget))
if sorted(set(c["method"] for c in rows)) != ["lumpnet", "original", "prune", "prune_params"]:
    bad.append("methods: %s" % sorted(set(c["method"] for c in rows)))
print("\n".join(bad) if bad else "%s: %d rows consistent" % (sys.argv[1], len(rows)))
sys.exit(1 if bad else 0)
EOF
}

# ---- calibration-guided sweep with data and --save -------------------------
"$LUMPNET" explore "$NET" --box 0:1 --calib "$CAL" --data "$TEST" --eps-list 0,0.5,3 \
  --samples 200 --csv "$TMP/c.csv" --save "$TMP/nets" --json >"$TMP/c.json" 2>"$TMP/err" ||
  fail "explore --calib: $(cat "$TMP/err")"
check_table "$TMP/c.csv" "$TMP/c.json"
rows=$(($(wc -l <"$TMP/c.csv") - 1))
[ "$rows" -eq 10 ] || fail "expected 10 rows (original, 3 per eps), got $rows"
[ "$(col "$TMP/c.csv" 2 method)" = lumpnet ] && [ "$(col "$TMP/c.csv" 2 eps)" = 0 ] ||
  fail "row 2 is not the eps 0 lumpnet row"
[ "$(col "$TMP/c.csv" 2 accuracy)" = "$(col "$TMP/c.csv" 1 accuracy)" ] &&
  [ "$(col "$TMP/c.csv" 2 agreement)" = 1 ] ||
  fail "the eps 0 row's accuracy $(col "$TMP/c.csv" 2 accuracy) is not the original's $(col "$TMP/c.csv" 1 accuracy)"
# the saved networks: size by info, accuracy recomputed from eval's outputs
r=1
while [ "$r" -le "$rows" ]; do
  check_saved_row "$TMP/c.csv" "$r" "$TEST"
  r=$((r + 1))
done
echo "calibration sweep: $rows rows, saved networks match their rows"

# ---- box-guided sweep, eps chosen from the network -------------------------
"$LUMPNET" explore "$NET" --box 0:1 --steps 3 --samples 100 --csv "$TMP/b.csv" --json \
  >"$TMP/b.json" 2>"$TMP/err" || fail "explore box-guided: $(cat "$TMP/err")"
check_table "$TMP/b.csv" "$TMP/b.json"
[ $(($(wc -l <"$TMP/b.csv") - 1)) -eq 10 ] || fail "box-guided: expected 10 rows"

# ---- bad input: exit 2, one message naming the problem, no CSV -------------
refused() { # what-the-message-names args...
  what=$1; shift
  expect_exit 2 "$LUMPNET" explore "$NET" --box 0:1 --csv "$TMP/bad.csv" "$@"
  grep -q -- "$what" "$TMP/err" || fail "'$*': the message does not name $what: $(cat "$TMP/err")"
  [ "$(grep -c '^lumpnet' "$TMP/err")" -eq 1 ] || fail "'$*': not one message: $(cat "$TMP/err")"
  [ ! -e "$TMP/bad.csv" ] || fail "'$*' wrote a CSV"
}
refused "--eps-list" --eps-list 1,-2
printf '0.5,0.5,1\n' >"$TMP/narrow.csv"
refused "narrow.csv" --eps-list 1 --data "$TMP/narrow.csv"
awk -F, -v OFS=, 'NR == 3 { $NF = 10 } { print }' "$TEST" >"$TMP/label.csv"
refused "label 10" --eps-list 1 --data "$TMP/label.csv"
refused "--centre" --eps-list 1 --centre lp
refused "narrow.csv" --calib "$TMP/narrow.csv"
echo "bad input refused"

# ---- Convnet_avgpool with its VNN-COMP property ----------------------------
V=vnncomp2021/verivital
need_data $V/Convnet_avgpool.onnx $V/avgpool_prop_0_0.02.vnnlib
"$LUMPNET" explore "$DATA/$V/Convnet_avgpool.onnx" --box "$DATA/$V/avgpool_prop_0_0.02.vnnlib" \
  --eps-list 0,2 --samples 50 --csv "$TMP/v.csv" --json >"$TMP/v.json" 2>"$TMP/err" ||
  fail "explore Convnet_avgpool: $(cat "$TMP/err")"
"$PY" - "$TMP/v.csv" <<'EOF' || fail "Convnet_avgpool rows inconsistent"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 7, rows
for r in rows:
    assert r["certified"] == "true", r
    assert float(r["bound"]) >= float(r["observed"]), r
# eps 0 merges nothing: the original's size, a bound of rounding only
assert rows[1]["params"] == rows[0]["params"] and float(rows[1]["bound"]) < 1e-6, rows[1]
assert rows[4]["method"] == "lumpnet" and float(rows[4]["observed"]) > 0, rows[4]
EOF
echo "Convnet_avgpool: rows certified and above the observed error"
exit 0
