"""examples/python/quickstart.py runs and prints what it promises."""

import os
import subprocess
import sys


def test_quickstart(srcdir):
    script = os.path.join(srcdir, "examples", "python", "quickstart.py")
    r = subprocess.run([sys.executable, script], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "neurons: 6 -> 4" in r.stdout
    assert "certificate: valid" in r.stdout
    assert "network ['11/4', '-7/8'], quotient ['11/4', '-7/8']" in r.stdout
    assert r.stdout.rstrip().endswith("quickstart: ok")


def test_readme_python_example_runs(srcdir, monkeypatch):
    with open(os.path.join(srcdir, "README.md"), encoding="utf-8") as f:
        text = f.read()
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(srcdir)
    scope = {}
    exec(compile(code, "README.md", "exec"), scope)
    assert scope["net"].neurons == 6 and scope["q"].neurons == 4
