#!/bin/sh
# deps.sh -- install the Debian packages lumpnet needs to build and test
# (only those that are missing; needs root, or sudo).
set -e
PKGS="build-essential autoconf automake libtool pkg-config \
libgmp-dev libmpfr-dev libglpk-dev libgraphviz-dev libcmocka-dev \
libprotobuf-c-dev protobuf-c-compiler libjansson-dev \
python3 python3-onnx python3-numpy python3-sklearn python3-pytest python3-torch time \
gnuplot-nox graphviz fonts-dejavu-core clang libclang-rt-14-dev \
libfontconfig-dev parallel jq groff-base"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "deps.sh: run as root to install:$missing" >&2; exit 2; }
  SUDO=sudo
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
