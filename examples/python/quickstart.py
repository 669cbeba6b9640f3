"""quickstart.py -- lumpnet from Python, in notebook-style cells.

Run from anywhere once the package is importable (pip install ./python, or
make install) and the library is found (LUMPNET_LIBRARY, or installed):

    python3 examples/python/quickstart.py [NETWORK]

It loads the bundled example network (examples/tiny.json, a 2-4-2 ReLU
network with redundant neurons), reduces it, checks the certificate
independently, evaluates both networks exactly and in double precision,
and prints the comparison.
"""

# %% Load the network: every weight is kept as an exact rational
import os
import sys
from fractions import Fraction

import numpy as np

import lumpnet

here = os.path.dirname(os.path.abspath(__file__))
default = os.path.normpath(os.path.join(here, "..", "tiny.json"))
path = sys.argv[1] if len(sys.argv) > 1 else default
net = lumpnet.load(path)
print("network:", net, "layers:", net.layers)

# %% Reduce: the coarsest proportional lumping, its quotient and certificate
quotient, lumping, certificate = lumpnet.reduce(net)
print("neurons: %d -> %d, params: %d -> %d" % (net.neurons, quotient.neurons,
                                               net.params, quotient.params))
for i, blocks in enumerate(lumping.layers, start=1):
    merged = [b for b in blocks if len(b["members"]) > 1]
    for b in merged:
        scales = ", ".join(str(s) for s in b["scales"])
        print("  layer %d: neurons %s merged (scales %s)" % (i, b["members"], scales))

# %% Check the certificate with the independent checker (exact arithmetic)
verdict = lumpnet.check(net, quotient, certificate)
print("certificate:", "valid" if verdict else "INVALID: %s" % verdict.reason)

# %% Evaluate exactly: rationals in, rationals out
x = [Fraction(1), Fraction(1, 2)]
y_net = lumpnet.eval(net, x, mode="exact")
y_q = lumpnet.eval(quotient, x, mode="exact")
print("exact at %s: network %s, quotient %s" % ([str(v) for v in x], [str(v) for v in y_net],
                                                [str(v) for v in y_q]))

# %% Evaluate in double precision on a batch of random inputs (numpy)
rng = np.random.default_rng(0)
batch = rng.uniform(-1, 1, size=(1000, net.inputs))
diff = np.abs(lumpnet.eval(net, batch) - lumpnet.eval(quotient, batch)).max()
print("double, 1000 random inputs: largest difference %.3g" % diff)

# %% Compare: the two networks are proved equal
result = lumpnet.equiv(net, quotient)
print("equiv:", {True: "equivalent (proved)", False: "different", None: "unknown"}[result.verdict])
ok = bool(verdict) and y_net == y_q and result.verdict is True and diff < 1e-12
print("quickstart:", "ok" if ok else "MISMATCH")
sys.exit(0 if ok else 1)
