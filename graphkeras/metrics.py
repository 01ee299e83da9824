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
"""
import numpy as np

from . import backend as K
from . import losses as losses_module
from .losses import (align_sample_weight, binary_crossentropy, categorical_crossentropy,
                     categorical_hinge, cosine_proximity, hinge, kullback_leibler_divergence,
                     logcosh, mean_absolute_error, mean_absolute_percentage_error,
                     mean_squared_error, mean_squared_logarithmic_error, poisson,
                     sparse_categorical_crossentropy, squared_hinge)
from .utils.generic_utils import (as_float_list, deserialize_keras_object,
                                  serialize_keras_object, snake_case)


# ---------------------------------------------------------------------------------------
# Metric functions
# ---------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------
# Stateful metrics
# ---------------------------------------------------------------------------------------

def _divide_no_nan(numerator, denominator):
    """numerator / denominator, and 0 where the denominator is 0 (tf.math.divide_no_nan)."""
    is_zero = K.equal(denominator, 0.0)
    safe = K.switch(is_zero, K.ones_like(denominator), denominator)
    return K.switch(is_zero, K.zeros_like(numerator * safe), numerator / safe)


def _as_float(x, dtype=None):
    if not K.is_tensor(x):
        x = K.constant(x, dtype=dtype or K.floatx())
    return K.cast(x, dtype or K.floatx())


class Metric:
    """Base class of stateful metrics, with tf.keras's interface.

    Subclasses declare their totals with `add_weight` in `__init__` and implement
    `state_after(y_true, y_pred, sample_weight)` (the new totals, in `weights` order) and
    `result_from(totals)` (the value, from a list of totals).

    # Arguments
        name: the metric's name (default: the class name in snake case).
        dtype: the dtype of the totals (default: floatx).
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or snake_case(type(self).__name__)
        self.dtype = dtype or K.floatx()
        self.stateful = True
        self.weights = []
        self.updates = []
        self._initial_values = []

    def add_weight(self, name, shape=(), initializer="zeros", dtype=None):
        """A new total, held in a non-trainable backend variable."""
        from . import initializers
        value = initializers.get(initializer)(shape, dtype or self.dtype)
        with K.name_scope(self.name):
            variable = K.variable(value, dtype=dtype or self.dtype, name=name)
        self.weights.append(variable)
        self._initial_values.append(np.array(value))
        return variable

    @property
    def variables(self):
        return list(self.weights)

    def state_after(self, y_true, y_pred, sample_weight=None):
        raise NotImplementedError(f"{type(self).__name__} must implement state_after")

    def result_from(self, totals):
        raise NotImplementedError(f"{type(self).__name__} must implement result_from")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """The update pairs that add one batch to the totals (also kept in `updates`)."""
        new_totals = self.state_after(y_true, y_pred, sample_weight)
        self.updates = [K.update(v, t) for v, t in zip(self.weights, new_totals)]
        return self.updates

    def result(self):
        """The metric's value from the current totals, as a tensor."""
        return self.result_from(self.weights)

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The value including this batch; the batch's update pairs go to `updates`."""
        updates = Metric.update_state(self, y_true, y_pred, sample_weight)
        return self.result_from([new_total for _, new_total in updates])

    def reset_states(self):
        """Set every total back to its initial value."""
        K.batch_set_value(list(zip(self.weights, self._initial_values)))

    reset_state = reset_states

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Reduce(Metric):
    """A running sum (`reduction='sum'`) or weighted mean (`'mean'`) of the given values."""

    def __init__(self, reduction, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reduction = reduction
        self.total = self.add_weight("total")
        if reduction != "sum":
            self.count = self.add_weight("count")

    def _values(self, y_true, y_pred):
        return y_true

    def state_after(self, y_true, y_pred=None, sample_weight=None):
        values = _as_float(self._values(y_true, y_pred), self.dtype)
        if sample_weight is None:
            weighted_sum = K.sum(values)
            count = K.cast(K.prod(K.shape(values)), self.dtype)
        else:
            weights = align_sample_weight(sample_weight, values) * K.ones_like(values)
            weighted_sum = K.sum(values * weights)
            count = K.sum(weights)
        if self.reduction == "sum":
            return [self.total + weighted_sum]
        return [self.total + weighted_sum, self.count + count]

    def result_from(self, totals):
        if self.reduction == "sum":
            return K.identity(totals[0])
        return _divide_no_nan(totals[0], totals[1])


class _ValueReduce(Reduce):
    """A Reduce fed the values themselves: `metric(values, sample_weight=None)`."""

    def __call__(self, values, sample_weight=None):
        return super().__call__(values, None, sample_weight)

    def update_state(self, values, sample_weight=None):
        return super().update_state(values, None, sample_weight)

    def get_config(self):
        return Metric.get_config(self)


class Sum(_ValueReduce):
    """The running (weighted) sum of the given values."""

    def __init__(self, name=None, dtype=None):
        super().__init__("sum", name=name, dtype=dtype)


class Mean(_ValueReduce):
    """The running (weighted) mean of the given values."""

    def __init__(self, name=None, dtype=None):
        super().__init__("mean", name=name, dtype=dtype)


class MeanMetricWrapper(Reduce):
    """The running mean of a per-sample function `fn(y_true, y_pred, **kwargs)`."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__("mean", name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def _values(self, y_true, y_pred):
        return self._fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = dict(self._fn_kwargs)
        config.update(Metric.get_config(self))
        return config


def _wrapper_class(class_name, fn, default_name=None, doc="", **defaults):
    """A MeanMetricWrapper subclass for `fn`, taking `fn`'s keyword arguments."""
    def __init__(self, name=None, dtype=None, **kwargs):
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise TypeError(f"{class_name}: unexpected arguments {sorted(unknown)}; "
                            f"accepted: {sorted(defaults)}")
        MeanMetricWrapper.__init__(self, fn, name=name or default_name or snake_case(class_name),
                                   dtype=dtype, **dict(defaults, **kwargs))
    return type(class_name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": doc})


Accuracy = _wrapper_class("Accuracy", accuracy, "accuracy", "Fraction of exact matches.")
BinaryAccuracy = _wrapper_class("BinaryAccuracy", binary_accuracy, "binary_accuracy",
                                "Binary accuracy at `threshold`.", threshold=0.5)
CategoricalAccuracy = _wrapper_class("CategoricalAccuracy", categorical_accuracy,
                                     "categorical_accuracy", "Categorical accuracy.")
SparseCategoricalAccuracy = _wrapper_class(
    "SparseCategoricalAccuracy", sparse_categorical_accuracy, "sparse_categorical_accuracy",
    "Sparse categorical accuracy.")
TopKCategoricalAccuracy = _wrapper_class(
    "TopKCategoricalAccuracy", top_k_categorical_accuracy, "top_k_categorical_accuracy",
    "Top-k categorical accuracy.", k=5)
SparseTopKCategoricalAccuracy = _wrapper_class(
    "SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy", "Sparse top-k categorical accuracy.", k=5)
MeanSquaredError = _wrapper_class("MeanSquaredError", mean_squared_error, None,
                                  "Mean squared error.")
MeanAbsoluteError = _wrapper_class("MeanAbsoluteError", mean_absolute_error, None,
                                   "Mean absolute error.")
MeanAbsolutePercentageError = _wrapper_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error, None,
    "Mean absolute percentage error.")
MeanSquaredLogarithmicError = _wrapper_class(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error, None,
    "Mean squared logarithmic error.")
Hinge = _wrapper_class("Hinge", hinge, None, "Hinge loss as a metric.")
SquaredHinge = _wrapper_class("SquaredHinge", squared_hinge, None, "Squared hinge metric.")
CategoricalHinge = _wrapper_class("CategoricalHinge", categorical_hinge, None,
                                  "Categorical hinge metric.")
LogCoshError = _wrapper_class("LogCoshError", logcosh, "logcosh", "Log-cosh error.")
KLDivergence = _wrapper_class("KLDivergence", kullback_leibler_divergence,
                              "kullback_leibler_divergence", "Kullback-Leibler divergence.")
Poisson = _wrapper_class("Poisson", poisson, None, "Poisson metric.")
BinaryCrossentropy = _wrapper_class(
    "BinaryCrossentropy", binary_crossentropy, None, "Binary cross-entropy metric.",
    from_logits=False, label_smoothing=0.0)
CategoricalCrossentropy = _wrapper_class(
    "CategoricalCrossentropy", categorical_crossentropy, None,
    "Categorical cross-entropy metric.", from_logits=False, label_smoothing=0.0)
SparseCategoricalCrossentropy = _wrapper_class(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy, None,
    "Sparse categorical cross-entropy metric.", from_logits=False, axis=-1)


def _positive_cosine(y_true, y_pred, axis=-1):
    return -cosine_proximity(y_true, y_pred, axis=axis)


CosineSimilarity = _wrapper_class("CosineSimilarity", _positive_cosine, "cosine_similarity",
                                  "Cosine similarity (positive for equal directions).",
                                  axis=-1)


class RootMeanSquaredError(Reduce):
    """The square root of the running mean of squared errors."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__("mean", name=name, dtype=dtype)

    def _values(self, y_true, y_pred):
        return K.square(y_pred - y_true)

    def result_from(self, totals):
        return K.sqrt(_divide_no_nan(totals[0], totals[1]))

    def get_config(self):
        return Metric.get_config(self)


# -- confusion-matrix metrics ------------------------------------------------------------

def _flatten_predictions(y_true, y_pred, class_id, sample_weight):
    """Labels, scores and weights as flat vectors (one column when `class_id` is given)."""
    y_true = _as_float(y_true, K.dtype(y_pred))
    if class_id is not None:
        y_true = y_true[..., class_id]
        y_pred = y_pred[..., class_id]
    weights = None
    if sample_weight is not None:
        weights = K.flatten(align_sample_weight(sample_weight, y_pred) * K.ones_like(y_pred))
    return K.flatten(y_true), K.flatten(y_pred), weights


def _keep_top_k(y_pred, k):
    """Scores outside each row's k best become -inf, so no threshold counts them."""
    scores = K.expand_dims(y_pred, -1)
    others = K.expand_dims(y_pred, -2)
    better = K.sum(K.cast(K.greater(others, scores), K.dtype(y_pred)), axis=-1)
    return K.switch(K.less(better, float(k)), y_pred,
                    K.ones_like(y_pred) * float(np.finfo(np.float32).min))


def confusion_counts(y_true, y_pred, thresholds, sample_weight=None, class_id=None,
                     top_k=None):
    """Weighted (tp, fp, tn, fn), each a vector over `thresholds`; positive means `> t`."""
    if top_k is not None:
        y_pred = _keep_top_k(y_pred, top_k)
    labels, scores, weights = _flatten_predictions(y_true, y_pred, class_id, sample_weight)
    dtype = K.dtype(scores)
    thresholds = K.constant(np.asarray(thresholds, dtype=dtype).reshape(-1, 1), dtype=dtype)
    predicted_positive = K.cast(K.greater(K.expand_dims(scores, 0), thresholds), dtype)
    is_positive = K.cast(K.not_equal(labels, 0.0), dtype)
    if weights is not None:
        is_positive_weighted = is_positive * weights
        is_negative_weighted = (1.0 - is_positive) * weights
    else:
        is_positive_weighted = is_positive
        is_negative_weighted = 1.0 - is_positive
    tp = K.sum(predicted_positive * is_positive_weighted, axis=1)
    fp = K.sum(predicted_positive * is_negative_weighted, axis=1)
    fn = K.sum((1.0 - predicted_positive) * is_positive_weighted, axis=1)
    tn = K.sum((1.0 - predicted_positive) * is_negative_weighted, axis=1)
    return {"tp": tp, "fp": fp, "tn": tn, "fn": fn}


def _thresholds_list(thresholds, default):
    if thresholds is None:
        return [default]
    values = as_float_list(thresholds)
    for value in values:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"Threshold values must be in [0, 1], got {value}.")
    return values


class _ConfusionMetric(Metric):
    """Totals of some of tp/fp/tn/fn at each threshold."""

    counts = ()

    def __init__(self, thresholds=None, name=None, dtype=None, top_k=None, class_id=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        # With top_k and no thresholds every kept score counts as positive (tf.keras).
        default = 0.5 if top_k is None else float(np.finfo(np.float32).min)
        self.thresholds = _thresholds_list(thresholds, default)
        self.top_k = top_k
        self.class_id = class_id
        for count in self.counts:
            setattr(self, count, self.add_weight(count, shape=(len(self.thresholds),)))

    def state_after(self, y_true, y_pred, sample_weight=None):
        counts = confusion_counts(y_true, y_pred, self.thresholds, sample_weight,
                                  class_id=self.class_id, top_k=self.top_k)
        return [total + counts[kind] for total, kind in zip(self.weights, self.counts)]

    def _single(self, value):
        """A scalar when there is one threshold (as tf.keras), else the vector."""
        if len(self.thresholds) == 1:
            return value[0]
        return value

    def get_config(self):
        config = {"thresholds": self.init_thresholds}
        config.update(Metric.get_config(self))
        return config


class _CountMetric(_ConfusionMetric):
    """The weighted number of one outcome at each threshold (scores > threshold are
    positive); a scalar for a single threshold."""

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(thresholds, name=name, dtype=dtype)

    def result_from(self, totals):
        return self._single(totals[0])


class TruePositives(_CountMetric):
    """The weighted number of true positives at each threshold (default 0.5)."""
    counts = ("tp",)


class FalsePositives(_CountMetric):
    """The weighted number of false positives at each threshold (default 0.5)."""
    counts = ("fp",)


class TrueNegatives(_CountMetric):
    """The weighted number of true negatives at each threshold (default 0.5)."""
    counts = ("tn",)


class FalseNegatives(_CountMetric):
    """The weighted number of false negatives at each threshold (default 0.5)."""
    counts = ("fn",)


class Precision(_ConfusionMetric):
    """Precision, tp / (tp + fp), at each threshold (default 0.5).

    # Arguments
        thresholds: a float or list of floats in [0, 1].
        top_k: only each row's k highest scores can count as positive.
        class_id: only this class (column) is counted.
    """

    counts = ("tp", "fp")

    def result_from(self, totals):
        tp, fp = totals
        return self._single(_divide_no_nan(tp, tp + fp))

    def get_config(self):
        config = super().get_config()
        config.update({"top_k": self.top_k, "class_id": self.class_id})
        return config


class Recall(_ConfusionMetric):
    """Recall, tp / (tp + fn), at each threshold (default 0.5).

    # Arguments
        thresholds: a float or list of floats in [0, 1].
        top_k: only each row's k highest scores can count as positive.
        class_id: only this class (column) is counted.
    """

    counts = ("tp", "fn")

    def result_from(self, totals):
        tp, fn = totals
        return self._single(_divide_no_nan(tp, tp + fn))

    def get_config(self):
        config = super().get_config()
        config.update({"top_k": self.top_k, "class_id": self.class_id})
        return config


class AUC(_ConfusionMetric):
    """Area under the ROC or precision-recall curve, from counts at fixed thresholds.

    # Arguments
        num_thresholds: number of thresholds (> 1) spread evenly over [0, 1]; the first is
            just below 0 and the last just above 1, as tf.keras.
        curve: 'ROC' or 'PR'.
        summation_method: 'interpolation' (trapezoids for ROC; Davis & Goadrich's
            interpolation for PR), 'minoring' or 'majoring' (left/right Riemann sums).
        thresholds: explicit thresholds, used instead of `num_thresholds`.
    """

    counts = ("tp", "fp", "tn", "fn")

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None):
        if curve.upper() not in ("ROC", "PR"):
            raise ValueError(f"AUC: invalid curve {curve!r}; expected 'ROC' or 'PR'.")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f"AUC: invalid summation_method {summation_method!r}; expected "
                             "'interpolation', 'minoring' or 'majoring'.")
        if thresholds is None:
            if num_thresholds <= 1:
                raise ValueError(f"AUC: num_thresholds must be > 1, got {num_thresholds}.")
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        else:
            inner = sorted(as_float_list(thresholds))
        self.num_thresholds = len(inner) + 2
        self.curve = curve.upper()
        self.summation_method = summation_method
        self._explicit_thresholds = thresholds
        Metric.__init__(self, name=name, dtype=dtype)
        self.init_thresholds = None
        self.top_k = None
        self.class_id = None
        self.thresholds = [0.0 - K.epsilon()] + inner + [1.0 + K.epsilon()]
        for count in self.counts:
            setattr(self, count, self.add_weight(count, shape=(len(self.thresholds),)))

    def result_from(self, totals):
        tp, fp, tn, fn = totals
        if self.curve == "PR" and self.summation_method == "interpolation":
            return _interpolate_pr_auc(tp, fp, fn, len(self.thresholds))
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x = _divide_no_nan(fp, fp + tn)
            y = recall
        else:
            x = recall
            y = _divide_no_nan(tp, tp + fp)
        n = len(self.thresholds)
        left, right = y[:n - 1], y[1:]
        if self.summation_method == "interpolation":
            heights = (left + right) / 2.0
        elif self.summation_method == "minoring":
            heights = K.minimum(left, right)
        else:
            heights = K.maximum(left, right)
        return K.sum((x[:n - 1] - x[1:]) * heights)

    def get_config(self):
        config = {"num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method,
                  "thresholds": self._explicit_thresholds}
        config.update(Metric.get_config(self))
        return config


def _interpolate_pr_auc(tp, fp, fn, n):
    """PR AUC with precision interpolated linearly in tp between thresholds (Davis 2006)."""
    dtp = tp[:n - 1] - tp[1:]
    p = tp + fp
    dp = p[:n - 1] - p[1:]
    precision_slope = _divide_no_nan(dtp, K.maximum(dp, 0.0))
    intercept = tp[1:] - precision_slope * p[1:]
    both_positive = K.cast(K.greater(p[:n - 1], 0.0), K.dtype(tp)) * K.cast(
        K.greater(p[1:], 0.0), K.dtype(tp))
    ratio = _divide_no_nan(p[:n - 1], K.maximum(p[1:], 0.0))
    safe_ratio = K.switch(K.greater(both_positive, 0.0), ratio, K.ones_like(ratio))
    increments = _divide_no_nan(precision_slope * (dtp + intercept * K.log(safe_ratio)),
                                K.maximum(tp[1:] + fn[1:], 0.0))
    return K.sum(increments)


class _RateAtRate(_ConfusionMetric):
    """The best `dependent` rate among thresholds where the `constrained` rate reaches
    `value` (0 when none does), from counts at `num_thresholds` thresholds in [0, 1]."""

    counts = ("tp", "fp", "tn", "fn")
    value_name = "value"

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{type(self).__name__}: `{self.value_name}` must be in [0, 1], "
                             f"got {value}.")
        if num_thresholds <= 0:
            raise ValueError(f"{type(self).__name__}: num_thresholds must be > 0, got "
                             f"{num_thresholds}.")
        self.value = value
        self.num_thresholds = num_thresholds
        if num_thresholds == 1:
            thresholds = [0.5]
        else:
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            thresholds = [0.0] + inner + [1.0]
        super().__init__(thresholds, name=name, dtype=dtype, class_id=class_id)

    def rates(self, tp, fp, tn, fn):
        """(constrained, dependent) rates, vectors over the thresholds."""
        raise NotImplementedError(f"{type(self).__name__} must implement rates")

    def result_from(self, totals):
        constrained, dependent = self.rates(*totals)
        feasible = K.cast(K.greater_equal(constrained, self.value), K.dtype(dependent))
        # Rates are >= 0, so the max over feasible entries (0 elsewhere) is the answer.
        return K.max(dependent * feasible)

    def get_config(self):
        config = {"num_thresholds": self.num_thresholds, "class_id": self.class_id,
                  self.value_name: self.value}
        config.update(Metric.get_config(self))
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        return cls(config.pop(cls.value_name), **config)


class SensitivityAtSpecificity(_RateAtRate):
    """The best sensitivity (recall) at a specificity of at least `specificity`."""

    value_name = "specificity"

    def rates(self, tp, fp, tn, fn):
        return _divide_no_nan(tn, tn + fp), _divide_no_nan(tp, tp + fn)


class SpecificityAtSensitivity(_RateAtRate):
    """The best specificity at a sensitivity (recall) of at least `sensitivity`."""

    value_name = "sensitivity"

    def rates(self, tp, fp, tn, fn):
        return _divide_no_nan(tp, tp + fn), _divide_no_nan(tn, tn + fp)


class PrecisionAtRecall(_RateAtRate):
    """The best precision at a recall of at least `recall`."""

    value_name = "recall"

    def rates(self, tp, fp, tn, fn):
        return _divide_no_nan(tp, tp + fn), _divide_no_nan(tp, tp + fp)


class RecallAtPrecision(_RateAtRate):
    """The best recall at a precision of at least `precision`."""

    value_name = "precision"

    def rates(self, tp, fp, tn, fn):
        return _divide_no_nan(tp, tp + fp), _divide_no_nan(tp, tp + fn)


class MeanIoU(Metric):
    """Mean intersection-over-union over classes, from a running confusion matrix.

    `y_true` and `y_pred` hold class ids (predictions are not arg-maxed, as in tf.keras).

    # Arguments
        num_classes: the number of classes.
    """

    def __init__(self, num_classes, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.num_classes = num_classes
        self.total_cm = self.add_weight("total_confusion_matrix",
                                        shape=(num_classes, num_classes))

    def state_after(self, y_true, y_pred, sample_weight=None):
        dtype = self.dtype
        true_ids = K.cast(K.flatten(K.cast(y_true, dtype)), "int32")
        pred_ids = K.cast(K.flatten(K.cast(y_pred, dtype)), "int32")
        true_hot = K.cast(K.one_hot(true_ids, self.num_classes), dtype)
        pred_hot = K.cast(K.one_hot(pred_ids, self.num_classes), dtype)
        if sample_weight is not None:
            weights = K.flatten(align_sample_weight(sample_weight, y_pred)
                                * K.ones_like(K.cast(y_pred, dtype)))
            true_hot = true_hot * K.expand_dims(weights, -1)
        return [self.total_cm + K.dot(K.transpose(true_hot), pred_hot)]

    def result_from(self, totals):
        cm = totals[0]
        predicted_per_class = K.sum(cm, axis=0)
        true_per_class = K.sum(cm, axis=1)
        diagonal = K.sum(cm * K.constant(np.eye(self.num_classes), dtype=self.dtype), axis=1)
        denominator = predicted_per_class + true_per_class - diagonal
        valid = K.sum(K.cast(K.not_equal(denominator, 0.0), self.dtype))
        iou = _divide_no_nan(diagonal, denominator)
        return _divide_no_nan(K.sum(iou), valid)

    def get_config(self):
        config = {"num_classes": self.num_classes}
        config.update(Metric.get_config(self))
        return config


# ---------------------------------------------------------------------------------------
# Lookup
# ---------------------------------------------------------------------------------------

_FUNCTIONS = {fn.__name__: fn for fn in (
    binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, accuracy)}
_FUNCTIONS.update(losses_module._FUNCTIONS)
_FUNCTIONS["top_k_accuracy"] = top_k_categorical_accuracy
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
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric function identifier: {identifier!r}")
