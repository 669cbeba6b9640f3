#!/bin/sh
# box_reduce.sh -- reduction on a box (stable neurons, exact folding,
# lumping) of real ACAS Xu networks over the prop_1, prop_3 and prop_4
# boxes: the reduced network must equal the original exactly at random
# rational points inside the box (`eval --exact`), `check --box` must
# accept the certificate, tampered certificates must be rejected, and bad
# boxes must be refused with exit code 2.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
A=vnncomp2021/acasxu
IDS="1_1 3_5"
for id in $IDS; do need_data "$A/ACASXU_run2a_${id}_batch_2000.onnx"; done
for p in 1 3 4; do need_data "$A/prop_$p.vnnlib"; done
command -v python3 >/dev/null 2>&1 || skip "python3 is needed to tamper with certificates"


# COUNT random points strictly inside the box of a vnnlib file, as exact
# decimals (lo + (hi - lo) k / 1000 with 0 < k < 1000, printed to 12
# significant digits, which keeps them well inside).
box_points() { # vnnlib count seed
  awk -v c="$2" -v seed="$3" '
    /^\(assert \(<= X_/ { i = $3; sub(/X_/, "", i); v = $4; sub(/\)+$/, "", v); hi[i] = v; n = (i + 1 > n ? i + 1 : n) }
    /^\(assert \(>= X_/ { i = $3; sub(/X_/, "", i); v = $4; sub(/\)+$/, "", v); lo[i] = v }
    END { srand(seed);
      for (t = 0; t < c; t++) { s = "";
        for (i = 0; i < n; i++) {
          k = 1 + int(rand() * 998);
          s = s (i ? "," : "") sprintf("%.12g", lo[i] + (hi[i] - lo[i]) * k / 1000) }
        print s } }' "$1"
}

seed=7
for id in $IDS; do
  net="$DATA/$A/ACASXU_run2a_${id}_batch_2000.onnx"
  for p in 1 3 4; do
    box="$DATA/$A/prop_$p.vnnlib"
    q="$TMP/q_${id}_$p.json"; c="$TMP/c_${id}_$p.json"
    expect_exit 0 "$LUMPNET" reduce "$net" -o "$q" --cert "$c" --box "$box" --json
    grep -q '"inactive"' "$TMP/out" || fail "reduce --json has no per-cause counts"
    removed=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["neurons_before"]-j["neurons_after"])' "$TMP/out")
    [ "$removed" -gt 0 ] || fail "nothing removed for $id over prop_$p"
    box_points "$box" 60 "$seed" > "$TMP/in.txt"
    [ "$(wc -l < "$TMP/in.txt")" -eq 60 ] || fail "could not sample prop_$p"
    "$LUMPNET" eval "$net" --exact --inputs "$TMP/in.txt" > "$TMP/ya" || fail "eval $net"
    "$LUMPNET" eval "$q" --exact --inputs "$TMP/in.txt" > "$TMP/yb" || fail "eval $q"
    cmp -s "$TMP/ya" "$TMP/yb" || fail "$id prop_$p: the reduced network differs from the original inside the box"
    expect_exit 0 "$LUMPNET" check "$net" "$q" "$c" --box "$box"
    seed=$((seed + 1))
  done
done

# Tampering: each change must make check fail with exit code 1.
net="$DATA/$A/ACASXU_run2a_1_1_batch_2000.onnx"
box="$DATA/$A/prop_4.vnnlib"
q="$TMP/q_1_1_4.json"; c="$TMP/c_1_1_4.json"
tamper() { # name python-snippet (acting on the JSON document d)
  python3 - "$c" "$TMP/t_$1.json" "$2" <<'EOF' || fail "tampering $1 failed to apply"
import json, sys
from fractions import Fraction
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
EOF
  expect_exit 1 "$LUMPNET" check "$net" "$q" "$TMP/t_$1.json" --box "$box"
  [ -n "${VERBOSE_TAMPER:-}" ] && echo "$1: $(cut -c1-230 "$TMP/out")"
}
stable='[s["stable"] for s in d["steps"] if "stable" in s][0]["layers"]'
# a fold coefficient changed
tamper lambda "L = $stable
f = [l for l in L if 'fold' in l and any(x['basis'] for x in l['fold'])][0]['fold']
f = [x for x in f if x['basis']][0]
f['lambda'][0] = str(Fraction(f['lambda'][0]) + 1)"
# a fold's constant changed
tamper mu "L = $stable
f = [l for l in L if 'fold' in l][0]['fold'][0]
f['mu'] = str(Fraction(f['mu']) + Fraction(1, 1000))"
# an active (kept) neuron declared inactive
tamper inactive "L = $stable
l = [l for l in L if 'lo' in l and any(Fraction(h) > 0 for h in l['hi'])][1]
v = [i for i, h in enumerate(l['hi']) if Fraction(h) > 0 and i not in l.get('inactive', []) and i not in [f['neuron'] for f in l.get('fold', [])]][0]
l.setdefault('inactive', []).append(v)
l['hi'][v] = '0'"
# an upper bound tightened beyond what its proof gives
tamper bound "L = $stable
l = [l for l in L if l.get('lp')][0]
e = [e for e in l['lp'] if e['side'] == 'upper'][0]
l['hi'][e['neuron']] = str(Fraction(l['hi'][e['neuron']]) - 1)"
# an LP multiplier given the wrong sign
tamper multiplier "L = $stable
e = [e for l in L for e in l.get('lp', []) if any(r[2] == 'tri' and Fraction(r[3]) > 0 for r in e['rows'])][0]
r = [r for r in e['rows'] if r[2] == 'tri' and Fraction(r[3]) > 0][0]
r[3] = str(-Fraction(r[3]))"
# the box widened
tamper box "d['box']['hi'][0] = str(Fraction(d['box']['hi'][0]) + 1)"
# a lumping step's block that is not a lumping
tamper lumping "l = d['steps'][-1]['lumping']['layers'][0]['blocks']
l[0]['members'] = l[0]['members'] + l[1]['members']
l[0]['scales'] = l[0]['scales'] + l[1]['scales']
del l[1]"
# a valid certificate, checked on a box larger than its own
expect_exit 1 "$LUMPNET" check "$net" "$q" "$c" --box "-1:1"
# a box certificate needs --box
expect_exit 2 "$LUMPNET" check "$net" "$q" "$c"

# Bad boxes: wrong dimension, empty (inline and vnnlib): exit 2, no output.
expect_exit 2 "$LUMPNET" reduce "$net" -o "$TMP/bad.json" --box 0:1,0:1
grep -q "5 inputs" "$TMP/err" || fail "wrong-dimension message does not name the input count: $(cat "$TMP/err")"
expect_exit 2 "$LUMPNET" reduce "$net" -o "$TMP/bad.json" --box 1:0
{ echo "(declare-const X_0 Real)"; echo "(assert (<= X_0 0))"; echo "(assert (>= X_0 1))"
  for i in 1 2 3 4; do echo "(declare-const X_$i Real)"; echo "(assert (<= X_$i 1))"; echo "(assert (>= X_$i 0))"; done
} > "$TMP/empty.vnnlib"
expect_exit 2 "$LUMPNET" reduce "$net" -o "$TMP/bad.json" --box "$TMP/empty.vnnlib"
[ ! -e "$TMP/bad.json" ] || fail "a refused box left an output file"
echo "box_reduce: ok"
