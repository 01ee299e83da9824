"""The Keras-facing entry points: `model.save`, `models.load_model`, `model.save_weights`,
`model.load_weights`, and ModelCheckpoint writing files that load back."""
import numpy as np

from graphkeras import callbacks, layers, models
from graphkeras.models import Sequential

RNG = np.random.RandomState(2)
X = RNG.rand(16, 3).astype("float32")
Y = RNG.rand(16, 2).astype("float32")


def small_model():
    model = Sequential([layers.Dense(4, activation="tanh", input_dim=3), layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    return model


def test_model_methods_round_trip(tmp_path):
    model = small_model()
    model.train_on_batch(X, Y)
    model.save(str(tmp_path / "model.h5"))
    loaded = models.load_model(str(tmp_path / "model.h5"))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))

    model.save_weights(str(tmp_path / "weights.h5"))
    fresh = small_model()
    fresh.load_weights(str(tmp_path / "weights.h5"))
    np.testing.assert_array_equal(fresh.predict(X), model.predict(X))


def test_model_checkpoint_files_load_back(tmp_path):
    model = small_model()
    whole = str(tmp_path / "epoch{epoch:02d}.h5")
    weights = str(tmp_path / "best_weights.h5")
    history = model.fit(X, Y, batch_size=8, epochs=2, verbose=0, validation_data=(X, Y),
              callbacks=[callbacks.ModelCheckpoint(whole),
                         callbacks.ModelCheckpoint(weights, save_best_only=True,
                                                   save_weights_only=True)])
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "best_weights.h5", "epoch01.h5", "epoch02.h5"]
    last = models.load_model(str(tmp_path / "epoch02.h5"))
    np.testing.assert_array_equal(last.predict(X), model.predict(X))
    for actual, expected in zip(last.optimizer.get_weights(), model.optimizer.get_weights()):
        np.testing.assert_array_equal(actual, expected)
    # Training on from the checkpoint continues exactly as the model in memory does.
    np.testing.assert_allclose(last.train_on_batch(X, Y), model.train_on_batch(X, Y), rtol=1e-6)
    np.testing.assert_allclose(last.get_weights()[0], model.get_weights()[0], rtol=1e-6)

    val_losses = history.history["val_loss"]
    best_epoch = 1 + int(np.argmin(val_losses))
    best = small_model()
    best.load_weights(weights)
    np.testing.assert_array_equal(best.predict(X), models.load_model(
        str(tmp_path / f"epoch{best_epoch:02d}.h5")).predict(X))
