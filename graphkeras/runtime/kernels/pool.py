"""Pooling kernels: max and average pooling and their gradients as direct Numba loops.

Arrays use the canonical (batch, depth, height, width, channels) layout of kernels/conv.py.
Windows never read padding: max pooling skips it (TensorFlow pads with -inf) and average
pooling divides by the number of real elements. The innermost loop runs over channels, which
are contiguous. Maximum positions are found in row-major window order with a strict `>`, so
ties go to the first maximum as in TensorFlow's MaxPoolGrad.
"""
import numpy as np
from numba import njit, prange

from . import kernel
from .conv import Geometry, common_dtype as _common

_SERIAL = dict(cache=True, error_model="numpy")
_PARALLEL = dict(_SERIAL, parallel=True)


@njit(cache=True, error_model="numpy")
def _bounds(o, stride, before, window, size):
    """The real (unpadded) input range [start, stop) of window o along one axis."""
    start = o * stride - before
    return max(start, 0), min(start + window, size)


@njit(**_PARALLEL)
def max_pool_forward(x, out, window, strides, before):
    lines = out.shape[0] * out.shape[1] * out.shape[2]
    for line in prange(lines):
        n = line // (out.shape[1] * out.shape[2])
        od = (line // out.shape[2]) % out.shape[1]
        oh = line % out.shape[2]
        i0, i1 = _bounds(od, strides[0], before[0], window[0], x.shape[1])
        j0, j1 = _bounds(oh, strides[1], before[1], window[1], x.shape[2])
        for ow in range(out.shape[3]):
            k0, k1 = _bounds(ow, strides[2], before[2], window[2], x.shape[3])
            out[n, od, oh, ow, :] = -np.inf
            for i in range(i0, i1):
                for j in range(j0, j1):
                    for k in range(k0, k1):
                        for c in range(x.shape[4]):
                            if x[n, i, j, k, c] > out[n, od, oh, ow, c]:
                                out[n, od, oh, ow, c] = x[n, i, j, k, c]


@njit(cache=True, error_model="numpy")
def _first_max(x, n, od, oh, ow, window, strides, before, best, at):
    """Per channel, the flat position (i * height + j) * width + k of the first maximum of one
    window (-1 if the window has no real element)."""
    best[:] = -np.inf
    at[:] = -1
    i0, i1 = _bounds(od, strides[0], before[0], window[0], x.shape[1])
    j0, j1 = _bounds(oh, strides[1], before[1], window[1], x.shape[2])
    k0, k1 = _bounds(ow, strides[2], before[2], window[2], x.shape[3])
    for i in range(i0, i1):
        for j in range(j0, j1):
            for k in range(k0, k1):
                flat = (i * x.shape[2] + j) * x.shape[3] + k
                for c in range(x.shape[4]):
                    if x[n, i, j, k, c] > best[c]:
                        best[c] = x[n, i, j, k, c]
                        at[c] = flat


@njit(**_PARALLEL)
def max_pool_backward(x, g, dx, window, strides, before):
    """dx[n] += g routed to each window's first maximum; parallel over the batch."""
    flat_dx = dx.reshape((dx.shape[0], -1, dx.shape[4]))
    for n in prange(g.shape[0]):
        best = np.empty(x.shape[4], dtype=x.dtype)
        at = np.empty(x.shape[4], dtype=np.int64)
        for od in range(g.shape[1]):
            for oh in range(g.shape[2]):
                for ow in range(g.shape[3]):
                    _first_max(x, n, od, oh, ow, window, strides, before, best, at)
                    for c in range(x.shape[4]):
                        if at[c] >= 0:
                            flat_dx[n, at[c], c] += g[n, od, oh, ow, c]


@njit(**_SERIAL)
def max_pool_gather(x, gx, out, window, strides, before):
    """out = gx read at each window's first maximum of x."""
    flat_gx = gx.reshape((gx.shape[0], -1, gx.shape[4]))
    best = np.empty(x.shape[4], dtype=x.dtype)
    at = np.empty(x.shape[4], dtype=np.int64)
    for n in range(out.shape[0]):
        for od in range(out.shape[1]):
            for oh in range(out.shape[2]):
                for ow in range(out.shape[3]):
                    _first_max(x, n, od, oh, ow, window, strides, before, best, at)
                    for c in range(x.shape[4]):
                        if at[c] >= 0:
                            out[n, od, oh, ow, c] = flat_gx[n, at[c], c]


@njit(**_SERIAL)
def avg_pool_forward(x, out, window, strides, before):
    lines = out.shape[0] * out.shape[1] * out.shape[2]
    for line in range(lines):
        n = line // (out.shape[1] * out.shape[2])
        od = (line // out.shape[2]) % out.shape[1]
        oh = line % out.shape[2]
        i0, i1 = _bounds(od, strides[0], before[0], window[0], x.shape[1])
        j0, j1 = _bounds(oh, strides[1], before[1], window[1], x.shape[2])
        for ow in range(out.shape[3]):
            k0, k1 = _bounds(ow, strides[2], before[2], window[2], x.shape[3])
            out[n, od, oh, ow, :] = 0
            for i in range(i0, i1):
                for j in range(j0, j1):
                    for k in range(k0, k1):
                        for c in range(x.shape[4]):
                            out[n, od, oh, ow, c] += x[n, i, j, k, c]
            count = (i1 - i0) * (j1 - j0) * (k1 - k0)
            for c in range(x.shape[4]):
                out[n, od, oh, ow, c] /= count


@njit(**_SERIAL)
def avg_pool_backward(g, dx, window, strides, before):
    for n in range(g.shape[0]):
        for od in range(g.shape[1]):
            i0, i1 = _bounds(od, strides[0], before[0], window[0], dx.shape[1])
            for oh in range(g.shape[2]):
                j0, j1 = _bounds(oh, strides[1], before[1], window[1], dx.shape[2])
                for ow in range(g.shape[3]):
                    k0, k1 = _bounds(ow, strides[2], before[2], window[2], dx.shape[3])
                    count = (i1 - i0) * (j1 - j0) * (k1 - k0)
                    for i in range(i0, i1):
                        for j in range(j0, j1):
                            for k in range(k0, k1):
                                for c in range(dx.shape[4]):
                                    dx[n, i, j, k, c] += g[n, od, oh, ow, c] / count


def pool_geometry(attrs, x):
    return Geometry.of(attrs, x.shape[1:-1], attrs["window"])


def _pooled_shape(x, geo):
    return (x.shape[0],) + geo.out_size + (x.shape[-1],)


def _op_rank(out, x, geo):
    """A canonical pooled result reshaped to x's rank."""
    return out.reshape(x.shape[:1] + geo.out_size[5 - x.ndim:] + x.shape[-1:])


def _args(geo):
    return geo.window, geo.strides, geo.before


@kernel("max_pool")
def max_pool_kernel(attrs, x):
    (x,) = _common(x)
    geo = pool_geometry(attrs, x)
    out = np.empty(_pooled_shape(x, geo), dtype=x.dtype)
    max_pool_forward(geo.canonical(x, geo.in_size), out, *_args(geo))
    return _op_rank(out, x, geo)


@kernel("avg_pool")
def avg_pool_kernel(attrs, x):
    (x,) = _common(x)
    geo = pool_geometry(attrs, x)
    out = np.empty(_pooled_shape(x, geo), dtype=x.dtype)
    avg_pool_forward(geo.canonical(x, geo.in_size), out, *_args(geo))
    return _op_rank(out, x, geo)


@kernel("max_pool_grad")
def max_pool_grad_kernel(attrs, x, g):
    x, g = _common(x, g)
    geo = pool_geometry(attrs, x)
    g5 = geo.canonical(g, geo.out_size)
    dx = np.zeros((x.shape[0],) + geo.in_size + x.shape[-1:], dtype=x.dtype)
    max_pool_backward(geo.canonical(x, geo.in_size), g5, dx, *_args(geo))
    return dx.reshape(x.shape)


@kernel("max_pool_select")
def max_pool_select_kernel(attrs, x, gx):
    x, gx = _common(x, gx)
    geo = pool_geometry(attrs, x)
    gx5 = geo.canonical(gx, geo.in_size)
    out = np.zeros(_pooled_shape(x, geo), dtype=x.dtype)
    max_pool_gather(geo.canonical(x, geo.in_size), gx5, out, *_args(geo))
    return _op_rank(out, x, geo)


@kernel("avg_pool_grad")
def avg_pool_grad_kernel(attrs, g, x):
    (g,) = _common(g)
    geo = pool_geometry(attrs, x)
    g5 = geo.canonical(g, geo.out_size)
    dx = np.zeros((x.shape[0],) + geo.in_size + x.shape[-1:], dtype=g.dtype)
    avg_pool_backward(g5, dx, *_args(geo))
    return dx.reshape(x.shape)
