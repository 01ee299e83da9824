"""Keras 2 metrics: per-sample metric functions and the stateful metric classes.

Metric functions (`binary_accuracy`, `top_k_categorical_accuracy`, any loss function) take
`(y_true, y_pred)` and return one value per sample, like losses. The engine resolves 'acc' and
'accuracy' to the binary, categorical or sparse variant from the loss and output shape, as
Keras 2.2 does.

A stateful metric (`Precision`, `AUC`, `Mean`, ...) keeps its totals in backend variables.
`metric(y_true, y_pred, sample_weight=None)` returns the metric's value after counting this
batch and leaves the matching update pairs in `metric.updates`; running them with that value in
one `K.function` accumulates over batches. `result()` reads the totals, `reset_states()` zeroes
them. Every result is computed from the totals given to it, so the value returned by a call
already includes its own batch even though the updates are applied after the function's
outputs are computed.

functions.py holds the metric functions, metric.py the stateful base classes, wrappers.py
the classes that average a function, confusion.py the threshold metrics and iou.py MeanIoU.
"""
from graphkeras import losses as losses_module
from graphkeras.losses import (binary_crossentropy, categorical_crossentropy,
                               categorical_hinge, cosine_proximity, hinge,
                               kullback_leibler_divergence, logcosh, mean_absolute_error,
                               mean_absolute_percentage_error, mean_squared_error,
                               mean_squared_logarithmic_error, poisson,
                               sparse_categorical_crossentropy, squared_hinge)
from graphkeras.metrics.confusion import (AUC, FalseNegatives, FalsePositives, Precision,
                                          PrecisionAtRecall, Recall, RecallAtPrecision,
                                          SensitivityAtSpecificity, SpecificityAtSensitivity,
                                          TrueNegatives, TruePositives, confusion_counts)
from graphkeras.metrics.functions import (ACC, BCE, KLD, MAE, MAPE, MSE, MSLE, acc, accuracy,
                                          bce, binary_accuracy, categorical_accuracy, cosine,
                                          cosine_similarity, kld, mae, mape, mse, msle,
                                          sparse_categorical_accuracy,
                                          sparse_top_k_categorical_accuracy, top_k_accuracy,
                                          top_k_categorical_accuracy)
from graphkeras.metrics.iou import MeanIoU
from graphkeras.metrics.metric import Mean, MeanMetricWrapper, Metric, Reduce, Sum
from graphkeras.metrics.wrappers import (Accuracy, BinaryAccuracy, BinaryCrossentropy,
                                         CategoricalAccuracy, CategoricalCrossentropy,
                                         CategoricalHinge, CosineSimilarity, Hinge, KLDivergence,
                                         LogCoshError, MeanAbsoluteError,
                                         MeanAbsolutePercentageError, MeanSquaredError,
                                         MeanSquaredLogarithmicError, Poisson,
                                         RootMeanSquaredError, SparseCategoricalAccuracy,
                                         SparseCategoricalCrossentropy,
                                         SparseTopKCategoricalAccuracy, SquaredHinge,
                                         TopKCategoricalAccuracy)
from graphkeras.utils.generic_utils import (deserialize_keras_object,
                                           get_function_from_identifier,
                                           serialize_keras_object)

# ---------------------------------------------------------------------------------------
# Lookup
# ---------------------------------------------------------------------------------------

_FUNCTIONS = {fn.__name__: fn for fn in (
    binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, accuracy)}
_FUNCTIONS.update(losses_module._FUNCTIONS)
_FUNCTIONS.update({"top_k_accuracy": top_k_categorical_accuracy, "acc": accuracy,
                   "ACC": accuracy, "bce": binary_crossentropy, "BCE": binary_crossentropy})
_CLASSES = {cls.__name__: cls for cls in (
    Metric, Reduce, Sum, Mean, MeanMetricWrapper, Accuracy, BinaryAccuracy,
    CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Hinge, SquaredHinge,
    CategoricalHinge, LogCoshError, KLDivergence, Poisson, BinaryCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy, CosineSimilarity,
    RootMeanSquaredError, TruePositives, FalsePositives, TrueNegatives, FalseNegatives,
    Precision, Recall, AUC, SensitivityAtSpecificity, SpecificityAtSensitivity,
    PrecisionAtRecall, RecallAtPrecision, MeanIoU)}
_ALL = dict(_FUNCTIONS, **_CLASSES)


def serialize(metric):
    """A metric function's name, or a metric object's `{'class_name', 'config'}`."""
    return serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    """The metric function or object named or described by `config`."""
    return deserialize_keras_object(config, module_objects=_ALL, custom_objects=custom_objects,
                                    printable_module_name="metric function")


def get(identifier):
    """A metric from a name, a config dict or a callable.

    # Raises
        ValueError: when `identifier` cannot be interpreted.
    """
    return get_function_from_identifier(identifier, deserialize, "metric function")
