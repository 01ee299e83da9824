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
# Below this many multiply-adds MKL's fixed cost dominates: a (32, 128) x (128, 1) product
# took 10 us through MKL and 1.7 us through np.dot.
NUMPY_BELOW = 32_768


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


_DECLARATIONS = """
int MKL_Set_Threading_Layer(int);
void MKL_Set_Num_Threads(int);
int MKL_Set_Num_Threads_Local(int);
void cblas_sgemm(int, int, int, int, int, int, float, const float *, int, const float *, int,
                 float, float *, int);
void cblas_dgemm(int, int, int, int, int, int, double, const double *, int, const double *,
                 int, double, double *, int);
"""


class Mkl:
    """cblas_sgemm / cblas_dgemm from one loaded libmkl_rt, called through cffi: its calls
    cost about 3 us where ctypes, with `ndarray.ctypes.data` for each pointer, cost 12 us, and
    an LSTM train step makes some 660 of them (measured)."""

    def __init__(self, path):
        import cffi
        ffi = cffi.FFI()
        ffi.cdef(_DECLARATIONS)
        lib = ffi.dlopen(path)
        self.path = path
        # The layer must be chosen before MKL's first call; a second choice is ignored.
        self.layer = "gnu" if _has_libgomp() else "intel"
        lib.MKL_Set_Threading_Layer(_GNU_LAYER if self.layer == "gnu" else _INTEL_LAYER)
        self._lib = lib
        self.local_threads = lib.MKL_Set_Num_Threads_Local
        self.calls = {np.dtype(np.float32): (lib.cblas_sgemm, "float[]", "float *"),
                      np.dtype(np.float64): (lib.cblas_dgemm, "double[]", "double *")}
        self.from_buffer = ffi.from_buffer
        self.cast = ffi.cast
        self.set_threads(config.threads())

    def set_threads(self, count):
        if count is not None:
            self._lib.MKL_Set_Num_Threads(int(count))

    def pointer(self, x, array_type, pointer_type):
        """x's first element as a cdata pointer; a buffer (cheap) when x or x.T is C-ordered."""
        if x.flags.c_contiguous:
            return self.from_buffer(array_type, x)
        if x.flags.f_contiguous:
            return self.from_buffer(array_type, x.T)
        return self.cast(pointer_type, x.__array_interface__["data"][0])

    def describe(self):
        return f"MKL ({self.layer} OpenMP layer, {self.path})"


def _load():
    for path in _candidates():
        try:
            return Mkl(path)
        except (OSError, AttributeError, ImportError):
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
        raise MklNotFound("GRAPHKERAS_BLAS=mkl but MKL could not be loaded (libmkl_rt and cffi "
                          "are needed); install them with `pip install graphkeras[mkl]`, or "
                          "point GRAPHKERAS_MKL_LIBRARY at libmkl_rt")
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
    flags = x.flags
    if flags.c_contiguous:
        return _NO_TRANS, max(1, x.shape[1])
    if flags.f_contiguous:
        return _TRANS, max(1, x.shape[0])
    rows, cols = x.shape
    item = x.itemsize
    s0, s1 = x.strides
    if (s1 == item or cols <= 1) and s0 % item == 0 and s0 >= max(1, cols) * item:
        return _NO_TRANS, s0 // item
    if (s0 == item or rows <= 1) and s1 % item == 0 and s1 >= max(1, rows) * item:
        return _TRANS, s1 // item
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
    if m * n * k < max(NUMPY_BELOW, 1):     # empty products too
        return _numpy_gemm(a, b, out, accumulate)
    la, lb = _layout(a), _layout(b)
    if la is None or lb is None or _may_overlap(out, a) or _may_overlap(out, b):
        return _numpy_gemm(a, b, out, accumulate)
    fn, array_type, pointer_type = call
    pa = library.pointer(a, array_type, pointer_type)
    pb = library.pointer(b, array_type, pointer_type)
    po = library.from_buffer(array_type, out)
    beta = 1.0 if accumulate else 0.0
    if m * n * k >= SERIAL_BELOW:
        fn(_ROW_MAJOR, la[0], lb[0], m, n, k, 1.0, pa, la[1], pb, lb[1], beta, po, max(1, n))
        return out
    before = library.local_threads(1)
    try:
        fn(_ROW_MAJOR, la[0], lb[0], m, n, k, 1.0, pa, la[1], pb, lb[1], beta, po, max(1, n))
    finally:
        library.local_threads(before)
    return out


def _may_overlap(out, x):
    """Whether x may share memory with out. An `out` that owns its memory can only be shared
    through views of it, found by following x's bases: cheaper than np.may_share_memory."""
    if out.base is not None:
        return np.may_share_memory(out, x)
    view = x
    while view is not out:
        view = view.base
        if view is None:
            return False
        if not isinstance(view, np.ndarray):     # through a memoryview or another exporter
            return np.may_share_memory(out, x)
    return True


def _numpy_gemm(a, b, out, accumulate):
    if accumulate:
        out += a @ b
        return out
    if a.dtype == b.dtype == out.dtype and out.flags.c_contiguous:
        return np.dot(a, b, out=out)
    out[...] = a @ b
    return out
