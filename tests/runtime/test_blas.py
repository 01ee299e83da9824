"""runtime.blas.gemm against NumPy, through MKL (when installed) and through NumPy's own BLAS."""
import contextlib
import multiprocessing
import os

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from graphkeras import config
from graphkeras import backend as K
from graphkeras.runtime import blas

LIBRARIES = ["numpy", pytest.param("mkl", marks=pytest.mark.skipif(
    config.blas() == "numpy" or blas.mkl() is None, reason="MKL is not installed"))]


@contextlib.contextmanager
def chosen(name):
    """BLAS `name` for every product, however small (blas.NUMPY_BELOW sends the smallest
    ones to NumPy otherwise)."""
    before = config.blas(), blas.NUMPY_BELOW
    config.set_blas(name)
    blas.NUMPY_BELOW = 0
    try:
        yield name
    finally:
        config.set_blas(before[0])
        blas.NUMPY_BELOW = before[1]


@pytest.fixture(params=LIBRARIES)
def library(request):
    with chosen(request.param):
        yield request.param


def _operand(rng, rows, cols, layout, dtype):
    """A (rows, cols) array laid out as C order, F order (a transpose), or a strided slice."""
    if layout == "c":
        return rng.standard_normal((rows, cols)).astype(dtype)
    if layout == "f":
        return rng.standard_normal((cols, rows)).astype(dtype).T
    if layout == "rows":       # every other row of a taller array: leading dimension > cols
        return rng.standard_normal((2 * rows, cols)).astype(dtype)[::2]
    return rng.standard_normal((rows, 2 * cols)).astype(dtype)[:, ::2]   # no unit stride


LAYOUTS = ["c", "f", "rows", "cols"]


@pytest.mark.parametrize("name", LIBRARIES)
@settings(max_examples=60, deadline=None)
@given(m=st.integers(0, 9), k=st.integers(0, 9), n=st.integers(0, 9),
       la=st.sampled_from(LAYOUTS), lb=st.sampled_from(LAYOUTS),
       dtype=st.sampled_from([np.float32, np.float64]), accumulate=st.booleans(),
       seed=st.integers(0, 2**16))
def test_gemm_matches_numpy(name, m, k, n, la, lb, dtype, accumulate, seed):
    with chosen(name):
        _check_gemm(m, k, n, la, lb, dtype, accumulate, seed)


def _check_gemm(m, k, n, la, lb, dtype, accumulate, seed):
    rng = np.random.default_rng(seed)
    a, b = _operand(rng, m, k, la, dtype), _operand(rng, k, n, lb, dtype)
    start = rng.standard_normal((m, n)).astype(dtype)
    out = start.copy()
    result = blas.gemm(a, b, out, accumulate=accumulate)
    expected = (start if accumulate else 0) + a.astype(np.float64) @ b.astype(np.float64)
    assert result is out
    tolerance = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, expected, rtol=tolerance, atol=tolerance * max(k, 1))


@pytest.mark.parametrize("rows", [130, 170])   # below and above blas.SERIAL_BELOW
def test_gemm_large_float32_is_accurate(library, rows):
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal(s).astype(np.float32) for s in ((rows, 300), (300, 90)))
    out = np.empty((rows, 90), np.float32)
    blas.gemm(a, b.T.copy().T, out)
    np.testing.assert_allclose(out, a.astype(np.float64) @ b, rtol=1e-4, atol=1e-3)


def test_gemm_with_mixed_dtypes_or_overlap_goes_to_numpy(library):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.arange(6, dtype=np.float64).reshape(3, 2)
    out = np.empty((2, 2), np.float32)
    np.testing.assert_allclose(blas.gemm(a, b, out), a @ b)
    square = np.arange(4, dtype=np.float32).reshape(2, 2)
    expected = square @ square
    blas.gemm(square, square, square)      # the output is an input: NumPy copies first
    np.testing.assert_allclose(square, expected)
    for view in (lambda o: o.T, lambda o: np.asarray(memoryview(o))):
        out = np.arange(4, dtype=np.float32).reshape(2, 2)
        expected = view(out) @ view(out)
        blas.gemm(view(out), view(out), out)
        np.testing.assert_allclose(out, expected)


def test_gemm_shape_mismatch_names_the_shapes(library):
    a = np.ones((2, 3), np.float32)
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 2\)"):
        blas.gemm(a, np.ones((4, 2), np.float32), np.empty((2, 2), np.float32))


def test_compiled_dot_uses_the_chosen_library_and_matches_reference(library):
    x = K.placeholder(shape=(None, 5))
    w = K.variable(np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32))
    y = K.dot(x, w)
    f = K.function([x], [y])
    ref = K.function([x], [y], mode="reference")
    data = np.random.default_rng(2).standard_normal((7, 5)).astype(np.float32)
    np.testing.assert_allclose(f([data])[0], ref([data])[0], rtol=1e-5, atol=1e-6)
    gemms = [k for k in f.kernels if k.kind == "blas"]
    assert gemms and all(k.source.startswith("gemm(") for k in gemms)
    assert ("MKL" in blas.describe()) == (library == "mkl")


def test_missing_mkl_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(blas._state, "tried", True)
    monkeypatch.setitem(blas._state, "library", None)
    before = config.blas()
    config.set_blas("mkl")
    try:
        with pytest.raises(blas.MklNotFound, match=r"graphkeras\[mkl\]"):
            blas.mkl()
    finally:
        config.set_blas(before)


def test_unknown_blas_choice_is_rejected():
    with pytest.raises(ValueError, match="blas must be one of auto, mkl, numpy"):
        config.set_blas("openblas")


def _gemm_in_child(queue):
    a = np.arange(16, dtype=np.float32).reshape(4, 4)
    queue.put((blas.gemm(a, a, np.empty_like(a)) == a @ a).all())


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_gemm_in_a_forked_child_after_the_parent_used_blas():
    a = np.ones((64, 64), np.float32)
    blas.gemm(a, a, np.empty_like(a))        # the parent's OpenMP threads now exist
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_gemm_in_child, args=(queue,))
    child.start()
    child.join(60)
    if child.is_alive():
        child.kill()
        pytest.fail("a GEMM in a forked child hung")
    assert queue.get(timeout=5)
