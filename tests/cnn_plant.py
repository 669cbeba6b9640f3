#!/usr/bin/env python3
"""cnn_plant.py -- plant channel redundancy into a convolutional or residual
ONNX network, exactly (issue #15, acceptance 3; used by tests/cnn_lump.sh).

Independent of lumpnet: numpy on the ONNX initializers. A "stream" is a set
of channels shared by producer convolutions (their output channels, joined
by residual Adds) and read by consumers (a conv's input channels, or a
Gemm's columns after a Flatten, H*W columns per channel). Every change keeps
the function exactly (float32 halving and powers of two are exact):

  dup    a copy of channel c; the consumers' weights on c split in halves
  scale  2^k times channel c (kernel and bias; through ReLU); the consumers
         read c with half their weight and the copy with half times 2^-k
  dead   a channel with random weights that no consumer reads
  const  a channel with zero kernels and a positive bias (constant after
         ReLU), read by Gemm columns that sum to zero and by no conv
  perm   the channels of every stream permuted

usage: cnn_plant.py IN.onnx OUT.onnx --seed S [--ops dup,scale,dead,const,perm]
prints the channel counts of IN's convolutions (name=count, ...)
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper

# the streams of the two networks of the acceptance: producers, consumers
# (name, "conv" | "flat"), and whether a constant channel can be planted
STREAMS = {
    "resnet_2b": [
        (["conv1"], [("layer1.0.conv1", "conv"), ("layer1.0.shortcut.0", "conv")], False),
        (["layer1.0.conv1"], [("layer1.0.conv2", "conv")], False),
        (["layer1.0.conv2", "layer1.0.shortcut.0", "layer1.1.conv2"],
         [("layer1.1.conv1", "conv"), ("linear1", "flat")], True),
        (["layer1.1.conv1"], [("layer1.1.conv2", "conv")], False),
    ],
    "cifar_base_kw": [
        (["0"], [("2", "conv")], False),
        (["2"], [("5", "flat")], True),
    ],
}


def which(model):
    names = {i.name for i in model.graph.initializer}
    if "layer1.1.conv2.weight" in names:
        return "resnet_2b"
    if "5.weight" in names and "2.weight" in names:
        return "cifar_base_kw"
    sys.exit("cnn_plant.py: unknown network (resnet_2b or cifar_base_kw)")


class Net:
    def __init__(self, model):
        self.model = model
        self.t = {i.name: numpy_helper.to_array(i).astype(np.float32).copy()
                  for i in model.graph.initializer}

    def w(self, name):
        return self.t[name + ".weight"]

    def set(self, name, w, b=None):
        self.t[name + ".weight"] = w
        if b is not None:
            self.t[name + ".bias"] = b

    def per(self, cons, chans):
        """H*W columns per channel of a flattened consumer"""
        return self.w(cons).shape[1] // chans

    def save(self, path):
        for init in self.model.graph.initializer:
            init.CopyFrom(numpy_helper.from_array(self.t[init.name], init.name))
        # the Gemm's input shape is implied; drop stale value_info shapes
        del self.model.graph.value_info[:]
        onnx.save(self.model, path)


def channels(net, stream):
    return net.w(stream[0][0]).shape[0]


def cols(net, cons, kind, c, n):
    """index of the consumer's input for channel c (n channels)"""
    w = net.w(cons)
    if kind == "conv":
        return (slice(None), [c])
    p = w.shape[1] // n
    return (slice(None), list(range(c * p, (c + 1) * p)))


def add_channel(net, stream, kern, bias, consumer_cols):
    """append a channel: producer p gets kern(p) and bias(p); consumer i
    gets consumer_cols(i, old weight) as its columns for it"""
    prods, cons, _ = stream
    n = channels(net, stream)
    for p in prods:
        w, b = net.w(p), net.t[p + ".bias"]
        net.set(p, np.concatenate([w, kern(p)[None]], 0), np.append(b, bias(p)).astype(np.float32))
    for name, kind in cons:
        w = net.w(name)
        if kind == "conv":
            new = consumer_cols(name, w[:, [0]])
            net.set(name, np.concatenate([w, new], 1))
        else:
            per = w.shape[1] // n
            new = consumer_cols(name, w[:, :per])
            net.set(name, np.concatenate([w, new], 1))


def split_channel(net, stream, c, factor, rng):
    """a copy of channel c scaled by FACTOR (a power of two)"""
    prods, cons, _ = stream
    n = channels(net, stream)
    halves = {}
    for name, kind in cons:
        w = net.w(name)
        idx = cols(net, name, kind, c, n)
        half = (w[idx] / np.float32(2)).astype(np.float32)
        w[idx] = half
        halves[name] = half
    add_channel(net, stream,
                lambda p: (net.w(p)[c] * np.float32(factor)).astype(np.float32),
                lambda p: np.float32(net.t[p + ".bias"][c] * np.float32(factor)),
                lambda name, _: (halves[name] / np.float32(factor)).astype(np.float32))


def dead_channel(net, stream, rng):
    """random signs and powers of two per input channel on a copy of some
    channel's kernel: no consumer reads it, and it reads nothing that the
    other channels do not (a constant channel's zero columns stay zero)"""
    def kern(p):
        w = net.w(p)
        f = rng.choice([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0], size=(w.shape[1],) + (1,) * (w.ndim - 2))
        return (w[int(rng.integers(w.shape[0]))] * f).astype(np.float32)
    add_channel(net, stream, kern,
                lambda p: np.float32(rng.standard_normal()),
                lambda name, old: np.zeros_like(old))


def const_channel(net, stream, rng):
    prods, cons, ok = stream
    if not ok:
        return False

    def flat_cols(name, old):
        z = np.zeros_like(old)
        if dict(cons)[name] == "conv":
            return z  # a padded conv reading a constant is not uniform
        a = np.float32(2.0 ** -int(rng.integers(2, 6)))
        half = old.shape[1] // 2
        z[:, :half] = a
        z[:, half:2 * half] = -a  # each row sums to zero exactly
        return z

    add_channel(net, stream, lambda p: np.zeros_like(net.w(p)[0]),
                lambda p: np.float32(float(rng.integers(1, 8)) / 8), flat_cols)
    return True


def permute(net, stream, rng):
    prods, cons, _ = stream
    n = channels(net, stream)
    perm = rng.permutation(n)
    for p in prods:
        net.set(p, net.w(p)[perm].copy(), net.t[p + ".bias"][perm].copy())
    for name, kind in cons:
        w = net.w(name)
        if kind == "conv":
            net.set(name, w[:, perm].copy())
        else:
            per = w.shape[1] // n
            idx = np.concatenate([np.arange(c * per, (c + 1) * per) for c in perm])
            net.set(name, w[:, idx].copy())


def main():
    args = sys.argv[1:]
    if len(args) < 4 or args[2] != "--seed":
        sys.exit(__doc__)
    seed = int(args[3])
    ops = args[5].split(",") if len(args) > 5 and args[4] == "--ops" else \
        ["dup", "scale", "dead", "const", "perm"]
    model = onnx.load(args[0])
    kind = which(model)
    net = Net(model)
    rng = np.random.default_rng(seed)
    streams = STREAMS[kind]
    counts = {s[0][0]: channels(net, s) for s in streams}
    for s in streams:
        for p in s[0]:
            counts[p] = channels(net, s)
    for s in streams:
        n = channels(net, s)
        if "dup" in ops:
            split_channel(net, s, int(rng.integers(n)), 1, rng)
        if "scale" in ops:
            k = int(rng.choice([-3, -2, -1, 1, 2, 3]))
            split_channel(net, s, int(rng.integers(n)), 2.0 ** k, rng)
        if "dead" in ops:
            dead_channel(net, s, rng)
        if "const" in ops:
            const_channel(net, s, rng)
        if "perm" in ops:
            permute(net, s, rng)
    net.save(args[1])
    onnx.checker.check_model(onnx.load(args[1]))
    print(",".join("%s=%d" % (k, v) for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
