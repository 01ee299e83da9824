"""Loading Numba for the runtime without SciPy's BLAS bindings.

When Numba first compiles, it imports `numba.np.arraymath`, which probes for BLAS by importing
`scipy.linalg.cython_blas` (0.35-0.45 s of a cold start, measured on this 2-core machine). Our
kernels never call BLAS from Numba (the driver calls NumPy's), so we import that module once
with the probe failing. The probe only picks the inner-product helper of np.correlate and
np.convolve; Numba's np.dot and np.linalg import SciPy themselves on first use, so they keep
working (tested).
"""
import sys

BLAS_MODULE = "scipy.linalg.cython_blas"


def load_numba():
    """The numba module, with numba.np.arraymath imported without SciPy's BLAS."""
    import numba
    if "numba.np.arraymath" in sys.modules or BLAS_MODULE in sys.modules:
        return numba
    sys.modules[BLAS_MODULE] = None     # makes `import scipy.linalg.cython_blas` fail
    try:
        import numba.np.arraymath  # noqa: F401
    finally:
        del sys.modules[BLAS_MODULE]
    return numba
