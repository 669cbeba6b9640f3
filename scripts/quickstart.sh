#!/bin/sh
# quickstart.sh -- install what is missing, build, and run lumpnet on the
# bundled example network.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/deps.sh"
sh "$top/scripts/build.sh"
L="$top/_build/lumpnet"
cd "$top/examples"
echo "\$ lumpnet info tiny.json"
"$L" info tiny.json
echo
echo "\$ lumpnet eval tiny.json --exact --inputs tiny_inputs.txt"
"$L" eval tiny.json --exact --inputs tiny_inputs.txt
echo
echo "The binary is $L; 'make install' in _build/ installs it."
