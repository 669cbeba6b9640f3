#!/bin/sh
# equiv_box.sh -- `equiv A B --box BOX` proves a box-reduced ACAS Xu network
# equal to its original on the box (issue 14, acceptance 4; it answered
# `unknown` before): both sides reduced on the box, the union of the
# reduced networks lumped, the box-equivalence certificate checked by
# `check --box`, tampered certificates refused, and negative controls (a
# changed weight) never `equivalent`. The 45 networks: bench/equiv_box45.sh.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
A=vnncomp2021/acasxu
IDS=${EQUIV_BOX_IDS:-"1_3"}
for id in $IDS; do need_data "$A/ACASXU_run2a_${id}_batch_2000.onnx"; done
need_data "$A/prop_3.vnnlib" "$A/prop_4.vnnlib"
command -v python3 >/dev/null 2>&1 || skip "python3 is needed to edit networks and certificates"
BOX=$DATA/$A/prop_3.vnnlib


# 1_3 needs the second reduction pass (its folds tighten the next LP);
# EQUIV_BOX_IDS="1_1 1_3 ..." runs more networks
for id in $IDS; do
  net=$DATA/$A/ACASXU_run2a_${id}_batch_2000.onnx
  expect_exit 0 "$LUMPNET" reduce "$net" --box "$BOX" -o "$TMP/q_$id.json"
  expect_exit 0 "$LUMPNET" equiv "$net" "$TMP/q_$id.json" --box "$BOX" --cert "$TMP/c_$id.json"
  grep -q "^equivalent on the box" "$TMP/out" || fail "$id: $(cat "$TMP/out")"
  expect_exit 0 "$LUMPNET" check "$net" "$TMP/q_$id.json" "$TMP/c_$id.json" --box "$BOX" --json
  grep -q '"kind": "box-equivalence"' "$TMP/out" || fail "$id: check --json kind: $(cat "$TMP/out")"
  grep -q '"on_box_only": true' "$TMP/out" || fail "$id: check --json on_box_only"
done
id=${IDS%% *}
net=$DATA/$A/ACASXU_run2a_${id}_batch_2000.onnx
q=$TMP/q_$id.json; c=$TMP/c_$id.json
expect_exit 0 "$LUMPNET" equiv "$net" "$q" --box "$BOX" --json
grep -q '"on_box_only": true' "$TMP/out" || fail "equiv --json on_box_only: $(cat "$TMP/out")"
# the proof holds on the box only: check needs it, and refuses a larger one
expect_exit 2 "$LUMPNET" check "$net" "$q" "$c"
grep -q "on a box only" "$TMP/err" || fail "check without --box: $(cat "$TMP/err")"
expect_exit 1 "$LUMPNET" check "$net" "$q" "$c" --box "$DATA/$A/prop_4.vnnlib"
# networks swapped: the certificate is A's and B's, in that order
expect_exit 1 "$LUMPNET" check "$q" "$net" "$c" --box "$BOX"

# Tampering: each change must make check fail with exit code 1.
tamper() { # name python-snippet (acting on the JSON document d)
  python3 - "$c" "$TMP/t_$1.json" "$2" <<'PY' || fail "tampering $1 failed to apply"
import json, sys
from fractions import Fraction
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
  expect_exit 1 "$LUMPNET" check "$net" "$q" "$TMP/t_$1.json" --box "$BOX"
  [ -n "${VERBOSE_TAMPER:-}" ] && echo "$1: $(cut -c1-230 "$TMP/out")"
}
# A's box widened
tamper box_a "d['a']['box']['hi'][0] = str(Fraction(d['a']['box']['hi'][0]) + 1)"
# a bound of B's reduction tightened beyond its proof
tamper bound_b "L = [s['stable'] for s in d['b']['steps'] if 'stable' in s]
L = L[0]['layers'] if L else None
if L is None:
    d['b']['box']['lo'][1] = str(Fraction(d['b']['box']['lo'][1]) + 1)
else:
    l = [l for l in L if 'hi' in l][0]
    l['hi'][0] = str(Fraction(l['hi'][0]) - 1000)"
# an active neuron of A declared inactive
tamper inactive_a "L = [s['stable'] for s in d['a']['steps'] if 'stable' in s][0]['layers']
l = [l for l in L if 'lo' in l and any(Fraction(h) > 0 for h in l['hi'])][1]
v = [i for i, h in enumerate(l['hi']) if Fraction(h) > 0 and i not in l.get('inactive', []) and i not in [f['neuron'] for f in l.get('fold', [])]][0]
l.setdefault('inactive', []).append(v)
l['hi'][v] = '0'"
# two blocks of the union merged
tamper union "l = [x for x in d['union']['layers'] if len(x['blocks']) > 1][0]['blocks']
l[0]['members'] = l[0]['members'] + l[1]['members']
l[0]['scales'] = l[0]['scales'] + l[1]['scales']
del l[1]"
# a scale of the union changed
tamper scale "b = [b for x in d['union']['layers'] for b in x['blocks'] if len(b['members']) > 1][0]
b['scales'][1] = str(2 * Fraction(b['scales'][1]))"
# the parts swapped
tamper swap "d['a'], d['b'] = d['b'], d['a']"

# Negative controls (one weight of the reduced network changed).
edit() { # out layer row col delta
  python3 - "$q" "$1" "$2" "$3" "$4" "$5" <<'PY' || fail "editing the network failed"
import json, sys
from fractions import Fraction
d = json.load(open(sys.argv[1]))
w = d['layers'][int(sys.argv[3])]['weights']
w[int(sys.argv[4])][int(sys.argv[5])] = str(Fraction(w[int(sys.argv[4])][int(sys.argv[5])]) + Fraction(sys.argv[6]))
json.dump(d, open(sys.argv[2], "w"))
PY
}
# a weight into layer 3 behind active neurons: different, with a witness
# that exact evaluation confirms
edit "$TMP/bad.json" 2 0 0 1/1000
expect_exit 1 "$LUMPNET" equiv "$net" "$TMP/bad.json" --box "$BOX" --cert "$TMP/none.json"
grep -q "^different" "$TMP/out" || fail "negative control: $(cat "$TMP/out")"
[ ! -e "$TMP/none.json" ] || fail "a certificate was written for different networks"
sed -n 2p "$TMP/out" | tr -d ' ' > "$TMP/w.txt"
"$LUMPNET" eval "$net" --exact --inputs "$TMP/w.txt" > "$TMP/ya" || fail "eval A"
"$LUMPNET" eval "$TMP/bad.json" --exact --inputs "$TMP/w.txt" > "$TMP/yb" || fail "eval B"
! cmp -s "$TMP/ya" "$TMP/yb" || fail "the witness $(cat "$TMP/w.txt") does not separate A and B"
# the output weight of a hidden neuron that sampling never sees active:
# no witness is found and no proof exists, so unknown (never equivalent)
edit "$TMP/bad2.json" 6 0 0 1/10
"$LUMPNET" equiv "$net" "$TMP/bad2.json" --box "$BOX" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 1 ] || [ $rc -eq 3 ] || fail "negative control 2 exited $rc: $(cat "$TMP/out" "$TMP/err")"
echo "equiv_box: ok"
