#!/usr/bin/env python3
"""cnn_bn.py -- BatchNormalization in the graph reader (issue 15).

Small CNNs with torch.nn.BatchNorm2d / BatchNorm1d in eval mode, random
running statistics, exported by torch.onnx with do_constant_folding=False
and TrainingMode.PRESERVE (so that the BatchNormalization nodes stay: the
export is checked for them). For each: `info --json` params is the number of
float initializer values the nodes read; `eval` agrees with the model in
float64 torch (its epsilon set to the file's float32 value) to 1e-9
relative at random points; a rounded factor gives exactly one warning line
naming the file and a BatchNormalization node, an exact one none, and then
`eval --exact` equals a fractions re-computation of the ONNX file. A BN
after a Conv chain still lumps (`reduce` merges a planted duplicate
channel; the quotient is exactly equal). Bad files (var + epsilon <= 0, a
parameter of the wrong length, training_mode 1) exit 2 with one line naming
the file and the node, and write nothing.

  cnn_bn.py LUMPNET TMPDIR

Seeded by LUMPNET_SEED (printed).
"""
import copy
import json
import math
import os
import subprocess
import sys
from fractions import Fraction

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

SEED = int(os.environ.get("LUMPNET_SEED", "15"))
RTOL = 1e-9
POINTS = 4
LUM, TMP = sys.argv[1], sys.argv[2]
nn = torch.nn


def run(args):
    r = subprocess.run([LUM] + args, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def die(msg):
    raise SystemExit("FAIL: " + msg)


def randomise(model, exact=False, affine=True):
    """Random running statistics of every BN and, when AFFINE, random scale
    and shift (else torch's 1 and 0, which torch.onnx shares between BN
    nodes through Identity); EXACT: epsilon 1/16 and var + epsilon a square
    of a dyadic rational."""
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            c = m.num_features
            if affine:
                m.weight.data.uniform_(-2, 2)
                m.bias.data.uniform_(-1, 1)
            m.running_mean.uniform_(-1, 1)
            if exact:
                m.eps = 1.0 / 16
                roots = torch.tensor([0.25, 0.5, 0.75, 1.25, 1.5, 2.0])[torch.randint(0, 6, (c,))]
                m.running_var.copy_(roots * roots - m.eps)
            else:
                m.running_var.uniform_(0.1, 3)
    return model.eval()


class Residual(nn.Module):
    """x -> conv -> relu -> conv, plus the first conv: BN after the Add,
    and a Conv read twice (by the Add and by a BN)."""

    def __init__(self):
        super().__init__()
        self.c0 = nn.Conv2d(2, 3, 3, padding=1)
        self.c1 = nn.Conv2d(3, 3, 3, padding=1)
        self.bn_add = nn.BatchNorm2d(3)
        self.bn_shared = nn.BatchNorm2d(3)
        self.fc = nn.Linear(2 * 3 * 5 * 5, 4)

    def forward(self, x):
        a = self.c0(x)
        b = self.c1(torch.relu(a))
        y = torch.relu(self.bn_add(a + b))
        z = self.bn_shared(a)
        return self.fc(torch.cat([y, z], 1).flatten(1))


def models():
    """(name, module, input shape, exact)."""
    chain = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                          nn.Conv2d(4, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(),
                          nn.Linear(3 * 4 * 4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 3))
    first = nn.Sequential(nn.BatchNorm2d(8), nn.Conv2d(8, 3, 3, bias=False), nn.ReLU(),
                          nn.Flatten(), nn.Linear(3 * 3 * 3, 2))
    exact = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.ReLU(),
                          nn.Flatten(), nn.Linear(2 * 4 * 4, 3), nn.BatchNorm1d(3))
    shared = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(),
                           nn.Conv2d(3, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(),
                           nn.Flatten(), nn.Linear(27, 2))
    return [("bn_chain", randomise(chain), (2, 6, 6), False),
            ("bn_shared", randomise(shared, affine=False), (2, 3, 3), False),
            ("bn_first", randomise(first), (8, 5, 5), False),
            ("bn_residual", randomise(Residual()), (2, 5, 5), False),
            ("bn_exact", randomise(exact, True), (1, 4, 4), True)]


def export(model, shape, path):
    torch.onnx.export(model, torch.zeros((1,) + shape), path, do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE, input_names=["x"],
                      output_names=["y"], dynamic_axes={"x": {0: "N"}, "y": {0: "N"}})
    m = onnx.load(path)
    bns = [n.name for n in m.graph.node if n.op_type == "BatchNormalization"]
    if not bns:
        die("%s: the export has no BatchNormalization node" % path)
    return m, bns


def used_params(m):
    """The float initializer values each node reads, summed over the nodes
    (an Identity of an initializer, how torch.onnx shares equal ones, is
    another name of it)."""
    init = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer
            if t.data_type in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE)}
    alias = {n.output[0]: n.input[0] for n in m.graph.node
             if n.op_type == "Identity" and n.input[0] in init}
    return sum(init[alias.get(i, i)].size for n in m.graph.node if n.op_type != "Identity"
               for i in n.input if alias.get(i, i) in init)


def reference(model, xs, shape):
    """The model in float64 with each BN's epsilon the float32 of the file."""
    ref = copy.deepcopy(model).double()
    for m in ref.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.eps = float(np.float32(m.eps))
    with torch.no_grad():
        return ref(torch.tensor(xs, dtype=torch.float64).reshape((len(xs),) + shape)).numpy()


def eval_points(path, pts):
    f = os.path.join(TMP, "points.txt")
    with open(f, "w") as fh:
        fh.write("".join(",".join(x) + "\n" for x in pts))
    rc, out, err = run(["eval", path, "--inputs", f])
    if rc != 0:
        die("%s: eval: %s" % (path, err))
    return np.array([[float(v) for v in line.split(",")] for line in out.split()]), err


def fr_eval(m, x):
    """ONNX model M at X (Fractions), exactly: Conv, BatchNormalization
    (sqrt of a square only), Relu, Flatten, Gemm -- the exact model's
    operators, plain loops over Fractions."""
    init = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    shape = [d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim][1:]
    env = {m.graph.input[0].name: (np.array(x, dtype=object).reshape(shape))}

    def fr(a):
        return np.vectorize(lambda v: Fraction(float(v)), otypes=[object])(a)

    for n in m.graph.node:
        a = {at.name: helper.get_attribute_value(at) for at in n.attribute}
        v = env[n.input[0]]
        if n.op_type == "Conv":
            w, b = fr(init[n.input[1]]), fr(init[n.input[2]])
            p = a.get("pads", [0, 0, 0, 0])
            ci, h, wd = v.shape
            pad = np.full((ci, h + p[0] + p[2], wd + p[1] + p[3]), Fraction(0), dtype=object)
            pad[:, p[0]:p[0] + h, p[1]:p[1] + wd] = v
            co, _, kh, kw = w.shape
            oh, ow = pad.shape[1] - kh + 1, pad.shape[2] - kw + 1
            out = np.empty((co, oh, ow), dtype=object)
            for o in range(co):
                for i in range(oh):
                    for j in range(ow):
                        out[o, i, j] = b[o] + sum((w[o] * pad[:, i:i + kh, j:j + kw]).flat)
        elif n.op_type == "BatchNormalization":
            sc, bb, mu, var = (fr(init[i]) for i in n.input[1:5])
            eps = Fraction(float(np.float32(a.get("epsilon", 1e-5))))
            out = np.empty_like(v)
            for c in range(v.shape[0]):
                q = var[c] + eps
                rn, rd = math.isqrt(q.numerator), math.isqrt(q.denominator)
                if rn * rn != q.numerator or rd * rd != q.denominator:
                    die("the exact model's var + eps is not a square")
                out[c] = (v[c] - mu[c]) * sc[c] / Fraction(rn, rd) + bb[c]
        elif n.op_type == "Relu":
            out = np.vectorize(lambda t: max(t, Fraction(0)), otypes=[object])(v)
        elif n.op_type == "Flatten":
            out = v.reshape(-1)
        elif n.op_type == "Gemm":
            w, b = fr(init[n.input[1]]), fr(init[n.input[2]])
            if a.get("transB", 0):
                w = w.T
            out = np.array([b[j] + sum(v[i] * w[i, j] for i in range(len(v)))
                            for j in range(w.shape[1])], dtype=object)
        else:
            die("fr_eval: operator %s" % n.op_type)
        env[n.output[0]] = out
    return list(env[m.graph.output[0].name].reshape(-1))


def check_warning(path, err, bns, exact):
    lines = [ln for ln in err.splitlines() if ln.strip()]
    if exact:
        if lines:
            die("%s: exact factors, yet stderr says %r" % (path, err))
        return
    if len(lines) != 1 or "warning" not in lines[0] or path not in lines[0] or \
            not any("'%s'" % b in lines[0] for b in bns) or "rounded" not in lines[0]:
        die("%s: expected one rounding warning naming the file and a BN node, got %r"
            % (path, err))
    if len(bns) == 1 and lines[0].count("'%s'" % bns[0]) != 1:
        die("%s: the one BatchNormalization node should be named once, got %r" % (path, err))


def check_model(name, model, shape, exact, rng):
    path = os.path.join(TMP, name + ".onnx")
    m, bns = export(model, shape, path)
    rc, out, err = run(["info", "--json", path])
    if rc != 0:
        die("%s: info: %s" % (path, err))
    check_warning(path, err, bns, exact)
    info = json.loads(out)
    if info["params"] != used_params(m):
        die("%s: params %d, the initializers read hold %d" % (path, info["params"],
                                                              used_params(m)))
    n_in = int(np.prod(shape))
    pts = [[repr(float(v)) for v in rng.uniform(-1, 1, n_in)] for _ in range(POINTS)]
    got, err = eval_points(path, pts)
    check_warning(path, err, bns, exact)
    ref = reference(model, [[float(v) for v in x] for x in pts], shape)
    worst = 0.0
    for i in range(len(pts)):
        rel = float(np.max(np.abs(got[i] - ref[i]))) / max(1.0, float(np.max(np.abs(ref[i]))))
        worst = max(worst, rel)
        if not rel <= RTOL:
            die("%s: point %d: lumpnet %s, torch %s (relative %.3g)" % (path, i, got[i], ref[i],
                                                                        rel))
    msg = "%s: %d BN nodes, params %d, %d points: largest relative difference to torch %.2e" % (
        name, len(bns), info["params"], len(pts), worst)
    if exact:
        for x in pts[:2]:
            rc, out, err = run(["eval", "--exact", path, "--input", ",".join(x)])
            if rc != 0:
                die("%s: eval --exact: %s" % (path, err))
            got = [Fraction(v) for v in out.strip().split(",")]
            want = fr_eval(m, [Fraction(v) for v in x])
            if got != want:
                die("%s: eval --exact %s, fractions %s" % (path, got, want))
        msg += "; eval --exact equals fractions"
    print(msg)
    return path, m


def check_json(path):
    """ONNX -> JSON keeps the function exactly; JSON -> JSON byte for byte."""
    j1, j2 = os.path.join(TMP, "a.json"), os.path.join(TMP, "b.json")
    for src, dst in ((path, j1), (j1, j2)):
        rc, out, err = run(["convert", src, dst])
        if rc != 0:
            die("convert %s: %s" % (src, err))
    if open(j1, "rb").read() != open(j2, "rb").read():
        die("%s: JSON -> JSON is not byte-stable" % path)
    x = ",".join(["0.375", "-0.5"] * 36)
    outs = [run(["eval", "--exact", p, "--input", x])[1] for p in (path, j1)]
    if not outs[0] or outs[0] != outs[1]:
        die("%s: eval --exact differs after ONNX -> JSON: %r" % (path, outs))
    print("%s: ONNX -> JSON exact, JSON -> JSON byte-stable" % os.path.basename(path))


def nearest_factor(scale, var, eps):
    """scale / sqrt(var + eps) rounded to the nearest double: a 256-bit
    integer square root, then Fraction -> float (correctly rounded; a
    non-square is never within 2^-250 of a midpoint of doubles)."""
    q = Fraction(scale) ** 2 / (Fraction(var) + Fraction(eps))
    k = 256
    root = Fraction(math.isqrt(q.numerator * 4 ** k // q.denominator), 2 ** k)
    return math.copysign(float(root), scale)


def check_factors(path, m):
    """The affine node that a BN on the input becomes (written as exact
    JSON): its scales are the nearest doubles to scale / sqrt(var + eps),
    its shifts B - s mean exactly."""
    import base64
    j = os.path.join(TMP, "factors.json")
    rc, out, err = run(["convert", path, j])
    if rc != 0:
        die("convert %s: %s" % (path, err))
    node = [n for n in json.load(open(j))["nodes"] if n["op"] == "affine"][0]
    s = np.frombuffer(base64.b64decode(node["scale"]["float64"]), dtype="<f8")
    t = [Fraction(v) for v in node["shift"]]
    bn = [n for n in m.graph.node if n.op_type == "BatchNormalization"][0]
    init = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    sc, b, mu, var = (init[i] for i in bn.input[1:5])
    eps = float(np.float32([a.f for a in bn.attribute if a.name == "epsilon"][0]))
    per = len(s) // len(sc)
    for c in range(len(sc)):
        want = nearest_factor(float(sc[c]), float(var[c]), eps)
        if s[c * per] != want or t[c * per] != Fraction(float(b[c])) - Fraction(want) * \
                Fraction(float(mu[c])):
            die("%s: channel %d: factor %r shift %s, expected %r" % (path, c, s[c * per],
                                                                    t[c * per], want))
    print("%s: the rounded factors are the nearest doubles, the shifts exact"
          % os.path.basename(path))


def check_reduce(rng):
    """A duplicated channel before a BN (equal BN parameters) is merged by
    reduce; the quotient equals the network exactly."""
    torch.manual_seed(SEED + 1)
    net = randomise(nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                                  nn.Conv2d(4, 3, 3), nn.BatchNorm2d(3), nn.ReLU(),
                                  nn.Flatten(), nn.Linear(3 * 4 * 4, 3)))
    with torch.no_grad():
        c, bn = net[0], net[1]
        c.weight[3], c.bias[3] = c.weight[0], c.bias[0]
        for t in (bn.weight, bn.bias, bn.running_mean, bn.running_var):
            t[3] = t[0]
    path = os.path.join(TMP, "bn_dup.onnx")
    _, bns = export(net, (2, 6, 6), path)
    q = os.path.join(TMP, "bn_dup.q.json")
    rc, out, err = run(["reduce", path, "-o", q, "--json"])
    if rc != 0:
        die("reduce %s: %s" % (path, err))
    check_warning(path, err, bns, False)
    first = json.loads(out)["per_node"][0]
    if (first["before"], first["after"]) != (4, 3):
        die("reduce %s: first conv %d -> %d channels (4 -> 3 expected)"
            % (path, first["before"], first["after"]))
    for _ in range(3):
        x = ",".join(repr(float(v)) for v in rng.uniform(-1, 1, 72))
        a = run(["eval", "--exact", path, "--input", x])[1]
        b = run(["eval", "--exact", q, "--input", x])[1]
        if not a or a != b:
            die("reduce %s: the quotient differs: %r, %r" % (path, a, b))
    print("bn_dup: reduce merges the duplicated channel (4 -> 3), quotient exactly equal")


def check_bad(path, m):
    """Broken BatchNormalization nodes: exit 2, one line naming the file and
    the node, nothing written."""
    bn = [n for n in m.graph.node if n.op_type == "BatchNormalization"][0]
    init = {t.name: t for t in m.graph.initializer}

    def var_neg(mm, n):
        t = [t for t in mm.graph.initializer if t.name == n.input[4]][0]
        a = numpy_helper.to_array(t).copy()
        a[0] = -1.0
        t.CopyFrom(numpy_helper.from_array(a, t.name))

    def short(mm, n):
        t = [t for t in mm.graph.initializer if t.name == n.input[1]][0]
        a = numpy_helper.to_array(t)
        t.CopyFrom(numpy_helper.from_array(np.append(a, np.float32(1)), t.name))

    def training(mm, n):
        for at in n.attribute:
            if at.name == "training_mode":
                at.i = 1

    cases = [("var", var_neg, "not positive"), ("len", short, "values for"),
             ("train", training, "training_mode 1")]
    assert bn.input[1] in init
    for tag, edit, want in cases:
        mm = copy.deepcopy(m)
        n = [n for n in mm.graph.node if n.name == bn.name][0]
        edit(mm, n)
        bad = os.path.join(TMP, "bad_%s.onnx" % tag)
        onnx.save(mm, bad)
        outj = os.path.join(TMP, "bad_%s.json" % tag)
        for args in (["info", bad], ["eval", bad, "--input", ",".join(["0"] * 72)],
                     ["convert", bad, outj]):
            rc, out, err = run(args)
            if rc != 2 or out or len(err.splitlines()) != 1 or bad not in err or \
                    ("'%s'" % bn.name) not in err or want not in err:
                die("%s: %s: exit %d, stdout %r, stderr %r" % (tag, args[0], rc, out, err))
            if os.path.exists(outj):
                die("%s: convert wrote %s" % (tag, outj))
        print("bad %s: exit 2, one line: %s" % (tag, err.strip()))


def main():
    print("seed %d (LUMPNET_SEED=%d replays it)" % (SEED, SEED))
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    rng = np.random.default_rng(SEED)
    done = {}
    for name, model, shape, exact in models():
        done[name] = check_model(name, model, shape, exact, rng)
    check_json(done["bn_chain"][0])
    check_factors(*done["bn_first"])
    check_reduce(rng)
    check_bad(*done["bn_chain"])


if __name__ == "__main__":
    main()
