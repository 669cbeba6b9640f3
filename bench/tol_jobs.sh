#!/bin/sh
# tol_jobs.sh -- issue 14, acceptance 5: `equiv --tolerance` with --jobs 1
# and with --jobs 2 gives the same verdict and the same certificate bytes.
#
#   sh bench/tol_jobs.sh LUMPNET_BINARY DATA_DIR [N] [EPS] [LIMIT]
#
# Runs the first N (default 20) instances of bench/equiv_neurodiff.sh's
# sample order (seed 20261206; DATA_DIR holds neurodiff-acas/) at EPS
# (default 0.05) with --timeout LIMIT (default 60 s), once with --jobs 1
# and once with --jobs 2, each writing its certificate, and compares the
# verdicts and the certificate files byte for byte. An instance cut short
# by the time limit in either run answers unknown without a certificate:
# it is listed as undecided (a matter of speed, not of determinism) and
# its verdicts are compared only when both are unknown. Exit status 1 when
# any decided instance differs, else 0.
set -eu
if [ $# -lt 2 ]; then
    sed -n '5p' "$0" >&2
    exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$1
DATA=$2
N=${3:-20}
EPS=${4:-0.05}
LIMIT=${5:-60}
if head -c 4096 "$BIN" | grep -q 'libtool' && [ -x "$(dirname "$BIN")/.libs/lumpnet" ]; then
    LD_LIBRARY_PATH=$(dirname "$BIN")/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    export LD_LIBRARY_PATH
    BIN=$(dirname "$BIN")/.libs/lumpnet
fi
ROOT=$DATA/neurodiff-acas
if ! [ -f "$ROOT/instances.csv" ]; then
    echo "tol_jobs: $ROOT/instances.csv: not found" >&2
    exit 77
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/lumpnet-tol-jobs-XXXXXX")
trap 'rm -rf "$T"' EXIT
# the sample order of equiv_neurodiff.py (its select())
"${PYTHON:-/usr/bin/python3}" - "$HERE" "$ROOT" "$N" >"$T/list" <<'EOP'
import csv, os, sys
sys.path.insert(0, sys.argv[1])
from equiv_neurodiff import select
rows = list(csv.DictReader(open(os.path.join(sys.argv[2], "instances.csv"))))
for r in select(rows, "20261206", 60)[:int(sys.argv[3])]:
    print(r["prop"], r["network"], r["target"], r["original"], r["twin"], r["box"])
EOP
same=0; differ=0; undecided=0
while read -r prop net target orig twin box; do
    for j in 1 2; do
        rm -f "$T/c$j.json"
        st=0
        "$BIN" equiv "$ROOT/$orig" "$ROOT/$twin" --box "$ROOT/$box" --tolerance "$EPS" \
            --outputs "$target" --timeout "$LIMIT" --jobs "$j" --cert "$T/c$j.json" --json \
            >"$T/o$j" 2>"$T/e$j" || st=$?
        echo "$st" >"$T/s$j"
    done
    s1=$(cat "$T/s1"); s2=$(cat "$T/s2")
    # the verdict and the witness (when different) of each run
    for j in 1 2; do
        "${PYTHON:-/usr/bin/python3}" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j.get("verdict"), j.get("witness") if j.get("verdict") == "different" else "")' "$T/o$j" >"$T/v$j" 2>/dev/null || echo "no-json" >"$T/v$j"
    done
    v1=$(cut -d' ' -f1 "$T/v1")
    if ! { [ "$s1" -le 1 ] || [ "$s1" -eq 3 ]; } || ! { [ "$s2" -le 1 ] || [ "$s2" -eq 3 ]; }; then
        what="ERROR: exit $s1 / $s2: $(head -c 200 "$T/e1")"
        differ=$((differ + 1))
    elif [ "$s1" -eq 3 ] || [ "$s2" -eq 3 ]; then
        if [ "$s1" -eq "$s2" ]; then
            what="unknown in both (time limit)"
        else
            what="undecided in one run (exit $s1 vs $s2: the time limit)"
        fi
        undecided=$((undecided + 1))
    elif [ "$s1" -ne "$s2" ] || ! cmp -s "$T/v1" "$T/v2"; then
        what="DIFFERENT verdicts or witnesses: $(cat "$T/v1") vs $(cat "$T/v2")"
        differ=$((differ + 1))
    elif [ "$s1" -eq 0 ] && ! cmp -s "$T/c1.json" "$T/c2.json"; then
        what="DIFFERENT certificate bytes"
        differ=$((differ + 1))
    elif [ "$s1" -eq 0 ]; then
        what="same verdict, same certificate ($(wc -c <"$T/c1.json") bytes, cksum $(cksum <"$T/c1.json" | cut -d' ' -f1))"
        same=$((same + 1))
    else
        what="same verdict and witness (exit $s1)"
        same=$((same + 1))
    fi
    printf '%-3s %-4s eps %s  %-11s %s\n' "$prop" "$net" "$EPS" "$v1" "$what"
done <"$T/list"
echo "jobs 1 vs 2: $same identical, $differ different, $undecided undecided (time limit $LIMIT s)"
[ "$differ" -eq 0 ]
