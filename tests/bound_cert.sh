#!/bin/sh
# bound_cert.sh -- `bound A B --cert CERT` pairs B with the exact quotient Q
# that CERT makes of A (issue 14, acceptance 3): ACAS Xu 1_1 reduced on
# prop_3 and written as float32 ONNX; the certified bound must be at most
# 100 times the largest sampled difference (without --cert it was 0.18 to
# 0.40 against 9e-8). A certificate of another network, or of another
# kind, is refused with exit 2 and a message naming it; a lumping
# certificate (equality everywhere) pairs too.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
A=vnncomp2021/acasxu
need_data "$A/ACASXU_run2a_1_1_batch_2000.onnx" "$A/ACASXU_run2a_1_2_batch_2000.onnx" "$A/prop_3.vnnlib"
command -v python3 >/dev/null 2>&1 || skip "python3 is needed to read the JSON reports"
NET=$DATA/$A/ACASXU_run2a_1_1_batch_2000.onnx
BOX=$DATA/$A/prop_3.vnnlib
EX="$TESTS/../examples"

# worst bound, worst observed difference of a bound --json report
worst() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(max(float(x) for x in j["bound"]), max(j["observed"]))' "$1"; }

# --fit smallest: keep every fold, so that float32 has something to round
expect_exit 0 "$LUMPNET" reduce "$NET" --box "$BOX" --fit smallest -o "$TMP/q.onnx" --cert "$TMP/c.json"
expect_exit 0 "$LUMPNET" convert "$TMP/q.onnx" "$TMP/q32.onnx" --dtype float32
expect_exit 0 "$LUMPNET" bound "$NET" "$TMP/q32.onnx" --cert "$TMP/c.json" --box "$BOX" --json
grep -q '"paired_through": "box certificate"' "$TMP/out" || fail "bound --json: $(cat "$TMP/out")"
set -- $(worst "$TMP/out")
echo "bound --cert: certified $1, largest sampled difference $2"
python3 -c 'import sys; u, o = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if 0 < o and o <= u <= 100 * o else 1)' "$1" "$2" ||
  fail "certified bound $1 is not within [observed, 100 x observed] for observed $2"
expect_exit 0 "$LUMPNET" bound "$NET" "$TMP/q32.onnx" --cert "$TMP/c.json" --box "$BOX"
grep -q "^certified: |A - B| <= .* (A = Q exactly on the box by " "$TMP/out" || fail "bound --cert text: $(cat "$TMP/out")"

# the certificate of another network (1_2): refused, exit 2, named
expect_exit 0 "$LUMPNET" reduce "$DATA/$A/ACASXU_run2a_1_2_batch_2000.onnx" --box "$BOX" -o "$TMP/q2.json" --cert "$TMP/c2.json"
expect_exit 2 "$LUMPNET" bound "$NET" "$TMP/q32.onnx" --cert "$TMP/c2.json" --box "$BOX"
grep -q "c2.json does not prove its quotient equal to the network on the box" "$TMP/err" ||
  grep -q "c2.json does not fit the network" "$TMP/err" || fail "wrong certificate: $(cat "$TMP/err")"
# a box larger than the certificate's: refused
expect_exit 2 "$LUMPNET" bound "$NET" "$TMP/q32.onnx" --cert "$TMP/c.json" --box "-1:1,-1:1,-1:1,-1:1,-1:1"
grep -q "not inside the certificate's box" "$TMP/err" || fail "larger box: $(cat "$TMP/err")"
# an equivalence certificate is not a quotient's
expect_exit 0 "$LUMPNET" reduce "$EX/tiny.json" -o "$TMP/t.json" --cert "$TMP/tc.json"
expect_exit 0 "$LUMPNET" equiv "$EX/tiny.json" "$TMP/t.json" --cert "$TMP/te.json"
expect_exit 2 "$LUMPNET" bound "$EX/tiny.json" "$TMP/t.json" --cert "$TMP/te.json" --box "-1:1,-1:1"
grep -q "equivalence certificate relates two given networks" "$TMP/err" || fail "equivalence certificate: $(cat "$TMP/err")"
# a lumping certificate: Q = A everywhere, the quotient itself bounds to 0
expect_exit 0 "$LUMPNET" bound "$EX/tiny.json" "$TMP/t.json" --cert "$TMP/tc.json" --box "-1:1,-1:1" --json
grep -q '"paired_through": "lumping certificate"' "$TMP/out" || fail "lumping certificate: $(cat "$TMP/out")"
set -- $(worst "$TMP/out")
python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < 1e-12 else 1)' "$1" || fail "tiny: bound $1 through its lumping certificate"
echo "bound_cert: ok"
