"""The Keras 2 fixtures with Embedding and LSTM (`lstm_classifier`, `functional_multi_io`; see
../shared/fixtures/keras2/README.md) rebuilt from their JSON and HDF5 files: predictions, loss
and BPTT gradients, and one training step from the saved optimizer state."""
import json

import numpy as np
import pytest

from graphkeras import backend as K
from graphkeras import losses
from graphkeras.layers.embeddings import Embedding
from graphkeras.layers.recurrent import GRU, LSTM, RNN, SimpleRNN
from graphkeras.models import model_from_json
from graphkeras.saving import load_model, load_weights
from graphkeras.utils.generic_utils import custom_object_scope

CASES = ["lstm_classifier", "functional_multi_io"]
CUSTOM_OBJECTS = {"Embedding": Embedding, "LSTM": LSTM, "GRU": GRU, "SimpleRNN": SimpleRNN,
                  "RNN": RNN}


def arrays(npz, prefix):
    """The arrays named `<prefix><N>`, sorted by N."""
    keys = [k for k in npz.files if k.startswith(prefix) and k[len(prefix):].isdigit()]
    return [npz[k] for k in sorted(keys, key=lambda k: int(k[len(prefix):]))]


@pytest.fixture(params=CASES)
def case(request, keras2_fixtures):
    folder = keras2_fixtures / request.param
    return folder, json.loads((folder / "meta.json").read_text())


def rebuilt_model(folder):
    with custom_object_scope(CUSTOM_OBJECTS):
        model = model_from_json((folder / "model.json").read_text())
    load_weights(model, folder / "weights.h5")
    return model


def test_model_from_json_and_weights_predicts_like_keras2(case):
    folder, meta = case
    model = rebuilt_model(folder)
    assert [w.name for w in model.weights] == [w["name"] for w in meta["weights"]]
    assert model.count_params() == meta["params"]["total"]
    lstm = model.get_layer("lstm")
    assert lstm.cell.recurrent_activation is not None
    assert lstm.get_config()["recurrent_activation"] == "sigmoid"
    assert lstm.get_config()["implementation"] == 2
    io = np.load(folder / "io.npz")
    predictions = model.predict(arrays(io, "x"))
    predictions = predictions if isinstance(predictions, list) else [predictions]
    tolerance = meta["tolerance"]["outputs"]
    for actual, expected in zip(predictions, arrays(io, "y")):
        np.testing.assert_allclose(actual, expected, rtol=tolerance["rtol"],
                                   atol=tolerance["atol"])


def test_loss_and_gradients_match_keras2(case):
    folder, meta = case
    model = rebuilt_model(folder)
    grads = np.load(folder / "grads.npz")
    loss_fn = losses.get(meta["loss"])
    targets = [K.placeholder(shape=K.int_shape(y), dtype="float32") for y in model.outputs]
    weights = meta["loss_weights"] or [1.0] * len(model.outputs)
    loss = sum(w * K.mean(loss_fn(t, y)) for w, t, y in zip(weights, targets, model.outputs))
    gradients = K.gradients(loss, model.trainable_weights)
    fn = K.function(model.inputs + targets + [K.learning_phase()], [loss] + gradients)
    values = fn(arrays(grads, "x") + arrays(grads, "t") + [0])
    tolerance = meta["tolerance"]
    np.testing.assert_allclose(values[0], grads["loss"], rtol=tolerance["loss"]["rtol"],
                               atol=tolerance["loss"]["atol"])
    assert [w.name for w in model.trainable_weights] == meta["trainable_weights"]
    for name, actual in zip(meta["trainable_weights"], values[1:]):
        np.testing.assert_allclose(actual, grads[name], rtol=tolerance["grads"]["rtol"],
                                   atol=tolerance["grads"]["atol"], err_msg=name)


def test_load_model_trains_one_step_like_keras2(case):
    folder, meta = case
    step = np.load(folder / "train_step.npz")
    model = load_model(folder / "model.h5", custom_objects=CUSTOM_OBJECTS)
    loss = model.train_on_batch(arrays(step, "x"), arrays(step, "t"))
    tolerance = meta["tolerance"]
    np.testing.assert_allclose(np.ravel(loss)[0], step["loss"], rtol=tolerance["loss"]["rtol"],
                               atol=tolerance["loss"]["atol"])
    for weight, actual in zip(model.weights, model.get_weights()):
        np.testing.assert_allclose(actual, step[weight.name],
                                   rtol=tolerance["train_step"]["rtol"],
                                   atol=tolerance["train_step"]["atol"], err_msg=weight.name)
