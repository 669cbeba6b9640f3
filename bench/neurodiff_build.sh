#!/bin/sh
# neurodiff_build.sh -- build NeuroDiff (Paulsen et al., ASE 2020), the peer
# differential verifier that bench/equiv_neurodiff.sh runs side by side with
# `lumpnet equiv --tolerance` (issue 14). NeuroDiff is measured, never linked
# into lumpnet and never committed: its sources are copied into the build
# folder (the build writes object files next to them) and compiled there.
#
#   sh bench/neurodiff_build.sh [BUILD_DIR] [PEER_DIR]
#
# BUILD_DIR: where to build (default bench/_neurodiff, ignored by git).
# PEER_DIR: the NeuroDiff sources (default ../shared/peers/neurodiff relative
# to the repository). Prints the path of the binary `delta_network_test` on
# the last line. Exit 77 (skip) when libopenblas-dev is not installed
# (`apt-get install libopenblas-dev`), 2 on other failures.
#
# Build: `CFLAGS=-fcommon make lineqall extravarssym all` -- the full
# NeuroDiff configuration of the paper (LINEQ, LINEQDELTA, EXTRAVARS,
# EXTRAVARSSYM; -fcommon because GCC >= 10 rejects its duplicate global
# `lock`). Without the `bench`/`bpvm` make targets MAX_THREAD is -1, so the
# search never spawns a thread (split.c: `count <= MAX_THREAD`), and main()
# calls openblas_set_num_threads(1): the binary runs on ONE thread. (The
# published runs used `bpvm`, MAX_THREAD=4.)
#
# Running one instance (delta_network_test.c):
#
#   OPENBLAS_NUM_THREADS=1 delta_network_test PROP ORIGINAL.nnet TWIN.nnet EPS -e 0
#
# - PROP: NeuroDiff's property number; the input box and the target output
#   are hard-coded in nnet.c (load_inputs). -e 0: the extra-variable
#   heuristic of the paper.
# - It proves |g_t(x) - f_t(x)| < EPS (strict, float32, no outward rounding)
#   for every x in the box, f = ORIGINAL, g = TWIN, t = the target output.
# - Verdict on standard error: `No adv!` = proved; `adv found:` followed by
#   `adv is: [ x_0 ... x_4 ]` (the counterexample, in NORMALISED input
#   coordinates (x - mean) / range of the NNet header, printed %.12f from
#   float32: the midpoint of a sub-box of the search) and `it's output delta
#   is: [ ... ]` (g - f on every output, float32). Neither line (killed by
#   the time limit) = undecided. `time: S` gives the seconds of the search
#   (loading excluded). Standard output carries only a progress bar.
#   To re-evaluate a counterexample exactly: round each printed x_i to the
#   nearest float32, take it as an exact rational and map it back to raw
#   coordinates x_raw = mean + range * x_i with the header's mean and range
#   (bench/equiv_neurodiff.sh does this).
#
# Mapping to ../shared/data/neurodiff-acas (checked against nnet.c):
# - property N  <->  props/prop_N.vnnlib (the same box, in raw coordinates:
#   NeuroDiff normalises the raw box with the network's header, clipping to
#   its min/max, as lumpnet's NNet reader does);
# - instances.csv `target` is 0-based and equals NeuroDiff's
#   `verificationParams->target`, an index into the 0-based output array
#   (props 1 3 4 10 12 13 16 26 -> 0; 8 -> 1; 9 15 -> 3; 5 7 11 14 -> 4);
#   lumpnet's `--outputs` is 0-based too: `--outputs TARGET`.
# - NeuroDiff subtracts raw outputs; the networks in neurodiff-acas have
#   output mean 0 and range 1, so raw = what lumpnet evaluates.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-$HERE/_neurodiff}
PEER=${2:-$HERE/../../shared/peers/neurodiff}
if ! dpkg -s libopenblas-dev >/dev/null 2>&1 &&
   ! [ -e /usr/include/openblas/cblas.h ] &&
   ! [ -e /usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h ]; then
    echo "neurodiff_build: libopenblas-dev is not installed (apt-get install libopenblas-dev); skipping" >&2
    exit 77
fi
if ! [ -f "$PEER/delta_network_test.c" ]; then
    echo "neurodiff_build: $PEER: no NeuroDiff sources (delta_network_test.c) there" >&2
    exit 2
fi
mkdir -p "$BUILD/src"
BUILD=$(cd "$BUILD" && pwd)
# copy only when the sources changed, so a second call is instant
if ! [ -x "$BUILD/src/delta_network_test" ] ||
   ! diff -rq "$PEER" "$BUILD/src" -x '*.o' -x delta_network_test \
       -x run_network -x test_mnist -x test_HAR -x build.log >/dev/null 2>&1; then
    cp -R "$PEER/." "$BUILD/src/"
    if ! (cd "$BUILD/src" && CFLAGS=-fcommon make clean lineqall extravarssym all \
              >build.log 2>&1); then
        tail -20 "$BUILD/src/build.log" >&2
        echo "neurodiff_build: make failed (log: $BUILD/src/build.log)" >&2
        exit 2
    fi
fi
echo "$BUILD/src/delta_network_test"
