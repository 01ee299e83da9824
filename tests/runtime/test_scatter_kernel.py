"""The scatter_add kernel against its NumPy reference (np.add.at)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from graphkeras.ir.ops.shape import scatter_add
from graphkeras.runtime.kernels import find_kernel


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(1, 6), cols=st.integers(0, 5), count=st.integers(0, 8),
       axis=st.sampled_from([0, 1]), dtype=st.sampled_from([np.float32, np.float64]),
       seed=st.integers(0, 2**16))
def test_scatter_add_kernel_matches_reference(rows, cols, count, axis, dtype, seed):
    rng = np.random.default_rng(seed)
    x = np.zeros((rows, cols + 1) if axis == 0 else (cols + 1, rows), dtype)
    idx = rng.integers(-rows, rows, size=(count, 2)).astype(np.int32)   # repeats, negatives
    g_shape = idx.shape + x.shape[1:] if axis == 0 else x.shape[:1] + idx.shape
    g = rng.standard_normal(g_shape).astype(dtype)
    attrs = {"axis": axis}
    got = find_kernel("scatter_add")(attrs, g, idx, x)
    expected = scatter_add.reference(g, idx, x, axis=axis)
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def test_scatter_add_kernel_rejects_an_out_of_range_index():
    x = np.zeros((3, 2), np.float32)
    with pytest.raises(IndexError):
        find_kernel("scatter_add")({"axis": 0}, np.ones((1, 2), np.float32),
                                   np.array([3]), x)
