"""eval: exact results against an independent Fraction evaluation, double
results against the command line, numpy shapes, MPFR enclosures."""

import random
import subprocess
from fractions import Fraction

import numpy as np
import pytest

import lumpnet
from nets import LUMPY, eval_fraction, net_json


def test_exact_tiny_readme_value(tiny):
    # the README's example: lumpnet eval examples/tiny.json --exact --input 1,1/2
    assert lumpnet.eval(tiny, [1, "1/2"], mode="exact") == [Fraction(11, 4), Fraction(-7, 8)]


def test_exact_against_fractions_by_hand():
    # 2 inputs, relu layer, identity output, computed by hand:
    # h0 = relu(x0/3 - x1 + 1/5), h1 = relu(-x0 + 1/7); y = 2 h0 - h1/2 + 1/9
    layers = [("relu", [[Fraction(1, 3), -1], [-1, 0]], [Fraction(1, 5), Fraction(1, 7)]),
              ("identity", [[2, Fraction(-1, 2)]], [Fraction(1, 9)])]
    net = lumpnet.from_json(net_json(2, layers))
    x = [Fraction(3, 4), Fraction(-2, 5)]
    h0 = max(Fraction(1, 3) * x[0] - x[1] + Fraction(1, 5), Fraction(0))
    h1 = max(-x[0] + Fraction(1, 7), Fraction(0))
    want = 2 * h0 - h1 / 2 + Fraction(1, 9)
    assert want == Fraction(163, 90)  # 2 (1/4 + 2/5 + 1/5) + 1/9, h1 = 0
    assert lumpnet.eval(net, x, mode="exact") == [want]


def test_exact_against_fraction_evaluator_random_points():
    seed = random.randrange(1 << 30)
    print("seed", seed)
    rng = random.Random(seed)
    net = lumpnet.from_json(net_json(3, LUMPY))
    for _ in range(50):
        x = [Fraction(rng.randint(-50, 50), rng.randint(1, 20)) for _ in range(3)]
        assert lumpnet.eval(net, x, mode="exact") == eval_fraction(LUMPY, x), x


def test_exact_batch_and_input_kinds(tiny):
    rows = [[1, "1/2"], [Fraction(1), 0.5], ["1", "0.5"]]
    out = lumpnet.eval(tiny, rows, mode="exact")
    assert out == [[Fraction(11, 4), Fraction(-7, 8)]] * 3


def test_exact_float_input_taken_exactly(tiny):
    # 0.1 is not 1/10 in binary; the exact evaluation sees the binary value
    a = lumpnet.eval(tiny, [0.1, 0], mode="exact")
    b = lumpnet.eval(tiny, [Fraction(1, 10), 0], mode="exact")
    c = lumpnet.eval(tiny, [Fraction(0.1), 0], mode="exact")
    assert a == c and a != b


def test_exact_refuses_sigmoid():
    net = lumpnet.from_json(net_json(1, [("identity", [[1]], [0])]).replace("identity",
                                                                             "sigmoid"))
    with pytest.raises(lumpnet.UnsupportedError, match="mpfr"):
        lumpnet.eval(net, [0], mode="exact")


def test_double_matches_cli(tiny_path, cli, tmp_path):
    rng = np.random.default_rng(7)
    x = rng.uniform(-3, 3, size=(20, 2))
    f = tmp_path / "in.txt"
    f.write_text("".join("%r,%r\n" % (a, b) for a, b in x))
    out = subprocess.run([cli, "eval", tiny_path, "--inputs", str(f)], check=True,
                         capture_output=True, text=True).stdout.split()
    got = lumpnet.eval(lumpnet.load(tiny_path), x)
    assert got.shape == (20, 2)
    want = np.array([[float(v) for v in line.split(",")] for line in out])
    # the command prints 17 significant digits: they round-trip exactly
    assert np.array_equal(got, want)


def test_double_shapes(tiny):
    assert lumpnet.eval(tiny, [1, 0.5]).shape == (2,)
    assert lumpnet.eval(tiny, np.zeros((5, 2))).shape == (5, 2)
    assert lumpnet.eval(tiny, np.zeros((0, 2))).shape == (0, 2)
    assert lumpnet.eval(tiny, np.zeros((3, 2), dtype=np.float32)).dtype == np.float64
    np.testing.assert_array_equal(lumpnet.eval(tiny, [1, 0.5]), [2.75, -0.875])


def test_double_wrong_width(tiny):
    with pytest.raises(lumpnet.InputError, match="3 values given, the network has 2 inputs"):
        lumpnet.eval(tiny, [1, 2, 3])
    with pytest.raises(lumpnet.InputError):
        lumpnet.eval(tiny, [1, 2, 3], mode="exact")


def test_double_refuses_non_finite(tiny):
    with pytest.raises(lumpnet.InputError, match="not finite"):
        lumpnet.eval(tiny, [float("nan"), 0])


def test_double_out_of_range_weight():
    net = lumpnet.from_json(net_json(1, [("identity", [["1e400"]], [0])]).replace(
        '"1e400"', '"1e400"'))
    with pytest.raises(lumpnet.UnsupportedError, match="mode='exact'"):
        lumpnet.eval(net, [1])
    assert lumpnet.eval(net, [1], mode="exact") == [Fraction(10) ** 400]


def test_mpfr_encloses_exact_and_sigmoid():
    net = lumpnet.from_json(net_json(3, LUMPY))
    x = [Fraction(1, 3), Fraction(-2, 7), Fraction(5, 2)]
    exact = lumpnet.eval(net, x, mode="exact")
    enc = lumpnet.eval(net, x, mode="mpfr", bits=64)
    for (lo, hi), v in zip(enc, exact):
        assert lo <= v <= hi and hi - lo < Fraction(1, 2 ** 50)
    sig = lumpnet.from_json(net_json(1, [("identity", [[2]], [0])]).replace("identity",
                                                                             "sigmoid"))
    (lo, hi), = lumpnet.eval(sig, [Fraction(1, 2)], mode="mpfr", bits=100)
    assert lo < hi and lo <= Fraction(0.7310585786300049) + Fraction(1, 10 ** 15)
    assert float(lo) == pytest.approx(0.7310585786300049, rel=1e-15)


def test_mpfr_needs_bits(tiny):
    with pytest.raises(lumpnet.UsageError, match="24 to 65536"):
        lumpnet.eval(tiny, [0, 0], mode="mpfr")
    with pytest.raises(lumpnet.UsageError):
        lumpnet.eval(tiny, [0, 0], mode="mpfr", bits=8)
    with pytest.raises(lumpnet.UsageError, match="double, exact or mpfr"):
        lumpnet.eval(tiny, [0, 0], mode="fast")


def test_exact_big_rationals_and_empty_rows(tiny):
    # far beyond the 4000 digits the file parser accepts: inputs go to GMP directly
    big = Fraction(10 ** 5000 + 1, 3)
    y = lumpnet.eval(tiny, [big, 0], mode="exact")
    layers = [("relu", [[1, -1], [2, -2], [1, 1], [1, -1]],
               [Fraction(1, 2), 1, 0, Fraction(1, 2)]),
              ("identity", [[1, 1, -1, 1], [0, -1, Fraction(3, 4), 0]], [Fraction(1, 4), 0])]
    assert y == eval_fraction(layers, [big, 0])
    with pytest.raises(lumpnet.InputError, match="0 values given"):
        lumpnet.eval(tiny, [])
