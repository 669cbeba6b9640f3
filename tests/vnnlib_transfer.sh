#!/bin/sh
# vnnlib_transfer.sh -- reduce --vnnlib-out on ACAS Xu prop_3 and prop_4
# for 10 networks: valid VNN-LIB, unsafe region containing the original's
# enlarged by the certified distance (exact arithmetic), and a planted
# counterexample re-checked on the original (tests/vnnlib_transfer.py;
# issue 16, item 3).
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
need_data vnncomp2021/acasxu
PY=$(command -v /usr/bin/python3 || command -v python3) || skip "no python3"
"$PY" "$TESTS/vnnlib_transfer.py" "$LUMPNET" "$DATA" "$TMP"
