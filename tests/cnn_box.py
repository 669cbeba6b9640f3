#!/usr/bin/env python3
"""Helpers of tests/cnn_box.sh (standard library only).

  cnn_box.py points PROP.vnnlib SEED CORNERS RANDOM
      exact points of the property's input box, one per line, as p/q
      rationals: the centre, CORNERS random corners, RANDOM random points
  cnn_box.py same A.txt B.txt
      the two `eval --exact` outputs are equal line by line (exit 1 naming
      the first differing point and output)
  cnn_box.py tamper KIND CERT.json OUT.json
      a tampered copy of a graph box certificate; KIND is
      uncovered   -- one entry of the first cut is no longer listed inactive
      extra       -- one more channel is cut (its entries not proven)
      smallbox    -- (an interval certificate) its box no longer holds the box
      bound       -- the upper bound of an inactive neuron is lowered below
                     what interval arithmetic or its LP evidence proves
  cnn_box.py weight NET.json OUT.json
      a copy of a lumpnet-graph JSON network with one weight of its first
      Conv or dense node changed
"""
import base64
import json
import random
import struct
import sys
from fractions import Fraction
from vnnlib_box import read_box


def q(v):
    return "%d/%d" % (v.numerator, v.denominator)


def cmd_points(prop, seed, corners, rand):
    lo, hi = read_box(prop)
    rng = random.Random(seed)
    pts = [[(a + b) / 2 for a, b in zip(lo, hi)]]
    for _ in range(corners):
        pts.append([a if rng.random() < 0.5 else b for a, b in zip(lo, hi)])
    for _ in range(rand):
        pts.append([a + (b - a) * Fraction(rng.randint(0, 1000), 1000) for a, b in zip(lo, hi)])
    for x in pts:
        print(",".join(q(v) for v in x))


def cmd_same(a, b):
    la, lb = open(a).read().split("\n"), open(b).read().split("\n")
    if len(la) != len(lb):
        sys.exit("%d output lines against %d" % (len(la), len(lb)))
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            xs, ys = x.split(","), y.split(",")
            j = next(k for k in range(min(len(xs), len(ys))) if xs[k] != ys[k]) \
                if len(xs) == len(ys) else -1
            sys.exit("point %d differs (output %d: %s against %s)"
                     % (i, j, xs[j] if j >= 0 else x, ys[j] if j >= 0 else y))


def cmd_tamper(kind, src, dst):
    c = json.load(open(src))
    cut = c["cuts"][0]
    step = c["unrolled"]["steps"][0]["stable"]["layers"] if "unrolled" in c else None
    if kind == "smallbox":
        # an interval certificate (no unrolled part) for a box that does
        # not hold the one checked: its first input's lower end raised
        iv = c["intervals"]
        lo, hi = Fraction(iv["lo"][0]), Fraction(iv["hi"][0])
        iv["lo"][0] = q(lo + (hi - lo) / 2)
    elif kind == "uncovered":
        # the layer holding the first cut's neurons: the first with inactive ones
        # consistently: the closing trivial lumping gains the neuron back,
        # so that only the graph checker's own test can catch it
        i = next(k for k, L in enumerate(step) if L.get("inactive"))
        step[i]["inactive"] = step[i]["inactive"][1:]
        lay = c["unrolled"]["steps"][1]["lumping"]["layers"][i]
        lay["blocks"].append({"members": [lay["size"]], "scales": ["1"]})
        lay["size"] += 1
    elif kind == "extra":
        have = set(cut["channels"])
        cut["channels"] = sorted(have | {next(k for k in range(10 ** 6) if k not in have)})
    elif kind == "bound":
        lay = next(L for L in step if L.get("inactive"))
        v = lay["inactive"][0]
        lay["hi"][v] = q(Fraction(lay["hi"][v]) - 1000)
    else:
        sys.exit("unknown tampering " + kind)
    json.dump(c, open(dst, "w"))


def cmd_weight(src, dst):
    g = json.load(open(src))
    for n in g["nodes"]:
        w = n.get("weight")
        if n.get("op") not in ("conv", "dense") or not w:
            continue
        if isinstance(w, list):
            w[0] = q(Fraction(w[0]) + Fraction(1, 8))
        else:  # {"float32": base64} or {"float64": base64}, little-endian
            key = next(iter(w))
            fmt = "<f" if key == "float32" else "<d"
            raw = bytearray(base64.b64decode(w[key]))
            size = struct.calcsize(fmt)
            v = struct.unpack(fmt, raw[:size])[0] + 0.125
            raw[:size] = struct.pack(fmt, v)
            w[key] = base64.b64encode(bytes(raw)).decode()
        break
    else:
        sys.exit("no conv or dense weight found")
    json.dump(g, open(dst, "w"))


def main(argv):
    cmd = argv[1]
    if cmd == "points":
        cmd_points(argv[2], int(argv[3]), int(argv[4]), int(argv[5]))
    elif cmd == "same":
        cmd_same(argv[2], argv[3])
    elif cmd == "tamper":
        cmd_tamper(argv[2], argv[3], argv[4])
    elif cmd == "weight":
        cmd_weight(argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
