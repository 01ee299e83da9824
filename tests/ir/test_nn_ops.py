"""Convolution and pooling ops: references against direct loops, shape rules, gradients by
central differences in float64 (first and second order), TensorFlow's padding and tie rules."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import graphkeras.ir as ir
import graphkeras.ir.ops.nn as nn
from graphkeras.ir.ops.leaves import placeholder

SETTINGS = settings(max_examples=15, deadline=None)


# Independent direct-loop references (one output element at a time).

def tf_same_pads(size, window, stride, dilation):
    out = (size + stride - 1) // stride
    span = (window - 1) * dilation + 1
    total = max(0, (out - 1) * stride + span - size)
    return (total // 2, total - total // 2)


def explicit_pads(pads, sizes, window, strides, dilation):
    if pads == "same":
        return [tf_same_pads(*a) for a in zip(sizes, window, strides, dilation)]
    return list(pads)


def loop_conv(x, w, strides, dilation, pads, groups):
    sizes, window = x.shape[1:-1], w.shape[:-2]
    pads = explicit_pads(pads, sizes, window, strides, dilation)
    per_group, filters = w.shape[-2], w.shape[-1]
    filters_per_group = filters // groups
    out_sizes = [(n + b + a - (k - 1) * d - 1) // s + 1
                 for n, (b, a), k, d, s in zip(sizes, pads, window, dilation, strides)]
    out = np.zeros((x.shape[0], *out_sizes, filters))
    for n in range(x.shape[0]):
        for o in itertools.product(*map(range, out_sizes)):
            for f in range(filters):
                group = f // filters_per_group
                total = 0.0
                for k in itertools.product(*map(range, window)):
                    pos = [oi * s + ki * d - b
                           for oi, ki, s, d, (b, _) in zip(o, k, strides, dilation, pads)]
                    if any(p < 0 or p >= size for p, size in zip(pos, sizes)):
                        continue
                    for c in range(per_group):
                        total += x[(n, *pos, group * per_group + c)] * w[(*k, c, f)]
                out[(n, *o, f)] = total
    return out


def loop_pool(x, window, strides, pads, mode):
    sizes = x.shape[1:-1]
    pads = explicit_pads(pads, sizes, window, strides, (1,) * len(sizes))
    out_sizes = [(n + b + a - k) // s + 1
                 for n, (b, a), k, s in zip(sizes, pads, window, strides)]
    out = np.zeros((x.shape[0], *out_sizes, x.shape[-1]))
    for n, c in itertools.product(range(x.shape[0]), range(x.shape[-1])):
        for o in itertools.product(*map(range, out_sizes)):
            values = []
            for k in itertools.product(*map(range, window)):
                pos = [oi * s + ki - b for oi, ki, s, (b, _) in zip(o, k, strides, pads)]
                if all(0 <= p < size for p, size in zip(pos, sizes)):
                    values.append(x[(n, *pos, c)])
            out[(n, *o, c)] = max(values) if mode == "max" else sum(values) / len(values)
    return out


# Drawing small problems.

@st.composite
def conv_problems(draw):
    rank = draw(st.integers(1, 3))
    limit = {1: 7, 2: 5, 3: 4}[rank]
    window = tuple(draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank)))
    strides = tuple(draw(st.lists(st.integers(1, 2), min_size=rank, max_size=rank)))
    dilation = tuple(draw(st.lists(st.integers(1, 2), min_size=rank, max_size=rank)))
    sizes = tuple(draw(st.integers((k - 1) * d + 1, max(limit, (k - 1) * d + 1)))
                  for k, d in zip(window, dilation))
    kind = draw(st.sampled_from(["same", "valid", "explicit"]))
    if kind == "same":
        pads = "same"
    elif kind == "valid":
        pads = ((0, 0),) * rank
    else:
        pads = tuple(tuple(draw(st.lists(st.integers(0, 2), min_size=2, max_size=2)))
                     for _ in range(rank))
    groups = draw(st.sampled_from([1, 2]))
    per_group = draw(st.integers(1, 2))
    filters = groups * draw(st.integers(1, 2))
    seed = draw(st.integers(0, 2 ** 16))
    rng = np.random.RandomState(seed)
    x = rng.randn(2, *sizes, groups * per_group)
    w = rng.randn(*window, per_group, filters)
    return x, w, dict(strides=strides, dilation=dilation, pads=pads, groups=groups)


@st.composite
def pool_problems(draw):
    rank = draw(st.integers(1, 3))
    limit = {1: 7, 2: 5, 3: 4}[rank]
    window = tuple(draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank)))
    strides = tuple(draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank)))
    sizes = tuple(draw(st.integers(k, max(limit, k))) for k in window)
    pads = draw(st.sampled_from(["same", ((0, 0),) * rank]))
    rng = np.random.RandomState(draw(st.integers(0, 2 ** 16)))
    # Distinct values at least 0.01 apart, so finite differences never cross a tie.
    count = 2 * int(np.prod(sizes)) * 2
    x = (rng.permutation(count) * 0.01).reshape(2, *sizes, 2) - 0.3
    return x, dict(window=window, strides=strides, pads=pads)


# Running graphs and finite differences.

def feed_nodes(*arrays):
    nodes = [placeholder(a.shape, a.dtype.name) for a in arrays]
    feeds = {id(n): a for n, a in zip(nodes, arrays)}
    return nodes, feeds


def check_gradients(build, arrays, eps=1e-6, tol=1e-6):
    """d sum(build(*inputs) * r) against central differences, for every float input."""
    nodes, feeds = feed_nodes(*arrays)
    out = build(*nodes)
    r = np.random.RandomState(0).randn(*ir.evaluate([out], feeds)[0].shape)
    loss = ir.get_op("sum")(out * ir.constant(r), axes=tuple(range(out.ndim)), keepdims=False)
    analytic = ir.evaluate(ir.gradients(loss, nodes), feeds)
    for node, array, grad in zip(nodes, arrays, analytic):
        numeric = np.zeros_like(array)
        for i in np.ndindex(array.shape):
            saved = array[i]
            array[i] = saved + eps
            up = ir.evaluate([loss], feeds)[0]
            array[i] = saved - eps
            down = ir.evaluate([loss], feeds)[0]
            array[i] = saved
            numeric[i] = (up - down) / (2 * eps)
        np.testing.assert_allclose(grad, numeric, rtol=tol, atol=tol)


def evaluate_op(op, arrays, **attrs):
    nodes, feeds = feed_nodes(*arrays)
    out = op(*nodes, **attrs)
    value = ir.evaluate([out], feeds)[0]
    assert len(out.shape) == value.ndim and out.dtype == value.dtype.name
    for static, actual in zip(out.shape, value.shape):
        assert static in (None, actual)
    return value


# Forward against the direct loops.

@SETTINGS
@given(conv_problems())
def test_conv_matches_direct_loops(problem):
    x, w, attrs = problem
    np.testing.assert_allclose(evaluate_op(nn.conv, [x, w], **attrs),
                               loop_conv(x, w, **attrs), rtol=1e-10, atol=1e-10)


@SETTINGS
@given(pool_problems(), st.sampled_from(["max", "avg"]))
def test_pool_matches_direct_loops(problem, mode):
    x, attrs = problem
    op = nn.max_pool if mode == "max" else nn.avg_pool
    np.testing.assert_allclose(evaluate_op(op, [x], **attrs), loop_pool(x, mode=mode, **attrs),
                               rtol=1e-12, atol=1e-12)


def test_conv_shape_rule_keeps_unknown_batch_and_spatial():
    x = placeholder((None, None, 7, 3), "float32")
    w = ir.constant(np.zeros((3, 3, 3, 5), "float32"))
    y = nn.conv(x, w, strides=(2, 2), dilation=(1, 1), pads="same", groups=1)
    assert y.shape == (None, None, 4, 5) and y.dtype == "float32"


def test_conv_rejects_channel_mismatch_at_build_time():
    x = placeholder((None, 8, 4), "float32")
    w = ir.constant(np.zeros((3, 5, 2), "float32"))
    with pytest.raises(ValueError, match=r"conv.*4 channels.*expects 5"):
        nn.conv(x, w, strides=(1,), dilation=(1,), pads="same", groups=1)


def test_conv_rejects_window_larger_than_input():
    x = placeholder((None, 2, 4), "float32")
    w = ir.constant(np.zeros((3, 4, 2), "float32"))
    with pytest.raises(ValueError, match="does not fit"):
        nn.conv(x, w, strides=(1,), dilation=(1,), pads=((0, 0),), groups=1)


# TensorFlow's conventions.

def test_same_padding_puts_the_odd_pad_after():
    x = np.arange(5.0).reshape(1, 5, 1)
    w = np.ones((4, 1, 1))
    same = evaluate_op(nn.conv, [x, w], strides=(1,), dilation=(1,), pads="same", groups=1)
    explicit = evaluate_op(nn.conv, [x, w], strides=(1,), dilation=(1,), pads=((1, 2),),
                           groups=1)
    np.testing.assert_array_equal(same, explicit)
    np.testing.assert_array_equal(same.ravel(), [3, 6, 10, 9, 7])


def test_same_avg_pool_divides_by_real_elements_only():
    x = np.arange(9.0).reshape(1, 3, 3, 1)
    y = evaluate_op(nn.avg_pool, [x], window=(2, 2), strides=(2, 2), pads="same")
    np.testing.assert_array_equal(y[0, :, :, 0], [[2.0, 3.5], [6.5, 8.0]])


def test_max_pool_gradient_goes_to_first_maximum_at_ties():
    x = np.ones((1, 2, 2, 1))
    g = np.full((1, 1, 1, 1), 3.0)
    dx = evaluate_op(nn.max_pool_grad, [x, g], window=(2, 2), strides=(2, 2),
                     pads=((0, 0), (0, 0)))
    np.testing.assert_array_equal(dx[0, :, :, 0], [[3.0, 0.0], [0.0, 0.0]])


def test_max_pool_gradient_accumulates_over_overlapping_windows():
    x = np.array([0.0, 5.0, 1.0, 2.0]).reshape(1, 4, 1)
    g = np.array([1.0, 10.0, 100.0]).reshape(1, 3, 1)
    dx = evaluate_op(nn.max_pool_grad, [x, g], window=(2,), strides=(1,), pads=((0, 0),))
    np.testing.assert_array_equal(dx.ravel(), [0.0, 11.0, 0.0, 100.0])


def test_depthwise_is_a_grouped_conv_with_one_channel_per_group():
    rng = np.random.RandomState(1)
    x = rng.randn(2, 5, 5, 3)
    w = rng.randn(3, 3, 1, 6)
    y = evaluate_op(nn.conv, [x, w], strides=(1, 1), dilation=(1, 1), pads="same", groups=3)
    for c in range(3):
        alone = loop_conv(x[..., c:c + 1], w[..., 2 * c:2 * c + 2], (1, 1), (1, 1), "same", 1)
        np.testing.assert_allclose(y[..., 2 * c:2 * c + 2], alone, rtol=1e-12)


def test_conv_input_grad_is_tf_conv_transpose():
    # conv_transpose(x) is the adjoint of conv: <conv(a, w), b> = <a, conv_transpose(b, w)>.
    rng = np.random.RandomState(2)
    a = rng.randn(2, 7, 6, 3)
    w = rng.randn(3, 2, 3, 4)
    attrs = dict(strides=(2, 3), dilation=(1, 1), pads="same", groups=1)
    conv_a = evaluate_op(nn.conv, [a, w], **attrs)
    b = rng.randn(*conv_a.shape)
    back = evaluate_op(nn.conv_input_grad, [b, w], input_spatial=(7, 6), **attrs)
    assert back.shape == a.shape
    np.testing.assert_allclose(np.sum(conv_a * b), np.sum(a * back), rtol=1e-12)


def test_conv_input_grad_checks_output_consistency():
    g = placeholder((None, 3, 4), "float32")
    w = ir.constant(np.zeros((3, 2, 4), "float32"))
    with pytest.raises(ValueError, match="conv_input_grad.*gives outputs"):
        nn.conv_input_grad(g, w, input_spatial=(9,), strides=(1,), dilation=(1,),
                           pads="same", groups=1)


# Gradients by central differences (float64), including second order.

@settings(max_examples=8, deadline=None)
@given(conv_problems())
def test_conv_gradients_match_finite_differences(problem):
    x, w, attrs = problem
    check_gradients(lambda a, b: nn.conv(a, b, **attrs), [x, w])


@settings(max_examples=6, deadline=None)
@given(conv_problems())
def test_conv_gradient_ops_are_differentiable(problem):
    x, w, attrs = problem
    y = loop_conv(x, w, **attrs)
    g = np.random.RandomState(3).randn(*y.shape)
    spatial = x.shape[1:-1]
    check_gradients(lambda a, b: nn.conv_input_grad(a, b, input_spatial=spatial, **attrs),
                    [g.copy(), w])
    check_gradients(lambda a, b: nn.conv_filter_grad(a, b, window=w.shape[:-2], **attrs),
                    [x, g])


def test_conv_input_grad_with_run_time_spatial_shape_is_differentiable():
    rng = np.random.RandomState(4)
    x = rng.randn(2, 5, 2)
    w = rng.randn(3, 2, 3)
    attrs = dict(strides=(2,), dilation=(1,), pads="same", groups=1)
    x_node = placeholder((None, None, 2), "float64")
    y = nn.conv(x_node, ir.constant(w), **attrs)
    loss = ir.get_op("sum")(y * y, axes=(0, 1, 2), keepdims=False)
    (dx,) = ir.gradients(loss, [x_node])
    assert dx.op == "conv_input_grad" and len(dx.inputs) == 3
    check_gradients(lambda a: ir.gradients(
        ir.get_op("sum")(nn.conv(a, ir.constant(w), **attrs) ** 2, axes=(0, 1, 2),
                         keepdims=False), [a])[0], [x])


@settings(max_examples=8, deadline=None)
@given(pool_problems())
def test_pool_gradients_match_finite_differences(problem):
    x, attrs = problem
    check_gradients(lambda a: nn.max_pool(a, **attrs), [x.copy()])
    check_gradients(lambda a: nn.avg_pool(a, **attrs), [x.copy()])


@settings(max_examples=6, deadline=None)
@given(pool_problems())
def test_pool_gradient_ops_are_differentiable(problem):
    x, attrs = problem
    y = loop_pool(x, mode="max", **attrs)
    g = np.random.RandomState(5).randn(*y.shape)
    gx = np.random.RandomState(6).randn(*x.shape)
    check_gradients(lambda a: nn.max_pool_grad(ir.constant(x), a, **attrs), [g.copy()])
    check_gradients(lambda a: nn.max_pool_select(ir.constant(x), a, **attrs), [gx])
    check_gradients(lambda a: nn.avg_pool_grad(a, ir.constant(x), **attrs), [g.copy()])


# Cases for the generic per-op checks (tests/ir/op_cases.py: `CASES.update(NN_CASES)`),
# in its `build(draw, rng, dtype) -> (arrays, attrs)` form.

def _conv_case(draw, rng, dtype):
    x, w, attrs = draw(conv_problems())
    return [x.astype(dtype), w.astype(dtype)], attrs


def _conv_input_grad_case(draw, rng, dtype):
    x, w, attrs = draw(conv_problems())
    y = nn.conv_reference(x, w, **attrs)
    g = rng.standard_normal(y.shape)
    return [g.astype(dtype), w.astype(dtype)], dict(attrs, input_spatial=x.shape[1:-1])


def _conv_filter_grad_case(draw, rng, dtype):
    x, w, attrs = draw(conv_problems())
    g = rng.standard_normal(nn.conv_reference(x, w, **attrs).shape)
    return [x.astype(dtype), g.astype(dtype)], dict(attrs, window=w.shape[:-2])


def _pool_case(kind):
    def build(draw, rng, dtype):
        x, attrs = draw(pool_problems())
        y = nn.max_pool_reference(x, **attrs)
        arrays = {
            "pool": [x],
            "max_pool_grad": [x, rng.standard_normal(y.shape)],
            "max_pool_select": [x, rng.standard_normal(x.shape)],
            "avg_pool_grad": [rng.standard_normal(y.shape), x],
        }[kind]
        return [a.astype(dtype) for a in arrays], attrs
    return build


NN_CASES = {
    "conv": _conv_case,
    "conv_input_grad": _conv_input_grad_case,
    "conv_filter_grad": _conv_filter_grad_case,
    "max_pool": _pool_case("pool"),
    "avg_pool": _pool_case("pool"),
    "max_pool_grad": _pool_case("max_pool_grad"),
    "max_pool_select": _pool_case("max_pool_select"),
    "avg_pool_grad": _pool_case("avg_pool_grad"),
}


def test_every_nn_op_has_a_generic_case():
    declared = {name for name, op in ir.all_ops().items() if op.kernel in NN_CASES}
    assert declared == set(NN_CASES)
