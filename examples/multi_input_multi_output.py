"""A model with two inputs and two outputs, weighted losses (the Keras 2 functional API guide).

The guide predicts how many retweets a headline gets: the headline goes through an Embedding
and an LSTM, an auxiliary output is trained on the LSTM's features alone, and the main output
also sees auxiliary inputs (such as the time of posting). Here the headline is already a
feature vector (a Dense encoder stands in for Embedding + LSTM, so the example needs only core
layers) and the data is generated so that the label depends on both inputs.
Run: `python examples/multi_input_multi_output.py`.
"""
import numpy as np

from graphkeras.layers import Dense, Input, concatenate
from graphkeras.models import Model


def make_data(samples, rng, headline_features=30, aux_features=5):
    """Headline features, auxiliary features, and a 0/1 label that depends on both."""
    headline = rng.normal(size=(samples, headline_features)).astype("float32")
    additional = rng.normal(size=(samples, aux_features)).astype("float32")
    w_headline = np.random.RandomState(11).normal(size=headline_features)
    w_aux = np.random.RandomState(12).normal(size=aux_features)
    score = headline @ w_headline + 2.0 * (additional @ w_aux)
    labels = (score > 0).astype("float32").reshape(-1, 1)
    return headline, additional, labels


def main(epochs=10, batch_size=32, verbose=1, seed=0):
    """Build and train the two-output model; returns (model, history)."""
    # Seed NumPy's global generator too: unseeded initializers and dropout draw from it.
    np.random.seed(seed)
    rng = np.random.RandomState(seed)
    headline_data, additional_data, labels = make_data(1000, rng)

    main_input = Input(shape=(30,), name="main_input")
    # Stands in for Embedding + LSTM: encodes the headline into a vector of 32 features.
    encoded = Dense(32, activation="relu", name="encoder")(main_input)
    auxiliary_output = Dense(1, activation="sigmoid", name="aux_output")(encoded)

    auxiliary_input = Input(shape=(5,), name="aux_input")
    x = concatenate([encoded, auxiliary_input])
    # A deep densely-connected network on top.
    x = Dense(64, activation="relu")(x)
    x = Dense(64, activation="relu")(x)
    x = Dense(64, activation="relu")(x)
    main_output = Dense(1, activation="sigmoid", name="main_output")(x)

    model = Model(inputs=[main_input, auxiliary_input], outputs=[main_output, auxiliary_output])
    model.summary()
    # The auxiliary loss is weighted by 0.2, as in the guide.
    model.compile(optimizer="rmsprop",
                  loss={"main_output": "binary_crossentropy",
                        "aux_output": "binary_crossentropy"},
                  loss_weights={"main_output": 1.0, "aux_output": 0.2},
                  metrics=["accuracy"])
    # Inputs and targets by name (a list in model order works the same).
    history = model.fit({"main_input": headline_data, "aux_input": additional_data},
                        {"main_output": labels, "aux_output": labels},
                        epochs=epochs, batch_size=batch_size, verbose=verbose)
    losses = history.history["loss"]
    print(f"weighted training loss fell from {losses[0]:.4f} to {losses[-1]:.4f}")
    return model, history


if __name__ == "__main__":
    main()
