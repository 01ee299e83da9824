"""Keras 2 regularizers: penalties against NumPy, names and configs."""
import numpy as np
import pytest

from graphkeras import backend as K
from graphkeras import regularizers

W = np.array([[1.0, -2.0], [0.5, -0.25]], "float32")


@pytest.mark.parametrize("regularizer,expected", [
    (regularizers.l1(0.1), 0.1 * np.abs(W).sum()),
    (regularizers.l2(0.2), 0.2 * (W ** 2).sum()),
    (regularizers.l1_l2(0.1, 0.2), 0.1 * np.abs(W).sum() + 0.2 * (W ** 2).sum()),
    (regularizers.L1(0.3), 0.3 * np.abs(W).sum()),
    (regularizers.L2(), 0.01 * (W ** 2).sum()),
    (regularizers.L1L2(l2=0.5), 0.5 * (W ** 2).sum()),
])
def test_penalty_matches_numpy(regularizer, expected):
    np.testing.assert_allclose(K.eval(regularizer(K.variable(W))), expected, rtol=1e-6)


def test_penalty_gradient():
    w = K.variable(W)
    grad = K.eval(K.gradients(regularizers.l1_l2(0.1, 0.2)(w), [w])[0])
    np.testing.assert_allclose(grad, 0.1 * np.sign(W) + 0.4 * W, rtol=1e-6)


def test_names_and_configs():
    assert isinstance(regularizers.get("l2"), regularizers.L2)
    assert regularizers.get("l2").l2 == 0.01
    assert regularizers.get(None) is None
    fixture_style = {"module": "keras.regularizers", "class_name": "L2",
                     "config": {"l2": 0.0010000000474974513}, "registered_name": None}
    l2 = regularizers.get(fixture_style)
    assert isinstance(l2, regularizers.L2)
    np.testing.assert_allclose(l2.l2, 0.001)
    keras22 = regularizers.deserialize({"class_name": "L1L2", "config": {"l1": 0.1, "l2": 0.0}})
    assert keras22.get_config() == {"l1": 0.1, "l2": 0.0}
    config = regularizers.serialize(regularizers.L1(0.5))
    assert config == {"class_name": "L1", "config": {"l1": 0.5}}
    assert regularizers.deserialize(config).get_config() == {"l1": 0.5}
    with pytest.raises(ValueError, match="Unknown regularizer"):
        regularizers.get("l3")
