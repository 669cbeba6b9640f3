# common.sh -- sourced by the shell tests: where things are, and skipping
# (exit 77) when real data or the Python onnx package is absent.
set -u
LUMPNET=${LUMPNET:-lumpnet}
TESTS=${LUMPNET_TESTS:-$(dirname "$0")}
DATA=${LUMPNET_DATA:-../shared/data}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lumpnet-sh-XXXXXX")
trap 'rm -rf "$TMP"' EXIT

skip() { echo "skipped: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
# expect_exit CODE COMMAND...: run COMMAND (its output in $TMP/out and
# $TMP/err) and fail unless it exits with CODE
expect_exit() {
  want=$1; shift
  "$@" >"$TMP/out" 2>"$TMP/err"
  got=$?
  [ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want: $(cat "$TMP/err" "$TMP/out" | head -c 600)"
}

need_data() {
  for f in "$@"; do
    [ -e "$DATA/$f" ] || skip "real data $DATA/$f is absent"
  done
}

# The Python with the onnx package: Debian's python3-onnx lives in the
# system interpreter, which may not be the first python3 on PATH.
find_python() {
  for p in ${LUMPNET_PYTHON:-} /usr/bin/python3 python3; do
    if [ -n "$p" ] && "$p" -c 'import onnx, numpy' 2>/dev/null; then
      PY=$p
      return 0
    fi
  done
  skip "no Python with the onnx and numpy packages (Debian: python3-onnx)"
}

# need_cnn -- the seven convolutional and residual networks of VNN-COMP 2021
# (issue #15), a Python with onnx and numpy ($PY) and PyTorch, else skip.
need_cnn() {
  V=vnncomp2021
  need_data $V/verivital/Convnet_avgpool.onnx $V/verivital/Convnet_maxpool.onnx \
    $V/oval21/cifar_base_kw.onnx $V/oval21/cifar_deep_kw.onnx \
    $V/marabou-cifar10/cifar10_small.onnx $V/marabou-cifar10/cifar10_medium.onnx \
    $V/cifar10_resnet/resnet_2b.onnx
  find_python
  "$PY" -c 'import torch' 2>/dev/null || skip "no PyTorch for $PY (Debian: python3-torch)"
  D=$DATA/$V
}

# ---- explore's CSV (explore_save.sh, explore_cnn.sh) ----
# column NAME of CSV row ROW (1 = first data row)
col() { # csv row name
  awk -F, -v r="$2" -v n="$3" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    NR == r + 1 { print $c[n] }' "$1"
}
# the value of a top-level scalar KEY of the (pretty-printed) JSON in FILE
json_val() { # key file
  sed -n "s/^  \"$1\": *\([^,]*\),\{0,1\}\$/\1/p" "$2"
}
# check_saved_row CSV ROW DATA.csv: the network that row ROW of explore's
# CSV names (column file) has the row's neurons and params (`info`), and
# its accuracy on DATA.csv (features..., label), recomputed from `eval`'s
# outputs, is the row's accuracy. Sets FILE and METHOD.
check_saved_row() { # csv row data
  FILE=$(col "$1" "$2" file)
  METHOD=$(col "$1" "$2" method)
  [ -s "$FILE" ] || fail "row $2: the CSV names '$FILE', which is not there"
  "$LUMPNET" info "$FILE" --json >"$TMP/i.json" || fail "row $2: info $FILE failed"
  for k in neurons params; do
    [ "$(json_val $k "$TMP/i.json")" = "$(col "$1" "$2" $k)" ] ||
      fail "row $2 ($METHOD): $k of $FILE is $(json_val $k "$TMP/i.json"), the CSV says $(col "$1" "$2" $k)"
  done
  awk -F, -v OFS=, '{ NF = NF - 1; print }' "$3" >"$TMP/x.csv"
  "$LUMPNET" eval "$FILE" --inputs "$TMP/x.csv" >"$TMP/y.txt" || fail "row $2: eval $FILE failed"
  acc=$(awk -F, 'NR == FNR { lab[FNR] = $NF; n = FNR; next }
    { b = 1; for (i = 2; i <= NF; i++) if ($i + 0 > $b + 0) b = i; if (b - 1 == lab[FNR]) ok++ }
    END { printf "%.6g\n", ok / n }' "$3" "$TMP/y.txt")
  [ "$acc" = "$(col "$1" "$2" accuracy)" ] ||
    fail "row $2 ($METHOD): accuracy of $FILE is $acc, the CSV says $(col "$1" "$2" accuracy)"
}
