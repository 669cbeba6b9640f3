#!/usr/bin/env python3
"""onnx_faithful.py -- written ONNX keeps the source's interface (issue 16,
acceptance 1): for float32 ONNX sources, `reduce`, `relax` and `convert`
write float32 ONNX with the source's input and output names, shapes
(symbolic batch dimensions included) and element type; onnx.checker
passes; and the original's input dict, fed to both models by the numpy
evaluator below (independent of lumpnet), gives outputs within the
distance lumpnet certifies for the rounding (plus float64 evaluation
slack). Usage: onnx_faithful.py LUMPNET DATA TMPDIR. Exit 77 without
onnx/numpy or data."""
import os
import re
import subprocess
import sys

try:
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper, TensorProto
except ImportError as e:
    print(f"skipped: {e}")
    sys.exit(77)

SEED = int(os.environ.get("LUMPNET_SEED", "16"))
print(f"seed {SEED} (LUMPNET_SEED)")
LUMPNET, DATA, TMP = sys.argv[1:4]
rng = np.random.default_rng(SEED)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


# ------------------------------------------------ a numpy evaluator --------
def attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def evaluate(model, feed):
    """Evaluate MODEL on the dict FEED with numpy in float64, following the
    ONNX operator semantics (broadcasting, shapes) for the MLP subset."""
    vals = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    vals = {k: (v.astype(np.float64) if v.dtype.kind == "f" else v) for k, v in vals.items()}
    for k, v in feed.items():
        vals[k] = np.asarray(v, dtype=np.float64)
    for n in model.graph.node:
        op = n.op_type
        a = [vals[i] for i in n.input if i != ""]
        if op == "Constant":
            out = numpy_helper.to_array(n.attribute[0].t)
            out = out.astype(np.float64) if out.dtype.kind == "f" else out
        elif op in ("Identity", "Dropout"):
            out = a[0]
        elif op == "Flatten":
            ax = attr(n, "axis", 1)
            x = a[0]
            out = x.reshape(int(np.prod(x.shape[:ax])), -1)
        elif op == "Reshape":
            shape = [int(d) for d in a[1]]
            shape = [a[0].shape[i] if d == 0 else d for i, d in enumerate(shape)]
            out = a[0].reshape(shape)
        elif op in ("Add", "Sub", "Mul", "Div", "Max", "Min"):
            f = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide,
                 "Max": np.maximum, "Min": np.minimum}[op]
            out = f(a[0], a[1])
        elif op == "MatMul":
            out = np.matmul(a[0], a[1])
        elif op == "Gemm":
            A, B = a[0], a[1]
            if attr(n, "transA", 0):
                A = A.T
            if attr(n, "transB", 0):
                B = B.T
            out = attr(n, "alpha", 1.0) * (A @ B)
            if len(a) > 2:
                out = out + attr(n, "beta", 1.0) * a[2]
        elif op == "Relu":
            out = np.maximum(a[0], 0.0)
        elif op == "LeakyRelu":
            al = float(np.float32(attr(n, "alpha", 0.01)))
            out = np.where(a[0] >= 0, a[0], al * a[0])
        elif op == "Sigmoid":
            out = 1.0 / (1.0 + np.exp(-a[0]))
        elif op == "Tanh":
            out = np.tanh(a[0])
        else:
            raise SystemExit(f"evaluator: operator {op} not supported here")
        vals[n.output[0]] = out
    return {o.name: vals[o.name] for o in model.graph.output}


def graph_inputs(model):
    inits = {t.name for t in model.graph.initializer}
    return [i for i in model.graph.input if i.name not in inits]


def iface(vi):
    t = vi.type.tensor_type
    dims = [d.dim_param if d.HasField("dim_param") else
            (d.dim_value if d.HasField("dim_value") else "?") for d in t.shape.dim]
    return vi.name, t.elem_type, dims


def concrete(dims, batch):
    return [batch if isinstance(d, str) else d for d in dims]


# ------------------------------------------------ running lumpnet ----------
def run(args):
    p = subprocess.run([LUMPNET] + args, capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stdout, p.stderr)
    return p


def within_from(stderr):
    """The certified distance lumpnet printed for the rounding, 0 if none."""
    m = re.search(r"within ([0-9.e+-]+) on", stderr)
    return float(m.group(1)) if m else 0.0


def verify_line(stdout, tag):
    """The verify: command reduce printed answers valid (within U)."""
    m = re.search(r"\(verify: lumpnet (check .*)\)", stdout)
    check(m is not None, f"{tag}: no verify: line")
    if m:
        p = run(m.group(1).split())
        check(p.returncode == 0 and p.stdout.startswith("valid within"),
              f"{tag}: verify: {p.stdout.strip()}")


def compare(tag, src_path, out_path, box, tol_extra, expect_round):
    """The written file against the source: checker, interface, outputs."""
    src, out = onnx.load(src_path), onnx.load(out_path)
    try:
        onnx.checker.check_model(out, full_check=True)
    except Exception as e:  # noqa: BLE001 -- any checker complaint fails
        check(False, f"{tag}: onnx.checker: {e}")
    si, so = graph_inputs(src), list(src.graph.output)
    wi, wo = graph_inputs(out), list(out.graph.output)
    check(len(wi) == 1 and len(wo) == 1, f"{tag}: one input and one output")
    check(iface(wi[0]) == iface(si[0]), f"{tag}: input {iface(wi[0])} != source {iface(si[0])}")
    check(iface(wo[0]) == iface(so[0]), f"{tag}: output {iface(wo[0])} != source {iface(so[0])}")
    for t in out.graph.initializer:
        if t.data_type not in (TensorProto.FLOAT, TensorProto.INT64):
            check(False, f"{tag}: initializer {t.name} has element type {t.data_type}")
    name, _, dims = iface(si[0])
    symbolic = any(isinstance(d, str) for d in dims)
    batch = 3 if symbolic else 1
    shape = concrete(dims, batch)
    lo, hi = box
    worst = 0.0
    for _ in range(20):
        flat = rng.uniform(lo, hi, size=(batch, len(lo)))
        x = flat.reshape(shape).astype(np.float32)  # the dtype the source takes
        ya = evaluate(src, {name: x})[so[0].name]
        yb = evaluate(out, {name: x})[so[0].name]
        check(ya.shape == yb.shape, f"{tag}: output shape {yb.shape} != {ya.shape}")
        if ya.shape == yb.shape:
            worst = max(worst, float(np.max(np.abs(ya - yb))))
    print(f"{tag}: max |source - written| = {worst:.3g} on {20 * batch} points "
          f"(allowed {tol_extra:.3g})")
    check(worst <= tol_extra, f"{tag}: difference {worst:.3g} above {tol_extra:.3g}")
    return worst


# ------------------------------------------------ a symbolic-batch model ---
def make_batch_model(path):
    """x [N, 4] float32 -> clip -> Gemm 6 (rows 1 and 4 are rows 0 and 3
    times 2 and 4, exactly, so reduce merges them and must round the merged
    outgoing weights w_0 + 2 w_1) ->
    Relu -> MatMul + Add 2 -> logits [N, 2]."""
    f32 = lambda a: np.asarray(a, dtype=np.float32)
    W1 = rng.normal(size=(6, 4)).astype(np.float32)
    W1[1] = W1[0] * np.float32(2.0)
    W1[4] = W1[3] * np.float32(4.0)
    b1 = rng.normal(size=6).astype(np.float32)
    b1[1] = b1[0] * np.float32(2.0)
    b1[4] = b1[3] * np.float32(4.0)
    W2 = rng.normal(size=(6, 2)).astype(np.float32) / np.float32(3.0)
    b2 = rng.normal(size=2).astype(np.float32)
    inits = [numpy_helper.from_array(f32([-1, -1, -1, -1]), "lo"),
             numpy_helper.from_array(f32([1, 1, 1, 1]), "hi"),
             numpy_helper.from_array(W1, "W1"), numpy_helper.from_array(b1, "b1"),
             numpy_helper.from_array(W2, "W2"), numpy_helper.from_array(b2, "b2")]
    nodes = [helper.make_node("Max", ["x", "lo"], ["c0"]),
             helper.make_node("Min", ["c0", "hi"], ["c1"]),
             helper.make_node("Gemm", ["c1", "W1", "b1"], ["h"], transB=1),
             helper.make_node("Relu", ["h"], ["r"]),
             helper.make_node("MatMul", ["r", "W2"], ["m"]),
             helper.make_node("Add", ["m", "b2"], ["logits"])]
    g = helper.make_graph(nodes, "batch",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
                          [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 2])],
                          inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, path)


SLACK = 1e-9  # float64 evaluation of both models, outputs of order 1..1e3


def main():
    acas = os.path.join(DATA, "vnncomp2021/acasxu/ACASXU_run2a_1_1_batch_2000.onnx")
    prop = os.path.join(DATA, "vnncomp2021/acasxu/prop_3.vnnlib")
    if not (os.path.exists(acas) and os.path.exists(prop)):
        print(f"skipped: ACAS Xu ONNX data absent under {DATA}")
        sys.exit(77)
    # prop_3's box (normalised inputs), read here without lumpnet
    bounds = {}
    for m in re.finditer(r"\((<=|>=) X_(\d+) ([-0-9.e]+)\)", open(prop).read()):
        bounds.setdefault(int(m.group(2)), {})[m.group(1)] = float(m.group(3))
    box3 = ([bounds[i][">="] for i in range(5)], [bounds[i]["<="] for i in range(5)])
    batch = os.path.join(TMP, "batch.onnx")
    make_batch_model(batch)
    ones = ([-1.0] * 4, [1.0] * 4)
    cases = []
    # reduce on a box: ACAS Xu rounded to float32, distance certified
    o = os.path.join(TMP, "acas_box.onnx")
    # --fit smallest: the rounding path (the default --fit exact writes
    # ACAS Xu on prop_3 exactly: tests/box_fit.sh)
    p = run(["reduce", acas, "--box", prop, "-o", o, "--cert", os.path.join(TMP, "c.json"),
             "--fit", "smallest"])
    check(p.returncode == 0, "reduce --box exit code")
    u = within_from(p.stderr)
    check(u > 0, "reduce --box on ACAS Xu rounds and states a certified distance")
    verify_line(p.stdout, "reduce --box acas")
    cases.append(("reduce --box acas", acas, o, box3, u + SLACK))
    # convert: the same values, only the interface kept
    o = os.path.join(TMP, "acas_conv.onnx")
    p = run(["convert", acas, o])
    check(p.returncode == 0 and "rounded" not in p.stderr, "convert exact")
    cases.append(("convert acas", acas, o, box3, SLACK))
    # relax: the bound to the relaxed network plus the rounding distance
    o = os.path.join(TMP, "acas_relax.onnx")
    p = run(["relax", acas, "--eps", "0.05", "--box", prop, "-o", o, "--json"])
    check(p.returncode == 0, "relax exit code")
    if p.returncode == 0:
        import json
        r = json.loads(p.stdout)
        cases.append(("relax acas", acas, o, box3,
                      max(r["bound"]) + r.get("rounding_distance", 0.0) + SLACK))
    # the symbolic batch: reduce (merged weights rounded), convert, relax
    o = os.path.join(TMP, "batch_red.onnx")
    p = run(["reduce", batch, "-o", o, "--cert", os.path.join(TMP, "cb.json")])
    check(p.returncode == 0, "reduce batch model")
    u = within_from(p.stderr)
    check("neurons: 8 -> 6" in p.stdout, "reduce merges the planted pairs")
    check(u > 0, "reduce of the batch model rounds merged weights and states the distance")
    verify_line(p.stdout, "reduce batch")
    cases.append(("reduce batch", batch, o, ones, u + SLACK))
    o = os.path.join(TMP, "batch_conv.onnx")
    check(run(["convert", batch, o]).returncode == 0, "convert batch model")
    cases.append(("convert batch", batch, o, ones, SLACK))
    o = os.path.join(TMP, "batch_relax.onnx")
    p = run(["relax", batch, "--eps", "0.01", "--box", "-1:1", "-o", o, "--json"])
    check(p.returncode == 0, "relax batch model")
    if p.returncode == 0:
        import json
        r = json.loads(p.stdout)
        cases.append(("relax batch", batch, o, ones,
                      max(r["bound"]) + r.get("rounding_distance", 0.0) + SLACK))
    for c in cases:
        if os.path.exists(c[2]):
            compare(*c, expect_round=None)
        else:
            check(False, f"{c[0]}: {c[2]} was not written")
    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)
    print("onnx_faithful: pass")


if __name__ == "__main__":
    main()
