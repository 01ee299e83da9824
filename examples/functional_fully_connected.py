"""A densely-connected network in the functional API (the Keras 2 functional API guide).

A layer instance is callable on a tensor and returns a tensor; input and output tensors then
define a `Model`. The data is generated (16 features, 10 classes from a fixed linear map).
Run: `python examples/functional_fully_connected.py`.
"""
import numpy as np

from graphkeras.layers import Dense, Input
from graphkeras.models import Model
from graphkeras.utils.np_utils import to_categorical


def make_data(samples, rng, features=16, classes=10):
    """Features from a normal law; the class is the arg-max of a fixed linear map (one-hot)."""
    projection = np.random.RandomState(3).normal(size=(features, classes))
    x = rng.normal(size=(samples, features)).astype("float32")
    return x, to_categorical(np.argmax(x @ projection, axis=1), num_classes=classes)


def main(epochs=10, batch_size=32, verbose=1, seed=0):
    """Build and train the network; returns (model, history, test [loss, accuracy])."""
    # Seed NumPy's global generator too: unseeded initializers and dropout draw from it.
    np.random.seed(seed)
    rng = np.random.RandomState(seed)
    data, labels = make_data(2000, rng)
    test_data, test_labels = make_data(200, rng)

    # This returns a tensor.
    inputs = Input(shape=(16,))
    # A layer instance is callable on a tensor, and returns a tensor.
    x = Dense(64, activation="relu")(inputs)
    x = Dense(64, activation="relu")(x)
    predictions = Dense(10, activation="softmax")(x)

    # This creates a model that includes the Input layer and three Dense layers.
    model = Model(inputs=inputs, outputs=predictions)
    model.summary()
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(data, labels, epochs=epochs, batch_size=batch_size, verbose=verbose)
    score = model.evaluate(test_data, test_labels, verbose=0)
    losses = history.history["loss"]
    print(f"training loss fell from {losses[0]:.4f} to {losses[-1]:.4f}; "
          f"test accuracy {score[1]:.4f}")
    return model, history, score


if __name__ == "__main__":
    main()
