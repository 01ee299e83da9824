"""The main job: train a small MLP on generated data, showing the compiled graph and the loss falling.

Run: python examples/train_mlp.py
"""
import time

import numpy as np

from graphkeras import backend as K
from graphkeras.layers import Dense, Dropout
from graphkeras.models import Sequential
from graphkeras.optimizers import SGD


def make_data(samples=2000, features=20, classes=4, seed=0):
    """Gaussian blobs, one per class: a problem an MLP learns in a few epochs."""
    # Seed NumPy's global generator too: unseeded initializers and dropout draw from it.
    np.random.seed(seed)
    rng = np.random.RandomState(seed)
    centers = rng.randn(classes, features) * 0.6
    labels = rng.randint(0, classes, samples)
    x = centers[labels] + rng.randn(samples, features)
    y = np.eye(classes)[labels]
    return x.astype("float32"), y.astype("float32")


def build_model(features, classes):
    model = Sequential()
    model.add(Dense(64, activation="relu", input_dim=features))
    model.add(Dropout(0.2))
    model.add(Dense(64, activation="relu"))
    model.add(Dense(classes, activation="softmax"))
    model.compile(loss="categorical_crossentropy",
                  optimizer=SGD(lr=0.05, momentum=0.9, nesterov=True), metrics=["accuracy"])
    return model


def show_compiled(model):
    """Compile the training function once and print what the compiler made of it."""
    start = time.perf_counter()
    model._make_train_function()
    f = model.train_function
    f = getattr(f, "function", f)
    seconds = time.perf_counter() - start
    print(f"\nTraining function compiled in {seconds:.2f} s")
    if hasattr(f, "ir"):
        before = f.ir("input").count("\n") + 1
        after = f.ir("optimized").count("\n") + 1
        print(f"IR: {before} lines before the passes, {after} after")
    for k in getattr(f, "kernels", []):
        print(f"  kernel {k.name:<28} covers {len(k.ops):>3} ops")


def main(epochs=8, verbose=1):
    x, y = make_data()
    model = build_model(x.shape[1], y.shape[1])
    model.summary()
    show_compiled(model)
    history = model.fit(x, y, batch_size=64, epochs=epochs, validation_split=0.2,
                        verbose=verbose)
    losses = history.history["loss"]
    print(f"\nloss fell from {losses[0]:.4f} to {losses[-1]:.4f}")
    return history


if __name__ == "__main__":
    K.clear_session()
    main()
