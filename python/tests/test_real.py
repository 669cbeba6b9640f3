"""The real networks of ../shared/data ($LUMPNET_DATA; skipped when
absent): ACAS Xu in NNet and ONNX, against the command line."""

import json
import os
import subprocess

import numpy as np
import pytest

import lumpnet

ACAS = "ACASXU_run2a_1_1_batch_2000"


def test_acas_info_and_eval_against_cli(data_dir, cli, tmp_path):
    path = os.path.join(data_dir, "acasxu", ACAS + ".nnet")
    net = lumpnet.load(path)
    assert lumpnet.info(net)["params"] == 13305 and net.sizes == [5] + [50] * 6 + [5]
    x = np.random.default_rng(11).uniform(-1, 1, size=(10, 5))
    f = tmp_path / "in.txt"
    f.write_text("".join(",".join(repr(v) for v in row) + "\n" for row in x))
    out = subprocess.run([cli, "eval", path, "--inputs", str(f)], check=True,
                         capture_output=True, text=True).stdout.split()
    want = np.array([[float(v) for v in line.split(",")] for line in out])
    assert np.array_equal(lumpnet.eval(net, x), want)


def test_acas_onnx_reduce_check_on_property_box(data_dir):
    d = os.path.join(data_dir, "vnncomp2021", "acasxu")
    onnx, prop = os.path.join(d, ACAS + ".onnx"), os.path.join(d, "prop_1.vnnlib")
    if not os.path.exists(onnx) or not os.path.exists(prop):
        pytest.skip("no VNN-COMP ACAS Xu files in %s" % d)
    net = lumpnet.load(onnx)
    q, lumping, cert = lumpnet.reduce(net)
    assert lumpnet.check(net, q, cert)
    rb = lumpnet.reduce(net, box=prop, bounds="interval")
    assert rb.network.neurons <= q.neurons
    assert lumpnet.check(net, rb.network, rb.certificate, box=prop)
    assert json.loads(rb.certificate)["version"] == 2


def test_acas_exact_equals_double_closely(data_dir):
    net = lumpnet.load(os.path.join(data_dir, "acasxu", ACAS + ".nnet"))
    x = [0.1, -0.2, 0.3, 0.25, -0.4]
    exact = lumpnet.eval(net, x, mode="exact")
    approx = lumpnet.eval(net, x)
    assert np.allclose([float(v) for v in exact], approx, rtol=1e-12, atol=1e-12)
