#!/bin/sh
# run.sh -- run one or all fuzz harnesses, one after the other, for SECONDS
# each on their corpora. Usage: fuzz/run.sh [SECONDS] [HARNESS...]
# (harness names: onnx nnet json cert vnnlib inline rat data; default all
# that are built). Seeds: fuzz/corpus/<h>/ (committed, from the fixtures)
# plus seeds made here from the real data in ../shared/data (LUMPNET_DATA),
# written under the build folder and never into the repository. New inputs
# go to <build>/grown/<h>/, crashes to <build>/artifacts/, logs to
# <build>/logs/<h>.log; the last libFuzzer status line of each run is
# printed. Environment: FUZZ_BUILD (default _build-fuzz), FUZZ_JOBS (how
# many harnesses run at once, default 1: each is single-threaded, so on
# two cores two of them take half the wall time for the same fuzzing),
# FUZZ_ARGS (extra libFuzzer flags).
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
                 "$data"/vnncomp2021/test/*.onnx \
                 "$data"/vnncomp2021/verivital/Convnet_maxpool.onnx ;;
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
jobs=${FUZZ_JOBS:-1}

# fuzz_one H: run harness H for SECS seconds; its status line (and the
# first lines of any failure) go to logs/H.summary, its exit code to
# logs/H.rc
fuzz_one() {
  h=$1
  bin="$out/fuzz_$h"
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
  {
    echo "$h: exit $rc, $runs executions; $last"
    [ "$rc" -ne 0 ] && grep -E 'ERROR|SUMMARY|Test unit written' "$out/logs/$h.log" | head -n 5
  } >"$out/logs/$h.summary"
  echo "$rc" >"$out/logs/$h.rc"
}

built=""
for h in "$@"; do
  if [ ! -x "$out/fuzz_$h" ]; then
    echo "run.sh: $h: no harness built ($out/fuzz_$h), skipped"
    continue
  fi
  built="$built $h"
done
# run them in batches of JOBS, each in its own subshell, and report in order
set -- $built
while [ $# -gt 0 ]; do
  batch=""
  k=0
  while [ $# -gt 0 ] && [ $k -lt "$jobs" ]; do
    (fuzz_one "$1") &
    batch="$batch $1"
    k=$((k + 1))
    shift
  done
  wait
  for h in $batch; do
    cat "$out/logs/$h.summary"
    [ "$(cat "$out/logs/$h.rc")" -eq 0 ] || status=1
  done
done
exit "$status"
