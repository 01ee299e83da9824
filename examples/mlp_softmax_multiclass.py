"""Multilayer perceptron for multi-class softmax classification (the Keras 2 Sequential guide).

The data is generated: 20 features, and the class is the arg-max of a fixed random linear map,
so the problem is learnable and the loss falls. Run: `python examples/mlp_softmax_multiclass.py`.
"""
import numpy as np

from graphkeras.layers import Dense, Dropout
from graphkeras.models import Sequential
from graphkeras.optimizers import SGD
from graphkeras.utils.np_utils import to_categorical


def make_data(samples, rng, classes=10, features=20):
    """Features drawn from a normal law; labels from a fixed linear map (one-hot)."""
    projection = np.random.RandomState(42).normal(size=(features, classes))
    x = rng.normal(size=(samples, features)).astype("float32")
    labels = np.argmax(x @ projection, axis=1)
    return x, to_categorical(labels, num_classes=classes)


def main(epochs=20, batch_size=32, verbose=1, seed=0):
    """Build, train and evaluate the MLP; returns (model, history, test [loss, accuracy])."""
    # Seed NumPy's global generator too: unseeded initializers and dropout draw from it.
    np.random.seed(seed)
    rng = np.random.RandomState(seed)
    x_train, y_train = make_data(1000, rng)
    x_test, y_test = make_data(200, rng)

    model = Sequential()
    # Dense(64) is a fully-connected layer with 64 hidden units. In the first layer you must
    # give the expected input shape: here 20-dimensional vectors.
    model.add(Dense(64, activation="relu", input_dim=20))
    model.add(Dropout(0.5))
    model.add(Dense(64, activation="relu"))
    model.add(Dropout(0.5))
    model.add(Dense(10, activation="softmax"))
    model.summary()

    sgd = SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
    model.compile(loss="categorical_crossentropy", optimizer=sgd, metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                        verbose=verbose)
    score = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
    losses = history.history["loss"]
    print(f"training loss fell from {losses[0]:.4f} to {losses[-1]:.4f}; "
          f"test loss {score[0]:.4f}, test accuracy {score[1]:.4f}")
    return model, history, score


if __name__ == "__main__":
    main()
