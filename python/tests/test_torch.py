"""from_torch: a PyTorch model exported through torch.onnx.export and read
back (skipped when PyTorch is not installed; then the ImportError is
checked instead)."""

import builtins

import numpy as np
import pytest

import lumpnet


def test_from_torch_matches_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(),
                                torch.nn.Linear(8, 8), torch.nn.ReLU(),
                                torch.nn.Linear(8, 2))
    net = lumpnet.from_torch(model, torch.zeros(1, 3))
    assert net.sizes == [3, 8, 8, 2] and net.path is None
    x = np.random.default_rng(5).uniform(-1, 1, size=(20, 3)).astype(np.float32)
    with torch.no_grad():
        want = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(lumpnet.eval(net, x), want, rtol=1e-5, atol=1e-5)
    q, _, cert = lumpnet.reduce(net)
    assert lumpnet.check(net, q, cert)


def test_from_torch_keeps_the_file(tmp_path):
    torch = pytest.importorskip("torch")
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    net = lumpnet.from_torch(model, torch.zeros(1, 2), path=tmp_path / "m.onnx")
    assert (tmp_path / "m.onnx").exists() and net.layers[0]["activation"] == "tanh"


def test_from_torch_without_torch(monkeypatch):
    real = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("No module named 'torch'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    with pytest.raises(ImportError, match="needs PyTorch"):
        lumpnet.from_torch(object(), None)
