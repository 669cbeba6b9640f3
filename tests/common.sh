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
