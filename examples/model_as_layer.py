"""All models are callable, just like layers (the Keras 2 functional API guide).

Calling a model on a tensor reuses its architecture *and* its weights. Here a small feature
extractor is a `Model`; a classifier is built by calling it on a new input and adding a softmax
layer, and training the classifier trains the extractor's weights too.
Run: `python examples/model_as_layer.py`.
"""
import numpy as np

from graphkeras.layers import Dense, Input
from graphkeras.models import Model
from graphkeras.utils.np_utils import to_categorical


def make_data(samples, rng, features=24, classes=4):
    """Noisy points around one fixed center per class; one-hot labels."""
    centers = np.random.RandomState(9).normal(size=(classes, features)) * 1.5
    labels = rng.randint(0, classes, size=samples)
    x = (centers[labels] + rng.normal(size=(samples, features))).astype("float32")
    return x, to_categorical(labels, num_classes=classes)


def main(epochs=10, batch_size=32, verbose=1, seed=0):
    """Build the nested model and train it; returns (model, history, extractor)."""
    # Seed NumPy's global generator too: unseeded initializers and dropout draw from it.
    np.random.seed(seed)
    rng = np.random.RandomState(seed)
    x_train, y_train = make_data(800, rng)

    features_in = Input(shape=(24,))
    hidden = Dense(32, activation="relu")(features_in)
    hidden = Dense(16, activation="relu")(hidden)
    extractor = Model(features_in, hidden, name="feature_extractor")

    x = Input(shape=(24,))
    # This works, and returns the 16 features the extractor computes for x.
    y = extractor(x)
    predictions = Dense(4, activation="softmax")(y)
    classifier = Model(inputs=x, outputs=predictions)
    classifier.summary()

    before = extractor.get_weights()
    classifier.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    history = classifier.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                             verbose=verbose)
    changed = any(not np.allclose(a, b) for a, b in zip(before, extractor.get_weights()))
    losses = history.history["loss"]
    print(f"training loss fell from {losses[0]:.4f} to {losses[-1]:.4f}; the extractor's "
          f"weights {'were' if changed else 'were not'} trained through the classifier")
    return classifier, history, extractor


if __name__ == "__main__":
    main()
