#!/usr/bin/env python3
"""verify45.py -- issue 16, acceptance 2: each of the 45 ACAS Xu networks
(VNN-COMP ONNX, float32) box-reduced on prop_3 and written as float32
ONNX; the `verify:` command that reduce prints must exit 0 ("valid within
U"), and U is compared with the largest difference between the original
and the written file found by sampling (uniform points, the box's corners,
then hill climbing from the worst points), evaluated here in numpy float64
without lumpnet. With `--fit exact` (reduce's default) the file holds the
exact result when every number fits float32: verify then says "valid"
without a distance (U = 0), which meets the bound only because verify
says so. Each network is also reduced with `--fit smallest` (everything
folded, values rounded) to state what exactness costs in size. Prints one
row per network and exits 1 when a verify fails or U exceeds 100 times
the sampled maximum.
Usage: verify45.py LUMPNET DATA [SAMPLES]   (LUMPNET_SEED re-seeds)"""
import itertools
import os
import re
import shlex
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

LUMPNET, DATA = sys.argv[1], sys.argv[2]
SAMPLES = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
SEED = int(os.environ.get("LUMPNET_SEED", "45"))


def compile_mlp(path):
    """The chain of the file as numpy steps on [batch, ...] arrays."""
    m = onnx.load(path)
    c = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    c = {k: v.astype(np.float64) if v.dtype.kind == "f" else v for k, v in c.items()}
    steps = []
    for n in m.graph.node:
        a = {x: c.get(x) for x in n.input}
        steps.append((n.op_type, n.input, n.output[0],
                      {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}, a))
    inp = [i.name for i in m.graph.input if i.name not in c][0]
    return inp, m.graph.output[0].name, steps, c


def run_mlp(net, x):
    inp, out, steps, c = net
    v = dict(c)
    v[inp] = x.reshape(x.shape[0], 1, 1, 5)
    for op, ins, o, at, _ in steps:
        a = [v[i] for i in ins if i]
        if op in ("Flatten",):
            r = a[0].reshape(a[0].shape[0], -1)
        elif op == "Reshape":
            r = a[0].reshape([int(d) for d in a[1]])
        elif op in ("Add", "Sub", "Mul", "Div", "Max", "Min"):
            r = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide,
                 "Max": np.maximum, "Min": np.minimum}[op](a[0], a[1])
        elif op == "MatMul":
            r = a[0] @ a[1]
        elif op == "Gemm":
            B = a[1].T if at.get("transB", 0) else a[1]
            r = at.get("alpha", 1.0) * (a[0] @ B) + (at.get("beta", 1.0) * a[2] if len(a) > 2 else 0)
        elif op == "Relu":
            r = np.maximum(a[0], 0)
        elif op == "Identity":
            r = a[0]
        else:
            raise SystemExit(f"operator {op}")
        v[o] = r
    return v[out].reshape(x.shape[0], -1)


def box_of(prop):
    b = {}
    for m in re.finditer(r"\((<=|>=) X_(\d+) ([-0-9.e]+)\)", open(prop).read()):
        b.setdefault(int(m.group(2)), {})[m.group(1)] = float(m.group(3))
    return np.array([b[i][">="] for i in range(5)]), np.array([b[i]["<="] for i in range(5)])


def sampled_max(a, b, lo, hi, rng):
    diff = lambda x: np.max(np.abs(run_mlp(a, x) - run_mlp(b, x)), axis=1)
    xs = [rng.uniform(lo, hi, size=(SAMPLES, 5)),
          np.array([[hi[i] if bit else lo[i] for i, bit in enumerate(c)]
                    for c in itertools.product((0, 1), repeat=5)])]
    x = np.concatenate(xs)
    d = diff(x)
    best = x[np.argsort(d)[-16:]]
    step = (hi - lo) / 8
    for _ in range(60):  # hill climbing from the 16 worst points
        cand = np.clip(np.repeat(best, 32, axis=0) +
                       rng.normal(size=(16 * 32, 5)) * step, lo, hi)
        allx = np.concatenate([best, cand])
        dd = diff(allx)
        best = allx[np.argsort(dd)[-16:]]
        step = step * 0.93
        d = np.concatenate([d, dd])
    return float(np.max(d))


def main():
    onnx_dir = os.path.join(DATA, "vnncomp2021/acasxu")
    prop = os.path.join(onnx_dir, "prop_3.vnnlib")
    lo, hi = box_of(prop)
    rng = np.random.default_rng(SEED)
    print(f"# seed {SEED}, {SAMPLES} uniform samples + 32 corners + hill climbing")
    print(f"{'network':20} {'rounded':>7} {'kept':>4} {'U (certified)':>14} {'sampled max':>12} "
          f"{'U/sampled':>9} {'verify':>6} {'reduce s':>8} {'check s':>7} "
          f"{'neurons':>7} {'params':>6} {'smallest: neurons':>17} {'params':>6}")
    bad = 0
    exact = 0
    ratios = []
    sizes = []
    with tempfile.TemporaryDirectory() as tmp:
        for a in range(1, 6):
            for b in range(1, 10):
                net = os.path.join(onnx_dir, f"ACASXU_run2a_{a}_{b}_batch_2000.onnx")
                out, cert = os.path.join(tmp, "s.onnx"), os.path.join(tmp, "c.json")
                t = os.times()
                p = subprocess.run([LUMPNET, "reduce", net, "--box", prop, "-o", out,
                                    "--cert", cert], capture_output=True, text=True)
                t1 = os.times()
                rs = t1.children_user - t.children_user + t1.children_system - t.children_system
                m = re.search(r"\(verify: (lumpnet check .*)\)", p.stdout)
                if p.returncode != 0 or m is None:
                    print(f"{a}_{b}: reduce failed: {p.stderr.strip()}")
                    bad += 1
                    continue
                rounded = re.search(r"(\d+) values rounded", p.stderr)
                kept = re.search(r"kept: +(\d+)", p.stdout)
                size = [int(x) for x in re.findall(r"(?:neurons|params): +\d+ -> (\d+)", p.stdout)]
                f = subprocess.run([LUMPNET, "reduce", net, "--box", prop, "-o",
                                    os.path.join(tmp, "full.onnx"), "--fit", "smallest"],
                                   capture_output=True, text=True)
                full = [int(x) for x in re.findall(r"(?:neurons|params): +\d+ -> (\d+)", f.stdout)]
                if f.returncode != 0 or len(full) != 2 or len(size) != 2:
                    print(f"{a}_{b}: reduce --fit smallest failed: {f.stderr.strip()}")
                    bad += 1
                    continue
                sizes.append(size + full)
                cmd = shlex.split(m.group(1))
                cmd[0] = LUMPNET
                q = subprocess.run(cmd, capture_output=True, text=True)
                t2 = os.times()
                cs = t2.children_user - t1.children_user + t2.children_system - t1.children_system
                um = re.match(r"valid within ([0-9.e+-]+)", q.stdout)
                # U = 0 only when verify itself says the file is exact
                u = float(um.group(1)) if um else (0.0 if q.stdout.startswith("valid:") else None)
                s = sampled_max(compile_mlp(net), compile_mlp(out), lo, hi, rng)
                ratio = u / s if u is not None and s > 0 else float("nan")
                ok = q.returncode == 0 and u is not None and (u == 0 or ratio <= 100)
                bad += not ok
                if u:
                    ratios.append(ratio)
                exact += ok and u == 0
                shown = "exact" if u == 0 else f"{ratio:.1f}"
                print(f"ACASXU_run2a_{a}_{b:<7} {rounded.group(1) if rounded else '?':>7} "
                      f"{kept.group(1) if kept else '0':>4} "
                      f"{u if u is not None else float('nan'):14.3g} {s:12.3g} {shown:>9} "
                      f"{q.returncode:6d} {rs:8.2f} {cs:7.2f} {size[0]:7d} {size[1]:6d} "
                      f"{full[0]:17d} {full[1]:6d}" + ("" if ok else "  FAIL"), flush=True)
    if ratios:
        print(f"# U/sampled: min {min(ratios):.1f}, median {sorted(ratios)[len(ratios)//2]:.1f}, "
              f"max {max(ratios):.1f}")
    if sizes:
        m = [sum(r[k] for r in sizes) / len(sizes) for k in range(4)]
        print(f"# {exact} of {len(sizes)} written exactly (verify: valid, U = 0); mean size "
              f"{m[0]:.1f} neurons, {m[1]:.0f} params; --fit smallest: {m[2]:.1f} neurons, "
              f"{m[3]:.0f} params (of 305 and 13305)")
    print(f"# failures: {bad}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
