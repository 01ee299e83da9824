"""Keras 2 losses against NumPy transcriptions, their aliases, and the loss classes."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkeras import backend as K
from graphkeras import losses

EPS = 1e-7


def _np_l2_normalize(x):
    return x / np.sqrt(np.maximum(np.sum(x * x, axis=-1, keepdims=True), 1e-12))


def _np_softplus(x):
    return np.logaddexp(0.0, x)


NUMPY_LOSSES = {
    "mean_squared_error": lambda t, p: np.mean((p - t) ** 2, axis=-1),
    "mean_absolute_error": lambda t, p: np.mean(np.abs(p - t), axis=-1),
    "mean_absolute_percentage_error":
        lambda t, p: 100 * np.mean(np.abs((t - p) / np.maximum(np.abs(t), EPS)), axis=-1),
    "mean_squared_logarithmic_error":
        lambda t, p: np.mean((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1))
                             ** 2, axis=-1),
    "squared_hinge": lambda t, p: np.mean(np.maximum(1 - t * p, 0) ** 2, axis=-1),
    "hinge": lambda t, p: np.mean(np.maximum(1 - t * p, 0), axis=-1),
    "categorical_hinge":
        lambda t, p: np.maximum(0, np.max((1 - t) * p, axis=-1) - np.sum(t * p, axis=-1) + 1),
    "logcosh": lambda t, p: np.mean(np.log(np.cosh(p - t)), axis=-1),
    "huber": lambda t, p: np.mean(np.where(np.abs(p - t) <= 1.0, 0.5 * (p - t) ** 2,
                                           np.abs(p - t) - 0.5), axis=-1),
    "categorical_crossentropy":
        lambda t, p: -np.sum(t * np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)),
                             axis=-1),
    "binary_crossentropy":
        lambda t, p: np.mean(-(t * np.log(np.clip(p, EPS, 1 - EPS))
                               + (1 - t) * np.log(1 - np.clip(p, EPS, 1 - EPS))), axis=-1),
    "kullback_leibler_divergence":
        lambda t, p: np.sum(np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1)),
                            axis=-1),
    "poisson": lambda t, p: np.mean(p - t * np.log(p + EPS), axis=-1),
    "cosine_proximity":
        lambda t, p: -np.sum(_np_l2_normalize(t) * _np_l2_normalize(p), axis=-1),
}

ALIASES = {
    "mse": "mean_squared_error", "MSE": "mean_squared_error",
    "mae": "mean_absolute_error", "MAE": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error", "MAPE": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error", "MSLE": "mean_squared_logarithmic_error",
    "kld": "kullback_leibler_divergence", "KLD": "kullback_leibler_divergence",
    "cosine": "cosine_proximity", "cosine_similarity": "cosine_proximity",
    "log_cosh": "logcosh", "huber_loss": "huber",
}


def _probabilities(rng, shape):
    p = rng.uniform(0.05, 1.0, shape)
    return (p / p.sum(-1, keepdims=True)).astype("float32")


def _evaluate(fn, y_true, y_pred, **kwargs):
    return K.eval(fn(K.constant(y_true), K.constant(y_pred), **kwargs))


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2 ** 16), batch=st.integers(1, 5), classes=st.integers(2, 6))
def test_every_loss_matches_numpy(seed, batch, classes):
    rng = np.random.RandomState(seed)
    y_true = _probabilities(rng, (batch, classes))
    y_pred = _probabilities(rng, (batch, classes))
    for name, reference in NUMPY_LOSSES.items():
        actual = _evaluate(losses.get(name), y_true, y_pred)
        assert actual.shape == (batch,), name
        np.testing.assert_allclose(actual, reference(y_true, y_pred), rtol=2e-5, atol=1e-6,
                                   err_msg=name)


@pytest.mark.parametrize("alias,name", sorted(ALIASES.items()))
def test_alias_is_the_same_function(alias, name):
    assert losses.get(alias) is getattr(losses, name)
    assert getattr(losses, alias) is getattr(losses, name)


def test_sparse_categorical_crossentropy_accepts_ids_with_or_without_trailing_axis():
    rng = np.random.RandomState(0)
    p = _probabilities(rng, (4, 3))
    ids = np.array([0, 2, 1, 2])
    expected = -np.log(p[np.arange(4), ids])
    for target in (ids.astype("float32"), ids.reshape(4, 1).astype("float32")):
        actual = _evaluate(losses.sparse_categorical_crossentropy, target, p)
        np.testing.assert_allclose(actual, expected, rtol=1e-5)


def test_from_logits_equals_softmax_then_probabilities():
    rng = np.random.RandomState(1)
    logits = rng.normal(size=(5, 4)).astype("float32")
    target = _probabilities(rng, (5, 4))
    probabilities = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    from_logits = _evaluate(losses.categorical_crossentropy, target, logits, from_logits=True)
    np.testing.assert_allclose(from_logits, NUMPY_LOSSES["categorical_crossentropy"](
        target, probabilities), rtol=1e-5)
    binary = _evaluate(losses.binary_crossentropy, target, logits, from_logits=True)
    sigmoid = 1 / (1 + np.exp(-logits))
    np.testing.assert_allclose(binary, NUMPY_LOSSES["binary_crossentropy"](target, sigmoid),
                               rtol=1e-5)


def test_label_smoothing_moves_targets_towards_uniform():
    rng = np.random.RandomState(2)
    p = _probabilities(rng, (3, 4))
    onehot = np.eye(4, dtype="float32")[[0, 3, 1]]
    actual = _evaluate(losses.categorical_crossentropy, onehot, p, label_smoothing=0.2)
    smoothed = onehot * 0.8 + 0.2 / 4
    np.testing.assert_allclose(actual, NUMPY_LOSSES["categorical_crossentropy"](smoothed, p),
                               rtol=1e-5)
    actual = _evaluate(losses.binary_crossentropy, onehot, p, label_smoothing=0.2)
    np.testing.assert_allclose(actual, NUMPY_LOSSES["binary_crossentropy"](
        onehot * 0.8 + 0.1, p), rtol=1e-5)


def test_huber_delta_switches_between_quadratic_and_linear():
    y_true = np.zeros((1, 4), "float32")
    y_pred = np.array([[0.5, -1.5, 3.0, -0.1]], "float32")
    delta = 2.0
    err = np.abs(y_pred)
    expected = np.mean(np.where(err <= delta, 0.5 * err ** 2, delta * err - 0.5 * delta ** 2))
    np.testing.assert_allclose(_evaluate(losses.huber, y_true, y_pred, delta=delta), [expected],
                               rtol=1e-6)


def test_hinge_keeps_keras22_targets_unconverted():
    # Keras 2.2 never maps 0/1 labels to -1/+1 (tf.keras does).
    y_true = np.array([[0.0, 1.0]], "float32")
    y_pred = np.array([[0.3, -0.4]], "float32")
    np.testing.assert_allclose(_evaluate(losses.hinge, y_true, y_pred), [(1 + 1.4) / 2],
                               rtol=1e-6)


@pytest.mark.parametrize("reduction,expected", [
    ("auto", (1.0 * 1 + 4.0 * 0 + 9.0 * 2) / 3),
    ("sum_over_batch_size", (1.0 * 1 + 4.0 * 0 + 9.0 * 2) / 3),
    ("sum", 1.0 * 1 + 4.0 * 0 + 9.0 * 2),
])
def test_loss_class_reductions_with_sample_weight(reduction, expected):
    loss = losses.MeanSquaredError(reduction=reduction)
    y_true = np.zeros((3, 1), "float32")
    y_pred = np.array([[1.0], [2.0], [3.0]], "float32")
    value = K.eval(loss(K.constant(y_true), K.constant(y_pred),
                        sample_weight=np.array([1.0, 0.0, 2.0], "float32")))
    np.testing.assert_allclose(value, expected, rtol=1e-6)


def test_reduction_none_keeps_per_sample_losses():
    loss = losses.MeanAbsoluteError(reduction=losses.Reduction.NONE)
    value = K.eval(loss(K.constant(np.zeros((2, 2), "float32")),
                        K.constant(np.array([[1, 3], [2, 2]], "float32"))))
    np.testing.assert_allclose(value, [2.0, 2.0])


def test_loss_class_config_round_trip_and_lookup():
    loss = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1, name="cce")
    config = losses.serialize(loss)
    assert config["class_name"] == "CategoricalCrossentropy"
    assert config["config"] == {"from_logits": True, "label_smoothing": 0.1, "axis": -1,
                                "reduction": "auto", "name": "cce"}
    again = losses.deserialize(config)
    assert isinstance(again, losses.CategoricalCrossentropy)
    assert again.get_config() == loss.get_config()
    assert losses.get("categorical_crossentropy") is losses.categorical_crossentropy
    newer_keras = {"module": "keras.losses", "class_name": "function",
                   "config": "mean_squared_error", "registered_name": "mean_squared_error"}
    assert losses.get(newer_keras) is losses.mean_squared_error
    assert losses.serialize(losses.mse) == "mean_squared_error"
    assert losses.CategoricalCrossentropy().name == "categorical_crossentropy"


def test_unknown_loss_and_bad_arguments_raise():
    with pytest.raises(ValueError, match="Unknown loss function: no_such_loss"):
        losses.get("no_such_loss")
    with pytest.raises(ValueError, match="Invalid Reduction key"):
        losses.MeanSquaredError(reduction="average")
    with pytest.raises(TypeError, match="unexpected arguments"):
        losses.MeanSquaredError(from_logits=True)
