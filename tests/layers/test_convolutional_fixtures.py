"""Keras 2 fixtures `cnn_vgg_like` and `conv1d_seq` (../shared/fixtures/keras2, see its README)
through the convolution and pooling layers: model.json + weights.h5 predict like Keras 2, the
inference-mode loss and gradients match grads.npz, and (conv1d_seq) a model loaded from model.h5
takes the same training step as train_step.npz.

The layers are registered with `custom_object_scope` because `graphkeras.layers` exports them
only once the lead adds them there.
"""
import json

import numpy as np
import pytest

from graphkeras import backend as K
from graphkeras.layers import convolutional, local, pooling
from graphkeras.models import load_model, model_from_json
from graphkeras.utils.generic_utils import custom_object_scope
from tests.keras2_cases import arrays, assert_loss_and_gradients_match

CASES = ["cnn_vgg_like", "conv1d_seq"]


def layer_classes():
    """Every public class of the convolution, pooling and local modules, by name."""
    objects = {}
    for module in (convolutional, pooling, local):
        objects.update({name: value for name, value in vars(module).items()
                        if isinstance(value, type) and not name.startswith("_")})
    return objects


@pytest.fixture(params=CASES)
def case(request, keras2_fixtures):
    folder = keras2_fixtures / request.param
    meta = json.loads((folder / "meta.json").read_text())
    with custom_object_scope(layer_classes()):
        model = model_from_json((folder / "model.json").read_text())
    model.load_weights(str(folder / "weights.h5"))
    return folder, meta, model


def test_model_from_json_has_keras2_layers_and_parameter_counts(case):
    folder, meta, model = case
    assert [layer.name for layer in model.layers] == meta["h5"]["layer_names"]
    assert model.count_params() == meta["params"]["total"]
    assert [tuple(w["shape"]) for w in meta["weights"]] == [
        tuple(K.int_shape(w)) for w in model.weights]


def test_predictions_match_keras2(case):
    folder, meta, model = case
    io = np.load(folder / "io.npz")
    tolerance = meta["tolerance"]["outputs"]
    np.testing.assert_allclose(model.predict(arrays(io, "x")[0]), arrays(io, "y")[0],
                               rtol=tolerance["rtol"], atol=tolerance["atol"])


def test_loss_and_gradients_match_keras2(case):
    folder, meta, model = case
    assert_loss_and_gradients_match(model, folder, meta)


def test_conv1d_seq_training_step_from_model_h5_matches_keras2(keras2_fixtures):
    folder = keras2_fixtures / "conv1d_seq"
    meta = json.loads((folder / "meta.json").read_text())
    step = np.load(folder / "train_step.npz")
    model = load_model(str(folder / "model.h5"), custom_objects=layer_classes())
    loss = model.train_on_batch(arrays(step, "x")[0], arrays(step, "t")[0])
    tolerance = meta["tolerance"]
    np.testing.assert_allclose(np.ravel(loss)[0], step["loss"],
                               rtol=tolerance["loss"]["rtol"], atol=tolerance["loss"]["atol"])
    names = [w["name"] for w in meta["weights"]]
    for name, actual in zip(names, model.get_weights()):
        np.testing.assert_allclose(actual, step[name], rtol=tolerance["train_step"]["rtol"],
                                   atol=tolerance["train_step"]["atol"], err_msg=name)
