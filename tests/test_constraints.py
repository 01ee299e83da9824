"""Keras 2 constraints against NumPy, names and configs."""
import numpy as np
import pytest

from graphkeras import backend as K
from graphkeras import constraints

EPS = 1e-7
W = np.array([[3.0, -0.1, 0.0], [4.0, 0.2, -0.5]], "float32")  # column norms 5, ~0.22, 0.5


def _apply(constraint, w=W):
    return K.eval(constraint(K.variable(w)))


def _norms(w, axis=0):
    return np.sqrt((w ** 2).sum(axis=axis, keepdims=True))


def test_max_norm():
    norms = _norms(W)
    expected = W * np.clip(norms, 0, 2.0) / (EPS + norms)
    np.testing.assert_allclose(_apply(constraints.max_norm(2.0)), expected, rtol=1e-6)
    rows = _norms(W, 1)
    np.testing.assert_allclose(_apply(constraints.MaxNorm(1.0, axis=1)),
                               W * np.clip(rows, 0, 1.0) / (EPS + rows), rtol=1e-6)


def test_non_neg_and_unit_norm():
    np.testing.assert_array_equal(_apply(constraints.non_neg()), np.maximum(W, 0))
    np.testing.assert_allclose(_apply(constraints.unit_norm()), W / (EPS + _norms(W)), rtol=1e-6)


def test_min_max_norm_with_rate():
    norms = _norms(W)
    desired = 0.5 * np.clip(norms, 0.3, 1.0) + 0.5 * norms
    np.testing.assert_allclose(_apply(constraints.min_max_norm(0.3, 1.0, rate=0.5)),
                               W * desired / (EPS + norms), rtol=1e-6)


def test_conv_kernel_axes():
    kernel = np.random.RandomState(0).normal(size=(3, 3, 2, 4)).astype("float32")
    out = _apply(constraints.MaxNorm(1.0, axis=[0, 1, 2]), kernel)
    assert np.all(np.sqrt((out ** 2).sum(axis=(0, 1, 2))) <= 1.0 + 1e-5)


@pytest.mark.parametrize("name,cls", [
    ("max_norm", constraints.MaxNorm), ("MaxNorm", constraints.MaxNorm),
    ("non_neg", constraints.NonNeg), ("NonNeg", constraints.NonNeg),
    ("unit_norm", constraints.UnitNorm), ("UnitNorm", constraints.UnitNorm),
    ("min_max_norm", constraints.MinMaxNorm), ("MinMaxNorm", constraints.MinMaxNorm),
])
def test_names_resolve(name, cls):
    assert isinstance(constraints.get(name), cls)


def test_config_round_trip_and_fixture_format():
    config = constraints.serialize(constraints.MinMaxNorm(0.1, 2.0, 0.5, axis=1))
    again = constraints.deserialize(config)
    assert again.get_config() == {"min_value": 0.1, "max_value": 2.0, "rate": 0.5, "axis": 1}
    fixture_style = {"module": "keras.constraints", "class_name": "MaxNorm",
                     "config": {"max_value": 2.0, "axis": 0}, "registered_name": None}
    assert constraints.get(fixture_style).max_value == 2.0
    assert constraints.get(None) is None
    with pytest.raises(ValueError, match="Unknown constraint"):
        constraints.get("positive")
