"""equiv_neurodiff.py -- the driver of bench/equiv_neurodiff.sh (read its
header for the usage). Standard library only.

Runs `lumpnet equiv A B --box BOX --tolerance EPS --outputs T --jobs 1` and
NeuroDiff's `delta_network_test PROP A B EPS -e 0` on the same instances,
one after the other, appends one CSV row per (instance, eps, tool), re-checks
every counterexample of either tool exactly with `lumpnet eval --exact`, and
prints a markdown summary.
"""

import csv
import hashlib
import json
import os
import re
import resource
import statistics
import struct
import subprocess
import sys
import time
from fractions import Fraction

FIELDS = ["instance", "eps", "tool", "verdict", "seconds", "bound",
          "witness_difference", "check", "cpu_seconds"]
DECIDED = ("equivalent", "different")


# ---------------------------------------------------------------- selection

def select(rows, seed, size):
    """The fixed sample: order the instances by sha256("SEED:PROP:NETWORK"),
    take for every property (in increasing property number) the first
    instance in that order, then fill up to SIZE with the remaining ones in
    that order. Runs in that order (ties impossible: the keys are distinct)."""
    def key(r):
        return hashlib.sha256(f"{seed}:{r['prop']}:{r['network']}".encode()).hexdigest()
    ordered = sorted(rows, key=key)
    chosen = []
    for prop in sorted({int(r["prop"]) for r in rows}):
        chosen.append(next(r for r in ordered if int(r["prop"]) == prop))
    for r in ordered:
        if len(chosen) >= size:
            break
        if r not in chosen:
            chosen.append(r)
    return sorted(chosen, key=key)


def instance_name(r):
    return f"{r['prop']}/{r['network']}"


# ---------------------------------------------------------------- exact checks

def read_box(path):
    """[lo, hi] per input as Fractions from the simple VNN-LIB of the data
    set: one (assert (<= X_i c)) / (assert (>= X_i c)) per bound."""
    lo, hi = {}, {}
    pat = re.compile(r"\(assert \((<=|>=) X_(\d+) ([-+0-9.eE]+)\)\)")
    with open(path) as f:
        for line in f:
            m = pat.search(line)
            if m:
                (hi if m.group(1) == "<=" else lo)[int(m.group(2))] = Fraction(m.group(3))
    return [(lo[i], hi[i]) for i in range(len(lo))]


def nnet_normalisation(path):
    """(means, ranges) of the inputs from an NNet header, as Fractions."""
    with open(path) as f:
        lines = [l for l in f if not l.startswith("//")]
    n_in = int(lines[0].split(",")[1])
    means = [Fraction(v) for v in lines[5].strip().rstrip(",").split(",")[:n_in]]
    ranges = [Fraction(v) for v in lines[6].strip().rstrip(",").split(",")[:n_in]]
    return means, ranges


def exact_outputs(lumpnet, net, x):
    """The outputs of NET at the exact rational point X by `lumpnet eval --exact`."""
    arg = ",".join(str(v) for v in x)
    out = subprocess.run([lumpnet, "eval", net, "--exact", "--input", arg],
                         capture_output=True, text=True, check=True).stdout
    return [Fraction(v) for v in out.strip().split(",")]


def exact_difference(lumpnet, a, b, x, target):
    return exact_outputs(lumpnet, b, x)[target] - exact_outputs(lumpnet, a, x)[target]


def in_box(x, box):
    return all(lo <= v <= hi for v, (lo, hi) in zip(x, box))


def fmt(q):
    return f"{float(q):.9g}"


# ---------------------------------------------------------------- the tools

def run_lumpnet(args, inst, eps):
    a, b, box = inst["a"], inst["b"], inst["box"]
    cmd = ["timeout", "-k", "2", str(args.limit + 3), args.lumpnet, "equiv", a, b,
           "--box", box, "--tolerance", eps, "--outputs", inst["target"],
           "--timeout", str(args.limit), "--jobs", "1", "--json"]
    p, secs, cpu = timed_run(cmd)
    row = {"verdict": "unknown", "seconds": f"{secs:.2f}", "bound": "",
           "witness_difference": "", "check": "", "cpu_seconds": f"{cpu:.2f}"}
    try:
        j = json.loads(p.stdout)
    except ValueError:
        j = None
    if j is None or "verdict" not in j:
        row["verdict"] = "timeout" if p.returncode in (124, 137) else "error"
        row["check"] = f"exit {p.returncode}: " + (p.stderr.strip().splitlines() or [""])[0][:120]
        return row
    row["bound"] = str(j.get("bound", "") or "")
    verdict = j["verdict"]
    if verdict in DECIDED and secs > args.limit:
        row["check"] = f"answered {verdict} after the limit"
        verdict = "unknown"
    row["verdict"] = verdict
    if verdict == "different":
        x = [Fraction(v) for v in j["witness"]]
        d = exact_difference(args.lumpnet, a, b, x, int(inst["target"]))
        row["witness_difference"] = fmt(abs(d))
        ok = abs(d) > Fraction(eps) and in_box(x, read_box(box))
        row["check"] = "witness confirmed exactly" if ok else "CONTRADICTION: witness not confirmed"
    elif j.get("largest_difference") not in (None, ""):
        row["witness_difference"] = str(j["largest_difference"])
    return row


def timed_run(cmd, env=None):
    """Run CMD; (process, wall seconds, CPU seconds of it and its children).
    On a loaded machine the CPU time says more than the wall time."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    secs = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return p, secs, cpu


def parse_vector(line):
    return [float(v) for v in line.split("[", 1)[1].split("]", 1)[0].split()]


def run_neurodiff(args, inst, eps):
    a, b = inst["a"], inst["b"]
    cmd = ["timeout", "-k", "2", str(args.limit), args.neurodiff, inst["prop"], a, b, eps, "-e", "0"]
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    p, secs, cpu = timed_run(cmd, env)
    row = {"verdict": "unknown", "seconds": f"{secs:.2f}", "bound": "",
           "witness_difference": "", "check": "", "cpu_seconds": f"{cpu:.2f}"}
    err = p.stderr.splitlines()
    adv = next((l for l in err if l.startswith("adv is:")), None)
    if p.returncode in (124, 137) or secs > args.limit:
        return row
    if adv is not None:
        # the counterexample: normalised float32 coordinates -> exact raw point
        t = int(inst["target"])
        xn = [Fraction(struct.unpack("f", struct.pack("f", v))[0]) for v in parse_vector(adv)]
        means, ranges = nnet_normalisation(a)
        x = [m + r * v for v, m, r in zip(xn, means, ranges)]
        box = read_box(inst["box"])
        notes = []
        if not in_box(x, box):
            x = [min(max(v, lo), hi) for v, (lo, hi) in zip(x, box)]
            notes.append("clamped into the box")
        d = exact_difference(args.lumpnet, a, b, x, t)
        delta = next((l for l in err if l.startswith("it's output delta is:")), None)
        claimed = parse_vector(delta)[t] if delta else float("nan")
        row["verdict"] = "different"
        row["witness_difference"] = fmt(abs(d))
        if abs(d) > Fraction(eps):
            notes.insert(0, "counterexample holds exactly")
        else:
            notes.insert(0, f"NOT a counterexample exactly (float32 said {claimed:.9g})")
        row["check"] = "; ".join(notes)
        return row
    if any(l.strip() == "No adv!" for l in err):
        row["verdict"] = "equivalent"
        m = [l for l in err if l.startswith("Output delta interval:")]
        if m:
            row["bound"] = m[-1].split(":", 1)[1].strip()
        return row
    row["verdict"] = "error"
    row["check"] = f"exit {p.returncode}"
    return row


# ---------------------------------------------------------------- summary

def median(xs):
    return f"{statistics.median(xs):.2f}" if xs else "-"


def summary(rows, instances, eps_list, tools):
    names = [instance_name(r) for r in instances]
    by = {(r["instance"], r["eps"], r["tool"]): r for r in rows}
    out = []
    out.append(f"| eps | tool | decided | equivalent | different | unknown | "
               f"median s (both decide) | median s (all decided) | median CPU s (both decide) |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    problems = []
    for eps in eps_list:
        both = [n for n in names
                if all(by.get((n, eps, t), {}).get("verdict") in DECIDED for t in tools)]
        for t in tools:
            rs = [by[(n, eps, t)] for n in names if (n, eps, t) in by]
            cnt = {v: sum(r["verdict"] == v for r in rs) for v in ("equivalent", "different")}
            und = len(rs) - cnt["equivalent"] - cnt["different"]
            tb = [float(by[(n, eps, t)]["seconds"]) for n in both]
            ta = [float(r["seconds"]) for r in rs if r["verdict"] in DECIDED]
            tc = [float(by[(n, eps, t)]["cpu_seconds"]) for n in both
                  if by[(n, eps, t)].get("cpu_seconds")]
            out.append(f"| {eps} | {t} | {cnt['equivalent'] + cnt['different']}/{len(rs)} | "
                       f"{cnt['equivalent']} | {cnt['different']} | {und} | "
                       f"{median(tb)} ({len(both)}) | {median(ta)} | {median(tc)} |")
        for n in names:
            l = by.get((n, eps, "lumpnet"), {})
            d = by.get((n, eps, "neurodiff"), {})
            if "CONTRADICTION" in l.get("check", ""):
                problems.append(f"- {n} eps {eps}: lumpnet's witness not confirmed ({l['check']})")
            nd_holds = d.get("check", "").startswith("counterexample holds exactly")
            if l.get("verdict") == "equivalent" and nd_holds:
                problems.append(f"- {n} eps {eps}: CONTRADICTION: lumpnet says equivalent, "
                                f"NeuroDiff's counterexample has exact difference "
                                f"{d['witness_difference']} > eps")
            if d.get("verdict") == "equivalent" and "confirmed" in l.get("check", "") \
                    and "CONTRADICTION" not in l.get("check", ""):
                problems.append(f"- {n} eps {eps}: NeuroDiff says proved, lumpnet's witness "
                                f"(exact difference {l['witness_difference']}) refutes it")
            if d.get("check", "").startswith("NOT"):
                problems.append(f"- {n} eps {eps}: NeuroDiff counterexample is a float32 "
                                f"artefact: exact difference {d['witness_difference']} <= eps "
                                f"({d['check']})")
    out.append("")
    out.append("Contradictions and notes:" if problems else "Contradictions: none.")
    out.extend(problems)
    return "\n".join(out)


# ---------------------------------------------------------------- main

def main():
    import argparse
    ap = argparse.ArgumentParser(prog="equiv_neurodiff.sh")
    ap.add_argument("lumpnet")
    ap.add_argument("data")
    ap.add_argument("--neurodiff", required=True)
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--eps", default="0.05,0.01")
    ap.add_argument("--limit", type=int, default=30)
    ap.add_argument("--csv", default="")
    ap.add_argument("--seed", default="20261206")
    ap.add_argument("--size", type=int, default=60)
    ap.add_argument("--tools", default="lumpnet,neurodiff")
    ap.add_argument("--summary-only", action="store_true")
    ap.add_argument("--first", type=int, default=0,
                    help="only the first N instances of the sample (a partial run)")
    args = ap.parse_args()
    root = os.path.join(args.data, "neurodiff-acas")
    with open(os.path.join(root, "instances.csv")) as f:
        rows = list(csv.DictReader(f))
    instances = rows if args.all else select(rows, args.seed, args.size)
    if args.first > 0:
        instances = instances[:args.first]
    for r in instances:
        r["a"] = os.path.join(root, r["original"])
        r["b"] = os.path.join(root, r["twin"])
        r["box"] = os.path.join(root, r["box"])
    eps_list = args.eps.split(",")
    tools = args.tools.split(",")
    path = args.csv
    done = []
    if os.path.exists(path):
        with open(path) as f:
            done = list(csv.DictReader(f))
    have = {(r["instance"], r["eps"], r["tool"]) for r in done}
    new_file = not os.path.exists(path) or os.path.getsize(path) == 0
    fields = FIELDS
    if not new_file:
        with open(path) as f:
            fields = next(csv.reader(f))  # a CSV of an older version keeps its columns
    with open(path, "a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        if new_file:
            w.writeheader()
        for k, inst in enumerate(instances):
            if args.summary_only:
                break
            name = instance_name(inst)
            # alternate which tool goes first, so that neither always runs on a warm cache
            order = tools if k % 2 == 0 else list(reversed(tools))
            for eps in eps_list:
                for t in order:
                    if (name, eps, t) in have:
                        continue
                    run = run_lumpnet if t == "lumpnet" else run_neurodiff
                    row = dict(run(args, inst, eps), instance=name, eps=eps, tool=t)
                    if row["verdict"] == "error":
                        # not recorded: a rerun (e.g. with a fixed binary) retries it
                        print(f"{name} eps {eps} {t}: error: {row['check']}", file=sys.stderr)
                        continue
                    w.writerow(row)
                    f.flush()
                    done.append(row)
                    print(f"{name:8} eps {eps:5} {t:9} {row['verdict']:10} "
                          f"{row['seconds']:>6} s  {row['check']}", flush=True)
    print()
    print(f"{len(instances)} instances ({'all' if args.all else 'sample, seed ' + args.seed}), "
          f"limit {args.limit} s, one thread each; CSV: {path}")
    print()
    print(summary(done, instances, eps_list, tools))


if __name__ == "__main__":
    main()
