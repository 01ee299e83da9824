"""Elementwise math, comparisons, reductions and products over backend tensors."""
import builtins

import numpy as np

from ..ir.ops import elementwise as E
from ..ir.ops import linalg as LA
from ..ir.ops import reduction as R
from ..ir.ops import shape as S
from . import common
from .tensor import Tensor, to_node, wrap


def _unary(op, to_floatx=False):
    def apply(x):
        node = to_node(x)
        if to_floatx and not node.type.is_float:
            # Integer inputs compute in floatx (float64 mode included), not float32.
            node = E.cast(node, dtype=common.floatx())
        return wrap(op(node))
    apply.__name__ = op.name
    apply.__doc__ = f"Elementwise {op.name}."
    return apply


abs = _unary(E.abs_)
exp = _unary(E.exp, to_floatx=True)
log = _unary(E.log, to_floatx=True)
round = _unary(E.round_)
sign = _unary(E.sign)
sin = _unary(E.sin, to_floatx=True)
cos = _unary(E.cos, to_floatx=True)
tanh = _unary(E.tanh, to_floatx=True)
erf = _unary(E.erf, to_floatx=True)


def identity(x, name=None):
    """A copy of x (a new tensor with the same value)."""
    return wrap(E.identity(to_node(x)), name)


def square(x):
    node = to_node(x)
    return wrap(node * node)


def sqrt(x):
    """Square root; negative inputs are clipped to 0 first, as Keras 2's TF backend does."""
    node = to_node(x)
    if not node.type.is_float:
        node = E.cast(node, dtype=common.floatx())
    return wrap(E.sqrt(E.maximum(node, 0)))


def pow(x, a):
    """x ** a elementwise; a float exponent of an integer tensor computes in floatx."""
    from .tensor import _binary as binary
    return binary(E.pow_, x if isinstance(x, Tensor) else wrap(to_node(x)), a)


def clip(x, min_value, max_value):
    """Clip to [min_value, max_value]; None leaves that side open, a max below the min is
    raised to it (Keras 2.2.4), and bounds may be tensors (then no such check)."""
    static = not isinstance(min_value, Tensor) and not isinstance(max_value, Tensor)
    if static and max_value is not None and min_value is not None and max_value < min_value:
        max_value = min_value
    node = to_node(x)
    if min_value is not None:
        node = E.maximum(node, _bound(min_value, node))
    if max_value is not None:
        node = E.minimum(node, _bound(max_value, node))
    return wrap(node)


def _bound(value, node):
    """A clip bound in x's dtype (Python numbers stay weakly typed)."""
    if isinstance(value, (int, float, np.generic)):
        return value
    bound = to_node(value)
    return bound if bound.dtype == node.dtype else E.cast(bound, dtype=node.dtype)


def _binary(op):
    def apply(x, y):
        from .tensor import _binary as binary
        if not isinstance(x, Tensor) and not isinstance(y, Tensor):
            x = wrap(to_node(x))
        return binary(op, x, y)
    apply.__name__ = op.name
    apply.__doc__ = f"Elementwise {op.name} of x and y (numbers and arrays on either side)."
    return apply


equal = _binary(E.equal)
not_equal = _binary(E.not_equal)
greater = _binary(E.greater)
greater_equal = _binary(E.greater_equal)
less = _binary(E.less)
less_equal = _binary(E.less_equal)
maximum = _binary(E.maximum)
minimum = _binary(E.minimum)


def cast(x, dtype):
    node = to_node(x)
    if node.dtype == np.dtype(dtype).name:
        return x if hasattr(x, "node") else wrap(node)
    return wrap(E.cast(node, dtype=np.dtype(dtype).name))


def _axes(x, axis):
    return R.normalize_axes(axis, x.ndim)


def _reduction(op, to_float=False, to_bool=False):
    def apply(x, axis=None, keepdims=False):
        node = to_node(x)
        if to_bool and node.dtype != "bool":
            node = E.cast(node, dtype="bool")
        return wrap(op(node, axes=_axes(node, axis), keepdims=bool(keepdims)))
    apply.__name__ = op.name
    apply.__doc__ = f"{op.name} over `axis` (all axes when None)."
    return apply


max = _reduction(R.max_)
min = _reduction(R.min_)
sum = _reduction(R.sum_)
prod = _reduction(R.prod)
any = _reduction(R.any_, to_bool=True)
all = _reduction(R.all_, to_bool=True)


def mean(x, axis=None, keepdims=False):
    """Mean over `axis`; integer tensors are averaged in floatx."""
    node = to_node(x)
    if not node.type.is_float:
        node = E.cast(node, dtype=common.floatx())
    return wrap(R.mean(node, axes=_axes(node, axis), keepdims=bool(keepdims)))


def var(x, axis=None, keepdims=False):
    """Biased variance (divides by N), as Keras 2."""
    node = to_node(x)
    if not node.type.is_float:
        node = E.cast(node, dtype=common.floatx())
    axes = _axes(node, axis)
    centered = node - R.mean(node, axes=axes, keepdims=True)
    return wrap(R.mean(centered * centered, axes=axes, keepdims=bool(keepdims)))


def std(x, axis=None, keepdims=False):
    return sqrt(var(x, axis, keepdims))


def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) computed as m + log(sum(exp(x - m))) with m the max: no overflow."""
    node = to_node(x)
    if not node.type.is_float:
        node = E.cast(node, dtype=common.floatx())
    axes = _axes(node, axis)
    peak = E.stop_gradient(R.max_(node, axes=axes, keepdims=True))
    total = E.log(R.sum_(E.exp(node - peak), axes=axes, keepdims=bool(keepdims)))
    return wrap(total + E.stop_gradient(R.max_(node, axes=axes, keepdims=bool(keepdims))))


def sum_none(shape):
    return len([d for d in shape if d is None])


def argmax(x, axis=-1):
    node = to_node(x)
    return wrap(R.argmax(node, axis=_axes(node, axis)[0]))


def argmin(x, axis=-1):
    node = to_node(x)
    return wrap(R.argmin(node, axis=_axes(node, axis)[0]))


def cumsum(x, axis=0):
    node = to_node(x)
    return wrap(R.cumsum(node, axis=_axes(node, axis)[0]))


def cumprod(x, axis=0):
    node = to_node(x)
    return wrap(R.cumprod(node, axis=_axes(node, axis)[0]))


def dot(x, y):
    """Keras 2 `dot`: contracts x's last axis with y's second-to-last (y's only, if 1-D)."""
    a, b = to_node(x), to_node(y)
    if a.ndim == 0 or b.ndim == 0:
        return wrap(a * b)
    k_x, k_y = a.shape[-1], b.shape[-2 if b.ndim > 1 else 0]
    # 2-D products leave the check to matmul; N-D ones reshape first, so check the originals.
    if builtins.max(a.ndim, b.ndim) > 2 and None not in (k_x, k_y) and k_x != k_y:
        raise ValueError(f"dot: the last axis of x {a.shape} (size {k_x}) must match the "
                         f"second-to-last axis of y {b.shape} (size {k_y})")
    if a.ndim == 1 and b.ndim == 1:
        return wrap(R.sum_(a * b, axes=(0,), keepdims=False))
    if b.ndim == 1:
        return wrap(_dot_nd(a, S.expand_dims(b, axis=1), squeeze_last=True))
    if a.ndim == 1:
        return wrap(_dot_nd(S.expand_dims(a, axis=0), b, squeeze_first=True))
    if a.ndim == 2 and b.ndim == 2:
        return wrap(LA.matmul(a, b))
    return wrap(_dot_nd(a, b))


def _flatten_y(b):
    """y (..., k, n) as a (k, rest) matrix, y's axis -2 first; and the output's trailing shape."""
    perm = (b.ndim - 2,) + tuple(range(b.ndim - 2)) + (b.ndim - 1,)
    moved = S.transpose(b, perm=perm) if b.ndim > 2 else b
    k = b.shape[-2]
    return S.reshape(moved, shape=(k if k is not None else -1, -1)), \
        b.shape[:-2] + b.shape[-1:]


def _dot_nd(a, b, squeeze_last=False, squeeze_first=False):
    k = a.shape[-1]
    rows = S.reshape(a, shape=(-1, k if k is not None else b.shape[-2]))
    matrix, tail = _flatten_y(b)
    out = LA.matmul(rows, matrix)
    lead = a.shape[:-1]
    target = lead + tail
    if sum_none(target) <= 1:
        out = S.reshape(out, shape=tuple(-1 if d is None else d for d in target))
    else:
        from .array_ops import dynamic_shape
        out = S.reshape_to(out, dynamic_shape([(a, i) for i in range(a.ndim - 1)] + list(tail)),
                           hint=target)
    if squeeze_last:
        out = S.squeeze(out, axis=-1)
    if squeeze_first:
        out = S.squeeze(out, axis=0)
    return out


def batch_dot(x, y, axes=None):
    """Batchwise dot product: per sample, contract axis `axes[0]` of x with `axes[1]` of y.

    The result's shape is x's shape without the contracted axis, then y's shape without the
    batch axis and the contracted one; a 1-D result becomes `(batch, 1)` (Keras 2.2.4).
    `axes` is an int (the same axis of both), a pair, or None: x's last axis with y's
    second-to-last, or y's last when y is 2-D (Keras 2.2.4's TensorFlow code contracted the
    batch axis there; Keras 2.3 and this backend contract the feature axis).
    """
    a, b = to_node(x), to_node(y)
    if a.ndim < 2 or b.ndim < 2:
        raise ValueError(f"batch_dot needs inputs of rank >= 2, got shapes {a.shape} and "
                         f"{b.shape}")
    ax, ay = _batch_dot_axes(a, b, axes)
    k_x, k_y = a.shape[ax], b.shape[ay]
    if k_x is not None and k_y is not None and k_x != k_y:
        raise ValueError(f"batch_dot: axis {ax} of x {a.shape} (size {k_x}) and axis {ay} of "
                         f"y {b.shape} (size {k_y}) must have the same size")
    if None not in (a.shape[0], b.shape[0]) and a.shape[0] != b.shape[0]:
        raise ValueError(f"batch_dot: batch sizes differ, x {a.shape} and y {b.shape}")
    xa = _move_axes(a, tuple(i for i in range(a.ndim) if i != ax) + (ax,))
    yb = _move_axes(b, (0, ay) + tuple(i for i in range(1, b.ndim) if i != ay))
    x_rest, y_rest = xa.shape[1:-1], yb.shape[2:]
    out = LA.matmul(_as_3d(xa, x_rest, last=True), _as_3d(yb, y_rest, last=False))
    dims = [(a, 0)] + [(xa, 1 + i) for i in range(len(x_rest))] \
        + [(yb, 2 + i) for i in range(len(y_rest))]
    if len(dims) == 1:
        dims.append(1)
    return wrap(_reshape_dims(out, dims))


def _batch_dot_axes(a, b, axes):
    """The contracted axes of x and y, as non-negative ints; the batch axis is refused."""
    if axes is None:
        axes = (a.ndim - 1, b.ndim - 1 if b.ndim == 2 else b.ndim - 2)
    elif isinstance(axes, (int, np.integer)):
        axes = (int(axes), int(axes))
    axes = tuple(axes)
    if len(axes) != 2 or not builtins.all(isinstance(v, (int, np.integer)) for v in axes):
        raise ValueError("batch_dot: multiple target dimensions are not supported; expected "
                         f"None, int or (int, int), got axes={axes}")
    for v, node, name in zip(axes, (a, b), ("x", "y")):
        if not -node.ndim <= v < node.ndim:
            raise ValueError(f"batch_dot: axis {v} is out of range for {name} of shape "
                             f"{node.shape}")
    ax, ay = axes[0] % a.ndim, axes[1] % b.ndim
    if ax == 0 or ay == 0:
        raise ValueError(f"batch_dot cannot contract the batch axis 0 (axes={axes}, shapes "
                         f"{a.shape} and {b.shape})")
    return ax, ay


def _move_axes(node, perm):
    return node if perm == tuple(range(node.ndim)) else S.transpose(node, perm=perm)


def _as_3d(node, rest, last):
    """(batch, *rest, k) -> (batch, prod(rest), k) when `last`, else (batch, k, *rest) ->
    (batch, k, prod(rest))."""
    if len(rest) == 1:
        return node
    first = 1 if last else 2
    size = _product([(node, first + i) for i in range(len(rest))])
    k_dim = (node, node.ndim - 1 if last else 1)
    dims = [(node, 0), size, k_dim] if last else [(node, 0), k_dim, size]
    return _reshape_dims(node, dims)


def _product(dims):
    """The product of (node, axis) sizes: an int when all are static, else a scalar node."""
    sizes = [node.shape[axis] for node, axis in dims]
    if builtins.all(d is not None for d in sizes):
        return int(np.prod(sizes))
    from .array_ops import dynamic_shape
    return R.prod(dynamic_shape(dims), axes=(0,), keepdims=False)


def _reshape_dims(node, dims):
    """Reshape to dims: ints, scalar nodes, or (node, axis) sizes; static when it can be."""
    static = []
    for d in dims:
        if isinstance(d, tuple):
            static.append(d[0].shape[d[1]])
        elif isinstance(d, (int, np.integer)):
            static.append(int(d))
        else:
            static.append(None)
    if sum_none(static) <= 1:
        return S.reshape(node, shape=tuple(-1 if d is None else d for d in static))
    from .array_ops import dynamic_shape
    return S.reshape_to(node, dynamic_shape(dims), hint=tuple(static))


def transpose(x):
    node = to_node(x)
    return wrap(S.transpose(node, perm=tuple(reversed(range(node.ndim)))))
