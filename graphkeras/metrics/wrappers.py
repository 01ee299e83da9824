"""The tf.keras metric classes that average a metric function (`BinaryAccuracy`,
`MeanSquaredError`, ...), and `RootMeanSquaredError`."""
from graphkeras import backend as K
from graphkeras.losses import (binary_crossentropy, categorical_crossentropy,
                               categorical_hinge, cosine_proximity, hinge,
                               kullback_leibler_divergence, logcosh, mean_absolute_error,
                               mean_absolute_percentage_error, mean_squared_error,
                               mean_squared_logarithmic_error, poisson,
                               sparse_categorical_crossentropy, squared_hinge)
from graphkeras.metrics.functions import (accuracy, binary_accuracy, categorical_accuracy,
                                          sparse_categorical_accuracy,
                                          sparse_top_k_categorical_accuracy,
                                          top_k_categorical_accuracy)
from graphkeras.metrics.metric import Metric, Reduce, divide_no_nan, wrapper_class


Accuracy = wrapper_class("Accuracy", accuracy, "accuracy", "Fraction of exact matches.")
BinaryAccuracy = wrapper_class("BinaryAccuracy", binary_accuracy, "binary_accuracy",
                                "Binary accuracy at `threshold`.", threshold=0.5)
CategoricalAccuracy = wrapper_class("CategoricalAccuracy", categorical_accuracy,
                                     "categorical_accuracy", "Categorical accuracy.")
SparseCategoricalAccuracy = wrapper_class(
    "SparseCategoricalAccuracy", sparse_categorical_accuracy, "sparse_categorical_accuracy",
    "Sparse categorical accuracy.")
TopKCategoricalAccuracy = wrapper_class(
    "TopKCategoricalAccuracy", top_k_categorical_accuracy, "top_k_categorical_accuracy",
    "Top-k categorical accuracy.", k=5)
SparseTopKCategoricalAccuracy = wrapper_class(
    "SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy", "Sparse top-k categorical accuracy.", k=5)
MeanSquaredError = wrapper_class("MeanSquaredError", mean_squared_error, None,
                                  "Mean squared error.")
MeanAbsoluteError = wrapper_class("MeanAbsoluteError", mean_absolute_error, None,
                                   "Mean absolute error.")
MeanAbsolutePercentageError = wrapper_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error, None,
    "Mean absolute percentage error.")
MeanSquaredLogarithmicError = wrapper_class(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error, None,
    "Mean squared logarithmic error.")
Hinge = wrapper_class("Hinge", hinge, None, "Hinge loss as a metric.")
SquaredHinge = wrapper_class("SquaredHinge", squared_hinge, None, "Squared hinge metric.")
CategoricalHinge = wrapper_class("CategoricalHinge", categorical_hinge, None,
                                  "Categorical hinge metric.")
LogCoshError = wrapper_class("LogCoshError", logcosh, "logcosh", "Log-cosh error.")
KLDivergence = wrapper_class("KLDivergence", kullback_leibler_divergence,
                              "kullback_leibler_divergence", "Kullback-Leibler divergence.")
Poisson = wrapper_class("Poisson", poisson, None, "Poisson metric.")
BinaryCrossentropy = wrapper_class(
    "BinaryCrossentropy", binary_crossentropy, None, "Binary cross-entropy metric.",
    from_logits=False, label_smoothing=0.0)
CategoricalCrossentropy = wrapper_class(
    "CategoricalCrossentropy", categorical_crossentropy, None,
    "Categorical cross-entropy metric.", from_logits=False, label_smoothing=0.0)
SparseCategoricalCrossentropy = wrapper_class(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy, None,
    "Sparse categorical cross-entropy metric.", from_logits=False, axis=-1)


def _positive_cosine(y_true, y_pred, axis=-1):
    return -cosine_proximity(y_true, y_pred, axis=axis)


CosineSimilarity = wrapper_class("CosineSimilarity", _positive_cosine, "cosine_similarity",
                                  "Cosine similarity (positive for equal directions).",
                                  axis=-1)


class RootMeanSquaredError(Reduce):
    """The square root of the running mean of squared errors."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__("mean", name=name, dtype=dtype)

    def _values(self, y_true, y_pred):
        return K.square(y_pred - y_true)

    def result_from(self, totals):
        return K.sqrt(divide_no_nan(totals[0], totals[1]))

    def get_config(self):
        return Metric.get_config(self)
