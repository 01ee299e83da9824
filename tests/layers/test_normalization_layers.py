"""BatchNormalization: layer_test, NumPy references in training and inference mode, the
moving-statistics rule (tf.keras 2, see normalization.py), and the Keras 2 `batchnorm` fixture
(../shared/fixtures/keras2/batchnorm)."""
import json

import numpy as np
import pytest

from graphkeras import backend as K
from graphkeras import losses
from graphkeras.layers import Input
from graphkeras.layers.normalization import BatchNormalization
from graphkeras.models import Model, Sequential, model_from_json
from graphkeras.saving import load_model
from graphkeras.utils.generic_utils import custom_object_scope

from .layer_test import layer_test

CUSTOM = {"BatchNormalization": BatchNormalization}


def _reference(x, mean, var, gamma, beta, axis, epsilon):
    shape = [1] * x.ndim
    shape[axis] = -1
    out = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + epsilon)
    return out * gamma.reshape(shape) + beta.reshape(shape)


def _random_weights(layer, rng):
    values = [rng.uniform(0.5, 1.5, size=w.shape).astype("float32") for w in layer.get_weights()]
    layer.set_weights(values)
    return values


@pytest.mark.parametrize("kwargs,input_shape", [
    ({}, (None, 5)),
    ({"axis": 1, "momentum": 0.8}, (None, 3, 4, 2)),
    ({"axis": [3], "center": False}, (None, 3, 4, 2)),
    ({"axis": -1, "scale": False, "epsilon": 0.01}, (None, 4, 3)),
])
def test_batchnorm_passes_layer_test(kwargs, input_shape):
    with custom_object_scope(CUSTOM):
        layer_test(BatchNormalization, kwargs=kwargs, input_shape=input_shape)


@pytest.mark.parametrize("axis,shape", [(-1, (6, 5)), (1, (3, 4, 2, 2)), (3, (3, 2, 2, 4))])
def test_batchnorm_inference_uses_moving_statistics(axis, shape):
    rng = np.random.RandomState(0)
    inputs = Input(batch_shape=(None,) + shape[1:])
    layer = BatchNormalization(axis=axis, epsilon=0.01)
    model = Model(inputs, layer(inputs))
    gamma, beta, mean, var = _random_weights(layer, rng)
    x = rng.normal(size=shape).astype("float32")
    expected = _reference(x, mean, var, gamma, beta, axis % len(shape), 0.01)
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("axis,shape", [(-1, (6, 5)), (1, (3, 4, 2, 2)), (-1, (3, 2, 2, 4))])
def test_batchnorm_training_uses_biased_batch_statistics(axis, shape):
    rng = np.random.RandomState(1)
    inputs = Input(batch_shape=(None,) + shape[1:])
    layer = BatchNormalization(axis=axis)
    output = layer(inputs)
    gamma, beta, _, _ = _random_weights(layer, rng)
    x = rng.normal(size=shape).astype("float32")
    axis = axis % len(shape)
    reduce = tuple(i for i in range(len(shape)) if i != axis)
    expected = _reference(x, x.mean(axis=reduce), x.var(axis=reduce), gamma, beta, axis, 1e-3)
    run = K.function([inputs, K.learning_phase()], [output])
    np.testing.assert_allclose(run([x, 1])[0], expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape,bessel", [((6, 5), False), ((4, 3, 5), False),
                                          ((3, 2, 2, 4), True)])
def test_moving_statistics_follow_tf_keras_rule(shape, bessel):
    rng = np.random.RandomState(2)
    inputs = Input(batch_shape=(None,) + shape[1:])
    layer = BatchNormalization(momentum=0.7)
    output = layer(inputs)
    _, _, mean0, var0 = _random_weights(layer, rng)
    x = rng.normal(size=shape).astype("float32")
    run = K.function([inputs, K.learning_phase()], [output], updates=layer.updates)
    run([x, 1])
    reduce = tuple(range(len(shape) - 1))
    n = x.size // shape[-1]
    batch_var = x.var(axis=reduce) * (n / (n - 1) if bessel else 1.0)
    mean, var = K.batch_get_value([layer.moving_mean, layer.moving_variance])
    np.testing.assert_allclose(mean, 0.7 * mean0 + 0.3 * x.mean(axis=reduce), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(var, 0.7 * var0 + 0.3 * batch_var, rtol=1e-5, atol=1e-6)


def test_training_false_adds_no_update_and_ignores_learning_phase():
    inputs = Input(shape=(3,))
    layer = BatchNormalization()
    output = layer(inputs, training=False)
    assert layer.updates == []
    x = np.arange(6, dtype="float32").reshape(2, 3)
    run = K.function([inputs, K.learning_phase()], [output])
    np.testing.assert_allclose(run([x, 1])[0], x / np.sqrt(1 + 1e-3), rtol=1e-6)


def test_fit_updates_moving_statistics_and_predict_does_not():
    model = Sequential([BatchNormalization(input_shape=(4,), momentum=0.5)])
    model.compile("sgd", "mse")
    x = np.random.RandomState(3).normal(size=(8, 4)).astype("float32")
    before = model.get_weights()
    model.predict(x)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.train_on_batch(x, np.zeros_like(x))
    moving_mean = model.layers[0].get_weights()[2]
    np.testing.assert_allclose(moving_mean, 0.5 * x.mean(axis=0), rtol=1e-5, atol=1e-6)


def test_multiple_axes_keep_a_parameter_per_position():
    with custom_object_scope(CUSTOM):
        layer_test(BatchNormalization, kwargs={"axis": [1, 2]}, input_shape=(None, 3, 2, 4))
    layer = BatchNormalization(axis=[1, 2])
    layer(Input(shape=(3, 2, 4)))
    assert [K.int_shape(w) for w in layer.weights] == [(1, 3, 2, 1)] * 4


def test_invalid_axis_and_unknown_feature_dimension_raise_at_build():
    with pytest.raises(ValueError, match="axis 0"):
        BatchNormalization(axis=0)(Input(shape=(3,)))
    with pytest.raises(ValueError, match="defined dimension"):
        BatchNormalization(axis=1)(Input(shape=(None, 3)))


def test_config_keeps_tf_keras_list_axis_and_names_weights():
    inputs = Input(shape=(4,))
    layer = BatchNormalization(axis=[1], scale=False, name="bn")
    layer(inputs)
    assert layer.get_config()["axis"] == [1]
    assert [w.name for w in layer.weights] == ["bn/beta:0", "bn/moving_mean:0",
                                               "bn/moving_variance:0"]
    assert [w.name for w in layer.trainable_weights] == ["bn/beta:0"]


# --------------------------------------------------------------------- Keras 2 fixture

@pytest.fixture
def batchnorm_case(keras2_fixtures):
    return keras2_fixtures / "batchnorm"


def _load_json_model(folder):
    with custom_object_scope(CUSTOM):
        model = model_from_json((folder / "model.json").read_text())
    model.load_weights(str(folder / "weights.h5"))
    return model


def _loss_and_grads(model, data, phase):
    target = K.placeholder(shape=(None, 3))
    loss = K.mean(losses.categorical_crossentropy(target, model.output))
    grads = K.gradients(loss, model.trainable_weights)
    run = K.function([model.input, target, K.learning_phase()], [loss] + grads)
    return run([data["x0"], data["t0"], phase])


def test_fixture_predicts_in_inference_and_training_mode(batchnorm_case):
    model = _load_json_model(batchnorm_case)
    io = np.load(batchnorm_case / "io.npz")
    np.testing.assert_allclose(model.predict(io["x0"]), io["y0"], rtol=1e-5, atol=1e-5)
    train_io = np.load(batchnorm_case / "train_io.npz")
    run = K.function([model.input, K.learning_phase()], [model.output], updates=model.updates)
    moving = {w.name: w for layer in model.layers for w in layer.non_trainable_weights}
    for name, weight in moving.items():
        np.testing.assert_allclose(K.get_value(weight), train_io["before:" + name], rtol=1e-6)
    np.testing.assert_allclose(run([train_io["x0"], 1])[0], train_io["y0"], rtol=1e-5,
                               atol=1e-5)
    assert len(moving) == 4
    for name, weight in moving.items():
        np.testing.assert_allclose(K.get_value(weight), train_io["after:" + name], rtol=1e-5,
                                   atol=1e-6)


@pytest.mark.parametrize("filename,phase", [("grads.npz", 0), ("grads_training.npz", 1)])
def test_fixture_loss_and_gradients(batchnorm_case, filename, phase):
    model = _load_json_model(batchnorm_case)
    data = np.load(batchnorm_case / filename)
    meta = json.loads((batchnorm_case / "meta.json").read_text())
    loss, *grads = _loss_and_grads(model, data, phase)
    np.testing.assert_allclose(loss, data["loss"], rtol=1e-5, atol=1e-6)
    assert [w.name for w in model.trainable_weights] == meta["trainable_weights"]
    for name, grad in zip(meta["trainable_weights"], grads):
        np.testing.assert_allclose(grad, data[name], rtol=1e-4, atol=1e-5, err_msg=name)


def test_fixture_train_step_from_saved_model(batchnorm_case):
    model = load_model(str(batchnorm_case / "model.h5"), custom_objects=CUSTOM)
    step = np.load(batchnorm_case / "train_step.npz")
    loss = model.train_on_batch(step["x0"], step["t0"])
    np.testing.assert_allclose(loss, step["loss"], rtol=1e-5, atol=1e-6)
    for weight in model.weights:
        np.testing.assert_allclose(K.get_value(weight), step[weight.name], rtol=1e-5,
                                   atol=1e-6, err_msg=weight.name)
