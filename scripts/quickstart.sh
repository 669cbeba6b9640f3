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
out=$(mktemp -d "${TMPDIR:-/tmp}/lumpnet-quickstart-XXXXXX")
echo "\$ lumpnet reduce tiny.json -o tiny.reduced.json --cert tiny.cert.json"
"$L" reduce tiny.json -o "$out/tiny.reduced.json" --cert "$out/tiny.cert.json"
echo
echo "\$ lumpnet check tiny.json tiny.reduced.json tiny.cert.json"
"$L" check tiny.json "$out/tiny.reduced.json" "$out/tiny.cert.json"
echo
echo "\$ lumpnet eval tiny.reduced.json --exact --inputs tiny_inputs.txt   # the same values"
"$L" eval "$out/tiny.reduced.json" --exact --inputs tiny_inputs.txt
echo
echo "(the reduced network and certificate are in $out)"
echo "The binary is $L; 'make install' in _build/ installs it."
