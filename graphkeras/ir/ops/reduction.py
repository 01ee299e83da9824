"""Reductions over axes (sum, mean, max, min, prod, any, all), arg-reductions and scans.

Every reduction takes `axes` (a sorted tuple of non-negative axes) and `keepdims`.
"""
import numpy as np

from ..registry import define_op, float_dtype, not_differentiable, same_dtype
from ..types import TensorType


def normalize_axes(axes, ndim):
    """Sorted non-negative axes; None means all of them."""
    if axes is None:
        return tuple(range(ndim))
    if isinstance(axes, (int, np.integer)):
        axes = (axes,)
    out = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"axis {a} is out of range for a tensor of rank {ndim}")
        out.append(a % ndim if ndim else 0)
    return tuple(sorted(set(out)))


def reduced_shape(shape, axes, keepdims):
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _check_axes(x, axes):
    for a in axes:
        if not 0 <= a < max(x.ndim, 1):
            raise ValueError(f"axis {a} is out of range for rank {x.ndim}")


def _reduce_infer(dtype_rule):
    def infer(x, *, axes, keepdims):
        _check_axes(x, axes)
        return TensorType(dtype_rule(x), reduced_shape(x.shape, axes, keepdims))
    return infer


def keep_reduced_dims(g, x, axes, keepdims):
    """Re-insert the reduced axes of `g` as size 1, so it broadcasts against `x`."""
    from .shape import expand_dims
    if keepdims or x.ndim == 0:
        return g
    for a in axes:
        g = expand_dims(g, axis=a)
    return g


def count_along(x, axes):
    """The number of elements a reduction over `axes` combines: a constant when it is static."""
    from ..registry import constant
    from .elementwise import cast
    from .shape import shape_of, take
    dims = [x.shape[a] for a in axes]
    if all(d is not None for d in dims):
        return constant(int(np.prod(dims)), x.dtype if x.type.is_float else "float32")
    sizes = cast(take(shape_of(x), indices=tuple(axes)), dtype=x.dtype)
    return prod(sizes, axes=(0,), keepdims=False)


def _sum_vjp(g, z, x):
    from .shape import broadcast_like
    return [broadcast_like(keep_reduced_dims(g, x, z.attrs["axes"], z.attrs["keepdims"]), x)]


def _mean_vjp(g, z, x):
    from .shape import broadcast_like
    g = keep_reduced_dims(g, x, z.attrs["axes"], z.attrs["keepdims"])
    return [broadcast_like(g / count_along(x, z.attrs["axes"]), x)]


def _extremum_vjp(g, z, x):
    """TensorFlow's rule: ties share the gradient equally."""
    from .elementwise import cast, equal
    axes, keepdims = z.attrs["axes"], z.attrs["keepdims"]
    hits = cast(equal(x, keep_reduced_dims(z, x, axes, keepdims)), dtype=x.dtype)
    share = sum_(hits, axes=axes, keepdims=True)
    return [hits / share * keep_reduced_dims(g, x, axes, keepdims)]


def _prod_vjp(g, z, x):
    axes, keepdims = z.attrs["axes"], z.attrs["keepdims"]
    whole = keep_reduced_dims(z, x, axes, keepdims)
    return [keep_reduced_dims(g, x, axes, keepdims) * whole / x]


def _reducer(name, reference, vjp, dtype_rule=same_dtype, doc=""):
    def ref(x, *, axes, keepdims):
        return reference(x, axis=axes, keepdims=keepdims)
    return define_op(name, infer=_reduce_infer(lambda x: dtype_rule(x)), reference=ref,
                     vjp=vjp, kernel="reduce", doc=doc)


sum_ = _reducer("sum", np.sum, _sum_vjp)
mean = _reducer("mean", np.mean, _mean_vjp, dtype_rule=float_dtype,
                doc="A primitive, not sum/count: the count is unknown until run time.")
max_ = _reducer("max", np.max, _extremum_vjp)
min_ = _reducer("min", np.min, _extremum_vjp)
prod = _reducer("prod", np.prod, _prod_vjp)
any_ = _reducer("any", np.any, not_differentiable("returns booleans"),
                dtype_rule=lambda x: "bool")
all_ = _reducer("all", np.all, not_differentiable("returns booleans"),
                dtype_rule=lambda x: "bool")


def _arg_infer(x, *, axis, keepdims=False):
    _check_axes(x, (axis,))
    return TensorType("int64", reduced_shape(x.shape, (axis,), keepdims))


argmax = define_op("argmax", infer=_arg_infer,
                   reference=lambda x, *, axis, keepdims=False: np.argmax(x, axis=axis),
                   vjp=not_differentiable("argmax returns indices"), kernel="reduce")
argmin = define_op("argmin", infer=_arg_infer,
                   reference=lambda x, *, axis, keepdims=False: np.argmin(x, axis=axis),
                   vjp=not_differentiable("argmin returns indices"), kernel="reduce")


def _cum_infer(x, *, axis):
    _check_axes(x, (axis,))
    return x


def _cumsum_vjp(g, z, x):
    from .shape import reverse
    axis = z.attrs["axis"]
    return [reverse(cumsum(reverse(g, axes=(axis,)), axis=axis), axes=(axis,))]


def _cumprod_vjp(g, z, x):
    from .shape import reverse
    axis = z.attrs["axis"]
    return [reverse(cumsum(reverse(g * z, axes=(axis,)), axis=axis), axes=(axis,)) / x]


cumsum = define_op("cumsum", infer=_cum_infer,
                   reference=lambda x, *, axis: np.cumsum(x, axis=axis).astype(x.dtype),
                   vjp=_cumsum_vjp, kernel="scan_axis")
cumprod = define_op("cumprod", infer=_cum_infer,
                    reference=lambda x, *, axis: np.cumprod(x, axis=axis).astype(x.dtype),
                    vjp=_cumprod_vjp, kernel="scan_axis",
                    doc="Gradient divides by x: exact for nonzero inputs.")
