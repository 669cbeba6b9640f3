#!/bin/sh
# build.sh -- configure (once) and build lumpnet in _build/, warnings as errors
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# a fresh clone has no configure; later, the Makefile regenerates itself
[ -x configure ] || ./bootstrap >/dev/null 2>&1
mkdir -p _build
cd _build
[ -f Makefile ] || ../configure --enable-werror -q
make -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
