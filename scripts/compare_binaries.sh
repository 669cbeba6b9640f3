#!/bin/sh
# compare_binaries.sh -- run the same command lines with two lumpnet
# binaries and compare everything they produce byte for byte: standard
# output, standard error, exit code and every file written. Timing fields
# (JSON "*_seconds" and "seconds", the "N.N s" of text reports and
# summaries, explore's bound_seconds column) are masked first. For changes that must not change
# behaviour, such as the module re-cut of issue 13.
#
#   sh scripts/compare_binaries.sh OLD_LUMPNET NEW_LUMPNET
#
# Real networks come from $LUMPNET_DATA (default ../shared/data beside the
# repository); the commands that need an absent file are skipped, and
# counted. Exit 0 when every output agrees, 1 otherwise.
set -u
if [ $# -ne 2 ]; then
  echo "usage: $0 OLD_LUMPNET NEW_LUMPNET" >&2
  exit 2
fi
top=$(cd "$(dirname "$0")/.." && pwd)
abs() { case $1 in /*) echo "$1" ;; *) echo "$(pwd)/$1" ;; esac; }
OLD=$(abs "$1"); NEW=$(abs "$2")
D=${LUMPNET_DATA:-$top/../shared/data}
A=$D/vnncomp2021/acasxu
M=$D/vnncomp2021/mnistfc
N=$D/acasxu
E=$top/examples
G=$E/digits
W=$(mktemp -d "${TMPDIR:-/tmp}/lumpnet-compare-XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir "$W/old" "$W/new"
A11=$A/ACASXU_run2a_1_1_batch_2000.onnx
A12=$A/ACASXU_run2a_1_2_batch_2000.onnx
A23=$A/ACASXU_run2a_2_3_batch_2000.onnx
A35=$A/ACASXU_run2a_3_5_batch_2000.onnx
A47=$A/ACASXU_run2a_4_7_batch_2000.onnx
N11=$N/ACASXU_run2a_1_1_batch_2000.nnet
N23=$N/ACASXU_run2a_2_3_batch_2000.nnet
M2=$M/mnist-net_256x2.onnx
X5=0.1,0.2,0.3,0.4,0.5

# One command line per line, "lumpnet" standing for the binary; run in
# order in one directory per binary, so later lines may use earlier outputs.
cat >"$W/commands" <<LINES
info $E/tiny.json
info $E/tiny.json --json
info $A11 --json
info $N23 --lumps
info $N23 --lumps --mode exact
info $A/prop_3.vnnlib
info $M2 --json
eval $E/tiny.json --inputs $E/tiny_inputs.txt
eval $E/tiny.json --exact --inputs $E/tiny_inputs.txt
eval $E/tiny.json --mpfr 100 --inputs $E/tiny_inputs.txt
eval $A11 --input $X5
eval $A11 --exact --input $X5
eval $N23 --mpfr 80 --input $X5
convert $A11 a11.json
convert $N23 n23.onnx
convert $E/tiny.json tiny.nnet
reduce $E/tiny.json -o tiny_q.json --cert tiny_c.json --json
reduce $A11 -o a11_q.onnx --json
reduce $N11 -o n11_q.json --mode exact --cert n11_c.json
reduce $M2 -o m2_q.json --json
reduce $A11 --box $A/prop_1.vnnlib -o a11_b.json --cert a11_bc.json --json
reduce $A23 --box $A/prop_2.vnnlib -o a23_b.json --cert a23_bc.json
reduce $A35 --box $A/prop_3.vnnlib -o a35_b.json --cert a35_bc.json --json
reduce $A47 --box $A/prop_4.vnnlib -o a47_b.json --json
check $E/tiny.json tiny_q.json tiny_c.json
check $N11 n11_q.json n11_c.json --json
check $A11 a11_b.json a11_bc.json --box $A/prop_1.vnnlib --json
check $A23 a23_b.json a23_bc.json --box $A/prop_2.vnnlib
equiv $E/tiny.json tiny_q.json --json
equiv $A11 $N11 --json
equiv $A11 $A12 --seed 1 --json
equiv $A11 a11_b.json --box $A/prop_1.vnnlib --json
equiv $A11 a11_b.json --seed 3
relax $A11 --eps 0.01 -o a11_r1.json --box $A/prop_1.vnnlib --json
relax $A11 --eps 0.1 -o a11_r2.json --box $A/prop_1.vnnlib
relax $A23 --eps 0.05 -o a23_r.json --box $A/prop_2.vnnlib --json
relax $G/digits.onnx --eps 2 -o g_r.json --box 0:1 --json
relax $G/digits.onnx --eps 2 -o g_rc.json --box 0:1 --calib $G/train.csv --json
bound $A11 a11_r1.json --box $A/prop_1.vnnlib --json
bound $A11 a11_r2.json --box $A/prop_1.vnnlib
bound $E/tiny.json tiny_q.json --box -1:1 --json
bound $G/digits.onnx g_r.json --box 0:1 --json
draw $E/tiny.json -o tiny.dot
draw $E/tiny.json --reduce -o tiny_r.dot
draw $E/tiny.json --cert tiny_c.json -o tiny_c.dot
draw $A11 --reduce -o a11.dot
draw $A11 --eps 0.1 --box $A/prop_1.vnnlib -o a11_e.dot
draw $G/digits.onnx --reduce -o g.svg
explore $G/digits.onnx --box 0:1 --data $G/test.csv --csv g_x.csv --eps-list 1,3,6
reduce $D/absent.onnx -o x.json
eval $E/tiny.json --input 1
info $G/train.csv
relax $A11 --eps -1 -o x.json --box $A/prop_1.vnnlib
LINES

# mask() FILE: the file with its timing fields replaced by T (in a CSV
# whose header names a bound_seconds column, that column)
mask() {
  sed -e 's/"\([a-z_]*_\)\{0,1\}seconds": *[-0-9.eE+]*/"\1seconds": T/g' \
      -e 's/: [0-9][0-9]*\.[0-9]* s\([,)]\)/: T s\1/g' \
      -e 's/(\([0-9][0-9]*\.[0-9]*\) s)/(T s)/g' \
      -e 's/[0-9][0-9]*\.[0-9][0-9]* s)/T s)/g' \
      -e 's/^\(lumpnet: [a-z]*: \)[0-9][0-9]*\.[0-9] s, /\1T s, /' "$1" |
    awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "bound_seconds") c = i }
                      c && NR > 1 && NF >= c { $c = "T" } { print }'
}

n=0; same=0; differ=0; skipped=0
while IFS= read -r line; do
  n=$((n + 1))
  # skip a line that names an absent real-data file (but not the one
  # deliberately absent input of the error cases)
  missing=""
  for w in $line; do
    case $w in
      "$D"/absent.onnx) ;;
      "$D"/*) [ -e "$w" ] || missing=$w ;;
    esac
  done
  if [ -n "$missing" ]; then
    skipped=$((skipped + 1)); echo "skip $n: $missing absent"; continue
  fi
  for side in old new; do
    if [ $side = old ]; then bin=$OLD; else bin=$NEW; fi
    # shellcheck disable=SC2086
    (cd "$W/$side" && "$bin" $line >"stdout.$n" 2>"stderr.$n"; echo $? >"rc.$n")
  done
  # compare what this line wrote or changed (a file's pair of checksums
  # is kept from the line that last compared it)
  bad=""
  for f in $( (cd "$W/old" && ls; cd "$W/new" && ls) | sort -u); do
    if [ ! -e "$W/old/$f" ] || [ ! -e "$W/new/$f" ]; then
      [ -e "$W/sig.$f" ] || bad="$bad $f(only one side)"
      echo one >"$W/sig.$f"; continue
    fi
    sig="$(cksum <"$W/old/$f") $(cksum <"$W/new/$f")"
    [ "$sig" = "$(cat "$W/sig.$f" 2>/dev/null)" ] && continue
    echo "$sig" >"$W/sig.$f"
    mask "$W/old/$f" >"$W/a"; mask "$W/new/$f" >"$W/b"
    cmp -s "$W/a" "$W/b" || bad="$bad $f"
  done
  if [ -n "$bad" ]; then
    differ=$((differ + 1)); echo "DIFFER $n: lumpnet $line:$bad"
    for f in $bad; do
      [ -e "$W/old/$f" ] && [ -e "$W/new/$f" ] && diff "$W/old/$f" "$W/new/$f" | head -n 10
    done
  else
    same=$((same + 1)); echo "same $n (exit $(cat "$W/old/rc.$n")): lumpnet $line"
  fi
  # keep the outputs for later lines, but compare each line's once
  for side in old new; do
    (cd "$W/$side" && mkdir -p .seen && mv "stdout.$n" "stderr.$n" "rc.$n" .seen/)
  done
done <"$W/commands"
echo "compare_binaries: $n command lines, $same identical, $differ differ, $skipped skipped"
[ "$differ" -eq 0 ]
