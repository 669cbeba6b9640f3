#!/usr/bin/python3
"""make_fixtures.py -- write the small ONNX fixtures that tests/test_onnx.c reads.

Run with a Python that has onnx and numpy (Debian: python3-onnx):
    python3 tests/data/onnx/make_fixtures.py [OUTDIR]
Every weight is a short dyadic (or, for the DOUBLE fixture, a chosen double),
so the test can state the exact rational it expects. Keep the values here and
in test_onnx.c in sync.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
F, D = TensorProto.FLOAT, TensorProto.DOUBLE


def init(name, arr, dtype=np.float32):
    return numpy_helper.from_array(np.asarray(arr, dtype=dtype), name)


def save(graph, name, opset=13):
    model = helper.make_model(graph, producer_name="lumpnet-fixtures",
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, name))


def gemm_transb0():
    """Gemm with transB=0, alpha=0.5, beta=2, then LeakyRelu(alpha=0.25), then
    Gemm(transB=1) with a one-element bias broadcast to the layer."""
    nodes = [
        helper.make_node("Gemm", ["x", "W1", "C1"], ["g1"], alpha=0.5, beta=2.0, transB=0),
        helper.make_node("LeakyRelu", ["g1"], ["a1"], alpha=0.25),
        helper.make_node("Gemm", ["a1", "W2", "C2"], ["y"], transB=1),
    ]
    inits = [init("W1", [[1, 2], [3, 4], [5, 6]]),  # [in=3, out=2]
             init("C1", [0.25, -1]),
             init("W2", [[-1, 0.5]]),  # [out=1, in=2]
             init("C2", [0.125])]
    g = helper.make_graph(nodes, "gemm_transb0",
                          [helper.make_tensor_value_info("x", F, [1, 3])],
                          [helper.make_tensor_value_info("y", F, [1, 1])], inits)
    save(g, "gemm_transb0.onnx")


def matmul_sides():
    """x W (W [in,out]) + Add with the bias on the left, Relu, then W x
    (W [out,in]) + bias, LeakyRelu with the default slope (float32 0.01)."""
    nodes = [
        helper.make_node("MatMul", ["x", "W1"], ["m1"]),
        helper.make_node("Add", ["B1", "m1"], ["h1"]),
        helper.make_node("Relu", ["h1"], ["r1"]),
        helper.make_node("MatMul", ["W2", "r1"], ["m2"]),
        helper.make_node("Add", ["m2", "B2"], ["h2"]),
        helper.make_node("LeakyRelu", ["h2"], ["y"]),
    ]
    inits = [init("W1", [[1, -2, 0.5], [0.25, 3, -1]]),  # [in=2, out=3]
             init("B1", [1, 0, -0.5]),
             init("W2", [[2, 0, -1], [0.75, 1, 4]]),  # [out=2, in=3]
             init("B2", [-3, 0.5])]
    g = helper.make_graph(nodes, "matmul_sides",
                          [helper.make_tensor_value_info("x", F, [2])],
                          [helper.make_tensor_value_info("y", F, [2])], inits)
    save(g, "matmul_sides.onnx")


def double_constants():
    """DOUBLE input and initializers; Constant nodes give the normalisation
    (Sub a DOUBLE tensor, Div a value_float scalar); weights not float32."""
    nodes = [
        helper.make_node("Constant", [], ["mean"],
                         value=numpy_helper.from_array(np.array([0.5, -0.25]), "mean")),
        helper.make_node("Sub", ["x", "mean"], ["s"]),
        helper.make_node("Constant", [], ["four"], value_float=4.0),
        helper.make_node("Div", ["s", "four"], ["n"]),
        helper.make_node("Gemm", ["n", "W", "C"], ["g"], transB=1),
        helper.make_node("Tanh", ["g"], ["y"]),
    ]
    inits = [init("W", [[0.1, 2.0], [-3.0, 1e-3]], np.float64),  # [out=2, in=2]
             init("C", [0.2, 5.0], np.float64)]
    g = helper.make_graph(nodes, "double_constants",
                          [helper.make_tensor_value_info("x", D, [1, 2])],
                          [helper.make_tensor_value_info("y", D, [1, 2])], inits)
    save(g, "double_constants.onnx")


def float_data():
    """Weights in the typed float_data field (not raw_data), and the no-op
    Reshape (INT64 shape with -1), Flatten, Identity, Dropout; Sigmoid."""
    w = helper.make_tensor("W", F, [2, 4], [1, 2, 3, 4, -1, -2, -3, -4.5])
    b = helper.make_tensor("B", F, [2], [0.5, -0.5])
    shape = helper.make_tensor("shape", TensorProto.INT64, [2], [1, -1])
    nodes = [
        helper.make_node("Reshape", ["x", "shape"], ["r"]),
        helper.make_node("Identity", ["r"], ["i"]),
        helper.make_node("Dropout", ["i"], ["d"]),
        helper.make_node("Flatten", ["d"], ["f"], axis=1),
        helper.make_node("Gemm", ["f", "W", "B"], ["g"], transB=1),
        helper.make_node("Sigmoid", ["g"], ["y"]),
    ]
    g = helper.make_graph(nodes, "float_data",
                          [helper.make_tensor_value_info("x", F, [1, 2, 2])],
                          [helper.make_tensor_value_info("y", F, [1, 2])],
                          [w, b, shape])
    save(g, "float_data.onnx")


def clip_affine():
    """Max/Min clip, then Mul 0.5 and Add -1 (x/2 - 1 = (x - 2)/2: mean 2,
    range 2), Gemm, Relu, then an output map Mul 3, Add 0.5."""
    nodes = [
        helper.make_node("Max", ["x", "lo"], ["c1"]),
        helper.make_node("Min", ["c1", "hi"], ["c2"]),
        helper.make_node("Mul", ["c2", "half"], ["m"]),
        helper.make_node("Add", ["m", "minus1"], ["a"]),
        helper.make_node("Gemm", ["a", "W", "B"], ["g"], transB=1),
        helper.make_node("Relu", ["g"], ["r"]),
        helper.make_node("Mul", ["r", "three"], ["o1"]),
        helper.make_node("Add", ["o1", "shift"], ["y"]),
    ]
    inits = [init("lo", [-1, 0]), init("hi", [1, 8]), init("half", 0.5),
             init("minus1", [-1]), init("W", [[1, 1]]), init("B", [0]),
             init("three", [3]), init("shift", 0.5)]
    g = helper.make_graph(nodes, "clip_affine",
                          [helper.make_tensor_value_info("x", F, [1, 2])],
                          [helper.make_tensor_value_info("y", F, [1, 1])], inits)
    save(g, "clip_affine.onnx")


if __name__ == "__main__":
    gemm_transb0()
    matmul_sides()
    double_constants()
    float_data()
    clip_affine()
