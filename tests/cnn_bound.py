#!/usr/bin/env python3
"""cnn_bound.py -- issue 15, acceptance 5: `lumpnet bound A B --box PROP` on
convolutional and residual networks is never below a sampled and locally
searched maximum of |A_j - B_j| over the box.

  cnn_bound.py LUMPNET TMPDIR [--lp] NET.onnx PROP.vnnlib [-- NET.onnx PROP.vnnlib]...

B is A with a few weights of every weight tensor moved by up to 1% (numpy
on the ONNX initializers), and, when CNN_BOUND_SELF is set, A itself. The maximum
is searched without lumpnet: PyTorch (torch.nn.functional, float64, the
reference of tests/cnn_ref.py) at the box centre, random points, random
vertices, then projected gradient ascent of |A_j - B_j| per output from the
best points. Seeded by LUMPNET_SEED (default 15, printed). Prints one line
per output: bound, observed maximum, their ratio, and the bound's CPU
seconds.
"""
import json
import os
import random
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cnn_ref  # noqa: E402

SEED = int(os.environ.get("LUMPNET_SEED", "15"))
SAMPLES = int(os.environ.get("CNN_BOUND_SAMPLES", "64"))
STEPS = int(os.environ.get("CNN_BOUND_STEPS", "25"))
SELF = os.environ.get("CNN_BOUND_SELF", "") != ""  # also bound each network against itself
# also `relax NET --eps E --box PROP` (box-guided channel merging): its
# certified bound against the search between NET and the merged network
RELAX = os.environ.get("CNN_BOUND_RELAX", "")


def perturb(src, dst, rng):
    """DST := SRC with 5 entries of each weight tensor (2 dims or more)
    scaled by 1 + u, |u| <= 1%."""
    m = onnx.load(src)
    for t in m.graph.initializer:
        a = numpy_helper.to_array(t).copy()
        if a.ndim < 2 or a.dtype != np.float32:
            continue
        flat = a.reshape(-1)
        for _ in range(5):
            k = rng.randrange(flat.size)
            flat[k] = np.float32(flat[k] * (1 + rng.uniform(-0.01, 0.01)))
        t.CopyFrom(numpy_helper.from_array(flat.reshape(a.shape), t.name))
    onnx.save(m, dst)


def search(a, b, box, rng):
    """The largest |A_j - B_j| found per output: samples, vertices, then
    projected gradient ascent from the best point of each output."""
    import torch
    lo = np.array([float(v) for v in box[0]])
    hi = np.array([float(v) for v in box[1]])
    n = lo.size
    nprng = np.random.default_rng(rng.randrange(2 ** 32))
    pts = [(lo + hi) / 2]
    pts += list(lo + nprng.random((SAMPLES, n)) * (hi - lo))
    pts += list(np.where(nprng.random((SAMPLES, n)) < 0.5, lo, hi))
    X = torch.tensor(np.array(pts))
    with torch.no_grad():
        d = (cnn_ref.torch_eval(a, X, True) - cnn_ref.torch_eval(b, X, True)).abs()
    best, arg = d.max(0)
    m = d.shape[1]
    # ascent: one row per output, started at that output's best point
    x = X[arg].clone()
    tlo, thi = torch.tensor(lo), torch.tensor(hi)
    step = (thi - tlo) / 4
    for it in range(STEPS):
        x.requires_grad_(True)
        diff = cnn_ref.torch_eval(a, x, True) - cnn_ref.torch_eval(b, x, True)
        obj = diff[torch.arange(m), torch.arange(m)].abs()
        obj.sum().backward()
        with torch.no_grad():
            best = torch.maximum(best, obj.detach())
            x = torch.clamp(x + step * torch.sign(x.grad), tlo, thi)
        step = step * 0.85
    with torch.no_grad():
        diff = cnn_ref.torch_eval(a, x, True) - cnn_ref.torch_eval(b, x, True)
        best = torch.maximum(best, diff[torch.arange(m), torch.arange(m)].abs())
    return best.numpy()


def bound(lum, a, b, prop, lp):
    args = [lum, "bound", a, b, "--box", prop, "--json", "--samples", "16"]
    if not lp:
        args.append("--no-lp")
    t0 = os.times()
    r = subprocess.run(args, capture_output=True, text=True)
    t1 = os.times()
    if r.returncode != 0:
        raise SystemExit("bound %s %s: exit %d: %s" % (a, b, r.returncode, r.stderr.strip()))
    j = json.loads(r.stdout)
    cpu = (t1.children_user - t0.children_user) + (t1.children_system - t0.children_system)
    return [float(v) for v in j["bound"]], j["certified"], cpu


def relax(lum, a, out, prop):
    """`relax A --eps RELAX --box PROP -o OUT`: its certified bound of A
    against OUT (a smaller CNN)."""
    args = [lum, "relax", a, "--eps", RELAX, "--box", prop, "-o", out, "--json", "--quiet"]
    t0 = os.times()
    r = subprocess.run(args, capture_output=True, text=True)
    t1 = os.times()
    if r.returncode != 0:
        raise SystemExit("relax %s: exit %d: %s" % (a, r.returncode, r.stderr.strip()))
    j = json.loads(r.stdout)
    if not j["params_after"] < j["params_before"]:
        raise SystemExit("relax %s --eps %s: nothing merged" % (a, RELAX))
    cpu = (t1.children_user - t0.children_user) + (t1.children_system - t0.children_system)
    print("relax %s --eps %s: %d -> %d params (bound by %s)"
          % (os.path.basename(a), RELAX, j["params_before"], j["params_after"],
             j["bound_method"]))
    return [float(v) for v in j["bound"]], j["certified"], cpu


def main():
    lum, tmp = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    lp = False
    if args and args[0] == "--lp":
        lp = True
        args = args[1:]
    groups, cur = [], []
    for s in args + ["--"]:
        if s == "--":
            if cur:
                groups.append(cur)
            cur = []
        else:
            cur.append(s)
    rng = random.Random(SEED)
    print("cnn_bound: seed %d (LUMPNET_SEED), %d samples + %d vertices, %d ascent steps"
          % (SEED, SAMPLES, SAMPLES, STEPS))
    bad = 0
    for gi, (net, prop) in enumerate(groups):
        box = cnn_ref.read_box(prop)
        pert = os.path.join(tmp, "perturbed_%d.onnx" % gi)
        perturb(net, pert, rng)
        pairs = [("perturbed", pert)] + ([("itself", net)] if SELF else [])
        if RELAX:
            pairs.append(("relaxed", os.path.join(tmp, "relaxed_%d.onnx" % gi)))
        for what, b in pairs:
            if what == "relaxed":
                bd, cert, cpu = relax(lum, net, b, prop)
            else:
                bd, cert, cpu = bound(lum, net, b, prop, lp)
            t = time.process_time()
            obs = search(net, b, box, rng)
            ts = time.process_time() - t
            for j, (u, o) in enumerate(zip(bd, obs)):
                ok = u >= o * (1 - 1e-9) - 1e-12
                bad += not ok
                print("%s %s vs %s: output %d: bound %.6g observed %.6g ratio %s%s"
                      % (os.path.basename(net), os.path.basename(prop), what, j, u, o,
                         "%.3g" % (u / o) if o > 0 else "-", "" if ok else "  BELOW"))
            print("%s vs %s: bound %.1f s CPU (certified %s), search %.1f s"
                  % (os.path.basename(net), what, cpu, cert, ts))
    if bad:
        raise SystemExit("cnn_bound: %d bounds below the observed maximum (seed %d)"
                         % (bad, SEED))
    print("cnn_bound: pass")


if __name__ == "__main__":
    main()
