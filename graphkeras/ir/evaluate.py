"""Reference semantics: evaluate nodes by calling each op's NumPy `reference`, in order.

This is the ground truth the compiled runtime is checked against; constant folding and the
reference of the scan op use it too.
"""
import numpy as np

from .graph import topological_order
from .registry import get_op


def evaluate_node(node, args):
    """The value of one non-leaf node given its input values."""
    op = get_op(node.op)
    value = op.reference(*args, **node.attrs)
    if node.is_tuple:
        return tuple(np.asarray(v, dtype=t.dtype) for v, t in zip(value, node.type.types))
    return np.asarray(value, dtype=node.dtype)


def evaluate(roots, feeds):
    """Values of `roots`; `feeds` maps id(placeholder node) to an array."""
    values = {}
    for node in topological_order(roots):
        if node.op == "placeholder":
            try:
                values[id(node)] = feeds[id(node)]
            except KeyError:
                raise ValueError(f"placeholder '{node.attrs['name']}' {node.type!r} "
                                 f"was not fed") from None
        elif node.op == "variable":
            values[id(node)] = node.attrs["storage"].value
        else:
            values[id(node)] = evaluate_node(node, [values[id(i)] for i in node.inputs])
    return [values[id(r)] for r in roots]
