"""Checks every registered op runs: the shape rule against the real output, and the gradient
rule against central finite differences in float64 (hypothesis draws shapes and values)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from graphkeras import ir
from graphkeras.ir.registry import NotDifferentiable

from .op_cases import CASES, EXEMPT, build_nodes
from tests.gradcheck import numeric_gradient

OPS = sorted(ir.all_ops())


def test_every_op_has_a_case_or_a_reason():
    missing = [name for name in OPS if name not in CASES and name not in EXEMPT]
    assert not missing, f"ops without a test case: {missing}"


def test_every_op_declares_every_field():
    for name, op in ir.all_ops().items():
        assert callable(op.reference), name
        assert op.vjp is None or callable(op.vjp) or isinstance(op.vjp, NotDifferentiable), name
        assert op.elementwise == (op.scalar is not None), f"{name}: elementwise ops need a template"
        assert op.scalar is not None or op.kernel is not None or name in (
            "placeholder", "variable", "constant"), f"{name}: no lowering"


def _run(name, data, dtype="float64"):
    rng = np.random.RandomState(data.draw(st.integers(0, 2 ** 16)))
    arrays, attrs = CASES[name](data.draw, rng, dtype)
    inputs, node = build_nodes(arrays, attrs, ir.get_op(name))
    feeds = {id(p): a for p, a in zip(inputs, arrays)}
    return arrays, attrs, inputs, node, feeds


def _check_type(node, value):
    if node.is_tuple:
        for t, v in zip(node.type.types, value):
            _check_type_one(t, v)
    else:
        _check_type_one(node.type, value)


def _check_type_one(t, value):
    assert value.dtype == np.dtype(t.dtype)
    assert len(value.shape) == len(t.shape)
    for want, got in zip(t.shape, value.shape):
        assert want is None or want == got, (t, value.shape)


@pytest.mark.parametrize("name", [n for n in OPS if n in CASES])
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_shape_rule_matches_output(name, data):
    arrays, attrs, inputs, node, feeds = _run(name, data, "float32")
    value = ir.evaluate([node], feeds)[0]
    _check_type(node, value)


def _differentiable(name):
    return not isinstance(ir.get_op(name).vjp, NotDifferentiable) and name not in (
        "equal", "not_equal", "greater", "greater_equal", "less", "less_equal", "logical_and",
        "logical_or", "logical_not", "sign", "round", "floor", "ceil", "floordiv", "any", "all",
        "argmax", "argmin", "stop_gradient")


@pytest.mark.parametrize("name", [n for n in OPS if n in CASES and _differentiable(n)])
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_gradient_matches_finite_differences(name, data):
    arrays, attrs, inputs, node, feeds = _run(name, data, "float64")
    if not node.type.is_float:
        return
    weights = np.random.RandomState(0).standard_normal(
        ir.evaluate([node], feeds)[0].shape)
    loss = ir.get_op("sum")(node * ir.constant(weights, node.dtype),
                            axes=tuple(range(node.ndim)), keepdims=False)
    wrt = [p for p, a in zip(inputs, arrays) if a.dtype.kind == "f"]
    grads = ir.gradients(loss, wrt)
    values = ir.evaluate(grads, feeds)

    def f(current):
        return float(ir.evaluate([loss], {id(p): a for p, a in zip(inputs, current)})[0])

    float_positions = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    for position, value in zip(float_positions, values):
        expected = numeric_gradient(f, arrays, position)
        np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-6,
                                   err_msg=f"{name}: input {position}")
