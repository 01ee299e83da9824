"""CTC loss against brute-force enumeration of alignments, its gradient against finite
differences, and the decoders against exhaustive search."""
import itertools

import numpy as np
import pytest

from graphkeras import backend as K
from tests.gradcheck import numeric_gradient


def collapse(path, blank):
    out, previous = [], None
    for c in path:
        if c != blank and c != previous:
            out.append(c)
        previous = c
    return tuple(out)


def brute_force_probabilities(probs):
    """p(labelling) for every labelling, summing over all alignments of one sample."""
    steps, classes = probs.shape
    totals = {}
    for path in itertools.product(range(classes), repeat=steps):
        p = np.prod([probs[t, c] for t, c in enumerate(path)])
        key = collapse(path, classes - 1)
        totals[key] = totals.get(key, 0.0) + p
    return totals


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


RNG = np.random.RandomState(0)
PROBS = softmax(RNG.randn(2, 4, 3))
LABELS = np.array([[0, 1], [1, 1]], dtype=np.float32)
INPUT_LENGTH = np.array([[4], [3]])
LABEL_LENGTH = np.array([[2], [1]])


def ctc_cost(probs):
    y_pred = K.placeholder(shape=probs.shape, dtype="float64")
    cost = K.ctc_batch_cost(K.constant(LABELS), y_pred, K.constant(INPUT_LENGTH, "int32"),
                            K.constant(LABEL_LENGTH, "int32"))
    return y_pred, cost


def test_ctc_loss_sums_over_every_alignment():
    y_pred, cost = ctc_cost(PROBS)
    out = K.function([y_pred], [cost], mode="reference")([PROBS])[0]
    assert out.shape == (2, 1)
    for b in range(2):
        steps = INPUT_LENGTH[b, 0]
        label = tuple(int(c) for c in LABELS[b, :LABEL_LENGTH[b, 0]])
        p = brute_force_probabilities(PROBS[b, :steps] + K.epsilon())
        norm = sum(p.values())
        np.testing.assert_allclose(out[b, 0], -np.log(p[label] / norm), rtol=1e-6)


def test_ctc_loss_gradient_matches_finite_differences():
    y_pred, cost = ctc_cost(PROBS)
    weights = K.constant(np.array([[1.0], [0.5]]), dtype="float64")
    loss = K.sum(cost * weights)
    grad = K.function([y_pred], K.gradients(loss, [y_pred]), mode="reference")([PROBS])[0]
    f = K.function([y_pred], [loss], mode="reference")
    expected = numeric_gradient(lambda a: float(f(a)[0]), [PROBS.copy()], 0)
    np.testing.assert_allclose(grad, expected, rtol=1e-5, atol=1e-7)


def test_greedy_decode_collapses_repeats_and_blanks():
    probs = np.zeros((1, 6, 3))
    for t, c in enumerate([0, 0, 2, 0, 1, 1]):
        probs[0, t, c] = 1.0
    decoded, log_prob = K.ctc_decode(K.constant(probs), K.constant([6], "int32"))
    f = K.function([], decoded + [log_prob], mode="reference")
    paths, score = f([])
    np.testing.assert_array_equal(paths, [[0, 0, 1]])
    assert score.shape == (1, 1)


@pytest.mark.parametrize("top_paths", [1, 2])
def test_beam_search_finds_the_most_probable_labellings(top_paths):
    probs = softmax(RNG.randn(1, 4, 3) * 2)
    decoded, log_prob = K.ctc_decode(K.constant(probs), K.constant([4], "int32"), greedy=False,
                                     beam_width=50, top_paths=top_paths)
    outputs = K.function([], decoded + [log_prob], mode="reference")([])
    totals = brute_force_probabilities(probs[0] + K.epsilon())
    norm = sum(totals.values())
    ranked = sorted(totals.items(), key=lambda kv: -kv[1])
    for k in range(top_paths):
        path = tuple(int(c) for c in outputs[k][0] if c >= 0)
        assert path == ranked[k][0]
        np.testing.assert_allclose(outputs[-1][0, k], np.log(ranked[k][1] / norm), rtol=1e-5)
