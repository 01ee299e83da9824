"""Convolution and pooling: N-d (1 to 3 spatial axes), channels_last, with their gradient ops.

These are primitives because no composition of the other ops reaches a GEMM-shaped kernel.
Layout: inputs are (batch, *spatial, channels); a filter is (*window, channels // groups,
filters). Shared attributes:

- `strides`, `dilation`: one int per spatial axis.
- `pads`: one (before, after) pair per spatial axis, or "same" (TensorFlow's rule, resolved
  from the run-time input size: the output has ceil(size / stride) positions and the odd pad
  goes after).
- `groups`: feature groups; filter f reads input channels of group f // (filters // groups).
  groups == channels with channels // groups == 1 is a depthwise convolution.

Every gradient op is itself differentiable in IR, so second derivatives work: convolution is
bilinear, and its two gradients are the other two ways of contracting the same three tensors.
"""
import numpy as np

from ..registry import define_op
from ..types import TensorType, result_dtype


# Geometry shared by the shape rules, the references and the kernels.

def output_size(size, window, stride, dilation, pad):
    """Output positions along one axis; None when the input size is unknown."""
    if size is None:
        return None
    if pad == "same":
        return -(-size // stride)
    span = dilation * (window - 1) + 1
    padded = size + pad[0] + pad[1]
    if padded < span:
        raise ValueError(f"a window spanning {span} does not fit in an input of size {size} "
                         f"padded by {pad}")
    return (padded - span) // stride + 1


def resolve_pads(pads, sizes, window, strides, dilation):
    """Explicit (before, after) pairs for concrete input sizes ("same" as TensorFlow does)."""
    if pads != "same":
        return tuple(tuple(p) for p in pads)
    out = []
    for size, k, s, d in zip(sizes, window, strides, dilation):
        span = d * (k - 1) + 1
        total = max((-(-size // s) - 1) * s + span - size, 0)
        out.append((total // 2, total - total // 2))
    return tuple(out)


def output_spatial(sizes, window, strides, dilation, pads):
    per_axis = ["same"] * len(sizes) if pads == "same" else pads
    return tuple(output_size(n, k, s, d, p)
                 for n, k, s, d, p in zip(sizes, window, strides, dilation, per_axis))


def window_views(out_spatial, window, strides, dilation):
    """(flat, offset, index) per window offset, in row-major order: x_padded[index][n, o.., c]
    is the element at o * stride + offset * dilation, for every output position o at once."""
    for flat, offset in enumerate(np.ndindex(*window)):
        index = tuple(slice(k * d, k * d + s * (o - 1) + 1, s)
                      for k, d, s, o in zip(offset, dilation, strides, out_spatial))
        yield flat, offset, (slice(None),) + index + (slice(None),)


def pad_spatial(x, pads, value=0):
    return np.pad(x, ((0, 0),) + tuple(pads) + ((0, 0),), constant_values=value)


def crop_spatial(x, pads, sizes):
    index = tuple(slice(b, b + n) for (b, _), n in zip(pads, sizes))
    return x[(slice(None),) + index + (slice(None),)]


def _check_geometry(op, rank, strides, dilation, pads, window):
    spatial = rank - 2
    if not 1 <= spatial <= 3:
        raise ValueError(f"{op} needs 1 to 3 spatial axes (rank 3 to 5), got rank {rank}")
    for name, value in (("strides", strides), ("dilation", dilation), ("window", window)):
        if len(value) != spatial or any(int(v) < 1 for v in value):
            raise ValueError(f"{op} needs {spatial} positive {name}, got {value}")
    if pads != "same" and (len(pads) != spatial or any(len(p) != 2 or min(p) < 0 for p in pads)):
        raise ValueError(f"{op} needs 'same' or {spatial} (before, after) pads >= 0, got {pads}")


def _float_dtype(op, *types):
    dtype = result_dtype(*[t.dtype for t in types])
    if np.dtype(dtype).kind != "f":
        raise TypeError(f"{op} needs float inputs, got {[t.dtype for t in types]}")
    return dtype


def _check_channels(op, channels, w, groups):
    filters = w.shape[-1]
    if groups < 1 or (filters is not None and filters % groups):
        raise ValueError(f"{op}: {filters} filters cannot be split into {groups} groups")
    per_group = w.shape[-2]
    if channels is not None and per_group is not None and channels != per_group * groups:
        raise ValueError(f"{op}: input has {channels} channels but the filter {w.shape} with "
                         f"{groups} group(s) expects {per_group * groups}")


def conv_attrs(node):
    """The geometry attributes every convolution op shares, taken from `node`."""
    return {k: node.attrs[k] for k in ("strides", "dilation", "pads", "groups")}


# Grouped contraction of one window offset, shared by the three convolution references.

def _grouped(a, groups):
    """(..., groups * k) -> (groups, M, k), M the product of the leading axes."""
    return np.moveaxis(a.reshape(-1, groups, a.shape[-1] // groups), 1, 0)


def _ungrouped(a, lead_shape):
    """(groups, M, k) -> (*lead_shape, groups * k)."""
    return np.moveaxis(a, 0, 1).reshape(lead_shape + (-1,))


def _filter_by_group(w_offset, groups):
    """A (channels // groups, filters) slice of the filter as (groups, channels // groups, k)."""
    per_group = w_offset.shape[1] // groups
    return np.moveaxis(w_offset.reshape(w_offset.shape[0], groups, per_group), 1, 0)


# conv

def _conv_infer(x, w, *, strides, dilation, pads, groups):
    _check_geometry("conv", x.ndim, strides, dilation, pads, w.shape[:-2])
    if w.ndim != x.ndim or any(k is None for k in w.shape):
        raise ValueError(f"conv needs a static filter of rank {x.ndim}, got shape {w.shape}")
    _check_channels("conv", x.shape[-1], w, groups)
    spatial = output_spatial(x.shape[1:-1], w.shape[:-2], strides, dilation, pads)
    return TensorType(_float_dtype("conv", x, w), (x.shape[0],) + spatial + (w.shape[-1],))


def conv_reference(x, w, *, strides, dilation, pads, groups):
    window = w.shape[:-2]
    pads = resolve_pads(pads, x.shape[1:-1], window, strides, dilation)
    xp = pad_spatial(x, pads)
    out_spatial = output_spatial(x.shape[1:-1], window, strides, dilation, pads)
    lead = (x.shape[0],) + out_spatial
    out = np.zeros(lead + (w.shape[-1],), dtype=np.result_type(x, w))
    for _, offset, index in window_views(out_spatial, window, strides, dilation):
        patch = _grouped(xp[index], groups)
        out += _ungrouped(patch @ _filter_by_group(w[offset], groups), lead)
    return out


def _conv_vjp(g, y, x, w):
    attrs = conv_attrs(y)
    spatial = x.shape[1:-1]
    like = () if all(n is not None for n in spatial) else (x,)
    return [conv_input_grad(g, w, *like, input_spatial=spatial, **attrs),
            conv_filter_grad(x, g, window=w.shape[:-2], **attrs)]


conv = define_op(
    "conv", infer=_conv_infer, reference=conv_reference, vjp=_conv_vjp, kernel="conv",
    doc="Cross-correlation of x (N, *spatial, C) with w (*window, C // groups, F), as "
        "tf.nn.convolution. A primitive: it lowers to im2col + GEMM or a direct loop.")


# conv_input_grad (also conv_transpose)

def _input_grad_infer(g, w, *like, input_spatial, strides, dilation, pads, groups):
    _check_geometry("conv_input_grad", g.ndim, strides, dilation, pads, w.shape[:-2])
    if w.ndim != g.ndim or any(k is None for k in w.shape):
        raise ValueError(f"conv_input_grad needs a static filter of rank {g.ndim}, "
                         f"got shape {w.shape}")
    if g.shape[-1] is not None and g.shape[-1] != w.shape[-1]:
        raise ValueError(f"conv_input_grad: gradient has {g.shape[-1]} channels, the filter "
                         f"{w.shape} has {w.shape[-1]} filters")
    _check_channels("conv_input_grad", None, w, groups)
    if len(input_spatial) != g.ndim - 2:
        raise ValueError(f"conv_input_grad needs {g.ndim - 2} input sizes, got {input_spatial}")
    if like:
        input_spatial = tuple(a if a is not None else b
                              for a, b in zip(input_spatial, like[0].shape[1:-1]))
    expected = output_spatial(input_spatial, w.shape[:-2], strides, dilation, pads)
    for got, want in zip(g.shape[1:-1], expected):
        if got is not None and want is not None and got != want:
            raise ValueError(f"conv_input_grad: an input of spatial shape {input_spatial} gives "
                             f"outputs of {expected}, but the gradient has {g.shape[1:-1]}")
    channels = w.shape[-2] * groups
    return TensorType(_float_dtype("conv_input_grad", g, w),
                      (g.shape[0],) + tuple(input_spatial) + (channels,))


def input_grad_reference(g, w, *like, input_spatial, strides, dilation, pads, groups):
    sizes = like[0].shape[1:-1] if like else input_spatial
    window = w.shape[:-2]
    pads = resolve_pads(pads, sizes, window, strides, dilation)
    padded = tuple(n + b + a for n, (b, a) in zip(sizes, pads))
    channels = w.shape[-2] * groups
    dxp = np.zeros((g.shape[0],) + padded + (channels,), dtype=np.result_type(g, w))
    out_spatial = g.shape[1:-1]
    for _, offset, index in window_views(out_spatial, window, strides, dilation):
        w_t = np.swapaxes(_filter_by_group(w[offset], groups), 1, 2)
        dxp[index] += _ungrouped(_grouped(g, groups) @ w_t, g.shape[:-1])
    return np.ascontiguousarray(crop_spatial(dxp, pads, sizes))


def _input_grad_vjp(gg, z, g, w, *like):
    attrs = conv_attrs(z)
    return [conv(gg, w, **attrs), conv_filter_grad(gg, g, window=w.shape[:-2], **attrs)] + \
        [None] * len(like)


conv_input_grad = define_op(
    "conv_input_grad", infer=_input_grad_infer, reference=input_grad_reference,
    vjp=_input_grad_vjp, kernel="conv_input_grad",
    doc="Gradient of conv with respect to its input, given the output gradient g and the "
        "filter; also the transposed convolution (w is (*window, out channels // groups, in "
        "channels)). `input_spatial` gives the result's spatial shape; an optional third "
        "input supplies it at run time when it is not static (its values are not read).")


# conv_filter_grad

def _filter_grad_infer(x, g, *, window, strides, dilation, pads, groups):
    _check_geometry("conv_filter_grad", x.ndim, strides, dilation, pads, window)
    if g.ndim != x.ndim:
        raise ValueError(f"conv_filter_grad: input rank {x.ndim} and gradient rank {g.ndim} differ")
    channels, filters = x.shape[-1], g.shape[-1]
    if channels is None or filters is None:
        raise ValueError(f"conv_filter_grad needs static channels, got {x.shape} and {g.shape}")
    if channels % groups or filters % groups:
        raise ValueError(f"conv_filter_grad: {channels} channels and {filters} filters cannot "
                         f"be split into {groups} groups")
    expected = output_spatial(x.shape[1:-1], window, strides, dilation, pads)
    for got, want in zip(g.shape[1:-1], expected):
        if got is not None and want is not None and got != want:
            raise ValueError(f"conv_filter_grad: input {x.shape} gives outputs of spatial shape "
                             f"{expected}, but the gradient has {g.shape[1:-1]}")
    return TensorType(_float_dtype("conv_filter_grad", x, g),
                      tuple(window) + (channels // groups, filters))


def filter_grad_reference(x, g, *, window, strides, dilation, pads, groups):
    pads = resolve_pads(pads, x.shape[1:-1], window, strides, dilation)
    xp = pad_spatial(x, pads)
    dw = np.zeros(tuple(window) + (x.shape[-1] // groups, g.shape[-1]),
                  dtype=np.result_type(x, g))
    g_grouped = _grouped(g, groups)
    for _, offset, index in window_views(g.shape[1:-1], window, strides, dilation):
        per_group = np.swapaxes(_grouped(xp[index], groups), 1, 2) @ g_grouped
        dw[offset] = np.moveaxis(per_group, 0, 1).reshape(dw.shape[-2:])
    return dw


def _filter_grad_vjp(gw, z, x, g):
    attrs = conv_attrs(z)
    spatial = x.shape[1:-1]
    like = () if all(n is not None for n in spatial) else (x,)
    return [conv_input_grad(g, gw, *like, input_spatial=spatial, **attrs),
            conv(x, gw, **attrs)]


conv_filter_grad = define_op(
    "conv_filter_grad", infer=_filter_grad_infer, reference=filter_grad_reference,
    vjp=_filter_grad_vjp, kernel="conv_filter_grad",
    doc="Gradient of conv with respect to its filter, given the input x and the output "
        "gradient g; `window` is the filter's spatial shape.")


# Pooling: `window`, `strides` and `pads` as for conv (no dilation); float inputs only.

_UNIT = (1, 1, 1)


def _pooled_type(op, x, window, strides, pads, *others):
    """The type of pooling x; `others` are further inputs that share its dtype rule."""
    _check_geometry(op, x.ndim, strides, _UNIT[:x.ndim - 2], pads, window)
    spatial = output_spatial(x.shape[1:-1], window, strides, _UNIT[:x.ndim - 2], pads)
    return TensorType(_float_dtype(op, x, *others), (x.shape[0],) + spatial + (x.shape[-1],))


def _check_shape(op, what, got, want):
    if len(got) != len(want) or any(a is not None and b is not None and a != b
                                    for a, b in zip(got, want)):
        raise ValueError(f"{op}: {what} should have shape {want}, got {got}")


def _pool_geometry(x, window, strides, pads):
    """Explicit pads and the output spatial shape for a concrete input."""
    unit = _UNIT[:x.ndim - 2]
    pads = resolve_pads(pads, x.shape[1:-1], window, strides, unit)
    return pads, output_spatial(x.shape[1:-1], window, strides, unit, pads)


def max_pool_reference(x, *, window, strides, pads):
    pads, out_spatial = _pool_geometry(x, window, strides, pads)
    xp = pad_spatial(x, pads, -np.inf)
    views = window_views(out_spatial, window, strides, _UNIT)
    return np.max([xp[index] for _, _, index in views], axis=0)


def first_max_offsets(x, window, strides, pads):
    """Flat window offset of the first maximum of every window (TensorFlow's choice at ties)."""
    pads, out_spatial = _pool_geometry(x, window, strides, pads)
    xp = pad_spatial(x, pads, -np.inf)
    best = np.full((x.shape[0],) + out_spatial + (x.shape[-1],), -np.inf, dtype=x.dtype)
    where = np.zeros(best.shape, dtype=np.int64)
    for flat, _, index in window_views(out_spatial, window, strides, _UNIT):
        better = xp[index] > best
        best = np.where(better, xp[index], best)
        where = np.where(better, flat, where)
    return pads, where


def max_pool_grad_reference(x, g, *, window, strides, pads):
    pads, where = first_max_offsets(x, window, strides, pads)
    padded = tuple(n + b + a for n, (b, a) in zip(x.shape[1:-1], pads))
    dxp = np.zeros((x.shape[0],) + padded + (x.shape[-1],), dtype=g.dtype)
    for flat, _, index in window_views(g.shape[1:-1], window, strides, _UNIT):
        dxp[index] += np.where(where == flat, g, 0)
    return np.ascontiguousarray(crop_spatial(dxp, pads, x.shape[1:-1]))


def max_pool_select_reference(x, gx, *, window, strides, pads):
    pads, where = first_max_offsets(x, window, strides, pads)
    gxp = pad_spatial(gx, pads)
    out = np.zeros(where.shape, dtype=gx.dtype)
    for flat, _, index in window_views(where.shape[1:-1], window, strides, _UNIT):
        out += np.where(where == flat, gxp[index], 0)
    return out


def _pool_attrs(node):
    return {k: node.attrs[k] for k in ("window", "strides", "pads")}


max_pool = define_op(
    "max_pool",
    infer=lambda x, *, window, strides, pads: _pooled_type("max_pool", x, window, strides,
                                                            pads),
    reference=max_pool_reference,
    vjp=lambda g, y, x: [max_pool_grad(x, g, **_pool_attrs(y))], kernel="max_pool",
    doc="Maximum over each window; padding never wins (it is -inf).")


def _max_grad_infer(x, g, *, window, strides, pads):
    pooled = _pooled_type("max_pool_grad", x, window, strides, pads, g)
    _check_shape("max_pool_grad", "the gradient", g.shape, pooled.shape)
    return TensorType(pooled.dtype, x.shape)


def _max_select_infer(x, gx, *, window, strides, pads):
    _check_shape("max_pool_select", "the second input", gx.shape, x.shape)
    return _pooled_type("max_pool_select", x, window, strides, pads, gx)


max_pool_grad = define_op(
    "max_pool_grad", infer=_max_grad_infer, reference=max_pool_grad_reference,
    vjp=lambda gg, z, x, g: [None, max_pool_select(x, gg, **_pool_attrs(z))],
    kernel="max_pool_grad",
    doc="max_pool_grad(x, g): each window's g goes to the first maximum of x in that window "
        "(as TensorFlow's MaxPoolGrad). Piecewise constant in x, so x gets no gradient.")

max_pool_select = define_op(
    "max_pool_select", infer=_max_select_infer, reference=max_pool_select_reference,
    vjp=lambda g, z, x, gx: [None, max_pool_grad(x, g, **_pool_attrs(z))],
    kernel="max_pool_select",
    doc="max_pool_select(x, gx): gx read at the first maximum of x in every window; the "
        "transpose of max_pool_grad, hence its gradient.")


def window_counts(sizes, window, strides, pads):
    """How many real (unpadded) elements each window covers, shaped (1, *out, 1)."""
    ones = np.ones((1,) + tuple(sizes) + (1,))
    return avg_pool_sum(ones, window, strides, pads)


def avg_pool_sum(x, window, strides, pads):
    pads, out_spatial = _pool_geometry(x, window, strides, pads)
    xp = pad_spatial(x, pads)
    out = np.zeros((x.shape[0],) + out_spatial + (x.shape[-1],), dtype=x.dtype)
    for _, _, index in window_views(out_spatial, window, strides, _UNIT):
        out += xp[index]
    return out


def avg_pool_reference(x, *, window, strides, pads):
    counts = window_counts(x.shape[1:-1], window, strides, pads)
    return (avg_pool_sum(x, window, strides, pads) / counts).astype(x.dtype)


def avg_pool_grad_reference(g, x, *, window, strides, pads):
    counts = window_counts(x.shape[1:-1], window, strides, pads)
    pads, _ = _pool_geometry(x, window, strides, pads)
    share = (g / counts).astype(g.dtype)
    padded = tuple(n + b + a for n, (b, a) in zip(x.shape[1:-1], pads))
    dxp = np.zeros((g.shape[0],) + padded + (g.shape[-1],), dtype=g.dtype)
    for _, _, index in window_views(g.shape[1:-1], window, strides, _UNIT):
        dxp[index] += share
    return np.ascontiguousarray(crop_spatial(dxp, pads, x.shape[1:-1]))


def _avg_grad_infer(g, x, *, window, strides, pads):
    pooled = _pooled_type("avg_pool_grad", x, window, strides, pads, g)
    _check_shape("avg_pool_grad", "the gradient", g.shape, pooled.shape)
    return TensorType(pooled.dtype, x.shape)


avg_pool = define_op(
    "avg_pool",
    infer=lambda x, *, window, strides, pads: _pooled_type("avg_pool", x, window, strides,
                                                            pads),
    reference=avg_pool_reference,
    vjp=lambda g, y, x: [avg_pool_grad(g, x, **_pool_attrs(y))], kernel="avg_pool",
    doc="Mean over each window's real elements: padding is not counted (as TensorFlow).")

avg_pool_grad = define_op(
    "avg_pool_grad", infer=_avg_grad_infer, reference=avg_pool_grad_reference,
    vjp=lambda gg, z, g, x: [avg_pool(gg, **_pool_attrs(z)), None], kernel="avg_pool_grad",
    doc="avg_pool_grad(g, x): g shared equally among each window's real elements; x gives "
        "only the shape (its values are not read).")
