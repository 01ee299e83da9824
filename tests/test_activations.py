"""Keras 2 activations against NumPy, and get / serialize / deserialize."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkeras import activations
from graphkeras import backend as K

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


_erf = np.vectorize(math.erf)

NUMPY_ACTIVATIONS = {
    "softmax": _softmax,
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x)),
    "softplus": lambda x: np.logaddexp(0, x),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "relu": lambda x: np.maximum(x, 0),
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "hard_sigmoid": lambda x: np.clip(0.2 * x + 0.5, 0, 1),
    "exponential": np.exp,
    "linear": lambda x: x,
    "gelu": lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2))),
    "swish": lambda x: x * _sigmoid(x),
}


def _apply(fn, x, **kwargs):
    return K.eval(fn(K.constant(x), **kwargs))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2 ** 16), rows=st.integers(1, 4), cols=st.integers(2, 5))
def test_every_activation_matches_numpy(seed, rows, cols):
    x = np.random.RandomState(seed).uniform(-6, 6, (rows, cols)).astype("float32")
    for name, reference in NUMPY_ACTIVATIONS.items():
        np.testing.assert_allclose(_apply(activations.get(name), x), reference(x.astype("float64")),
                                   rtol=1e-5, atol=1e-6, err_msg=name)


def test_softmax_axis_and_rank_3():
    x = np.random.RandomState(0).normal(size=(2, 3, 4)).astype("float32")
    np.testing.assert_allclose(_apply(activations.softmax, x), _softmax(x), rtol=1e-5)
    np.testing.assert_allclose(_apply(activations.softmax, x, axis=1), _softmax(x, 1), rtol=1e-5)


def test_softmax_rejects_1d_input():
    with pytest.raises(ValueError, match="1D"):
        activations.softmax(K.constant(np.ones(3, "float32")))


def test_relu_arguments_and_elu_alpha():
    x = np.array([[-2.0, -0.5, 0.5, 1.5, 7.0]], "float32")
    expected = np.where(x >= 1.0, np.minimum(x, 6.0), 0.1 * (x - 1.0))
    np.testing.assert_allclose(_apply(activations.relu, x, alpha=0.1, max_value=6.0,
                                      threshold=1.0), expected, rtol=1e-6)
    np.testing.assert_allclose(_apply(activations.elu, x, alpha=0.5),
                               np.where(x > 0, x, 0.5 * np.expm1(x)), rtol=1e-6)


def test_gelu_tanh_approximation():
    x = np.linspace(-4, 4, 9, dtype="float32").reshape(1, 9)
    expected = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
    np.testing.assert_allclose(_apply(activations.gelu, x, approximate=True), expected,
                               rtol=1e-5, atol=1e-6)


def test_get_serialize_deserialize():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get(activations.tanh) is activations.tanh
    assert activations.serialize(activations.softmax) == "softmax"
    assert activations.deserialize("selu") is activations.selu
    assert activations.get({"class_name": "function", "config": "sigmoid"}) is activations.sigmoid

    def custom(x):
        return x * 2

    assert activations.deserialize("custom", custom_objects={"custom": custom}) is custom
    with pytest.raises(ValueError, match="Unknown activation function: nope"):
        activations.get("nope")
    with pytest.raises(ValueError, match="Could not interpret activation"):
        activations.get(3)


def test_activation_gradients_exist():
    x = K.variable(np.array([[-1.0, 0.5, 2.0]], "float32"))
    for name in NUMPY_ACTIVATIONS:
        grad = K.gradients(K.sum(activations.get(name)(x)), [x])[0]
        assert np.all(np.isfinite(K.eval(grad))), name


def test_custom_object_scope_and_global_registry():
    from graphkeras.utils.generic_utils import (CustomObjectScope, custom_object_scope,
                                                get_custom_objects)

    def scaled_tanh(x):
        return 2 * K.tanh(x)

    with CustomObjectScope({"scaled_tanh": scaled_tanh}):
        assert activations.get("scaled_tanh") is scaled_tanh
    with pytest.raises(ValueError, match="Unknown activation function: scaled_tanh"):
        activations.get("scaled_tanh")
    with custom_object_scope({"scaled_tanh": scaled_tanh}):
        assert activations.deserialize("scaled_tanh") is scaled_tanh
    get_custom_objects()["scaled_tanh"] = scaled_tanh
    try:
        assert activations.get("scaled_tanh") is scaled_tanh
    finally:
        del get_custom_objects()["scaled_tanh"]


def test_func_dump_and_load_keep_code_defaults_and_closure():
    from graphkeras.utils.generic_utils import func_dump, func_load, has_arg
    factor = 3.0

    def shifted(x, shift=1.0):
        return x * factor + shift

    loaded = func_load(func_dump(shifted))
    assert loaded(2.0) == 7.0 and loaded(2.0, shift=0.0) == 6.0
    code, defaults, closure = func_dump(shifted)
    assert func_load(code, defaults=list(defaults), closure=closure)(1.0) == 4.0
    assert has_arg(shifted, "shift") and not has_arg(shifted, "mask")
    assert has_arg(lambda x, **kwargs: x, "mask", accept_all=True)
