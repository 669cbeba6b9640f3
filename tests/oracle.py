#!/usr/bin/env python3
"""oracle.py -- an independent reference for lumpnet's evaluators and writers.

It reads ONNX files with the `onnx` package and NNet files with its own small
parser, evaluates them with numpy (float64) or with Python's exact Fractions,
and compares with what the `lumpnet` binary prints. Nothing here shares code
with lumpnet, which is the point: this is the oracle the C code did not write.

Usage: oracle.py COMMAND LUMPNET ARGS...   (see main() for the commands)
Exit codes: 0 all agree, 1 a disagreement, 77 when a file or onnx is missing.
"""
import os
import random
import subprocess
import sys
import tempfile
from fractions import Fraction

try:
    import numpy as np
    import onnx
    from onnx import numpy_helper
except ImportError as e:  # the Debian packages python3-onnx / python3-numpy
    print(f"skipped: {e}", file=sys.stderr)
    sys.exit(77)

SEED = int(os.environ.get("LUMPNET_SEED", "20261124"))


# ---------------------------------------------------------------- ONNX ----
def onnx_consts(model):
    consts = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    for n in model.graph.node:
        if n.op_type == "Constant":
            consts[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
    return consts


def attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def onnx_eval(model, x, exact=False):
    """Evaluate the MLP subset on the flat input x (list); numpy float64, or
    Fractions when exact=True (every float in the file read exactly)."""
    consts = onnx_consts(model)
    g = model.graph
    inp = [i.name for i in g.input if i.name not in consts][0]
    if exact:
        conv = lambda a: np.vectorize(lambda v: Fraction(float(v)), otypes=[object])(a)
        consts = {k: conv(v) for k, v in consts.items()
                  if v.dtype.kind == "f"} | {k: v for k, v in consts.items()
                                              if v.dtype.kind != "f"}
        vals = {inp: np.array(x, dtype=object)}
    else:
        vals = {inp: np.array([float(v) for v in x], dtype=np.float64)}
    zero = Fraction(0) if exact else 0.0

    def get(name):
        return vals[name] if name in vals else consts[name]

    for n in g.node:
        op = n.op_type
        if op == "Constant":
            continue
        a = [get(i) for i in n.input if i != ""]
        if op in ("Flatten", "Reshape", "Identity", "Dropout"):
            out = np.asarray(a[0]).reshape(-1)
        elif op == "Sub":
            out = (np.asarray(a[0]).reshape(-1) - np.asarray(a[1]).reshape(-1))
        elif op == "Add":
            out = np.asarray(a[0]).reshape(-1) + np.asarray(a[1]).reshape(-1)
        elif op == "Mul":
            out = np.asarray(a[0]).reshape(-1) * np.asarray(a[1]).reshape(-1)
        elif op == "Div":
            out = np.asarray(a[0]).reshape(-1) / np.asarray(a[1]).reshape(-1)
        elif op == "Max":
            out = np.maximum(np.asarray(a[0]).reshape(-1), np.asarray(a[1]).reshape(-1))
        elif op == "Min":
            out = np.minimum(np.asarray(a[0]).reshape(-1), np.asarray(a[1]).reshape(-1))
        elif op == "MatMul":
            A, B = a
            if A.ndim == 2 and n.input[0] in consts:  # W . x
                out = A.dot(np.asarray(B).reshape(-1))
            else:  # x . W
                out = np.asarray(A).reshape(-1).dot(B)
        elif op == "Gemm":
            X = np.asarray(a[0]).reshape(-1)
            B = a[1]
            if attr(n, "transB", 0):
                B = B.T
            out = X.dot(B)
            al, be = attr(n, "alpha", 1.0), attr(n, "beta", 1.0)
            if exact:
                al, be = Fraction(al), Fraction(be)
            out = out * al
            if len(a) > 2:
                out = out + be * np.asarray(a[2]).reshape(-1)
        elif op == "Relu":
            out = np.array([v if v > 0 else zero for v in a[0]], dtype=a[0].dtype)
        elif op == "LeakyRelu":
            al = attr(n, "alpha", 0.01)
            al = Fraction(float(np.float32(al))) if exact else float(np.float32(al))
            out = np.array([v if v > 0 else al * v for v in a[0]], dtype=a[0].dtype)
        elif op == "Sigmoid":
            out = 1.0 / (1.0 + np.exp(-a[0]))
        elif op == "Tanh":
            out = np.tanh(a[0])
        else:
            raise SystemExit(f"oracle: operator {op} not in the oracle either")
        vals[n.output[0]] = out
    return list(np.asarray(vals[g.output[0].name]).reshape(-1))


def onnx_n_inputs(model):
    consts = onnx_consts(model)
    i = [i for i in model.graph.input if i.name not in consts][0]
    n = 1
    for d in i.type.tensor_type.shape.dim:
        n *= d.dim_value if d.dim_value > 0 else 1
    return n


# ---------------------------------------------------------------- NNet ----
class NNet:
    """The Reluplex NNet format, parsed here without lumpnet's code."""

    def __init__(self, path):
        lines = [l.strip() for l in open(path) if not l.startswith("//")]
        rows = [[v for v in l.split(",") if v.strip() != ""] for l in lines]
        nl, ni, no, _ = (int(v) for v in rows[0])
        self.sizes = [int(v) for v in rows[1]]
        self.mins, self.maxs = [Fraction(v) for v in rows[3]], [Fraction(v) for v in rows[4]]
        self.means, self.ranges = [Fraction(v) for v in rows[5]], [Fraction(v) for v in rows[6]]
        r, self.W, self.b = 7, [], []
        for k in range(nl):
            m, n = self.sizes[k + 1], self.sizes[k]
            self.W.append([[Fraction(v) for v in rows[r + i]] for i in range(m)])
            r += m
            self.b.append([Fraction(rows[r + i][0]) for i in range(m)])
            r += m
        self.ni, self.no = ni, no

    def normalise(self, x):
        return [(min(max(v, lo), hi) - mu) / rg for v, lo, hi, mu, rg in
                zip(x, self.mins, self.maxs, self.means, self.ranges)]

    def eval(self, x, exact=False):
        conv = (lambda v: v) if exact else float
        y = [conv(v) for v in self.normalise([Fraction(v) for v in x])]
        for k, (W, b) in enumerate(zip(self.W, self.b)):
            z = [sum(conv(w) * v for w, v in zip(row, y)) + conv(bb) for row, bb in zip(W, b)]
            y = z if k == len(self.W) - 1 else [v if v > 0 else conv(0) for v in z]
        return [v * conv(self.ranges[-1]) + conv(self.means[-1]) for v in y]


# ------------------------------------------------------------- helpers ----
def run_lumpnet(lumpnet, args):
    p = subprocess.run([lumpnet] + args, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"lumpnet {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p.stdout


def lumpnet_eval(lumpnet, net, xs, extra=()):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        for x in xs:
            f.write(",".join(str(v) for v in x) + "\n")
        name = f.name
    try:
        out = run_lumpnet(lumpnet, ["eval", net, "--inputs", name] + list(extra))
    finally:
        os.unlink(name)
    return [[v for v in line.split(",")] for line in out.strip().split("\n")]


def close(a, b, rel, absol):
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), absol)


def rand_inputs(rng, n, count, lo=-1.0, hi=1.0, dec=True):
    """Random decimal inputs (as exact strings) in [lo, hi]."""
    xs = []
    for _ in range(count):
        xs.append([f"{rng.uniform(lo, hi):.6f}" for _ in range(n)])
    return xs


def load(path):
    return onnx.load(path)


# ------------------------------------------------------------ commands ----
def cmd_eval_onnx(lumpnet, paths, count=10):
    """lumpnet eval (double) against numpy float64 on ONNX files."""
    rng, bad = random.Random(SEED), 0
    for p in paths:
        m = load(p)
        n = onnx_n_inputs(m)
        xs = rand_inputs(rng, n, count, 0.0 if n > 100 else -1.0, 1.0)
        got = lumpnet_eval(lumpnet, p, xs)
        worst = 0.0
        for x, g in zip(xs, got):
            ref = onnx_eval(m, x)
            for a, b in zip(ref, g):
                b = float(b)
                if not close(a, b, 1e-9, 1e-12):
                    bad += 1
                    print(f"MISMATCH {p}: input {x[:4]}...: numpy {a!r} lumpnet {b!r}")
                worst = max(worst, abs(a - b) / max(abs(a), 1e-300))
        print(f"ok {os.path.basename(p)}: {count} inputs, largest relative difference {worst:.2e}")
    return bad


def cmd_eval_nnet(lumpnet, paths, count=10):
    """lumpnet eval on NNet files against this file's NNet parser; inputs are
    drawn beyond the clip bounds too, so that clipping is exercised."""
    rng, bad = random.Random(SEED + 1), 0
    for p in paths:
        net = NNet(p)
        xs = []
        for _ in range(count):
            x = []
            for lo, hi in zip(net.mins, net.maxs):
                w = float(hi - lo)
                x.append(f"{rng.uniform(float(lo) - 0.1 * w, float(hi) + 0.1 * w):.4f}")
            xs.append(x)
        got = lumpnet_eval(lumpnet, p, xs)
        worst = 0.0
        for x, g in zip(xs, got):
            ref = net.eval(x)
            for a, b in zip(ref, g):
                b = float(b)
                if not close(a, b, 1e-9, 1e-12):
                    bad += 1
                    print(f"MISMATCH {p}: input {x}: reference {a!r} lumpnet {b!r}")
                worst = max(worst, abs(a - b) / max(abs(a), 1e-300))
        print(f"ok {os.path.basename(p)}: {count} inputs, largest relative difference {worst:.2e}")
    return bad


def cmd_acas_pairs(lumpnet, nnet_dir, onnx_dir, count=5):
    """NNet(x) against ONNX-twin(normalised x) mapped back, to 1e-4 relative."""
    rng, bad = random.Random(SEED + 2), 0
    names = sorted(f for f in os.listdir(nnet_dir) if f.endswith(".nnet"))
    for name in names:
        net = NNet(os.path.join(nnet_dir, name))
        twin = os.path.join(onnx_dir, name[:-5] + ".onnx")
        xs = [[f"{rng.uniform(float(lo), float(hi)):.4f}" for lo, hi in zip(net.mins, net.maxs)]
              for _ in range(count)]
        got_n = lumpnet_eval(lumpnet, os.path.join(nnet_dir, name), xs)
        xn = [[str(v) for v in net.normalise([Fraction(v) for v in x])] for x in xs]
        got_o = lumpnet_eval(lumpnet, twin, xn)
        worst = 0.0
        for gn, go in zip(got_n, got_o):
            for a, b in zip(gn, go):
                a = float(a)
                b = float(b) * float(net.ranges[-1]) + float(net.means[-1])
                # relative to the output scale: outputs near 0 compare absolutely
                scale = max(abs(a), abs(b), 1e-2 * float(net.ranges[-1]))
                d = abs(a - b) / scale
                worst = max(worst, d)
                if d > 1e-4:
                    bad += 1
                    print(f"MISMATCH {name}: nnet {a!r} onnx twin {b!r}")
        print(f"ok {name}: NNet vs ONNX twin, largest relative difference {worst:.2e}")
    return bad


def rand_rationals(rng, n, count, lo, hi, den=997):
    xs = []
    for _ in range(count):
        xs.append([Fraction(rng.randint(int(lo * den), int(hi * den)), rng.randint(1, den))
                   for _ in range(n)])
    return xs


def cmd_exact(lumpnet, paths, count=5):
    """lumpnet eval --exact against Fractions computed from the file weights."""
    rng, bad = random.Random(SEED + 3), 0
    for p in paths:
        if p.endswith(".nnet"):
            net = NNet(p)
            n, ref_eval = net.ni, lambda x: net.eval(x, exact=True)
            xs = [[Fraction(rng.randint(-10**6, 10**6), rng.randint(1, 997)) *
                   (hi - lo) / 10**6 + (lo + hi) / 2 for lo, hi in zip(net.mins, net.maxs)]
                  for _ in range(count)]
        else:
            m = load(p)
            n = onnx_n_inputs(m)
            ref_eval = lambda x, m=m: onnx_eval(m, x, exact=True)
            # big inputs: keep denominators small so the oracle stays fast
            xs = rand_rationals(rng, n, count, -1, 1, den=997 if n < 100 else 16)
        got = lumpnet_eval(lumpnet, p, [[str(v) for v in x] for x in xs], ["--exact"])
        for x, g in zip(xs, got):
            ref = ref_eval(x)
            if [Fraction(v) for v in g] != list(ref):
                bad += 1
                print(f"MISMATCH {p}: exact outputs differ at {[str(v) for v in x][:3]}...")
        print(f"ok {os.path.basename(p)}: {count} random rational inputs, exactly equal")
    return bad


def cmd_check_onnx(paths):
    """onnx.checker on written files."""
    for p in paths:
        onnx.checker.check_model(onnx.load(p), full_check=True)
        print(f"ok {os.path.basename(p)}: onnx.checker accepts it")
    return 0


def cmd_same_function(a, b, count=10):
    """Two ONNX files compute the same function (numpy float64, exact-equal
    outputs are expected when both hold the same float weights)."""
    rng = random.Random(SEED + 4)
    ma, mb = load(a), load(b)
    n = onnx_n_inputs(ma)
    bad = 0
    for x in rand_inputs(rng, n, count):
        ya, yb = onnx_eval(ma, x), onnx_eval(mb, x)
        for u, v in zip(ya, yb):
            if not close(u, v, 1e-12, 1e-15):
                bad += 1
                print(f"MISMATCH {a} vs {b}: {u!r} {v!r}")
    print(f"ok {os.path.basename(a)} and {os.path.basename(b)} agree under numpy")
    return bad


def main():
    cmd = sys.argv[1]
    if cmd == "check-onnx":
        return cmd_check_onnx(sys.argv[2:])
    if cmd == "same-function":
        return cmd_same_function(sys.argv[2], sys.argv[3])
    lumpnet, rest = sys.argv[2], sys.argv[3:]
    if cmd == "eval-onnx":
        return cmd_eval_onnx(lumpnet, rest)
    if cmd == "eval-nnet":
        return cmd_eval_nnet(lumpnet, rest)
    if cmd == "acas-pairs":
        return cmd_acas_pairs(lumpnet, rest[0], rest[1])
    if cmd == "exact":
        return cmd_exact(lumpnet, rest)
    raise SystemExit(f"oracle: unknown command {cmd}")


if __name__ == "__main__":
    bad = main()
    print(f"oracle: {'all agree' if bad == 0 else f'{bad} disagreements'}")
    sys.exit(1 if bad else 0)
