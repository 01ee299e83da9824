"""The scan op: forward against a Python loop, BPTT against finite differences, closure, hashing."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from graphkeras import ir
from graphkeras.ir.ops import scan as scan_ops
from graphkeras.ir.ops.leaves import placeholder
from graphkeras.runtime.kernels import find_kernel
from tests.gradcheck import numeric_gradient

matmul = ir.get_op("matmul")
tanh = ir.get_op("tanh")
sum_ = ir.get_op("sum")
where = ir.get_op("where")
cast = ir.get_op("cast")


def total(x):
    return sum_(x, axes=tuple(range(x.ndim)), keepdims=False)


class Elman:
    """h_t = tanh(x_t W + h_{t-1} U + b); output h_t * 2; the weights are outer placeholders."""

    def __init__(self, steps, batch, n_in, units, dtype="float64"):
        self.x = placeholder((steps, None, n_in), dtype, "x")
        self.h0 = placeholder((None, units), dtype, "h0")
        self.W = placeholder((n_in, units), dtype, "W")
        self.U = placeholder((units, units), dtype, "U")
        self.b = placeholder((units,), dtype, "b")
        self.inputs = [self.x, self.h0, self.W, self.U, self.b]
        rng = np.random.RandomState(steps * 7 + batch)
        self.values = [rng.standard_normal(p.shape if None not in p.shape else
                                           tuple(batch if d is None else d for d in p.shape))
                       .astype(dtype) * 0.5 for p in self.inputs]

    def step(self, slices, states, consts):
        h = tanh(matmul(slices[0], self.W) + matmul(states[0], self.U) + self.b)
        return [h * 2.0], [h]

    def numpy(self, x, h, W, U, b, reverse=False):
        outs = [None] * len(x)
        order = range(len(x) - 1, -1, -1) if reverse else range(len(x))
        for t in order:
            h = np.tanh(x[t] @ W + h @ U + b)
            outs[t] = 2 * h
        return np.stack(outs), h

    def feeds(self, values=None):
        return {id(p): v for p, v in zip(self.inputs, values or self.values)}


@settings(max_examples=12, deadline=None)
@given(steps=st.integers(1, 6), batch=st.integers(1, 3), n_in=st.integers(1, 3),
       units=st.integers(1, 4), reverse=st.booleans())
def test_scan_forward_matches_python_loop(steps, batch, n_in, units, reverse):
    net = Elman(steps, batch, n_in, units)
    node = scan_ops.build_scan(net.step, [net.x], [net.h0], reverse=reverse)
    (stacked,), (final,), (entering,) = scan_ops.scan_results(node)
    got = ir.evaluate([stacked, final, entering], net.feeds())
    want_stacked, want_final = net.numpy(*net.values, reverse=reverse)
    np.testing.assert_allclose(got[0], want_stacked, rtol=1e-12)
    np.testing.assert_allclose(got[1], want_final, rtol=1e-12)
    assert got[0].shape == (steps, batch, units)


def test_scan_saves_the_state_entering_each_step():
    net = Elman(4, 2, 3, 2)
    node = scan_ops.build_scan(net.step, [net.x], [net.h0])
    (stacked,), _, (entering,) = scan_ops.scan_results(node)
    outputs, states = ir.evaluate([stacked, entering], net.feeds())
    np.testing.assert_allclose(states[0], net.values[1])
    np.testing.assert_allclose(states[1:], outputs[:-1] / 2)


def test_scan_lifts_outer_nodes_and_keeps_constants_inside():
    net = Elman(3, 2, 2, 2)
    node = scan_ops.build_scan(net.step, [net.x], [net.h0])
    body = node.attrs["body"]
    names = [i.attrs.get("name") for i in node.inputs]
    assert names[1:] == ["h0", "U", "b"]
    leaves = [n for n in ir.topological_order(list(body.roots)) if not n.inputs]
    assert {n.op for n in leaves} == {"placeholder", "constant"}
    assert all(n in body.inputs or n.op == "constant" for n in leaves)


def test_scan_hoists_the_input_projection_out_of_the_loop():
    """x_t W needs no state: it is one matmul over all steps, and the body keeps h U only."""
    net = Elman(3, 2, 2, 2)
    node = scan_ops.build_scan(net.step, [net.x], [net.h0])
    body_ops = [n.op for n in ir.topological_order(list(node.attrs["body"].roots))]
    assert body_ops.count("matmul") == 1
    projection = node.inputs[0]
    assert projection.shape == (3, None, 2)
    outer_ops = {n.op for n in ir.topological_order([projection])}
    assert "matmul" in outer_ops and net.x in ir.topological_order([projection])


def test_scan_hoists_loop_invariant_work_and_drops_unread_inputs():
    x = placeholder((4, 2, 3), "float64", "x")
    W = placeholder((3, 3), "float64", "W")

    def step(slices, states, consts):
        return [], [tanh(matmul(states[0], ir.get_op("transpose")(consts[0], perm=(1, 0))))
                    + slices[0]]

    node = scan_ops.build_scan(step, [x], [ir.constant(np.zeros((2, 3)))], [W])
    body = node.attrs["body"]
    assert "transpose" not in [n.op for n in ir.topological_order(list(body.roots))]
    assert node.inputs[-1].op == "transpose" and node.inputs[-1].inputs[0] is W
    assert len(body.non_sequences) == 1


def test_equal_steps_build_equal_scan_nodes():
    net = Elman(3, 2, 2, 2)
    first = scan_ops.build_scan(net.step, [net.x], [net.h0])
    second = scan_ops.build_scan(net.step, [net.x], [net.h0])
    assert first is not second
    assert first == second and hash(first) == hash(second)
    assert hash(first.attrs["body"]) == hash(second.attrs["body"])
    other = scan_ops.build_scan(net.step, [net.x], [net.h0], reverse=True)
    assert other != first


@settings(max_examples=6, deadline=None)
@given(steps=st.integers(1, 4), reverse=st.booleans(), use_saved=st.booleans())
def test_scan_gradient_matches_finite_differences(steps, reverse, use_saved):
    net = Elman(steps, 2, 2, 3)
    node = scan_ops.build_scan(net.step, [net.x], [net.h0], reverse=reverse)
    (stacked,), (final,), (entering,) = scan_ops.scan_results(node)
    weights = np.random.RandomState(1).standard_normal((steps, 2, 3))
    loss = total(stacked * ir.constant(weights)) + total(final * final)
    if use_saved:
        loss = loss + total(entering * entering) * 0.5
    grads = ir.gradients(loss, net.inputs)
    values = ir.evaluate(grads, net.feeds())

    def f(arrays):
        return float(ir.evaluate([loss], net.feeds(arrays))[0])

    for position, value in enumerate(values):
        expected = numeric_gradient(f, net.values, position)
        np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-7,
                                   err_msg=f"input {net.inputs[position].attrs['name']}")


def masked_two_state_graph():
    """A bool sequence (no gradient) and two states carried over where the mask is 0.

    Returns (loss, inputs, arrays)."""
    x = placeholder((4, 2, 3), "float64", "x")
    mask = placeholder((4, 2, 1), "bool", "mask")
    h0 = placeholder((2, 3), "float64", "h0")
    c0 = placeholder((2, 3), "float64", "c0")
    W = placeholder((3, 3), "float64", "W")

    def step(slices, states, consts):
        xt, mt = slices
        h, c = states
        c_new = c * 0.5 + tanh(matmul(xt, W) + h)
        h_new = tanh(c_new) * c
        return [h_new], [where(mt, h_new, h), where(mt, c_new, c)]

    node = scan_ops.build_scan(step, [x, mask], [h0, c0])
    (stacked,), (h_final, c_final), _ = scan_ops.scan_results(node)
    loss = total(stacked * stacked) + total(h_final * c_final)
    rng = np.random.RandomState(3)
    arrays = [rng.standard_normal((4, 2, 3)), rng.rand(4, 2, 1) > 0.4,
              rng.standard_normal((2, 3)), rng.standard_normal((2, 3)),
              rng.standard_normal((3, 3)) * 0.5]
    return loss, [x, mask, h0, c0, W], arrays


def test_scan_gradient_with_mask_sequence_and_two_states():
    loss, inputs, arrays = masked_two_state_graph()
    grads = ir.gradients(loss, inputs)
    assert grads[1] is None
    feeds = {id(p): a for p, a in zip(inputs, arrays)}
    values = ir.evaluate([g for g in grads if g is not None], feeds)

    def f(current):
        return float(ir.evaluate([loss], {id(p): a for p, a in zip(inputs, current)})[0])

    for position, value in zip([0, 2, 3, 4], values):
        expected = numeric_gradient(f, arrays, position)
        np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-7)


def test_weight_gradients_are_one_gemm_after_the_loop_or_accumulated_in_it():
    """h U gives sum_t h_t^T dz_t as one matmul after the backward loop; a scalar weight
    (alpha * h) has no such form and is accumulated in the loop. Both match finite differences."""
    x = placeholder((5, 2, 3), "float64", "x")
    h0 = placeholder((2, 3), "float64", "h0")
    U = placeholder((3, 3), "float64", "U")
    alpha = placeholder((), "float64", "alpha")

    def step(slices, states, consts):
        h = tanh(matmul(states[0], U) * alpha + slices[0])
        return [h], [h]

    node = scan_ops.build_scan(step, [x], [h0])
    (stacked,), _, _ = scan_ops.scan_results(node)
    loss = total(stacked * stacked)
    inputs = [x, h0, U, alpha]
    g_u, g_alpha = ir.gradients(loss, [U, alpha])
    (back,) = [n for n in ir.topological_order([g_u]) if n.op == "scan" and n is not node]
    assert g_u.op == "matmul" and back in ir.topological_order([g_u])
    back_ops = [n.op for n in ir.topological_order(list(back.attrs["body"].roots))]
    assert back_ops.count("matmul") == 1          # dz U^T only: no per-step weight GEMM
    assert back in ir.topological_order([g_alpha]) and g_alpha.op == "tuple_get"
    rng = np.random.RandomState(9)
    arrays = [rng.standard_normal((5, 2, 3)), rng.standard_normal((2, 3)),
              rng.standard_normal((3, 3)) * 0.5, np.array(0.7)]
    feeds = {id(p): a for p, a in zip(inputs, arrays)}
    values = ir.evaluate([g_u, g_alpha], feeds)

    def f(current):
        return float(ir.evaluate([loss], {id(p): a for p, a in zip(inputs, current)})[0])

    for position, value in zip([2, 3], values):
        np.testing.assert_allclose(value, numeric_gradient(f, arrays, position),
                                   rtol=1e-5, atol=1e-7)


def test_scan_without_saved_states_recomputes_them_for_the_gradient():
    net = Elman(3, 2, 2, 2)
    node = scan_ops.build_scan(net.step, [net.x], [net.h0], save_states=False)
    assert len(node.type) == 2
    (stacked,), (final,), saved = scan_ops.scan_results(node)
    assert saved == []
    loss = total(stacked) + total(final)
    grads = ir.gradients(loss, [net.W])
    saving = scan_ops.build_scan(net.step, [net.x], [net.h0])
    (stacked2,), (final2,), _ = scan_ops.scan_results(saving)
    grads2 = ir.gradients(total(stacked2) + total(final2), [net.W])
    a, b = ir.evaluate(grads + grads2, net.feeds())
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_second_order_through_scan_matches_finite_differences():
    """d/dW of (d loss/dW . v): the gradient of a backward scan is a third scan."""
    net = Elman(3, 2, 2, 2)
    node = scan_ops.build_scan(net.step, [net.x], [net.h0])
    (stacked,), _, _ = scan_ops.scan_results(node)
    loss = total(stacked * stacked)
    (g_w,) = ir.gradients(loss, [net.W])
    v = ir.constant(np.array([[0.3, -0.2], [0.5, 0.1]]))
    directional = total(g_w * v)
    (hess_v,) = ir.gradients(directional, [net.W])
    value = ir.evaluate([hess_v], net.feeds())[0]

    def f(arrays):
        return float(ir.evaluate([directional], net.feeds(arrays))[0])

    expected = numeric_gradient(f, net.values, 2)
    np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-7)


def test_scan_over_integer_state_counts_steps():
    x = placeholder((5, 2), "float32", "x")
    count0 = ir.constant(np.int32(0))

    def step(slices, states, consts):
        return [slices[0] * cast(states[0], dtype="float32")], [states[0] + 1]

    node = scan_ops.build_scan(step, [x], [count0])
    (stacked,), (count,), _ = scan_ops.scan_results(node)
    xv = np.arange(10, dtype=np.float32).reshape(5, 2)
    out, n = ir.evaluate([stacked, count], {id(x): xv})
    assert int(n) == 5
    np.testing.assert_allclose(out, xv * np.arange(5)[:, None])
    (gx,) = ir.gradients(total(stacked), [x])
    np.testing.assert_allclose(ir.evaluate([gx], {id(x): xv})[0],
                               np.repeat(np.arange(5.0)[:, None], 2, axis=1))


def test_nested_scan_lifts_outer_slices():
    """A scan inside a step reads the outer step's slice: it becomes an inner non-sequence."""
    x = placeholder((3, 4, 2), "float64", "x")
    s0 = placeholder((2,), "float64", "s0")

    def outer(slices, states, consts):
        row = slices[0]                              # (4, 2): an inner sequence of 4 steps

        def inner(inner_slices, inner_states, inner_consts):
            acc = inner_states[0] + inner_slices[0] * states[0]
            return [], [acc]

        inner_node = scan_ops.build_scan(inner, [row], [states[0]])
        _, (acc,), _ = scan_ops.scan_results(inner_node)
        return [acc], [tanh(acc)]

    node = scan_ops.build_scan(outer, [x], [s0])
    (stacked,), (final,), _ = scan_ops.scan_results(node)
    rng = np.random.RandomState(5)
    xv, sv = rng.standard_normal((3, 4, 2)), rng.standard_normal(2)
    got, got_final = ir.evaluate([stacked, final], {id(x): xv, id(s0): sv})
    s, want = sv, []
    for t in range(3):
        acc = s + (xv[t] * s).sum(axis=0)
        want.append(acc)
        s = np.tanh(acc)
    np.testing.assert_allclose(got, np.stack(want))
    np.testing.assert_allclose(got_final, s)
    (gs,) = ir.gradients(total(stacked) + total(final), [s0])

    def f(arrays):
        return float(ir.evaluate([total(stacked) + total(final)],
                                 {id(x): arrays[0], id(s0): arrays[1]})[0])

    np.testing.assert_allclose(ir.evaluate([gs], {id(x): xv, id(s0): sv})[0],
                               numeric_gradient(f, [xv, sv.copy()], 1), rtol=1e-5, atol=1e-7)


def elman_graph():
    net = Elman(5, 3, 2, 4)
    node = scan_ops.build_scan(net.step, [net.x], [net.h0], reverse=True)
    (stacked,), (final,), _ = scan_ops.scan_results(node)
    return total(stacked) + total(final * final), net.inputs, net.values


def counter_graph():
    """An integer state next to a float one, and a per-step random draw (kept in the loop)."""
    x = placeholder((5, 2), "float32", "x")

    def step(slices, states, consts):
        count, acc = states
        noise = ir.get_op("random")(ir.get_op("shape_of")(slices[0]),
                                    distribution="uniform", a=0.0, b=0.0, dtype="float32",
                                    rng=ir.RngState(0), hint=(2,))
        acc = acc * 0.5 + slices[0] * cast(count, dtype="float32") + noise
        return [acc], [count + 1, acc]

    node = scan_ops.build_scan(step, [x], [ir.constant(np.int32(0)),
                                           ir.constant(np.zeros(2, np.float32))])
    (stacked,), _, _ = scan_ops.scan_results(node)
    return total(stacked * stacked), [x], [np.arange(10, dtype=np.float32).reshape(5, 2)]


def test_random_draws_are_per_step_only_when_they_depend_on_the_step():
    x = placeholder((6, 50), "float32", "x")
    outer = ir.get_op("random")(ir.get_op("shape_of")(x), distribution="binomial", a=0.5,
                                b=0.0, dtype="float32", rng=ir.RngState(1), hint=(6, 50))
    fixed = ir.get_op("index")(outer, items=(("int", 0),))

    def step(slices, states, consts):
        fresh = ir.get_op("random")(ir.get_op("shape_of")(slices[0]), distribution="binomial",
                                    a=0.5, b=0.0, dtype="float32", rng=ir.RngState(2),
                                    hint=(50,))
        return [slices[0] * fixed, slices[0] * fresh], []

    node = scan_ops.build_scan(step, [x], [])
    (with_fixed, with_fresh), _, _ = scan_ops.scan_results(node)
    a, b = ir.evaluate([with_fixed, with_fresh], {id(x): np.ones((6, 50), np.float32)})
    assert all(np.array_equal(a[0], a[t]) for t in range(6))
    assert not all(np.array_equal(b[0], b[t]) for t in range(6))


@pytest.mark.parametrize("build", [elman_graph, masked_two_state_graph, counter_graph])
@pytest.mark.parametrize("compiled", [False, True])
def test_scan_kernel_matches_reference(build, compiled):
    """Every scan of a loss and its gradient: the kernel's step (compiled body or schedule)
    against the reference."""
    from graphkeras.runtime.kernels.scan import body_step, run_scan
    loss, inputs, arrays = build()
    grads = [g for g in ir.gradients(loss, inputs) if g is not None]
    feeds = {id(p): a for p, a in zip(inputs, arrays)}
    scans = [n for n in ir.topological_order([loss] + grads) if n.op == "scan"]
    assert len(scans) >= 2
    for node in scans:
        values = ir.evaluate(list(node.inputs), feeds)
        want = ir.evaluate([node], feeds)[0]
        body = node.attrs["body"]
        got = run_scan(body_step(body, compiled), values, body, node.attrs["reverse"],
                       node.attrs["save_states"])
        assert len(got) == len(want)
        for a, b in zip(got, want):
            assert a.dtype == b.dtype
            np.testing.assert_allclose(a, b, rtol=1e-6)
    kernel = find_kernel("scan")
    node = scans[0]
    got = kernel(node.attrs, *ir.evaluate(list(node.inputs), feeds))
    np.testing.assert_allclose(got[0], ir.evaluate([node], feeds)[0][0], rtol=1e-6)


def test_scan_errors_name_the_problem():
    net = Elman(3, 2, 2, 2)
    with pytest.raises(TypeError, match="state 0 enters the step as float64"):
        scan_ops.build_scan(lambda s, h, c: ([], [cast(h[0], dtype="float32")]),
                            [net.x], [net.h0])
    with pytest.raises(ValueError, match="returns 2 states for 1 initial states"):
        scan_ops.build_scan(lambda s, h, c: ([], [h[0], h[0]]), [net.x], [net.h0])
    other = placeholder((4, 2, 2), "float64", "other")
    with pytest.raises(ValueError, match="different lengths"):
        scan_ops.build_scan(lambda s, h, c: ([s[0] + s[1]], []), [net.x, other], [])
    short = placeholder((None, 2, 2), "float64", "short")
    node = scan_ops.build_scan(lambda s, h, c: ([s[0] + s[1]], []), [short, short], [])
    with pytest.raises(ValueError, match="sequence 1 has 2 steps, sequence 0 has 3"):
        scan_ops.run_scan(node.attrs["body"].run, [np.zeros((3, 2, 2)), np.zeros((2, 2, 2))],
                          node.attrs["body"], False, True)
