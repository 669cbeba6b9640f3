#!/usr/bin/env python3
"""cnn_io.py -- ONNX -> JSON -> ONNX of lumpnet's graph (CNN) networks
(issue #15, acceptance 2), checked with the onnx package and the
independent PyTorch reference of cnn_ref.py.

  cnn_io.py roundtrip LUMPNET TMPDIR NET.onnx PROP.vnnlib [-- NET.onnx PROP]...
  cnn_io.py synth LUMPNET TMPDIR          the same on cnn_ref's synthetic networks
  cnn_io.py malformed LUMPNET TMPDIR NET.onnx   broken graph JSON: exit 2, one line

For each network: convert NET.onnx to JSON, the JSON to ONNX and that ONNX
to JSON again; both JSON texts must be byte-identical, and so must a JSON
read and written again. The written ONNX must pass
onnx.checker.check_model(full_check=True), keep the number of Conv nodes,
the input and output names and shapes (with a symbolic batch dimension);
`eval --exact` of the original, the JSON and the written ONNX must print
the same rationals at the box centre and 2 random points, and the torch
reference on the written file must agree with it on the original to 1e-9
relative at the centre and CNN_POINTS (default 3) random points.
Seeded by LUMPNET_SEED (default 15; printed).
"""
import base64
import filecmp
import json
import os
import random
import struct
from fractions import Fraction
import sys

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cnn_ref  # noqa: E402  (the torch reference, boxes, points)

SEED = cnn_ref.SEED
POINTS = cnn_ref.POINTS
RTOL = 1e-9


def run(lum, args):
    """lumpnet ARGS, which must succeed silently on stderr (a convert that
    rounded a value would say so there)."""
    rc, out, err = cnn_ref.lumpnet(lum, args)
    if rc != 0 or err:
        raise SystemExit("lumpnet %s: exit %d: %s" % (" ".join(args), rc, err.strip()))
    return out


def iface(m):
    g = m.graph
    inits = {t.name for t in g.initializer}
    inp = [i for i in g.input if i.name not in inits]
    assert len(inp) == 1
    shape = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]  # noqa
    return inp[0].name, shape(inp[0]), g.output[0].name, shape(g.output[0])


def roundtrip(lum, tmp, net, pts_exact, pts_torch):
    base = os.path.join(tmp, os.path.basename(net)[:-5])
    j1, o1, j2, j3 = base + ".json", base + ".w.onnx", base + ".2.json", base + ".3.json"
    run(lum, ["convert", net, j1])
    run(lum, ["convert", j1, o1])
    run(lum, ["convert", o1, j2])
    run(lum, ["convert", j1, j3])
    if not filecmp.cmp(j1, j2, shallow=False):
        raise SystemExit("%s: JSON -> ONNX -> JSON is not byte-identical" % net)
    if not filecmp.cmp(j1, j3, shallow=False):
        raise SystemExit("%s: JSON read and written again is not byte-identical" % net)
    if json.load(open(j1))["format"] != "lumpnet-graph":
        raise SystemExit("%s: the JSON is not a graph document" % net)
    m0, m1 = onnx.load(net), onnx.load(o1)
    onnx.checker.check_model(m1, full_check=True)
    conv0 = sum(n.op_type == "Conv" for n in m0.graph.node)
    conv1 = sum(n.op_type == "Conv" for n in m1.graph.node)
    if conv1 != conv0:
        raise SystemExit("%s: %d Conv nodes written, the original has %d" % (net, conv1, conv0))
    i0, s0, u0, t0 = iface(m0)
    i1, s1, u1, t1 = iface(m1)
    if (i0, u0) != (i1, u1) or s0[1:] != s1[1:] or t0[1:] != t1[1:]:
        raise SystemExit("%s: interface %s -> %s written as %s -> %s"
                         % (net, (i0, s0), (u0, t0), (i1, s1), (u1, t1)))
    if not isinstance(s1[0], str) or not s1[0] or not isinstance(t1[0], str):
        raise SystemExit("%s: the batch dimension is not symbolic: %s, %s" % (net, s1, t1))
    names0 = {n.name for n in m0.graph.node if n.name}
    names1 = {n.name for n in m1.graph.node}
    kept = [n.name for n in m0.graph.node if n.op_type in ("Conv", "Relu") and n.name]
    if any(k not in names1 for k in kept):
        raise SystemExit("%s: node names lost: %s" % (net, [k for k in kept if k not in names1]))
    for i, x in enumerate(pts_exact):
        outs = [run(lum, ["eval", "--exact", f, "--input", ",".join(x)]) for f in (net, j1, o1)]
        if not outs[0] == outs[1] == outs[2]:
            raise SystemExit("%s: point %d: eval --exact differs: original %.80s, JSON %.80s, "
                             "written ONNX %.80s" % (net, i, outs[0], outs[1], outs[2]))
    xs = [[float(v) for v in x] for x in pts_torch]
    ref0, ref1 = cnn_ref.torch_eval(net, xs), cnn_ref.torch_eval(o1, xs)
    worst = 0.0
    for i in range(len(xs)):
        scale = max(1.0, float(np.max(np.abs(ref0[i]))))
        rel = float(np.max(np.abs(ref1[i] - ref0[i]))) / scale
        worst = max(worst, rel)
        if not rel <= RTOL:
            raise SystemExit("%s: point %d: torch on the written ONNX %s, on the original %s"
                             % (net, i, ref1[i], ref0[i]))
    print("%s: JSON %d bytes, ONNX %d -> %d bytes, %d Conv, %d of %d node names kept, "
          "eval --exact equal at %d points, torch equal to %.1e at %d points (seed %d)"
          % (os.path.basename(net), os.path.getsize(j1), os.path.getsize(net),
             os.path.getsize(o1), conv1, len(names0 & names1), len(names0), len(pts_exact),
             worst, len(xs), SEED))


def cmd_roundtrip(lum, tmp, groups):
    for gr in groups:
        net, prop = gr[0], gr[1]
        rng = random.Random(SEED)
        box = cnn_ref.read_box(prop)
        roundtrip(lum, tmp, net, cnn_ref.points(box, rng, 2), cnn_ref.points(box, rng, POINTS))


def cmd_synth(lum, tmp):
    rng = np.random.default_rng(SEED)
    for path, pwl in cnn_ref.synth_models(tmp, rng):
        n = json.loads(run(lum, ["info", "--json", path]))["inputs"]
        pts = [[repr(float(v)) for v in rng.uniform(-1, 1, n)] for _ in range(3)]
        roundtrip(lum, tmp, path, pts if pwl else [], pts)


def handmade(rng, scale):
    """A graph JSON document using what the ONNX readers never produce: an
    index map that is no transpose, exact rational (not float-stored)
    weights, a dense layer on a 3-D tensor, a Concat of four inputs, a
    grouped convolution, asymmetric Pad; SCALE gives the affine scales."""
    q = lambda k, d: "%d/%d" % (k, d)  # noqa: E731
    vals = lambda n, d: [q(rng.randint(-9, 9), d) for _ in range(n)]  # noqa: E731
    nodes = [
        {"op": "input", "name": "x", "shape": [2, 3, 3]},
        {"op": "gather", "inputs": [0], "shape": [4, 5], "map": [rng.randrange(18) for _ in range(20)]},
        {"op": "dense", "name": "d1", "inputs": [1], "shape": [3], "weight": vals(60, 8),
         "bias": vals(3, 4)},
        {"op": "act", "inputs": [2], "shape": [3], "activation": "leaky_relu", "alpha": "1/8"},
        {"op": "concat", "inputs": [3, 3, 3, 3], "shape": [12]},
        {"op": "affine", "name": "aff", "inputs": [4], "shape": [12], "scale": scale,
         "shift": vals(12, 16)},
        {"op": "reshape", "inputs": [5], "shape": [3, 2, 2]},
        {"op": "add", "inputs": [6, 6], "shape": [3, 2, 2]},
        {"op": "conv", "name": "c1", "inputs": [7], "shape": [3, 2, 2], "kernel": [1, 1],
         "strides": [1, 1], "pads": [0, 0, 0, 0], "dilations": [1, 1], "group": 3,
         "weight": ["1/2", "-3", "5/4"]},
        {"op": "maxpool", "inputs": [8], "shape": [3, 1, 1], "kernel": [2, 2], "strides": [1, 1],
         "pads": [0, 0, 0, 0], "dilations": [1, 1]},
        {"op": "pad", "inputs": [9], "shape": [3, 2, 3], "pads": [0, 0, 1, 0, 1, 1]},
        {"op": "avgpool", "inputs": [10], "shape": [3, 3, 4], "kernel": [2, 2],
         "strides": [1, 1], "pads": [1, 1, 1, 1], "dilations": [1, 1],
         "count_include_pad": True},
        {"op": "dense", "name": "out", "inputs": [11], "shape": [2], "weight": vals(72, 4)},
    ]
    return {"format": "lumpnet-graph", "version": 1, "output": len(nodes) - 1, "nodes": nodes}


def cmd_handmade(lum, tmp):
    """Handmade graph JSON to ONNX: exact where every value is a float32
    (or the reciprocal of one), the rounding said where not."""
    rng = random.Random(SEED)
    exact = [q for q in ("1/4", "-3/2", "1/3", "2", "1/5", "-1", "3/8", "1/7", "5", "-1/9",
                         "1/2", "7/4")]
    recip = ["1/3", "-1/5", "1/7", "2/3", "1/9", "-1/11", "1/13", "4/3", "1/6", "1/10", "1/12",
             "-1/14"]
    cases = (("handmade_recip", recip, False), ("handmade_thirds", exact, True),
             ("handmade_dyadic", ["1/4", "-3/2", "1", "2"] * 3, False))
    for name, scale, rounds in cases:
        doc = handmade(random.Random(SEED), scale)
        j, o = os.path.join(tmp, name + ".json"), os.path.join(tmp, name + ".onnx")
        with open(j, "w") as f:
            json.dump(doc, f)
        rc, out, err = cnn_ref.lumpnet(lum, ["convert", j, o])
        if rc != 0 or (len(err.strip().splitlines()) == 1 and "rounded" in err) != rounds:
            raise SystemExit("%s: convert: exit %d, stderr %r (a rounding warning %sexpected)"
                             % (name, rc, err, "" if rounds else "not "))
        m = onnx.load(o)
        onnx.checker.check_model(m, full_check=True)
        ops = [n.op_type for n in m.graph.node]
        for op in ("Gather", "Flatten", "Gemm", "LeakyRelu", "Concat", "Add", "Reshape", "Conv",
                   "MaxPool", "Pad", "AveragePool", "Div" if name == "handmade_recip" else "Mul"):
            if op not in ops:
                raise SystemExit("%s: no %s node in the written ONNX (%s)" % (name, op, ops))
        elem = m.graph.input[0].type.tensor_type.elem_type
        if elem != (onnx.TensorProto.DOUBLE if rounds else onnx.TensorProto.FLOAT):
            raise SystemExit("%s: element type %d" % (name, elem))
        pts = [[repr(rng.uniform(-1, 1)) for _ in range(18)] for _ in range(3)]
        for x in pts:
            a = run(lum, ["eval", "--exact", j, "--input", ",".join(x)])
            b = run(lum, ["eval", "--exact", o, "--input", ",".join(x)])
            fa = np.array([float(Fraction(v)) for v in a.split(",")])
            fb = np.array([float(Fraction(v)) for v in b.split(",")])
            if (not rounds and a != b) or not np.max(np.abs(fa - fb)) <= 1e-12 * max(
                    1.0, float(np.max(np.abs(fa)))):
                raise SystemExit("%s: eval --exact JSON %s, ONNX %s" % (name, a, b))
        got = np.array([[float(v) for v in run(lum, ["eval", j, "--input", ",".join(x)])
                         .split(",")] for x in pts])
        ref = cnn_ref.torch_eval(o, [[float(v) for v in x] for x in pts])
        rel = float(np.max(np.abs(got - ref))) / max(1.0, float(np.max(np.abs(ref))))
        if not rel <= (1e-6 if rounds else RTOL):
            raise SystemExit("%s: torch on the written ONNX differs by %.3g" % (name, rel))
        o2, j2 = os.path.join(tmp, name + ".2.onnx"), os.path.join(tmp, name + ".2.json")
        run(lum, ["convert", o, j2])
        run(lum, ["convert", j2, o2])
        if not filecmp.cmp(o, o2, shallow=False):
            raise SystemExit("%s: ONNX -> JSON -> ONNX is not byte-identical" % name)
        print("%s: %s, %s; eval --exact %s at 3 points, torch within %.1e; ONNX -> JSON -> "
              "ONNX byte-identical" % (name, "float64" if rounds else "float32",
                                       "rounding reported" if rounds else "nothing rounded",
                                       "within 1e-12 (rounded)" if rounds else "equal", rel))


# Each case: a change to the JSON document of a small CNN, the place and
# the problem the one-line message must name.
def bad_cases(doc):
    conv = next(i for i, n in enumerate(doc["nodes"]) if n["op"] == "conv")
    relu = next(i for i, n in enumerate(doc["nodes"]) if n["op"] == "act")
    dense = next(i for i, n in enumerate(doc["nodes"]) if n["op"] == "dense")
    c = "nodes[%d]" % conv

    def edit(f):
        d = json.loads(json.dumps(doc))
        f(d)
        return d

    def trunc(d):
        s = d["nodes"][conv]["weight"]["float32"]
        d["nodes"][conv]["weight"]["float32"] = s[:-8]

    def nan(d):
        w = d["nodes"][conv]["weight"]
        b = bytearray(base64.b64decode(w["float32"]))
        b[0:4] = struct.pack("<f", float("nan"))
        w["float32"] = base64.b64encode(bytes(b)).decode()

    def real(d):
        d["nodes"][dense]["bias"] = [0.5] * d["nodes"][dense]["shape"][0]

    return [
        ("truncated_weight", edit(trunc), c + ".weight.float32", "expected 684 (128 values"),
        ("nan_weight", edit(nan), c + ".weight.float32", "not finite"),
        ("conv_shape", edit(lambda d: d["nodes"][conv]["shape"].__setitem__(1, 99)),
         c, "does not follow from the input"),
        ("forward_input", edit(lambda d: d["nodes"][conv].__setitem__("inputs", [conv + 1])),
         c + ".inputs[0]", "over the limit"),
        ("unknown_op", edit(lambda d: d["nodes"][relu].__setitem__("op", "softplus")),
         "nodes[%d].op" % relu, "expected"),
        ("stray_key", edit(lambda d: d["nodes"][relu].__setitem__("weight", [])),
         "nodes[%d]" % relu, "unknown key"),
        ("leaky_without_alpha", edit(lambda d: d["nodes"][relu].__setitem__("activation",
                                                                            "leaky_relu")),
         "nodes[%d]" % relu, "alpha"),
        ("real_bias", edit(real), "nodes[%d].bias[0]" % dense, "real number"),
        ("output_range", edit(lambda d: d.__setitem__("output", len(d["nodes"]))),
         "output", "over the limit"),
        ("no_input", edit(lambda d: d["nodes"][0].__setitem__("op", "reshape")),
         "nodes[0]", "input"),
        ("group", edit(lambda d: d["nodes"][conv].__setitem__("group", 5)),
         c, "group"),
    ]


def cmd_malformed(lum, tmp, net):
    j = os.path.join(tmp, "base.json")
    run(lum, ["convert", net, j])
    doc = json.load(open(j))
    for name, d, where, what in bad_cases(doc):
        path = os.path.join(tmp, name + ".json")
        with open(path, "w") as f:
            json.dump(d, f)
        for args in (["info", path], ["convert", path, os.path.join(tmp, "out.onnx")]):
            rc, out, err = cnn_ref.lumpnet(lum, args)
            lines = err.strip().splitlines()
            if rc != 2 or out or len(lines) != 1 or (path + ": " + where) not in err \
                    or what not in err:
                raise SystemExit("%s (%s): exit %d, stderr %r; expected exit 2 and one line "
                                 "'%s: %s: ...%s...'" % (name, args[0], rc, err, path, where,
                                                          what))
            if os.path.exists(os.path.join(tmp, "out.onnx")):
                raise SystemExit("%s: convert left an output behind" % name)
        print("%s: %s" % (name, lines[0]))


def main():
    cmd, lum, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
    groups, cur = [], []
    for a in sys.argv[4:] + ["--"]:
        if a == "--":
            groups.append(cur)
            cur = []
        else:
            cur.append(a)
    if cmd == "roundtrip":
        cmd_roundtrip(lum, tmp, groups)
    elif cmd == "synth":
        cmd_synth(lum, tmp)
    elif cmd == "handmade":
        cmd_handmade(lum, tmp)
    elif cmd == "malformed":
        cmd_malformed(lum, tmp, sys.argv[4])
    else:
        raise SystemExit("unknown command %s" % cmd)


if __name__ == "__main__":
    main()
