"""Matrix products for the driver and the convolution kernels: Intel MKL when it is installed
(`pip install graphkeras[mkl]`), otherwise NumPy's own BLAS.

Why MKL: the GEMMs are about 80% of an MLP train step, and on this project's 2-core Xeon
(AVX-512) NumPy's OpenBLAS ran the train step's shapes at 125-160 GFLOP/s where MKL ran them at
210-300 GFLOP/s (the 512x128x512 weight gradient: 437 us vs 224 us). MKL is 220 MB, so it is
an optional extra, found at run time and never required.

MKL is driven through its GNU OpenMP threading layer when libgomp is present: with its default
Intel OpenMP layer the small train-step GEMMs ran no faster than OpenBLAS (f1 734 us vs 726 us),
and Numba's own OpenMP workers live in libgomp too, so both share one pool of threads.

`gemm(a, b, out)` computes `out[...] = a @ b` (or `out += a @ b` with accumulate=True) for 2-D
arrays of one float dtype. An operand BLAS cannot read without a copy (neither dimension
unit-strided), a dtype mix, or an output overlapping an input goes to NumPy instead, which
copies where it must.
"""
import ctypes
import ctypes.util
import glob
import os
import sys

import numpy as np

from .. import config

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
_GNU_LAYER, _INTEL_LAYER = 3, 0
_state = {"library": None, "tried": False}
# Products of fewer multiply-adds run on the calling thread alone: waking MKL's second thread
# cost more than it saved (32x128x512, an LSTM step's GEMM: 35 us on one thread, 48 us on two;
# 512x128x10: 27 us vs 57 us; 128x512x512 was faster on two), measured on 2 cores.
SERIAL_BELOW = 4_000_000


class MklNotFound(RuntimeError):
    pass


def _candidates():
    explicit = os.environ.get("GRAPHKERAS_MKL_LIBRARY")
    if explicit:
        yield explicit
    for prefix in dict.fromkeys((sys.prefix, sys.base_prefix, sys.exec_prefix)):
        yield from sorted(glob.glob(os.path.join(prefix, "lib", "libmkl_rt.so*")), reverse=True)
    found = ctypes.util.find_library("mkl_rt")
    if found:
        yield found


def _has_libgomp():
    try:
        ctypes.CDLL("libgomp.so.1")
        return True
    except OSError:
        return False


class Mkl:
    """cblas_sgemm / cblas_dgemm from one loaded libmkl_rt."""

    def __init__(self, path):
        lib = ctypes.CDLL(path)
        self.path = path
        lib.MKL_Set_Threading_Layer.argtypes = [ctypes.c_int]
        # The layer must be chosen before MKL's first call; a second choice is ignored.
        self.layer = "gnu" if _has_libgomp() else "intel"
        lib.MKL_Set_Threading_Layer(_GNU_LAYER if self.layer == "gnu" else _INTEL_LAYER)
        lib.MKL_Set_Num_Threads.argtypes = [ctypes.c_int]
        lib.MKL_Set_Num_Threads_Local.argtypes = [ctypes.c_int]
        lib.MKL_Set_Num_Threads_Local.restype = ctypes.c_int
        self.local_threads = lib.MKL_Set_Num_Threads_Local
        self._lib = lib
        p, i = ctypes.c_void_p, ctypes.c_int
        self.calls = {}
        for dtype, name, scalar in ((np.float32, "cblas_sgemm", ctypes.c_float),
                                    (np.float64, "cblas_dgemm", ctypes.c_double)):
            fn = getattr(lib, name)
            fn.argtypes = [i, i, i, i, i, i, scalar, p, i, p, i, scalar, p, i]
            fn.restype = None
            self.calls[np.dtype(dtype)] = fn
        self.set_threads(config.threads())

    def set_threads(self, count):
        if count is not None:
            self._lib.MKL_Set_Num_Threads(int(count))

    def describe(self):
        return f"MKL ({self.layer} OpenMP layer, {self.path})"


def _load():
    for path in _candidates():
        try:
            return Mkl(path)
        except (OSError, AttributeError):
            continue
    return None


def mkl():
    """The loaded MKL, or None when the configured BLAS is NumPy's, MKL is not installed, or
    this process is a fork of one that had loaded it."""
    choice = config.blas()
    if choice == "numpy" or _state.get("forked"):
        return None
    if not _state["tried"]:
        _state["tried"] = True
        _state["library"] = _load()
    if _state["library"] is None and choice == "mkl":
        raise MklNotFound("GRAPHKERAS_BLAS=mkl but no libmkl_rt was found; install it with "
                          "`pip install graphkeras[mkl]` or point GRAPHKERAS_MKL_LIBRARY at it")
    return _state["library"]


def _after_fork_in_child():
    """libgomp's worker threads do not survive fork(): a child's first MKL call on the GNU
    OpenMP layer waited for them forever (measured). A forked child uses NumPy's BLAS, whose
    OpenBLAS restarts its threads after a fork."""
    if _state["library"] is not None:
        _state["library"] = None
        _state["forked"] = True


os.register_at_fork(after_in_child=_after_fork_in_child)


def describe():
    """Which library `gemm` calls, for kernel listings."""
    library = mkl()
    return library.describe() if library is not None else "NumPy dot (its own BLAS)"


def _layout(x):
    """(transpose flag, leading dimension) with which row-major BLAS reads x, or None."""
    rows, cols = x.shape
    item = x.itemsize
    s0, s1 = x.strides
    if (s1 == item or cols <= 1) and s0 % item == 0 and s0 >= max(1, cols) * item:
        return _NO_TRANS, s0 // item
    if (s0 == item or rows <= 1) and s1 % item == 0 and s1 >= max(1, rows) * item:
        return _TRANS, s1 // item
    if x.flags.c_contiguous:
        return _NO_TRANS, max(1, cols)
    return None


def gemm(a, b, out, accumulate=False):
    """out = a @ b (out += a @ b when accumulate); returns out."""
    if a.ndim != 2 or b.ndim != 2 or b.shape[0] != a.shape[1] or out.shape != (a.shape[0],
                                                                               b.shape[1]):
        raise ValueError(f"gemm: shapes {a.shape} @ {b.shape} do not make {out.shape}")
    library = _state["library"] if _state["tried"] else mkl()
    dtype = out.dtype
    call = library.calls.get(dtype) if library is not None and config.blas() != "numpy" else None
    if call is None or a.dtype != dtype or b.dtype != dtype or not out.flags.c_contiguous:
        return _numpy_gemm(a, b, out, accumulate)
    m, k = a.shape
    n = b.shape[1]
    if m == 0 or n == 0:
        return out
    if k == 0:
        if not accumulate:
            out[...] = 0
        return out
    la, lb = _layout(a), _layout(b)
    if la is None or lb is None or np.may_share_memory(out, a) or np.may_share_memory(out, b):
        return _numpy_gemm(a, b, out, accumulate)
    arguments = (_ROW_MAJOR, la[0], lb[0], m, n, k, 1.0, a.ctypes.data, la[1], b.ctypes.data,
                 lb[1], 1.0 if accumulate else 0.0, out.ctypes.data, max(1, n))
    if m * n * k >= SERIAL_BELOW:
        call(*arguments)
        return out
    before = library.local_threads(1)
    try:
        call(*arguments)
    finally:
        library.local_threads(before)
    return out


def _numpy_gemm(a, b, out, accumulate):
    if accumulate:
        out += a @ b
        return out
    if a.dtype == b.dtype == out.dtype and out.flags.c_contiguous:
        return np.dot(a, b, out=out)
    out[...] = a @ b
    return out
