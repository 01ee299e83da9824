"""Whole-model HDF5 files: save -> load round trips, continued training, Keras 2.2 files,
custom objects, Lambda safety and atomic writes."""
import json
import os

import h5py
import numpy as np
import pytest

from graphkeras import backend as K
from graphkeras import layers, losses, metrics, optimizers
from graphkeras.layers import Input
from graphkeras.models import Model, Sequential
from graphkeras.saving import hdf5_format, load_model, save_model

RNG = np.random.RandomState(0)
X = RNG.rand(6, 4).astype("float32")
Y = RNG.rand(6, 3).astype("float32")
A = RNG.rand(6, 4).astype("float32")


def sequential_model(optimizer="adam"):
    model = Sequential([layers.Dense(5, activation="tanh", input_dim=4),
                        layers.Dropout(0.2),
                        layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def functional_model(optimizer):
    left = Input(shape=(4,), name="left")
    right = Input(shape=(4,), name="right")
    shared = layers.Dense(3, activation="relu", name="shared")
    merged = layers.concatenate([shared(left), shared(right)])
    first = layers.Dense(3, activation="softmax", name="first")(merged)
    second = layers.Dense(1, name="second")(merged)
    model = Model([left, right], [first, second])
    model.compile(optimizer=optimizer, loss=["categorical_crossentropy", "mse"],
                  loss_weights=[1.0, 0.5], metrics=["mae"])
    return model


def functional_data():
    return [X, A], [Y, Y[:, :1]]


@pytest.mark.parametrize("optimizer", [
    optimizers.SGD(lr=0.1, momentum=0.9, nesterov=True), optimizers.RMSprop(),
    optimizers.Adagrad(), optimizers.Adadelta(), optimizers.Adam(amsgrad=True),
    optimizers.Adamax(), optimizers.Nadam()], ids=lambda o: type(o).__name__)
def test_continued_training_after_reload_equals_training_in_memory(optimizer, tmp_path):
    model = functional_model(optimizer)
    x, y = functional_data()
    model.train_on_batch(x, y)
    model.train_on_batch(x, y)
    path = tmp_path / "model.h5"
    save_model(model, path)
    loaded = load_model(path)

    for actual, expected in zip(loaded.predict(x), model.predict(x)):
        np.testing.assert_array_equal(actual, expected)
    assert type(loaded.optimizer) is type(optimizer)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    for actual, expected in zip(loaded.optimizer.get_weights(), model.optimizer.get_weights()):
        np.testing.assert_array_equal(actual, expected)
    assert loaded.loss_weights == [1.0, 0.5]

    expected_loss = model.train_on_batch(x, y)
    actual_loss = loaded.train_on_batch(x, y)
    np.testing.assert_allclose(actual_loss, expected_loss, rtol=1e-6)
    for actual, expected in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-7)


def test_sequential_round_trip_keeps_metrics_and_predictions(tmp_path):
    model = sequential_model()
    model.train_on_batch(X, Y)
    path = tmp_path / "seq.h5"
    save_model(model, str(path))
    loaded = load_model(str(path))
    assert isinstance(loaded, Sequential)
    assert loaded.metrics_names == model.metrics_names
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_allclose(loaded.evaluate(X, Y, verbose=0), model.evaluate(X, Y, verbose=0),
                               rtol=1e-6)


def test_uncompiled_and_untrained_models_round_trip(tmp_path):
    model = Sequential([layers.Dense(2, input_dim=3)])
    path = tmp_path / "plain.h5"
    save_model(model, path)
    with h5py.File(path, "r") as f:
        assert "training_config" not in f.attrs and "optimizer_weights" not in f
    with pytest.warns(UserWarning, match="No training configuration"):
        loaded = load_model(path)
    assert loaded.optimizer is None
    np.testing.assert_array_equal(loaded.get_weights()[0], model.get_weights()[0])

    model.compile("sgd", "mse")  # compiled, never trained: no optimizer state yet
    save_model(model, path)
    with h5py.File(path, "r") as f:
        assert "training_config" in f.attrs and "optimizer_weights" not in f
    assert isinstance(load_model(path).optimizer, optimizers.SGD)


def test_include_optimizer_false_and_compile_false(tmp_path):
    model = sequential_model()
    model.train_on_batch(X, Y)
    path = tmp_path / "no_opt.h5"
    save_model(model, path, include_optimizer=False)
    with h5py.File(path, "r") as f:
        assert "optimizer_weights" not in f
    save_model(model, path)
    assert load_model(path, compile=False).optimizer is None


def test_save_refuses_to_overwrite_when_asked(tmp_path):
    path = tmp_path / "model.h5"
    path.write_bytes(b"keep me")
    with pytest.raises(OSError, match="overwrite=False"):
        save_model(sequential_model(), path, overwrite=False)
    assert path.read_bytes() == b"keep me"


def test_failed_save_leaves_previous_file_and_no_temporary(tmp_path, monkeypatch):
    model = sequential_model()
    path = tmp_path / "model.h5"
    save_model(model, path)
    before = path.read_bytes()

    def broken(group, weights):
        raise RuntimeError("disk full")
    monkeypatch.setattr(hdf5_format, "save_weight_list", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        save_model(model, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.h5"]


def test_saves_into_an_open_h5py_file(tmp_path):
    model = sequential_model()
    with h5py.File(tmp_path / "open.h5", "w") as f:
        save_model(model, f)
    with h5py.File(tmp_path / "open.h5", "r") as f:
        loaded = load_model(f)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def my_loss(y_true, y_pred):
    return K.mean(K.abs(y_true - y_pred), axis=-1) * 2.0


def test_custom_loss_needs_and_uses_custom_objects(tmp_path):
    model = Sequential([layers.Dense(3, input_dim=4)])
    model.compile("sgd", loss=my_loss)
    path = tmp_path / "custom.h5"
    save_model(model, path)
    with h5py.File(path, "r") as f:
        assert json.loads(f.attrs["training_config"])["loss"] == "my_loss"
    with pytest.raises(ValueError, match="my_loss"):
        load_model(path)
    loaded = load_model(path, custom_objects={"my_loss": my_loss})
    np.testing.assert_allclose(loaded.evaluate(X, Y, verbose=0), model.evaluate(X, Y, verbose=0),
                               rtol=1e-6)


def test_lambda_bytecode_loads_only_with_safe_mode_false(tmp_path):
    inputs = Input(shape=(4,))
    outputs = layers.Lambda(lambda t: t * 3.0 + 1.0, name="triple")(inputs)
    model = Model(inputs, outputs)
    path = tmp_path / "lambda.h5"
    save_model(model, path)
    with pytest.raises(ValueError, match="safe_mode"):
        load_model(path, compile=False)
    loaded = load_model(path, compile=False, safe_mode=False)
    np.testing.assert_allclose(loaded.predict(X), X * 3.0 + 1.0, rtol=1e-6)


def test_subclassed_model_cannot_be_saved(tmp_path):
    class Tiny(Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    model = Tiny()
    model.predict(X)
    with pytest.raises(NotImplementedError, match="Subclassed"):
        save_model(model, tmp_path / "sub.h5")
    assert not os.listdir(tmp_path)


def write_keras22_file(path, model, optimizer_config, optimizer_values):
    """A whole-model file as Keras 2.2.4 writes it: fixed-length bytes attributes, `Model`
    class name, `lr`, `sample_weight_mode`, optimizer names `training/Adam/Variable:0`; the
    saved layer weights are the model's plus one."""
    def names(strings):
        return np.array([s.encode("utf8") for s in strings])
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"2.2.4"
        f.attrs["backend"] = b"tensorflow"
        config = {"class_name": "Model", "config": model.get_config()}
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        f.attrs["training_config"] = json.dumps({
            "optimizer_config": optimizer_config, "loss": "mse", "metrics": [],
            "sample_weight_mode": None, "loss_weights": None}).encode("utf8")
        weights = f.create_group("model_weights")
        weights.attrs["layer_names"] = names([layer.name for layer in model.layers])
        weights.attrs["backend"] = b"tensorflow"
        weights.attrs["keras_version"] = b"2.2.4"
        for layer in model.layers:
            group = weights.create_group(layer.name)
            group.attrs["weight_names"] = names([w.name for w in layer.weights])
            for w, value in zip(layer.weights, K.batch_get_value(layer.weights)):
                group.create_dataset(w.name, data=value + 1.0)
        state = f.create_group("optimizer_weights")
        prefix = "training/" + optimizer_config["class_name"]
        state_names = [f"{prefix}/Variable_{i}:0" for i in range(len(optimizer_values))]
        state.attrs["weight_names"] = names(state_names)
        for name, value in zip(state_names, optimizer_values):
            state.create_dataset(name, data=value)


def keras22_adam_state(kernel, bias):
    """Keras 2.2's Adam list: iterations, m per weight, v per weight, a (1,) vhat per weight;
    returns it and the state graphkeras should hold (iterations, m, v)."""
    m = [np.full_like(kernel, 0.1), np.full_like(bias, 0.2)]
    v = [np.full_like(kernel, 0.3), np.full_like(bias, 0.4)]
    vhat = [np.zeros(1, "float32"), np.zeros(1, "float32")]
    iterations = np.array(7, "int64")
    return [iterations] + m + v + vhat, [iterations] + m + v


def keras22_rmsprop_state(kernel, bias):
    """Keras 2.2's RMSprop list: one accumulator per weight, no iteration count."""
    accumulators = [np.full_like(kernel, 0.5), np.full_like(bias, 0.6)]
    return accumulators, [np.array(0, "int64")] + accumulators


KERAS22_OPTIMIZERS = {
    "Adam": ({"lr": 0.01, "beta_1": 0.9, "beta_2": 0.999, "decay": 0.0, "epsilon": 1e-7,
              "amsgrad": False}, keras22_adam_state),
    "RMSprop": ({"lr": 0.01, "rho": 0.9, "decay": 0.0, "epsilon": 1e-7},
                keras22_rmsprop_state),
}


@pytest.mark.parametrize("class_name", sorted(KERAS22_OPTIMIZERS))
def test_reads_keras22_file_with_bytes_attributes_and_keras22_state_order(class_name,
                                                                          tmp_path):
    inputs = Input(shape=(4,), name="input_1")
    outputs = layers.Dense(3, name="dense_1")(inputs)
    source = Model(inputs, outputs, name="model_1")
    kernel, bias = source.get_weights()
    config, make_state = KERAS22_OPTIMIZERS[class_name]
    saved_state, expected_state = make_state(kernel, bias)
    path = tmp_path / "keras22.h5"
    write_keras22_file(path, source, {"class_name": class_name, "config": config},
                       saved_state)

    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.get_weights()[0], kernel + 1.0)
    assert type(loaded.optimizer).__name__ == class_name
    np.testing.assert_allclose(K.get_value(loaded.optimizer.lr), 0.01, rtol=1e-6)
    state = loaded.optimizer.get_weights()
    assert len(state) == len(expected_state)
    for actual, expected in zip(state, expected_state):
        np.testing.assert_array_equal(actual, expected)


def test_unfit_optimizer_state_warns_and_starts_fresh(tmp_path):
    model = sequential_model(optimizers.Adam())
    model.train_on_batch(X, Y)
    path = tmp_path / "model.h5"
    save_model(model, path)
    with h5py.File(path, "a") as f:
        del f["optimizer_weights"]
        group = f.create_group("optimizer_weights")
        hdf5_format.save_string_list(group, "weight_names", ["junk:0"])
        group.create_dataset("junk:0", data=np.zeros(3, "float32"))
    with pytest.warns(UserWarning, match="freshly initialized optimizer"):
        loaded = load_model(path)
    assert int(loaded.optimizer.get_weights()[0]) == 0
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_file_without_model_config_is_refused(tmp_path):
    model = sequential_model()
    path = tmp_path / "weights.h5"
    hdf5_format.save_weights(model, path)
    with pytest.raises(ValueError, match="No model found"):
        load_model(path)


def test_tf_keras_nested_metric_configs_compile_per_output(tmp_path):
    model = functional_model(optimizers.SGD())
    path = tmp_path / "tf_metrics.h5"
    save_model(model, path)
    wrapper = {"class_name": "MeanMetricWrapper",
               "config": {"name": "mae", "dtype": "float32", "fn": "mean_absolute_error"}}
    renamed = {"class_name": "MeanMetricWrapper",
               "config": {"name": "my_mse", "dtype": "float32", "fn": "mean_squared_error"}}
    with h5py.File(path, "a") as f:
        config = json.loads(f.attrs["training_config"])
        config["metrics"] = [[wrapper], [renamed]]
        del config["sample_weight_mode"]
        f.attrs["training_config"] = json.dumps(config)
    loaded = load_model(path)
    assert loaded.metrics == {"first": ["mae"], "second": ["mean_squared_error"]}
    x, y = functional_data()
    assert len(loaded.evaluate(x, y, verbose=0)) == len(loaded.metrics_names) == 5


def test_loss_and_metric_objects_round_trip_through_their_configs(tmp_path):
    model = Sequential([layers.Dense(1, activation="sigmoid", input_dim=4)])
    model.compile("rmsprop", loss=losses.BinaryCrossentropy(label_smoothing=0.1),
                  metrics=[metrics.AUC(name="auc"), "acc"])
    y = (Y[:, :1] > 0.5).astype("float32")
    model.train_on_batch(X, y)
    path = tmp_path / "objects.h5"
    save_model(model, path)
    loaded = load_model(path)
    assert isinstance(loaded.loss, losses.BinaryCrossentropy)
    assert loaded.loss.get_config() == model.loss.get_config()
    assert loaded.metrics_names == ["loss", "auc", "acc"]
    np.testing.assert_allclose(loaded.evaluate(X, y, verbose=0), model.evaluate(X, y, verbose=0),
                               rtol=1e-6)
