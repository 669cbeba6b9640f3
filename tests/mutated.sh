#!/bin/sh
# mutated.sh -- the held-out corpus: mutants of real files (truncations, byte
# flips, splices, absurd numbers), made here at test time and never stored,
# are read by the tool. Nothing may crash or hang (20 s); each mutant is
# either accepted (exit 0, or 1 for an invalid certificate) or refused with
# exit 2, a short message that names the file, and no output file left.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
need_data acasxu/ACASXU_run2a_1_1_batch_2000.nnet \
  vnncomp2021/acasxu/ACASXU_run2a_2_3_batch_2000.onnx \
  vnncomp2021/acasxu/prop_1.vnnlib vnncomp2021/mnistfc/prop_0_0.03.vnnlib \
  vnncomp2021/test/test_small.onnx
SEED=${LUMPNET_SEED:-$(date +%s)}
echo "mutated: seed $SEED (rerun with LUMPNET_SEED=$SEED)"
M="$TMP/m"
OUT="$TMP/o"
mkdir -p "$M" "$OUT"

# ---- sources: real files, plus JSON networks and certificates made from them
cp "$DATA/acasxu/ACASXU_run2a_1_1_batch_2000.nnet" "$TMP/acas.nnet"
cp "$DATA/vnncomp2021/acasxu/ACASXU_run2a_2_3_batch_2000.onnx" "$TMP/acas.onnx"
cp "$DATA/vnncomp2021/test/test_small.onnx" "$TMP/small.onnx"
cp "$DATA/vnncomp2021/acasxu/prop_1.vnnlib" "$TMP/prop1.vnnlib"
cp "$DATA/vnncomp2021/mnistfc/prop_0_0.03.vnnlib" "$TMP/mnist.vnnlib"
"$LUMPNET" convert "$TMP/acas.nnet" "$TMP/acas.json" >/dev/null 2>&1 \
  || fail "cannot convert the ACAS Xu network to JSON"
"$LUMPNET" reduce "$TMP/acas.json" -o "$TMP/acas.q.json" --cert "$TMP/acas.cert.json" \
  >/dev/null 2>&1 || fail "cannot reduce the ACAS Xu network"
chmod u+w "$TMP"/*

# rnd N MAX: N pseudo-random integers in [0, MAX), from the seed and a
# counter (kept in a file: rnd runs in command substitutions, subshells)
echo 0 >"$TMP/ctr"
rnd() {
  ctr=$(($(cat "$TMP/ctr") + 1))
  echo "$ctr" >"$TMP/ctr"
  awk -v s="$SEED" -v c="$ctr" -v n="$1" -v m="$2" \
    'BEGIN { srand(s * 1000 + c); for (i = 0; i < n; i++) print int(rand() * m) }'
}
size() { wc -c <"$1" | tr -d ' '; }

# ---- running one mutant
cases=0
accepted=0
refused=0
run_case() { # run_case FILE: the command follows from the file's name
  f=$1
  name=$(basename "$f")
  rm -rf "$OUT" && mkdir -p "$OUT"
  case "$name" in
    *.vnnlib) set -- "$LUMPNET" info "$f" ;;
    cert_*) set -- "$LUMPNET" check "$TMP/acas.json" "$TMP/acas.q.json" "$f" ;;
    *) set -- "$LUMPNET" convert "$f" "$OUT/out.json" ;;
  esac
  timeout 20 "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  rc=$?
  cases=$((cases + 1))
  [ "$rc" -eq 124 ] && fail "$name: hung (killed after 20 s); seed $SEED"
  [ "$rc" -gt 128 ] && fail "$name: crashed (signal $((rc - 128))); seed $SEED"
  case "$rc" in
    0) accepted=$((accepted + 1))
       case "$name" in *.vnnlib|cert_*) ;; *)
         [ -s "$OUT/out.json" ] || fail "$name: exit 0 but no output; seed $SEED" ;;
       esac ;;
    1) case "$name" in cert_*) accepted=$((accepted + 1)) ;;
       *) fail "$name: exit 1 (for a bad input, 2 is expected); seed $SEED" ;; esac ;;
    2) refused=$((refused + 1))
       grep -qF "$name" "$TMP/stderr" \
         || fail "$name: the message does not name the file: $(head -c 300 "$TMP/stderr"); seed $SEED"
       [ "$(wc -l <"$TMP/stderr")" -le 3 ] \
         || fail "$name: more than a short message: $(head -c 600 "$TMP/stderr"); seed $SEED"
       [ -z "$(ls -A "$OUT")" ] \
         || fail "$name: refused, but left $(ls "$OUT") behind; seed $SEED" ;;
    *) fail "$name: exit $rc; stderr: $(head -c 300 "$TMP/stderr"); seed $SEED" ;;
  esac
  rm -f "$f"
}

# ---- the mutations; SRC keeps its extension in every mutant's name
truncations() { # SRC TAG COUNT
  n=$(size "$1")
  for k in 0 1 $(rnd "$3" "$n"); do
    head -c "$k" "$1" >"$M/$2_trunc$k.${1##*.}"
    run_case "$M/$2_trunc$k.${1##*.}"
  done
}
flips() { # SRC TAG COUNT: 1 to 4 bytes set to random values
  n=$(size "$1")
  i=0
  for k in $(rnd "$3" "$n"); do
    i=$((i + 1))
    m="$M/$2_flip$i.${1##*.}"
    cp "$1" "$m"
    for pos in $k $(rnd $((i % 4)) "$n"); do
      v=$(rnd 1 256)
      printf "\\$(printf %03o "$v")" | dd of="$m" bs=1 seek="$pos" conv=notrunc 2>/dev/null
    done
    run_case "$m"
  done
}
splices() { # A B TAG COUNT: a prefix of A followed by a suffix of B
  na=$(size "$1")
  nb=$(size "$2")
  i=0
  for k in $(rnd "$4" "$na"); do
    i=$((i + 1))
    m="$M/$3_splice$i.${1##*.}"
    { head -c "$k" "$1"; tail -c +"$(rnd 1 "$nb" | awk '{ print $1 + 1 }')" "$2"; } >"$m"
    run_case "$m"
  done
}
ABSURD="1e999999999 -1e-999999999 99999999999999999999999999999999 4294967296
18446744073709551616 2147483648 -1 0 1e4001 1/0 nan inf -inf 1e308 1e-400
0x10 7e-4000 123456789e3999 00000000000000000000000000000001 1.0.0 --1 1e+"
absurd() { # SRC TAG COUNT: a number on a random line becomes an absurd one
  lines=$(wc -l <"$1" | tr -d ' ')
  i=0
  for l in $(rnd "$3" "$lines"); do
    i=$((i + 1))
    a=$(echo $ABSURD | tr ' ' '\n' | sed -n "$(( $(rnd 1 22) + 1 ))p")
    m="$M/$2_absurd$i.${1##*.}"
    # which number of the line: the first, or (every other time) the last
    if [ $((i % 2)) -eq 0 ]; then
      sed "$((l + 1))s|[0-9][0-9.eE/+-]*|$a|" "$1" >"$m"
    else
      sed "$((l + 1))s|\\(.*\\)[0-9][0-9.eE/+-]*|\\1$a|" "$1" >"$m"
    fi
    run_case "$m"
  done
}

truncations "$TMP/acas.nnet" nnet 12
flips "$TMP/acas.nnet" nnet 15
absurd "$TMP/acas.nnet" nnet 20
splices "$TMP/acas.nnet" "$TESTS/data/nnet/tiny.nnet" nnet 6

truncations "$TMP/acas.onnx" onnx 12
flips "$TMP/acas.onnx" onnx 20
splices "$TMP/acas.onnx" "$TMP/small.onnx" onnx 6
truncations "$TMP/small.onnx" onnxs 6
flips "$TMP/small.onnx" onnxs 15

truncations "$TMP/acas.json" json 10
flips "$TMP/acas.json" json 12
absurd "$TMP/acas.json" json 20
splices "$TMP/acas.json" "$TESTS/data/json/small.json" json 5

truncations "$TMP/prop1.vnnlib" prop 6
flips "$TMP/prop1.vnnlib" prop 8
absurd "$TMP/prop1.vnnlib" prop 8
truncations "$TMP/mnist.vnnlib" mnist 5
flips "$TMP/mnist.vnnlib" mnist 6
absurd "$TMP/mnist.vnnlib" mnist 8
splices "$TMP/prop1.vnnlib" "$TMP/mnist.vnnlib" prop 4

cp "$TMP/acas.cert.json" "$TMP/cert_acas.json"
truncations "$TMP/cert_acas.json" cert 6
flips "$TMP/cert_acas.json" cert 10
absurd "$TMP/cert_acas.json" cert 12

# Absurd but admissible numbers (at the limits of rat.h) must round-trip
# through the JSON writer: found by fuzzing lump_rat_parse, where 2.5e-5999
# and 9999e4000 were read but their written text was refused.
cat >"$TMP/limits.json" <<'EOF2'
{"format": "lumpnet-net", "version": 1, "inputs": 2, "layers": [
 {"activation": "identity", "weights": [["2.5e-5999", "9999e4000"], ["-0.0000000000000000000001e-3999", "1/3"]],
  "bias": ["123456789e3991", "7e-4000"]}]}
EOF2
"$LUMPNET" convert "$TMP/limits.json" "$TMP/limits2.json" >/dev/null 2>"$TMP/stderr" \
  || fail "numbers at the limits are refused: $(cat "$TMP/stderr")"
"$LUMPNET" convert "$TMP/limits2.json" "$TMP/limits3.json" >/dev/null 2>"$TMP/stderr" \
  || fail "numbers at the limits do not read back after writing: $(cat "$TMP/stderr")"
cmp -s "$TMP/limits2.json" "$TMP/limits3.json" || fail "numbers at the limits changed in a round trip"

[ "$cases" -ge 200 ] || fail "only $cases mutants were run (200 expected)"
echo "mutated: $cases mutants, $accepted accepted, $refused refused cleanly (exit 2)"
