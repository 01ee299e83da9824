"""Reading the Keras 2 fixture cases and comparing a graphkeras model with them (README of
../shared/fixtures/keras2, "How a test uses a case")."""
import numpy as np

from graphkeras import backend as K
from graphkeras import losses


def arrays(npz, prefix):
    """The arrays named `<prefix><N>`, sorted by N."""
    keys = [k for k in npz.files if k.startswith(prefix) and k[len(prefix):].isdigit()]
    return [npz[k] for k in sorted(keys, key=lambda k: int(k[len(prefix):]))]


def assert_predictions_match(model, folder, meta):
    """model.predict on io.npz's inputs equals its outputs."""
    io = np.load(folder / "io.npz")
    tolerance = meta["tolerance"]["outputs"]
    predictions = model.predict(arrays(io, "x"))
    predictions = predictions if isinstance(predictions, list) else [predictions]
    for actual, expected in zip(predictions, arrays(io, "y")):
        np.testing.assert_allclose(actual, expected, rtol=tolerance["rtol"],
                                   atol=tolerance["atol"])


def assert_loss_and_gradients_match(model, folder, meta):
    """The inference-mode loss sum_i w_i mean(L(t_i, y_i)) and its gradient per trainable
    weight equal grads.npz (weights matched in meta.json's trainable_weights order)."""
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
    assert len(values) - 1 == len(meta["trainable_weights"])
    for name, actual in zip(meta["trainable_weights"], values[1:]):
        np.testing.assert_allclose(actual, grads[name], rtol=tolerance["grads"]["rtol"],
                                   atol=tolerance["grads"]["atol"], err_msg=name)
