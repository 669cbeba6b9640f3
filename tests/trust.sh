#!/bin/sh
# trust.sh -- no false proof, no unchecked positive verdict: the finder's
# double fast path against an exact evaluation in Python fractions,
# equivalence certificates, the checker stopping a planted finder fault
# (exit 70, no file), and reduce --box on a network that is constant on
# the box.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
CERTS="$TESTS/data/cert"
FAULT=${LUMPNET_FAULT:-$(dirname "$LUMPNET")/tests/lumpnet-fault}


# ---- the checker as the trusted base: a planted finder fault ------------
# The test build of the command perturbs every lumping the partition finder
# returns (one scale doubled) when LUMPNET_TEST_FINDER_FAULT is set.
[ -x "$FAULT" ] || fail "the test build $FAULT is missing"
net="$CERTS/small.json"
# without the variable it is the ordinary command
expect_exit 0 "$FAULT" reduce "$net" -o "$TMP/ok.json" --cert "$TMP/ok.cert.json"
expect_exit 0 "$FAULT" equiv "$net" "$net"
export LUMPNET_TEST_FINDER_FAULT=1
expect_exit 70 "$FAULT" reduce "$net" -o "$TMP/f.json" --cert "$TMP/f.cert.json"
grep -q "internal error" "$TMP/err" || fail "reduce: no internal error named: $(cat "$TMP/err")"
grep -q "report" "$TMP/err" || fail "reduce: the message does not ask for a report: $(cat "$TMP/err")"
[ -e "$TMP/f.json" ] && fail "reduce wrote its output despite the checker"
[ -e "$TMP/f.cert.json" ] && fail "reduce wrote a certificate despite the checker"
expect_exit 70 "$FAULT" reduce "$net" -o "$TMP/f.json" --json
[ -e "$TMP/f.json" ] && fail "reduce --json wrote its output despite the checker"
grep -q '"verdict"\|"neurons_after"' "$TMP/out" && fail "reduce reported a result: $(cat "$TMP/out")"
expect_exit 70 "$FAULT" reduce "$net" -o "$TMP/f.json" --cert "$TMP/f.cert.json" --box -1:1
[ -e "$TMP/f.json" ] && fail "reduce --box wrote its output despite the checker"
[ -e "$TMP/f.cert.json" ] && fail "reduce --box wrote a certificate despite the checker"
expect_exit 70 "$FAULT" equiv "$net" "$net" --cert "$TMP/f.eq.json"
grep -q "internal error" "$TMP/err" || fail "equiv: no internal error named: $(cat "$TMP/err")"
grep -q "equivalent" "$TMP/out" && fail "equiv gave a verdict: $(cat "$TMP/out")"
[ -e "$TMP/f.eq.json" ] && fail "equiv wrote a certificate despite the checker"
expect_exit 70 "$FAULT" equiv "$net" "$net" --json
grep -q '"verdict"' "$TMP/out" && fail "equiv --json gave a verdict: $(cat "$TMP/out")"
# info --lumps reports provable lumps: checked too
expect_exit 70 "$FAULT" info "$net" --lumps
grep -q "output 1 = " "$TMP/out" && fail "info --lumps reported a lump: $(cat "$TMP/out")"
# relax --eps 0 is an exact lumping: checked like reduce
expect_exit 70 "$FAULT" relax "$net" --eps 0 --box -1:1 -o "$TMP/f.relax.json"
[ -e "$TMP/f.relax.json" ] && fail "relax --eps 0 wrote its output despite the checker"
unset LUMPNET_TEST_FINDER_FAULT
expect_exit 0 "$LUMPNET" relax "$net" --eps 0 --box -1:1 -o "$TMP/relax0.json" --json
grep -q '"exact_lumping_checked": true' "$TMP/out" || fail "relax --eps 0: $(cat "$TMP/out")"
# the installed command never reads the variable
expect_exit 0 env LUMPNET_TEST_FINDER_FAULT=1 "$LUMPNET" reduce "$net" -o "$TMP/ok2.json"

# ---- equivalence certificates ------------------------------------------
# the reduced network is equivalent to the original: the certificate is
# the checked lumping of their union, and check verifies it on its own
expect_exit 0 "$LUMPNET" equiv "$net" "$TMP/ok.json" --cert "$TMP/eq.json" --json
grep -q '"verdict": "equivalent"' "$TMP/out" || fail "equiv: $(cat "$TMP/out")"
grep -q '"checked": true' "$TMP/out" || fail "equiv --json: no checked key: $(cat "$TMP/out")"
grep -q '"lumpnet-equivalence-certificate"' "$TMP/eq.json" || fail "not an equivalence certificate"
expect_exit 0 "$LUMPNET" check "$net" "$TMP/ok.json" "$TMP/eq.json"
grep -q "compute the same function" "$TMP/out" || fail "check: $(cat "$TMP/out")"
expect_exit 0 "$LUMPNET" check "$net" "$TMP/ok.json" "$TMP/eq.json" --json
grep -q '"kind": "equivalence"' "$TMP/out" || fail "check --json kind: $(cat "$TMP/out")"
# it proves equality everywhere, so on a box too
expect_exit 0 "$LUMPNET" check "$net" "$TMP/ok.json" "$TMP/eq.json" --box -1:1
# against other networks it is refused
expect_exit 1 "$LUMPNET" check "$net" "$net" "$TMP/eq.json"
sed 's/"bias": \["0", "3"\]/"bias": ["0", "4"]/' "$net" > "$TMP/other.json"
cmp -s "$net" "$TMP/other.json" && fail "the bias edit did not apply"
expect_exit 1 "$LUMPNET" check "$TMP/other.json" "$TMP/ok.json" "$TMP/eq.json"
# a tampered certificate is refused, naming the condition
sed '0,/"scales": \["1", "2"/s//"scales": ["1", "3"/' "$TMP/eq.json" > "$TMP/eq_bad.json"
cmp -s "$TMP/eq.json" "$TMP/eq_bad.json" && fail "the scale edit did not apply: $(head -40 "$TMP/eq.json")"
expect_exit 1 "$LUMPNET" check "$net" "$TMP/ok.json" "$TMP/eq_bad.json"
grep -q "condition" "$TMP/out" || fail "no condition named: $(cat "$TMP/out")"
# an equivalence certificate read as a lumping certificate proves nothing
sed 's/lumpnet-equivalence-certificate/lumpnet-certificate/' "$TMP/eq.json" > "$TMP/eq_as_l.json"
expect_exit 1 "$LUMPNET" check "$net" "$TMP/ok.json" "$TMP/eq_as_l.json"
# different networks: no certificate
expect_exit 1 "$LUMPNET" equiv "$net" "$TMP/other.json" --cert "$TMP/eq2.json"
[ -e "$TMP/eq2.json" ] && fail "a certificate was written without a proof"

# ---- constant on the box -------------------------------------------------
# every relu of layer 1 is off on [0,1] and layer 2 is then constant: the
# reduced network is the constant 4 (all weights zero), and check --box
# accepts its certificate
cat > "$TMP/off.json" <<'EOF'
{"format": "lumpnet-net", "version": 1, "inputs": 1, "layers": [
 {"activation": "relu", "weights": [["-3"], ["2"]], "bias": ["-5", "-4"]},
 {"activation": "relu", "weights": [["3", "-3"], ["2", "0"], ["3", "0"]], "bias": ["-4", "2", "2"]},
 {"activation": "identity", "weights": [["-3", "0", "3"]], "bias": ["-2"]}]}
EOF
expect_exit 0 "$LUMPNET" reduce "$TMP/off.json" -o "$TMP/off.q.json" --cert "$TMP/off.c.json" --box 0:1 --json
tr -d ' \n' < "$TMP/out" | grep -q '"layers_after":\[1,1,1,1\]' || fail "constant network sizes: $(cat "$TMP/out")"
grep -q '"check_seconds"' "$TMP/out" || fail "reduce --box --json: no check_seconds"
tr -d ' \n' < "$TMP/off.q.json" | grep -q '"weights":\[\["0"\]\],"bias":\["4"\]' ||
  fail "the output layer is not the constant 4: $(cat "$TMP/off.q.json")"
expect_exit 0 "$LUMPNET" check "$TMP/off.json" "$TMP/off.q.json" "$TMP/off.c.json" --box 0:1
printf '0\n1/3\n1\n7/8\n' > "$TMP/off.in"
"$LUMPNET" eval --exact "$TMP/off.json" --inputs "$TMP/off.in" > "$TMP/off.y1"
"$LUMPNET" eval --exact "$TMP/off.q.json" --inputs "$TMP/off.in" > "$TMP/off.y2"
cmp -s "$TMP/off.y1" "$TMP/off.y2" || fail "the constant network differs on the box"
[ "$(sort -u "$TMP/off.y1")" = "4" ] || fail "the original is not 4 on the box: $(cat "$TMP/off.y1")"
# the first layer alone all off, a wider output: still constant, still valid
cat > "$TMP/off2.json" <<'EOF'
{"format": "lumpnet-net", "version": 1, "inputs": 2, "layers": [
 {"activation": "relu", "weights": [["1", "1"], ["-1", "2"]], "bias": ["-5", "-5"]},
 {"activation": "relu", "weights": [["1", "2"], ["3", "-1"]], "bias": ["1", "-1"]},
 {"activation": "identity", "weights": [["1", "2"], ["3", "-1"]], "bias": ["5", "-7/3"]}]}
EOF
expect_exit 0 "$LUMPNET" reduce "$TMP/off2.json" -o "$TMP/off2.q.json" --cert "$TMP/off2.c.json" --box 0:1,0:1
expect_exit 0 "$LUMPNET" check "$TMP/off2.json" "$TMP/off2.q.json" "$TMP/off2.c.json" --box 0:1,0:1
printf '0,0\n1,1\n1/2,1/3\n' > "$TMP/off2.in"
"$LUMPNET" eval --exact "$TMP/off2.json" --inputs "$TMP/off2.in" > "$TMP/off2.y1"
"$LUMPNET" eval --exact "$TMP/off2.q.json" --inputs "$TMP/off2.in" > "$TMP/off2.y2"
cmp -s "$TMP/off2.y1" "$TMP/off2.y2" || fail "off2: the reduced network differs on the box"
[ "$(sort -u "$TMP/off2.y1")" = "6,2/3" ] || fail "off2 is not constant: $(cat "$TMP/off2.y1")"

# ---- the double fast path: constants without an exact double image --------
# e = 1 + 2^-52; layer 1 makes e, layer 2 makes e^2 (105 significant bits),
# so A(0) = e^2 and B(0) = 0. The old fast path dropped e^2 from the next
# bias: equiv said "equivalent" and reduce wrote bias 0.
find_python
"$PY" - "$TMP" <<'EOF' || fail "could not build the ONNX networks"
import sys, onnx, numpy as np
from onnx import helper, TensorProto, numpy_helper
from fractions import Fraction as F
tmp = sys.argv[1]
def make(path, outw, dtype, layers):
    tp = TensorProto.DOUBLE if dtype == np.float64 else TensorProto.FLOAT
    nodes, inits, cur = [], [], 'x'
    for i, (W, b, relu) in enumerate(layers + [(outw, [0.0], False)]):
        inits += [numpy_helper.from_array(np.array(W, dtype=dtype), f'W{i}'),
                  numpy_helper.from_array(np.array(b, dtype=dtype), f'b{i}')]
        nodes.append(helper.make_node('Gemm', [cur, f'W{i}', f'b{i}'], [f'g{i}'], transB=1))
        cur = f'g{i}'
        if relu:
            nodes.append(helper.make_node('Relu', [cur], [f'r{i}']))
            cur = f'r{i}'
    nodes[-1].output[0] = 'y'
    g = helper.make_graph(nodes, 'g', [helper.make_tensor_value_info('x', tp, [1, 1])],
                          [helper.make_tensor_value_info('y', tp, [1, 1])], inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)]), path)
def exact(layers, outw, x):
    y = [F(x)]
    for W, b, relu in layers + [(outw, [0.0], False)]:
        z = [sum(F(float(w)) * v for w, v in zip(r, y)) + F(float(c)) for r, c in zip(W, b)]
        y = [max(v, 0) for v in z] if relu else z
    return y[0]
e = 1 + 2.0 ** -52
L2 = [([[1], [0]], [0, e], True), ([[1, 0], [0, e]], [0, 0], True)]
f = float(np.float32(1 + 2.0 ** -23))
L4 = [([[1], [0]], [0, f], True)] + [([[1, 0], [0, f]], [0, 0], True)] * 3
for name, layers, dtype in (('d', L2, np.float64), ('f', L4, np.float32)):
    make(f'{tmp}/{name}A.onnx', [[1, 1]], dtype, layers)
    make(f'{tmp}/{name}B.onnx', [[1, 0]], dtype, layers)
    with open(f'{tmp}/{name}.exact', 'w') as out:
        for x in ('0', '1/2', '-1'):
            v = exact(layers, [[1, 1]], F(x))
            out.write(f'{v.numerator}/{v.denominator}\n' if v.denominator != 1 else f'{v.numerator}\n')
EOF
printf '0\n1/2\n-1\n' > "$TMP/x.in"
for k in d f; do
  # the networks differ at 0: never "equivalent"
  expect_exit 1 "$LUMPNET" equiv "$TMP/${k}A.onnx" "$TMP/${k}B.onnx"
  grep -q "^different" "$TMP/out" || fail "$k: $(cat "$TMP/out")"
  # the quotient of A computes A exactly (checked against Python fractions)
  expect_exit 0 "$LUMPNET" reduce "$TMP/${k}A.onnx" -o "$TMP/${k}q.json" --cert "$TMP/${k}c.json"
  expect_exit 0 "$LUMPNET" check "$TMP/${k}A.onnx" "$TMP/${k}q.json" "$TMP/${k}c.json"
  "$LUMPNET" eval --exact "$TMP/${k}q.json" --inputs "$TMP/x.in" > "$TMP/${k}q.y"
  cmp -s "$TMP/${k}q.y" "$TMP/$k.exact" ||
    fail "$k: the quotient computes $(tr '\n' ' ' < "$TMP/${k}q.y"), exactly $(tr '\n' ' ' < "$TMP/$k.exact")"
  "$LUMPNET" eval --exact "$TMP/${k}A.onnx" --inputs "$TMP/x.in" > "$TMP/${k}A.y"
  cmp -s "$TMP/${k}A.y" "$TMP/$k.exact" || fail "$k: eval --exact disagrees with Python fractions"
done
echo "trust: ok"
