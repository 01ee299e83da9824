"""Shapes and data movement: shape, reshape, concatenation, padding, tiling, creation, random."""
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
    dims = list(shape)
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
    """Nearest-neighbour upsampling by whole factors (Keras 2's UpSampling2D)."""
    if interpolation != "nearest":
        raise ValueError(f"resize_images supports interpolation='nearest', got {interpolation!r}")
    axes = (2, 3) if data_format == "channels_first" else (1, 2)
    out = repeat_elements(x, height_factor, axes[0])
    return repeat_elements(out, width_factor, axes[1])


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
    if stop is None:
        start, stop = 0, start
    return wrap(ir.constant(np.arange(start, stop, step, dtype=dtype)))


def tile(x, n):
    node = to_node(x)
    reps = (int(n),) if isinstance(n, (int, np.integer)) else tuple(int(r) for r in n)
    if len(reps) < node.ndim:
        reps = (1,) * (node.ndim - len(reps)) + reps
    return wrap(S.tile(node, reps=reps))


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
    classes = ir.constant(np.arange(num_classes, dtype=node.dtype))
    hits = E.equal(S.expand_dims(node, axis=node.ndim), classes)
    return wrap(E.cast(hits, dtype=common.floatx()))


def reverse(x, axes):
    node = to_node(x)
    axes = (axes,) if isinstance(axes, int) else tuple(axes)
    return wrap(S.reverse(node, axes=tuple(a % node.ndim for a in axes)))


def slice(x, start, size):
    """x[start[i] : start[i] + size[i]] on every axis; size -1 runs to the end (tf.slice)."""
    items = tuple(("slice", int(b), None if int(s) == -1 else int(b) + int(s), 1)
                  for b, s in zip(start, size))
    return wrap(S.index(to_node(x), items=items))


def gather(reference, indices):
    """reference[indices] along axis 0; indices are cast to int32."""
    idx = to_node(indices)
    if not idx.type.is_integer or idx.dtype == "bool":
        idx = E.cast(idx, dtype="int32")
    return wrap(S.gather(to_node(reference), idx))


def zeros(shape, dtype=None, name=None):
    return variable(np.zeros(shape), dtype or common.floatx(), name)


def ones(shape, dtype=None, name=None):
    return variable(np.ones(shape), dtype or common.floatx(), name)


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
