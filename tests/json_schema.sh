#!/bin/sh
# json_schema.sh -- every command's --json report against the tables of
# docs/json.md: the keys the page says are always there are there, each
# key has its documented type, and no key is missing from the page. Runs
# on examples/tiny.json and an inline box, so no real data is needed.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
EX=$(cd "$TESTS/../examples" && pwd)
DOC="$TESTS/../docs/json.md"
T="$EX/tiny.json"
PY=
for p in /usr/bin/python3 python3; do
  if "$p" -c 'import json' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || skip "no python3"
[ -r "$DOC" ] || fail "$DOC is missing"

# the validator: validate DOC SCHEMA REPORT [mode]; prints the problems
cat >"$TMP/validate.py" <<'PY'
import json, re, sys

def tables(doc):
    """{name: [(key, types, always)]} from the '<!-- schema: NAME -->' tables"""
    out, name = {}, None
    for line in open(doc, encoding="utf-8"):
        m = re.match(r"<!-- schema: (\S+) -->", line)
        if m:
            name = m.group(1); out[name] = []; continue
        if name is None:
            continue
        if not line.startswith("|"):
            if line.strip() == "" and out[name]:
                name = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        key = cells[0].strip("`")
        if key in ("key", "---"):
            continue
        out[name].append((key, cells[1], cells[2] == "always"))
    return out

def expand(t, name):
    rows = []
    for key, types, always in t[name]:
        if key.startswith("(") and key.endswith(")"):
            rows += expand(t, key[1:-1])
        else:
            rows.append((key, types, always))
    return rows

def kind(v):
    if v is None: return "null"
    if isinstance(v, bool): return "boolean"
    if isinstance(v, int): return "integer"
    if isinstance(v, float): return "number"
    if isinstance(v, str): return "string"
    if isinstance(v, list): return "array"
    return "object"

def check(rows, report):
    spec = {k: (set(ty.split("/")), a) for k, ty, a in rows}
    bad = []
    def walk(path, v):
        if path:
            if path not in spec:
                bad.append("key %s is not in docs/json.md" % path); return
            types, _ = spec[path]
            k = kind(v)
            if k not in types and not (k == "integer" and "number" in types):
                bad.append("%s is %s, documented %s" % (path, k, "/".join(sorted(types))))
        if isinstance(v, dict):
            for key, sub in v.items():
                walk(path + "." + key if path else key, sub)
            # the keys always present at this level
            for k, (types, always) in spec.items():
                parent, _, leaf = k.rpartition(".")
                if always and parent == path and "[" not in leaf and leaf not in v:
                    bad.append("key %s is missing" % k)
        elif isinstance(v, list):
            for item in v:
                walk(path + "[]", item)
    walk("", report)
    return bad

doc, name, path = sys.argv[1:4]
t = tables(doc)
if name not in t:
    print("no table '%s' in docs/json.md" % name); sys.exit(1)
report = json.load(open(path))
bad = check(expand(t, name), report)
if report.get("command") != name.split("-")[0]:
    bad.append("command is %r, not %r" % (report.get("command"), name.split("-")[0]))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY

n=0
# run SCHEMA EXIT lumpnet-arguments...: the report on standard output
# matches the table SCHEMA
run() {
  schema=$1; want=$2; shift 2
  (cd "$TMP" && "$LUMPNET" "$@" --json >"$TMP/report.json" 2>"$TMP/err")
  got=$?
  [ "$got" -eq "$want" ] || fail "lumpnet $* --json exited $got, expected $want: $(cat "$TMP/err")"
  "$PY" "$TMP/validate.py" "$DOC" "$schema" "$TMP/report.json" >"$TMP/problems" ||
    fail "lumpnet $* --json does not match docs/json.md ($schema): $(cat "$TMP/problems")"
  n=$((n + 1))
}

printf '0.5,0.25,1\n-1,1,0\n1,-0.5,1\n' >"$TMP/tiny.csv"
printf '(declare-const X_0 Real)\n(declare-const X_1 Real)\n(assert (<= X_0 1))\n(assert (>= X_0 -1))\n(assert (<= X_1 1))\n(assert (>= X_1 -1))\n' >"$TMP/box.vnnlib"

run info 0 info "$T"
run info 0 info "$T" --lumps
run info-box 0 info "$TMP/box.vnnlib"
run eval 0 eval "$T" --input 1,1/2
run eval 0 eval "$T" --exact --inputs "$EX/tiny_inputs.txt"
run eval 0 eval "$T" --mpfr 80 --inputs "$EX/tiny_inputs.txt"
run reduce 0 reduce "$T" -o q.json --cert c.json
run reduce 0 reduce "$T" -o q2.json --mode exact
run reduce-box 0 reduce "$T" --box -1:1 -o qb.json --cert cb.json
run check 0 check "$T" q.json c.json
run check 0 check "$T" qb.json cb.json --box -1:1
run equiv 0 equiv "$T" q.json --cert e.json
run check 0 check "$T" q.json e.json
run relax 0 relax "$T" --eps 0.5 --box -1:1 -o r.json
run relax 0 relax "$T" --eps 0 --box -1:1 -o r0.json --centre lp
run relax 0 relax "$T" --eps 0.5 --box -1:1 -o rc.json --calib tiny.csv
run relax 0 relax "$T" --eps 0.5 --box -1:1 -o rl.json --calib tiny.csv --local-radius 0.1
run relax-graph 0 relax "$EX/digits_cnn/digits_cnn.onnx" --prune-to 6000 --box 0:1 -o rg.onnx
run bound 0 bound "$T" r.json --box -1:1
run bound 0 bound "$T" q.json --box "$TMP/box.vnnlib" --no-lp
run explore 0 explore "$T" --box -1:1 --csv x.csv --eps-list 0.1,1
run explore 0 explore "$T" --box -1:1 --csv xd.csv --data tiny.csv --calib tiny.csv --steps 2
run explore 0 explore "$T" --box -1:1 --csv xs.csv --eps-list 0,1 --save saved
run explore-graph 0 explore "$EX/digits_cnn/digits_cnn.onnx" --box 0:1 --csv xg.csv \
  --eps-list 1 --samples 20 --calib "$EX/digits/train.csv" --data "$EX/digits/test.csv" --save savedg
run draw 0 draw "$T" -o t.dot
run draw 0 draw "$T" --reduce -o tr.dot
run draw 0 draw "$T" --cert c.json -o tc.dot
run draw 0 draw "$T" --eps 0.5 --box -1:1 -o te.dot
run draw-graph 0 draw "$EX/digits_cnn/digits_cnn.onnx" -o g.dot

# a network that differs from tiny: its first output's bias moved
"$PY" - "$T" "$TMP/other.json" <<'PY' || fail "could not write other.json"
import json, sys
d = json.load(open(sys.argv[1]))
d["layers"][-1]["bias"][0] = "5/4"
json.dump(d, open(sys.argv[2], "w"))
PY
run equiv 1 equiv "$T" other.json
grep -q '"witness"' "$TMP/report.json" || fail "equiv of different networks has no witness"
# within a tolerance: a witness, a proof, a time limit
run equiv 1 equiv "$T" other.json --box -1:1 --tolerance 0.5
run equiv 0 equiv "$T" "$T" --box -1:1 --tolerance 3 --cert et.json
# a difference of exactly 1/10 everywhere (no double): no part closes in
# doubles at EPS = 1/10 and no point is a witness; the exact leaf closes
# parts in rationals, but not across an input clip that bends inside the
# box (x0 >= -1/3), so the time limit answers
"$PY" - "$T" "$TMP/tenth_a.json" "$TMP/tenth.json" <<'PY' || fail "could not write tenth.json"
import json, sys
d = json.load(open(sys.argv[1]))
d = dict([("format", d["format"]), ("version", d["version"]), ("inputs", d["inputs"]),
          ("clip", {"lower": ["-1/3", "-2"], "upper": ["2", "2"]}), ("layers", d["layers"])])
json.dump(d, open(sys.argv[2], "w"))
d["layers"][-1]["bias"][0] = "7/20"
json.dump(d, open(sys.argv[3], "w"))
PY
run equiv 3 equiv tenth_a.json tenth.json --box -1:1 --tolerance 1/10 --timeout 0.2
# a certificate of another network: check says invalid, with a reason
run check 1 check "$T" other.json c.json
grep -q '"reason"' "$TMP/report.json" || fail "an invalid check has no reason"

# every file of a run is named in its report
(cd "$TMP" && "$LUMPNET" reduce "$T" --box -1:1 -o qb3.json --cert cb3.json --json) >"$TMP/rb.json" ||
  fail "reduce --box"
for k in '"network": "' '"output": "qb3.json"' '"certificate": "cb3.json"' '"box": "-1:1"'; do
  grep -q "$k" "$TMP/rb.json" || fail "reduce --box --json lacks $k"
done

# the validator finds what it is for: an unknown key, a missing key, a
# wrong type
for mutation in 'r["surprise"] = 1' 'del r["neurons"]' 'r["params"] = "22"' \
                'r["layers"][0]["colour"] = "red"'; do
  (cd "$TMP" && "$LUMPNET" info "$T" --json) >"$TMP/good.json" || fail "info --json"
  "$PY" -c 'import json, sys
r = json.load(open(sys.argv[1]))
exec(sys.argv[2])
json.dump(r, open(sys.argv[3], "w"))' "$TMP/good.json" "$mutation" "$TMP/bad.json" || fail "mutation"
  if "$PY" "$TMP/validate.py" "$DOC" info "$TMP/bad.json" >/dev/null; then
    fail "the validator accepts a report with $mutation"
  fi
done
echo "json_schema: $n reports match docs/json.md"
