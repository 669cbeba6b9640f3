#!/bin/sh
# include_rules.sh -- the build enforces the module dependencies of
# docs/architecture.md: a file compiled with a module's include paths cannot
# reach the private headers of a module it may not use. Each probe in
# tests/include_probes/ is compiled with the flags the build gives that
# module (passed in by Makefile.am); the control must compile, the others
# must fail on the include.
. "${LUMPNET_TESTS:?}/common.sh"
dir=$LUMPNET_TESTS/include_probes
[ -n "${LUMPNET_CC:-}" ] || { echo "LUMPNET_CC not set (run through make check)"; exit 77; }
probe() { # probe FLAGS FILE: compile FILE for syntax only, quietly
  # shellcheck disable=SC2086
  $LUMPNET_CC $1 $LUMPNET_CFLAGS -fsyntax-only "$dir/$2" 2>"$TMP/err"
}
probe "$LUMPNET_CLI_CPPFLAGS" public.c || { cat "$TMP/err"; fail "the public headers do not compile with the CLI's flags"; }
for p in "CLI:cli_private.c:partition.h" "CLI:cli_prefixed.c:partition.h" "CORE:core_bound.c:lp_model.h"; do
  mod=${p%%:*}; rest=${p#*:}; file=${rest%%:*}; hdr=${rest#*:}
  eval "flags=\${LUMPNET_${mod}_CPPFLAGS:-}"
  [ -n "$flags" ] || fail "no flags for $mod"
  if probe "$flags" "$file"; then
    fail "$file compiled with the $mod include paths; it must not"
  fi
  grep -q "$hdr" "$TMP/err" || { cat "$TMP/err"; fail "$file failed, but not on $hdr"; }
  echo "ok: $file does not compile for $mod ($hdr unreachable)"
done
