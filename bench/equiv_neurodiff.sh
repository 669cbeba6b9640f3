#!/bin/sh
# equiv_neurodiff.sh -- `lumpnet equiv --tolerance` side by side with
# NeuroDiff (ASE 2020) on its ACAS Xu benchmark (issue 14, acceptance 1).
#
#   sh bench/equiv_neurodiff.sh LUMPNET_BINARY DATA_DIR [--all] [--eps 0.05,0.01]
#       [--limit 30] [--csv FILE] [--seed S] [--tools lumpnet,neurodiff]
#       [--first N] [--summary-only]
#
# DATA_DIR holds neurodiff-acas/ (instances.csv: prop, network, target,
# original, twin, box). NeuroDiff is built by bench/neurodiff_build.sh into
# bench/_neurodiff (exit 77 when libopenblas-dev is missing); NEURODIFF=BIN
# uses a binary built elsewhere.
#
# The sample (default; --all runs all 143 instances): 60 instances, every
# property represented. Order the 143 rows by sha256("SEED:PROP:NETWORK")
# (hex digest, SEED default 20261206); take, for each property in increasing
# number, the first row of that order; fill up to 60 with the other rows in
# that order; run them in that order.
#
# Each instance runs at each eps (default 0.05 then 0.01) with both tools,
# one after the other (the tool that goes first alternates per instance),
# each on one thread with the same limit (--limit, default 30 s, enforced by
# `timeout`; a verdict that comes after the limit counts as unknown):
#   lumpnet   equiv ORIG TWIN --box BOX --tolerance EPS --outputs TARGET
#             --timeout LIMIT --jobs 1 --json
#   NeuroDiff delta_network_test PROP ORIG TWIN EPS -e 0   (OPENBLAS_NUM_THREADS=1)
# Seconds are wall times measured around each process (loading included);
# cpu_seconds its CPU time (what counts on a loaded machine). --first N
# runs only the first N instances of the sample order (a partial run).
#
# Every row is appended to the CSV (default bench/_equiv_neurodiff.csv;
# columns instance, eps, tool, verdict, seconds, bound, witness_difference,
# check, cpu_seconds) as soon as it is known; a run that is interrupted resumes: rows
# already in the CSV are skipped. The summary (markdown) at the end gives,
# per eps and tool, the decided counts, the median time on the instances
# both tools decide, and the contradictions:
# - every lumpnet `different` witness is re-evaluated by
#   `lumpnet eval --exact` on both networks: it must lie in the box and its
#   exact difference must exceed eps;
# - every NeuroDiff counterexample (normalised float32 coordinates) is
#   mapped exactly to raw coordinates and re-evaluated the same way; an
#   instance where lumpnet says `equivalent` while that exact difference
#   exceeds eps is a lumpnet bug; a NeuroDiff counterexample whose exact
#   difference does not exceed eps is listed as a float32 artefact.
# Needs /usr/bin/python3 (standard library only).
set -eu
if [ $# -lt 2 ]; then
    sed -n '4,8p' "$0" >&2
    exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
DATA=$2
shift 2
# a libtool wrapper script (an uninstalled shared build) costs a shell and
# a relink check per run, about 0.1 s of CPU that would count against
# lumpnet: run the real binary next to it instead
if head -c 4096 "$BIN" | grep -q 'libtool' && [ -x "$(dirname "$BIN")/.libs/lumpnet" ]; then
    LD_LIBRARY_PATH=$(dirname "$BIN")/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    export LD_LIBRARY_PATH
    BIN=$(dirname "$BIN")/.libs/lumpnet
fi
if ! [ -f "$DATA/neurodiff-acas/instances.csv" ]; then
    echo "equiv_neurodiff: $DATA/neurodiff-acas/instances.csv: not found" >&2
    exit 77
fi
if [ -z "${NEURODIFF:-}" ]; then
    status=0
    NEURODIFF=$(sh "$HERE/neurodiff_build.sh" | tail -1) || status=$?
    [ "$status" -eq 0 ] || exit "$status"
fi
exec "${PYTHON:-/usr/bin/python3}" "$HERE/equiv_neurodiff.py" "$BIN" "$DATA" \
    --neurodiff "$NEURODIFF" --csv "$HERE/_equiv_neurodiff.csv" "$@"
