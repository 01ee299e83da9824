"""Softmax and sigmoid cross-entropies, written as Keras 2 writes them, become stable forms."""
import numpy as np
import pytest

from graphkeras import ir
from graphkeras.ir.ops import elementwise as ew
from graphkeras.ir.ops import reduction as red
from graphkeras.ir.ops.leaves import placeholder
from graphkeras.passes import optimize, simplify_algebra, stabilize_numerics

from .helpers import run_pass

EPSILON = 1e-7


def clip(p, lo, hi):
    return ew.minimum(ew.maximum(p, ir.constant(lo, p.dtype)), ir.constant(hi, p.dtype))


def softmax(x, shifted):
    if shifted:
        x = x - red.max_(x, axes=(1,), keepdims=True)
    e = ew.exp(x)
    return e / red.sum_(e, axes=(1,), keepdims=True)


def sigmoid(x):
    return 1.0 / (1.0 + ew.exp(-x))


def categorical_crossentropy(target, output):
    """Keras 2 (TensorFlow backend): renormalise, clip to [eps, 1 - eps], -sum(t log p)."""
    output = output / red.sum_(output, axes=(1,), keepdims=True)
    output = clip(output, EPSILON, 1 - EPSILON)
    return -red.sum_(target * ew.log(output), axes=(1,), keepdims=False)


def binary_crossentropy_theano(target, output):
    output = clip(output, EPSILON, 1 - EPSILON)
    return -(target * ew.log(output) + (1.0 - target) * ew.log(1.0 - output))


def binary_crossentropy_tensorflow(target, output):
    output = clip(output, EPSILON, 1 - EPSILON)
    z = ew.log(output / (1.0 - output))
    zero = ir.constant(0, "float32")
    return ew.maximum(z, zero) - z * target + ew.log1p(ew.exp(-ew.abs_(z)))


def clipped_reference_cce(logits, target):
    """The clipped cross-entropy in float64, from logits (what Keras means)."""
    logits = logits.astype(np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -(target * np.clip(log_p, np.log(EPSILON), np.log1p(-EPSILON))).sum(axis=1)


def clipped_reference_bce(logits, target):
    """In float64 but with the float32 bounds Keras clips to (1 - eps rounds in float32)."""
    lo, hi = np.float64(np.float32(EPSILON)), np.float64(np.float32(1 - EPSILON))
    p = np.clip(1 / (1 + np.exp(-logits.astype(np.float64))), lo, hi)
    return -(target * np.log(p) + (1 - target) * np.log(1 - p))


@pytest.fixture
def inputs():
    logits = placeholder((None, 4), "float32", "logits")
    target = placeholder((None, 4), "float32", "target")
    return logits, target


def feeds(logits, target, scale):
    rng = np.random.default_rng(3)
    z = (rng.standard_normal((5, 4)) * scale).astype("float32")
    t = np.eye(4, dtype="float32")[rng.integers(0, 4, 5)]
    return {id(logits): z, id(target): t}


@pytest.mark.parametrize("shifted", [True, False])
def test_softmax_crossentropy_keeps_values_for_moderate_logits(inputs, shifted):
    logits, target = inputs
    graph = ir.Graph([logits, target],
                     [categorical_crossentropy(target, softmax(logits, shifted))])
    optimized = run_pass(simplify_algebra, graph, feeds(logits, target, 3.0), rtol=1e-5)
    assert not any(n.op == "log" and n.inputs[0].op == "minimum" for n in optimized.nodes)


@pytest.mark.parametrize("shifted", [True, False])
def test_softmax_crossentropy_is_finite_for_large_logits(inputs, shifted):
    logits, target = inputs
    graph = ir.Graph([logits, target],
                     [categorical_crossentropy(target, softmax(logits, shifted))])
    fed = feeds(logits, target, 100.0)
    with np.errstate(all="ignore"):
        naive = ir.evaluate(graph.outputs, fed)[0]
    stable = ir.evaluate(optimize(graph).outputs, fed)[0]
    assert np.all(np.isfinite(stable))
    if not shifted:
        assert not np.all(np.isfinite(naive))  # exp(100) overflows float32
    expected = clipped_reference_cce(fed[id(logits)], fed[id(target)])
    np.testing.assert_allclose(stable, expected, rtol=1e-5, atol=1e-5)


def test_gradient_of_the_stabilized_loss_is_finite(inputs):
    logits, target = inputs
    loss = red.mean(categorical_crossentropy(target, softmax(logits, shifted=False)),
                    axes=(0,), keepdims=False)
    stable_loss = simplify_algebra(ir.Graph([logits, target], [loss])).outputs[0]
    gradient = ir.gradients(stable_loss, [logits])[0]
    with np.errstate(all="ignore"):
        value = ir.evaluate([gradient], feeds(logits, target, 100.0))[0]
    assert np.all(np.isfinite(value))


@pytest.mark.parametrize("loss", [binary_crossentropy_theano, binary_crossentropy_tensorflow])
def test_sigmoid_crossentropy_keeps_values_for_moderate_logits(inputs, loss):
    logits, target = inputs
    graph = ir.Graph([logits, target], [loss(target, sigmoid(logits))])
    optimized = run_pass(simplify_algebra, graph, feeds(logits, target, 2.0), rtol=1e-4,
                         atol=1e-5)
    assert not any(n.op == "log" and n.inputs[0].op in ("minimum", "sub", "div")
                   for n in optimized.nodes)


@pytest.mark.parametrize("loss", [binary_crossentropy_theano, binary_crossentropy_tensorflow])
def test_sigmoid_crossentropy_is_finite_for_large_logits(inputs, loss):
    logits, target = inputs
    graph = ir.Graph([logits, target], [loss(target, sigmoid(logits))])
    fed = feeds(logits, target, 100.0)
    stable_loss = simplify_algebra(graph).outputs[0]
    with np.errstate(all="ignore"):
        value = ir.evaluate([stable_loss], fed)[0]
        gradient = ir.evaluate(ir.gradients(stable_loss, [logits]), fed)[0]
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(gradient))
    expected = clipped_reference_bce(fed[id(logits)], fed[id(target)])
    np.testing.assert_allclose(value, expected, rtol=1e-3, atol=1e-5)


def backend_losses():
    from graphkeras import backend as K
    x = K.placeholder(shape=(None, 4))
    t = K.placeholder(shape=(None, 4))
    return x.node, t.node, {
        "categorical": K.categorical_crossentropy(t, K.softmax(x)).node,
        "binary": K.binary_crossentropy(t, K.sigmoid(x)).node,
    }


@pytest.mark.parametrize("kind", ["categorical", "binary"])
def test_backend_losses_are_recognised_and_rewritten(kind):
    logits, target, losses = backend_losses()
    graph = ir.Graph([logits, target], [losses[kind]])
    run_pass(simplify_algebra, graph, feeds(logits, target, 3.0), rtol=1e-4, atol=1e-5)
    optimized = simplify_algebra(graph)
    assert not any(n.op == "log" and n.inputs[0].op in ("minimum", "div")
                   for n in optimized.nodes)
    with np.errstate(all="ignore"):
        value = ir.evaluate(optimized.outputs, feeds(logits, target, 100.0))[0]
    assert np.all(np.isfinite(value))


@pytest.mark.parametrize("kind", ["categorical", "binary"])
def test_stabilize_numerics_before_autodiff_gives_finite_gradients(kind):
    logits, target, losses = backend_losses()
    graph = ir.Graph([logits, target], [losses[kind]])
    stable = stabilize_numerics(graph)
    assert [n.op for n in graph.nodes].count("stop_gradient") == \
        [n.op for n in stable.nodes].count("stop_gradient")
    fed = feeds(logits, target, 100.0)
    with np.errstate(all="ignore"):
        naive = ir.evaluate(ir.gradients(graph.outputs[0], [logits]), fed)[0]
        gradient = ir.evaluate(ir.gradients(stable.outputs[0], [logits]), fed)[0]
        moderate = feeds(logits, target, 2.0)
        expected = ir.evaluate(ir.gradients(graph.outputs[0], [logits]), moderate)[0]
        got = ir.evaluate(ir.gradients(stable.outputs[0], [logits]), moderate)[0]
    assert np.all(np.isfinite(gradient))
    np.testing.assert_allclose(got, expected, rtol=1e-3, atol=1e-5)
    if kind == "binary":
        # The sigmoid primitive's gradient, z * (1 - z), is finite even unstabilized.
        assert np.all(np.isfinite(naive))
