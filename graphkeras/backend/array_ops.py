"""Shapes and data movement: shape, reshape, concatenation, padding, tiling, creation, random."""
import builtins

import numpy as np

from .. import ir
from ..ir.ops import elementwise as E
from ..ir.ops import random as RND
from ..ir.ops import shape as S
from . import common
from .tensor import Tensor, to_node, variable, wrap


def int_shape(x):
    """The static shape as a tuple of ints and None."""
    if hasattr(x, "_keras_shape"):
        return tuple(x._keras_shape)
    if isinstance(x, Tensor):
        return tuple(x.shape)
    return tuple(np.shape(x))


def ndim(x):
    return len(int_shape(x))


def dtype(x):
    return x.dtype if isinstance(x, Tensor) else np.asarray(x).dtype.name


def shape(x):
    """The run-time shape as an int32 tensor (a constant when the shape is static)."""
    node = to_node(x)
    if node.type.is_static():
        return wrap(ir.constant(np.array(node.shape, dtype=np.int32)))
    return wrap(S.shape_of(node))


def dynamic_shape(dims):
    """An int32 shape vector from ints, scalar tensors and (node, axis) pairs."""
    parts = []
    for d in dims:
        if isinstance(d, tuple):
            node, axis = d
            if node.shape[axis] is not None:
                parts.append(ir.constant(np.array([node.shape[axis]], np.int32)))
            else:
                parts.append(S.take(S.shape_of(node), indices=(axis,)))
        elif isinstance(d, (Tensor, ir.Node)):
            node = E.cast(to_node(d), dtype="int32")
            parts.append(S.reshape(node, shape=(1,)))
        else:
            parts.append(ir.constant(np.array([-1 if d is None else d], np.int32)))
    return S.concatenate(*parts, axis=0)


def reshape(x, shape):
    """Reshape to `shape`; entries may be -1 or scalar int tensors (such as K.shape(x)[0])."""
    node = to_node(x)
    if isinstance(shape, Tensor):
        hint = (None,) * shape.shape[0]
        return wrap(S.reshape_to(node, E.cast(shape.node, dtype="int32"), hint=hint))
    # None in a target shape means "infer it", like -1 (tf.keras accepts it).
    dims = [-1 if d is None else d for d in shape]
    if any(isinstance(d, (Tensor, ir.Node)) for d in dims):
        hint = tuple(None if isinstance(d, (Tensor, ir.Node)) or d == -1 else int(d)
                     for d in dims)
        if node.type.is_static() and hint.count(None) == 1:
            known = int(np.prod([d for d in hint if d is not None]))
            hint = tuple(int(np.prod(node.shape)) // known if d is None else d for d in hint)
        return wrap(S.reshape_to(node, dynamic_shape(dims), hint=hint))
    return wrap(S.reshape(node, shape=tuple(int(d) for d in dims)))


def concatenate(tensors, axis=-1):
    nodes = [to_node(t) for t in tensors]
    if axis < 0:
        axis = axis % nodes[0].ndim if nodes[0].ndim else 0
    return wrap(S.concatenate(*nodes, axis=axis))


def permute_dimensions(x, pattern):
    return wrap(S.transpose(to_node(x), perm=tuple(pattern)))


def repeat_elements(x, rep, axis):
    node = to_node(x)
    return wrap(S.repeat_elements(node, repeats=int(rep), axis=axis % node.ndim))


def resize_images(x, height_factor, width_factor, data_format, interpolation="nearest"):
    """Upsample rows and columns by whole factors (Keras 2's UpSampling2D).

    "nearest" repeats pixels; "bilinear" follows TensorFlow 1's resize_bilinear without
    aligned corners: output pixel o reads input position o / factor, the last row repeated.
    """
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError("resize_images: interpolation must be 'nearest' or 'bilinear', got "
                         f"{interpolation!r}")
    axes = (2, 3) if data_format == "channels_first" else (1, 2)
    if interpolation == "nearest":
        out = repeat_elements(x, height_factor, axes[0])
        return repeat_elements(out, width_factor, axes[1])
    node = to_node(x)
    for axis, factor in zip(axes, (int(height_factor), int(width_factor))):
        node = _upsample_linear(node, axis, factor)
    return wrap(node)


def _upsample_linear(node, axis, factor):
    """Linear interpolation along `axis`: factor outputs per input, between it and the next."""
    from .math_ops import _reshape_dims
    rest = [("slice", None, None, None)] * axis
    following = S.index(node, items=tuple(rest + [("slice", 1, None, 1)]))
    last = S.index(node, items=tuple(rest + [("slice", -1, None, 1)]))
    shifted = S.concatenate(following, last, axis=axis)
    weights = (np.arange(factor) / factor).astype(node.dtype)
    weights = weights.reshape((factor,) + (1,) * (node.ndim - axis - 1))
    here = S.expand_dims(node, axis=axis + 1)
    mixed = here + (S.expand_dims(shifted, axis=axis + 1) - here) * ir.constant(weights)
    dims = [(node, i) for i in range(node.ndim)]
    dims[axis] = _times(factor, node, axis)
    return _reshape_dims(mixed, dims)


def resize_volumes(x, depth_factor, height_factor, width_factor, data_format):
    axes = (2, 3, 4) if data_format == "channels_first" else (1, 2, 3)
    out = x
    for axis, factor in zip(axes, (depth_factor, height_factor, width_factor)):
        out = repeat_elements(out, factor, axis)
    return out


def repeat(x, n):
    """(batch, dim) -> (batch, n, dim)."""
    node = to_node(x)
    if node.ndim != 2:
        raise ValueError(f"repeat expects a 2D tensor, got shape {node.shape}")
    return wrap(S.tile(S.expand_dims(node, axis=1), reps=(1, int(n), 1)))


def arange(start, stop=None, step=1, dtype="int32"):
    """[start, start + step, ...) below stop, as np.arange; bounds may be scalar tensors."""
    if stop is None:
        start, stop = 0, start
    if not any(isinstance(v, (Tensor, ir.Node)) for v in (start, stop, step)):
        return wrap(ir.constant(np.arange(start, stop, step).astype(dtype)))
    start, stop, step = (E.cast(_scalar_node(v), dtype="float64") for v in (start, stop, step))
    # ceil((stop - start) / step) elements, none when that is negative (np.arange).
    count = E.cast(E.maximum(E.ceil((stop - start) / step), 0.0), dtype="int32")
    ones = S.fill(S.reshape(count, shape=(1,)), value=1, dtype="float64", hint=(None,))
    from ..ir.ops import reduction as R
    positions = R.cumsum(ones, axis=0) - 1.0
    return wrap(E.cast(start + positions * step, dtype=dtype))


def _scalar_node(v):
    node = to_node(v) if isinstance(v, (Tensor, ir.Node)) else ir.constant(np.array(v))
    if node.ndim != 0:
        raise ValueError(f"arange bounds must be scalars, got shape {node.shape}")
    return node


def tile(x, n):
    """x repeated n[i] times along axis i; an int or a short list tiles the last axes, and
    entries may be scalar tensors (such as K.shape(y)[1])."""
    node = to_node(x)
    reps = [n] if isinstance(n, (int, np.integer, Tensor, ir.Node)) else list(n)
    if len(reps) > node.ndim:
        raise ValueError(f"tile: {len(reps)} repetition counts for a tensor of shape "
                         f"{node.shape}")
    reps = [1] * (node.ndim - len(reps)) + reps
    if not any(isinstance(r, (Tensor, ir.Node)) for r in reps):
        return wrap(S.tile(node, reps=tuple(int(r) for r in reps)))
    return wrap(_tile_dynamic(node, reps))


def _tile_dynamic(node, reps):
    """Tile by broadcasting: (.., d, ..) -> (.., r, d, ..) -> (.., r * d, ..) per axis."""
    axes = range(node.ndim)
    expanded = node
    for axis in axes:
        expanded = S.expand_dims(expanded, axis=2 * axis)
    pairs = [d for axis in axes for d in (reps[axis], (node, axis))]
    hint = tuple(None if isinstance(d, (Tensor, ir.Node)) else
                 d[0].shape[d[1]] if isinstance(d, tuple) else int(d) for d in pairs)
    canvas = S.fill(dynamic_shape(pairs), value=0, dtype=node.dtype, hint=hint)
    spread = S.broadcast_like(expanded, canvas)
    sizes = [_times(reps[axis], node, axis) for axis in axes]
    out_hint = tuple(d if isinstance(d, int) else None for d in sizes)
    return S.reshape_to(spread, dynamic_shape(sizes), hint=out_hint)


def _times(rep, node, axis):
    """rep * node.shape[axis] as an int or a scalar int32 node."""
    size = node.shape[axis]
    if not isinstance(rep, (Tensor, ir.Node)) and size is not None:
        return int(rep) * size
    rep_node = E.cast(to_node(rep), dtype="int32") if isinstance(rep, (Tensor, ir.Node)) \
        else ir.constant(np.array(int(rep), np.int32))
    size_node = ir.constant(np.array(size, np.int32)) if size is not None \
        else S.reshape(S.take(S.shape_of(node), indices=(axis,)), shape=())
    return rep_node * size_node


def flatten(x):
    return wrap(S.reshape(to_node(x), shape=(-1,)))


def batch_flatten(x):
    """(batch, d1, d2, ...) -> (batch, d1 * d2 * ...)."""
    node = to_node(x)
    rest = node.shape[1:]
    if all(d is not None for d in rest):
        return wrap(S.reshape(node, shape=(-1, int(np.prod(rest)))))
    return reshape(x, [wrap(S.take(S.shape_of(node), indices=(0,))), -1])


def expand_dims(x, axis=-1):
    node = to_node(x)
    return wrap(S.expand_dims(node, axis=axis % (node.ndim + 1)))


def squeeze(x, axis):
    node = to_node(x)
    return wrap(S.squeeze(node, axis=axis % node.ndim))


def _pad(x, pads):
    return wrap(S.pad(to_node(x), pads=tuple(tuple(int(v) for v in p) for p in pads)))


def temporal_padding(x, padding=(1, 1)):
    return _pad(x, ((0, 0), tuple(padding), (0, 0)))


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    data_format = common.normalize_data_format(data_format)
    inner = tuple(tuple(p) for p in padding)
    if data_format == "channels_first":
        return _pad(x, ((0, 0), (0, 0)) + inner)
    return _pad(x, ((0, 0),) + inner + ((0, 0),))


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    data_format = common.normalize_data_format(data_format)
    inner = tuple(tuple(p) for p in padding)
    if data_format == "channels_first":
        return _pad(x, ((0, 0), (0, 0)) + inner)
    return _pad(x, ((0, 0),) + inner + ((0, 0),))


def stack(x, axis=0):
    nodes = [to_node(t) for t in x]
    axis = axis % (nodes[0].ndim + 1)
    return wrap(S.concatenate(*[S.expand_dims(n, axis=axis) for n in nodes], axis=axis))


def one_hot(indices, num_classes):
    """(..., ) int indices -> (..., num_classes) floatx."""
    node = to_node(indices)
    if not node.type.is_integer or node.dtype == "bool":
        node = E.cast(node, dtype="int32")
    classes = ir.constant(np.arange(num_classes, dtype=node.dtype))
    hits = E.equal(S.expand_dims(node, axis=node.ndim), classes)
    return wrap(E.cast(hits, dtype=common.floatx()))


def reverse(x, axes):
    node = to_node(x)
    axes = (axes,) if isinstance(axes, int) else tuple(axes)
    return wrap(S.reverse(node, axes=tuple(a % node.ndim for a in axes)))


def slice(x, start, size):
    """x[start[i] : start[i] + size[i]] on every axis; size -1 runs to the end (tf.slice).

    `start` and `size` are lists of ints or scalar tensors, or int vector tensors.
    """
    node = to_node(x)
    starts, sizes = _entries(start, node.ndim), _entries(size, node.ndim)
    key = []
    for b, s in zip(starts, sizes):
        whole = isinstance(s, (int, np.integer)) and int(s) == -1
        key.append(builtins.slice(b, None if whole else b + s))
    from .tensor import getitem
    return getitem(wrap(node), tuple(key))


def _entries(values, ndim):
    """One int or scalar tensor per axis, from a list or an int vector tensor."""
    if isinstance(values, (Tensor, ir.Node)):
        vector = to_node(values)
        if vector.shape != (ndim,):
            raise ValueError(f"slice: expected {ndim} start/size entries, got shape "
                             f"{vector.shape}")
        return [wrap(S.index(vector, items=(("int", i),))) for i in range(ndim)]
    values = list(values)
    if len(values) != ndim:
        raise ValueError(f"slice: expected {ndim} start/size entries, got {values}")
    return values


def gather(reference, indices):
    """reference[indices] along axis 0; indices are cast to int32."""
    idx = to_node(indices)
    if not idx.type.is_integer or idx.dtype == "bool":
        idx = E.cast(idx, dtype="int32")
    return wrap(S.gather(to_node(reference), idx))


def zeros(shape, dtype=None, name=None):
    """A variable of zeros; a shape holding tensors gives a tensor instead (Keras 2.2.4)."""
    return _filled(shape, 0, dtype, name)


def ones(shape, dtype=None, name=None):
    """A variable of ones; a shape holding tensors gives a tensor instead (Keras 2.2.4)."""
    return _filled(shape, 1, dtype, name)


def _filled(shape, value, dtype, name):
    dtype = dtype or common.floatx()
    dynamic = isinstance(shape, Tensor) or any(isinstance(d, (Tensor, ir.Node)) for d in shape)
    if not dynamic:
        return variable(np.full(tuple(int(d) for d in shape), value), dtype, name)
    shape_node, hint = _shape_input(shape)
    return wrap(S.fill(shape_node, value=value, dtype=dtype, hint=hint), name)


def eye(size, dtype=None, name=None):
    if isinstance(size, (tuple, list)):
        return variable(np.eye(*size), dtype or common.floatx(), name)
    return variable(np.eye(size), dtype or common.floatx(), name)


def _like(x, value, dtype):
    node = to_node(x)
    dtype = dtype or node.dtype
    return wrap(S.broadcast_like(ir.constant(np.array(value, dtype=dtype)), node))


def zeros_like(x, dtype=None, name=None):
    return _like(x, 0, dtype)


def ones_like(x, dtype=None, name=None):
    return _like(x, 1, dtype)


def _shape_input(shape):
    """A run-time shape vector and its static hint, from ints or a shape tensor."""
    if isinstance(shape, Tensor):
        n = shape.shape[0]
        return E.cast(shape.node, dtype="int32"), (None,) * n
    dims = list(shape)
    if any(isinstance(d, (Tensor, ir.Node)) for d in dims):
        hint = tuple(None if isinstance(d, (Tensor, ir.Node)) else int(d) for d in dims)
        return dynamic_shape(dims), hint
    return ir.constant(np.array(dims, dtype=np.int32)), tuple(int(d) for d in dims)


def _random(shape, distribution, a, b, dtype, seed):
    shape_node, hint = _shape_input(shape)
    if seed is None:
        seed = np.random.randint(10e6)
    return wrap(RND.random(shape_node, distribution=distribution, a=float(a), b=float(b),
                           dtype=dtype or common.floatx(), rng=ir.RngState(seed), hint=hint))


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return _random(shape, "uniform", minval, maxval, dtype, seed)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _random(shape, "normal", mean, stddev, dtype, seed)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _random(shape, "truncated_normal", mean, stddev, dtype, seed)


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    return _random(shape, "binomial", p, 0.0, dtype, seed)


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    rng = np.random.RandomState(seed)
    return variable(rng.uniform(low, high, shape), dtype or common.floatx(), name)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    rng = np.random.RandomState(seed)
    return variable(rng.normal(mean, scale, shape), dtype or common.floatx(), name)


def size(x):
    """The number of elements of x, as an int32 scalar tensor."""
    from ..ir.ops import reduction as R
    return wrap(R.prod(to_node(shape(x)), axes=(0,), keepdims=False))
