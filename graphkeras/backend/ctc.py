"""CTC in Keras 2's terms: `ctc_batch_cost` and `ctc_decode` over softmax outputs."""
from ..ir.ops import ctc as C
from ..ir.ops import elementwise as E
from ..ir.ops import reduction as R
from ..ir.ops import shape as S
from ..ir.ops.tuples import tuple_get
from . import common
from .tensor import to_node, wrap

__all__ = ["ctc_batch_cost", "ctc_decode"]


def _log_probs(y_pred):
    """Keras feeds log(y_pred + epsilon) to TensorFlow as logits, which it normalizes again."""
    logits = E.log(to_node(y_pred) + common.epsilon())
    peak = E.stop_gradient(R.max_(logits, axes=(2,), keepdims=True))
    shifted = logits - peak
    return shifted - E.log(R.sum_(E.exp(shifted), axes=(2,), keepdims=True))


def _lengths(x):
    node = to_node(x)
    if node.ndim == 2:
        node = S.squeeze(node, axis=1)
    return E.cast(node, dtype="int32")


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """CTC loss per batch element, shape (samples, 1).

    Arguments:
        y_true: (samples, max_string_length) labels.
        y_pred: (samples, time_steps, num_categories) softmax output; the last class is blank.
        input_length: (samples, 1) steps of y_pred to use per sample.
        label_length: (samples, 1) labels of y_true to use per sample.
    """
    labels = E.cast(to_node(y_true), dtype="int32")
    loss = C.ctc_loss(_log_probs(y_pred), labels, _lengths(input_length), _lengths(label_length))
    return wrap(S.expand_dims(loss, axis=1))


def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """Decode softmax output: returns ([decoded paths, -1 padded], log_probabilities)."""
    if greedy:
        top_paths = 1
    logits = E.log(to_node(y_pred) + common.epsilon())
    source = logits if greedy else _log_probs(y_pred)
    node = C.ctc_decode(source, _lengths(input_length), greedy=bool(greedy),
                        beam_width=int(beam_width), top_paths=int(top_paths))
    decoded = [wrap(tuple_get(node, index=k)) for k in range(top_paths)]
    return decoded, wrap(tuple_get(node, index=top_paths))
