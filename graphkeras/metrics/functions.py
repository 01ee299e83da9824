"""Metric functions: `(y_true, y_pred)` -> one value per sample, like losses; the
accuracy family, and Keras 2.2's short names for the losses used as metrics."""
from graphkeras import backend as K
from graphkeras.losses import (binary_crossentropy, cosine_proximity,
                               kullback_leibler_divergence, mean_absolute_error,
                               mean_absolute_percentage_error, mean_squared_error,
                               mean_squared_logarithmic_error)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Mean over the last axis of `y_true == (y_pred > threshold)`."""
    predicted = K.cast(K.greater(y_pred, threshold), K.dtype(y_pred))
    return K.mean(K.cast(K.equal(y_true, predicted), K.floatx()), axis=-1)


def categorical_accuracy(y_true, y_pred):
    """1 where the highest-scoring class is the target's (one-hot) class, else 0."""
    return K.cast(K.equal(K.argmax(y_true, axis=-1), K.argmax(y_pred, axis=-1)), K.floatx())


def _class_ids(y_true):
    """Sparse targets `(batch,)` or `(batch, 1)` as a flat vector of class ids."""
    if K.ndim(y_true) > 1 and K.int_shape(y_true)[-1] == 1:
        y_true = K.squeeze(y_true, -1)
    return y_true


def sparse_categorical_accuracy(y_true, y_pred):
    """1 where the highest-scoring class equals the integer target, else 0."""
    predicted = K.cast(K.argmax(y_pred, axis=-1), K.floatx())
    return K.cast(K.equal(K.cast(_class_ids(y_true), K.floatx()), predicted), K.floatx())


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the target (one-hot) class is among the k highest scores."""
    hits = K.in_top_k(y_pred, K.argmax(y_true, axis=-1), k)
    return K.cast(hits, K.floatx())


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the integer target class is among the k highest scores."""
    hits = K.in_top_k(y_pred, K.cast(_class_ids(y_true), "int32"), k)
    return K.cast(hits, K.floatx())


def accuracy(y_true, y_pred):
    """tf.keras `accuracy`: the fraction of exactly equal values (over the last axis)."""
    return K.mean(K.cast(K.equal(y_true, K.cast(y_pred, K.dtype(y_true))), K.floatx()),
                  axis=-1)


# Keras 2.2's aliases, and every loss usable as a metric.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
cosine = cosine_similarity = cosine_proximity
kld = KLD = kullback_leibler_divergence
top_k_accuracy = top_k_categorical_accuracy
# tf.keras 2's short names (Keras 2.2 resolves 'acc' in `compile` only).
acc = ACC = accuracy
bce = BCE = binary_crossentropy
