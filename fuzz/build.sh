#!/bin/sh
# build.sh -- compile the libFuzzer harnesses (fuzz/fuzz_*.c) against the
# parser sources with clang, ASan and UBSan, outside automake so that the
# normal build is untouched. Usage: fuzz/build.sh [OUTDIR]
# (default: _build-fuzz/ at the top of the source tree).
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/_build-fuzz}
CC=${CC:-clang}
mkdir -p "$out/obj"
FLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
INC="-I$top/include -I$top/core -I$top/io -I$out -I$top/eval -I$top/exact -I$top/box"
# The ONNX schema subset, compiled by protoc-c as the real build does.
if [ ! -f "$out/onnx.pb-c.c" ] || [ "$top/io/third_party/onnx.proto" -nt "$out/onnx.pb-c.c" ]; then
  protoc-c --proto_path="$top/io/third_party" --c_out="$out" onnx.proto
fi
# Every library source the parsers and the certificate checker need;
# version.c reads the configure-made config.h, so give it a stand-in.
[ -f "$out/config.h" ] || echo '#define PACKAGE_VERSION "fuzz"' >"$out/config.h"
srcs="$out/onnx.pb-c.c"
# (box/: the certificate's types and checker, not its LP bounds)
for f in "$top"/core/*.c "$top"/io/*.c "$top"/eval/*.c "$top"/exact/*.c \
  "$top"/box/stable_core.c "$top"/box/fold.c "$top"/box/stable_cert.c \
  "$top"/box/stable_check.c; do
  srcs="$srcs $f"
done
compile() { # compile() SRC...: echo the objects, rebuilding stale ones
  for f in "$@"; do
    o="$out/obj/$(basename "$f" .c).o"
    if [ ! -f "$o" ] || [ "$f" -nt "$o" ]; then
      $CC $FLAGS $INC -c "$f" -o "$o" >&2 || return 1
    fi
    echo "$o"
  done
}
objs=$(compile $srcs) || exit 1
LIBS="-lmpfr -lgmp -ljansson -lprotobuf-c -lm"
for h in "$top"/fuzz/fuzz_*.c; do
  name=$(basename "$h" .c)
  extra=""
  $CC -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined $INC "$h" $objs $extra $LIBS -o "$out/$name"
  echo "built $out/$name"
done
