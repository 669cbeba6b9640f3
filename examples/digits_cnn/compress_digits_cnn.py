#!/usr/bin/env python3
"""compress_digits_cnn.py -- compress digits_cnn.onnx end to end with
lumpnet and compare with magnitude filter pruning at equal parameters.

For each eps: `lumpnet relax --calib` merges channels guided by the
training split of examples/digits (eps is the largest change of the
logits allowed there), the exact channel lumper writes the smaller
network, and a certified bound on the change over the whole box [0, 1]^64
is reported. Then `lumpnet relax --prune-to P` removes the filters of
smallest ||kernel|| x ||consumer weights|| until at most P parameters are
left, P being the merged network's count. Accuracy is measured here, on
the held-out split, from `lumpnet eval` of the written files (argmax of
the logits). Writes compress.csv; prints a Markdown table.

    /usr/bin/python3 examples/digits_cnn/compress_digits_cnn.py [--lumpnet PATH]
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = os.path.join(HERE, "..", "digits")
EPS = [0.5, 1, 2, 3, 4, 6, 8, 10, 12, 15]


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def accuracy(lumpnet, net, rows, labels, tmp):
    inputs = os.path.join(tmp, "inputs.txt")
    with open(inputs, "w") as f:
        for r in rows:
            f.write(",".join(r) + "\n")
    out = subprocess.run([lumpnet, "eval", net, "--inputs", inputs], check=True,
                         capture_output=True, text=True).stdout.split("\n")
    ok = 0
    for line, y in zip(out, labels):
        v = [float(t) for t in line.split(",")]
        ok += max(range(len(v)), key=v.__getitem__) == y
    return 100.0 * ok / len(labels)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lumpnet", default=os.environ.get("LUMPNET", "lumpnet"))
    a = ap.parse_args()
    net = os.path.join(HERE, "digits_cnn.onnx")
    train = os.path.join(DIGITS, "train.csv")
    with open(os.path.join(DIGITS, "test.csv")) as f:
        test = [line.strip().split(",") for line in f if line.strip()]
    rows, labels = [t[:-1] for t in test], [int(t[-1]) for t in test]
    table = []
    with tempfile.TemporaryDirectory() as tmp:
        base = run_json([a.lumpnet, "info", net, "--json"])["params"]
        acc0 = accuracy(a.lumpnet, net, rows, labels, tmp)
        for eps in EPS:
            out = os.path.join(tmp, "relaxed.onnx")
            r = run_json([a.lumpnet, "relax", net, "--calib", train, "--eps", str(eps),
                          "--box", "0:1", "-o", out, "--json", "--quiet"])
            acc = accuracy(a.lumpnet, out, rows, labels, tmp)
            pout = os.path.join(tmp, "pruned.onnx")
            p = run_json([a.lumpnet, "relax", net, "--prune-to", str(r["params_after"]),
                          "--box", "0:1", "-o", pout, "--json", "--quiet"])
            pacc = accuracy(a.lumpnet, pout, rows, labels, tmp)
            table.append({"eps": eps, "params": r["params_after"],
                          "share": 100.0 * r["params_after"] / base,
                          "accuracy": acc, "calib_deviation": r["calib_deviation"],
                          "bound": max(r["bound"]), "certified": r["certified"],
                          "observed": max(r["observed"]),
                          "prune_params": p["params_after"], "prune_accuracy": pacc,
                          "prune_bound": max(p["bound"])})
            print(f"eps {eps}: {r['params_after']} params, {acc:.2f}% "
                  f"(pruning {p['params_after']}, {pacc:.2f}%)", file=sys.stderr, flush=True)
    with open(os.path.join(HERE, "compress.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(table[0]))
        w.writeheader()
        w.writerows(table)
    print(f"original: {base} parameters, {acc0:.2f}% on {len(labels)} held-out digits\n")
    print("| eps | params | share | accuracy | pruning params | pruning accuracy "
          "| calib. deviation | certified bound on [0,1]^64 |")
    print("|---|---|---|---|---|---|---|---|")
    for t in table:
        print(f"| {t['eps']:g} | {t['params']} | {t['share']:.1f}% | {t['accuracy']:.2f} "
              f"| {t['prune_params']} | {t['prune_accuracy']:.2f} | {t['calib_deviation']:.3g} "
              f"| {t['bound']:.4g}{'' if t['certified'] else ' (not certified)'} |")


if __name__ == "__main__":
    main()
