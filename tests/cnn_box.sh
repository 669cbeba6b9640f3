#!/bin/sh
# cnn_box.sh -- issue #15, acceptance 4: `reduce --box` of convolutional and
# residual networks removes the relu channels inactive at every position of
# the box; the result equals the network exactly (`eval --exact`, compared
# here as text) at the box centre, at random corners and at random points of
# the box; `check --box` accepts the certificate and refuses it tampered
# with (an entry of a cut channel not listed inactive, one channel more cut,
# a bound lowered below its proof) and refuses a reduced network with one
# weight changed; Convnet_maxpool, too large to unroll, through exact
# intervals on the graph. A few properties keep this fast; bench/bench_cnn_box.sh
# runs every shared property. Points are seeded by LUMPNET_SEED (printed).
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
V=vnncomp2021
need_data $V/oval21/cifar_base_kw.onnx $V/cifar10_resnet/resnet_2b.onnx \
  $V/verivital/Convnet_avgpool.onnx
D=$DATA/$V
PY=python3
SEED=${LUMPNET_SEED:-20261207}
echo "cnn_box: seed $SEED"
H="$PY $TESTS/cnn_box.py"

# reduce NET on PROP, check, compare at CORNERS corners and RANDOM points;
# TAG names the files. Leaves $TMP/TAG.onnx and $TMP/TAG.cert.
run() {
  tag=$1 net=$2 prop=$3 corners=$4 random=$5
  "$LUMPNET" reduce "$net" -o "$TMP/$tag.onnx" --box "$prop" --cert "$TMP/$tag.cert" --json \
    >"$TMP/$tag.red" 2>"$TMP/$tag.err" || fail "$tag: reduce --box: $(cat "$TMP/$tag.err")"
  removed=$($PY -c 'import json,sys; print(json.load(sys.stdin)["channels_removed"])' \
    <"$TMP/$tag.red")
  [ "$removed" -gt 0 ] || fail "$tag: no channel removed on $prop"
  "$LUMPNET" check "$net" "$TMP/$tag.onnx" "$TMP/$tag.cert" --box "$prop" >"$TMP/$tag.chk" \
    || fail "$tag: check --box refuses the certificate: $(cat "$TMP/$tag.chk")"
  grep -q '^valid' "$TMP/$tag.chk" || fail "$tag: check says $(cat "$TMP/$tag.chk")"
  $H points "$prop" "$SEED" "$corners" "$random" >"$TMP/$tag.pts" || fail "$tag: points"
  "$LUMPNET" eval --exact "$net" --inputs "$TMP/$tag.pts" >"$TMP/$tag.y0" \
    || fail "$tag: eval --exact of the network"
  "$LUMPNET" eval --exact "$TMP/$tag.onnx" --inputs "$TMP/$tag.pts" >"$TMP/$tag.y1" \
    || fail "$tag: eval --exact of the reduced network"
  $H same "$TMP/$tag.y0" "$TMP/$tag.y1" || fail "$tag: the reduced network differs on the box"
  echo "$tag: $removed channels removed; exact at the centre, $corners corners and $random points"
}

# check must say invalid (exit 1), not fail otherwise
refused() {
  tag=$1 what=$2
  shift 2
  "$LUMPNET" check "$@" >"$TMP/ref.out" 2>&1
  rc=$?
  [ "$rc" -eq 1 ] && grep -q '^invalid' "$TMP/ref.out" \
    || fail "$tag: check accepts (or fails on) $what: exit $rc, $(cat "$TMP/ref.out")"
  echo "$tag: $what refused: $(cut -c1-150 "$TMP/ref.out")"
}

P=$D/oval21/cifar_base_kw-img4549-eps0.00392156862745098.vnnlib
run base $D/oval21/cifar_base_kw.onnx "$P" 4 4
for k in uncovered extra bound; do
  $H tamper $k "$TMP/base.cert" "$TMP/base.$k.cert" || fail "tamper $k"
  refused base "a certificate tampered with ($k)" $D/oval21/cifar_base_kw.onnx \
    "$TMP/base.onnx" "$TMP/base.$k.cert" --box "$P"
done
"$LUMPNET" convert "$TMP/base.onnx" "$TMP/base.json" >/dev/null || fail "convert to json"
$H weight "$TMP/base.json" "$TMP/base.w.json" || fail "weight tampering"
refused base "a reduced network with one weight changed" $D/oval21/cifar_base_kw.onnx \
  "$TMP/base.w.json" "$TMP/base.cert" --box "$P"
# the certificate speaks of its box: a larger box is refused
refused base "a box the certificate does not cover" $D/oval21/cifar_base_kw.onnx \
  "$TMP/base.onnx" "$TMP/base.cert" --box "$D/oval21/cifar_base_kw-img7779-eps0.04771241830065359.vnnlib"

# --unroll: the layered form reduced as a fully connected network (every
# inactive relu, at any position), an ordinary box certificate; exact at
# the same points (interval bounds keep it short)
"$LUMPNET" reduce $D/oval21/cifar_base_kw.onnx -o "$TMP/unr.onnx" --box "$P" --unroll \
  --bounds interval --cert "$TMP/unr.cert" >"$TMP/unr.out" 2>&1 || fail "reduce --unroll: $(cat "$TMP/unr.out")"
"$LUMPNET" check $D/oval21/cifar_base_kw.onnx "$TMP/unr.onnx" "$TMP/unr.cert" --box "$P" \
  >"$TMP/unr.chk" || fail "check of reduce --unroll: $(cat "$TMP/unr.chk")"
"$LUMPNET" eval --exact "$TMP/unr.onnx" --inputs "$TMP/base.pts" >"$TMP/unr.y" \
  || fail "eval --exact of the unrolled reduction"
$H same "$TMP/base.y0" "$TMP/unr.y" || fail "reduce --unroll: the result differs on the box"
echo "unroll: $(grep '^neurons' "$TMP/unr.out"); exact at the same points"
refused unroll "another network (the channel-level result) for its certificate" \
  $D/oval21/cifar_base_kw.onnx "$TMP/base.onnx" "$TMP/unr.cert" --box "$P"

# a residual network: the channels a residual Add reads stay
run resnet $D/cifar10_resnet/resnet_2b.onnx $D/cifar10_resnet/resnet2b_prop_0_eps_0.008.vnnlib 2 2
# Pad and AveragePool (the cut through Transpose and Reshape of the NHWC
# marabou networks: tests/test_graph_box.c; on their properties the bounds
# leave no channel inactive everywhere, bench/bench_cnn_box.sh)
run avgpool $D/verivital/Convnet_avgpool.onnx $D/verivital/avgpool_prop_0_0.02.vnnlib 2 2
# Convnet_maxpool's unrolled form is too large (2.1e8 dense weights): the
# bounds are exact intervals on the graph, and the certificate holds only
# the box (the checker recomputes them)
M=$D/verivital/Convnet_maxpool.onnx
if [ -e "$M" ]; then
  MP=$D/verivital/maxpool_prop_0_0.004.vnnlib
  run maxpool "$M" "$MP" 2 2
  grep -q '"bounds": "graph-interval"' "$TMP/maxpool.red" || fail "maxpool: not the graph intervals"
  grep -q '"intervals"' "$TMP/maxpool.cert" && ! grep -q '"unrolled"' "$TMP/maxpool.cert" \
    || fail "maxpool: not an interval certificate"
  for k in extra smallbox; do
    $H tamper $k "$TMP/maxpool.cert" "$TMP/maxpool.$k.cert" || fail "tamper $k"
    refused maxpool "a certificate tampered with ($k)" "$M" "$TMP/maxpool.onnx" \
      "$TMP/maxpool.$k.cert" --box "$MP"
  done
  "$LUMPNET" convert "$TMP/maxpool.onnx" "$TMP/maxpool.json" >/dev/null || fail "convert to json"
  $H weight "$TMP/maxpool.json" "$TMP/maxpool.w.json" || fail "weight tampering"
  refused maxpool "a reduced network with one weight changed" "$M" "$TMP/maxpool.w.json" \
    "$TMP/maxpool.cert" --box "$MP"
  # the layered form itself stays too large: reduce --unroll is refused
  "$LUMPNET" reduce "$M" -o "$TMP/mpu.onnx" --box "$MP" --unroll >/dev/null 2>"$TMP/mpu.err"
  rc=$?
  [ "$rc" -eq 2 ] && grep -q "dense weights" "$TMP/mpu.err" && [ ! -e "$TMP/mpu.onnx" ] \
    || fail "maxpool --unroll: exit $rc, $(cat "$TMP/mpu.err")"
fi
echo "cnn_box: pass"
