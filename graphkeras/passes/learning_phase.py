"""Specialising a graph for training or inference: the learning phase becomes a constant."""
from .. import ir
from .algebra import simplify_algebra
from .constant_folding import fold_constants
from .dead_code import eliminate_dead_code

from ..ir.ops.leaves import is_learning_phase


def specialize_learning_phase(graph, value):
    """The graph with the learning-phase placeholder replaced by the constant `value` (0 or 1).

    Then folds constants and simplifies `where` on the now constant condition, so the branch
    not taken (dropout masks at inference, moving statistics in training) disappears, and
    drops dead code. Keeps: the inputs list (the placeholder may still be fed; it is ignored),
    outputs and updates in order, and their types. A graph without the placeholder is returned
    as is.
    """
    mapping = {}
    for node in graph.nodes:
        if is_learning_phase(node):
            mapping[id(node)] = ir.constant(_as_dtype(value, node), dtype=node.dtype)
    if not mapping:
        return graph
    specialized = graph.with_roots(ir.substitute(graph.roots(), mapping))
    return eliminate_dead_code(simplify_algebra(fold_constants(specialized)))


def _as_dtype(value, placeholder):
    if placeholder.shape != ():
        raise ValueError(f"the learning phase must be a scalar placeholder, got "
                         f"{placeholder.type!r}")
    return bool(value) if placeholder.dtype == "bool" else int(value)
