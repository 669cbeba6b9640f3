# timing.sh -- sourced by the benchmarks: resolve the lumpnet binary, and
# time commands with their peak memory. Needs GNU time (Debian `time`).
#   BIN=...; . bench/timing.sh; run CMD...; median_run N CMD...
GNUTIME=/usr/bin/time
if [ ! -x "$GNUTIME" ]; then
    echo "GNU time is missing (apt-get install time)" >&2
    exit 2
fi
# A libtool wrapper script would add a shell start to every run: time the
# real binary next to it instead.
if head -c 200 "$BIN" 2>/dev/null | grep -q '^#!'; then
    dir=$(dirname "$BIN")
    if [ -x "$dir/.libs/$(basename "$BIN")" ]; then
        BIN=$dir/.libs/$(basename "$BIN")
        LD_LIBRARY_PATH=$dir/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
        export LD_LIBRARY_PATH
    fi
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lumpnet-bench-XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM

# run CMD...: one run; prints "seconds kilobytes". GNU time's %e has 10 ms
# steps, too coarse here: the wall time comes from date(1) in nanoseconds.
run() {
    t0=$(date +%s%N)
    "$GNUTIME" -f '%M' -o "$TMP/time" "$@" >/dev/null
    t1=$(date +%s%N)
    echo "$t0 $t1 $(tail -n 1 "$TMP/time")" | awk '{ printf "%.4f %s\n", ($2 - $1) / 1e9, $3 }'
}

# median_run N CMD...: the median wall time and the largest peak RSS of N runs
median_run() {
    n=$1
    shift
    i=0
    : >"$TMP/runs"
    while [ "$i" -lt "$n" ]; do
        run "$@" >>"$TMP/runs"
        i=$((i + 1))
    done
    sort -n "$TMP/runs" | awk -v n="$n" '
        { t[NR] = $1; if ($2 > m) m = $2 }
        END { printf "%s %d\n", t[int((n + 1) / 2)], m }'
}
