"""The in-tree build backend: the wheel it writes holds the package and a
consistent RECORD, and pip installs from the checkout without an index."""

import base64
import hashlib
import os
import subprocess
import sys
import zipfile

import pytest

PYDIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _backend():
    sys.path.insert(0, os.path.join(PYDIR, "_build_backend"))
    try:
        import lumpnet_build
        return lumpnet_build
    finally:
        sys.path.pop(0)


def test_wheel_contents_and_record(tmp_path):
    b = _backend()
    assert b.get_requires_for_build_wheel() == []
    name = b.build_wheel(str(tmp_path))
    assert name == "lumpnet-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(tmp_path / name) as z:
        names = set(z.namelist())
        assert {"lumpnet/__init__.py", "lumpnet/_lib.py",
                "lumpnet-0.1.0.dist-info/METADATA", "lumpnet-0.1.0.dist-info/WHEEL",
                "lumpnet-0.1.0.dist-info/RECORD"} <= names
        assert not any("_config" in n or "tests" in n for n in names)
        record = z.read("lumpnet-0.1.0.dist-info/RECORD").decode().split()
        for line in record:
            path, digest, size = line.rsplit(",", 2)
            if path.endswith("RECORD"):
                continue
            data = z.read(path)
            want = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert digest == "sha256=" + want.decode() and int(size) == len(data)
        z.extractall(tmp_path / "site")
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "site"))
    r = subprocess.run([sys.executable, "-c", "import lumpnet; print(lumpnet.__file__)"],
                       env=env, capture_output=True, text=True)
    assert r.returncode == 0 and str(tmp_path / "site") in r.stdout, r.stderr


def test_pip_installs_without_an_index(tmp_path):
    if subprocess.run([sys.executable, "-m", "pip", "--version"],
                      capture_output=True).returncode != 0:
        pytest.skip("no pip for %s" % sys.executable)
    # --no-index: nothing may come from a package index, as offline
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-index", "--no-deps",
                        "--disable-pip-version-check", "--no-cache-dir", "--target",
                        str(tmp_path / "t"), PYDIR], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "t" / "lumpnet" / "_lib.py").exists()
