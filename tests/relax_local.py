#!/usr/bin/env python3
"""relax_local.py -- the sampling oracle of relax --local-radius.

Usage: relax_local.py F.onnx G.onnx POINTS.csv RADIUS LO HI REPORT.json

For every ball of the report (the L-inf ball of RADIUS around a row of
POINTS.csv, intersected with [LO, HI] per input), samples points of it
(uniform, corners, the centre; seeded by LUMPNET_SEED) and evaluates both
networks with numpy through tests/oracle.py, which shares no code with
lumpnet. Fails when a sampled |f_j - g_j| exceeds the ball's certified
bound on output j, or when a ball said to keep its class has a sampled point
where f or g predicts another class than f at the centre. Prints the seed
and the tightness (certified / sampled)."""
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402  (skips with 77 without onnx/numpy)

SAMPLES = 60


def main():
    fpath, gpath, pts, radius, lo, hi, rep = sys.argv[1:8]
    radius, lo, hi = float(radius), float(lo), float(hi)
    seed = int(os.environ.get("LUMPNET_SEED", "20261206"))
    print(f"relax_local: seed {seed} (LUMPNET_SEED to change)")
    rng = random.Random(seed)
    f = oracle.onnx.load(fpath)
    g = oracle.onnx.load(gpath)
    with open(rep) as fh:
        local = json.load(fh)["local"]
    rows = [[float(v) for v in line.strip().split(",")[:-1]]
            for line in open(pts) if line.strip()]
    balls = local["balls"]
    if len(balls) != len(rows):
        sys.exit(f"FAIL: {len(balls)} balls reported for {len(rows)} points")
    worst_ratio, smax, bmax, nun = 0.0, 0.0, 0.0, 0
    for p, (x, ball) in enumerate(zip(rows, balls)):
        blo = [max(v - radius, lo) for v in x]
        bhi = [min(v + radius, hi) for v in x]
        bound = ball["bound"]
        centre = [min(max(v, a), b) for v, a, b in zip(x, blo, bhi)]
        fc = oracle.onnx_eval(f, centre)
        cls = max(range(len(fc)), key=lambda j: fc[j])
        for t in range(SAMPLES + 1):
            if t == 0:
                xs = centre
            elif t % 2:
                xs = [a + (b - a) * rng.random() for a, b in zip(blo, bhi)]
            else:
                xs = [a if rng.random() < 0.5 else b for a, b in zip(blo, bhi)]
            yf = oracle.onnx_eval(f, xs)
            yg = oracle.onnx_eval(g, xs)
            for j, (a, b) in enumerate(zip(yf, yg)):
                d = abs(a - b)
                smax = max(smax, d)
                # numpy's float64 evaluation differs from the exact value by
                # far less than this slack; the bound is for the exact one
                if d > bound[j] * (1 + 1e-9) + 1e-9:
                    sys.exit(f"FAIL: ball {p}, output {j}: sampled |f - g| = {d!r} exceeds "
                             f"the certified bound {bound[j]!r}")
            if ball.get("unchanged"):
                for name, y in (("f", yf), ("g", yg)):
                    c = max(range(len(y)), key=lambda j: y[j])
                    if c != cls:
                        sys.exit(f"FAIL: ball {p} is certified unchanged (class {cls}) but "
                                 f"{name} predicts {c} at a sampled point")
            if ball.get("robust_original"):
                c = max(range(len(yf)), key=lambda j: yf[j])
                if c != cls:
                    sys.exit(f"FAIL: ball {p}: the original is certified robust (class {cls}) "
                             f"but predicts {c} at a sampled point")
        nun += bool(ball.get("unchanged"))
        bmax = max(bmax, max(bound))
    if smax <= 0:
        sys.exit("FAIL: no difference sampled at all: the oracle checked nothing")
    print(f"relax_local: {len(balls)} balls, {SAMPLES + 1} samples each: largest sampled "
          f"{smax:.6g} <= largest certified {bmax:.6g} (ratio {bmax / smax:.3g}); "
          f"{nun} balls certified unchanged, none contradicted")


main()
