"""load, info, save, bound, relax, explore and draw against what the
command line reports."""

import json
import subprocess
from fractions import Fraction

import numpy as np
import pytest

import lumpnet
from nets import LUMPY, net_json


def test_load_structure(tiny):
    assert (tiny.inputs, tiny.outputs, tiny.neurons, tiny.params) == (2, 2, 6, 22)
    assert tiny.layers == [{"size": 4, "activation": "relu", "storage": "rational"},
                           {"size": 2, "activation": "identity", "storage": "rational"}]
    assert tiny.piecewise_linear and "2-4-2" in repr(tiny)


def test_info_matches_cli_json(tiny_path, cli):
    out = json.loads(subprocess.run([cli, "info", tiny_path, "--json"], check=True,
                                    capture_output=True, text=True).stdout)
    mine = lumpnet.info(tiny_path)
    for k in ("network", "inputs", "outputs", "layers", "neurons", "params", "input_clip",
              "input_normalization", "output_map", "piecewise_linear"):
        assert mine[k] == out[k], k


def test_leaky_alpha_in_layers():
    net = lumpnet.from_json(net_json(3, LUMPY))
    assert net.layers[1] == {"size": 3, "activation": "leaky_relu", "alpha": Fraction(1, 10),
                             "storage": "rational"}


def test_save_and_reload_exact(tmp_path):
    net = lumpnet.from_json(net_json(3, LUMPY))
    net.save(tmp_path / "n.json")
    again = lumpnet.load(tmp_path / "n.json")
    assert lumpnet.equiv(net, again).verdict is True
    assert lumpnet.from_json(net.to_json()).to_json() == net.to_json()
    rounded = net.save(tmp_path / "n.onnx")  # 1/3 and 1/7 do not fit a float
    assert rounded > 0
    assert lumpnet.load(tmp_path / "n.onnx").inputs == 3
    with pytest.raises(lumpnet.UsageError):
        net.save(tmp_path / "n.onnx", dtype="float16")


def test_copy_and_close(tiny):
    c = tiny.copy()
    tiny.close()
    with pytest.raises(ValueError, match="closed"):
        tiny.neurons
    assert c.neurons == 6 and "closed" in repr(tiny)
    with lumpnet.from_json(c.to_json()) as n:
        assert n.params == 22
    with pytest.raises(ValueError):
        n.params


def test_bound_quotient(tiny):
    q, lumping, _ = lumpnet.reduce(tiny)
    b = lumpnet.bound(tiny, q, (-1, 1))
    assert b["certified"] and len(b["bound"]) == 2
    for bj, oj, nj in zip(b["bound"], b["observed"], b["naive"]):
        assert 0 <= oj <= bj <= nj
    assert b["observed"] == [0.0, 0.0]  # equal networks
    b2 = lumpnet.bound(tiny, q, (-1, 1), lumping=lumping, lp=False)
    assert b2["certified"] and b2["bound_lp"] == [float("inf")] * 2
    b3 = lumpnet.bound(tiny, q, (-1, 1), encoding="separate")
    assert b3["encoding"] == "separate" and b3["certified"]


def test_bound_matches_cli(tiny_path, cli, tmp_path):
    net = lumpnet.load(tiny_path)
    with open(tiny_path) as f:
        other = lumpnet.from_json(f.read().replace('"1/4"', '"1/2"'))
    other.save(tmp_path / "b.json")
    out = json.loads(subprocess.run([cli, "bound", tiny_path, str(tmp_path / "b.json"),
                                     "--box", "-1:1", "--json"], check=True,
                                    capture_output=True, text=True).stdout)
    mine = lumpnet.bound(net, other, "-1:1")
    assert mine["bound"] == out["bound"] and mine["observed"] == out["observed"]
    assert mine["bound"][0] >= 0.25 - 1e-12 and mine["observed"][0] == 0.25


def test_bound_mismatch(tiny):
    other = lumpnet.from_json(net_json(2, [("identity", [[1, 0]], [0])]))
    with pytest.raises(lumpnet.InputError, match="bound needs equal numbers"):
        lumpnet.bound(tiny, other, (-1, 1))


def test_relax(tiny):
    g, lumping, rep = lumpnet.relax(tiny, 0, (-1, 1))
    assert rep["exact_lumping_checked"] and g.neurons == 4
    net = lumpnet.from_json(net_json(3, LUMPY))
    g, lumping, rep = lumpnet.relax(net, 0.5, [(-1, 1)] * 3)
    assert g.neurons <= net.neurons and rep["certified"]
    assert all(o <= b for o, b in zip(rep["observed"], rep["bound"]))
    assert lumping.neurons_after == g.neurons
    with pytest.raises(lumpnet.UsageError):
        lumpnet.relax(net, -1, (-1, 1))


def test_relax_calib():
    net = lumpnet.from_json(net_json(3, LUMPY))
    pts = np.random.default_rng(1).uniform(-1, 1, size=(40, 3))
    g, _, rep = lumpnet.relax(net, 0.05, (-1, 1), calib=pts)
    assert rep["guide"] == "calib" and rep["calib_deviation"] <= 0.05
    with pytest.raises(lumpnet.InputError):
        lumpnet.relax(net, 0.05, (-1, 1), calib=np.zeros((4, 2)))


def test_explore_rows(tiny):
    rows = lumpnet.explore(tiny, (-1, 1), eps=[0.1, 1.0])
    assert isinstance(rows, list) and all(isinstance(r, dict) for r in rows)
    assert rows[0]["method"] == "original" and rows[0]["eps"] is None
    assert {r["method"] for r in rows} == {"original", "lumpnet", "prune", "prune_params"}
    assert len(rows) == 1 + 3 * 2
    for r in rows:
        assert r["observed"] <= r["bound"] or not r["certified"]
        assert len(r["bounds"]) == 2


def test_explore_with_data_arrays(tiny):
    x = np.random.default_rng(2).uniform(-1, 1, size=(30, 2))
    y = np.argmax(lumpnet.eval(tiny, x), axis=1)
    rows = lumpnet.explore(tiny, (-1, 1), eps=[0.5], data=(x, y))
    assert rows[0]["accuracy"] == 1.0 and rows[0]["agreement"] == 1.0
    with pytest.raises(lumpnet.InputError, match="label"):
        lumpnet.explore(tiny, (-1, 1), eps=[0.5], data=(x, y + 5))


def test_draw(tiny, tmp_path):
    d = lumpnet.draw(tiny, tmp_path / "n.svg")
    assert d["nodes"] == 8 and (tmp_path / "n.svg").read_text().lstrip().startswith("<")
    q, lumping, cert = lumpnet.reduce(tiny)
    d1 = lumpnet.draw(tiny, tmp_path / "r.dot", reduce=True)
    d2 = lumpnet.draw(tiny, tmp_path / "l.dot", lumping=lumping)
    d3 = lumpnet.draw(tiny, tmp_path / "c.dot", cert=cert)
    assert d1 == d2 == d3 and d1["nodes"] > 8
    assert (tmp_path / "r.dot").read_bytes() == (tmp_path / "c.dot").read_bytes()
    assert lumpnet.draw(tiny, tmp_path / "e.svg", eps=0.1, box=(-1, 1))["nodes"] > 8
    with pytest.raises(lumpnet.UsageError, match="figure format"):
        lumpnet.draw(tiny, tmp_path / "n.gif")
    with pytest.raises(lumpnet.UsageError):
        lumpnet.draw(tiny, tmp_path / "n.svg", reduce=True, cert=cert)


def test_explore_with_data_file_and_calib(tiny, tmp_path):
    x = np.random.default_rng(3).uniform(-1, 1, size=(25, 2))
    y = np.argmax(lumpnet.eval(tiny, x), axis=1)
    csv = tmp_path / "d.csv"
    csv.write_text("".join("%r,%r,%d\n" % (a, b, c) for (a, b), c in zip(x, y)))
    rows = lumpnet.explore(tiny, (-1, 1), eps=[0.01, 0.2], data=str(csv), calib=x)
    assert rows[0]["accuracy"] == 1.0
    lumped = [r for r in rows if r["method"] == "lumpnet"]
    assert len(lumped) == 2 and all(r["calib_deviation"] is not None for r in lumped)
    assert all(r["calib_deviation"] <= r["eps"] for r in lumped)
    with pytest.raises(lumpnet.FileError, match="nothere.csv"):
        lumpnet.explore(tiny, (-1, 1), eps=[0.1], data=str(tmp_path / "nothere.csv"))
