#!/bin/sh
# sigmoid_mpfr.sh -- on the ERAN sigmoid network, the MPFR evaluation at 256
# bits and the double evaluation agree to 1e-12 (relative, or absolute near 0).
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
need_data vnncomp2021/eran/ffnnSIGMOID__Point_6x200.onnx
NET="$DATA/vnncomp2021/eran/ffnnSIGMOID__Point_6x200.onnx"
awk -v seed="${LUMPNET_SEED:-20261124}" 'BEGIN { srand(seed);
  for (k = 0; k < 10; k++) { s = "";
    for (i = 0; i < 784; i++) s = s (i ? "," : "") sprintf("%.6f", rand());
    print s } }' > "$TMP/in.txt"
"$LUMPNET" eval "$NET" --inputs "$TMP/in.txt" > "$TMP/double.txt" || fail "double eval"
"$LUMPNET" eval "$NET" --inputs "$TMP/in.txt" --mpfr 256 > "$TMP/mpfr.txt" 2>"$TMP/err" \
  || fail "mpfr eval: $(cat "$TMP/err")"
cat "$TMP/err"
# the MPFR lines are "[lo, hi], [lo, hi], ...": compare the double value
# with the midpoint of each interval
sed -e 's/\], \[/;/g' -e 's/^\[//' -e 's/\]$//' "$TMP/mpfr.txt" |
  awk -F';' '{ s = ""; for (i = 1; i <= NF; i++) { split($i, e, ", ");
    s = s (i > 1 ? "," : "") sprintf("%.17g", (e[1] + e[2]) / 2) } print s }' > "$TMP/mid.txt"
paste -d';' "$TMP/double.txt" "$TMP/mid.txt" | awk -F';' '
  { n = split($1, a, ","); m = split($2, b, ",");
    if (n != 10 || m != 10) { print "bad line " NR; bad++ }
    for (i = 1; i <= n; i++) {
      d = a[i] - b[i]; if (d < 0) d = -d;
      s = (a[i] < 0 ? -a[i] : a[i]); if (s < 1) s = 1;
      if (d / s > worst) worst = d / s;
      if (d > 1e-12 * s) { print "line " NR " output " i ": " a[i] " vs " b[i]; bad++ } } }
  END { printf "100 outputs compared, largest difference %.3g\n", worst; exit bad > 0 }' \
  || fail "MPFR and double disagree"
echo "sigmoid_mpfr: pass"
