"""Connectionist temporal classification: the loss (forward-backward in log space) and decoders.

A primitive: the alignment sum is a dynamic program no composition of tensor ops expresses.
The blank label is the last class, as in TensorFlow and Keras 2.
"""
import numpy as np

from ..registry import define_op, not_differentiable, tuple_type
from ..types import TensorType

NEG_INF = -np.inf


def _logsumexp(*values):
    peak = max(values)
    if peak == NEG_INF:
        return NEG_INF
    return peak + np.log(sum(np.exp(v - peak) for v in values))


def _extended(label, blank):
    out = [blank]
    for c in label:
        out += [int(c), blank]
    return out


def _can_skip(ext, s, blank):
    return s >= 2 and ext[s] != blank and ext[s] != ext[s - 2]


def _alphas(lp, ext, blank):
    steps, size = lp.shape[0], len(ext)
    alpha = np.full((steps, size), NEG_INF)
    alpha[0, 0] = lp[0, ext[0]]
    if size > 1:
        alpha[0, 1] = lp[0, ext[1]]
    for t in range(1, steps):
        for s in range(size):
            terms = [alpha[t - 1, s]]
            if s >= 1:
                terms.append(alpha[t - 1, s - 1])
            if _can_skip(ext, s, blank):
                terms.append(alpha[t - 1, s - 2])
            alpha[t, s] = _logsumexp(*terms) + lp[t, ext[s]]
    return alpha


def _betas(lp, ext, blank):
    steps, size = lp.shape[0], len(ext)
    beta = np.full((steps, size), NEG_INF)
    beta[-1, -1] = lp[-1, ext[-1]]
    if size > 1:
        beta[-1, -2] = lp[-1, ext[-2]]
    for t in range(steps - 2, -1, -1):
        for s in range(size):
            terms = [beta[t + 1, s]]
            if s + 1 < size:
                terms.append(beta[t + 1, s + 1])
            if s + 2 < size and ext[s + 2] != blank and ext[s + 2] != ext[s]:
                terms.append(beta[t + 1, s + 2])
            beta[t, s] = _logsumexp(*terms) + lp[t, ext[s]]
    return beta


def _sample(lp, labels, input_length, label_length, b):
    steps = int(input_length[b])
    label = labels[b, :int(label_length[b])]
    blank = lp.shape[2] - 1
    return lp[b, :steps].astype(np.float64), _extended(label, blank), blank


def _ctc_loss(lp, labels, input_length, label_length):
    out = np.zeros(lp.shape[0])
    for b in range(lp.shape[0]):
        sample, ext, blank = _sample(lp, labels, input_length, label_length, b)
        alpha = _alphas(sample, ext, blank)
        tail = [alpha[-1, -1]] + ([alpha[-1, -2]] if len(ext) > 1 else [])
        out[b] = -_logsumexp(*tail)
    return out


def _ctc_grad(g, lp, labels, input_length, label_length):
    """d loss / d log_probs: -(posterior occupancy of each class at each step), times g."""
    grad = np.zeros(lp.shape)
    for b in range(lp.shape[0]):
        sample, ext, blank = _sample(lp, labels, input_length, label_length, b)
        alpha, beta = _alphas(sample, ext, blank), _betas(sample, ext, blank)
        tail = [alpha[-1, -1]] + ([alpha[-1, -2]] if len(ext) > 1 else [])
        log_p = _logsumexp(*tail)
        if log_p == NEG_INF:
            continue
        for t in range(sample.shape[0]):
            for s, c in enumerate(ext):
                gamma = alpha[t, s] + beta[t, s] - sample[t, c]
                if gamma > NEG_INF:
                    grad[b, t, c] -= np.exp(gamma - log_p)
        grad[b] *= g[b]
    return grad


def _loss_infer(lp, labels, input_length, label_length):
    if lp.ndim != 3:
        raise ValueError(f"ctc_loss expects log-probabilities (batch, time, classes), got {lp.shape}")
    return TensorType(lp.dtype, lp.shape[:1])


ctc_loss = define_op(
    "ctc_loss", infer=_loss_infer, reference=_ctc_loss,
    vjp=lambda g, z, lp, labels, il, ll: [ctc_loss_grad(g, lp, labels, il, ll), None, None, None],
    kernel="ctc_loss",
    doc="-log p(label | log_probs) per sample; log_probs are normalized over classes.")

ctc_loss_grad = define_op(
    "ctc_loss_grad",
    infer=lambda g, lp, labels, il, ll: TensorType(lp.dtype, lp.shape),
    reference=_ctc_grad,
    vjp=not_differentiable("second derivatives of the CTC loss are not provided"),
    kernel="ctc_loss_grad", doc="Gradient of ctc_loss w.r.t. its log-probabilities.")


def _greedy(lp, input_length):
    paths, scores = [], []
    blank = lp.shape[2] - 1
    for b in range(lp.shape[0]):
        steps = lp[b, :int(input_length[b])]
        best = steps.argmax(axis=1)
        path, previous = [], None
        for c in best:
            if c != blank and c != previous:
                path.append(int(c))
            previous = c
        paths.append([path])
        scores.append([-float(steps.max(axis=1).sum())])
    return paths, scores


def _beam(lp, input_length, beam_width, top_paths):
    """Prefix beam search: each prefix keeps log p(ending in blank), log p(ending in a label)."""
    blank = lp.shape[2] - 1
    paths, scores = [], []
    for b in range(lp.shape[0]):
        beams = {(): (0.0, NEG_INF)}
        for step in lp[b, :int(input_length[b])].astype(np.float64):
            grown = {}
            for prefix, (p_blank, p_label) in beams.items():
                total = _logsumexp(p_blank, p_label)
                _add(grown, prefix, blank_term=total + step[blank])
                for c in range(blank):
                    if prefix and prefix[-1] == c:
                        _add(grown, prefix, label_term=p_label + step[c])
                        _add(grown, prefix + (c,), label_term=p_blank + step[c])
                    else:
                        _add(grown, prefix + (c,), label_term=total + step[c])
            ranked = sorted(grown.items(), key=lambda kv: -_logsumexp(*kv[1]))
            beams = dict(ranked[:beam_width])
        best = sorted(beams.items(), key=lambda kv: -_logsumexp(*kv[1]))[:top_paths]
        paths.append([list(p) for p, _ in best])
        scores.append([_logsumexp(*v) for _, v in best])
    return paths, scores


def _add(beams, prefix, blank_term=NEG_INF, label_term=NEG_INF):
    p_blank, p_label = beams.get(prefix, (NEG_INF, NEG_INF))
    beams[prefix] = (_logsumexp(p_blank, blank_term), _logsumexp(p_label, label_term))


def _decode(lp, input_length, *, greedy, beam_width, top_paths):
    if greedy:
        paths, scores = _greedy(lp, input_length)
    else:
        paths, scores = _beam(lp, input_length, beam_width, top_paths)
    outs = []
    for k in range(top_paths):
        rows = [p[k] if k < len(p) else [] for p in paths]
        width = max((len(r) for r in rows), default=0)
        dense = np.full((len(rows), width), -1, dtype=np.int64)
        for i, r in enumerate(rows):
            dense[i, :len(r)] = r
        outs.append(dense)
    padded = [s + [NEG_INF] * (top_paths - len(s)) for s in scores]
    return tuple(outs) + (np.array(padded, dtype=lp.dtype),)


def _decode_infer(lp, input_length, *, greedy, beam_width, top_paths):
    batch = lp.shape[0]
    decoded = [TensorType("int64", (batch, None)) for _ in range(top_paths)]
    return tuple_type(*decoded, TensorType(lp.dtype, (batch, top_paths)))


ctc_decode = define_op(
    "ctc_decode", infer=_decode_infer, reference=_decode,
    vjp=not_differentiable("decoding returns label sequences"), kernel="ctc_decode",
    doc="Greedy (best path) or prefix beam search decoding; outputs the top paths, padded "
        "with -1, then their log-probabilities (greedy: the negative sum of the best logits, "
        "as TensorFlow reports it).")
