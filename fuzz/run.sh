#!/bin/sh
# run.sh -- run one or all fuzz harnesses, one after the other, for SECONDS
# each on their corpora. Usage: fuzz/run.sh [SECONDS] [HARNESS...]
# (harness names: onnx nnet json cert vnnlib inline rat data; default all
# that are built). Seeds: fuzz/corpus/<h>/ (committed, from the fixtures)
# plus seeds made here from the real data in ../shared/data (LUMPNET_DATA),
# written under the build folder and never into the repository. New inputs
# go to <build>/grown/<h>/, crashes to <build>/artifacts/, logs to
# <build>/logs/<h>.log; the last libFuzzer status line of each run is
# printed. Environment: FUZZ_BUILD (default _build-fuzz), FUZZ_JOBS
# (ignored: one fuzzer at a time), FUZZ_ARGS (extra libFuzzer flags).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out=${FUZZ_BUILD:-$top/_build-fuzz}
data=${LUMPNET_DATA:-$top/../shared/data}
secs=${1:-600}
[ $# -gt 0 ] && shift
[ -d "$out" ] || sh "$top/fuzz/build.sh" "$out" >/dev/null || exit 1
if [ $# -eq 0 ]; then
  set -- onnx nnet json cert vnnlib inline rat data
fi

# Seeds from the real files: a few of each format, copied (not linked, so
# that a mutation can never reach the originals) into the build folder.
seed_real() {
  d="$out/seeds/$1"
  mkdir -p "$d"
  [ -d "$data" ] || return 0
  case "$1" in
    nnet) set -- "$data"/acasxu/ACASXU_run2a_1_1_batch_2000.nnet ;;
    onnx) set -- "$data"/vnncomp2021/acasxu/ACASXU_run2a_1_1_batch_2000.onnx \
                 "$data"/vnncomp2021/test/*.onnx ;;
    vnnlib) set -- "$data"/vnncomp2021/acasxu/prop_1.vnnlib \
                   "$data"/vnncomp2021/acasxu/prop_6.vnnlib \
                   "$data"/vnncomp2021/mnistfc/prop_0_0.03.vnnlib ;;
    *) set -- ;;
  esac
  for f in "$@"; do
    [ -f "$f" ] && cp "$f" "$d/" && chmod u+w "$d/$(basename "$f")"
  done
  return 0
}

status=0
mkdir -p "$out/logs" "$out/artifacts"
for h in "$@"; do
  bin="$out/fuzz_$h"
  if [ ! -x "$bin" ]; then
    echo "run.sh: $h: no harness built ($bin), skipped"
    continue
  fi
  seed_real "$h"
  mkdir -p "$out/grown/$h"
  # the data reader takes paths: give its scratch files a memory file system
  if [ "$h" = data ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
    TMPDIR=/dev/shm
    export TMPDIR
  fi
  "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$out/artifacts/$h-" ${FUZZ_ARGS:-} \
    "$out/grown/$h" "$top/fuzz/corpus/$h" "$out/seeds/$h" \
    >"$out/logs/$h.log" 2>&1
  rc=$?
  last=$(grep -E '^#[0-9]+' "$out/logs/$h.log" | tail -n 1)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/logs/$h.log")
  echo "$h: exit $rc, $runs executions; $last"
  if [ "$rc" -ne 0 ]; then
    status=1
    grep -E 'ERROR|SUMMARY|Test unit written' "$out/logs/$h.log" | head -n 5
  fi
done
exit "$status"
