"""The C side: finding liblumpnet, its structures and its prototypes.

Everything here mirrors include/lumpnet/*.h. The structures are the
library's own public ones; tests/test_abi.py compiles a small C program
against the headers and compares every size and offset given here, so a
change of a public structure that is not followed here fails a test
instead of corrupting memory. Structures the library fills in (options,
results, drawings) carry a trailing reserve, so that a field appended in a
newer library cannot write past the Python-owned memory.
"""

import ctypes
import ctypes.util
import os

from ctypes import (POINTER, Structure, c_char, c_char_p, c_double, c_int, c_long, c_size_t,
                    c_ubyte, c_ulong, c_void_p)


def _find_library():
    """The path (or soname) of liblumpnet: $LUMPNET_LIBRARY, then the
    libdir that `make install` recorded in _config.py, then the system's
    search (ctypes.util.find_library)."""
    env = os.environ.get("LUMPNET_LIBRARY")
    if env:
        if not os.path.exists(env):
            raise ImportError("lumpnet: LUMPNET_LIBRARY=%s does not exist (it must be the path "
                              "of liblumpnet.so)" % env)
        return env
    try:
        from . import _config
        libdir = getattr(_config, "LIBDIR", None)
    except ImportError:
        libdir = None
    if libdir:
        for name in ("liblumpnet.so.0", "liblumpnet.so", "liblumpnet.dylib"):
            cand = os.path.join(libdir, name)
            if os.path.exists(cand):
                return cand
    found = ctypes.util.find_library("lumpnet")
    if found:
        return found
    raise ImportError("lumpnet: the shared library liblumpnet was not found; build and install "
                      "lumpnet (make install, then ldconfig), or set LUMPNET_LIBRARY to the path "
                      "of liblumpnet.so (in a build tree: _build/.libs/liblumpnet.so)")


PATH = _find_library()
try:
    lib = ctypes.CDLL(PATH)
except OSError as e:
    raise ImportError("lumpnet: cannot load %s: %s (set LUMPNET_LIBRARY to the path of "
                      "liblumpnet.so)" % (PATH, e)) from e

RESERVE = 64  # trailing bytes of library-filled structures, see the module comment


# ---- GMP and MPFR values (gmp.h, mpfr.h) ------------------------------------

class Mpz(Structure):
    _fields_ = [("alloc", c_int), ("size", c_int), ("d", c_void_p)]


class Mpq(Structure):
    _fields_ = [("num", Mpz), ("den", Mpz)]


class Mpfr(Structure):
    _fields_ = [("prec", c_long), ("sign", c_int), ("exp", c_long), ("d", c_void_p)]


# ---- core (error.h, arr.h, net.h) --------------------------------------------

class Arr(Structure):
    _fields_ = [("store", c_int), ("len", c_size_t), ("data", c_void_p),
                ("big", POINTER(Mpq)), ("nbig", c_size_t), ("capbig", c_size_t)]


class Act(Structure):
    _fields_ = [("kind", c_int), ("alpha", Mpq)]


class Layer(Structure):
    _fields_ = [("size", c_size_t), ("in_size", c_size_t), ("weight", Arr), ("bias", Arr),
                ("act", Act), ("neuron_act", POINTER(Act))]


class Net(Structure):
    _fields_ = [("n_inputs", c_size_t), ("n_layers", c_size_t), ("layers", POINTER(Layer)),
                ("has_clip", c_int), ("clip_lo", POINTER(Mpq)), ("clip_hi", POINTER(Mpq)),
                ("has_norm", c_int), ("norm_mean", POINTER(Mpq)), ("norm_range", POINTER(Mpq)),
                ("has_outmap", c_int), ("out_scale", POINTER(Mpq)),
                ("out_shift", POINTER(Mpq)), ("iface", c_void_p)]


class WriteOpts(Structure):
    _fields_ = [("onnx_dtype", c_int), ("rounded", c_size_t), ("max_rounding", c_double),
                ("_reserve", c_ubyte * RESERVE)]


# ---- boxes (box.h) and lumpings (lump.h) -----------------------------------

class Box(Structure):
    _fields_ = [("n", c_size_t), ("lo", POINTER(Mpq)), ("hi", POINTER(Mpq))]


class Block(Structure):
    _fields_ = [("n_members", c_size_t), ("members", POINTER(c_size_t)), ("scales", Arr),
                ("fate", c_int), ("value", Mpq)]


class LayerLumping(Structure):
    _fields_ = [("size", c_size_t), ("n_blocks", c_size_t), ("blocks", POINTER(Block))]


class Lumping(Structure):
    _fields_ = [("mode", c_int), ("n_inputs", c_size_t), ("n_layers", c_size_t),
                ("layers", POINTER(LayerLumping))]


class Equiv(Structure):
    _fields_ = [("equal", c_int), ("witness", POINTER(Mpq)), ("n_witness", c_size_t),
                ("output", c_size_t), ("domain", c_char * 256), ("proof", Lumping),
                ("_reserve", c_ubyte * RESERVE)]


# ---- box reduction (stable.h) ------------------------------------------------

class BoxCert(Structure):
    _fields_ = [("box", Box), ("n_steps", c_size_t), ("steps", c_void_p),
                ("_reserve", c_ubyte * RESERVE)]


class StableOpts(Structure):
    _fields_ = [("mode", c_int), ("use_lp", c_int), ("max_rounds", c_int),
                ("lp_rows", c_size_t), ("verbose", c_int), ("fit", c_int),
                ("_reserve", c_ubyte * RESERVE)]


class StableStats(Structure):
    _fields_ = [("inactive", c_size_t), ("folded", c_size_t), ("lumped", c_size_t),
                ("dead", c_size_t), ("constant", c_size_t), ("rounds", c_size_t),
                ("lp_solves", c_size_t), ("lp_tightened", c_size_t),
                ("unstable_final", c_size_t), ("seconds", c_double),
                ("kept_exact", c_size_t), ("_reserve", c_ubyte * RESERVE)]


# ---- bounds, relaxation, exploration (relax.h, data.h) ------------------------

class BoundOpts(Structure):
    _fields_ = [("encoding", c_int), ("seed", c_ulong), ("verbose", c_int),
                ("symbolic", c_int), ("lp", c_int), ("max_boxes", c_size_t),
                ("_reserve", c_ubyte * RESERVE)]


class BoundResult(Structure):
    _fields_ = [("n_outputs", c_size_t), ("bound", POINTER(c_double)),
                ("naive", POINTER(c_double)), ("certified", c_int), ("seconds", c_double),
                ("bound_sym", POINTER(c_double)), ("bound_lp", POINTER(c_double)),
                ("_reserve", c_ubyte * RESERVE)]


class Data(Structure):
    _fields_ = [("n", c_size_t), ("width", c_size_t), ("x", POINTER(c_double)),
                ("y", POINTER(c_long)), ("_reserve", c_ubyte * RESERVE)]


class ExploreRow(Structure):
    _fields_ = [("method", c_char_p), ("eps", c_double), ("cdev", c_double),
                ("neurons", c_size_t), ("params", c_size_t), ("certified", c_int),
                ("bound", POINTER(c_double)), ("observed", POINTER(c_double)),
                ("bmax", c_double), ("omax", c_double), ("acc", c_double),
                ("agree", c_double), ("seconds", c_double)]


class Explore(Structure):
    _fields_ = [("rows", POINTER(ExploreRow)), ("n", c_size_t), ("cap", c_size_t),
                ("nout", c_size_t), ("neps", c_size_t), ("with_data", c_int),
                ("_reserve", c_ubyte * RESERVE)]


class ExploreOpts(Structure):
    _fields_ = [("eps", POINTER(c_double)), ("neps", c_size_t), ("steps", c_size_t),
                ("centre", c_int), ("samples", c_size_t), ("data", POINTER(Data)),
                ("calib", c_void_p), ("lp", c_int), ("hook", c_void_p),
                ("hook_ctx", c_void_p), ("_reserve", c_ubyte * RESERVE)]


# ---- drawings (viz.h) ------------------------------------------------------

class VizOpts(Structure):
    _fields_ = [("format", c_int), ("title", c_char_p), ("lumping_name", c_char_p),
                ("font", c_char_p), ("max_width", c_size_t), ("max_edges", c_size_t),
                ("width", c_double), ("height", c_double), ("quotient_only", c_int),
                ("legend", c_int), ("nodes", c_size_t), ("edges", c_size_t),
                ("_reserve", c_ubyte * RESERVE)]


# The structures and the C names the ABI test compares them with.
STRUCTS = {
    "lump_arr_t": Arr, "lump_act_t": Act, "lump_layer_t": Layer, "lump_net_t": Net,
    "lump_write_opts_t": WriteOpts, "lump_box_t": Box, "lump_block_t": Block,
    "lump_layer_lumping_t": LayerLumping, "lump_lumping_t": Lumping, "lump_equiv_t": Equiv,
    "lump_box_cert_t": BoxCert, "lump_stable_opts_t": StableOpts,
    "lump_stable_stats_t": StableStats, "lump_bound_opts_t": BoundOpts,
    "lump_bound_result_t": BoundResult, "lump_data_t": Data,
    "lump_explore_row_t": ExploreRow, "lump_explore_t": Explore,
    "lump_explore_opts_t": ExploreOpts, "lump_viz_opts_t": VizOpts,
}


# ---- prototypes --------------------------------------------------------------

def _proto(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


P = c_void_p  # pointers to the structures above are passed as byref(...)
ERR = c_int

# the C library, GMP and MPFR are reached through liblumpnet's handle
# (dlsym searches a library's dependencies), so they are the very copies
# liblumpnet uses
free = _proto("free", None, c_void_p)
open_memstream = _proto("open_memstream", c_void_p, POINTER(c_void_p), POINTER(c_size_t))
fclose = _proto("fclose", c_int, c_void_p)
mpq_init = _proto("__gmpq_init", None, P)
mpq_clear = _proto("__gmpq_clear", None, P)
mpq_set_str = _proto("__gmpq_set_str", c_int, P, c_char_p, c_int)
mpq_canonicalize = _proto("__gmpq_canonicalize", None, P)
mpq_get_str = _proto("__gmpq_get_str", c_void_p, c_void_p, c_int, P)
mpz_sizeinbase = _proto("__gmpz_sizeinbase", c_size_t, P, c_int)
mpfr_init2 = _proto("mpfr_init2", None, P, c_long)
mpfr_clear = _proto("mpfr_clear", None, P)
mpfr_get_q = _proto("mpfr_get_q", None, P, P)

error_message = _proto("lump_error_message", c_char_p)
rat_parse_cstr = _proto("lump_rat_parse_cstr", ERR, P, c_char_p)
act_name = _proto("lump_act_name", c_char_p, c_int)
version = _proto("lump_version", c_char_p)

net_init = _proto("lump_net_init", None, P)
net_clear = _proto("lump_net_clear", None, P)
net_read = _proto("lump_net_read", ERR, P, c_char_p)
net_read_json_buf = _proto("lump_net_read_json_buf", ERR, P, c_char_p, c_size_t, c_char_p)
net_validate = _proto("lump_net_validate", ERR, P, c_char_p)
net_write = _proto("lump_net_write", ERR, c_char_p, P, P)
net_write_json = _proto("lump_net_write_json", ERR, c_void_p, P)
net_copy = _proto("lump_net_copy", ERR, P, P)
net_n_outputs = _proto("lump_net_n_outputs", c_size_t, P)
net_neurons = _proto("lump_net_neurons", c_size_t, P)
net_params = _proto("lump_net_params", c_size_t, P)
net_is_pwl = _proto("lump_net_is_pwl", c_int, P)
layer_act = _proto("lump_layer_act", POINTER(Act), P, c_size_t)
layer_uniform_act = _proto("lump_layer_uniform_act", c_int, P)
arr_get = _proto("lump_arr_get", None, P, P, c_size_t)

eval_exact = _proto("lump_eval_exact", ERR, P, P, P)
eval_double_strict = _proto("lump_eval_double_strict", ERR, P, P, P)
eval_double_range = _proto("lump_eval_double_range", ERR, P)
eval_mpfr = _proto("lump_eval_mpfr", ERR, P, P, P, P, c_long)

box_init = _proto("lump_box_init", None, P)
box_clear = _proto("lump_box_clear", None, P)
box_parse_inline = _proto("lump_box_parse_inline", ERR, P, c_char_p, c_size_t)
box_parse = _proto("lump_box_parse", ERR, P, c_char_p, c_size_t)

lumping_init = _proto("lump_lumping_init", None, P)
lumping_clear = _proto("lump_lumping_clear", None, P)
lumping_neurons_after = _proto("lump_lumping_neurons_after", c_size_t, P)
partition_coarsest = _proto("lump_partition_coarsest", ERR, P, P, c_int, c_int)
quotient = _proto("lump_quotient", ERR, P, P, P)
cert_write = _proto("lump_cert_write", ERR, c_void_p, P)
cert_read_buf = _proto("lump_cert_read_buf", ERR, P, c_char_p, c_size_t, c_char_p)
cert_check = _proto("lump_cert_check", ERR, P, c_char_p, c_size_t, P, P, P)
cert_version = _proto("lump_cert_version", c_int, c_char_p, c_size_t)
cert_is_equiv = _proto("lump_cert_is_equiv", c_int, c_char_p, c_size_t)

equiv_init = _proto("lump_equiv_init", None, P)
equiv_clear = _proto("lump_equiv_clear", None, P)
equiv = _proto("lump_equiv", ERR, P, P, P, P, c_ulong)
equiv_cert_write = _proto("lump_equiv_cert_write", ERR, c_void_p, P)
equiv_cert_read_buf = _proto("lump_equiv_cert_read_buf", ERR, P, c_char_p, c_size_t, c_char_p)
equiv_cert_check = _proto("lump_equiv_cert_check", ERR, P, c_char_p, c_size_t, P, P, P)

box_cert_init = _proto("lump_box_cert_init", None, P)
box_cert_clear = _proto("lump_box_cert_clear", None, P)
box_cert_write = _proto("lump_box_cert_write", ERR, c_void_p, P)
box_cert_read_buf = _proto("lump_box_cert_read_buf", ERR, P, c_char_p, c_size_t, c_char_p)
box_cert_check = _proto("lump_box_cert_check", ERR, P, c_char_p, c_size_t, P, P, P, P)
stable_opts_init = _proto("lump_stable_opts_init", None, P)
stable_reduce = _proto("lump_stable_reduce", ERR, P, P, P, P, P, P)

bound_opts_init = _proto("lump_bound_opts_init", None, P)
bound_result_init = _proto("lump_bound_result_init", None, P)
bound_result_clear = _proto("lump_bound_result_clear", None, P)
bound_diff = _proto("lump_bound_diff", ERR, P, P, P, P, P)
bound_diff_lumped = _proto("lump_bound_diff_lumped", ERR, P, P, P, P, P, P)
max_error_sampled = _proto("lump_max_error_sampled", ERR, P, P, P, P, c_size_t, c_ulong)
relax = _proto("lump_relax", ERR, P, P, P, P, c_double, c_int)
relax_calib = _proto("lump_relax_calib", ERR, P, P, P, P, P, c_size_t, c_double)

data_init = _proto("lump_data_init", None, P)
data_clear = _proto("lump_data_clear", None, P)
data_read = _proto("lump_data_read", ERR, P, c_char_p)
calib_run = _proto("lump_calib_run", ERR, POINTER(c_void_p), P, P, c_size_t, c_double)
calib_free = _proto("lump_calib_free", None, c_void_p)
explore_init = _proto("lump_explore_init", None, P)
explore_clear = _proto("lump_explore_clear", None, P)
explore_opts_init = _proto("lump_explore_opts_init", None, P)
explore_run = _proto("lump_explore_run", ERR, P, P, P, P)

viz_opts_init = _proto("lump_viz_opts_init", None, P)
viz_format_from_path = _proto("lump_viz_format_from_path", c_int, c_char_p)
viz_draw = _proto("lump_viz_draw", ERR, c_char_p, P, P, P, P)


def memstream(write, *args):
    """The bytes that WRITE(FILE *, *ARGS) writes, through open_memstream;
    returns (error code, bytes)."""
    buf = c_void_p()
    size = c_size_t()
    f = open_memstream(ctypes.byref(buf), ctypes.byref(size))
    if not f:
        raise MemoryError("open_memstream failed")
    err = write(f, *args)
    fclose(f)
    data = ctypes.string_at(buf, size.value) if buf.value else b""
    free(buf)
    return err, data
