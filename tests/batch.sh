#!/bin/sh
# batch.sh -- the commands of docs/batch.md run as written, on five
# instances of the NeuroDiff ACAS Xu benchmark, and give one report per
# instance and the summaries the document promises
. "$(dirname "$0")/common.sh"
need_data neurodiff-acas/instances.csv
command -v parallel >/dev/null 2>&1 || skip "no GNU parallel (Debian: parallel)"
command -v jq >/dev/null 2>&1 || skip "no jq (Debian: jq)"
DOC=$TESTS/../docs/batch.md
# the shell blocks of the document, in order, as one script
awk '/^```sh$/ { on = 1; next } /^```$/ { on = 0; next } on' "$DOC" >"$TMP/batch.sh"
[ "$(grep -c lumpnet "$TMP/batch.sh")" -ge 2 ] || fail "docs/batch.md: no lumpnet commands found"
mkdir -p "$TMP/bin" && ln -s "$LUMPNET" "$TMP/bin/lumpnet"
# the first five instances (the document runs them all), in a benchmark
# folder of links
src=$(cd "$DATA/neurodiff-acas" && pwd)
BENCH=$TMP/bench
mkdir -p "$BENCH"
for d in orig 16bit props; do ln -s "$src/$d" "$BENCH/$d"; done
head -n 6 "$src/instances.csv" >"$BENCH/instances.csv"
( cd "$TMP" && PATH="$TMP/bin:$PATH" BENCH=$BENCH N=5 JOBS=2 sh -e batch.sh >out.txt 2>err.txt ) ||
  fail "docs/batch.md's commands failed: $(tail -n 5 "$TMP/err.txt")"
n_eq=$(ls "$TMP"/results/equiv_*.json 2>/dev/null | wc -l)
n_red=$(ls "$TMP"/results/reduce_*.json 2>/dev/null | wc -l)
n_small=$(ls "$TMP"/results/small_*.json 2>/dev/null | wc -l)
[ "$n_eq" -eq 5 ] || fail "GNU parallel wrote $n_eq equiv reports, expected 5"
[ "$n_red" -eq 5 ] && [ "$n_small" -eq 5 ] || fail "xargs -P wrote $n_red reports and $n_small networks, expected 5 each"
[ "$(awk 'NR > 1' "$TMP/runs.tsv" | wc -l)" -eq 5 ] || fail "runs.tsv has not 5 jobs"
[ "$(wc -l < "$TMP/summary.tsv")" -eq 5 ] || fail "summary.tsv has not 5 lines"
# every line: an instance, a verdict, sizes that did not grow
awk -F '\t' '$2 !~ /^(equivalent|different|unknown)$/ { exit 1 }
              { split($3, n, " -> "); if (n[2] + 0 > n[1] + 0 || n[2] + 0 <= 0) exit 1 }' \
  "$TMP/summary.tsv" || fail "summary.tsv: $(cat "$TMP/summary.tsv")"
grep -q '"instances": 5' "$TMP/out.txt" || fail "the jq summary: $(cat "$TMP/out.txt")"
grep -q '"neurons_after"' "$TMP/out.txt" || fail "the jq size summary: $(cat "$TMP/out.txt")"
echo "docs/batch.md: 5 instances by GNU parallel and by xargs -P, aggregated by jq"
