"""MLP for binary classification (the Keras 2 Sequential guide).

The data is generated: 20 features, and the label says whether a fixed quadratic score is
positive, so the problem is learnable. Run: `python examples/mlp_binary_classification.py`.
"""
import numpy as np

from graphkeras.layers import Dense, Dropout
from graphkeras.models import Sequential


def make_data(samples, rng, features=20):
    """Features from a normal law; label 1 where a fixed score of the features is positive."""
    weights = np.random.RandomState(7).normal(size=features)
    x = rng.normal(size=(samples, features)).astype("float32")
    score = x @ weights + 0.5 * (x[:, 0] ** 2 - 1)
    return x, (score > 0).astype("float32").reshape(-1, 1)


def main(epochs=20, batch_size=32, verbose=1, seed=0):
    """Build, train and evaluate the MLP; returns (model, history, test [loss, accuracy])."""
    # Seed NumPy's global generator too: unseeded initializers and dropout draw from it.
    np.random.seed(seed)
    rng = np.random.RandomState(seed)
    x_train, y_train = make_data(1000, rng)
    x_test, y_test = make_data(200, rng)

    model = Sequential()
    model.add(Dense(64, input_dim=20, activation="relu"))
    model.add(Dropout(0.5))
    model.add(Dense(64, activation="relu"))
    model.add(Dropout(0.5))
    model.add(Dense(1, activation="sigmoid"))
    model.summary()

    model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                        verbose=verbose)
    score = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
    losses = history.history["loss"]
    print(f"training loss fell from {losses[0]:.4f} to {losses[-1]:.4f}; "
          f"test loss {score[0]:.4f}, test accuracy {score[1]:.4f}")
    return model, history, score


if __name__ == "__main__":
    main()
