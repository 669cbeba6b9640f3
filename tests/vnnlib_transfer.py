#!/usr/bin/env python3
"""vnnlib_transfer.py -- issue 16, acceptance 3: reduce --box PROP.vnnlib
--vnnlib-out on ACAS Xu prop_3 and prop_4 for 10 networks, written as
float32 ONNX. For each: the written property is syntactically valid
VNN-LIB (parsed here as S-expressions, and re-read by `lumpnet info`); its
input box is the original's; and its unsafe region contains the original's
enlarged by U, the distance `lumpnet check` certifies for the written file,
checked in exact arithmetic (fractions) on the constraint coefficients:
every written disjunct is implied by an original disjunct enlarged in
L-infinity by U (c.Y <= d becomes c.Y <= d + U |c|_1). Then a planted case:
a point that is a counterexample on the reduced pair (exact evaluation of
the written file) is re-checked on the original with `lumpnet eval
--exact`, which tells a genuine counterexample from one the enlargement
made. Usage: vnnlib_transfer.py LUMPNET DATA TMPDIR."""
import os
import re
import subprocess
import sys
from fractions import Fraction as F

LUMPNET, DATA, TMP = sys.argv[1:4]
NETS = ["1_1", "1_5", "1_9", "2_3", "2_7", "3_2", "3_6", "4_4", "4_8", "5_5"]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(args):
    return subprocess.run([LUMPNET] + args, capture_output=True, text=True)


# ------------------------------------------------ VNN-LIB, parsed here ---
def sexprs(text):
    """The top-level S-expressions of TEXT (comments dropped); raises on
    unbalanced parentheses."""
    toks = re.findall(r"\(|\)|[^\s()]+", re.sub(r";[^\n]*", "", text))
    out, stack = [], []
    for t in toks:
        if t == "(":
            stack.append([])
        elif t == ")":
            if not stack:
                raise ValueError("unbalanced ')'")
            e = stack.pop()
            (stack[-1] if stack else out).append(e)
        else:
            if not stack:
                raise ValueError(f"atom {t} outside an expression")
            stack[-1].append(t)
    if stack:
        raise ValueError("unbalanced '('")
    return out


def linear(e):
    """A linear term over Y as ({j: coeff}, const), or None if it names X."""
    if isinstance(e, str):
        if re.fullmatch(r"Y_\d+", e):
            return {int(e[2:]): F(1)}, F(0)
        if re.fullmatch(r"X_\d+", e):
            return None
        return {}, F(e)
    op, args = e[0], [linear(a) for a in e[1:]]
    if any(a is None for a in args):
        return None
    if op == "+":
        c, k = {}, F(0)
        for ac, ak in args:
            for j, v in ac.items():
                c[j] = c.get(j, 0) + v
            k += ak
        return c, k
    if op == "-":
        if len(args) == 1:
            return {j: -v for j, v in args[0][0].items()}, -args[0][1]
        (ac, ak), (bc, bk) = args
        c = dict(ac)
        for j, v in bc.items():
            c[j] = c.get(j, 0) - v
        return c, ak - bk
    if op == "*":
        (ac, ak), (bc, bk) = args
        if ac and bc:
            raise ValueError("non-linear term")
        if not ac:
            return {j: ak * v for j, v in bc.items()}, ak * bk
        return {j: bk * v for j, v in ac.items()}, ak * bk
    raise ValueError(f"operator {op}")


def dnf(e):
    """The output constraint E as a list of disjuncts, each a list of atoms
    (coeffs, d) meaning coeffs.Y <= d; None when E is about inputs."""
    op = e[0]
    if op in ("and", "or"):
        parts = [dnf(a) for a in e[1:]]
        if any(p is None for p in parts):
            return None
        if op == "or":
            return [d for p in parts for d in p]
        out = [[]]
        for p in parts:
            out = [a + b for a in out for b in p]
        return out
    if op in ("<=", ">=", "<", ">"):
        a, b = linear(e[1]), linear(e[2])
        if a is None or b is None:
            return None
        if op in (">=", ">"):
            a, b = b, a
        c = dict(a[0])
        for j, v in b[0].items():
            c[j] = c.get(j, 0) - v
        return [[({j: v for j, v in c.items() if v != 0}, b[1] - a[1])]]
    raise ValueError(f"connective {op}")


def read_prop(path):
    """(input bounds {i: [lo, hi]}, unsafe DNF) of the VNN-LIB file."""
    box, unsafe = {}, [[]]
    for e in sexprs(open(path).read()):
        if e[0] == "declare-const":
            if not (len(e) == 3 and e[2] == "Real" and re.fullmatch(r"[XY]_\d+", e[1])):
                raise ValueError(f"bad declaration {e}")
            continue
        if e[0] != "assert" or len(e) != 2:
            raise ValueError(f"bad command {e}")
        d = dnf(e[1])
        if d is not None:
            unsafe = [a + b for a in unsafe for b in d]
            continue
        op, x, c = e[1]
        if isinstance(c, str) and c.startswith("X_"):
            x, c, op = c, x, {"<=": ">=", ">=": "<="}[op]
        b = box.setdefault(int(x[2:]), [None, None])
        b[0 if op == ">=" else 1] = F(c)
    return box, unsafe


def implied(atom, disjunct, u):
    """ATOM (c', d') holds wherever DISJUNCT enlarged by U holds: some atom
    (c, d) of it with c' = lam c, lam > 0, and d' >= lam (d + U |c|_1)."""
    c2, d2 = atom
    for c, d in disjunct:
        if set(c) != set(c2) or not c:
            continue
        j = next(iter(c))
        lam = c2[j] / c[j]
        if lam > 0 and all(c2[k] == lam * c[k] for k in c):
            if d2 >= lam * (d + u * sum(abs(v) for v in c.values())):
                return True
    return False


def contains(written, original, u):
    """Every original disjunct enlarged by U lies in some written disjunct."""
    return all(any(all(implied(a, dj, u) for a in wd) for wd in written) for dj in original)


# ------------------------------------------------ the cases --------------
def certified_u(net, out, cert, prop):
    p = run(["check", net, out, cert, "--box", prop])
    m = re.match(r"valid within ([0-9.e+-]+)", p.stdout)
    check(p.returncode == 0 and (m or p.stdout.startswith("valid")),
          f"{out}: check: {p.stdout.strip()} {p.stderr.strip()}")
    return F(m.group(1)) if m else F(0)


def transfer(net, prop, tag):
    out, cert, pout = (os.path.join(TMP, f"{tag}.{e}") for e in ("onnx", "json", "vnnlib"))
    # --fit smallest: fold everything and round, so that the enlargement
    # is exercised (the default, --fit exact, writes these exactly)
    p = run(["reduce", net, "--box", prop, "-o", out, "--cert", cert, "--vnnlib-out", pout,
             "--fit", "smallest"])
    check(p.returncode == 0, f"{tag}: reduce: {p.stderr.strip()}")
    if p.returncode != 0:
        return None
    check(run(["info", pout]).returncode == 0, f"{tag}: lumpnet info does not re-read {pout}")
    try:
        wbox, wun = read_prop(pout)
    except ValueError as e:
        check(False, f"{tag}: {pout} is not valid VNN-LIB: {e}")
        return None
    obox, oun = read_prop(prop)
    check(wbox == obox, f"{tag}: the written input box differs from the property's")
    u = certified_u(net, out, cert, prop)
    check(contains(wun, oun, u), f"{tag}: the written unsafe region does not contain the "
                                 f"original's enlarged by {u}")
    check(not contains(wun, oun, u * 2 + F(1, 10**6)) or u == 0 or oun == [[]],
          f"{tag}: control: the containment check accepts any enlargement")
    check("lumpnet eval" in open(pout).read() or u == 0,
          f"{tag}: the property does not say how to re-check a counterexample")
    print(f"{tag}: {len(wun)} disjunct(s), U = {u} ({float(u):.3g})")
    return out, u, obox


def evaluate(net, x):
    p = run(["eval", net, "--exact", "--input", ",".join(str(v) for v in x)])
    check(p.returncode == 0, f"eval {net}: {p.stderr.strip()}")
    return [F(v) for v in p.stdout.split(",")]


def satisfies(y, unsafe):
    return any(all(sum(c[j] * y[j] for j in c) <= d for c, d in dj) for dj in unsafe)


def decimal(q):
    """The exact decimal text of Q, whose denominator is 2^a 5^b (inputs
    are decimals, weights dyadic)."""
    k = 0
    while (q * 10**k).denominator != 1:
        k += 1
        if k > 400:
            raise SystemExit(f"{q} is not a terminating decimal")
    n = q * 10**k
    sign, digits = ("-" if n < 0 else ""), str(abs(n.numerator)).rjust(k + 1, "0")
    return sign + (digits[:-k] + "." + digits[-k:] if k else digits)


def planted(net, prop3):
    """Two properties on prop_3's box with the output condition
    Y_0 - Y_1 <= t at the box centre x: t = the original's value there
    (x is a genuine counterexample) and t = that value - U/2 (x is not one
    for the original, but the enlargement makes it one for the reduced
    pair). Both are found on the reduced pair; lumpnet eval --exact on the
    original tells them apart."""
    box, _ = read_prop(prop3)
    x = [(box[i][0] + box[i][1]) / 2 for i in range(len(box))]
    y = evaluate(net, x)
    head = "".join(f"(declare-const X_{i} Real)\n" for i in range(len(box)))
    head += "".join(f"(declare-const Y_{j} Real)\n" for j in range(len(y)))
    head += "".join(f"(assert (>= X_{i} {box[i][0]}))\n(assert (<= X_{i} {box[i][1]}))\n"
                    for i in range(len(box)))
    base = os.path.join(TMP, "base.vnnlib")
    open(base, "w").write(head)
    r = transfer(net, base, "planted_u")
    if r is None:
        return
    u = r[1]
    check(u > 0, "planted: the written file rounds (U > 0)")
    for name, t, genuine in (("genuine", y[0] - y[1], True), ("spurious", y[0] - y[1] - u / 2, False)):
        prop = os.path.join(TMP, f"{name}.vnnlib")
        open(prop, "w").write(head + f"(assert (<= (- Y_0 Y_1) {decimal(t)}))\n")
        r = transfer(net, prop, f"planted_{name}")
        if r is None:
            continue
        out = r[0]
        _, wun = read_prop(os.path.join(TMP, f"planted_{name}.vnnlib"))
        _, oun = read_prop(prop)
        ys = evaluate(out, x)
        check(satisfies(ys, wun), f"planted {name}: x is not a counterexample on the reduced pair")
        yo = evaluate(net, x)
        check(satisfies(yo, oun) == genuine,
              f"planted {name}: re-checked on the original, x is "
              f"{'not ' if not satisfies(yo, oun) else ''}a counterexample")
        print(f"planted {name}: counterexample on the reduced pair; on the original: "
              f"{'confirmed' if satisfies(yo, oun) else 'refuted (an artefact of the enlargement)'}")


def main():
    d = os.path.join(DATA, "vnncomp2021/acasxu")
    props = [os.path.join(d, f"prop_{k}.vnnlib") for k in (3, 4)]
    nets = [os.path.join(d, f"ACASXU_run2a_{n}_batch_2000.onnx") for n in NETS]
    if not all(os.path.exists(f) for f in props + nets):
        print(f"skipped: ACAS Xu ONNX data absent under {d}")
        sys.exit(77)
    for n, net in zip(NETS, nets):
        for k, prop in zip((3, 4), props):
            transfer(net, prop, f"{n}_prop{k}")
    planted(nets[0], props[0])
    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)
    print("vnnlib_transfer: pass")


if __name__ == "__main__":
    main()
