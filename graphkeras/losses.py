"""Keras 2 losses: the per-sample loss functions with their aliases, and the loss classes.

A loss function takes `(y_true, y_pred)` and returns one value per sample (the mean or sum
over the last axis, as Keras 2 defines each loss); the training engine averages over the batch.
A loss class (`CategoricalCrossentropy(from_logits=True)`, ...) wraps a function with its
arguments and reduces the per-sample values with optional sample weights.

Rules are Keras 2.2's. Later tf.keras arguments (`from_logits`, `label_smoothing`, `axis`,
`delta`) are accepted with the same defaults. Differences from tf.keras, kept on purpose:
`hinge` and `squared_hinge` do not turn 0/1 labels into -1/+1 (Keras 2.2 never did).
"""
import math

from . import backend as K
from .utils.generic_utils import (deserialize_keras_object, get_function_from_identifier,
                                  serialize_keras_object, snake_case)


def mean_squared_error(y_true, y_pred):
    """Mean of `square(y_pred - y_true)` over the last axis."""
    return K.mean(K.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """Mean of `abs(y_pred - y_true)` over the last axis."""
    return K.mean(K.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(abs((y_true - y_pred) / y_true))`, the divisor clipped at epsilon."""
    diff = K.abs((y_true - y_pred) / K.clip(K.abs(y_true), K.epsilon(), None))
    return 100.0 * K.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """Mean of `square(log(y_pred + 1) - log(y_true + 1))`, both clipped at epsilon."""
    first_log = K.log(K.clip(y_pred, K.epsilon(), None) + 1.0)
    second_log = K.log(K.clip(y_true, K.epsilon(), None) + 1.0)
    return K.mean(K.square(first_log - second_log), axis=-1)


def squared_hinge(y_true, y_pred):
    """Mean of `square(max(1 - y_true * y_pred, 0))`; targets are expected in {-1, +1}."""
    return K.mean(K.square(K.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def hinge(y_true, y_pred):
    """Mean of `max(1 - y_true * y_pred, 0)`; targets are expected in {-1, +1}."""
    return K.mean(K.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def categorical_hinge(y_true, y_pred):
    """`max(0, neg - pos + 1)`: pos the target class score, neg the best other score."""
    pos = K.sum(y_true * y_pred, axis=-1)
    neg = K.max((1.0 - y_true) * y_pred, axis=-1)
    return K.maximum(0.0, neg - pos + 1.0)


def logcosh(y_true, y_pred):
    """Mean of `log(cosh(y_pred - y_true))` over the last axis.

    Written as `x + softplus(-2x) - log(2)`, which does not overflow for large `|x|`.
    """
    x = y_pred - y_true
    return K.mean(x + K.softplus(-2.0 * x) - math.log(2.0), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """Huber loss (tf.keras): quadratic within `delta`, linear beyond; mean over the last axis."""
    error = y_pred - y_true
    abs_error = K.abs(error)
    quadratic = 0.5 * K.square(error)
    linear = delta * abs_error - 0.5 * delta * delta
    return K.mean(K.switch(K.less_equal(abs_error, delta), quadratic, linear), axis=-1)


def _smooth_labels(y_true, label_smoothing, num_classes_weight):
    """Move targets towards uniform: `y * (1 - s) + s * num_classes_weight`."""
    return y_true * (1.0 - label_smoothing) + label_smoothing * num_classes_weight


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Cross-entropy between one-hot (or soft) targets and predicted class probabilities.

    # Arguments
        y_true: targets, same shape as `y_pred`.
        y_pred: probabilities (or logits when `from_logits`).
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in [0, 1]; targets become `y * (1 - s) + s / num_classes`.
        axis: the class axis.
    """
    if label_smoothing:
        num_classes = K.cast(K.shape(y_true)[axis], K.dtype(y_pred))
        y_true = _smooth_labels(y_true, label_smoothing, 1.0 / num_classes)
    return K.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    """Cross-entropy between integer class ids and predicted class probabilities.

    `y_true` holds class ids, shaped like `y_pred` without its class axis, or with a
    trailing axis of size 1 (Keras 2 accepts both).
    """
    return K.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits,
                                             axis=axis)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Mean over the last axis of the elementwise binary cross-entropy.

    # Arguments
        from_logits: whether `y_pred` holds logits.
        label_smoothing: targets become `y * (1 - s) + s / 2`.
        axis: the axis the mean runs over.
    """
    if label_smoothing:
        y_true = _smooth_labels(y_true, label_smoothing, 0.5)
    return K.mean(K.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=axis)


def kullback_leibler_divergence(y_true, y_pred):
    """`sum(y_true * log(y_true / y_pred))` over the last axis, both clipped to [eps, 1]."""
    y_true = K.clip(y_true, K.epsilon(), 1)
    y_pred = K.clip(y_pred, K.epsilon(), 1)
    return K.sum(y_true * K.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """Mean of `y_pred - y_true * log(y_pred + epsilon)` over the last axis."""
    return K.mean(y_pred - y_true * K.log(y_pred + K.epsilon()), axis=-1)


def cosine_proximity(y_true, y_pred, axis=-1):
    """`-sum(l2_normalize(y_true) * l2_normalize(y_pred))` over `axis` (-1 for equal directions).

    `cosine_similarity` is the tf.keras name of the same loss.
    """
    y_true = K.l2_normalize(y_true, axis=axis)
    y_pred = K.l2_normalize(y_pred, axis=axis)
    return -K.sum(y_true * y_pred, axis=axis)


# Keras 2.2's short aliases and the tf.keras names.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence = kullback_leibler_divergence
cosine = cosine_similarity = cosine_proximity
log_cosh = logcosh
huber_loss = huber


class Reduction:
    """How a loss class turns per-sample losses into one value (tf.keras names)."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction key {key!r}; expected one of {cls.all()}.")


def align_sample_weight(sample_weight, values):
    """Sample weights as a tensor of `values`'s dtype that broadcasts against `values`:
    trailing axes of size 1 are dropped, missing trailing axes are added."""
    if not K.is_tensor(sample_weight):
        sample_weight = K.constant(sample_weight, dtype=K.dtype(values))
    sample_weight = K.cast(sample_weight, K.dtype(values))
    while K.ndim(sample_weight) > K.ndim(values) and K.int_shape(sample_weight)[-1] == 1:
        sample_weight = K.squeeze(sample_weight, -1)
    while K.ndim(sample_weight) < K.ndim(values):
        sample_weight = K.expand_dims(sample_weight, -1)
    return sample_weight


def compute_weighted_loss(losses, sample_weight=None, reduction=Reduction.AUTO):
    """Weight per-sample losses and reduce them (tf.keras `compute_weighted_loss`)."""
    Reduction.validate(reduction)
    if sample_weight is not None:
        losses = losses * align_sample_weight(sample_weight, losses)
    if reduction == Reduction.NONE:
        return losses
    total = K.sum(losses)
    if reduction == Reduction.SUM:
        return total
    count = K.cast(K.prod(K.shape(losses)), K.dtype(losses))
    return total / count


class Loss:
    """Loss base class: `loss(y_true, y_pred, sample_weight=None)` returns the reduced loss.

    # Arguments
        reduction: one of `Reduction` ('auto' = 'sum_over_batch_size': the weighted sum
            divided by the number of elements).
        name: the loss name (default: the class name in snake case).
    """

    def __init__(self, reduction=Reduction.AUTO, name=None):
        Reduction.validate(reduction)
        self.reduction = reduction
        self.name = name or snake_case(type(self).__name__)

    def __call__(self, y_true, y_pred, sample_weight=None):
        losses = self.call(y_true, y_pred)
        return compute_weighted_loss(losses, sample_weight, self.reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def get_config(self):
        return {"reduction": self.reduction, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A `Loss` made from a loss function and its keyword arguments."""

    def __init__(self, fn, reduction=Reduction.AUTO, name=None, **kwargs):
        super().__init__(reduction=reduction, name=name)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = dict(self._fn_kwargs)
        config.update(super().get_config())
        return config


def _wrapper_class(class_name, fn, doc, **defaults):
    """A LossFunctionWrapper subclass whose constructor takes `fn`'s keyword arguments."""
    def __init__(self, reduction=Reduction.AUTO, name=None, **kwargs):
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise TypeError(f"{class_name}: unexpected arguments {sorted(unknown)}; "
                            f"accepted: {sorted(defaults)}")
        arguments = dict(defaults, **kwargs)
        LossFunctionWrapper.__init__(self, fn, reduction=reduction,
                                     name=name or snake_case(class_name), **arguments)
    return type(class_name, (LossFunctionWrapper,), {"__init__": __init__, "__doc__": doc})


MeanSquaredError = _wrapper_class(
    "MeanSquaredError", mean_squared_error, "Mean of squares of errors.")
MeanAbsoluteError = _wrapper_class(
    "MeanAbsoluteError", mean_absolute_error, "Mean of absolute errors.")
MeanAbsolutePercentageError = _wrapper_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error,
    "Mean absolute percentage error.")
MeanSquaredLogarithmicError = _wrapper_class(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
    "Mean squared logarithmic error.")
BinaryCrossentropy = _wrapper_class(
    "BinaryCrossentropy", binary_crossentropy,
    "Binary cross-entropy; arguments from_logits, label_smoothing, axis.",
    from_logits=False, label_smoothing=0.0, axis=-1)
CategoricalCrossentropy = _wrapper_class(
    "CategoricalCrossentropy", categorical_crossentropy,
    "Categorical cross-entropy; arguments from_logits, label_smoothing, axis.",
    from_logits=False, label_smoothing=0.0, axis=-1)
SparseCategoricalCrossentropy = _wrapper_class(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
    "Sparse categorical cross-entropy; arguments from_logits, axis.",
    from_logits=False, axis=-1)
Hinge = _wrapper_class("Hinge", hinge, "Hinge loss.")
SquaredHinge = _wrapper_class("SquaredHinge", squared_hinge, "Squared hinge loss.")
CategoricalHinge = _wrapper_class("CategoricalHinge", categorical_hinge,
                                  "Categorical hinge loss.")
Poisson = _wrapper_class("Poisson", poisson, "Poisson loss.")
LogCosh = _wrapper_class("LogCosh", logcosh, "Logarithm of the hyperbolic cosine of the error.")
KLDivergence = _wrapper_class("KLDivergence", kullback_leibler_divergence,
                              "Kullback-Leibler divergence.")
Huber = _wrapper_class("Huber", huber, "Huber loss; argument delta.", delta=1.0)
CosineSimilarity = _wrapper_class("CosineSimilarity", cosine_proximity,
                                  "Negative cosine similarity; argument axis.", axis=-1)

_FUNCTIONS = {
    fn.__name__: fn for fn in (
        mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
        mean_squared_logarithmic_error, squared_hinge, hinge, categorical_hinge, logcosh,
        huber, categorical_crossentropy, sparse_categorical_crossentropy,
        binary_crossentropy, kullback_leibler_divergence, poisson, cosine_proximity)}
_FUNCTIONS.update({
    "mse": mse, "MSE": mse, "mae": mae, "MAE": mae, "mape": mape, "MAPE": mape,
    "msle": msle, "MSLE": msle, "kld": kld, "KLD": kld, "kl_divergence": kld,
    "cosine": cosine_proximity, "cosine_similarity": cosine_proximity, "log_cosh": logcosh,
    "huber_loss": huber})
_CLASSES = {cls.__name__: cls for cls in (
    Loss, LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, BinaryCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy, Hinge, SquaredHinge,
    CategoricalHinge, Poisson, LogCosh, KLDivergence, Huber, CosineSimilarity)}
_ALL = dict(_FUNCTIONS, **_CLASSES)


def serialize(loss):
    """A loss function's name, or a loss object's `{'class_name', 'config'}`."""
    return serialize_keras_object(loss)


def deserialize(name, custom_objects=None):
    """The loss function or loss object named or described by `name`."""
    return deserialize_keras_object(name, module_objects=_ALL, custom_objects=custom_objects,
                                    printable_module_name="loss function")


def get(identifier):
    """A loss from a name, a config dict or a callable (None stays None).

    # Raises
        ValueError: when `identifier` cannot be interpreted.
    """
    if identifier is None:
        return None
    return get_function_from_identifier(identifier, deserialize, "loss function")
