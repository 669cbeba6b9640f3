#!/bin/sh
# interrupt.sh -- Ctrl-C (SIGINT) stops a long run within a second, with
# exit code 130 (not death by the signal, which a caller cannot tell from
# a crash), the message "interrupted" and no file left: neither the
# output nor its temporary file. Long runs on MNIST 256x6: relax (merging,
# then bounds), bound against 256x4 (the joint LP in GLPK, which has no
# cancellation point: the half-second grace ends it), reduce --box (LP
# tightening), and relax --calib of the digits CNN (the channel greedy),
# each interrupted after about a second. LUMPNET_INT_DELAY
# changes that delay (seconds).
. "${LUMPNET_TESTS:-$(dirname "$0")}/common.sh"
M=vnncomp2021/mnistfc
need_data "$M/mnist-net_256x6.onnx" "$M/mnist-net_256x4.onnx" "$M/prop_0_0.03.vnnlib"
PY=
for p in /usr/bin/python3 python3; do
  if command -v "$p" >/dev/null 2>&1; then PY=$p; break; fi
done
[ -n "$PY" ] || skip "no python3 to time the interrupt"
N6=$DATA/$M/mnist-net_256x6.onnx
N4=$DATA/$M/mnist-net_256x4.onnx
P=$DATA/$M/prop_0_0.03.vnnlib
mkdir "$TMP/out" || exit 1

# interrupt NAME ARGS: run lumpnet ARGS in $TMP/out, SIGINT after the
# delay; the exit must come within a second, as 130, with no file left
interrupt() {
  name=$1; shift
  (cd "$TMP/out" && "$PY" - "${LUMPNET_INT_DELAY:-1.0}" "$LUMPNET" "$@" > "$TMP/$name.res" 2> "$TMP/$name.err") <<'PYEOF'
import signal, subprocess, sys, time
delay = float(sys.argv[1])
# a child of Python starts with SIGINT at its default, as from a shell
p = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
time.sleep(delay)
if p.poll() is not None:
    print("finished before the interrupt (exit %d)" % p.returncode)
    sys.exit(0)
t0 = time.monotonic()
p.send_signal(signal.SIGINT)
try:
    err = p.communicate(timeout=10)[1].decode(errors="replace")
except subprocess.TimeoutExpired:
    p.kill()
    print("still running 10 s after SIGINT")
    sys.exit(0)
print("%d %.3f %s" % (p.returncode, time.monotonic() - t0, err.strip().replace("\n", " | ")))
PYEOF
  read -r rc secs msg < "$TMP/$name.res" || fail "$name: no result: $(cat "$TMP/$name.err")"
  # 130, not death by the signal (-2): the loops unwind, or the grace
  # period ends the process, with a message either way
  [ "$rc" = 130 ] || fail "$name: expected exit 130 after SIGINT, got: $(cat "$TMP/$name.res")"
  "$PY" -c "import sys; sys.exit(0 if float(sys.argv[1]) < 1.0 else 1)" "$secs" ||
    fail "$name: took $secs s to stop after SIGINT (more than 1 s)"
  case $msg in
    *interrupted*) ;;
    *) fail "$name: no 'interrupted' message: $msg" ;;
  esac
  left=$(ls -A "$TMP/out")
  [ -z "$left" ] || fail "$name: left files behind after SIGINT: $left"
  echo "$name: exit $rc after $secs s: $msg"
}

interrupt relax relax "$N6" --eps 0.1 -o x.json --box "$P"
interrupt bound bound "$N6" "$N4" --box "$P"
interrupt reduce reduce "$N6" -o r.json --cert r.cert.json --box "$P"
# a convolutional network: the calibration greedy of relax (channel level)
EXD=$(cd "$TESTS/../examples" && pwd)
interrupt relax-cnn relax "$EXD/digits_cnn/digits_cnn.onnx" --calib "$EXD/digits/train.csv" \
  --eps 1000 -o c.onnx --box 0:1
