"""The structures of lumpnet/_lib.py against the C headers: a small C
program prints sizeof and offsetof of every mirrored structure and field
as the compiler lays them out, and each must equal ctypes' (a field
appended to a structure that has a reserve only needs the reserve to
stay large enough). Skipped without a C compiler or the headers."""

import os
import shutil
import subprocess

import pytest

from lumpnet import _lib as C

HERE = os.path.dirname(os.path.abspath(__file__))
INCLUDE = os.path.join(os.path.dirname(os.path.dirname(HERE)), "include")


def _compile_and_run(tmp_path):
    cc = (os.environ.get("LUMPNET_CC") or shutil.which("cc") or shutil.which("gcc"))
    if not cc or not os.path.isfile(os.path.join(INCLUDE, "lumpnet.h")):
        pytest.skip("no C compiler or no headers at %s" % INCLUDE)
    lines = ['#include <stdio.h>', '#include <stddef.h>', '#include "lumpnet.h"',
             'int main(void) {']
    for cname, st in C.STRUCTS.items():
        lines.append('printf("%s %%zu\\n", sizeof(%s));' % (cname, cname))
        for field, _ in st._fields_:
            if field != "_reserve":
                lines.append('printf("%s.%s %%zu\\n", offsetof(%s, %s));'
                             % (cname, field, cname, field))
    lines.append("return 0; }")
    src = tmp_path / "abi.c"
    src.write_text("\n".join(lines) + "\n")
    exe = tmp_path / "abi"
    r = subprocess.run(cc.split() + ["-I" + INCLUDE, str(src), "-o", str(exe)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail("the layout probe does not compile (a field renamed or removed?):\n"
                    + r.stderr[-3000:])
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout
    return dict(line.rsplit(" ", 1) for line in out.splitlines())


def test_structures_match_the_headers(tmp_path):
    got = _compile_and_run(tmp_path)
    bad = []
    for cname, st in C.STRUCTS.items():
        reserve = dict(st._fields_).get("_reserve")
        size = int(got[cname])
        if reserve is None and size != C.ctypes.sizeof(st):
            bad.append("%s: sizeof %d in C, %d in ctypes" % (cname, size,
                                                            C.ctypes.sizeof(st)))
        if reserve is not None and size > st._reserve.offset + C.ctypes.sizeof(reserve):
            bad.append("%s: sizeof %d in C exceeds ctypes' %d with its reserve"
                       % (cname, size, C.ctypes.sizeof(st)))
        for field, _ in st._fields_:
            if field != "_reserve" and int(got[cname + "." + field]) != getattr(st, field).offset:
                bad.append("%s.%s: offset %s in C, %d in ctypes" % (
                    cname, field, got[cname + "." + field], getattr(st, field).offset))
    assert not bad, "\n".join(bad)
