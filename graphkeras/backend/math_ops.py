"""Elementwise math, comparisons, reductions and products over backend tensors."""
import numpy as np

from ..ir.ops import elementwise as E
from ..ir.ops import linalg as LA
from ..ir.ops import reduction as R
from ..ir.ops import shape as S
from . import common
from .tensor import to_node, wrap


def _unary(op):
    def apply(x):
        return wrap(op(to_node(x)))
    apply.__name__ = op.name
    apply.__doc__ = f"Elementwise {op.name}."
    return apply


abs = _unary(E.abs_)
exp = _unary(E.exp)
log = _unary(E.log)
round = _unary(E.round_)
sign = _unary(E.sign)
sin = _unary(E.sin)
cos = _unary(E.cos)
tanh = _unary(E.tanh)
identity = _unary(E.identity)
erf = _unary(E.erf)


def square(x):
    node = to_node(x)
    return wrap(node * node)


def sqrt(x):
    """Square root; negative inputs are clipped to 0 first, as Keras 2's TF backend does."""
    node = to_node(x)
    return wrap(E.sqrt(E.maximum(node, 0)))


def pow(x, a):
    return wrap(E.pow_(to_node(x), a if isinstance(a, (int, float)) else to_node(a)))


def clip(x, min_value, max_value):
    """Clip to [min_value, max_value]; a max below the min is raised to it (Keras 2)."""
    if max_value is not None and min_value is not None and max_value < min_value:
        max_value = min_value
    node = to_node(x)
    if min_value is not None:
        node = E.maximum(node, min_value)
    if max_value is not None:
        node = E.minimum(node, max_value)
    return wrap(node)


def _binary(op):
    def apply(x, y):
        from .tensor import _binary as binary
        return binary(op, x if not isinstance(x, np.ndarray) else to_node(x),
                      y if not isinstance(y, np.ndarray) else to_node(y))
    apply.__name__ = op.name
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
    """Keras 2.2 `batch_dot`: per-sample dot products over `axes` of x and y."""
    a, b = to_node(x), to_node(y)
    if isinstance(axes, int):
        axes = (axes, axes)
    if axes is None:
        axes = (a.ndim - 1, b.ndim - 2 if b.ndim > 2 else b.ndim - 1)
    ax, ay = axes[0] % a.ndim, axes[1] % b.ndim
    if ax == 0 or ay == 0:
        raise ValueError("batch_dot cannot contract the batch axis 0")
    xa = S.transpose(a, perm=tuple(i for i in range(a.ndim) if i != ax) + (ax,))
    yb = S.transpose(b, perm=(0, ay) + tuple(i for i in range(1, b.ndim) if i != ay))
    x_rest, y_rest = xa.shape[1:-1], yb.shape[2:]
    k = a.shape[ax] if a.shape[ax] is not None else b.shape[ay]
    x3 = S.reshape(xa, shape=(-1, int(np.prod(x_rest)) if x_rest else 1, k))
    y3 = S.reshape(yb, shape=(-1, k, int(np.prod(y_rest)) if y_rest else 1))
    out = LA.matmul(x3, y3)
    target = (-1,) + tuple(x_rest) + tuple(y_rest)
    if len(target) == 1:
        target = (-1, 1)
    return wrap(S.reshape(out, shape=target))


def transpose(x):
    node = to_node(x)
    return wrap(S.transpose(node, perm=tuple(reversed(range(node.ndim)))))
