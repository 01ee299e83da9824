"""Rules that replace the naive softmax and sigmoid cross-entropies by numerically stable forms.

Keras 2 computes categorical cross-entropy from probabilities: `log(clip(p, eps, 1 - eps))`
with `p = softmax(x)`, optionally renormalised `p / sum(p)`. When softmax is written without the
max shift, exp overflows float32 above 88 and p becomes inf/inf = NaN; the gradient through
`log(p)` divides by a p that underflowed to 0. The rewrite computes `log_softmax(x)` directly
(shifted by the max, so exp never overflows) and moves the clip into log space:
`log(clip(p, lo, hi)) = clip(log p, log lo, log hi)`, since log is increasing. Values equal the
naive form's wherever that one is finite, up to float rounding.

Recognised compositions (those the backend builds; x the logits, A the axes):
  softmax      exp(z) / sum(exp(z), A, keepdims)   with z = x - max(x, A, keepdims) or z = x
               (the max possibly under stop_gradient)
  sigmoid      the sigmoid primitive, or 1 / (1 + exp(-x)) (either order of the sum)
  clip         minimum(maximum(p, lo), hi)  or  maximum(minimum(p, hi), lo)
and, under `log`: softmax, sigmoid, `1 - sigmoid` (Theano-style binary cross-entropy) and
`p / (1 - p)` of a sigmoid (TensorFlow-style, which recovers the logits), each optionally
clipped. The rewritten forms are compositions, so autodiff through them is stable as well.
"""
import numpy as np

from .. import ir
from ..ir.ops import elementwise as ew
from ..ir.ops import reduction as red
from .patterns import Scalar, Var, match, scalar_of

X, P = Var("x"), Var("p")
ONE = Scalar(1)
LO, HI = Scalar(name="lo"), Scalar(name="hi")

CLIP_PATTERNS = [
    ("minimum", ("maximum", P, LO), HI),
    ("maximum", ("minimum", P, HI), LO),
]
SHIFT_PATTERNS = [
    ("sub", X, Var("peak", "max")),
    ("sub", X, ("stop_gradient", Var("peak", "max"))),
]
SIGMOID_PATTERNS = [
    ("sigmoid", X),
    ("div", ONE, ("add", ONE, ("exp", ("neg", X)))),
    ("div", ONE, ("add", ("exp", ("neg", X)), ONE)),
]


def peel_clip(node):
    """(p, (lo, hi)) if node clips p to constant bounds 0 <= lo <= hi <= 1, else (node, None)."""
    for pattern in CLIP_PATTERNS:
        m = match(pattern, node)
        if m is None:
            continue
        lo, hi = scalar_of(m["lo"]), scalar_of(m["hi"])
        if 0 <= lo <= hi <= 1:
            return m["p"], (np.asarray(lo, node.dtype), np.asarray(hi, node.dtype))
    return node, None


def clip_mapped(value, bounds, function):
    """clip(value, f(lo), f(hi)) for an increasing f, in value's dtype; value if no clip."""
    if bounds is None:
        return value
    with np.errstate(all="ignore"):
        lo, hi = (ir.constant(function(b), value.dtype) for b in bounds)
    return ew.minimum(ew.maximum(value, lo), hi)


def softmax_parts(p):
    """(z, total, axes) for p = exp(z) / total, total = sum(exp(z), axes, keepdims); else None."""
    m = match(("div", Var("e", "exp"), ("sum", Var("e"))), p)
    if m is None or not p.inputs[1].attrs["keepdims"]:
        return None
    return m["e"].inputs[0], p.inputs[1], p.inputs[1].attrs["axes"]


def drop_renormalization(p):
    """The softmax q when p = q / sum(q, axes, keepdims) renormalises it (a no-op), else p."""
    m = match(("div", P, ("sum", P)), p)
    if m is None or softmax_parts(m["p"]) is None:
        return p
    inner_axes = softmax_parts(m["p"])[2]
    total = p.inputs[1]
    if total.attrs["keepdims"] and total.attrs["axes"] == inner_axes:
        return m["p"]
    return p


def log_softmax(p):
    """log(p) for a softmax p, computed from its logits with the max shift; None if p is not one."""
    parts = softmax_parts(p)
    if parts is None:
        return None
    z, total, axes = parts
    if _is_max_shifted(z, axes):
        # The softmax's own sum of exps cannot overflow: reuse it.
        return ew.sub(z, ew.log(total))
    z = ew.sub(z, red.max_(z, axes=axes, keepdims=True))
    return ew.sub(z, ew.log(red.sum_(ew.exp(z), axes=axes, keepdims=True)))


def _is_max_shifted(z, axes):
    """Whether z = x - max(x, axes, keepdims), the max possibly under stop_gradient."""
    for pattern in SHIFT_PATTERNS:
        m = match(pattern, z)
        if m is not None:
            peak = m["peak"]
            return (peak.inputs[0] is m["x"] and peak.attrs["axes"] == axes
                    and peak.attrs["keepdims"])
    return False


def sigmoid_logits(p):
    """x when p = sigmoid(x) as the backend writes it, else None."""
    for pattern in SIGMOID_PATTERNS:
        m = match(pattern, p)
        if m is not None:
            return m["x"]
    return None


def log_sigmoid(x):
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)): exp never sees a positive argument."""
    return ew.sub(ew.minimum(x, ir.constant(0, x.dtype)), ew.log1p(ew.exp(ew.neg(ew.abs_(x)))))


def _stable_log_probability(node, m):
    """log(clip(softmax(x))) and log(clip(sigmoid(x))) from the logits."""
    p, bounds = peel_clip(m["p"])
    p = drop_renormalization(p)
    result = log_softmax(p)
    if result is None:
        logits = sigmoid_logits(p)
        if logits is None:
            return None
        result = log_sigmoid(logits)
    return clip_mapped(result, bounds, np.log)


def _stable_log_complement(node, m):
    """log(1 - clip(sigmoid(x))) = clip(log_sigmoid(-x)) with bounds log(1 - hi), log(1 - lo)."""
    p, bounds = peel_clip(m["p"])
    logits = sigmoid_logits(p)
    if logits is None:
        return None
    result = log_sigmoid(ew.neg(logits))
    if bounds is not None:
        one = np.asarray(1, node.dtype)
        bounds = (one - bounds[1], one - bounds[0])
    return clip_mapped(result, bounds, np.log)


def _stable_logit(node, m):
    """log(q / (1 - q)) with q = clip(sigmoid(x)) is clip(x, logit(lo), logit(hi))."""
    q, bounds = peel_clip(m["p"])
    logits = sigmoid_logits(q)
    if logits is None:
        return None
    one = np.asarray(1, node.dtype)
    return clip_mapped(logits, bounds, lambda b: np.log(b / (one - b)))


STABLE_RULES = [
    # (name, pattern, rewrite)
    ("log(1 - sigmoid) from logits", ("log", ("sub", ONE, P)), _stable_log_complement),
    ("log(p / (1 - p)) of a sigmoid is its logits", ("log", ("div", P, ("sub", ONE, P))),
     _stable_logit),
    ("log(softmax) or log(sigmoid) from logits", ("log", P), _stable_log_probability),
]
