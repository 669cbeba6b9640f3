#!/bin/sh
# equiv_box45.sh -- issue 14, acceptance 4: `equiv ORIG REDUCED --box
# prop_3.vnnlib` must be `equivalent` for every box-reduced ACAS Xu
# network. For each of the 45 networks: `reduce --box` (timed), then
# `equiv --box --cert` (timed) and `check --box` of the certificate
# (timed). Prints one line per network and the count of `equivalent`.
# Exit 77 when the data is absent, 1 when a network is not equivalent or
# its certificate does not check.
#
#   sh bench/equiv_box45.sh LUMPNET_BINARY [DATA_DIR] [PROPERTY] [NETWORKS]
#
# The networks are the ONNX ones of vnncomp2021/acasxu with their
# normalised boxes; SET=nnet takes the NNet ones of neurodiff-acas/orig
# (input clipping and normalisation in the header) with the raw-coordinate
# boxes of neurodiff-acas/props instead.
set -u
if [ $# -lt 1 ]; then
    echo "usage: $0 LUMPNET_BINARY [DATA_DIR] [PROPERTY] [NETWORKS]" >&2
    exit 2
fi
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${2:-${LUMPNET_DATA:-$HERE/../../shared/data}}
PROP=${3:-3}
A=$DATA/vnncomp2021/acasxu
BOX=$A/prop_$PROP.vnnlib
net_of() { echo "$A/ACASXU_run2a_$1_batch_2000.onnx"; }
if [ "${SET:-onnx}" = nnet ]; then
    BOX=$DATA/neurodiff-acas/props/prop_$PROP.vnnlib
    net_of() { echo "$DATA/neurodiff-acas/orig/ACASXU_run2a_$1.nnet"; }
fi
IDS=${4:-$(for i in 1 2 3 4 5; do for j in 1 2 3 4 5 6 7 8 9; do printf '%s_%s ' $i $j; done; done)}
[ -e "$BOX" ] || { echo "skipped: $BOX is absent"; exit 77; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lumpnet-bench-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
now() { date +%s.%N; }
total=0; ok=0; bad=0
t_all0=$(now)
for id in $IDS; do
    net=$(net_of "$id")
    [ -e "$net" ] || { echo "skipped: $net is absent"; exit 77; }
    total=$((total + 1))
    t0=$(now)
    "$BIN" reduce "$net" --box "$BOX" -o "$TMP/q.json" > /dev/null 2>"$TMP/err" ||
        { echo "$id: reduce failed: $(head -c 300 "$TMP/err")"; bad=$((bad + 1)); continue; }
    t1=$(now)
    "$BIN" equiv "$net" "$TMP/q.json" --box "$BOX" --cert "$TMP/c.json" > "$TMP/out" 2>"$TMP/err"
    rc=$?
    t2=$(now)
    verdict=$(cut -d' ' -f1 "$TMP/out" | head -n 1)
    checked=no
    if [ $rc -eq 0 ]; then
        "$BIN" check "$net" "$TMP/q.json" "$TMP/c.json" --box "$BOX" > /dev/null 2>&1 && checked=yes
    fi
    t3=$(now)
    if [ $rc -eq 0 ] && [ "$checked" = yes ]; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
    printf '%-4s %-12s exit %d  reduce %5.2f s  equiv %5.2f s  check %5.2f s  (certificate checked: %s)\n' \
        "$id" "${verdict%:}" "$rc" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" \
        "$(echo "$t3 - $t2" | bc)" "$checked"
done
printf 'prop_%s: %d of %d box-reduced networks equivalent (certificate checked), %.1f s in all\n' \
    "$PROP" "$ok" "$total" "$(echo "$(now) - $t_all0" | bc)"
[ "$bad" -eq 0 ]
