#!/bin/sh
# box_range.sh -- a box that the network's input clipping squeezes to one
# value (the wrong coordinates, usually) gets a warning naming the input,
# the box and the range; a box inside the range gets none
. "$(dirname "$0")/common.sh"
cd "$TMP" || exit 1
cat >net.json <<'EON'
{"format": "lumpnet-net", "version": 1, "inputs": 2,
 "clip": {"lower": ["0", "-1"], "upper": ["100", "1"]},
 "layers": [{"activation": "relu", "weights": [["1", "1"], ["1", "-1"]], "bias": ["0", "0"]},
            {"activation": "identity", "weights": [["1", "1"]], "bias": ["0"]}]}
EON
for cmd in "reduce net.json -o q.json" "relax net.json --eps 0 -o r.json" \
           "bound net.json net.json" "equiv net.json net.json"; do
  # input 0: [-0.5, -0.2] lies below the range [0, 100]: squeezed to 0
  $LUMPNET $cmd --box -0.5:-0.2,0:0.5 >out.txt 2>err.txt
  grep -q "warning: -0.5:-0.2,0:0.5: the box lies outside net.json's input range in 1 of 2 inputs (input 0: box \[-0.5, -0.2\], range \[0, 100\])" err.txt ||
    fail "$cmd: no or wrong warning: $(cat err.txt)"
  $LUMPNET $cmd --box 0.5:0.8,0:0.5 >out.txt 2>err.txt
  ! grep -q "warning" err.txt || fail "$cmd inside the range: $(cat err.txt)"
done
# the same for the real case: an NNet (raw inputs) with a normalised VNN-LIB box
if [ -e "$DATA/acasxu/ACASXU_run2a_1_1_batch_2000.nnet" ] && [ -e "$DATA/vnncomp2021/acasxu/prop_3.vnnlib" ]; then
  $LUMPNET reduce "$DATA/acasxu/ACASXU_run2a_1_1_batch_2000.nnet" --box "$DATA/vnncomp2021/acasxu/prop_3.vnnlib" \
    --bounds interval -o a.json --quiet >out.txt 2>err.txt || fail "reduce ACAS: $(cat err.txt)"
  grep -q "in 2 of 5 inputs" err.txt || fail "ACAS Xu NNet with a normalised box: $(cat err.txt)"
  # and the control: the same NNet with a box in its raw coordinates
  # (NeuroDiff's prop_3, inside the clip range) gets no warning
  if [ -e "$DATA/neurodiff-acas/props/prop_3.vnnlib" ]; then
    $LUMPNET reduce "$DATA/acasxu/ACASXU_run2a_1_1_batch_2000.nnet" \
      --box "$DATA/neurodiff-acas/props/prop_3.vnnlib" --bounds interval -o b.json --quiet \
      >out.txt 2>err.txt || fail "reduce ACAS raw box: $(cat err.txt)"
    ! grep -q "warning" err.txt || fail "ACAS Xu NNet with a raw box inside its range: $(cat err.txt)"
  fi
fi
echo "box range warnings"
