"""Errors: lumpnet.Error subclasses by the library's error code, carrying
its message (which names the file); exact conversions of numbers; the
import error when the library cannot be found; memory held in check."""

import os
import random
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction

import pytest

import lumpnet
from nets import net_json


def test_missing_file_names_it(tmp_path):
    missing = tmp_path / "missing.json"
    with pytest.raises(lumpnet.FileError) as e:
        lumpnet.load(missing)
    assert str(missing) in str(e.value) and e.value.message == str(e.value)
    assert isinstance(e.value, lumpnet.Error) and e.value.code == 4


def test_malformed_json_names_file_and_place(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(net_json(2, [("identity", [[1, 0]], [0])]).replace('"identity"', '"swish"'))
    with pytest.raises(lumpnet.InputError) as e:
        lumpnet.load(bad)
    assert str(bad) in str(e.value) and "swish" in str(e.value)
    with pytest.raises(lumpnet.InputError, match="mine.json"):
        lumpnet.from_json("{", name="mine.json")


def test_pytorch_file_hint(tmp_path):
    pt = tmp_path / "model.pt"
    pt.write_bytes(b"\x80\x02")
    with pytest.raises(lumpnet.UsageError) as e:
        lumpnet.load(pt)
    assert str(pt) in str(e.value) and "lumpnet.from_torch" in str(e.value)
    with pytest.raises(lumpnet.UsageError, match="unknown network format"):
        lumpnet.load(tmp_path / "model.h5")


def test_certificate_errors_name_the_file(tiny, tmp_path):
    q, _, cert = lumpnet.reduce(tiny)
    bad = tmp_path / "cert.json"
    bad.write_text(cert.replace('"layers"', '"layerz"'))
    with pytest.raises(lumpnet.InputError, match="cert.json"):
        lumpnet.check(tiny, q, bad)
    with pytest.raises(lumpnet.FileError, match="nothere.json"):
        lumpnet.check(tiny, q, tmp_path / "nothere.json")


def test_box_errors(tiny, tmp_path):
    with pytest.raises(lumpnet.InputError, match="3"):
        lumpnet.equiv(tiny, tiny, box=[(0, 1)] * 3)
    with pytest.raises(lumpnet.Error, match="empty|above|lower"):
        lumpnet.reduce(tiny, box=[(1, 0), (0, 1)])
    with pytest.raises(lumpnet.FileError, match="nothere.vnnlib"):
        lumpnet.reduce(tiny, box=str(tmp_path / "nothere.vnnlib"))


def test_number_conversions_are_exact(tiny):
    f = lumpnet._fraction
    assert f(0.1) == Fraction(3602879701896397, 36028797018963968)
    assert f("0.1") == Fraction(1, 10) and f("-1.25e-3") == Fraction(-1, 800)
    assert f(" 3/6 ") == Fraction(1, 2) and f(Decimal("0.1")) == Fraction(1, 10)
    assert f(7) == 7 and f(Fraction(2, 3)) == Fraction(2, 3)
    import numpy as np
    assert f(np.float32(0.1)) == Fraction(float(np.float32(0.1)))
    assert f(np.int64(-3)) == -3
    with pytest.raises(ValueError):
        f(float("inf"))
    with pytest.raises(lumpnet.InputError, match="abc"):
        f("abc")
    with pytest.raises(TypeError):
        f(True)


def test_import_error_names_the_variable(tmp_path):
    env = dict(os.environ, LUMPNET_LIBRARY=str(tmp_path / "nothere.so"))
    r = subprocess.run([sys.executable, "-c", "import lumpnet"], env=env,
                       capture_output=True, text=True)
    assert r.returncode != 0 and "ImportError" in r.stderr
    assert "LUMPNET_LIBRARY" in r.stderr and "nothere.so" in r.stderr


def _rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _wide_net():
    """A 4-40-40-3 network of rationals with lumps: about 50 kB in C."""
    rng = random.Random(4)
    def layer(n, m, act):
        rows = [[Fraction(rng.randint(-99, 99), rng.randint(1, 99)) for _ in range(m)]
                for _ in range(n // 2)]
        rows += [[2 * w for w in r] for r in rows]  # proportional twins
        return (act, rows, [Fraction(rng.randint(-9, 9), 7) for _ in range(n // 2)] * 2)
    return net_json(4, [layer(40, 4, "relu"), layer(40, 40, "relu"),
                        ("identity", [[1] * 40] * 3, [0, 0, 0])])


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="no /proc")
def test_c_memory_is_freed():
    text = _wide_net()

    def work():
        net = lumpnet.from_json(text)
        q, lumping, cert = lumpnet.reduce(net)
        lumpnet.equiv(net, q)
        lumpnet.eval(net, [1, "1/3", 0, 2], mode="exact")
        lumpnet.eval(net, [1, "1/3", 0, 2], mode="mpfr", bits=80)
        lumping.layers
    for _ in range(10):  # warm up the allocators
        work()
    before = _rss_kb()
    for _ in range(80):
        work()
    grown = _rss_kb() - before
    # a network or a quotient not freed is about 60 kB a round, a lumping
    # 16 kB (measured by disabling their finalizers): over 1 MB in 80 rounds,
    # where the binding without a leak grows by a few kB
    print("resident memory grew by %d kB" % grown)
    assert grown < 512, "resident memory grew by %d kB" % grown
