"""The Keras 2 fixtures with Embedding and LSTM (`lstm_classifier`, `functional_multi_io`; see
../shared/fixtures/keras2/README.md) rebuilt from their JSON and HDF5 files: predictions, loss
and BPTT gradients, and one training step from the saved optimizer state."""
import json

import numpy as np
import pytest

from graphkeras.layers.embeddings import Embedding
from graphkeras.layers.recurrent import GRU, LSTM, RNN, SimpleRNN
from graphkeras.models import model_from_json
from graphkeras.saving import load_model, load_weights
from graphkeras.utils.generic_utils import custom_object_scope
from tests.keras2_cases import (arrays, assert_loss_and_gradients_match,
                                assert_predictions_match)

CASES = ["lstm_classifier", "functional_multi_io"]
CUSTOM_OBJECTS = {"Embedding": Embedding, "LSTM": LSTM, "GRU": GRU, "SimpleRNN": SimpleRNN,
                  "RNN": RNN}


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
    assert_predictions_match(model, folder, meta)


def test_loss_and_gradients_match_keras2(case):
    folder, meta = case
    model = rebuilt_model(folder)
    assert [w.name for w in model.trainable_weights] == meta["trainable_weights"]
    assert_loss_and_gradients_match(model, folder, meta)


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
