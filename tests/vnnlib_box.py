"""The input box of a VNN-LIB property as exact Fractions (shared by the
Python helpers of the CNN tests; standard library only)."""
import re
from fractions import Fraction


def read_box(path):
    """The input box of a VNN-LIB property, as Fractions (lo, hi)."""
    lo, hi = {}, {}
    pat = re.compile(r"\(\s*assert\s*\(\s*(<=|>=)\s+X_(\d+)\s+([-+0-9.eE]+)\s*\)\s*\)")
    with open(path) as f:
        for op, i, v in pat.findall(f.read()):
            (hi if op == "<=" else lo)[int(i)] = Fraction(v)
    n = max(lo) + 1
    assert sorted(lo) == list(range(n)) and sorted(hi) == list(range(n)), path
    return [lo[i] for i in range(n)], [hi[i] for i in range(n)]
