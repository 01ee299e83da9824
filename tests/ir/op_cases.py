"""Input generators for every registered op: one entry per op, used by the generic op checks.

Each case is `build(draw, rng, dtype) -> (arrays, attrs)`; `draw` is hypothesis' draw, so shapes
vary between examples. Domain notes live here (log: positive inputs).
"""
import numpy as np
from hypothesis import strategies as st

from graphkeras import ir


def dims(draw, n, lo=1, hi=4):
    return tuple(draw(st.integers(lo, hi)) for _ in range(n))


def normal(rng, shape, dtype, scale=1.0):
    return np.asarray(rng.standard_normal(shape) * scale, dtype=dtype)


def positive(rng, shape, dtype):
    return np.asarray(rng.uniform(0.5, 2.0, shape), dtype=dtype)


def apart(rng, shape, dtype):
    """Values whose pairwise gaps exceed finite-difference steps (max/min/sort ties)."""
    n = int(np.prod(shape))
    return np.asarray(rng.permutation(n).reshape(shape) * 0.37 - n * 0.15, dtype=dtype)


def unary(domain=normal):
    def build(draw, rng, dtype):
        return [domain(rng, dims(draw, draw(st.integers(0, 3))), dtype)], {}
    return build


def binary(domain=normal, second=None):
    second = second or domain

    def build(draw, rng, dtype):
        shape = dims(draw, draw(st.integers(1, 3)))
        other = tuple(1 if draw(st.booleans()) else d for d in shape)
        return [domain(rng, shape, dtype), second(rng, other, dtype)], {}
    return build


def comparison(draw, rng, dtype):
    shape = dims(draw, 2)
    return [normal(rng, shape, dtype), normal(rng, shape, dtype)], {}


def reduction(domain=normal):
    def build(draw, rng, dtype):
        shape = dims(draw, draw(st.integers(1, 3)))
        axes = tuple(sorted(draw(st.sets(st.integers(0, len(shape) - 1), min_size=1))))
        return [domain(rng, shape, dtype)], {"axes": axes, "keepdims": draw(st.booleans())}
    return build


def one_axis(op_attrs):
    def build(draw, rng, dtype):
        shape = dims(draw, draw(st.integers(1, 3)))
        axis = draw(st.integers(0, len(shape) - 1))
        return [apart(rng, shape, dtype)], op_attrs(axis)
    return build


def _transpose(draw, rng, dtype):
    shape = dims(draw, draw(st.integers(1, 4)))
    perm = tuple(draw(st.permutations(range(len(shape)))))
    return [normal(rng, shape, dtype)], {"perm": perm}


def _reshape(draw, rng, dtype):
    shape = dims(draw, 3)
    target = (shape[0] * shape[1], -1) if draw(st.booleans()) else (-1,)
    return [normal(rng, shape, dtype)], {"shape": target}


def _reshape_to(draw, rng, dtype):
    shape = dims(draw, 3)
    return [normal(rng, shape, dtype), np.array([shape[0], -1], np.int32)], \
        {"hint": (None, None)}


def _expand(draw, rng, dtype):
    shape = dims(draw, draw(st.integers(0, 3)))
    return [normal(rng, shape, dtype)], {"axis": draw(st.integers(0, len(shape)))}


def _squeeze(draw, rng, dtype):
    shape = list(dims(draw, 3))
    axis = draw(st.integers(0, 2))
    shape[axis] = 1
    return [normal(rng, tuple(shape), dtype)], {"axis": axis}


def _concat(draw, rng, dtype):
    shape = dims(draw, 2)
    axis = draw(st.integers(0, 1))
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        s = list(shape)
        s[axis] = draw(st.integers(1, 3))
        parts.append(normal(rng, tuple(s), dtype))
    return parts, {"axis": axis}


def _concat_part(draw, rng, dtype):
    a, b = normal(rng, (2, 3), dtype), normal(rng, (2, 1), dtype)
    return [normal(rng, (2, 4), dtype), a, b], {"axis": 1, "part": draw(st.integers(0, 1))}


def _index(draw, rng, dtype):
    shape = dims(draw, 3, 2, 5)
    items = (("int", draw(st.integers(-shape[0], shape[0] - 1))),
             ("slice", draw(st.sampled_from([None, 1])), None, draw(st.sampled_from([1, 2]))),
             ("newaxis",))
    return [normal(rng, shape, dtype)], {"items": items}


def _index_grad(draw, rng, dtype):
    items = (("slice", 1, None, 1), ("int", 0))
    return [normal(rng, (2,), dtype), normal(rng, (3, 2), dtype)], {"items": items}


def _gather(draw, rng, dtype):
    shape = dims(draw, 2)
    idx = rng.randint(0, shape[0], size=dims(draw, draw(st.integers(1, 2)))).astype(np.int32)
    return [normal(rng, shape, dtype), idx], {"axis": 0}


def _scatter_add(draw, rng, dtype):
    idx = np.array([[0, 2], [2, 1]], np.int32)
    return [normal(rng, (2, 2, 3), dtype), idx, normal(rng, (4, 3), dtype)], {"axis": 0}


def _pad(draw, rng, dtype):
    shape = dims(draw, 2)
    pads = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in shape)
    return [normal(rng, shape, dtype)], {"pads": pads, "value": 0}


def _reverse(draw, rng, dtype):
    shape = dims(draw, 3)
    axes = tuple(sorted(draw(st.sets(st.integers(0, 2), min_size=1))))
    return [normal(rng, shape, dtype)], {"axes": axes}


def _tile(draw, rng, dtype):
    shape = dims(draw, 2, 1, 3)
    return [normal(rng, shape, dtype)], {"reps": dims(draw, 2, 1, 3)}


def _tile_sum(draw, rng, dtype):
    return [normal(rng, (4, 3), dtype), normal(rng, (2, 1), dtype)], {"reps": (2, 3)}


def _repeat(draw, rng, dtype):
    shape = dims(draw, 2)
    return [normal(rng, shape, dtype)], {"repeats": draw(st.integers(1, 3)),
                                         "axis": draw(st.integers(0, 1))}


def _repeat_sum(draw, rng, dtype):
    return [normal(rng, (2, 6), dtype), normal(rng, (2, 3), dtype)], {"repeats": 2, "axis": 1}


def _broadcast_like(draw, rng, dtype):
    shape = dims(draw, 2)
    return [normal(rng, (1, shape[1]), dtype), normal(rng, shape, dtype)], {}


def _matmul(draw, rng, dtype):
    m, k, n = dims(draw, 3)
    batch = dims(draw, draw(st.integers(0, 1)))
    return [normal(rng, batch + (m, k), dtype), normal(rng, (k, n), dtype)], {}


def _where(draw, rng, dtype):
    shape = dims(draw, 2)
    cond = rng.uniform(size=shape) > 0.5
    return [cond, normal(rng, shape, dtype), normal(rng, (1,) + shape[1:], dtype)], {}


def _cast(draw, rng, dtype):
    return [normal(rng, dims(draw, 2), dtype)], {"dtype": draw(st.sampled_from(
        [dtype, "int32"]))}


def _shape_of(draw, rng, dtype):
    return [normal(rng, dims(draw, 3), dtype)], {}


def _take(draw, rng, dtype):
    return [np.array([3, 4, 5], np.int32)], {"indices": (2, 0), "axis": 0}


def _fill(draw, rng, dtype):
    shape = dims(draw, 2)
    return [np.array(shape, np.int32)], {"value": 1.5, "dtype": dtype, "hint": (None, None)}


def _random(draw, rng, dtype):
    dist = draw(st.sampled_from(["uniform", "normal", "truncated_normal", "binomial"]))
    return [np.array([3, 4], np.int32)], {"distribution": dist, "a": 0.5, "b": 1.0,
                                          "dtype": dtype, "rng": ir.RngState(1),
                                          "hint": (3, 4)}


def shifted(rng, shape, dtype):
    """Like `apart`, offset so it never ties with an `apart` array."""
    return apart(rng, shape, dtype) + np.asarray(0.11, dtype)


def _ctc_inputs(draw, rng, dtype):
    steps, classes = draw(st.integers(2, 4)), draw(st.integers(2, 3))
    logits = rng.standard_normal((2, steps, classes))
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    labels = rng.randint(0, classes - 1, (2, 1)).astype(np.int32)
    return [log_probs.astype(dtype), labels, np.array([steps, steps - 1], np.int32),
            np.array([1, 1], np.int32)]


def _ctc_loss(draw, rng, dtype):
    return _ctc_inputs(draw, rng, dtype), {}


def _ctc_loss_grad(draw, rng, dtype):
    return [np.ones(2, dtype)] + _ctc_inputs(draw, rng, dtype), {}


def _ctc_decode(draw, rng, dtype):
    arrays = _ctc_inputs(draw, rng, dtype)
    greedy = draw(st.booleans())
    return [arrays[0], arrays[2]], {"greedy": greedy, "beam_width": 4,
                                    "top_paths": 1 if greedy else 2}


def _mod(rng, shape, dtype):
    return rng.uniform(1.1, 1.9, shape).astype(dtype)


CASES = {
    "add": binary(), "sub": binary(), "mul": binary(), "div": binary(second=positive),
    "floordiv": binary(second=positive), "mod": binary(domain=positive, second=_mod),
    "pow": binary(domain=positive), "maximum": binary(apart, shifted), "minimum": binary(apart, shifted),
    "equal": comparison, "not_equal": comparison, "greater": comparison,
    "greater_equal": comparison, "less": comparison, "less_equal": comparison,
    "logical_and": comparison, "logical_or": comparison, "logical_not": unary(),
    "neg": unary(), "exp": unary(), "log": unary(positive), "log1p": unary(positive),
    "expm1": unary(), "tanh": unary(), "sigmoid": unary(), "sqrt": unary(positive), "sin": unary(), "cos": unary(),
    "abs": unary(apart), "sign": unary(), "round": unary(apart), "floor": unary(apart),
    "ceil": unary(apart), "erf": unary(), "identity": unary(), "stop_gradient": unary(),
    "cast": _cast, "where": _where,
    "sum": reduction(), "mean": reduction(), "max": reduction(apart), "min": reduction(apart),
    "prod": reduction(positive), "any": reduction(), "all": reduction(),
    "argmax": one_axis(lambda a: {"axis": a}), "argmin": one_axis(lambda a: {"axis": a}),
    "cumsum": one_axis(lambda a: {"axis": a}), "cumprod": one_axis(lambda a: {"axis": a}),
    "shape_of": _shape_of, "take": _take, "broadcast_like": _broadcast_like,
    "reshape": _reshape, "reshape_to": _reshape_to, "transpose": _transpose,
    "expand_dims": _expand, "squeeze": _squeeze, "concatenate": _concat,
    "concat_part": _concat_part, "index": _index, "index_grad": _index_grad,
    "gather": _gather, "scatter_add": _scatter_add, "pad": _pad, "reverse": _reverse,
    "tile": _tile, "tile_sum": _tile_sum, "repeat_elements": _repeat,
    "repeat_sum": _repeat_sum, "fill": _fill, "matmul": _matmul, "random": _random,
    "ctc_loss": _ctc_loss, "ctc_loss_grad": _ctc_loss_grad, "ctc_decode": _ctc_decode,
}

# Ops checked elsewhere, with the reason.
EXEMPT = {
    "placeholder": "a leaf, read by the executor",
    "variable": "a leaf, read by the executor",
    "constant": "a leaf; folded values are checked by the passes tests",
    "tuple_get": "checked through the multi-output ops that produce tuples",
    "scan": "a loop over a body graph; tests/ir/test_scan.py checks it against Python loops, "
            "unrolled graphs and finite differences",
    "fused_elementwise": "made by the fusion pass; tests/runtime checks fused regions against "
                         "the unfused reference",
    "gemm": "made by the GEMM fusion pass; tests/runtime checks it against matmul + bias + "
            "activation",
    "print_value": "prints; tests/backend/test_backend_ops.py checks it passes values through",
}


def build_nodes(arrays, attrs, op):
    """Placeholders for the arrays, and the op applied to them."""
    inputs = [ir.ops.leaves.placeholder(a.shape, a.dtype.name, f"in{i}")
              for i, a in enumerate(arrays)]
    return inputs, op(*inputs, **attrs)


def _nn_cases():
    """Convolution and pooling cases live beside their direct-loop references."""
    from .test_nn_ops import NN_CASES
    return NN_CASES


CASES.update(_nn_cases())
