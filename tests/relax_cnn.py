#!/usr/bin/env python3
"""relax_cnn.py -- independent checks of `relax` on a convolutional network
(issue #15, acceptances 5 and 7), against the PyTorch reference of
cnn_ref.py (torch.nn.functional on the ONNX initializers, float64; no
lumpnet code):

- the merged network is a smaller Conv network (fewer channels per Conv,
  Conv nodes kept) with the parameter count the report states;
- over the calibration points, no output moves by more than eps (the
  claim that selects the merges), up to float rounding;
- the certified bound over the box is never below the largest difference
  found by sampling the box and by a local search (coordinate steps that
  increase |f_j - g_j|) from the best points, original vs merged;
- the pruned baseline has at most the parameters asked for;
- box-guided merging (no data): certified, and above the search too.

    relax_cnn.py LUMPNET NET.onnx CALIB.csv TMPDIR

Seeded by LUMPNET_SEED (default 7; printed).
"""
import json
import os
import random
import subprocess
import sys

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cnn_ref import torch_eval  # noqa: E402

SEED = int(os.environ.get("LUMPNET_SEED", "7"))
EPS = 4.0


def run_json(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()}")
    return json.loads(p.stdout)


def conv_channels(path):
    m = onnx.load(path)
    inits = {t.name: t for t in m.graph.initializer}
    return [list(inits[n.input[1]].dims)[0] for n in m.graph.node if n.op_type == "Conv"]


def local_max(f, g, xs, n, rng, steps=60):
    """Largest |f_j - g_j| over the points XS and a coordinate search from
    the best ones in [0, 1]^n."""
    def gap(pts):
        a, b = np.array(torch_eval(f, pts)), np.array(torch_eval(g, pts))
        return np.abs(a - b).max(axis=1)
    d = gap(xs)
    best = [xs[i] for i in np.argsort(-d)[:4]]
    top = float(d.max())
    for x in best:
        x = list(x)
        cur = float(gap([x])[0])
        for _ in range(steps):
            k = rng.randrange(n)
            cands = []
            for v in (0.0, 1.0, rng.random()):
                y = list(x)
                y[k] = v
                cands.append(y)
            vals = gap(cands)
            j = int(np.argmax(vals))
            if vals[j] > cur:
                cur, x = float(vals[j]), cands[j]
        top = max(top, cur)
    return top


def main():
    lum, net, calib, tmp = sys.argv[1:5]
    rng = random.Random(SEED)
    print(f"relax_cnn.py: seed {SEED} (LUMPNET_SEED)")
    out = os.path.join(tmp, "merged.onnx")
    r = run_json([lum, "relax", net, "--calib", calib, "--eps", str(EPS), "--box", "0:1",
                  "-o", out, "--json", "--quiet"])
    before, after = conv_channels(net), conv_channels(out)
    print(f"channels per Conv {before} -> {after}, params {r['params_before']} -> "
          f"{r['params_after']}")
    assert len(after) == len(before), "the merged network lost or gained Conv nodes"
    assert sum(after) < sum(before), "no channel was merged"
    assert all(a <= b for a, b in zip(after, before)), "a Conv grew"
    info = run_json([lum, "info", out, "--json"])
    assert info["params"] == r["params_after"], "params_after is not the written network's"
    assert r["certified"], "the bound is not certified"
    # the calibration claim, by the reference
    rows = [list(map(float, line.split(",")[:-1])) for line in open(calib) if line.strip()]
    # the points relax uses: at most 512, evenly spaced (docs/relax.md)
    m = min(len(rows), 512)
    used = [rows[int(k * (len(rows) - 1) / (m - 1))] for k in range(m)] if m < len(rows) else rows
    a, b = np.array(torch_eval(net, used)), np.array(torch_eval(out, used))
    dev = float(np.abs(a - b).max())
    print(f"largest output change over the {m} calibration points used: {dev:.6g} "
          f"(eps {EPS}, reported {r['calib_deviation']:.6g})")
    assert dev <= EPS * (1 + 1e-9) + 1e-9, "an output moved by more than eps on the points"
    assert abs(dev - r["calib_deviation"]) <= 1e-6 * max(1.0, dev), \
        "the reported deviation is not the reference's"
    # the bound against sampling and a local search
    n = len(rows[0])
    xs = [[rng.random() for _ in range(n)] for _ in range(300)]
    xs += [[float(rng.random() < 0.5) for _ in range(n)] for _ in range(100)]
    xs += rows[:100]
    seen = local_max(net, out, xs, n, rng)
    bnd = max(r["bound"])
    print(f"certified bound {bnd:.6g} >= largest difference found {seen:.6g}")
    assert seen <= bnd, "the certified bound is below a difference found by search"
    # the baseline
    target = r["params_after"]
    pout = os.path.join(tmp, "pruned.onnx")
    p = run_json([lum, "relax", net, "--prune-to", str(target), "--box", "0:1", "-o", pout,
                  "--json", "--quiet"])
    print(f"pruned to {p['params_after']} (asked at most {target}), channels "
          f"{conv_channels(pout)}")
    assert p["params_after"] <= target, "pruning left more parameters than asked"
    assert run_json([lum, "info", pout, "--json"])["params"] == p["params_after"]
    assert p["certified"], "the pruning bound is not certified"
    pb = max(p["bound"])
    ps = local_max(net, pout, xs[:200], n, rng, steps=20)
    print(f"pruning: certified bound {pb:.6g} >= found {ps:.6g}")
    assert ps <= pb, "the pruning bound is below a difference found by search"
    # box-guided (no data): the bound against the same search
    bout = os.path.join(tmp, "boxed.onnx")
    bx = run_json([lum, "relax", net, "--eps", "1", "--box", "0:1", "-o", bout, "--json",
                   "--quiet"])
    assert bx["guide"] == "box" and bx["certified"], "box-guided relax not certified"
    assert run_json([lum, "info", bout, "--json"])["params"] == bx["params_after"]
    bs = local_max(net, bout, xs[:200], n, rng, steps=20)
    print(f"box-guided eps 1: {bx['params_before']} -> {bx['params_after']} params, certified "
          f"bound {max(bx['bound']):.6g} >= found {bs:.6g}")
    assert bs <= max(bx["bound"]), "the box-guided bound is below a difference found by search"
    print("ok")


if __name__ == "__main__":
    main()
