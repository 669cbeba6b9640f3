#!/bin/sh
# files.sh -- nothing the user gave is lost: an output that is one of the
# inputs (or another output) is refused with exit 2 and every input stays
# byte-identical; outputs of one command are written all or none; inputs
# that are FIFOs, devices or directories are refused at once (never a hang);
# overwriting keeps the file's mode; long file names can be written;
# messages name the file on a full disk or a file-size limit; and bytes
# quoted from a file are escaped in messages.
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
EX=$(cd "$TESTS/../examples" && pwd)
cd "$TMP" || fail "cannot enter $TMP"
cp "$EX/tiny.json" t.json
# a gnuplot that fails, first on PATH: the plot cases need no real one
mkdir bin
printf '#!/bin/sh\ncat >/dev/null\necho "gnuplot: cannot draw" >&2\nexit 1\n' >bin/gnuplot
chmod +x bin/gnuplot
PATH="$TMP/bin:$PATH"
export PATH

# sums: the checksums of every file here, to compare before and after
sums() { find . -maxdepth 1 -type f ! -name err.txt ! -name out.txt -exec sha256sum {} + | sort; }
# temps: how many temporary files are lying around in the folder $1
temps() { ls -A "${1:-.}" | grep -c '^\.lumpnet-\|\.tmp-'; }

# refused CASE CMD...: the command exits 2, names the clash, and leaves
# every file here as it was (checksums) with no new file
refused() {
  what=$1
  shift
  before=$(sums)
  "$LUMPNET" "$@" >out.txt 2>err.txt
  rc=$?
  [ "$rc" -eq 2 ] || fail "$what: exit $rc, expected 2 ($(cat err.txt))"
  grep -q 'never overwritten\|are one file\|must end in\|regular file\|cannot be written' err.txt ||
    fail "$what: the message does not say why: $(cat err.txt)"
  rm -f out.txt err.txt
  [ "$(sums)" = "$before" ] || fail "$what: a file changed or appeared"
  [ "$(temps)" -eq 0 ] || fail "$what: a temporary file was left"
  echo "refused: $what"
}

# --- inputs are never overwritten -----------------------------------------
"$LUMPNET" convert t.json t.onnx >/dev/null || fail "convert t.json t.onnx"
printf '1,2,0\n0,1,1\n' >d.csv
printf '(declare-const X_0 Real)\n(declare-const X_1 Real)\n(assert (>= X_0 0))\n(assert (<= X_0 1))\n(assert (>= X_1 0))\n(assert (<= X_1 1))\n' >b.vnnlib
"$LUMPNET" reduce t.json -o q.json --cert c.json >/dev/null || fail "reduce t.json"
refused "reduce --cert is the input" reduce t.json -o q2.json --cert t.json
refused "reduce -o is the input" reduce t.json -o t.json
refused "reduce --cert ./q.json beside -o q.json (new files)" reduce t.json -o n.json --cert ./n.json
mkdir sub
refused "reduce -o and --cert through sub/.." reduce t.json -o n.json --cert sub/../n.json
ln -s b.vnnlib b.json
refused "reduce -o is (a link to) the --box file" reduce t.json -o b.json --box b.vnnlib
rm b.json
refused "convert onto itself" convert t.json ./t.json
ln t.onnx h.onnx
refused "convert onto a hard link of the input" convert t.onnx h.onnx
ln -s t.onnx link.onnx
refused "convert onto a symbolic link to the input" convert t.onnx link.onnx
refused "relax -o is the input" relax t.json --eps 0 --box 0:1 -o t.json
refused "explore --csv is the network" explore t.json --box 0:1 --csv t.json
refused "explore --csv is the --data file" explore t.json --box 0:1 --data d.csv --csv d.csv --steps 1
refused "explore --csv and --plot are one file" explore t.json --box 0:1 --csv e.csv --plot e.csv
ln -s t.json t.svg
refused "draw -o is a link to the network" draw t.json -o t.svg
ln -s c.json c.svg
refused "draw -o is a link to the certificate" draw t.json --cert c.json -o c.svg
rm -f h.onnx link.onnx t.svg c.svg

# --- outputs must be files in folders that exist ---------------------------
mkdir adir.json
refused "convert onto a directory" convert t.json adir.json
rmdir adir.json
refused "explore --plot in a folder that does not exist" explore t.json --box 0:1 --csv e.csv --plot nodir/e.svg
[ -e e.csv ] && fail "explore --plot nodir/e.svg: the CSV was written"
mkfifo fifo.json
timeout 20 "$LUMPNET" convert t.json fifo.json >/dev/null 2>err.txt
rc=$?
[ "$rc" -eq 2 ] || fail "convert onto a FIFO: exit $rc, expected 2 ($(cat err.txt))"
[ -p fifo.json ] || fail "convert onto a FIFO: the FIFO was replaced"
echo "refused: convert onto a FIFO ($(cat err.txt))"

# --- a FIFO, a device or a directory as input: exit 2 at once --------------
# in_refused CASE CMD...: exit 2 within 20 s, with the kind of file named
in_refused() {
  what=$1
  shift
  timeout 20 "$LUMPNET" "$@" >out.txt 2>err.txt
  rc=$?
  [ "$rc" -ne 124 ] || fail "$what: hung (killed after 20 s)"
  [ "$rc" -eq 2 ] || fail "$what: exit $rc, expected 2 ($(cat err.txt))"
  grep -q 'FIFO\|device\|directory' err.txt || fail "$what: the message does not say what it is: $(cat err.txt)"
  echo "refused input: $what: $(cat err.txt)"
}
in_refused "info on a FIFO" info fifo.json
mkfifo fifo.vnnlib fifo.csv fifo.txt fifo.cert.json
in_refused "--box on a FIFO" reduce t.json -o q3.json --box fifo.vnnlib
in_refused "--data on a FIFO" explore t.json --box 0:1 --data fifo.csv --csv e.csv --steps 1
in_refused "a certificate that is a FIFO" check t.json q.json fifo.cert.json
in_refused "draw --cert on a FIFO" draw t.json --cert fifo.cert.json -o d.svg
in_refused "eval --inputs on a FIFO" eval t.json --inputs fifo.txt
in_refused "eval --inputs on a device" eval t.json --inputs /dev/zero
mkdir dir.json
in_refused "info on a directory" info dir.json
rm -f fifo.json fifo.vnnlib fifo.csv fifo.txt fifo.cert.json e.csv q3.json d.svg
rmdir dir.json

# --- outputs of one command: all or none -----------------------------------
# reduce: when the network cannot be written (NNet holds relu hidden layers
# only), the certificate beside it is not written either, and an old one
# stays as it was.
sed 's/"relu"/"sigmoid"/' t.json >s.json
echo old >cs.json
echo old >qs.nnet
before=$(sums)
"$LUMPNET" reduce s.json -o qs.nnet --cert cs.json >/dev/null 2>err.txt
rc=$?
[ "$rc" -eq 2 ] || fail "reduce to an impossible NNet: exit $rc, expected 2 ($(cat err.txt))"
rm -f err.txt
[ "$(sums)" = "$before" ] || fail "reduce -o qs.nnet --cert cs.json failed but changed files: $(cat cs.json | head -c 80)"
[ "$(temps)" -eq 0 ] || fail "reduce: a temporary file was left"
echo "all or none: reduce kept the old certificate when the network could not be written"
# explore: a plot that fails takes the CSV with it (a gnuplot that fails)
"$LUMPNET" explore t.json --box 0:1 --steps 1 --samples 10 --csv e.csv \
  --plot e.svg >/dev/null 2>err.txt
rc=$?
[ "$rc" -eq 2 ] || fail "explore with a failing gnuplot: exit $rc, expected 2 ($(cat err.txt))"
grep -q 'e.svg' err.txt || fail "explore with a failing gnuplot: the message does not name the plot: $(cat err.txt)"
[ -e e.csv ] && fail "explore: the plot failed but the CSV was written"
[ -e e.svg ] && fail "explore: the plot failed but a plot file is there"
[ "$(temps)" -eq 0 ] || fail "explore: a temporary file was left"
echo "all or none: explore wrote no CSV when the plot failed ($(cat err.txt))"
rm -f err.txt

# --- output file details ---------------------------------------------------
# overwriting keeps the mode of the old file
"$LUMPNET" convert t.json m.json >/dev/null || fail "convert t.json m.json"
chmod 600 m.json
"$LUMPNET" convert t.onnx m.json >/dev/null || fail "convert t.onnx m.json"
mode=$(stat -c %a m.json)
[ "$mode" = 600 ] || fail "overwriting a 0600 file left mode $mode"
echo "an overwritten 0600 file stays 0600"
# a 250-byte file name (the limit is 255) can be written
long=$(printf '%0245d' 0).json
"$LUMPNET" convert t.json "$long" >/dev/null 2>err.txt || fail "a 250-byte file name: $(cat err.txt)"
cmp -s "$long" m.json || "$LUMPNET" info "$long" >/dev/null || fail "the long-named file is not a network"
rm -f "$long"
echo "a 250-byte file name is written"

# --- messages name the file on a full disk or a file-size limit -------------
# A network of 3 x 200 x 200 weights: about 1 MB as JSON.
awk -v N=200 'BEGIN {
  printf "{\"format\":\"lumpnet-net\",\"version\":1,\"inputs\":%d,\"layers\":[", N
  for (l = 0; l < 3; l++) {
    printf "%s{\"activation\":\"%s\",\"weights\":[", (l ? "," : ""), (l < 2 ? "relu" : "identity")
    for (i = 0; i < N; i++) {
      printf "%s[", (i ? "," : "")
      for (j = 0; j < N; j++) printf "%s\"%d/%d\"", (j ? "," : ""), (i * 7 + j * 3 + l) % 201 - 100, (i + j) % 7 + 1
      printf "]"
    }
    printf "],\"bias\":["
    for (i = 0; i < N; i++) printf "%s\"%d\"", (i ? "," : ""), i % 5
    printf "]}"
  }
  printf "]}\n"
}' >big.json
echo old >lim.json
for ext in json onnx nnet; do
  "$LUMPNET" convert t.json "old.$ext" >/dev/null || fail "convert t.json old.$ext"
  cp "old.$ext" "lim.$ext"
  # a file-size limit of 20 blocks: SIGXFSZ must neither kill the tool
  # nor leave a temporary file; the write fails with a message
  (ulimit -f 20 && exec "$LUMPNET" convert big.json "lim.$ext") >/dev/null 2>err.txt
  rc=$?
  [ "$rc" -eq 2 ] || fail "ulimit -f 20, .$ext: exit $rc, expected 2 ($(cat err.txt))"
  grep -qF "lim.$ext: write failed" err.txt || fail "ulimit -f 20, .$ext: the message does not name the file: $(cat err.txt)"
  cmp -s "lim.$ext" "old.$ext" || fail "ulimit -f 20, .$ext: the old file was changed"
  [ "$(temps)" -eq 0 ] || fail "ulimit -f 20, .$ext: a temporary file was left"
  echo "file-size limit, .$ext: $(cat err.txt)"
done
# the certificate and the figure writers too
"$LUMPNET" reduce big.json -o bq.json --cert bc.json >/dev/null || fail "reduce big.json"
(ulimit -f 20 && exec "$LUMPNET" reduce big.json -o small.nnet --cert lim.cert.json) >/dev/null 2>err.txt
rc=$?
[ "$rc" -eq 2 ] || fail "ulimit -f 20, certificate: exit $rc ($(cat err.txt))"
grep -q 'lim.cert.json: write failed\|small.nnet: write failed' err.txt || fail "ulimit -f 20, certificate: $(cat err.txt)"
[ -e small.nnet ] && fail "ulimit -f 20: the network was written without its certificate"
echo "file-size limit, reduce: $(cat err.txt)"
(ulimit -f 1 && exec "$LUMPNET" draw t.json -o lim.svg) >/dev/null 2>err.txt
rc=$?
[ "$rc" -eq 2 ] || fail "ulimit -f 1, draw: exit $rc ($(cat err.txt))"
grep -qF 'lim.svg: write failed' err.txt || fail "ulimit -f 1, draw: $(cat err.txt)"
echo "file-size limit, draw: $(cat err.txt)"
[ "$(temps)" -eq 0 ] || fail "a temporary file was left: $(ls -A)"
# a real full disk: a 64 KB tmpfs in a private mount namespace, where the
# machine allows one (root, or user namespaces); skipped otherwise
if unshare -rm sh -c 'mount -t tmpfs -o size=64k tmpfs "$1"' sh "$TMP/sub" 2>/dev/null; then
  for ext in json onnx nnet; do
    unshare -rm sh -c 'mount -t tmpfs -o size=64k tmpfs "$1/sub" && cp "$1/old.'$ext'" "$1/sub/full.'$ext'" &&
      "$2" convert "$1/big.json" "$1/sub/full.'$ext'"; rc=$?
      cmp -s "$1/sub/full.'$ext'" "$1/old.'$ext'" || rc=99
      [ -z "$(ls -A "$1/sub" | grep "^\.lumpnet-")" ] || rc=98
      exit $rc' sh "$TMP" "$LUMPNET" >/dev/null 2>err.txt
    rc=$?
    [ "$rc" -eq 2 ] || fail "full disk, .$ext: exit $rc (99: old file changed, 98: temporary left) ($(cat err.txt))"
    grep -q "full.$ext: write failed: No space left on device" err.txt ||
      fail "full disk, .$ext: the message does not name the file and the reason: $(cat err.txt)"
    echo "full disk, .$ext: $(cat err.txt)"
  done
else
  echo "full disk: skipped (no private mount namespace here); the file-size limit above covers the path"
fi

# --- bytes quoted from files are escaped in messages ------------------------
printf '{"format": "lumpnet-net\\u001a", "version": 1}' >esc1.json
printf '1,2\n3,\0334\n' >esc2.csv
# an ONNX node whose operator name holds the bytes ff 1b, and whose node
# name holds 1a ("Operat\x1aon_1_Flatten")
printf '\010\010\072\120\012\041\012\001\170\022\001\171\032\023\117\160\145\162\141\164\032\157\156\137\061\137\106\154\141\164\164\145\156\042\004\121\377\033\121\022\001\147\132\023\012\001\170\022\016\012\014\010\001\022\010\012\002\010\001\012\002\010\002\142\023\012\001\171\022\016\012\014\010\001\022\010\012\002\010\001\012\002\010\002\102\002\020\021' >esc3.onnx
printf '(declare-const X_0 Real)\n(assert (<= X_0 1\033]0;x\007))\n' >esc4.vnnlib
for run in "esc1.json:info esc1.json" "esc2.csv:eval t.json --inputs esc2.csv" \
           "esc3.onnx:info esc3.onnx" "esc4.vnnlib:info esc4.vnnlib" \
           "esc2.csv:explore t.json --box 0:1 --data esc2.csv --csv e.csv --steps 1"; do
  name=${run%%:*}
  set -- ${run#*:}
  "$LUMPNET" "$@" >/dev/null 2>err.txt
  rc=$?
  [ "$rc" -eq 2 ] || fail "$name: exit $rc, expected 2 ($(cat -v err.txt))"
  grep -qF "$name" err.txt || fail "$name: the message does not name the file"
  if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177\200-\377]')" err.txt; then
    fail "$name: raw bytes in the message: $(cat -v err.txt)"
  fi
  echo "escaped: $(cat err.txt)"
done
"$LUMPNET" info esc1.json 2>&1 | grep -qF 'lumpnet-net\x1a' ||
  fail "esc1.json: the control byte is not shown as \\x1a"
"$LUMPNET" info esc3.onnx 2>&1 | grep -qF 'Q\xff\x1bQ' || fail "esc3.onnx: the operator is not shown as Q\\xff\\x1bQ"
echo "files: every case passed"
