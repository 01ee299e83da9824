"""Metric functions and stateful metric classes against NumPy.

Stateful metrics run inside `K.function` with their update pairs, over two batches, and must
equal the NumPy value of the two batches together.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkeras import backend as K
from graphkeras import losses, metrics


def _evaluate(fn, y_true, y_pred, **kwargs):
    return K.eval(fn(K.constant(y_true), K.constant(y_pred), **kwargs))


def _scores(rng, shape):
    return rng.uniform(0, 1, shape).astype("float32")


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2 ** 16), batch=st.integers(1, 6), classes=st.integers(2, 6))
def test_accuracy_functions_match_numpy(seed, batch, classes):
    rng = np.random.RandomState(seed)
    y_pred = _scores(rng, (batch, classes))
    ids = rng.randint(0, classes, batch)
    onehot = np.eye(classes, dtype="float32")[ids]
    binary = (rng.uniform(size=(batch, classes)) > 0.5).astype("float32")
    np.testing.assert_allclose(_evaluate(metrics.binary_accuracy, binary, y_pred),
                               np.mean(binary == (y_pred > 0.5), axis=-1), rtol=1e-6)
    expected = (ids == y_pred.argmax(-1)).astype("float32")
    np.testing.assert_array_equal(_evaluate(metrics.categorical_accuracy, onehot, y_pred), expected)
    for sparse in (ids.astype("float32"), ids.reshape(-1, 1).astype("float32")):
        np.testing.assert_array_equal(
            _evaluate(metrics.sparse_categorical_accuracy, sparse, y_pred), expected)
    for k in (1, 2, 3):
        target_score = y_pred[np.arange(batch), ids]
        in_top_k = ((y_pred > target_score[:, None]).sum(-1) < k).astype("float32")
        np.testing.assert_array_equal(
            _evaluate(metrics.top_k_categorical_accuracy, onehot, y_pred, k=k), in_top_k)
        np.testing.assert_array_equal(
            _evaluate(metrics.sparse_top_k_categorical_accuracy,
                      ids.reshape(-1, 1).astype("float32"), y_pred, k=k), in_top_k)


def test_losses_resolve_as_metrics_and_names_match_keras():
    for name in ("mse", "mae", "mape", "msle", "cosine", "categorical_crossentropy", "hinge",
                 "kld", "poisson", "logcosh"):
        assert metrics.get(name) is losses.get(name)
    assert metrics.get("top_k_categorical_accuracy") is metrics.top_k_categorical_accuracy
    assert metrics.get("binary_accuracy") is metrics.binary_accuracy
    # tf.keras 2's short names.
    assert metrics.get("acc") is metrics.get("ACC") is metrics.accuracy
    assert metrics.get("bce") is metrics.get("BCE") is losses.binary_crossentropy
    assert metrics.AUC().name == "auc"
    assert metrics.BinaryAccuracy().name == "binary_accuracy"
    assert metrics.MeanSquaredError().name == "mean_squared_error"
    with pytest.raises(ValueError, match="Unknown metric function: nope"):
        metrics.get("nope")


def _run_batches(metric, batches, values_only=False, mode="reference"):
    """Feed each batch through one K.function (with the metric's updates); returns results."""
    y_true = K.placeholder(ndim=batches[0][0].ndim)
    y_pred = K.placeholder(ndim=batches[0][1].ndim)
    weight = K.placeholder(ndim=1)
    if values_only:
        result = metric(y_pred, sample_weight=weight)
    else:
        result = metric(y_true, y_pred, sample_weight=weight)
    step = K.function([y_true, y_pred, weight], [result], updates=metric.updates, mode=mode)
    return [step([t, p, w])[0] for t, p, w in batches]


def _binary_batches(seed, sizes=(5, 7)):
    rng = np.random.RandomState(seed)
    out = []
    for n in sizes:
        labels = (rng.uniform(size=(n, 1)) > 0.4).astype("float32")
        scores = _scores(rng, (n, 1))
        weights = rng.uniform(0.5, 2.0, n).astype("float32")
        out.append((labels, scores, weights))
    return out


def _joined(batches):
    return [np.concatenate(parts) for parts in zip(*batches)]


def _np_counts(labels, scores, weights, thresholds):
    labels, scores = labels.ravel() > 0, scores.ravel()
    out = {"tp": [], "fp": [], "tn": [], "fn": []}
    for t in thresholds:
        positive = scores > t
        out["tp"].append(np.sum(weights * (positive & labels)))
        out["fp"].append(np.sum(weights * (positive & ~labels)))
        out["tn"].append(np.sum(weights * (~positive & ~labels)))
        out["fn"].append(np.sum(weights * (~positive & labels)))
    return {k: np.array(v) for k, v in out.items()}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_confusion_metrics_accumulate_over_batches(seed):
    batches = _binary_batches(seed)
    labels, scores, weights = _joined(batches)
    counts = _np_counts(labels, scores, weights, [0.5])
    cases = {
        metrics.TruePositives(): counts["tp"][0], metrics.FalsePositives(): counts["fp"][0],
        metrics.TrueNegatives(): counts["tn"][0], metrics.FalseNegatives(): counts["fn"][0],
        metrics.Precision(): counts["tp"][0] / (counts["tp"][0] + counts["fp"][0]),
        metrics.Recall(): counts["tp"][0] / (counts["tp"][0] + counts["fn"][0]),
        metrics.BinaryAccuracy(): np.sum(weights * ((scores > 0.5) == labels).ravel())
        / weights.sum(),
    }
    for metric, expected in cases.items():
        results = _run_batches(metric, batches)
        np.testing.assert_allclose(results[-1], expected, rtol=1e-5, err_msg=metric.name)
        np.testing.assert_allclose(K.eval(metric.result()), expected, rtol=1e-5)
        metric.reset_states()
        assert float(np.sum(K.eval(metric.result()))) == 0.0


def test_several_thresholds_give_vectors():
    batches = _binary_batches(3)
    labels, scores, weights = _joined(batches)
    thresholds = [0.2, 0.5, 0.8]
    counts = _np_counts(labels, scores, weights, thresholds)
    result = _run_batches(metrics.FalseNegatives(thresholds=thresholds), batches)[-1]
    np.testing.assert_allclose(result, counts["fn"], rtol=1e-5)
    precision = _run_batches(metrics.Precision(thresholds=thresholds), batches)[-1]
    np.testing.assert_allclose(precision, counts["tp"] / (counts["tp"] + counts["fp"]),
                               rtol=1e-5)


def _np_auc(labels, scores, weights, curve, method, num_thresholds=200):
    eps = 1e-7
    inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    c = _np_counts(labels, scores, weights, [-eps] + inner + [1 + eps])
    tp, fp, tn, fn = c["tp"], c["fp"], c["tn"], c["fn"]

    def div(a, b):
        return np.where(b == 0, 0.0, a / np.where(b == 0, 1, b))

    if curve == "PR" and method == "interpolation":
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = div(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        ratio = np.where((p[:-1] > 0) & (p[1:] > 0), div(p[:-1], np.maximum(p[1:], 0)), 1.0)
        return np.sum(div(slope * (dtp + intercept * np.log(ratio)),
                          np.maximum(tp[1:] + fn[1:], 0)))
    recall = div(tp, tp + fn)
    x, y = (div(fp, fp + tn), recall) if curve == "ROC" else (recall, div(tp, tp + fp))
    heights = {"interpolation": (y[:-1] + y[1:]) / 2, "minoring": np.minimum(y[:-1], y[1:]),
               "majoring": np.maximum(y[:-1], y[1:])}[method]
    return np.sum((x[:-1] - x[1:]) * heights)


@pytest.mark.parametrize("curve,method", [("ROC", "interpolation"), ("ROC", "minoring"),
                                          ("ROC", "majoring"), ("PR", "interpolation"),
                                          ("PR", "majoring")])
def test_auc_matches_numpy(curve, method):
    batches = _binary_batches(4, sizes=(30, 20))
    labels, scores, weights = _joined(batches)
    auc = metrics.AUC(curve=curve, summation_method=method)
    result = _run_batches(auc, batches)[-1]
    np.testing.assert_allclose(result, _np_auc(labels, scores, weights, curve, method),
                               rtol=1e-4, atol=1e-6)


def test_roc_auc_is_close_to_the_exact_rank_statistic():
    rng = np.random.RandomState(5)
    labels = (rng.uniform(size=(400, 1)) > 0.5).astype("float32")
    scores = np.clip(0.3 * labels + rng.uniform(0, 0.7, (400, 1)), 0, 1).astype("float32")
    ones = np.ones(400, "float32")
    result = _run_batches(metrics.AUC(num_thresholds=1000), [(labels, scores, ones)])[-1]
    positive, negative = scores[labels > 0], scores[labels == 0]
    exact = np.mean(positive[:, None] > negative[None, :])
    np.testing.assert_allclose(result, exact, atol=5e-3)


@pytest.mark.parametrize("cls,value", [
    (metrics.SensitivityAtSpecificity, 0.7), (metrics.SpecificityAtSensitivity, 0.6),
    (metrics.PrecisionAtRecall, 0.5), (metrics.RecallAtPrecision, 0.8),
])
def test_rate_at_rate_metrics_match_numpy(cls, value):
    batches = _binary_batches(9, sizes=(25, 15))
    labels, scores, weights = _joined(batches)
    thresholds = [0.0] + [(i + 1) / 49 for i in range(48)] + [1.0]
    c = _np_counts(labels, scores, weights, thresholds)
    recall = c["tp"] / np.maximum(c["tp"] + c["fn"], 1e-12)
    specificity = c["tn"] / np.maximum(c["tn"] + c["fp"], 1e-12)
    precision = np.where(c["tp"] + c["fp"] > 0, c["tp"] / np.maximum(c["tp"] + c["fp"], 1e-12), 0)
    constrained, dependent = {
        metrics.SensitivityAtSpecificity: (specificity, recall),
        metrics.SpecificityAtSensitivity: (recall, specificity),
        metrics.PrecisionAtRecall: (recall, precision),
        metrics.RecallAtPrecision: (precision, recall)}[cls]
    feasible = constrained >= value
    expected = dependent[feasible].max() if feasible.any() else 0.0
    result = _run_batches(cls(value, num_thresholds=50), batches)[-1]
    np.testing.assert_allclose(result, expected, rtol=1e-5)
    again = metrics.deserialize(metrics.serialize(cls(value, num_thresholds=50)))
    assert again.get_config() == cls(value, num_thresholds=50).get_config()


def test_precision_and_recall_with_class_id_and_top_k():
    y_true = np.array([[0, 1, 1], [1, 0, 1], [0, 0, 1]], "float32")
    y_pred = np.array([[0.9, 0.8, 0.7], [0.6, 0.2, 0.9], [0.1, 0.3, 0.2]], "float32")
    ones = np.ones(3, "float32")
    # class 2 only: predicted positive (> 0.5) in rows 0 and 1, both true.
    recall = _run_batches(metrics.Recall(class_id=2), [(y_true, y_pred, ones)])[-1]
    np.testing.assert_allclose(recall, 2 / 3, rtol=1e-6)
    # top_k=1 keeps 0.9 (row 0, false), 0.9 (row 1, true) and 0.3 (row 2, false); without
    # thresholds every kept score is a positive prediction (tf.keras).
    precision = _run_batches(metrics.Precision(top_k=1), [(y_true, y_pred, ones)])[-1]
    np.testing.assert_allclose(precision, 1 / 3, rtol=1e-6)
    # With a threshold, row 2's 0.3 no longer counts.
    precision = _run_batches(metrics.Precision(top_k=1, thresholds=0.5),
                             [(y_true, y_pred, ones)])[-1]
    np.testing.assert_allclose(precision, 0.5, rtol=1e-6)
    recall = _run_batches(metrics.Recall(top_k=2), [(y_true, y_pred, ones)])[-1]
    np.testing.assert_allclose(recall, 4 / 5, rtol=1e-6)  # misses only row 0, class 2


def test_mean_iou_matches_numpy_confusion_matrix():
    rng = np.random.RandomState(6)
    batches = []
    for n in (10, 6):
        batches.append((rng.randint(0, 3, (n, 1)).astype("float32"),
                        rng.randint(0, 3, (n, 1)).astype("float32"),
                        rng.uniform(0.5, 1.5, n).astype("float32")))
    labels, predictions, weights = _joined(batches)
    cm = np.zeros((3, 3))
    for t, p, w in zip(labels.ravel().astype(int), predictions.ravel().astype(int), weights):
        cm[t, p] += w
    diagonal = np.diag(cm)
    iou = diagonal / (cm.sum(0) + cm.sum(1) - diagonal)
    result = _run_batches(metrics.MeanIoU(num_classes=3), batches)[-1]
    np.testing.assert_allclose(result, iou.mean(), rtol=1e-5)


def test_mean_wrappers_and_rmse():
    rng = np.random.RandomState(7)
    batches = [(rng.choice([-1.0, 1.0], (n, 3)).astype("float32"),
                rng.normal(size=(n, 3)).astype("float32"),
                rng.uniform(0.5, 2, n).astype("float32")) for n in (4, 5)]
    y_true, y_pred, weights = _joined(batches)
    hinge = np.mean(np.maximum(1 - y_true * y_pred, 0), -1)
    squared = np.mean(np.maximum(1 - y_true * y_pred, 0) ** 2, -1)
    errors = np.mean((y_pred - y_true) ** 2, -1)
    for metric, per_sample in ((metrics.Hinge(), hinge), (metrics.SquaredHinge(), squared),
                               (metrics.MeanSquaredError(), errors)):
        expected = np.sum(per_sample * weights) / weights.sum()
        np.testing.assert_allclose(_run_batches(metric, batches)[-1], expected, rtol=1e-5)
    rmse = _run_batches(metrics.RootMeanSquaredError(), batches)[-1]
    squared_errors = (y_pred - y_true) ** 2
    np.testing.assert_allclose(rmse, np.sqrt(np.sum(squared_errors * weights[:, None])
                                             / (3 * weights.sum())), rtol=1e-5)


def test_mean_and_sum_of_values():
    batches = [(np.zeros((3, 1), "float32"), np.array([1.0, 2.0, 3.0], "float32"),
                np.array([1.0, 1.0, 2.0], "float32")),
               (np.zeros((1, 1), "float32"), np.array([10.0], "float32"),
                np.array([0.5], "float32"))]
    mean = _run_batches(metrics.Mean(), batches, values_only=True)
    np.testing.assert_allclose(mean, [9.0 / 4, 14.0 / 4.5], rtol=1e-6)
    total = _run_batches(metrics.Sum(), batches, values_only=True)
    np.testing.assert_allclose(total, [9.0, 14.0], rtol=1e-6)


@pytest.mark.parametrize("metric", [
    metrics.AUC(num_thresholds=50, curve="PR"), metrics.Precision(thresholds=[0.3, 0.6]),
    metrics.Recall(class_id=1), metrics.MeanIoU(num_classes=4),
    metrics.TopKCategoricalAccuracy(k=3), metrics.BinaryAccuracy(threshold=0.7),
    metrics.Mean(name="avg"),
], ids=lambda m: type(m).__name__)
def test_metric_config_round_trip(metric):
    again = metrics.deserialize(metrics.serialize(metric))
    assert type(again) is type(metric)
    assert again.get_config() == metric.get_config()


def test_auc_rejects_bad_arguments():
    with pytest.raises(ValueError, match="invalid curve"):
        metrics.AUC(curve="DET")
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="Threshold values must be in"):
        metrics.Precision(thresholds=1.5)


def test_to_categorical_and_normalize():
    from graphkeras.utils.np_utils import normalize, to_categorical
    np.testing.assert_array_equal(to_categorical([0, 2, 1]), np.eye(3)[[0, 2, 1]])
    column = to_categorical(np.array([[1], [0]]), num_classes=4, dtype="int32")
    assert column.shape == (2, 4) and column.dtype == np.int32
    assert to_categorical(np.zeros((2, 3), int), 2).shape == (2, 3, 2)
    with pytest.raises(ValueError, match="class ids must lie in"):
        to_categorical([0, 5], num_classes=3)
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(normalize(x), [[0.6, 0.8], [0.0, 0.0]])
    np.testing.assert_allclose(normalize(x, order=1), [[3 / 7, 4 / 7], [0.0, 0.0]])


def test_list_helpers():
    from graphkeras.utils.generic_utils import (is_all_none, slice_arrays, to_list,
                                                unpack_singleton)
    assert to_list(1) == [1] and to_list([1, 2]) == [1, 2]
    assert to_list((1, 2)) == [(1, 2)] and to_list((1, 2), allow_tuple=True) == [1, 2]
    assert unpack_singleton([5]) == 5 and unpack_singleton([5, 6]) == [5, 6]
    assert is_all_none([None, None]) and not is_all_none([None, 1])
    a, b = np.arange(5), np.arange(5) * 2
    np.testing.assert_array_equal(slice_arrays([a, b], 1, 3)[1], [2, 4])
    np.testing.assert_array_equal(slice_arrays(a, np.array([4, 0])), [4, 0])


def test_stateful_metrics_run_compiled():
    batches = _binary_batches(8, sizes=(6, 9))
    compiled = _run_batches(metrics.AUC(curve="PR"), batches, mode="compiled")
    reference = _run_batches(metrics.AUC(curve="PR"), batches, mode="reference")
    np.testing.assert_allclose(compiled, reference, rtol=1e-5, atol=1e-7)
