#!/usr/bin/env python3
"""bench_cnn_torch.py -- single-threaded PyTorch on a batch of random
images for NET.onnx, through the torch.nn.functional reference of
tests/cnn_ref.py: CPU seconds of the forward pass (the ONNX load is not
counted), float64 and float32.

  bench_cnn_torch.py NET.onnx [BATCH [SEED]]
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import cnn_ref  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)
net = sys.argv[1]
batch = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
rng = np.random.default_rng(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
m, inits, _ = cnn_ref.load(net)
inames = {t.name for t in m.graph.initializer}
inp = [i for i in m.graph.input if i.name not in inames][0]
n = int(np.prod([d.dim_value for d in inp.type.tensor_type.shape.dim][1:]))
xs = rng.random((batch, n))
for dtype in ("float64", "float32"):
    cnn_ref.DTYPE = dtype
    cnn_ref.torch_eval(net, xs[:16])  # warm up
    t0 = time.process_time()
    with torch.no_grad():
        cnn_ref.torch_eval(net, xs)
    t1 = time.process_time()
    print("torch %s images %d cpu_seconds %.4f images_per_second %.1f"
          % (dtype, batch, t1 - t0, batch / (t1 - t0)))
