"""A PEP 517 build backend for the lumpnet Python package that uses the
standard library only: `pip install ./python` then needs no package index
(no setuptools or wheel to download into pip's isolated build
environment). It writes a pure-Python wheel: the files of lumpnet/, and
the .dist-info with METADATA, WHEEL and RECORD (PEP 427, PEP 376)."""

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAG = "py3-none-any"


def _project():
    """(name, version, summary) from pyproject.toml."""
    with open(os.path.join(HERE, "pyproject.toml"), "rb") as f:
        text = f.read().decode()
    try:
        import tomllib
        p = tomllib.loads(text)["project"]
        return p["name"], p["version"], p.get("description", "")
    except ImportError:  # Python < 3.11: the three keys are simple strings
        def get(key):
            m = re.search(r'^%s\s*=\s*"([^"]*)"' % key, text, re.M)
            return m.group(1) if m else ""
        return get("name"), get("version"), get("description")


def _metadata():
    name, version, summary = _project()
    meta = ("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s\n"
            "Requires-Python: >=3.8\nProvides-Extra: numpy\n"
            "Requires-Dist: numpy; extra == \"numpy\"\n" % (name, version, summary))
    readme = os.path.join(HERE, "README.md")
    if os.path.exists(readme):
        with open(readme, encoding="utf-8") as f:
            meta += "Description-Content-Type: text/markdown\n\n" + f.read()
    return name, version, meta


def _package_files():
    """The package's sources, as (path in the wheel, path on disk). The
    generated _config.py of `make install` is not part of a wheel."""
    out = []
    pkg = os.path.join(HERE, "lumpnet")
    for fn in sorted(os.listdir(pkg)):
        if fn.endswith(".py") and fn != "_config.py":
            out.append(("lumpnet/" + fn, os.path.join(pkg, fn)))
    return out


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (arcname, digest, len(data))


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    name, version, meta = _metadata()
    di = "%s-%s.dist-info" % (name, version)
    os.makedirs(os.path.join(metadata_directory, di), exist_ok=True)
    with open(os.path.join(metadata_directory, di, "METADATA"), "w", encoding="utf-8") as f:
        f.write(meta)
    return di


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name, version, meta = _metadata()
    di = "%s-%s.dist-info" % (name, version)
    wheel_name = "%s-%s-%s.whl" % (name, version, TAG)
    files = []
    for arc, disk in _package_files():
        with open(disk, "rb") as f:
            files.append((arc, f.read()))
    files.append((di + "/METADATA", meta.encode("utf-8")))
    files.append((di + "/WHEEL", ("Wheel-Version: 1.0\nGenerator: lumpnet_build\n"
                                  "Root-Is-Purelib: true\nTag: %s\n" % TAG).encode()))
    files.append((di + "/top_level.txt", b"lumpnet\n"))
    record = [_record_line(arc, data) for arc, data in files] + [di + "/RECORD,,"]
    files.append((di + "/RECORD", ("\n".join(record) + "\n").encode()))
    path = os.path.join(wheel_directory, wheel_name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for arc, data in files:
            info = zipfile.ZipInfo(arc, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return wheel_name


def build_sdist(sdist_directory, config_settings=None):
    name, version, _ = _metadata()
    base = "%s-%s" % (name, version)
    path = os.path.join(sdist_directory, base + ".tar.gz")
    with tarfile.open(path, "w:gz") as t:
        for rel in ["pyproject.toml", "README.md", "_build_backend/lumpnet_build.py"] + \
                [arc for arc, _ in _package_files()]:
            disk = os.path.join(HERE, rel)
            if os.path.exists(disk):
                t.add(disk, arcname=base + "/" + rel)
        pkg_info = io.BytesIO(_metadata()[2].encode("utf-8"))
        ti = tarfile.TarInfo(base + "/PKG-INFO")
        ti.size = len(pkg_info.getvalue())
        t.addfile(ti, pkg_info)
    return base + ".tar.gz"
