#!/usr/bin/env python3
"""train_digits.py -- train a 64-64-64 ReLU MLP on scikit-learn's bundled
digits, export it as ONNX (Gemm + Relu), write the train and test splits as
CSV, and run `lumpnet explore` on it (CSV tables and gnuplot plots).

Needs Debian's python3-torch, python3-sklearn and python3-onnx (run it with
/usr/bin/python3 when another python3 comes first on PATH). Everything is
seeded: the same packages give the same model.

    /usr/bin/python3 examples/digits/train_digits.py [--lumpnet PATH] [--no-train]

--no-train keeps the committed digits.onnx, train.csv and test.csv and only
runs explore twice (no torch needed then): calibration-guided on the train
split (explore.csv, explore.svg) and box-guided without data
(explore-box.csv, explore-box.svg); accuracy is measured on the test split.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 0


def splits():
    """The fixed stratified 80/20 split of the digits, pixels scaled to [0, 1]."""
    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)  # pixels 0..16 -> [0, 1]
    return train_test_split(X, y, test_size=0.2, random_state=SEED, stratify=y)


def write_csv(path, X, y):
    with open(path, "w") as f:
        for row, label in zip(X, y):
            # float32 values as repr of their doubles: exact, so that lumpnet
            # reads the very inputs the network saw in training
            f.write(",".join(repr(float(v)) for v in row) + f",{int(label)}\n")


def seeded():
    """Seed torch and numpy, one thread, deterministic kernels."""
    import numpy as np
    import torch

    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)


def fit(model, xt, ytr, epochs):
    """Adam (lr 1e-3, weight decay 1e-4) on batches of 32 in a seeded order;
    the model in eval mode."""
    import torch

    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    yt = torch.tensor(ytr, dtype=torch.long)
    g = torch.Generator().manual_seed(SEED)
    for epoch in range(epochs):
        perm = torch.randperm(len(xt), generator=g)
        for i in range(0, len(xt), 32):
            idx = perm[i:i + 32]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    model.eval()
    return model


def train(onnx_path):
    import torch

    seeded()
    Xtr, Xte, ytr, yte = splits()
    model = torch.nn.Sequential(
        torch.nn.Linear(64, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, 10))
    fit(model, torch.tensor(Xtr), ytr, 150)
    with torch.no_grad():
        acc = (model(torch.tensor(Xte)).argmax(1).numpy() == yte).mean()
    print(f"test accuracy {acc:.4f} on {len(yte)} images")
    torch.onnx.export(model, torch.zeros(1, 64), onnx_path, input_names=["x"],
                      output_names=["logits"], opset_version=13)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lumpnet", default=os.environ.get("LUMPNET", "lumpnet"))
    ap.add_argument("--no-train", action="store_true")
    a = ap.parse_args()
    onnx_path = os.path.join(HERE, "digits.onnx")
    train_csv = os.path.join(HERE, "train.csv")
    test_csv = os.path.join(HERE, "test.csv")
    if not a.no_train:
        Xtr, Xte, ytr, yte = splits()
        write_csv(train_csv, Xtr, ytr)
        write_csv(test_csv, Xte, yte)
        train(onnx_path)
    # 1. calibration-guided merging (train split), accuracy on the test split
    # 2. box-guided merging over [0, 1]^64, no data (for comparison)
    runs = [
        ["--calib", train_csv, "--csv", os.path.join(HERE, "explore.csv"),
         "--plot", os.path.join(HERE, "explore.svg"),
         "--eps-list", "1,2,3,4,5,6,7,8,10,12,15,20"],
        ["--csv", os.path.join(HERE, "explore-box.csv"),
         "--plot", os.path.join(HERE, "explore-box.svg"),
         "--eps-list", "0.5,1,1.2,1.3,1.4,1.5,1.75,2,3,6"],
    ]
    for extra in runs:
        cmd = [a.lumpnet, "explore", onnx_path, "--box", "0:1", "--data", test_csv] + extra
        print(" ".join(cmd), flush=True)
        rc = subprocess.call(cmd)
        if rc != 0:
            sys.exit(rc)


if __name__ == "__main__":
    main()
