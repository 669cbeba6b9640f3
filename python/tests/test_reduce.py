"""reduce, check and equiv: round trips through certificates, the
quotient equal to the original at random rational points, witnesses
re-evaluated exactly."""

import json
import os
import random
from fractions import Fraction

import pytest

import lumpnet
from nets import LUMPY, eval_fraction, net_json


def seeded():
    seed = int(os.environ.get("LUMPNET_SEED") or random.randrange(1 << 30))
    print("seed %d (set LUMPNET_SEED to replay)" % seed)
    return random.Random(seed)


def test_reduce_check_round_trip(tiny):
    q, lumping, cert = lumpnet.reduce(tiny)
    assert q.sizes == [2, 2, 2] and tiny.sizes == [2, 4, 2]
    assert json.loads(cert)["format"] == "lumpnet-certificate"
    verdict = lumpnet.check(tiny, q, cert)
    assert verdict and verdict.valid and verdict.kind == "lumping" and verdict.reason is None
    # the same through files, as the command line would read them
    assert lumpnet.check(tiny, q, cert.encode())
    assert lumpnet.check(tiny, q, lumping)


def test_reduce_files_round_trip(tiny, tmp_path):
    q, _, cert = lumpnet.reduce(tiny, mode="exact")
    q.save(tmp_path / "q.json")
    (tmp_path / "c.json").write_text(cert)
    assert lumpnet.check(tiny.path, str(tmp_path / "q.json"), tmp_path / "c.json")


def test_check_refuses_tampered_certificate(tiny):
    q, _, cert = lumpnet.reduce(tiny)
    c = json.loads(cert)
    text = json.dumps(c).replace('"2"', '"3"', 1)  # a scale changed
    assert text != json.dumps(c)
    verdict = lumpnet.check(tiny, q, text)
    assert not verdict and verdict.reason
    other = lumpnet.from_json(net_json(2, [("identity", [[1, 0], [0, 1]], [0, 0])]))
    assert not lumpnet.check(tiny, other, cert)


def test_lumping_blocks(tiny):
    _, lumping, _ = lumpnet.reduce(tiny)
    assert lumping.mode == "proportional" and lumping.neurons_after == 4
    first = lumping.layers[0]
    assert first[0] == {"members": [0, 1, 3], "scales": [1, 2, 1], "fate": "keep",
                        "value": None}
    assert [b["members"] for b in lumping.layers[1]] == [[0], [1]]


def test_reduce_modes_and_constants():
    net = lumpnet.from_json(net_json(3, LUMPY))
    qe = lumpnet.reduce(net, mode="exact").network
    qp, lp, _ = lumpnet.reduce(net)
    assert qp.neurons < qe.neurons < net.neurons
    fates = [b["fate"] for layer in lp.layers for b in layer]
    assert "constant" in fates
    const = [b for b in lp.layers[0] if b["fate"] == "constant"][0]
    assert const["members"] == [4] and const["value"] == 3
    with pytest.raises(lumpnet.UsageError):
        lumpnet.reduce(net, mode="approximate")


def test_quotient_equal_at_random_rational_points():
    rng = seeded()
    net = lumpnet.from_json(net_json(3, LUMPY))
    q, _, cert = lumpnet.reduce(net)
    assert lumpnet.check(net, q, cert)
    for _ in range(200):
        x = [Fraction(rng.randint(-10 ** 6, 10 ** 6), rng.randint(1, 10 ** 6))
             for _ in range(3)]
        yq = lumpnet.eval(q, x, mode="exact")
        assert yq == lumpnet.eval(net, x, mode="exact") == eval_fraction(LUMPY, x), x


def test_equiv_proved_with_checked_certificate(tiny):
    q, _, _ = lumpnet.reduce(tiny)
    e = lumpnet.equiv(tiny, q)
    assert e.verdict is True and e.witness is None and e.output is None
    assert json.loads(e.certificate)["format"] == "lumpnet-equivalence-certificate"
    verdict = lumpnet.check(tiny, q, e.certificate)
    assert verdict and verdict.kind == "equivalence"


def test_equiv_witness_reevaluated_exactly():
    layers = [list(layer) for layer in LUMPY]
    changed = [list(layer) for layer in LUMPY]
    changed[0] = ("relu", LUMPY[0][1], [Fraction(1, 7), Fraction(2, 7), Fraction(-1, 5),
                                        Fraction(1, 8), 3])  # neuron 3 differs a little
    a = lumpnet.from_json(net_json(3, layers))
    b = lumpnet.from_json(net_json(3, changed))
    e = lumpnet.equiv(a, b, seed=3)
    assert e.verdict is False and len(e.witness) == 3
    assert all(isinstance(v, Fraction) for v in e.witness)
    ya, yb = eval_fraction(LUMPY, e.witness), eval_fraction(changed, e.witness)
    assert ya != yb and ya[e.output] != yb[e.output]
    assert lumpnet.eval(a, e.witness, mode="exact") == ya


def test_equiv_box_and_tolerance_placeholder(tiny):
    e = lumpnet.equiv(tiny, tiny, box=[(0, 1), (0, 1)])
    assert e.verdict is True
    with pytest.raises(NotImplementedError, match="tolerance"):
        lumpnet.equiv(tiny, tiny, tolerance=0.1)


def test_reduce_on_box_and_check(tiny):
    box = [(Fraction(1, 2), 1), (0, Fraction(1, 4))]
    r = lumpnet.reduce(tiny, box=box)
    q, lumping, cert = r
    assert lumping is None and r.stats["rounds"] >= 1
    assert json.loads(cert)["version"] == 2
    assert lumpnet.check(tiny, q, cert, box=box).kind == "box"
    with pytest.raises(lumpnet.UsageError, match="box"):
        lumpnet.check(tiny, q, cert)
    # equal on the box: exact evaluation at its corners and centre
    for x in ([Fraction(1, 2), 0], [1, Fraction(1, 4)], [Fraction(3, 4), Fraction(1, 8)]):
        assert lumpnet.eval(q, x, mode="exact") == lumpnet.eval(tiny, x, mode="exact")


def test_box_forms_agree(tiny, tmp_path):
    vnn = tmp_path / "p.vnnlib"
    vnn.write_text("(declare-const X_0 Real)\n(declare-const X_1 Real)\n"
                   "(assert (>= X_0 -1))\n(assert (<= X_0 1))\n"
                   "(assert (>= X_1 -1))\n(assert (<= X_1 1))\n")
    forms = [[(-1, 1), (-1, 1)], (-1, 1), "-1:1", "-1:1,-1:1", str(vnn), vnn,
             [(Fraction(-1), 1.0), ("-1", "1")]]
    certs = {lumpnet.reduce(tiny, box=f).certificate for f in forms}
    assert len(certs) == 1
    assert lumpnet.info(str(vnn))["lower"] == [-1, -1]


def test_box_bad_width(tiny):
    with pytest.raises(lumpnet.InputError) as e:
        lumpnet.reduce(tiny, box=[(0, 1), (0, 1), (0, 1)])
    assert "3" in str(e.value) and "2" in str(e.value)
    with pytest.raises(lumpnet.Error):
        lumpnet.bound(tiny, tiny, box=[(1, 0), (0, 1)])
