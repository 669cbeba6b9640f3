#!/usr/bin/python3
"""make.py -- write the malformed ONNX files that test_onnx.c and the CLI
tests must refuse cleanly (exit code 2, a message naming file and defect).

Run with a Python that has onnx and numpy (Debian: python3-onnx):
    python3 tests/malformed/onnx/make.py [OUTDIR]
Each file derives from one small valid chain (2 inputs, 3 ReLU, 1 output),
changed in exactly one way, and is named by its defect.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
F = TensorProto.FLOAT


def base_parts():
    nodes = [
        helper.make_node("Gemm", ["x", "W1", "B1"], ["g1"], transB=1),
        helper.make_node("Relu", ["g1"], ["r1"]),
        helper.make_node("Gemm", ["r1", "W2", "B2"], ["y"], transB=1),
    ]
    inits = {
        "W1": numpy_helper.from_array(
            np.array([[1, 2], [3, 4], [5, 6]], np.float32), "W1"),
        "B1": numpy_helper.from_array(np.array([0, 1, 2], np.float32), "B1"),
        "W2": numpy_helper.from_array(np.array([[1, -1, 0.5]], np.float32), "W2"),
        "B2": numpy_helper.from_array(np.array([0.25], np.float32), "B2"),
    }
    return nodes, inits


def model(nodes, inits, name="base", x_shape=(1, 2), y_shape=(1, 1)):
    g = helper.make_graph(nodes, name,
                          [helper.make_tensor_value_info("x", F, list(x_shape))],
                          [helper.make_tensor_value_info("y", F, list(y_shape))],
                          list(inits.values()) if isinstance(inits, dict) else inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    return m


def write(name, data):
    if isinstance(data, onnx.ModelProto):
        data = data.SerializeToString()
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def raw_tensor(name, dims, raw):
    t = TensorProto()
    t.name = name
    t.data_type = F
    t.dims.extend(dims)
    t.raw_data = raw
    return t


def main():
    nodes, inits = base_parts()
    good = model(nodes, inits).SerializeToString()

    write("empty.onnx", b"")
    write("truncated.onnx", good[: len(good) // 2])
    # field 1 (ir_version) has tag 0x08; flipping bit 2 turns its wire type
    # into 4 (end group), which no ModelProto may contain
    flipped = bytearray(good)
    assert flipped[0] == 0x08
    flipped[0] ^= 0x04
    write("bitflip_wiretype.onnx", bytes(flipped))
    write("not_protobuf.onnx", b"this is a text file, not an ONNX model\n")

    n, i = base_parts()
    n[1] = helper.make_node("Conv", ["g1"], ["r1"])
    write("conv_operator.onnx", model(n, i))

    n, i = base_parts()  # r1 read by two nodes whose results are added
    n = [n[0], n[1],
         helper.make_node("Gemm", ["r1", "W2", "B2"], ["p"], transB=1),
         helper.make_node("Gemm", ["r1", "W2", "B2"], ["q"], transB=1),
         helper.make_node("Add", ["p", "q"], ["y"])]
    write("branching_graph.onnx", model(n, i))

    n, i = base_parts()  # a node off the chain
    n.append(helper.make_node("Relu", ["W2"], ["unused"]))
    write("disconnected_node.onnx", model(n, i))

    n, i = base_parts()
    i["W1"] = numpy_helper.from_array(
        np.array([[1, 2], [3, np.nan], [5, 6]], np.float32), "W1")
    write("nan_weight.onnx", model(n, i))

    n, i = base_parts()
    i["B2"] = numpy_helper.from_array(np.array([np.inf], np.float32), "B2")
    write("inf_bias.onnx", model(n, i))

    n, i = base_parts()  # 2^20 x 2^20 = 2^40 elements claimed, 24 bytes held
    i["W1"] = raw_tensor("W1", [1 << 20, 1 << 20], np.zeros(6, np.float32).tobytes())
    write("dims_2pow40.onnx", model(n, i))

    n, i = base_parts()
    i["W1"] = raw_tensor("W1", [-3, 2], np.zeros(6, np.float32).tobytes())
    write("negative_dims.onnx", model(n, i))

    n, i = base_parts()  # 7 floats for a 3 x 2 matrix
    i["W1"] = raw_tensor("W1", [3, 2], np.zeros(7, np.float32).tobytes())
    write("raw_length_mismatch.onnx", model(n, i))

    n, i = base_parts()
    del i["W2"]
    write("missing_initializer.onnx", model(n, i))

    n, i = base_parts()
    n[0] = helper.make_node("Gemm", ["x", "W1", "B1"], ["g1"], transA=1, transB=1)
    write("transA.onnx", model(n, i))

    n, i = base_parts()  # a lone Max: a clip without its upper side
    lo = numpy_helper.from_array(np.array([0, 0], np.float32), "lo")
    i["lo"] = lo
    n = [helper.make_node("Max", ["x", "lo"], ["c"]),
         helper.make_node("Gemm", ["c", "W1", "B1"], ["g1"], transB=1)] + n[1:]
    write("lone_max.onnx", model(n, i))

    n, i = base_parts()  # weights stored in an external file
    t = i["W1"]
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    e = t.external_data.add()
    e.key, e.value = "location", "weights.bin"
    write("external_data.onnx", model(n, i))

    n, i = base_parts()  # INT32 weights
    i["W1"] = numpy_helper.from_array(np.array([[1, 2], [3, 4], [5, 6]], np.int32), "W1")
    write("int32_weights.onnx", model(n, i))

    n, i = base_parts()  # layer sizes that do not chain (W2 takes 4 inputs)
    i["W2"] = numpy_helper.from_array(np.ones((1, 4), np.float32), "W2")
    write("size_mismatch.onnx", model(n, i))

    # MatMul(W[2,2], x[1,2]): two values in, two out, but not a valid
    # product (the ONNX checker rejects it); W x needs x [2] or [2, k]
    w = {"W": numpy_helper.from_array(np.array([[1, 2], [3, 4]], np.float32), "W")}
    write("matmul_shape_mismatch.onnx",
          model([helper.make_node("MatMul", ["W", "x"], ["y"])], w, y_shape=(2, 1)))

    n, i = base_parts()  # the graph output declared [1, 7]; the network has 1
    write("output_shape_mismatch.onnx", model(n, i, y_shape=(1, 7)))

    # W x on a column x [2, 1] gives [3, 1]; adding a bias [3] broadcasts
    # that to a [3, 3] matrix, not one value per neuron
    wb = {"W": numpy_helper.from_array(np.ones((3, 2), np.float32), "W"),
          "b": numpy_helper.from_array(np.array([1, 2, 3], np.float32), "b")}
    write("bias_broadcast_matrix.onnx",
          model([helper.make_node("MatMul", ["W", "x"], ["m"]),
                 helper.make_node("Add", ["m", "b"], ["y"])], wb,
                x_shape=(2, 1), y_shape=(3, 3)))


if __name__ == "__main__":
    main()
