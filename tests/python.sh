#!/bin/sh
# python.sh -- the Python package (python/lumpnet) against the library of
# this build: its pytest suite (python/tests), with LUMPNET_LIBRARY set to
# the build's liblumpnet.so and the package taken from the source tree.
# First, the hint PyTorch users get from the command line. Skipped (77)
# when the build has no shared library (--disable-shared, as in the
# sanitizer build) or no Python has pytest and numpy.
. "${LUMPNET_TESTS:?}/common.sh"

# a PyTorch file is named as such, with the way out
: >"$TMP/model.pt"
"$LUMPNET" info "$TMP/model.pt" >"$TMP/out" 2>"$TMP/err" && fail "info on a .pt file succeeded"
grep -q "PyTorch file; export it to ONNX (torch.onnx.export, or lumpnet.from_torch in Python)" \
  "$TMP/err" || fail "no hint for a .pt file: $(cat "$TMP/err")"
: >"$TMP/model.onnx.bak"
"$LUMPNET" info "$TMP/model.onnx.bak" 2>"$TMP/err" && fail "info on a .bak file succeeded"
grep -q "PyTorch" "$TMP/err" && fail "a .bak file is called a PyTorch file: $(cat "$TMP/err")"

so=${LUMPNET_LIBDIR:?}/.libs/liblumpnet.so
[ -e "$so" ] || skip "no shared library in this build ($so; configured with --disable-shared)"
PY=
for p in ${LUMPNET_PYTHON:-} /usr/bin/python3 python3; do
  if [ -n "$p" ] && "$p" -c 'import pytest, numpy' 2>/dev/null; then
    PY=$p
    break
  fi
done
[ -n "$PY" ] || skip "no Python with pytest and numpy (Debian: python3-pytest, python3-numpy)"

top=$TESTS/..
LUMPNET_LIBRARY=$so PYTHONPATH=$top/python${PYTHONPATH:+:$PYTHONPATH} \
  PYTHONDONTWRITEBYTECODE=1 LUMPNET_SRCDIR=$top \
  "$PY" -m pytest -q -p no:cacheprovider "$top/python/tests"
