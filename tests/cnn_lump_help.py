#!/usr/bin/env python3
"""cnn_lump_help.py -- the parts of tests/cnn_lump.sh that need Python:
compare channel counts, make random rational points, tamper with a
certificate or a quotient, make a malformed certificate, change a bias.
Independent of lumpnet (json, numpy, onnx)."""
import base64
import json
import random
import sys

import numpy as np


def counts(info_path, reduce_path):
    info = json.load(open(info_path))
    red = json.load(open(reduce_path))
    want = [n["shape"][0] for n in info["nodes"] if n["op"] == "conv"]
    got = [n["after"] for n in red["per_node"] if n["op"] == "conv"]
    before = [n["before"] for n in red["per_node"] if n["op"] == "conv"]
    if want != got:
        sys.exit("convolution channels after reduce %s, original %s (planted %s)"
                 % (got, want, before))
    if before == want:
        sys.exit("nothing was planted")


def points(onnx_path, seed):
    import onnx
    m = onnx.load(onnx_path)
    dims = [d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim][1:]
    n = int(np.prod(dims))
    rng = random.Random(int(seed))
    for _ in range(2):
        print(",".join("%d/%d" % (rng.randint(-1000, 1000), rng.randint(1, 997))
                       for _ in range(n)))


def tamper(kind, cert, quot, cert_out, quot_out):
    c = json.load(open(cert))
    q = json.load(open(quot))
    done = False
    for node in c["nodes"]:
        blocks = node["block"]
        for u, b in enumerate(blocks):
            rep = blocks.index(b)
            if rep == u:
                continue
            if kind == "scale":
                node["scale"][u] = "3/7" if node["scale"][u] != "3/7" else "5/7"
            elif kind == "block":
                # an earlier block whose representative is below u
                other = [x for x in set(blocks[:u]) if x != b]
                if not other:
                    continue
                blocks[u] = other[0]
            done = kind in ("scale", "block")
            break
        if done:
            break
    if kind == "weight":
        for node in q["nodes"]:
            if node.get("op") == "conv":
                w = node["weight"]
                if isinstance(w, dict):
                    key = list(w)[0]
                    dt = np.float32 if key == "float32" else np.float64
                    a = np.frombuffer(base64.b64decode(w[key]), dtype=dt).copy()
                    a[0] = a[0] + dt(0.5)
                    w[key] = base64.b64encode(a.tobytes()).decode()
                else:
                    w[0] = "1/3" if w[0] != "1/3" else "1/5"
                done = True
                break
    if not done:
        sys.exit("nothing to tamper with (%s)" % kind)
    json.dump(c, open(cert_out, "w"))
    json.dump(q, open(quot_out, "w"))


def malformed(cert, out):
    c = json.load(open(cert))
    c["nodes"][1]["scale"][0] = [1, 2]
    json.dump(c, open(out, "w"))


def bias(onnx_path, out):
    import onnx
    from onnx import numpy_helper
    m = onnx.load(onnx_path)
    last = m.graph.node[-1]
    for init in m.graph.initializer:
        if init.name == last.input[2]:
            a = numpy_helper.to_array(init).copy()
            a[0] += np.float32(1)
            init.CopyFrom(numpy_helper.from_array(a, init.name))
            onnx.save(m, out)
            return
    sys.exit("no bias on the last node")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {"counts": counts, "points": points, "tamper": tamper, "malformed": malformed,
     "bias": bias}[cmd](*args)


if __name__ == "__main__":
    main()
