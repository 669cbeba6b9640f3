#!/bin/sh
# exports.sh -- the shared library exports the public API only: no
# internal lump_i_* symbol is in its dynamic symbol table (the library is
# built with -fvisibility=hidden and public functions carry LUMP_EXPORT),
# while the public functions the CLI needs are. Skipped when the build is
# static only (--disable-shared, as in the sanitizer build).
. "${LUMPNET_TESTS:?}/common.sh"
so=${LUMPNET_LIBDIR:?}/.libs/liblumpnet.so
[ -e "$so" ] || skip "no shared library ($so): a static-only build"
command -v nm >/dev/null 2>&1 || skip "no nm"
nm -D --defined-only "$so" | awk '{print $NF}' >"$TMP/syms" || fail "nm -D $so"
internal=$(grep -c '^lump_i_' "$TMP/syms")
if [ "$internal" -ne 0 ]; then
  grep '^lump_i_' "$TMP/syms" | head -n 20
  fail "$internal internal lump_i_ symbols exported by $so"
fi
# the control: public functions are there (else the check above proves nothing)
for f in lump_version lump_net_read lump_lumping_init lump_error_message; do
  grep -qx "$f" "$TMP/syms" || fail "public function $f not exported by $so"
done
echo "ok: $(grep -c '^lump_' "$TMP/syms") lump_ symbols exported, no lump_i_"
