#!/bin/sh
# draw_box.sh -- `draw --cert` takes a box-reduction certificate: the
# original network with its inactive, folded and lumped neurons marked,
# the reduced network below it, both after the box checker accepted the
# certificate; a certificate that does not fit is refused with nothing
# drawn
. "$(dirname "$0")/common.sh"
cd "$TMP" || exit 1
# relu 0 = x0 + 2 x1 is negative on the box (inactive); relu 1 and 2 are
# equal there (lumped)
cat >net.json <<'EON'
{"format": "lumpnet-net", "version": 1, "inputs": 2, "layers": [
 {"activation": "relu", "weights": [["1", "2"], ["3", "-1"], ["3", "-1"]], "bias": ["0", "4", "4"]},
 {"activation": "identity", "weights": [["1", "-1", "2"], ["2", "1", "1"]], "bias": ["0", "0"]}]}
EON
box=-1:-0.5,0:0.1
"$LUMPNET" reduce net.json --box "$box" -o small.json --cert c.json --quiet >out.txt 2>&1 ||
  fail "reduce --box: $(cat out.txt)"
"$LUMPNET" draw net.json --cert c.json -o fig.dot >out.txt 2>&1 || fail "draw --cert (box): $(cat out.txt)"
grep -q 'o1_0.*' fig.dot || fail "neuron 0 not drawn"
grep -A6 'o1_0[[:space:]]' fig.dot | grep -q 'inactive' || fail "neuron 0 is not marked inactive: $(grep -A6 'o1_0' fig.dot)"
# the quotient panel has the reduced network's hidden neurons
want=$("$LUMPNET" info small.json --json | sed -n 's/^ *"neurons": \([0-9]*\).*/\1/p')
got=$(grep -c '^[[:space:]]*q[12]_[0-9]*[[:space:]]' fig.dot)
[ "$got" -eq "$want" ] || fail "quotient panel: $got neurons drawn, the reduced network has $want"
grep -q 'removed on the box' fig.dot || fail "the legend does not explain the removed neurons"
# the certificate of another network is refused, and nothing is drawn
cat >other.json <<'EON'
{"format": "lumpnet-net", "version": 1, "inputs": 2, "layers": [
 {"activation": "relu", "weights": [["1", "2"], ["3", "-1"], ["3", "-2"]], "bias": ["0", "4", "4"]},
 {"activation": "identity", "weights": [["1", "-1", "2"], ["2", "1", "1"]], "bias": ["0", "0"]}]}
EON
"$LUMPNET" draw other.json --cert c.json -o bad.svg >out.txt 2>&1; rc=$?
[ "$rc" -eq 1 ] || [ "$rc" -eq 2 ] || fail "a box certificate of another network: exit $rc ($(cat out.txt))"
[ ! -e bad.svg ] || fail "a refused certificate was drawn"
# a real network: ACAS Xu 1_1 on property 3 (when the data is here)
if [ -e "$DATA/acasxu/ACASXU_run2a_1_1_batch_2000.nnet" ] && [ -e "$DATA/neurodiff-acas/props/prop_3.vnnlib" ]; then
  A=$DATA/acasxu/ACASXU_run2a_1_1_batch_2000.nnet
  "$LUMPNET" reduce "$A" --box "$DATA/neurodiff-acas/props/prop_3.vnnlib" --bounds interval \
    -o acas.json --cert acas.cert.json --quiet >out.txt 2>&1 || fail "reduce ACAS: $(cat out.txt)"
  "$LUMPNET" draw "$A" --cert acas.cert.json -o acas.svg >out.txt 2>&1 || fail "draw ACAS: $(cat out.txt)"
  grep -q 'inactive' acas.svg || fail "ACAS drawing marks no inactive neuron"
  echo "ACAS Xu 1_1 on property 3 drawn from its box certificate"
fi
echo "draw --cert with box certificates"
