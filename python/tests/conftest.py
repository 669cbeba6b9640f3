"""Fixtures of the lumpnet Python tests: where the repository, the
command-line program and the real data are (tests/python.sh sets
LUMPNET_SRCDIR, LUMPNET and LUMPNET_DATA; run by hand, the paths default
to this checkout)."""

import os
import shutil

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get("LUMPNET_SRCDIR") or os.path.dirname(os.path.dirname(HERE))


@pytest.fixture
def srcdir():
    return SRCDIR


@pytest.fixture
def tiny_path():
    return os.path.join(SRCDIR, "examples", "tiny.json")


@pytest.fixture
def tiny(tiny_path):
    import lumpnet
    return lumpnet.load(tiny_path)


@pytest.fixture
def cli():
    """The lumpnet program of this build (skip when there is none)."""
    exe = os.environ.get("LUMPNET")
    if not exe:
        cand = os.path.join(SRCDIR, "_build", "lumpnet")
        exe = cand if os.path.exists(cand) else shutil.which("lumpnet")
    if not exe or not os.path.exists(exe):
        pytest.skip("no lumpnet program (set LUMPNET)")
    return exe


@pytest.fixture
def data_dir():
    """The real networks (../shared/data, or $LUMPNET_DATA); skip when absent."""
    d = os.environ.get("LUMPNET_DATA") or os.path.join(SRCDIR, "..", "shared", "data")
    if not os.path.isdir(os.path.join(d, "acasxu")):
        pytest.skip("real data %s is absent" % d)
    return d
