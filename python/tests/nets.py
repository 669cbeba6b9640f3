"""Small networks written in lumpnet's JSON format for the tests, and an
evaluator of them in Fraction arithmetic that shares nothing with the
library (so exact results are compared with an independent computation)."""

import json
from fractions import Fraction


def net_json(inputs, layers):
    """LAYERS: (activation, weights rows, biases[, alpha]) with Fraction
    or int entries; the JSON text."""
    out = []
    for layer in layers:
        act, w, b = layer[:3]
        d = {"activation": act, "weights": [[str(Fraction(v)) for v in row] for row in w],
             "bias": [str(Fraction(v)) for v in b]}
        if act == "leaky_relu":
            d["alpha"] = str(Fraction(layer[3]))
        out.append(d)
    return json.dumps({"format": "lumpnet-net", "version": 1, "inputs": inputs,
                       "layers": out})


def act(name, z, alpha=None):
    if name == "identity":
        return z
    if name == "relu":
        return z if z > 0 else Fraction(0)
    if name == "leaky_relu":
        return z if z >= 0 else alpha * z
    raise ValueError(name)


def eval_fraction(layers, x):
    """The network's outputs at X, in Fractions, by the definition."""
    y = [Fraction(v) for v in x]
    for layer in layers:
        name, w, b = layer[:3]
        alpha = Fraction(layer[3]) if len(layer) > 3 else None
        y = [act(name, sum(Fraction(wij) * yj for wij, yj in zip(row, y)) + Fraction(bi), alpha)
             for row, bi in zip(w, b)]
    return y


# 3 inputs, a relu layer with duplicated and scaled neurons (it lumps), a
# leaky relu layer, an identity output layer
LUMPY = [
    ("relu", [[1, -2, Fraction(1, 3)], [2, -4, Fraction(2, 3)], [Fraction(1, 2), 1, 0],
              [1, -2, Fraction(1, 3)], [0, 0, 0]],
     [Fraction(1, 7), Fraction(2, 7), Fraction(-1, 5), Fraction(1, 7), 3]),
    ("leaky_relu", [[1, 1, -1, 2, 1], [Fraction(-3, 2), 0, 2, 1, 0], [2, 2, -2, 4, 2]],
     [0, Fraction(1, 11), 0], Fraction(1, 10)),
    ("identity", [[1, -1, Fraction(5, 4)], [0, 2, -3]], [Fraction(1, 2), -1]),
]
