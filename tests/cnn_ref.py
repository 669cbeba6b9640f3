#!/usr/bin/env python3
"""cnn_ref.py -- independent references for lumpnet's graph (CNN) model.

The reference reads the ONNX file with the `onnx` package and evaluates it
with PyTorch's torch.nn.functional in float64 (no lumpnet code), and with
Python's fractions for exact values. Input boxes come from the VNN-LIB files,
parsed here.

  cnn_ref.py eval LUMPNET NET.onnx PROP.vnnlib... [-- NET.onnx PROP...]...
      double evaluation and params check
  cnn_ref.py exact LUMPNET NET.onnx PROP.vnnlib [-- NET.onnx PROP.vnnlib]...
      eval --exact vs fractions at 3 points
  cnn_ref.py synth LUMPNET TMPDIR                    small random networks using
      every other operator and attribute, double and --exact against torch
  cnn_ref.py malformed LUMPNET NET.onnx TMPDIR       bad files refused cleanly

Random points are seeded (LUMPNET_SEED, default 15; printed) and
CNN_POINTS (default 3) per property besides the box centre.
"""
import json
import os
import random
import subprocess
import sys
from fractions import Fraction

import numpy as np
import onnx
from onnx import helper, numpy_helper
from vnnlib_box import read_box

SEED = int(os.environ.get("LUMPNET_SEED", "15"))
POINTS = int(os.environ.get("CNN_POINTS", "3"))
RTOL = 1e-9
DTYPE = "float64"  # bench/bench_cnn_torch.py times float32 too


def attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def load(path):
    m = onnx.load(path)
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    opset = max([o.version for o in m.opset_import if o.domain in ("", "ai.onnx")] or [1])
    return m, inits, opset


def used_params(m, inits):
    """Float initializer values that the nodes read (shapes are not weights)."""
    names = {i for n in m.graph.node for i in n.input}
    return sum(v.size for k, v in inits.items()
               if k in names and v.dtype in (np.float32, np.float64))


def torch_eval(path, xs, tensor=False):
    """The network at the points XS (list of lists of floats), float64; when
    TENSOR, XS is a float64 torch tensor (one row a point, gradients flow)
    and so is the result."""
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(1)
    m, inits, opset = load(path)
    g = m.graph
    inames = {t.name for t in g.initializer}
    inp = [i for i in g.input if i.name not in inames][0]
    dims = [d.dim_value for d in inp.type.tensor_type.shape.dim][1:]
    env = {k: torch.tensor(v.astype(DTYPE) if v.dtype != np.int64 else v)
           for k, v in inits.items()}
    x0 = xs if tensor else torch.tensor(np.array(xs, dtype=DTYPE))
    env[inp.name] = x0.reshape([len(xs)] + dims)

    def sym(p):  # ONNX pads [t, l, b, r] -> torch F.pad (l, r, t, b)
        return (p[1], p[3], p[0], p[2])

    for n in g.node:
        a = attrs(n)
        x = [env[i] if i else None for i in n.input]
        op = n.op_type
        if op == "Constant":
            y = torch.tensor(numpy_helper.to_array(a["value"]))
            if y.dtype in (torch.float32, torch.float64):
                y = y.to(getattr(torch, DTYPE))
        elif op == "Conv":
            p = a.get("pads", [0, 0, 0, 0])
            xin = F.pad(x[0], sym(p))
            y = F.conv2d(xin, x[1], x[2] if len(x) > 2 else None, stride=a.get("strides", [1, 1]),
                         dilation=a.get("dilations", [1, 1]), groups=a.get("group", 1))
        elif op == "Gemm":
            b = x[1].T if a.get("transB", 0) else x[1]
            y = a.get("alpha", 1.0) * (x[0] @ b)
            if len(x) > 2 and x[2] is not None:
                y = y + a.get("beta", 1.0) * x[2]
        elif op == "MatMul":
            y = x[0] @ x[1]
        elif op == "Add":
            y = x[0] + x[1]
        elif op == "Sub":
            y = x[0] - x[1]
        elif op == "Mul":
            y = x[0] * x[1]
        elif op == "Div":
            y = x[0] / x[1]
        elif op == "Relu":
            y = F.relu(x[0])
        elif op == "Sigmoid":
            y = torch.sigmoid(x[0])
        elif op == "Tanh":
            y = torch.tanh(x[0])
        elif op == "LeakyRelu":
            y = F.leaky_relu(x[0], float(np.float32(a.get("alpha", 0.01))))
        elif op in ("AveragePool", "MaxPool"):
            p = a.get("pads", [0, 0, 0, 0])
            assert p[0] == p[2] and p[1] == p[3], "asymmetric pool pads"
            if op == "MaxPool":
                y = F.max_pool2d(x[0], a["kernel_shape"], a.get("strides", [1, 1]), (p[0], p[1]),
                                 a.get("dilations", [1, 1]))
            else:
                y = F.avg_pool2d(x[0], a["kernel_shape"], a.get("strides", [1, 1]), (p[0], p[1]),
                                 count_include_pad=bool(a.get("count_include_pad", 0)))
        elif op == "GlobalAveragePool":
            y = F.adaptive_avg_pool2d(x[0], 1)
        elif op == "Pad":
            p = list(a["pads"]) if opset < 11 else [int(v) for v in x[1]]
            r = len(p) // 2
            tp = []
            for d in reversed(range(r)):
                tp += [p[d], p[d + r]]
            y = F.pad(x[0], tp)
        elif op == "Flatten":
            y = torch.flatten(x[0], a.get("axis", 1))
        elif op == "Reshape":
            shape = [int(v) for v in x[1]]
            shape = [x[0].shape[i] if v == 0 else v for i, v in enumerate(shape)]
            y = x[0].reshape(shape)
        elif op == "Transpose":
            y = x[0].permute(a["perm"])
        elif op == "Concat":
            y = torch.cat(x, a["axis"])
        elif op == "Gather":
            y = torch.from_numpy(np.take(x[0].numpy(), x[1].numpy().astype(np.int64),
                                         axis=a.get("axis", 0)))
        elif op in ("Identity", "Dropout"):
            y = x[0]
        else:
            raise SystemExit("reference: operator %s not implemented" % op)
        env[n.output[0]] = y
    y = env[g.output[0].name].reshape(len(xs), -1)
    return y if tensor else y.numpy()


def points(box, rng, k):
    """The box centre and K random points, as decimal strings that the
    lumpnet CLI and the references read alike."""
    lo, hi = box
    pts = [[repr(float((a + b) / 2)) for a, b in zip(lo, hi)]]
    for _ in range(k):
        pts.append([repr(float(a) + rng.random() * (float(b) - float(a))) for a, b in zip(lo, hi)])
    return pts


def lumpnet(lum, args, tmp=None):
    r = subprocess.run([lum] + args, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def cmd_eval(lum, net, props):
    m, inits, _ = load(net)
    rc, out, err = lumpnet(lum, ["info", "--json", net])
    if rc != 0:
        raise SystemExit("%s: info failed: %s" % (net, err))
    info = json.loads(out)
    want = used_params(m, inits)
    if info["params"] != want:
        raise SystemExit("%s: info params %d, the file's initializers used: %d"
                         % (net, info["params"], want))
    rng = random.Random(SEED)
    pts = []
    for p in props:
        pts += points(read_box(p), rng, POINTS)
    if len(pts[0]) != info["inputs"]:
        raise SystemExit("%s: %d inputs in the box, %d in the network"
                         % (net, len(pts[0]), info["inputs"]))
    tmp = os.environ.get("TMPDIR_CNN", "/tmp")
    f = os.path.join(tmp, "cnn_points.txt")
    with open(f, "w") as fh:
        for x in pts:
            fh.write(",".join(x) + "\n")
    rc, out, err = lumpnet(lum, ["eval", net, "--inputs", f])
    if rc != 0:
        raise SystemExit("%s: eval failed: %s" % (net, err))
    got = np.array([[float(v) for v in line.split(",")] for line in out.split()])
    ref = torch_eval(net, [[float(v) for v in x] for x in pts])
    worst = 0.0
    for i in range(len(pts)):
        scale = max(1.0, float(np.max(np.abs(ref[i]))))
        rel = float(np.max(np.abs(got[i] - ref[i]))) / scale
        worst = max(worst, rel)
        if not rel <= RTOL:
            raise SystemExit("%s: point %d: lumpnet %s, torch %s (relative difference %.3g)"
                             % (net, i, got[i], ref[i], rel))
    print("%s: params %d, %d points (%d properties, seed %d): largest relative difference %.2e"
          % (os.path.basename(net), want, len(pts), len(props), SEED, worst))


def fr_eval(net, x):
    """The network at X (Fractions) in exact rationals: plain loops over
    Fractions, the verivital operators only (Conv, Relu, Pad, pools,
    Flatten, Gemm)."""
    m, inits, opset = load(net)
    g = m.graph
    inames = {t.name for t in g.initializer}
    inp = [i for i in g.input if i.name not in inames][0]
    c, h, w = [d.dim_value for d in inp.type.tensor_type.shape.dim][1:]
    t = [[[x[(ci * h + yy) * w + xx] for xx in range(w)] for yy in range(h)] for ci in range(c)]
    env = {inp.name: t}
    fr = lambda a: [Fraction(float(v)) for v in a.reshape(-1)]  # noqa: E731 (exact: floats are dyadic)
    for n in g.node:
        a = attrs(n)
        x0 = env.get(n.input[0])
        if n.op_type == "Conv":
            W = inits[n.input[1]]
            co, ci, kh, kw = W.shape
            wf = fr(W)
            bf = fr(inits[n.input[2]]) if len(n.input) > 2 else [Fraction(0)] * co
            st = a.get("strides", [1, 1])
            p = a.get("pads", [0, 0, 0, 0])
            H, Wd = len(x0[0]), len(x0[0][0])
            oh = (H + p[0] + p[2] - kh) // st[0] + 1
            ow = (Wd + p[1] + p[3] - kw) // st[1] + 1
            y = []
            for o in range(co):
                plane = []
                for oy in range(oh):
                    row = []
                    for ox in range(ow):
                        s = bf[o]
                        for i in range(ci):
                            for ky in range(kh):
                                iy = oy * st[0] + ky - p[0]
                                if not 0 <= iy < H:
                                    continue
                                for kx in range(kw):
                                    ix = ox * st[1] + kx - p[1]
                                    if 0 <= ix < Wd:
                                        s += wf[((o * ci + i) * kh + ky) * kw + kx] * x0[i][iy][ix]
                        row.append(s)
                    plane.append(row)
                y.append(plane)
        elif n.op_type == "Relu":
            y = [[[v if v > 0 else Fraction(0) for v in r] for r in pl] for pl in x0]
        elif n.op_type == "Pad":
            p = a["pads"]
            assert not any(p), "fractions reference: only an empty Pad"
            y = x0
        elif n.op_type in ("AveragePool", "MaxPool"):
            k = a["kernel_shape"]
            st = a.get("strides", [1, 1])
            assert not any(a.get("pads", [0, 0, 0, 0]))
            H, Wd = len(x0[0]), len(x0[0][0])
            y = []
            for pl in x0:
                out = []
                for oy in range((H - k[0]) // st[0] + 1):
                    row = []
                    for ox in range((Wd - k[1]) // st[1] + 1):
                        win = [pl[oy * st[0] + i][ox * st[1] + j]
                               for i in range(k[0]) for j in range(k[1])]
                        row.append(max(win) if n.op_type == "MaxPool"
                                   else sum(win, Fraction(0)) / len(win))
                    out.append(row)
                y.append(out)
        elif n.op_type == "Flatten":
            y = [v for pl in x0 for r in pl for v in r]
        elif n.op_type == "Gemm":
            W = inits[n.input[1]]
            assert a.get("transB", 0) == 1 and a.get("alpha", 1.0) == 1.0
            wf = fr(W)
            bf = fr(inits[n.input[2]])
            o, i = W.shape
            y = [sum((wf[j * i + u] * x0[u] for u in range(i)), bf[j]) for j in range(o)]
        else:
            raise SystemExit("fractions reference: operator %s not implemented" % n.op_type)
        env[n.output[0]] = y
    return env[g.output[0].name]


def cmd_exact(lum, net, prop, k):
    rng = random.Random(SEED)
    pts = points(read_box(prop), rng, k - 1)
    for i, x in enumerate(pts):
        rc, out, err = lumpnet(lum, ["eval", "--exact", net, "--input", ",".join(x)])
        if rc != 0:
            raise SystemExit("%s: eval --exact failed: %s" % (net, err))
        got = [Fraction(v) for v in out.strip().split(",")]
        want = fr_eval(net, [Fraction(v) for v in x])
        if got != want:
            raise SystemExit("%s: point %d: eval --exact differs from the fractions "
                             "evaluation (output 0: %s vs %s)" % (net, i, got[0], want[0]))
    print("%s: eval --exact equals the fractions evaluation at %d points of %s (seed %d)"
          % (os.path.basename(net), len(pts), os.path.basename(prop), SEED))


def cmd_malformed(lum, net, tmp):
    """Broken variants of a CNN: one message naming the file, the node and
    the problem; exit 2."""
    cases = []
    m = onnx.load(net)
    conv = [i for i, n in enumerate(m.graph.node) if n.op_type == "Conv"][0]
    relu = [i for i, n in enumerate(m.graph.node) if n.op_type == "Relu"][0]
    b = onnx.ModelProto()
    b.CopyFrom(m)
    b.graph.node[relu].op_type = "Softplus"
    cases.append(("unsupported_op.onnx", b, "node %d" % relu, "operator not supported"))
    b = onnx.ModelProto()
    b.CopyFrom(m)
    wname = b.graph.node[conv].input[1]
    for t in b.graph.initializer:
        if t.name == wname:
            arr = numpy_helper.to_array(t)
            t.CopyFrom(numpy_helper.from_array(np.concatenate([arr, arr], axis=1), wname))
    cases.append(("conv_channels.onnx", b, "node %d" % conv, "input channels"))
    b = onnx.ModelProto()
    b.CopyFrom(m)
    gemm = [i for i, n in enumerate(b.graph.node) if n.op_type in ("Gemm", "MatMul")][0]
    wname = b.graph.node[gemm].input[1]
    for t in b.graph.initializer:
        if t.name == wname:
            arr = numpy_helper.to_array(t)
            ax = 1 if b.graph.node[gemm].op_type == "Gemm" else 0
            t.CopyFrom(numpy_helper.from_array(np.delete(arr, 0, axis=ax), wname))
    cases.append(("dense_width.onnx", b, "node %d" % gemm, "inputs"))
    b = onnx.ModelProto()
    b.CopyFrom(m)
    b.graph.node[conv].input[0] = "nowhere"
    cases.append(("dangling.onnx", b, "node %d" % conv, "'nowhere' is not defined"))
    for name, model, where, what in cases:
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(model.SerializeToString())
        for args in (["info", path], ["eval", path, "--input", "0"]):
            rc, out, err = lumpnet(lum, args)
            lines = err.strip().splitlines()
            if rc != 2 or out != "" or len(lines) != 1 or name not in err or where not in err \
                    or what not in err:
                raise SystemExit("%s (%s): exit %d, stdout %r, stderr %r; expected exit 2 and "
                                 "one line naming the file, %s and '%s'"
                                 % (name, args[0], rc, out[:80], err, where, what))
        print("%s: %s" % (name, lines[0]))


def synth_models(tmp, rng):
    """Two small random networks that use every operator and attribute of
    the graph reader that the VNN-COMP networks do not: grouped, dilated,
    asymmetrically padded convolutions, Sub/Div/Mul/Add by constants, Pad
    in both opset forms, padded MaxPool and AveragePool (count_include_pad 0
    and 1), GlobalAveragePool, Concat, residual Add, Transpose, Reshape,
    MatMul + Add, Gemm with alpha, beta and transB 0, LeakyRelu, Sigmoid,
    Tanh. Returns [(path, piecewise_linear)]."""
    T = onnx.TensorProto

    def w(name, *shape):
        return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) / 2, name)

    def i64(name, vals):
        return numpy_helper.from_array(np.array(vals, dtype=np.int64), name)

    N = helper.make_node
    nodes = [
        N("Sub", ["x", "mean"], ["a1"]),
        N("Div", ["a1", "std"], ["a2"]),
        N("Conv", ["a2", "W1", "B1"], ["c1"], group=2, dilations=[2, 1], pads=[1, 0, 2, 1],
          strides=[1, 2], kernel_shape=[3, 3]),
        N("LeakyRelu", ["c1"], ["l1"], alpha=0.1),
        N("Pad", ["l1", "pads"], ["p1"]),
        N("Conv", ["p1", "W2"], ["c2"]),
        N("Add", ["c2", "p1"], ["r1"]),
        N("MaxPool", ["r1"], ["m1"], kernel_shape=[2, 2], strides=[2, 2], pads=[1, 1, 1, 1]),
        N("AveragePool", ["m1"], ["v1"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        N("AveragePool", ["m1"], ["v2"], kernel_shape=[3, 3], pads=[1, 1, 1, 1],
          count_include_pad=1),
        N("Concat", ["m1", "v1", "v2"], ["k1"], axis=1),
        N("Relu", ["k1"], ["k2"]),
        N("Transpose", ["k2"], ["t1"], perm=[0, 2, 3, 1]),
        N("Reshape", ["t1", "shape"], ["f1"]),
        N("MatMul", ["f1", "W3"], ["d1"]),
        N("Add", ["d1", "B3"], ["d2"]),
        N("Relu", ["d2"], ["d3"]),
        N("Add", ["d3", "B4"], ["d4"]),
        N("Mul", ["d4", "half"], ["d5"]),
        N("Gemm", ["d5", "W5", "B5"], ["y"], alpha=0.5, beta=2.0),
    ]
    inits = [w("mean", 1, 4, 1, 1), numpy_helper.from_array(
        (np.abs(rng.standard_normal((4, 1, 1))) + 0.5).astype(np.float32), "std"),
        w("W1", 6, 2, 3, 3), w("B1", 6), i64("pads", [0, 0, 1, 0, 0, 0, 0, 1]),
        w("W2", 6, 6, 1, 1), i64("shape", [-1, 270]), w("W3", 270, 7), w("B3", 7),
        w("B4", 7), numpy_helper.from_array(np.array(0.5, np.float32), "half"),
        w("W5", 7, 3), w("B5", 3)]
    g = helper.make_graph(nodes, "synth_a",
                          [helper.make_tensor_value_info("x", T.FLOAT, ["N", 4, 9, 9])],
                          [helper.make_tensor_value_info("y", T.FLOAT, ["N", 3])], inits)
    a = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(a)
    nodes = [
        N("Pad", ["x"], ["p1"], pads=[0, 0, 1, 1, 0, 0, 1, 1]),
        N("Conv", ["p1", "W1", "B1"], ["c1"]),
        N("Tanh", ["c1"], ["h1"]),
        N("AveragePool", ["h1"], ["v1"], kernel_shape=[3, 3], strides=[2, 2],
          pads=[1, 1, 1, 1], count_include_pad=1),
        N("Sigmoid", ["v1"], ["s1"]),
        N("GlobalAveragePool", ["s1"], ["g1"]),
        N("Flatten", ["g1"], ["f1"]),
        N("Gemm", ["f1", "W2", "B2"], ["y"], transB=1),
    ]
    inits = [w("W1", 4, 3, 3, 3), w("B1", 4), w("W2", 2, 4), w("B2", 2)]
    g = helper.make_graph(nodes, "synth_b",
                          [helper.make_tensor_value_info("x", T.FLOAT, [1, 3, 8, 8])],
                          [helper.make_tensor_value_info("y", T.FLOAT, [1, 2])], inits)
    b = helper.make_model(g, opset_imports=[helper.make_opsetid("", 9)])
    onnx.checker.check_model(b)
    out = []
    for name, mod, pwl in (("synth_a.onnx", a, True), ("synth_b.onnx", b, False)):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(mod.SerializeToString())
        out.append((path, pwl))
    return out


def synth_malformed(lum, tmp):
    """Declared sizes over the limit and an empty kernel: refused before
    anything is allocated, one line, exit 2."""
    T = onnx.TensorProto
    N = helper.make_node
    V = helper.make_tensor_value_info
    W0 = numpy_helper.from_array(np.zeros((1, 1, 0, 1), np.float32), "W")
    cases = [
        ("huge_pad.onnx", [N("Pad", ["x"], ["y"], pads=[0, 0, 10**6, 10**6, 0, 0, 10**6, 10**6])],
         [1, 1, 2, 2], [], "node 0", "over the limit"),
        ("huge_input.onnx", [N("Conv", ["x", "W1"], ["y"])], [1] + [16000000] * 4,
         [numpy_helper.from_array(np.ones((1, 1, 1, 1), np.float32), "W1")], "'x'", "limit"),
        ("empty_kernel.onnx", [N("Conv", ["x", "W"], ["y"], kernel_shape=[3, 3])], [1, 1, 4, 4],
         [W0], "node 0", "is empty"),
    ]
    for name, nodes, shape, inits, where, what in cases:
        g = helper.make_graph(nodes, "bad", [V("x", T.FLOAT, shape)], [V("y", T.FLOAT, None)],
                              inits)
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(helper.make_model(g, opset_imports=[helper.make_opsetid("", 9)])
                    .SerializeToString())
        rc, out, err = lumpnet(lum, ["info", path])
        if rc != 2 or out or len(err.strip().splitlines()) != 1 or name not in err \
                or where not in err or what not in err:
            raise SystemExit("%s: exit %d, %r; expected exit 2 and one line with %s, '%s'"
                             % (name, rc, err, where, what))
        print("%s: %s" % (name, err.strip()))


def cmd_synth(lum, tmp):
    """eval (double and, where piecewise linear, --exact) of the synthetic
    networks against torch at random points of [-1, 1]^n."""
    rng = np.random.default_rng(SEED)
    for path, pwl in synth_models(tmp, rng):
        m, inits, _ = load(path)
        rc, out, err = lumpnet(lum, ["info", "--json", path])
        if rc != 0:
            raise SystemExit("%s: info failed: %s" % (path, err))
        info = json.loads(out)
        if info["params"] != used_params(m, inits):
            raise SystemExit("%s: params %d, expected %d" % (path, info["params"],
                                                             used_params(m, inits)))
        pts = [[repr(float(v)) for v in rng.uniform(-1, 1, info["inputs"])]
               for _ in range(max(POINTS, 3))]
        ref = torch_eval(path, [[float(v) for v in x] for x in pts])
        for mode in (["--exact"] if pwl else []) + [None]:
            for i, x in enumerate(pts):
                args = ["eval", path, "--input", ",".join(x)] + ([mode] if mode else [])
                rc, out, err = lumpnet(lum, args)
                if rc != 0:
                    raise SystemExit("%s: eval %s failed: %s" % (path, mode or "", err))
                got = np.array([float(Fraction(v)) for v in out.strip().split(",")])
                scale = max(1.0, float(np.max(np.abs(ref[i]))))
                rel = float(np.max(np.abs(got - ref[i]))) / scale
                if not rel <= RTOL:
                    raise SystemExit("%s: eval %s point %d: lumpnet %s, torch %s (relative "
                                     "difference %.3g)" % (path, mode or "", i, got, ref[i], rel))
        if not pwl:
            rc, out, err = lumpnet(lum, ["eval", "--exact", path, "--input", ",".join(pts[0])])
            if rc != 2 or "piecewise-linear" not in err:
                raise SystemExit("%s: eval --exact of a sigmoid network: exit %d, %r"
                                 % (path, rc, err))
        print("%s: params %d, %d random points (seed %d): eval%s agrees with torch"
              % (os.path.basename(path), info["params"], len(pts), SEED,
                 " and eval --exact" if pwl else ""))


def main():
    cmd, lum = sys.argv[1], sys.argv[2]
    # groups of arguments separated by "--": one torch import for them all
    groups, cur = [], []
    for a in sys.argv[3:] + ["--"]:
        if a == "--":
            groups.append(cur)
            cur = []
        else:
            cur.append(a)
    if cmd == "eval":
        for gr in groups:
            cmd_eval(lum, gr[0], gr[1:])
    elif cmd == "exact":
        for gr in groups:
            cmd_exact(lum, gr[0], gr[1], 3)
    elif cmd == "synth":
        cmd_synth(lum, sys.argv[3])
        synth_malformed(lum, sys.argv[3])
    elif cmd == "malformed":
        cmd_malformed(lum, sys.argv[3], sys.argv[4])
    else:
        raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    main()
