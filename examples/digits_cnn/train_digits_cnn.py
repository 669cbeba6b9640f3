#!/usr/bin/env python3
"""train_digits_cnn.py -- train a small convolutional network on
scikit-learn's bundled 8x8 digits and export it as ONNX (Conv, Relu,
Flatten, Gemm; float32, a dynamic batch dimension).

The split is the one of examples/digits (stratified 80/20, seed 0; its
train.csv and test.csv hold the same images), so the MLP and the CNN are
compared on the same held-out digits.

Needs Debian's python3-torch, python3-sklearn and python3-onnx (run it with
/usr/bin/python3 when another python3 comes first on PATH). Everything is
seeded and single-threaded: the same packages give the same model.

    /usr/bin/python3 examples/digits_cnn/train_digits_cnn.py
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "digits"))
from train_digits import fit, seeded, splits  # noqa: E402  (one split and loop for both)


def model_of():
    """1x8x8 -> conv 3x3 (16) -> relu -> conv 3x3 stride 2 (32) -> relu ->
    flatten (512) -> dense 10: 9,930 parameters."""
    import torch

    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(),
        torch.nn.Conv2d(16, 32, 3, stride=2, padding=1), torch.nn.ReLU(),
        torch.nn.Flatten(), torch.nn.Linear(32 * 4 * 4, 10))


def train(onnx_path):
    import torch

    seeded()
    Xtr, Xte, ytr, yte = splits()
    model = model_of()
    fit(model, torch.tensor(Xtr).reshape(-1, 1, 8, 8), ytr, 60)
    with torch.no_grad():
        out = model(torch.tensor(Xte).reshape(-1, 1, 8, 8))
        acc = (out.argmax(1).numpy() == yte).mean()
    params = sum(p.numel() for p in model.parameters())
    print(f"{params} parameters, test accuracy {acc:.4f} on {len(yte)} images")
    torch.onnx.export(model, torch.zeros(1, 1, 8, 8), onnx_path, input_names=["x"],
                      output_names=["logits"], opset_version=13,
                      dynamic_axes={"x": {0: "N"}, "logits": {0: "N"}})


if __name__ == "__main__":
    train(os.path.join(HERE, "digits_cnn.onnx"))
