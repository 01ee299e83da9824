"""Metrics counted from a confusion matrix at thresholds: TruePositives and the other
counts, Precision, Recall, AUC, and the rate-at-rate metrics (SensitivityAtSpecificity, ...)."""
import numpy as np

from graphkeras import backend as K
from graphkeras.losses import align_sample_weight
from graphkeras.metrics.metric import Metric, as_float, divide_no_nan
from graphkeras.utils.generic_utils import as_float_list


def _flatten_predictions(y_true, y_pred, class_id, sample_weight):
    """Labels, scores and weights as flat vectors (one column when `class_id` is given)."""
    y_true = as_float(y_true, K.dtype(y_pred))
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


class _TruePositiveRatio(_ConfusionMetric):
    """tp / (tp + the other count in `counts`), at each threshold; configurable by `top_k` and
    `class_id`."""

    def result_from(self, totals):
        tp, other = totals
        return self._single(divide_no_nan(tp, tp + other))

    def get_config(self):
        config = super().get_config()
        config.update({"top_k": self.top_k, "class_id": self.class_id})
        return config


class Precision(_TruePositiveRatio):
    """Precision, tp / (tp + fp), at each threshold (default 0.5).

    # Arguments
        thresholds: a float or list of floats in [0, 1].
        top_k: only each row's k highest scores can count as positive.
        class_id: only this class (column) is counted.
    """

    counts = ("tp", "fp")


class Recall(_TruePositiveRatio):
    """Recall, tp / (tp + fn), at each threshold (default 0.5).

    # Arguments
        thresholds: a float or list of floats in [0, 1].
        top_k: only each row's k highest scores can count as positive.
        class_id: only this class (column) is counted.
    """

    counts = ("tp", "fn")


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
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x = divide_no_nan(fp, fp + tn)
            y = recall
        else:
            x = recall
            y = divide_no_nan(tp, tp + fp)
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
    precision_slope = divide_no_nan(dtp, K.maximum(dp, 0.0))
    intercept = tp[1:] - precision_slope * p[1:]
    both_positive = K.cast(K.greater(p[:n - 1], 0.0), K.dtype(tp)) * K.cast(
        K.greater(p[1:], 0.0), K.dtype(tp))
    ratio = divide_no_nan(p[:n - 1], K.maximum(p[1:], 0.0))
    safe_ratio = K.switch(K.greater(both_positive, 0.0), ratio, K.ones_like(ratio))
    increments = divide_no_nan(precision_slope * (dtp + intercept * K.log(safe_ratio)),
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
        return divide_no_nan(tn, tn + fp), divide_no_nan(tp, tp + fn)


class SpecificityAtSensitivity(_RateAtRate):
    """The best specificity at a sensitivity (recall) of at least `sensitivity`."""

    value_name = "sensitivity"

    def rates(self, tp, fp, tn, fn):
        return divide_no_nan(tp, tp + fn), divide_no_nan(tn, tn + fp)


class PrecisionAtRecall(_RateAtRate):
    """The best precision at a recall of at least `recall`."""

    value_name = "recall"

    def rates(self, tp, fp, tn, fn):
        return divide_no_nan(tp, tp + fn), divide_no_nan(tp, tp + fp)


class RecallAtPrecision(_RateAtRate):
    """The best recall at a precision of at least `precision`."""

    value_name = "precision"

    def rates(self, tp, fp, tn, fn):
        return divide_no_nan(tp, tp + fp), divide_no_nan(tp, tp + fn)
