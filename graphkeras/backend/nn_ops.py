"""Activations, cross-entropies, dropout, normalization and the learning-phase switches.

Everything here is a composition of IR primitives, so it gets gradients and fusion for free.
"""
import numpy as np

from ..ir.ops import elementwise as E
from ..ir.ops import reduction as R
from ..ir.ops import shape as S
from . import common
from .array_ops import _random, one_hot, shape as shape_of
from .state import learning_phase
from .tensor import to_node, wrap


def _float_node(x):
    """x's node, integer and bool tensors cast to floatx (these functions are float-valued)."""
    node = to_node(x)
    return node if node.type.is_float else E.cast(node, dtype=common.floatx())


def _relu_node(x, threshold=0.0):
    # where(x > 0, x, 0): gradient 0 at 0, as tf.nn.relu (maximum would give 1 there).
    return E.where(E.greater(x, threshold), x, 0)


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Keras 2.2.4's relu: leaky slope `alpha`, cap `max_value`, cut-off `threshold`."""
    node = to_node(x)
    if alpha != 0.0:
        negative = _relu_node(threshold - node) if threshold != 0 else _relu_node(-node)
    if threshold != 0:
        out = node * E.cast(E.greater(node, threshold), dtype=node.dtype)
    else:
        out = _relu_node(node)
    if max_value is not None:
        out = E.minimum(E.maximum(out, 0.0), float(max_value))
    if alpha != 0.0:
        out = out - float(alpha) * negative
    return wrap(out)


def elu(x, alpha=1.0):
    node = _float_node(x)
    return wrap(E.where(E.greater(node, 0), node, float(alpha) * E.expm1(E.minimum(node, 0))))


def softmax(x, axis=-1):
    """exp(x - max) / sum(exp(x - max)) along `axis`; the shift keeps float32 exp finite."""
    node = _float_node(x)
    axes = R.normalize_axes(axis, node.ndim)
    shifted = node - E.stop_gradient(R.max_(node, axes=axes, keepdims=True))
    e = E.exp(shifted)
    return wrap(e / R.sum_(e, axes=axes, keepdims=True))


def softplus(x):
    """log(1 + exp(x)) as max(x, 0) + log1p(exp(-|x|)): finite for any float32 x."""
    node = _float_node(x)
    return wrap(E.maximum(node, 0) + E.log1p(E.exp(-E.abs_(node))))


def softsign(x):
    node = _float_node(x)
    return wrap(node / (E.abs_(node) + 1))


def sigmoid(x):
    return wrap(E.sigmoid(_float_node(x)))


def hard_sigmoid(x):
    node = _float_node(x)
    return wrap(E.minimum(E.maximum(node * 0.2 + 0.5, 0.0), 1.0))


def _log_softmax(node, axes):
    peak = E.stop_gradient(R.max_(node, axes=axes, keepdims=True))
    shifted = node - peak
    return shifted - E.log(R.sum_(E.exp(shifted), axes=axes, keepdims=True))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Keras 2.2: renormalize, clip to [eps, 1 - eps], then -sum(target * log(output))."""
    t, o = to_node(target), to_node(output)
    axes = R.normalize_axes(axis, o.ndim)
    if from_logits:
        return wrap(-R.sum_(t * _log_softmax(o, axes), axes=axes, keepdims=False))
    o = o / R.sum_(o, axes=axes, keepdims=True)
    eps = common.epsilon()
    o = E.minimum(E.maximum(o, eps), 1.0 - eps)
    return wrap(-R.sum_(t * E.log(o), axes=axes, keepdims=False))


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy against integer class ids, as Keras 2.2.4's TensorFlow backend.

    The target is flattened (so `(batch,)` and `(batch, 1)` both work, and `(batch, time)` or
    `(batch, time, 1)` for 3-D outputs); probabilities are clipped to [eps, 1 - eps] and their
    log renormalized by a softmax. The result has output's shape without the class axis.
    """
    o = to_node(output)
    if not -o.ndim <= axis < o.ndim:
        raise ValueError(f"sparse_categorical_crossentropy: unexpected channels axis {axis} "
                         f"for output of shape {o.shape}")
    if axis % o.ndim != o.ndim - 1:
        perm = [i for i in range(o.ndim) if i != axis % o.ndim] + [axis % o.ndim]
        o = S.transpose(o, perm=tuple(perm))
    classes = o.shape[-1]
    if classes is None:
        raise ValueError("sparse_categorical_crossentropy needs a known number of classes, "
                         f"got output shape {o.shape}")
    if not from_logits:
        eps = common.epsilon()
        o = E.log(E.minimum(E.maximum(o, eps), 1.0 - eps))
    log_probs = _log_softmax(S.reshape(o, shape=(-1, classes)), (1,))
    t = S.reshape(to_node(target), shape=(-1,))
    if t.type.is_float or t.dtype == "bool":
        t = E.cast(t, dtype="int64")
    hits = E.cast(to_node(one_hot(wrap(t), classes)), dtype=o.dtype)
    losses = -R.sum_(hits * log_probs, axes=(1,), keepdims=False)
    if o.ndim == 2:
        return wrap(losses)
    from .math_ops import _reshape_dims
    return wrap(_reshape_dims(losses, [(o, i) for i in range(o.ndim - 1)]))


def binary_crossentropy(target, output, from_logits=False):
    """Keras 2.2: clip to [eps, 1 - eps], back to logits, then the stable logistic loss."""
    t, o = to_node(target), to_node(output)
    if not from_logits:
        eps = common.epsilon()
        o = E.minimum(E.maximum(o, eps), 1.0 - eps)
        o = E.log(o / (1 - o))
    return wrap(E.maximum(o, 0) - o * t + E.log1p(E.exp(-E.abs_(o))))


def dropout(x, level, noise_shape=None, seed=None):
    """Zero a fraction `level` of x and scale the rest by 1 / (1 - level)."""
    if not 0 <= level < 1:
        raise ValueError(f"dropout level must be in [0, 1), got {level}")
    node = to_node(x)
    retain = 1.0 - level
    if noise_shape is None:
        noise_shape = shape_of(x) if not node.type.is_static() else node.shape
    elif any(d is None for d in noise_shape):
        noise_shape = [wrap(S.index(S.shape_of(node), items=(("int", i),))) if d is None else d
                       for i, d in enumerate(noise_shape)]
    keep = _random(noise_shape, "binomial", retain, 0.0, node.dtype, seed)
    return wrap(node * to_node(keep) / retain)


def l2_normalize(x, axis=None):
    node = _float_node(x)
    axes = R.normalize_axes(axis, node.ndim)
    square_sum = R.sum_(node * node, axes=axes, keepdims=True)
    return wrap(node / E.sqrt(E.maximum(square_sum, 1e-12)))


def in_top_k(predictions, targets, k):
    """True where the target class scores among the k best (ties favour the target, as TF)."""
    p = to_node(predictions)
    hit = to_node(one_hot(targets, p.shape[-1]))
    target_score = R.sum_(p * E.cast(hit, dtype=p.dtype), axes=(1,), keepdims=True)
    better = R.sum_(E.cast(E.greater(p, target_score), dtype="int32"), axes=(1,), keepdims=False)
    return wrap(E.less(better, int(k)))


def bias_add(x, bias, data_format=None):
    """x + bias on the channel axis (last for channels_last, 1 for channels_first)."""
    data_format = common.normalize_data_format(data_format)
    node, b = to_node(x), to_node(bias)
    if b.ndim != 1 and b.ndim != node.ndim - 1:
        raise ValueError(f"bias_add: unexpected bias dimensions {b.shape} for input {node.shape}")
    if data_format == "channels_first" and node.ndim > 2:
        if b.ndim == 1:
            b = S.reshape(b, shape=(b.shape[0],) + (1,) * (node.ndim - 2))
        else:
            b = S.transpose(b, perm=(b.ndim - 1,) + tuple(range(b.ndim - 1)))
    return wrap(node + b)


def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    """(x - mean) / sqrt(var + epsilon) * gamma + beta, broadcasting the statistics.

    1-D statistics apply along `axis` (Keras 2.2.4 does this for channels_first images
    through fused batch norm, and Theano's backend for any rank).
    """
    node = to_node(x)
    axis = axis % node.ndim

    def stat(v):
        v = to_node(v)
        if v.ndim == 1 and node.ndim > 1 and axis != node.ndim - 1:
            shape = [1] * node.ndim
            shape[axis] = -1
            return S.reshape(v, shape=tuple(shape))
        return v

    out = (node - stat(mean)) / E.sqrt(stat(var) + epsilon)
    if gamma is not None:
        out = out * stat(gamma)
    if beta is not None:
        out = out + stat(beta)
    return wrap(out)


def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=1e-3):
    """Normalize with the batch's mean and (biased) variance; returns (normed, mean, var)."""
    node = to_node(x)
    axes = R.normalize_axes(reduction_axes, node.ndim)
    mean = R.mean(node, axes=axes, keepdims=True)
    centered = node - mean
    var = R.mean(centered * centered, axes=axes, keepdims=True)
    broadcast = [1 if i in axes else node.shape[i] for i in range(node.ndim)]

    def stat(v):
        return None if v is None else _reshape_static(to_node(v), broadcast)

    normed = batch_normalization(wrap(node), wrap(mean), wrap(var), stat(beta), stat(gamma),
                                 epsilon=epsilon)
    kept = tuple(node.shape[i] for i in range(node.ndim) if i not in axes)
    return normed, wrap(_reshape_static(mean, kept)), wrap(_reshape_static(var, kept))


def _reshape_static(node, shape):
    shape = tuple(-1 if d is None else d for d in shape)
    if node.shape == tuple(shape):
        return node
    return S.reshape(node, shape=shape)


def switch(condition, then_expression, else_expression):
    """then where condition is true, else otherwise; callables are called first (Keras 2)."""
    if callable(then_expression):
        then_expression = then_expression()
    if callable(else_expression):
        else_expression = else_expression()
    c = to_node(condition)
    if c.dtype != "bool":
        c = E.cast(c, dtype="bool")
    a, b = to_node(then_expression), to_node(else_expression)
    if c.ndim > max(a.ndim, b.ndim):
        raise ValueError(f"switch: the rank of condition {c.shape} must not exceed the rank "
                         f"of then_expression {a.shape} and else_expression {b.shape}")
    # A condition of lower rank selects along the leading axes (Keras 2.2.4 tiles it).
    while 0 < c.ndim < max(a.ndim, b.ndim):
        c = S.expand_dims(c, axis=c.ndim)
    return wrap(E.where(c, a, b))


def in_train_phase(x, alt, training=None):
    """x in training, alt otherwise; an int `training` picks one at build time."""
    if training is None:
        training = learning_phase()
        uses_learning_phase = True
    else:
        uses_learning_phase = False
    if isinstance(training, (int, bool, np.integer)):
        if training:
            return x() if callable(x) else x
        return alt() if callable(alt) else alt
    out = switch(training, x, alt)
    if uses_learning_phase:
        out._uses_learning_phase = True
    return out


def in_test_phase(x, alt, training=None):
    return in_train_phase(alt, x, training=training)


def print_tensor(x, message=""):
    """Identity that prints `message` and the value each time the graph runs."""
    from ..ir.ops.debug import print_value
    return wrap(print_value(to_node(x), message=message))
