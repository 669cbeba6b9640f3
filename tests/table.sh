#!/bin/sh
# table.sh -- --table tex|md on info, reduce, bound and explore: the rows
# and totals of the --json report, booktabs rules, Markdown alignment rows,
# TeX special characters escaped, and bad uses refused with exit 2
. "$(dirname "$0")/common.sh"
NET=$TESTS/data/cert/small.json
cd "$TMP" || exit 1
run() { # expected-exit args...
  want=$1; shift
  "$LUMPNET" "$@" >out.txt 2>err.txt; got=$?
  [ "$got" -eq "$want" ] || fail "lumpnet $*: exit $got, expected $want: $(cat err.txt)"
}
# reduce: one row per layer and a total equal to the JSON report's counts
run 0 reduce "$NET" -o q.json --json
before=$(sed -n 's/^ *"neurons_before": \([0-9]*\).*/\1/p' out.txt)
after=$(sed -n 's/^ *"neurons_after": \([0-9]*\).*/\1/p' out.txt)
run 0 reduce "$NET" -o q.json --table tex
grep -q '^\\begin{tabular}{rrrrrr}$' out.txt || fail "reduce tex: no tabular: $(cat out.txt)"
for r in toprule midrule bottomrule; do grep -q "^\\\\$r\$" out.txt || fail "reduce tex: no \\$r"; done
[ "$(grep -c '^[0-9][0-9]* & .* \\\\$' out.txt)" -eq 3 ] || fail "reduce tex: not 3 layer rows"
grep -q "^total & $before & $after & " out.txt ||
  fail "reduce tex: total is not $before -> $after: $(grep total out.txt)"
run 0 reduce "$NET" -o q.json --table md
[ "$(sed -n 2p out.txt)" = "|---:|---:|---:|---:|---:|---:|" ] || fail "reduce md: alignment row $(sed -n 2p out.txt)"
grep -q "^| \*\*total\*\* | $before | $after | " out.txt || fail "reduce md: total: $(cat out.txt)"
[ "$(wc -l < out.txt)" -eq 6 ] || fail "reduce md: $(wc -l < out.txt) lines, expected 6"
# info --lumps: the same counts as reduce
run 0 info "$NET" --lumps --table md
grep -q "^| \*\*total\*\* | $before | $after | " out.txt || fail "info --lumps md: $(cat out.txt)"
run 0 info "$NET" --table tex
grep -q '^\\begin{tabular}{rl}$' out.txt || fail "info tex: $(cat out.txt)"
# bound: a row per output, certified bound at least the observed difference
run 0 bound "$NET" q.json --box 0:1,0:1 --table md
[ "$(grep -c '^| [0-9]' out.txt)" -eq 2 ] || fail "bound md: not 2 output rows: $(cat out.txt)"
awk -F'|' 'NR > 2 && ($3 + 0 < $4 + 0) { exit 1 }' out.txt || fail "bound md: bound < observed"
# explore: method names escaped for TeX (prune_params), a row per method and step
run 0 explore "$NET" --box 0:1,0:1 --csv e.csv --steps 2 --table tex
grep -q '^prune\\_params & ' out.txt || fail "explore tex: prune_params not escaped: $(cat out.txt)"
rows=$(grep -c ' \\\\$' out.txt)
[ "$rows" -eq $(( $(wc -l < e.csv) )) ] || fail "explore tex: $rows rows (header included), CSV $(wc -l < e.csv) lines"
# bad uses
run 2 reduce "$NET" -o q2.json --table html
grep -q "tex or md" err.txt || fail "--table html: $(cat err.txt)"
run 2 reduce "$NET" -o q2.json --table md --json
[ ! -e q2.json ] || fail "a refused --table wrote q2.json"
echo "tables: reduce, info, bound, explore in tex and md"
