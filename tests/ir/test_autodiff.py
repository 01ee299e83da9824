"""Autodiff walks: several losses with seeds, shared subexpressions, disconnection, errors."""
import numpy as np
import pytest

from graphkeras import ir
from graphkeras.ir.ops import elementwise as E
from graphkeras.ir.ops import reduction as R
from graphkeras.ir.ops.leaves import placeholder


def test_seeded_gradients_equal_gradient_of_weighted_sum():
    x = placeholder((3,), "float64", "x")
    a, b = E.tanh(x), x * x
    ga, gb = ir.constant(np.array([1.0, 2.0, 3.0])), ir.constant(np.array([0.5, 0.0, -1.0]))
    seeded = ir.gradients([a, b], [x], seed=[ga, gb])[0]
    total = R.sum_(a * ga + b * gb, axes=(0,), keepdims=False)
    plain = ir.gradients(total, [x])[0]
    feeds = {id(x): np.array([0.1, -0.4, 2.0])}
    np.testing.assert_allclose(*ir.evaluate([seeded, plain], feeds))


def test_shared_subexpression_sums_its_contributions():
    x = placeholder((), "float64", "x")
    y = x * x
    z = y * y + y          # x^4 + x^2
    g = ir.gradients(z, [x])[0]
    value = ir.evaluate([g], {id(x): np.array(1.5)})[0]
    np.testing.assert_allclose(value, 4 * 1.5 ** 3 + 2 * 1.5)


def test_not_differentiable_op_on_the_path_is_an_error_naming_it():
    x = placeholder((3,), "float32", "x")
    y = E.cast(R.argmax(x, axis=0), dtype="float32")
    assert ir.gradients(y * x, [x])[0] is not None   # argmax is cut: its output is integer
    from graphkeras.ir.ops.ctc import ctc_loss_grad
    lp = placeholder((1, 2, 2), "float64", "lp")
    ints = [ir.constant(np.array(v, np.int32)) for v in ([[0]], [2], [1])]
    second = ctc_loss_grad(ir.constant(np.ones(1)), lp, *ints)
    with pytest.raises(ValueError, match="'ctc_loss_grad' is not differentiable"):
        ir.gradients(R.sum_(second, axes=(0, 1, 2), keepdims=False), [lp])


def test_deep_chain_does_not_recurse():
    x = placeholder((), "float64", "x")
    y = x
    for _ in range(5000):
        y = y * 1.0001
    g = ir.gradients(y, [x])[0]
    np.testing.assert_allclose(ir.evaluate([g], {id(x): np.array(1.0)})[0], 1.0001 ** 5000)
