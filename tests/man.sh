#!/bin/sh
# man.sh -- the lumpnet(1) page is the --help texts: regenerating it from
# the built tool gives the committed man/lumpnet.1 byte for byte
. "$(dirname "$0")/common.sh"
top=$TESTS/..
sh "$top/scripts/man.sh" "$LUMPNET" >"$TMP/lumpnet.1" || fail "scripts/man.sh failed"
if ! cmp -s "$TMP/lumpnet.1" "$top/man/lumpnet.1"; then
  diff "$top/man/lumpnet.1" "$TMP/lumpnet.1" | head -n 20
  fail "man/lumpnet.1 differs from --help: run 'sh scripts/man.sh _build/lumpnet > man/lumpnet.1'"
fi
# every command has its section, and the page is well-formed roff
for c in $("$LUMPNET" --help | sed -n 's/^  lumpnet \([a-z]*\) .*/\1/p'); do
  grep -qx ".SS $c" "$top/man/lumpnet.1" || fail "no section for $c"
done
if command -v groff >/dev/null 2>&1; then
  warn=$(groff -man -Tutf8 -ww -z "$top/man/lumpnet.1" 2>&1) || fail "groff failed"
  [ -z "$warn" ] || fail "groff warns: $warn"
fi
echo "man page in sync with --help"
