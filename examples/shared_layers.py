"""Shared layers: one layer instance applied to two inputs (the Keras 2 functional API guide).

The guide decides whether two tweets come from the same person with one LSTM shared by both
tweets. Here each "tweet" is a feature vector, a shared Dense encoder stands in for the LSTM,
and the generated label says which of the two vectors scores higher under a fixed hidden rule,
so the same encoder must serve both inputs. Run: `python examples/shared_layers.py`.
"""
import numpy as np

from graphkeras.layers import Dense, Input, concatenate
from graphkeras.models import Model


def make_data(samples, rng, features=16):
    """Two feature vectors per sample; label 1 where the first scores higher (hidden rule)."""
    weights = np.random.RandomState(5).normal(size=features)
    tweet_a = rng.normal(size=(samples, features)).astype("float32")
    tweet_b = rng.normal(size=(samples, features)).astype("float32")
    labels = (tweet_a @ weights > tweet_b @ weights).astype("float32").reshape(-1, 1)
    return tweet_a, tweet_b, labels


def main(epochs=15, batch_size=32, verbose=1, seed=0):
    """Build and train the siamese model; returns (model, history, test [loss, accuracy])."""
    # Seed NumPy's global generator too: unseeded initializers and dropout draw from it.
    np.random.seed(seed)
    rng = np.random.RandomState(seed)
    data_a, data_b, labels = make_data(2000, rng)
    test_a, test_b, test_labels = make_data(200, rng)

    tweet_a = Input(shape=(16,))
    tweet_b = Input(shape=(16,))

    # This layer takes a vector as input and returns a vector of size 8.
    shared_encoder = Dense(8, activation="tanh", name="shared_encoder")
    # When we reuse the same layer instance multiple times, the weights of the layer are
    # also being reused (it is effectively *the same* layer).
    encoded_a = shared_encoder(tweet_a)
    encoded_b = shared_encoder(tweet_b)

    merged_vector = concatenate([encoded_a, encoded_b], axis=-1)
    predictions = Dense(1, activation="sigmoid")(merged_vector)

    model = Model(inputs=[tweet_a, tweet_b], outputs=predictions)
    model.summary()
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit([data_a, data_b], labels, epochs=epochs, batch_size=batch_size,
                        verbose=verbose)
    score = model.evaluate([test_a, test_b], test_labels, verbose=0)
    # The shared layer has two inbound nodes; each has its own output tensor, read with
    # shared_encoder.get_output_at(0) and get_output_at(1).
    print(f"shared_encoder has {len(shared_encoder.inbound_nodes)} inbound nodes")
    losses = history.history["loss"]
    print(f"training loss fell from {losses[0]:.4f} to {losses[-1]:.4f}; "
          f"test accuracy {score[1]:.4f}")
    return model, history, score


if __name__ == "__main__":
    main()
