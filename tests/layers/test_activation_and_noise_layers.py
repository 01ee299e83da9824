"""Advanced activation layers and noise layers, against NumPy and through `layer_test`."""
import numpy as np
import pytest

from graphkeras import backend as K
from graphkeras import layers
from graphkeras.layers import Input

from .layer_test import layer_test

X = np.array([[-3.0, -1.0, -0.2, 0.0], [0.2, 0.5, 1.0, 4.0]], dtype="float32")


@pytest.mark.parametrize("cls, kwargs, reference", [
    (layers.LeakyReLU, {}, lambda x: np.where(x > 0, x, 0.3 * x)),
    (layers.LeakyReLU, {"alpha": 0.1}, lambda x: np.where(x > 0, x, 0.1 * x)),
    (layers.ELU, {"alpha": 0.5}, lambda x: np.where(x > 0, x, 0.5 * (np.exp(x) - 1))),
    (layers.ThresholdedReLU, {"theta": 0.5}, lambda x: np.where(x > 0.5, x, 0)),
    (layers.ReLU, {}, lambda x: np.maximum(x, 0)),
    (layers.ReLU, {"max_value": 0.6}, lambda x: np.clip(x, 0, 0.6)),
    (layers.ReLU, {"negative_slope": 0.1}, lambda x: np.where(x >= 0, x, 0.1 * x)),
    (layers.ReLU, {"threshold": 0.4, "negative_slope": 0.2, "max_value": 2.0},
     lambda x: np.where(x >= 2.0, 2.0, np.where(x >= 0.4, x, 0.2 * (x - 0.4)))),
    (layers.Softmax, {}, lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)),
    (layers.Softmax, {"axis": 0}, lambda x: np.exp(x) / np.exp(x).sum(0, keepdims=True)),
])
def test_activation_layer_matches_numpy(cls, kwargs, reference):
    layer_test(cls, kwargs, input_data=X, expected_output=reference(X).astype("float32"),
               rtol=1e-5, atol=1e-6)


def test_relu_rejects_negative_arguments():
    with pytest.raises(ValueError, match="max_value"):
        layers.ReLU(max_value=-1.0)
    with pytest.raises(ValueError, match="negative_slope"):
        layers.ReLU(negative_slope=-0.5)


def test_prelu_learns_one_slope_per_unit_and_shares_axes():
    x = np.random.RandomState(0).normal(size=(2, 3, 4)).astype("float32")
    alpha = np.full((3, 4), 0.25, dtype="float32")
    layer_test(layers.PReLU, {"alpha_initializer": "zeros"}, input_data=x,
               expected_output=np.maximum(x, 0))
    prelu = layers.PReLU(shared_axes=[1])
    inp = Input(shape=(3, 4))
    out = prelu(inp)
    assert prelu.alpha.shape == (1, 4)
    slopes = np.array([[0.1, 0.2, 0.3, 0.4]], dtype="float32")
    prelu.set_weights([slopes])
    got = K.function([inp], [out])([x])[0]
    np.testing.assert_allclose(got, np.where(x > 0, x, slopes * x), rtol=1e-6)
    layer_test(layers.PReLU, {"shared_axes": 1}, input_data=x)
    full = layers.PReLU()
    full(Input(shape=(3, 4)))
    full.set_weights([alpha])
    assert full.count_params() == 12


def test_prelu_unknown_dimension_must_be_shared():
    with pytest.raises(ValueError, match="PReLU.*shared_axes"):
        layers.PReLU()(Input(shape=(None, 4)))
    out = layers.PReLU(shared_axes=[1])(Input(shape=(None, 4)))
    assert K.int_shape(out) == (None, None, 4)


@pytest.mark.parametrize("cls, kwargs", [
    (layers.GaussianNoise, {"stddev": 0.5}),
    (layers.GaussianDropout, {"rate": 0.3}),
    (layers.AlphaDropout, {"rate": 0.2}),
])
def test_noise_layers_are_identity_at_inference(cls, kwargs):
    x = np.random.RandomState(1).normal(size=(3, 5)).astype("float32")
    layer_test(cls, kwargs, input_data=x, expected_output=x)


def _training_output(layer, x):
    inp = Input(shape=x.shape[1:])
    return K.function([inp], [layer(inp, training=True)])([x])[0]


def test_gaussian_noise_adds_noise_of_given_stddev_in_training():
    x = np.zeros((400, 50), dtype="float32")
    out = _training_output(layers.GaussianNoise(0.5, seed=3), x)
    assert abs(out.mean()) < 0.02
    assert abs(out.std() - 0.5) < 0.02


def test_gaussian_dropout_multiplies_by_unit_mean_noise():
    x = np.ones((400, 50), dtype="float32")
    rate = 0.3
    out = _training_output(layers.GaussianDropout(rate, seed=4), x)
    assert abs(out.mean() - 1) < 0.02
    assert abs(out.std() - np.sqrt(rate / (1 - rate))) < 0.02


def test_alpha_dropout_keeps_mean_and_variance_of_standard_inputs():
    x = np.random.RandomState(5).normal(size=(500, 60)).astype("float32")
    out = _training_output(layers.AlphaDropout(0.2, seed=6), x)
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.2) * (1 + 0.2 * alpha_p ** 2)) ** -0.5
    dropped_value = a * alpha_p + (-a * alpha_p * 0.2)
    dropped = np.isclose(out, dropped_value, atol=1e-6)
    assert abs(dropped.mean() - 0.2) < 0.02
    np.testing.assert_allclose(out[~dropped], (a * x + (-a * alpha_p * 0.2))[~dropped],
                               rtol=1e-5, atol=1e-5)
    assert abs(out.mean()) < 0.05 and abs(out.std() - 1) < 0.05


def test_alpha_dropout_noise_shape_with_none_entries():
    x = np.ones((10, 4, 30), dtype="float32")
    out = _training_output(layers.AlphaDropout(0.5, noise_shape=(None, 1, 30), seed=2), x)
    assert np.all(out == out[:, :1, :])


def test_rate_outside_zero_one_disables_noise():
    x = np.random.RandomState(7).normal(size=(3, 5)).astype("float32")
    np.testing.assert_array_equal(_training_output(layers.GaussianDropout(0.0), x), x)
    np.testing.assert_array_equal(_training_output(layers.AlphaDropout(1.0), x), x)
    np.testing.assert_array_equal(_training_output(layers.Dropout(0.0), x), x)
