#!/usr/bin/python3
"""gen_mlp_onnx.py -- write a random float32 ReLU MLP as ONNX, for load benchmarks.

    python3 bench/gen_mlp_onnx.py OUT.onnx [--width 4096] [--layers 8] [--seed 1]
          [--inputs N] [--outputs M]

The network is input [1, inputs] -> LAYERS x (Gemm(transB=1) + Relu) of WIDTH
neurons -> Gemm to OUTPUTS, weights in raw_data. The default (8 x 4096) has
about 134M weights, 540 MB: below protobuf's 2 GB message limit, which the
script checks before serialising. The model is serialised directly, without
onnx.checker (whose copy of a large model doubles the memory).
Needs numpy and onnx (Debian: python3-onnx).
"""
import argparse
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

LIMIT = 2**31 - 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--width", type=int, default=4096)
    ap.add_argument("--layers", type=int, default=8)
    ap.add_argument("--inputs", type=int, default=None, help="default: width")
    ap.add_argument("--outputs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    n_in = a.inputs if a.inputs is not None else a.width
    sizes = [n_in] + [a.width] * a.layers + [a.outputs]
    total = sum(sizes[i] * sizes[i + 1] + sizes[i + 1] for i in range(len(sizes) - 1))
    if 4 * total + 64 * len(sizes) + 4096 > LIMIT:
        sys.exit("gen_mlp_onnx.py: %d parameters exceed protobuf's 2 GB limit" % total)
    rng = np.random.default_rng(a.seed)
    nodes, inits, cur = [], [], "input"
    for i in range(len(sizes) - 1):
        fan_in, n = sizes[i], sizes[i + 1]
        scale = np.float32(1.0 / np.sqrt(fan_in))
        w = (rng.standard_normal((n, fan_in), dtype=np.float32) * scale).astype(np.float32)
        b = (rng.standard_normal(n, dtype=np.float32) * np.float32(0.01)).astype(np.float32)
        inits.append(numpy_helper.from_array(w, "W%d" % i))  # raw_data
        inits.append(numpy_helper.from_array(b, "b%d" % i))
        del w
        last = i == len(sizes) - 2
        z = "output" if last else "z%d" % i
        nodes.append(helper.make_node("Gemm", [cur, "W%d" % i, "b%d" % i], [z], transB=1))
        if not last:
            nodes.append(helper.make_node("Relu", [z], ["h%d" % i]))
            cur = "h%d" % i
    g = helper.make_graph(nodes, "mlp",
                          [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, n_in])],
                          [helper.make_tensor_value_info("output", TensorProto.FLOAT,
                                                         [1, a.outputs])],
                          inits)
    m = helper.make_model(g, producer_name="lumpnet-bench",
                          opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    data = m.SerializeToString()
    if len(data) > LIMIT:
        sys.exit("gen_mlp_onnx.py: the model (%d bytes) exceeds 2 GB" % len(data))
    with open(a.out, "wb") as f:
        f.write(data)
    print("%s: %d layers, %d parameters, %d bytes" % (a.out, len(sizes) - 1, total, len(data)))


if __name__ == "__main__":
    main()
