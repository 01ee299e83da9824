"""The reference executor behind `K.function(..., mode="reference")`: ir.evaluate per call.

It is slow and simple on purpose: compiled functions are tested against it.
"""
import numpy as np

from .. import ir

from ..ir.ops.leaves import is_learning_phase


def check_feed(node, value):
    """`value` as an array of the placeholder's dtype, or a ValueError naming the input."""
    array = np.asarray(value)
    if is_learning_phase(node):
        return np.asarray(bool(array), dtype=bool)
    expected = node.shape
    name = node.attrs["name"]
    if array.ndim != len(expected):
        raise ValueError(f"Error when feeding input '{name}': expected {len(expected)} "
                         f"dimensions {expected}, got array with shape {array.shape}")
    for want, got in zip(expected, array.shape):
        if want is not None and want != got:
            raise ValueError(f"Error when feeding input '{name}': expected shape {expected}, "
                             f"got array with shape {array.shape}")
    if array.dtype != node.dtype:
        array = array.astype(node.dtype)
    return array


def learning_phase_default(graph, feeds, default):
    """Feed the learning phase when the graph reads it but the caller did not."""
    for node in graph.placeholders():
        if is_learning_phase(node) and id(node) not in feeds:
            feeds[id(node)] = np.asarray(bool(default))


class ReferenceFunction:
    """Call with a list of arrays, one per input; returns a list of arrays, then applies updates.

    Outputs and updates all read the values from before the call.
    """

    def __init__(self, inputs, outputs, updates=(), name=None, learning_phase_default=0):
        self.graph = ir.Graph(inputs, outputs, updates)
        self.name = name
        self.learning_phase_default = learning_phase_default

    def feeds(self, values):
        if len(values) != len(self.graph.inputs):
            raise ValueError(f"function expects {len(self.graph.inputs)} inputs, "
                             f"got {len(values)}")
        feeds = {id(n): check_feed(n, v) for n, v in zip(self.graph.inputs, values)}
        learning_phase_default(self.graph, feeds, self.learning_phase_default)
        return feeds

    def __call__(self, values):
        feeds = self.feeds(list(values))
        graph = self.graph
        results = ir.evaluate(graph.outputs + [v for _, v in graph.updates], feeds)
        outputs = results[:len(graph.outputs)]
        for (var, _), value in zip(graph.updates, results[len(graph.outputs):]):
            storage = var.attrs["storage"]
            storage.value = np.asarray(value, dtype=var.dtype).reshape(storage.value.shape)
        return [np.array(o) for o in outputs]

    def ir(self, stage="input"):
        return str(self.graph)
