"""lumpnet -- exact lumping of neural networks, from Python.

A thin binding (ctypes) over the installed shared library liblumpnet: each
function here calls the library function that the `lumpnet` command of the
same name calls, so results are those of the command line. Exact values
travel as fractions.Fraction, double-precision ones as numpy arrays.

    import lumpnet
    net = lumpnet.load("examples/tiny.json")
    q, lumping, cert = lumpnet.reduce(net)
    assert lumpnet.check(net, q, cert)
    lumpnet.eval(net, [1, "1/2"], mode="exact")   # [Fraction(11, 4), Fraction(-7, 8)]

The library is found through $LUMPNET_LIBRARY (a path), the libdir recorded
by `make install`, or the system's library search. docs/python.md is the
reference. Not thread-safe: call it from one thread at a time.
"""

import ctypes
import decimal
import math
import numbers
import os
import weakref
from ctypes import byref, c_double, c_void_p
from fractions import Fraction

from . import _lib as C

__all__ = [
    "Error", "InputError", "UsageError", "OutOfMemoryError", "FileError", "UnsupportedError",
    "InternalError", "Interrupted", "Network", "Lumping", "Reduction", "Check",
    "Equivalence", "load", "from_json", "info", "eval", "reduce", "check", "equiv", "bound",
    "relax", "explore", "draw", "from_torch", "library_path", "library_version",
]

library_path = C.PATH
library_version = C.version().decode()
__version__ = library_version


# ---- errors ------------------------------------------------------------------

class Error(Exception):
    """An error reported by liblumpnet: CODE is the library's lump_error_t,
    MESSAGE its text (it names the file, the place and the problem)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class InputError(Error):
    """Malformed or unsupported input (LUMP_EINPUT)."""


class UsageError(Error):
    """A bad argument (LUMP_EUSAGE)."""


class OutOfMemoryError(Error):
    """A size over the library's cap (LUMP_ENOMEM)."""


class FileError(Error):
    """The operating system refused a read or a write (LUMP_EIO)."""


class UnsupportedError(Error):
    """A valid request this build or this network cannot do (LUMP_EUNSUPPORTED)."""


class InternalError(Error):
    """A broken invariant: a bug in lumpnet (LUMP_EINTERNAL)."""


class Interrupted(Error):
    """Stopped by a cancellation request (LUMP_EINTERRUPTED)."""


_ERRORS = {1: InputError, 2: UsageError, 3: OutOfMemoryError, 4: FileError,
           5: UnsupportedError, 6: InternalError, 7: Interrupted}


def _raise(code, message=None):
    if message is None:
        message = C.error_message().decode("utf-8", "replace")
    raise _ERRORS.get(code, Error)(code, message)


def _check(code):
    if code != 0:
        _raise(code)


def _usage(message):
    raise UsageError(2, message)


def _path(p):
    return os.fsencode(os.fspath(p))


# ---- exact numbers -------------------------------------------------------------

def _fraction(x):
    """X as an exact Fraction: ints, Fractions, floats (their exact binary
    value), Decimals, numpy scalars, and strings in lumpnet's syntax
    ("-1.25e-3", "3/4")."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, bool):
        raise TypeError("lumpnet: a number expected, not a bool")
    if isinstance(x, numbers.Integral):
        return Fraction(int(x))
    if isinstance(x, numbers.Rational):
        return Fraction(int(x.numerator), int(x.denominator))
    if isinstance(x, (str, bytes)):
        q = _MpqVec(1)
        try:
            s = x.encode() if isinstance(x, str) else x
            err = C.rat_parse_cstr(q.at(0), s.strip())
            if err:
                _raise(err, "'%s': %s" % (s.decode("utf-8", "replace"),
                                          C.error_message().decode("utf-8", "replace")))
            return q.get(0)
        finally:
            q.close()
    if isinstance(x, decimal.Decimal):
        if not x.is_finite():
            raise ValueError("lumpnet: %s is not a finite number" % x)
        return Fraction(x)
    if isinstance(x, numbers.Real):
        f = float(x)  # exact for float16/32/64 values
        if not math.isfinite(f):
            raise ValueError("lumpnet: %r is not a finite number" % (x,))
        return Fraction(f)
    raise TypeError("lumpnet: %r is not a number" % (x,))


class _MpqVec:
    """N initialised mpq_t values owned by Python; close() clears them."""

    def __init__(self, n):
        self.n = n
        self.arr = (C.Mpq * max(n, 1))()
        for i in range(n):
            C.mpq_init(byref(self.arr, i * ctypes.sizeof(C.Mpq)))

    def at(self, i):
        return byref(self.arr, i * ctypes.sizeof(C.Mpq))

    def set(self, i, value):
        # through GMP directly: exact values of any size (the library's
        # text parser caps the digits of numbers read from files)
        # (in hexadecimal: Python converts ints of any size to it)
        fr = _fraction(value)
        text = ("%x/%x" % (fr.numerator, fr.denominator)).encode()
        if C.mpq_set_str(self.at(i), text, 16) != 0:
            raise InternalError(6, "GMP refused the rational %s" % text.decode())
        C.mpq_canonicalize(self.at(i))

    def get(self, i):
        return _mpq_fraction(ctypes.addressof(self.arr) + i * ctypes.sizeof(C.Mpq))

    def close(self):
        for i in range(self.n):
            C.mpq_clear(self.at(i))
        self.n = 0


def _mpq_fraction(addr):
    """The mpq_t at the address ADDR as a Fraction, through hexadecimal text (exact at
    any size; Python limits decimal conversions of huge ints)."""
    size = (C.mpz_sizeinbase(c_void_p(addr), 16)
            + C.mpz_sizeinbase(c_void_p(addr + ctypes.sizeof(C.Mpz)), 16) + 3)
    buf = ctypes.create_string_buffer(size)
    C.mpq_get_str(buf, 16, c_void_p(addr))
    num, _, den = buf.value.decode().partition("/")
    return Fraction(int(num, 16), int(den, 16) if den else 1)


def _mpq_list(p, n):
    size = ctypes.sizeof(C.Mpq)
    base = ctypes.cast(p, c_void_p).value
    return [_mpq_fraction(base + i * size) for i in range(n)]


# ---- networks --------------------------------------------------------------

_STORAGE = {0: "float32", 1: "float64", 2: "rational"}


class Network:
    """A network owned by the library (lump_net_t). Build one with load(),
    from_json() or from_torch(); the C memory is freed when the object is
    collected, or at once by close() (also the end of a `with` block)."""

    def __init__(self):
        self._net = C.Net()
        C.net_init(byref(self._net))
        self.path = None
        self._free = weakref.finalize(self, C.net_clear, ctypes.pointer(self._net))

    def _c(self):
        if not self._free.alive:
            raise ValueError("lumpnet: this network was closed")
        return byref(self._net)

    def close(self):
        """Free the C network now (the object is unusable afterwards)."""
        self._free()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def inputs(self):
        self._c()
        return self._net.n_inputs

    @property
    def outputs(self):
        return C.net_n_outputs(self._c())

    @property
    def neurons(self):
        """Hidden plus output neurons."""
        return C.net_neurons(self._c())

    @property
    def params(self):
        """Weights plus biases."""
        return C.net_params(self._c())

    @property
    def piecewise_linear(self):
        return bool(C.net_is_pwl(self._c()))

    @property
    def layers(self):
        """The layers (inputs not among them) as info --json lists them:
        dicts {size, activation, storage} ("mixed" activation when the
        neurons differ; "alpha" for leaky_relu)."""
        self._c()
        out = []
        for i in range(self._net.n_layers):
            layer = self._net.layers[i]
            lp = ctypes.pointer(layer)
            d = {"size": layer.size}
            if C.layer_uniform_act(lp):
                act = C.layer_act(lp, 0).contents
                d["activation"] = C.act_name(act.kind).decode()
                if act.kind == 2:
                    d["alpha"] = _mpq_fraction(ctypes.addressof(act.alpha))
            else:
                d["activation"] = "mixed"
            d["storage"] = _STORAGE.get(layer.weight.store, "rational")
            out.append(d)
        return out

    @property
    def sizes(self):
        """[inputs, size of layer 1, ..., outputs]."""
        return [self.inputs] + [d["size"] for d in self.layers]

    def save(self, path, dtype=None):
        """Write the network to PATH in the format its extension names
        (.onnx, .nnet, .json; as `lumpnet convert`). DTYPE "float32" or
        "float64" forces the ONNX number type (default: automatic).
        Returns the number of values that were rounded to fit it."""
        opts = C.WriteOpts()
        C.lib.lump_write_opts_init(byref(opts))
        if dtype is not None:
            stores = {"float32": 0, "float64": 1, "auto": 2}
            if dtype not in stores:
                _usage("dtype is float32, float64 or auto, not %r" % (dtype,))
            opts.onnx_dtype = stores[dtype]
        _check(C.net_write(_path(path), self._c(), byref(opts)))
        return opts.rounded

    def to_json(self):
        """The network in lumpnet's exact JSON format, as text."""
        err, data = C.memstream(C.net_write_json, self._c())
        _check(err)
        return data.decode()

    def copy(self):
        new = Network()
        _check(C.net_copy(byref(new._net), self._c()))
        new.path = self.path
        return new

    def __repr__(self):
        if not self._free.alive:
            return "<lumpnet.Network (closed)>"
        return "<lumpnet.Network %s%s>" % ("-".join(str(s) for s in self.sizes),
                                           " from %s" % self.path if self.path else "")


def load(path):
    """Read a network (.onnx, .nnet or .json, by extension), exactly.
    A PyTorch file is refused with a hint to export it (see from_torch)."""
    net = Network()
    err = C.net_read(byref(net._net), _path(path))
    if err:
        net.close()
        _raise(err)
    net.path = os.fspath(path)
    return net


def from_json(text, name="<json>"):
    """A network from the text of lumpnet's JSON format (docs/formats.md);
    NAME prefixes error messages."""
    data = text.encode() if isinstance(text, str) else bytes(text)
    net = Network()
    err = C.net_read_json_buf(byref(net._net), data, len(data), name.encode())
    if err == 0:
        err = C.net_validate(byref(net._net), name.encode())
    if err:
        net.close()
        _raise(err)
    return net


def _net(x):
    """A Network from a Network or a path (loaded, owned by the caller's
    frame: the returned flag says whether to close it)."""
    if isinstance(x, Network):
        return x
    return load(x)


# ---- boxes -----------------------------------------------------------------

def _is_scalar(x):
    return isinstance(x, (numbers.Number, str, bytes, decimal.Decimal))


class _Box:
    """A lump_box_t for N inputs from: a path to a .vnnlib file, an inline
    text "l:u,l:u,..." (or "l:u" for every input), a sequence of (lo, hi)
    pairs, or one (lo, hi) pair for every input. Bounds are converted
    exactly (floats as their binary values)."""

    def __init__(self, spec, n):
        self.box = C.Box()
        C.box_init(byref(self.box))
        try:
            if isinstance(spec, (str, bytes, os.PathLike)):
                arg = _path(spec)
            else:
                pairs = list(spec)
                if len(pairs) == 2 and all(_is_scalar(v) for v in pairs):
                    pairs = [pairs]
                parts = []
                for p in pairs:
                    lo, hi = p
                    lo, hi = _fraction(lo), _fraction(hi)
                    parts.append("%d/%d:%d/%d" % (lo.numerator, lo.denominator,
                                                   hi.numerator, hi.denominator))
                arg = ",".join(parts).encode()
                _check(C.box_parse_inline(byref(self.box), arg, n))
                return
            # the library's messages name the file, or say "box:"
            _check(C.box_parse(byref(self.box), arg, n))
        except BaseException:
            self.close()
            raise

    def ptr(self):
        return byref(self.box)

    def close(self):
        C.box_clear(byref(self.box))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _box_or_none(spec, n):
    return _Box(spec, n) if spec is not None else None


# ---- lumpings ------------------------------------------------------------------

_FATES = {0: "keep", 1: "constant", 2: "dead"}
_MODES = {"exact": 0, "proportional": 1}


def _mode(mode):
    if mode not in _MODES:
        _usage("mode is exact or proportional, not %r" % (mode,))
    return _MODES[mode]


class Lumping:
    """A lumping of a network (lump_lumping_t): per layer, blocks of neurons
    whose values are proportional (DESIGN section 2). .layers lists them."""

    def __init__(self):
        self._L = C.Lumping()
        C.lumping_init(byref(self._L))
        self._free = weakref.finalize(self, C.lumping_clear, ctypes.pointer(self._L))

    def _c(self):
        if not self._free.alive:
            raise ValueError("lumpnet: this lumping was closed")
        return byref(self._L)

    def close(self):
        self._free()

    @property
    def mode(self):
        self._c()
        return "exact" if self._L.mode == 0 else "proportional"

    @property
    def neurons_after(self):
        """Hidden plus output neurons of the quotient (KEEP blocks)."""
        return C.lumping_neurons_after(self._c())

    @property
    def layers(self):
        """For each layer, its blocks as dicts: members (neuron indices, the
        representative first), scales (Fractions: y_v = scale * y_rep),
        fate ("keep", "constant" or "dead") and value (the constant's
        Fraction, or None)."""
        self._c()
        out = []
        q = _MpqVec(1)
        try:
            for i in range(self._L.n_layers):
                ll = self._L.layers[i]
                blocks = []
                for k in range(ll.n_blocks):
                    b = ll.blocks[k]
                    scales = []
                    for t in range(b.n_members):
                        C.arr_get(q.at(0), byref(b.scales), t)
                        scales.append(q.get(0))
                    fate = _FATES.get(b.fate, str(b.fate))
                    blocks.append({"members": [b.members[t] for t in range(b.n_members)],
                                   "scales": scales, "fate": fate,
                                   "value": _mpq_fraction(ctypes.addressof(b.value))
                                   if fate == "constant" else None})
                out.append(blocks)
        finally:
            q.close()
        return out

    def certificate(self):
        """The lumping certificate (JSON text, "lumpnet-certificate" v1)."""
        err, data = C.memstream(C.cert_write, self._c())
        _check(err)
        return data.decode()

    def __repr__(self):
        if not self._free.alive:
            return "<lumpnet.Lumping (closed)>"
        return "<lumpnet.Lumping %s, %d neurons after>" % (self.mode, self.neurons_after)


class Reduction(tuple):
    """The result of reduce(): unpacks as (network, lumping, certificate).
    LUMPING is None for a reduction on a box (its certificate is a chain
    of steps); STATS holds that reduction's counts (else None)."""

    def __new__(cls, network, lumping, certificate, stats=None):
        self = tuple.__new__(cls, (network, lumping, certificate))
        self.stats = stats
        return self

    network = property(lambda self: self[0])
    lumping = property(lambda self: self[1])
    certificate = property(lambda self: self[2])


def _cert_text(cert):
    """(bytes, name) of a certificate given as text, bytes or a path."""
    if isinstance(cert, bytes):
        return cert, "<certificate>"
    if isinstance(cert, str) and cert.lstrip().startswith("{"):
        return cert.encode(), "<certificate>"
    if isinstance(cert, Lumping):
        return cert.certificate().encode(), "<certificate>"
    path = os.fspath(cert)
    try:
        with open(path, "rb") as f:
            return f.read(), path
    except OSError as e:
        raise FileError(4, "%s: %s" % (path, e.strerror)) from e


# ---- the commands ----------------------------------------------------------

def info(net):
    """What `lumpnet info --json` reports, as a dict: network (path),
    inputs, outputs, layers, neurons, params, input_clip,
    input_normalization, output_map, piecewise_linear. On a .vnnlib path:
    inputs, lower and upper (Fractions)."""
    if isinstance(net, (str, os.PathLike)) and os.fspath(net).lower().endswith(".vnnlib"):
        with _Box(net, 0) as b:
            return {"network": os.fspath(net), "inputs": b.box.n,
                    "lower": _mpq_list(b.box.lo, b.box.n),
                    "upper": _mpq_list(b.box.hi, b.box.n)}
    n = _net(net)
    return {"network": n.path, "inputs": n.inputs, "outputs": n.outputs, "layers": n.layers,
            "neurons": n.neurons, "params": n.params, "input_clip": bool(n._net.has_clip),
            "input_normalization": bool(n._net.has_norm),
            "output_map": bool(n._net.has_outmap), "piecewise_linear": n.piecewise_linear}


def _rows(x):
    """(rows, batched) for an input: one row, or a batch of rows."""
    try:
        import numpy as np
        if isinstance(x, np.ndarray):
            if x.ndim == 1:
                return [list(x)], False
            if x.ndim == 2:
                return [list(r) for r in x], True
            raise ValueError("lumpnet: inputs must be one row or a batch of rows (1-D or 2-D)")
    except ImportError:
        pass
    x = list(x)
    if x and not _is_scalar(x[0]):
        return [list(r) for r in x], True
    return [x], False


def eval(net, x, mode="double", bits=None):  # noqa: A001 -- mirrors `lumpnet eval`
    """The outputs of NET at X, as `lumpnet eval`:
    - mode "double": X array-like of shape (inputs,) or (batch, inputs);
      returns a numpy float64 array of shape (outputs,) or (batch,
      outputs). Values beyond double's range, or overflowing, raise
      UnsupportedError (never inf or nan).
    - mode "exact" (piecewise-linear networks): X numbers or a list of rows
      (ints, Fractions, floats taken exactly, strings "1/3"); returns a list
      of Fractions, or a list of such lists.
    - mode "mpfr" with BITS (24 to 65536): a rigorous enclosure; returns
      (lo, hi) pairs of Fractions per output (lo <= f_j(x) <= hi)."""
    n = _net(net)
    if mode == "double":
        return _eval_double(n, x)
    if mode not in ("exact", "mpfr"):
        _usage("mode is double, exact or mpfr, not %r" % (mode,))
    if mode == "exact" and bits is not None:
        _usage("bits is for mode='mpfr'")
    if mode == "mpfr" and (bits is None or not 24 <= int(bits) <= 65536):
        _usage("mode='mpfr' needs bits from 24 to 65536, not %r" % (bits,))
    if mode == "exact" and not n.piecewise_linear:
        raise UnsupportedError(5, "%s: exact evaluation needs piecewise-linear activations "
                               "(this network has sigmoid or tanh); use mode='mpfr' for a "
                               "rigorous enclosure" % (n.path or "network"))
    rows, batched = _rows(x)
    nin, nout = n.inputs, n.outputs
    results = []
    for r, row in enumerate(rows):
        if len(row) != nin:
            raise InputError(1, "row %d: %d values given, the network has %d inputs"
                             % (r + 1, len(row), nin) if batched else
                             "%d values given, the network has %d inputs" % (len(row), nin))
        xin = _MpqVec(nin)
        try:
            for i, v in enumerate(row):
                xin.set(i, v)
            if mode == "exact":
                y = _MpqVec(nout)
                try:
                    _check(C.eval_exact(y.at(0), n._c(), xin.at(0)))
                    results.append([y.get(j) for j in range(nout)])
                finally:
                    y.close()
            else:
                results.append(_eval_mpfr(n, xin, nout, int(bits)))
        finally:
            xin.close()
    return results if batched else results[0]


def _eval_mpfr(n, xin, nout, bits):
    lo = (C.Mpfr * nout)()
    hi = (C.Mpfr * nout)()
    sz = ctypes.sizeof(C.Mpfr)
    for j in range(nout):
        C.mpfr_init2(byref(lo, j * sz), bits)
        C.mpfr_init2(byref(hi, j * sz), bits)
    q = _MpqVec(1)
    try:
        _check(C.eval_mpfr(byref(lo), byref(hi), n._c(), xin.at(0), bits))
        out = []
        for j in range(nout):
            C.mpfr_get_q(q.at(0), byref(lo, j * sz))
            a = q.get(0)
            C.mpfr_get_q(q.at(0), byref(hi, j * sz))
            out.append((a, q.get(0)))
        return out
    finally:
        q.close()
        for j in range(nout):
            C.mpfr_clear(byref(lo, j * sz))
            C.mpfr_clear(byref(hi, j * sz))


def _eval_double(n, x):
    import numpy as np
    a = np.asarray(x, dtype=np.float64)
    if a.ndim not in (1, 2):
        raise ValueError("lumpnet: inputs must be one row or a batch of rows (1-D or 2-D)")
    rows = np.ascontiguousarray(a.reshape(1, -1) if a.ndim == 1 else a)
    if rows.shape[1] != n.inputs:
        raise InputError(1, "%d values given, the network has %d inputs"
                         % (rows.shape[1], n.inputs))
    err = C.eval_double_range(n._c())
    if err:
        _raise(err, "%s: %s; use mode='exact' or mode='mpfr'"
               % (n.path or "network", C.error_message().decode("utf-8", "replace")))
    out = np.empty((rows.shape[0], n.outputs), dtype=np.float64)
    for r in range(rows.shape[0]):
        if not np.all(np.isfinite(rows[r])):
            raise InputError(1, "row %d: an input is not finite" % (r + 1))
        _check(C.eval_double_strict(out[r].ctypes.data_as(c_void_p), n._c(),
                                    rows[r].ctypes.data_as(c_void_p)))
    return out if a.ndim == 2 else out[0]


def reduce(net, mode="proportional", box=None, bounds="lp"):
    """The coarsest lumping of NET (as `lumpnet reduce`): returns a
    Reduction (network, lumping, certificate), the certificate being JSON
    text, already checked by the independent checker. With BOX (see
    bound()), the reduction on the box (stable ReLUs, folding, lumping;
    BOUNDS "lp" or "interval"): its network equals NET on the box only,
    its lumping is None and its .stats gives the counts."""
    n = _net(net)
    md = _mode(mode)
    if bounds not in ("lp", "interval"):
        _usage("bounds is lp or interval, not %r" % (bounds,))
    if box is not None:
        return _reduce_box(n, md, box, bounds == "lp")
    L = Lumping()
    q = Network()
    _check(C.partition_coarsest(L._c(), n._c(), md, 0))
    _check(C.quotient(q._c(), n._c(), L._c()))
    verdict, why = _cert_check(n, q, L)
    if not verdict:
        raise InternalError(6, "the certificate of the lumping failed its check: %s" % why)
    return Reduction(q, L, L.certificate())


def _reduce_box(n, md, box, use_lp):
    opts = C.StableOpts()
    C.stable_opts_init(byref(opts))
    opts.mode = md
    opts.use_lp = 1 if use_lp else 0
    stats = C.StableStats()
    cert = C.BoxCert()
    C.box_cert_init(byref(cert))
    q = Network()
    try:
        with _Box(box, n.inputs) as b:
            _check(C.stable_reduce(q._c(), byref(cert), byref(stats), n._c(), b.ptr(),
                                   byref(opts)))
            why = ctypes.create_string_buffer(1024)
            valid = ctypes.c_int(0)
            _check(C.box_cert_check(byref(valid), why, 1024, n._c(), q._c(), b.ptr(),
                                    byref(cert)))
            if valid.value != 1:
                raise InternalError(6, "the box certificate failed its check: %s"
                                    % why.value.decode("utf-8", "replace"))
        err, text = C.memstream(C.box_cert_write, byref(cert))
        _check(err)
    finally:
        C.box_cert_clear(byref(cert))
    st = {k: getattr(stats, k) for k, _ in C.StableStats._fields_ if not k.startswith("_")}
    return Reduction(q, None, text.decode(), st)


def _cert_check(n, q, L):
    why = ctypes.create_string_buffer(1024)
    valid = ctypes.c_int(0)
    _check(C.cert_check(byref(valid), why, 1024, n._c(), q._c(), L._c()))
    return valid.value == 1, why.value.decode("utf-8", "replace")


class Check:
    """The verdict of check(): true when VALID; KIND is "lumping", "box" or
    "equivalence"; REASON names the violated condition when not valid."""

    def __init__(self, valid, kind, reason):
        self.valid, self.kind, self.reason = valid, kind, reason

    def __bool__(self):
        return self.valid

    def __repr__(self):
        return "<lumpnet.Check %s %s%s>" % (self.kind, "valid" if self.valid else "invalid",
                                             ": " + self.reason if self.reason else "")


def check(net, quotient, cert, box=None):
    """Verify a certificate independently, as `lumpnet check NET OUT CERT`:
    a lumping certificate (QUOTIENT is NET's quotient), a box certificate
    (needs BOX: equality on the box only) or an equivalence certificate
    (NET and QUOTIENT are the networks A and B). CERT is the certificate's
    text (str or bytes), a path, or a Lumping. Returns a Check, true when
    valid."""
    n, q = _net(net), _net(quotient)
    text, name = _cert_text(cert)
    why = ctypes.create_string_buffer(1024)
    valid = ctypes.c_int(0)
    b = _box_or_none(box, n.inputs)
    try:
        if C.cert_is_equiv(text, len(text)):
            kind = "equivalence"
            L = Lumping()
            _check(C.equiv_cert_read_buf(L._c(), text, len(text), name.encode()))
            _check(C.equiv_cert_check(byref(valid), why, 1024, n._c(), q._c(), L._c()))
            L.close()
        elif C.cert_version(text, len(text)) == 2:
            kind = "box"
            if b is None:
                _usage("%s: a box certificate proves equality on a box only; give that box "
                       "with box=" % name)
            bc = C.BoxCert()
            C.box_cert_init(byref(bc))
            try:
                _check(C.box_cert_read_buf(byref(bc), text, len(text), name.encode()))
                _check(C.box_cert_check(byref(valid), why, 1024, n._c(), q._c(), b.ptr(),
                                        byref(bc)))
            finally:
                C.box_cert_clear(byref(bc))
        else:
            kind = "lumping"
            L = Lumping()
            _check(C.cert_read_buf(L._c(), text, len(text), name.encode()))
            _check(C.cert_check(byref(valid), why, 1024, n._c(), q._c(), L._c()))
            L.close()
    finally:
        if b is not None:
            b.close()
    ok = valid.value == 1
    return Check(ok, kind, None if ok else why.value.decode("utf-8", "replace"))


class Equivalence:
    """The result of equiv(): VERDICT True (proved), False (refuted) or
    None (unknown); when refuted, WITNESS (Fractions, an input where the
    networks differ) and OUTPUT (an output that differs there); DOMAIN the
    domain the witness search used; CERTIFICATE the equivalence
    certificate's text when proved."""

    def __init__(self, verdict, witness, output, domain, certificate):
        self.verdict, self.witness, self.output = verdict, witness, output
        self.domain, self.certificate = domain, certificate

    def __repr__(self):
        v = {True: "equivalent", False: "different", None: "unknown"}[self.verdict]
        return "<lumpnet.Equivalence %s>" % v


def equiv(a, b, box=None, seed=1, tolerance=None):
    """Whether A and B compute the same function, as `lumpnet equiv`:
    proved by lumping their union (with a certificate), refuted by an
    exact witness found by search over BOX (default: A's clip bounds, else
    [-1, 1]^n; seed SEED), or unknown. TOLERANCE is reserved for
    `equiv --tolerance` (not bound yet)."""
    if tolerance is not None:
        raise NotImplementedError("lumpnet.equiv: tolerance is not bound yet (equiv --tolerance "
                                  "is new in the library); use the command line")
    na, nb = _net(a), _net(b)
    e = C.Equiv()
    C.equiv_init(byref(e))
    bx = _box_or_none(box, na.inputs)
    try:
        _check(C.equiv(byref(e), na._c(), nb._c(), bx.ptr() if bx else None, seed))
        verdict = {0: False, 1: True, 2: None}[e.equal]
        witness = _mpq_list(e.witness, e.n_witness) if verdict is False else None
        cert = None
        if verdict is True:
            err, data = C.memstream(C.equiv_cert_write, byref(e.proof))
            _check(err)
            cert = data.decode()
        return Equivalence(verdict, witness, e.output if verdict is False else None,
                           e.domain.decode("utf-8", "replace"), cert)
    finally:
        if bx is not None:
            bx.close()
        C.equiv_clear(byref(e))


def _doubles(p, n):
    return [p[i] for i in range(n)]


def bound(a, b, box, samples=1000, seed=1, encoding="differential", lp=True, symbolic=True,
          max_boxes=None, lumping=None):
    """A certified bound on |A_j - B_j| over BOX, as `lumpnet bound --json`:
    a dict with bound (per output, rounded up; inf when not certified),
    certified, naive (interval baseline), bound_symbolic, bound_lp,
    observed (largest sampled error: a lower bound), bound_seconds,
    encoding. With LUMPING (B a quotient of A by it, e.g. from relax())
    neurons are paired through its blocks. BOX: a .vnnlib path, an inline
    "l:u,..." text, (lo, hi) pairs, or one (lo, hi) pair for all inputs."""
    na, nb = _net(a), _net(b)
    if na.inputs != nb.inputs or na.outputs != nb.outputs:
        raise InputError(1, "%s and %s: %d and %d inputs, %d and %d outputs (bound needs equal "
                         "numbers)" % (na.path or "A", nb.path or "B", na.inputs, nb.inputs,
                                       na.outputs, nb.outputs))
    opts = C.BoundOpts()
    C.bound_opts_init(byref(opts))
    encs = {"differential": 0, "separate": 1}
    if encoding not in encs:
        _usage("encoding is differential or separate, not %r" % (encoding,))
    opts.encoding = encs[encoding]
    opts.seed = seed
    opts.lp = 1 if lp else 0
    opts.symbolic = 1 if symbolic else 0
    if max_boxes is not None:
        opts.max_boxes = max_boxes
    return _bound(na, nb, box, opts, samples, seed, lumping)


def _bound(na, nb, box, opts, samples, seed, lumping):
    res = C.BoundResult()
    C.bound_result_init(byref(res))
    try:
        with _Box(box, na.inputs) as bx:
            if lumping is not None:
                _check(C.bound_diff_lumped(byref(res), na._c(), nb._c(), lumping._c(),
                                           bx.ptr(), byref(opts)))
            else:
                _check(C.bound_diff(byref(res), na._c(), nb._c(), bx.ptr(), byref(opts)))
            k = res.n_outputs
            obs = (c_double * (k + 1))()
            _check(C.max_error_sampled(obs, na._c(), nb._c(), bx.ptr(), samples, seed))
        return {"bound": _doubles(res.bound, k), "certified": bool(res.certified),
                "naive": _doubles(res.naive, k), "bound_symbolic": _doubles(res.bound_sym, k),
                "bound_lp": _doubles(res.bound_lp, k), "observed": _doubles(obs, k),
                "bound_seconds": res.seconds,
                "encoding": "separate" if opts.encoding == 1 else "differential"}
    finally:
        C.bound_result_clear(byref(res))


def _points(x, n, what):
    import numpy as np
    a = np.ascontiguousarray(np.asarray(x, dtype=np.float64))
    if a.ndim != 2 or a.shape[1] != n or a.shape[0] == 0:
        raise InputError(1, "%s: rows of %d values expected, got shape %s"
                         % (what, n, a.shape))
    return a


def relax(net, eps, box, centre="mean", calib=None, samples=2000):
    """An epsilon-lumping of NET over BOX, as `lumpnet relax`: returns
    (network, lumping, report); REPORT is a dict with eps, bound (certified
    bound on |f_j - g_j| over BOX per output), certified, naive, observed,
    neurons/params before and after, and calib_deviation with CALIB. CALIB
    (rows of inputs, array-like) lumps guided by those points instead of
    the box; CENTRE is "mean" or "lp" (box-guided only)."""
    n = _net(net)
    eps = float(eps)
    if not math.isfinite(eps) or eps < 0:
        _usage("eps must be a finite number >= 0, not %r" % (eps,))
    centres = {"mean": 0, "lp": 1}
    if centre not in centres:
        _usage("centre is mean or lp, not %r" % (centre,))
    if eps > 0:
        err = C.eval_double_range(n._c())
        if err:
            _raise(err, "%s: %s; relax computes the quotient in double (eps = 0 takes the "
                   "exact path)" % (n.path or "network",
                                    C.error_message().decode("utf-8", "replace")))
    g, L = Network(), Lumping()
    report = {"eps": eps, "guide": "calib" if calib is not None else "box"}
    with _Box(box, n.inputs) as bx:
        if calib is not None:
            pts = _points(calib, n.inputs, "calib")
            dev = c_double(0)
            _check(C.relax_calib(g._c(), L._c(), byref(dev), n._c(),
                                 pts.ctypes.data_as(c_void_p), pts.shape[0], eps))
            report["calib_deviation"] = dev.value
        else:
            _check(C.relax(g._c(), L._c(), n._c(), bx.ptr(), eps, centres[centre]))
            report["centre"] = centre
        checked = False
        if eps == 0 and calib is None:
            ok, why = _cert_check(n, g, L)
            if not ok:
                raise InternalError(6, "the exact lumping failed its check: %s" % why)
            checked = True
        report["exact_lumping_checked"] = checked
        opts = C.BoundOpts()
        C.bound_opts_init(byref(opts))
    b = _bound(n, g, box, opts, samples, 1, L)
    report.update({"neurons_before": n.neurons, "neurons_after": g.neurons,
                   "params_before": n.params, "params_after": g.params,
                   "layers_after": g.sizes, "bound": b["bound"], "certified": b["certified"],
                   "naive": b["naive"], "observed": b["observed"],
                   "bound_seconds": b["bound_seconds"]})
    return g, L, report


def _nan_none(x):
    return None if math.isnan(x) else x


def explore(net, box, eps=None, steps=10, centre="mean", samples=1000, data=None, calib=None):
    """The size/error sweep of `lumpnet explore`, as a list of dicts (one per
    row of its CSV): method ("original", "lumpnet", "prune",
    "prune_params"), eps (None for the original), neurons, params,
    certified, bound and observed (largest over the outputs), accuracy and
    agreement (with DATA), bound_seconds, calib_deviation (with CALIB), and
    the per-output lists bounds and observeds. EPS: the values to sweep
    (default: STEPS values chosen by the library). DATA: a CSV path, an
    "X.npy,y.npy" pair, or (X, y) arrays. CALIB: rows of inputs."""
    import numpy as np
    n = _net(net)
    keep = []  # Python objects the C options point into
    opts = C.ExploreOpts()
    C.explore_opts_init(byref(opts))
    if eps is not None:
        ev = np.ascontiguousarray(np.asarray(list(eps), dtype=np.float64))
        keep.append(ev)
        opts.eps = ctypes.cast(ev.ctypes.data, ctypes.POINTER(c_double))
        opts.neps = ev.shape[0]
    opts.steps = steps
    opts.centre = {"mean": 0, "lp": 1}.get(centre, -1)
    if opts.centre < 0:
        _usage("centre is mean or lp, not %r" % (centre,))
    opts.samples = samples
    d = C.Data()
    C.data_init(byref(d))
    owned_data = False
    run = c_void_p()
    tab = C.Explore()
    C.explore_init(byref(tab))
    try:
        if data is not None:
            if isinstance(data, (str, os.PathLike)):
                _check(C.data_read(byref(d), _path(data)))
                owned_data = True
            else:
                xs, ys = data
                xs = _points(xs, n.inputs, "data")
                ys = np.ascontiguousarray(np.asarray(ys, dtype=np.int64))
                if ys.shape != (xs.shape[0],):
                    raise InputError(1, "data: %d rows and %d labels" % (xs.shape[0], ys.size))
                keep += [xs, ys]
                d.n, d.width = xs.shape
                d.x = ctypes.cast(xs.ctypes.data, ctypes.POINTER(c_double))
                d.y = ctypes.cast(ys.ctypes.data, ctypes.POINTER(ctypes.c_long))
            if d.width != n.inputs:
                raise InputError(1, "data: the rows have %d features, the network has %d "
                                 "inputs" % (d.width, n.inputs))
            for i in range(d.n):
                if not 0 <= d.y[i] < n.outputs:
                    raise InputError(1, "data: row %d: label %d is not an output (0..%d)"
                                     % (i + 1, d.y[i], n.outputs - 1))
            opts.data = ctypes.pointer(d)
        if calib is not None:
            pts = _points(calib, n.inputs, "calib")
            keep.append(pts)
            emax = math.inf if eps is None else max([0.0] + [float(e) for e in eps])
            _check(C.calib_run(byref(run), n._c(), pts.ctypes.data_as(c_void_p),
                               pts.shape[0], emax))
            opts.calib = run
        with _Box(box, n.inputs) as bx:
            _check(C.explore_run(byref(tab), n._c(), bx.ptr(), byref(opts)))
        rows = []
        for i in range(tab.n):
            r = tab.rows[i]
            rows.append({"method": r.method.decode(), "eps": _nan_none(r.eps),
                         "neurons": r.neurons, "params": r.params,
                         "certified": bool(r.certified), "bound": r.bmax, "observed": r.omax,
                         "accuracy": _nan_none(r.acc), "agreement": _nan_none(r.agree),
                         "bound_seconds": r.seconds, "calib_deviation": _nan_none(r.cdev),
                         "bounds": _doubles(r.bound, tab.nout) if r.bound else None,
                         "observeds": _doubles(r.observed, tab.nout) if r.observed else None})
        return rows
    finally:
        C.explore_clear(byref(tab))
        if run:
            C.calib_free(run)
        if owned_data:
            C.data_clear(byref(d))


def draw(net, path, lumping=None, quotient=None, cert=None, reduce=False, mode="proportional",
         eps=None, box=None, centre="mean", title=None, quotient_only=False, legend=True,
         max_width=None, max_edges=None, size=None, font=None):
    """Draw NET to PATH (.svg, .pdf, .png or .dot), as `lumpnet draw`: alone,
    or beside its quotient by a lumping given as LUMPING (a Lumping, with
    QUOTIENT or computed), CERT (a certificate's text or path, checked
    first), REDUCE=True (the coarsest lumping in MODE), or EPS with BOX (an
    epsilon-lumping, CENTRE "mean" or "lp"). SIZE is (width, height) in inches. Returns {nodes,
    edges} drawn."""
    n = _net(net)
    sources = sum(x is not None and x is not False for x in (lumping, cert, eps)) + bool(reduce)
    if sources > 1:
        _usage("give at most one of lumping, cert, reduce and eps")
    if (eps is None) != (box is None):
        _usage("eps and box go together")
    opts = C.VizOpts()
    C.viz_opts_init(byref(opts))
    if C.viz_format_from_path(_path(path)) == 0:
        _usage("%s: unknown figure format (the extension must be .svg, .pdf, .png or .dot)"
               % os.fspath(path))
    keep = []
    if title is not None:
        keep.append(title.encode())
        opts.title = keep[-1]
    if font is not None:
        keep.append(font.encode())
        opts.font = keep[-1]
    if max_width is not None:
        opts.max_width = max_width
    if max_edges is not None:
        opts.max_edges = max_edges
    if size is not None:
        opts.width, opts.height = float(size[0]), float(size[1])
    opts.quotient_only = 1 if quotient_only else 0
    opts.legend = 1 if legend else 0
    if quotient_only and sources == 0:
        _usage("quotient_only needs a lumping (lumping, cert, reduce or eps)")
    L, q = None, None
    if lumping is not None:
        L = lumping
        if quotient is not None:
            q = _net(quotient)
        else:
            q = Network()
            _check(C.quotient(q._c(), n._c(), L._c()))
    elif cert is not None:
        text, name = _cert_text(cert)
        L = Lumping()
        _check(C.cert_read_buf(L._c(), text, len(text), name.encode()))
        q = Network()
        _check(C.quotient(q._c(), n._c(), L._c()))
        ok, why = _cert_check(n, q, L)
        if not ok:
            raise InputError(1, "%s is not a valid lumping of %s (%s); nothing drawn"
                             % (name, n.path or "the network", why))
    elif reduce:
        L, q = Lumping(), Network()
        _check(C.partition_coarsest(L._c(), n._c(), _mode(mode), 0))
        _check(C.quotient(q._c(), n._c(), L._c()))
    elif eps is not None:
        if centre not in ("mean", "lp"):
            _usage("centre is mean or lp, not %r" % (centre,))
        L, q = Lumping(), Network()
        with _Box(box, n.inputs) as bx:
            _check(C.relax(q._c(), L._c(), n._c(), bx.ptr(), float(eps),
                           1 if centre == "lp" else 0))
        keep.append(("ε-lumping, ε = %g, %s centres"
                     % (float(eps), "LP" if centre == "lp" else "mean")).encode())
        opts.lumping_name = keep[-1]
    _check(C.viz_draw(_path(path), n._c(), L._c() if L else None, q._c() if q else None,
                      byref(opts)))
    return {"nodes": opts.nodes, "edges": opts.edges}


def from_torch(model, example_input, path=None, **export_args):
    """Export a PyTorch MODEL through torch.onnx.export (with EXAMPLE_INPUT;
    EXPORT_ARGS are passed on) to PATH (default: a temporary file) and load
    it. The model must be a feed-forward stack lumpnet reads (Linear/Gemm
    layers with identity, ReLU, leaky ReLU, sigmoid or tanh)."""
    try:
        import torch
    except ImportError as e:
        raise ImportError("lumpnet.from_torch needs PyTorch (Debian: python3-torch); export "
                          "the model to ONNX with torch.onnx.export elsewhere and use "
                          "lumpnet.load") from e
    import tempfile
    tmpdir = None
    if path is None:
        tmpdir = tempfile.mkdtemp(prefix="lumpnet-torch-")
        path = os.path.join(tmpdir, "model.onnx")
    training = getattr(model, "training", False)
    try:
        model.eval()  # export the inference graph (no dropout, batch norm in eval mode)
        with torch.no_grad():
            torch.onnx.export(model, example_input, os.fspath(path), **export_args)
        model.train(training)
        net = load(path)
        if tmpdir is not None:
            net.path = None
        return net
    finally:
        if tmpdir is not None:
            import shutil
            shutil.rmtree(tmpdir, ignore_errors=True)
