"""Ops that move data without arithmetic: reshape, transpose, slicing, gathers, padding, tiling."""
import numpy as np

from ..registry import define_op, not_differentiable
from ..types import TensorType, broadcast_shapes


def _norm_axis(axis, ndim):
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of range for rank {ndim}")
    return axis % ndim


shape_of = define_op(
    "shape_of", infer=lambda x: TensorType("int32", (x.ndim,)),
    reference=lambda x: np.array(x.shape, dtype=np.int32),
    vjp=not_differentiable("a shape is an integer vector"), kernel="shape_of",
    doc="The run-time shape of x; folds to a constant when x's shape is static.")

take = define_op(
    "take",
    infer=lambda x, *, indices, axis=0: TensorType(
        x.dtype, x.shape[:axis] + (len(indices),) + x.shape[axis + 1:]),
    reference=lambda x, *, indices, axis=0: np.take(x, list(indices), axis=axis),
    vjp=not_differentiable("used on shapes only"), kernel="take",
    doc="Static indices along one axis (used to pick run-time dimensions).")


broadcast_like = define_op(
    "broadcast_like",
    infer=lambda x, target: TensorType(x.dtype, broadcast_shapes(x.shape, target.shape)),
    reference=lambda x, target: np.broadcast_to(x, np.broadcast_shapes(x.shape, target.shape)
                                                ).copy(),
    vjp=lambda g, z, x, target: [g, None], scalar="{x}", elementwise=True,
    doc="x broadcast against target's shape; target's values are not read.")


def _reshape_infer(x, *, shape):
    if sum(1 for d in shape if d == -1) > 1:
        raise ValueError(f"reshape target {shape} has more than one -1")
    known = [d for d in shape if d != -1]
    if -1 not in shape:
        if x.is_static() and int(np.prod(x.shape)) != int(np.prod(shape)):
            raise ValueError(f"cannot reshape {x.shape} to {shape}")
        return TensorType(x.dtype, shape)
    out = list(shape)
    if x.is_static():
        total = int(np.prod(x.shape))
        rest = int(np.prod(known)) if known else 1
        if rest == 0 or total % rest:
            raise ValueError(f"cannot reshape {x.shape} to {shape}")
        out[shape.index(-1)] = total // rest
    else:
        out[shape.index(-1)] = None
    return TensorType(x.dtype, out)


def reshape_grad(g, x):
    """g reshaped back to x's shape, statically when at most one dimension is unknown."""
    if sum(d is None for d in x.shape) <= 1:
        return reshape(g, shape=tuple(-1 if d is None else d for d in x.shape))
    return reshape_to(g, shape_of(x), hint=x.shape)


reshape = define_op(
    "reshape", infer=_reshape_infer,
    reference=lambda x, *, shape: np.reshape(x, shape),
    vjp=lambda g, z, x: [reshape_grad(g, x)], kernel="view")

reshape_to = define_op(
    "reshape_to",
    infer=lambda x, shape, *, hint: TensorType(x.dtype, hint),
    reference=lambda x, shape, *, hint: np.reshape(x, tuple(int(d) for d in shape)),
    vjp=lambda g, z, x, shape: [reshape_grad(g, x), None], kernel="view",
    doc="Reshape to a run-time shape vector; `hint` is the static shape known at build time.")


def _transpose_infer(x, *, perm):
    if sorted(perm) != list(range(x.ndim)):
        raise ValueError(f"perm {perm} is not a permutation of the {x.ndim} axes")
    return TensorType(x.dtype, tuple(x.shape[p] for p in perm))


transpose = define_op(
    "transpose", infer=_transpose_infer,
    reference=lambda x, *, perm: np.array(np.transpose(x, perm), order="C"),
    vjp=lambda g, z, x: [transpose(g, perm=tuple(np.argsort(z.attrs["perm"])))],
    kernel="transpose")


def _expand_infer(x, *, axis):
    axis = _norm_axis(axis, x.ndim + 1)
    return TensorType(x.dtype, x.shape[:axis] + (1,) + x.shape[axis:])


expand_dims = define_op(
    "expand_dims", infer=_expand_infer,
    reference=lambda x, *, axis: np.expand_dims(x, axis),
    vjp=lambda g, z, x: [squeeze(g, axis=z.attrs["axis"])], kernel="view")


def _squeeze_infer(x, *, axis):
    axis = _norm_axis(axis, x.ndim)
    if x.shape[axis] not in (1, None):
        raise ValueError(f"cannot squeeze axis {axis} of size {x.shape[axis]}")
    return TensorType(x.dtype, x.shape[:axis] + x.shape[axis + 1:])


squeeze = define_op(
    "squeeze", infer=_squeeze_infer,
    reference=lambda x, *, axis: np.squeeze(x, axis),
    vjp=lambda g, z, x: [expand_dims(g, axis=z.attrs["axis"] % x.ndim)], kernel="view")


def _concat_infer(*xs, axis):
    first = xs[0]
    axis = _norm_axis(axis, first.ndim)
    for x in xs[1:]:
        if x.ndim != first.ndim:
            raise ValueError(f"concatenate needs inputs of one rank, got {[t.shape for t in xs]}")
        broadcast_shapes(first.shape[:axis] + first.shape[axis + 1:],
                         x.shape[:axis] + x.shape[axis + 1:], op="concatenate")
    size = [x.shape[axis] for x in xs]
    out = list(first.shape)
    for x in xs[1:]:
        out = [a if a is not None else b for a, b in zip(out, x.shape)]
    out[axis] = None if None in size else sum(size)
    dtype = np.result_type(*[np.dtype(x.dtype) for x in xs]).name
    return TensorType(dtype, out)


def _concat_vjp(g, z, *xs):
    axis = z.attrs["axis"] % z.ndim
    if all(x.shape[axis] is not None for x in xs):
        out, start = [], 0
        for x in xs:
            stop = start + x.shape[axis]
            out.append(index(g, items=_axis_slice(z.ndim, axis, start, stop)))
            start = stop
        return out
    return [concat_part(g, *xs, axis=axis, part=i) for i in range(len(xs))]


def _axis_slice(ndim, axis, start, stop):
    return tuple(("slice", start, stop, 1) if i == axis else ("slice", None, None, None)
                 for i in range(ndim))


concatenate = define_op(
    "concatenate", infer=_concat_infer,
    reference=lambda *xs, axis: np.concatenate(xs, axis=axis), vjp=_concat_vjp,
    kernel="concatenate")


def _concat_part_reference(g, *xs, axis, part):
    start = sum(x.shape[axis] for x in xs[:part])
    return np.take(g, np.arange(start, start + xs[part].shape[axis]), axis=axis)


def _concat_part_vjp(gg, z, g, *xs):
    """The piece's gradient goes back to its place in the concatenation; zeros elsewhere."""
    from ..autodiff import zeros_like
    part = z.attrs["part"]
    pieces = [gg if i == part else zeros_like(x) for i, x in enumerate(xs)]
    return [concatenate(*pieces, axis=z.attrs["axis"])] + [None] * len(xs)


concat_part = define_op(
    "concat_part",
    infer=lambda g, *xs, axis, part: TensorType(g.dtype, xs[part].shape),
    reference=_concat_part_reference, vjp=_concat_part_vjp, kernel="concat_part",
    doc="Piece `part` of a concatenation gradient when sizes are known only at run time.")


def _slice_dim(dim, start, stop, step):
    if dim is None:
        return None
    return len(range(*slice(start, stop, step).indices(dim)))


def _index_infer(x, *, items):
    """items: per axis ('slice', start, stop, step), ('int', i) or ('newaxis',)."""
    shape, axis = [], 0
    for item in items:
        if item[0] == "newaxis":
            shape.append(1)
            continue
        if axis >= x.ndim:
            raise ValueError(f"too many indices for a tensor of rank {x.ndim}")
        dim = x.shape[axis]
        if item[0] == "int":
            if dim is not None and not -dim <= item[1] < dim:
                raise ValueError(f"index {item[1]} is out of range for axis {axis} of size {dim}")
        else:
            shape.append(_slice_dim(dim, *item[1:]))
        axis += 1
    shape.extend(x.shape[axis:])
    return TensorType(x.dtype, shape)


def to_numpy_index(items):
    out = []
    for item in items:
        if item[0] == "newaxis":
            out.append(np.newaxis)
        elif item[0] == "int":
            out.append(item[1])
        else:
            out.append(slice(*item[1:]))
    return tuple(out)


index = define_op(
    "index", infer=_index_infer,
    reference=lambda x, *, items: np.array(x[to_numpy_index(items)]),
    vjp=lambda g, z, x: [index_grad(g, x, items=z.attrs["items"])], kernel="index",
    doc="Basic NumPy indexing with static slices and integers.")


def _index_grad_reference(g, x, *, items):
    out = np.zeros(x.shape, dtype=g.dtype)
    out[to_numpy_index(items)] = g
    return out


index_grad = define_op(
    "index_grad",
    infer=lambda g, x, *, items: TensorType(g.dtype, x.shape),
    reference=_index_grad_reference,
    vjp=lambda gg, z, g, x: [index(gg, items=z.attrs["items"]), None], kernel="index_grad",
    doc="Zeros shaped like x with g written where `index` read.")


def _gather_infer(x, idx, *, axis=0):
    if not idx.is_integer:
        raise TypeError(f"gather indices must be integers, got {idx.dtype}")
    return TensorType(x.dtype, x.shape[:axis] + idx.shape + x.shape[axis + 1:])


gather = define_op(
    "gather", infer=_gather_infer,
    reference=lambda x, idx, *, axis=0: np.take(x, idx.astype(np.int64), axis=axis),
    vjp=lambda g, z, x, idx: [scatter_add(g, idx, x, axis=z.attrs.get("axis", 0)), None],
    kernel="gather")


def _scatter_add_reference(g, idx, x, *, axis=0):
    out = np.zeros(x.shape, dtype=g.dtype)
    moved = np.moveaxis(out, axis, 0)
    g_moved = np.moveaxis(g, list(range(axis, axis + idx.ndim)), list(range(idx.ndim)))
    np.add.at(moved, idx.astype(np.int64), g_moved)
    return out


scatter_add = define_op(
    "scatter_add",
    infer=lambda g, idx, x, *, axis=0: TensorType(g.dtype, x.shape),
    reference=_scatter_add_reference,
    vjp=lambda gg, z, g, idx, x: [gather(gg, idx, axis=z.attrs.get("axis", 0)), None, None],
    kernel="scatter_add", doc="Gradient of gather: zeros shaped like x, g added at idx.")


def _pad_infer(x, *, pads, value=0):
    if len(pads) != x.ndim:
        raise ValueError(f"pad needs one (before, after) pair per axis, got {pads}")
    shape = [None if d is None else d + a + b for d, (a, b) in zip(x.shape, pads)]
    return TensorType(x.dtype, shape)


pad = define_op(
    "pad", infer=_pad_infer,
    reference=lambda x, *, pads, value=0: np.pad(x, pads, constant_values=value),
    vjp=lambda g, z, x: [index(g, items=tuple(
        ("slice", a, (-b if b else None), 1) for a, b in z.attrs["pads"]))],
    kernel="pad")

reverse = define_op(
    "reverse", infer=lambda x, *, axes: x,
    reference=lambda x, *, axes: np.array(np.flip(x, axes), order="C"),
    vjp=lambda g, z, x: [reverse(g, axes=z.attrs["axes"])], kernel="reverse")


def _tile_infer(x, *, reps):
    if len(reps) != x.ndim:
        raise ValueError(f"tile needs one repetition count per axis, got {reps}")
    return TensorType(x.dtype, [None if d is None else d * r for d, r in zip(x.shape, reps)])


tile = define_op(
    "tile", infer=_tile_infer, reference=lambda x, *, reps: np.tile(x, reps),
    vjp=lambda g, z, x: [tile_sum(g, x, reps=z.attrs["reps"])], kernel="tile")


def _tile_sum_reference(g, x, *, reps):
    split = []
    for r, d in zip(reps, x.shape):
        split += [r, d]
    return g.reshape(split).sum(axis=tuple(range(0, 2 * len(reps), 2)))


tile_sum = define_op(
    "tile_sum", infer=lambda g, x, *, reps: TensorType(g.dtype, x.shape),
    reference=_tile_sum_reference,
    vjp=lambda gg, z, g, x: [tile(gg, reps=z.attrs["reps"]), None], kernel="tile_sum",
    doc="Gradient of tile: the tiles summed back onto x's shape.")


def _repeat_infer(x, *, repeats, axis):
    axis = _norm_axis(axis, x.ndim)
    d = x.shape[axis]
    return TensorType(x.dtype, x.shape[:axis] + (None if d is None else d * repeats,)
                      + x.shape[axis + 1:])


repeat_elements = define_op(
    "repeat_elements", infer=_repeat_infer,
    reference=lambda x, *, repeats, axis: np.repeat(x, repeats, axis=axis),
    vjp=lambda g, z, x: [repeat_sum(g, x, **z.attrs)], kernel="repeat_elements")


def _repeat_sum_reference(g, x, *, repeats, axis):
    shape = x.shape[:axis] + (x.shape[axis], repeats) + x.shape[axis + 1:]
    return g.reshape(shape).sum(axis=axis + 1)


repeat_sum = define_op(
    "repeat_sum", infer=lambda g, x, *, repeats, axis: TensorType(g.dtype, x.shape),
    reference=_repeat_sum_reference,
    vjp=lambda gg, z, g, x: [repeat_elements(gg, **z.attrs), None], kernel="repeat_sum",
    doc="Gradient of repeat_elements.")


def _fill_infer(shape, *, value, dtype, hint):
    return TensorType(dtype, hint)


fill = define_op(
    "fill", infer=_fill_infer,
    reference=lambda shape, *, value, dtype, hint: np.full(tuple(int(d) for d in shape),
                                                           value, dtype=dtype),
    vjp=not_differentiable("fill depends only on a shape"), kernel="fill",
    doc="A tensor of one value whose shape is a run-time vector (zeros(K.shape(x)) etc.).")
