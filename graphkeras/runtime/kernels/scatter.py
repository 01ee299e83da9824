"""scatter_add (the gradient of gather, so of every Embedding) as a Numba loop over rows.

NumPy's reference uses `np.add.at`, which handles repeated indices but runs element by
element: for the IMDB LSTM's embedding gradient (2,560 indices into 10,000 x 128) it took
4 ms of a 50 ms train step. Here each index adds one contiguous row, a vectorized loop.
"""
import numpy as np
from numba import njit

from . import kernel


@njit(cache=True, error_model="numpy")
def _add_rows(out2, idx, g2):
    rows = out2.shape[0]
    for r in range(idx.size):
        i = idx[r]
        if i < 0:
            i += rows
        if i < 0 or i >= rows:
            raise IndexError("scatter_add: an index is out of range")
        for c in range(out2.shape[1]):
            out2[i, c] += g2[r, c]


@kernel("scatter_add")
def scatter_add(attrs, g, idx, x):
    axis = attrs.get("axis", 0)
    out = np.zeros(x.shape, dtype=g.dtype)
    moved = np.moveaxis(out, axis, 0)
    g_moved = np.moveaxis(g, list(range(axis, axis + idx.ndim)), list(range(idx.ndim)))
    if g.dtype.kind != "f" or not moved.flags.c_contiguous:
        np.add.at(moved, idx.astype(np.int64), g_moved)
        return out
    columns = int(np.prod(moved.shape[1:], dtype=np.int64))
    flat = np.ascontiguousarray(idx.reshape(-1), dtype=np.int64)
    _add_rows(moved.reshape(moved.shape[0], columns), flat,
              np.ascontiguousarray(g_moved).reshape(flat.size, columns))
    return out
