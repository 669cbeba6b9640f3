#!/bin/sh
# man.sh -- write the lumpnet(1) manual page from the tool's own --help
# texts: the page and --help cannot drift apart (tests/man.sh regenerates
# the page from the built tool and compares it with man/lumpnet.1).
# Usage: sh scripts/man.sh LUMPNET > man/lumpnet.1
set -e
bin=${1:?usage: sh scripts/man.sh LUMPNET}
# roff: a backslash is \e, a minus is \-, a line may not start with . or '
roff() { sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\([.']\)/\\\\\&\1/"; }
# indented lines (option lists, examples) keep their layout; the rest fills
layout() {
  awk '/^ / { if (!nf) print ".nf"; nf = 1; print; next }
       { if (nf) print ".fi"; nf = 0; if ($0 == "") print ".PP"; else print }
       END { if (nf) print ".fi" }'
}
version=$("$bin" --version | sed 's/^lumpnet //')
help=$("$bin" --help)
commands=$(printf '%s\n' "$help" | sed -n 's/^  lumpnet \([a-z]*\) .*/\1/p')
title=$(printf '%s\n' "$help" | sed -n '1s/^lumpnet [^ ]* -- //p')
printf '.TH LUMPNET 1 "" "lumpnet %s" "User Commands"\n' "$version"
printf '.SH NAME\nlumpnet \\- %s\n' "$(printf '%s\n' "$title" | roff)"
printf '.SH SYNOPSIS\n.nf\n'
printf '%s\n' "$help" | sed -n 's/^  \(lumpnet .*\)/\1/p' | roff
printf '.fi\n.SH DESCRIPTION\n'
# the general part of --help: what follows the list of commands
printf '%s\n' "$help" | sed '1,/^$/d' | sed '/^usage:/,/^$/d' | roff | layout
printf '.SH COMMANDS\n'
for c in $commands; do
  printf '.SS %s\n' "$c"
  "$bin" "$c" --help >/tmp/.lumpnet-man.$$ 2>&1 || true
  sed -n '1s/^usage: //p' /tmp/.lumpnet-man.$$ | roff | sed 's/^/.B /'
  printf '.PP\n'
  sed '1,2d' /tmp/.lumpnet-man.$$ | roff | layout
  rm -f /tmp/.lumpnet-man.$$
done
printf '.SH FILES\nNetworks: .onnx, .nnet, .json (exact); boxes: .vnnlib or inline\n'
printf 'lo:hi lists; the formats are described in the project'"'"'s docs/formats.md.\n'
printf '.SH SEE ALSO\nThe project'"'"'s README.md, DESIGN.md and docs/ folder.\n'
