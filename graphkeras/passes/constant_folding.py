"""Constant folding: evaluate, at compile time, every pure node whose inputs are all known."""
import numpy as np

from .. import ir
from ..ir.evaluate import evaluate_node
from .rewriting import refines, rewrite_graph

# A folded constant is stored in the graph, hashed by every compile cache and copied into the
# generated code, so results larger than this (256 KB of float32) stay run-time computations.
MAX_FOLDED_ELEMENTS = 1 << 16

# Inputs from this position on are read for their shape only (shape_of(x), broadcast_like(x, t),
# the gradient ops that allocate zeros like x): a static shape is enough to fold them.
SHAPE_ONLY_FROM = {
    "shape_of": 0,
    "broadcast_like": 1,
    "index_grad": 1,
    "tile_sum": 1,
    "repeat_sum": 1,
    "concat_part": 1,
    "scatter_add": 2,
}

# Ops whose output shape is an input's value, not a function of input shapes.
SHAPE_FROM_VALUE = {"fill": 0, "reshape_to": 1}

# What a failing reference raises; the node is then left for the run time to report.
_EVALUATION_ERRORS = (ValueError, IndexError, TypeError, ArithmeticError)


def fold_constants(graph):
    """Replace each foldable node by a constant holding its value.

    Foldable: a pure op (not `impure`, not a leaf) whose inputs are constants, or are read only
    for a static shape (`shape_of(x)` of a statically shaped x), with a tuple-free result of at
    most MAX_FOLDED_ELEMENTS elements. `take(shape_of(x))` folds when the picked dimensions are
    static. Placeholders, variables and random draws are never folded.
    Keeps: outputs, updates and dtypes; a folded node's shape may become more static.
    """
    return rewrite_graph(graph, fold_node)


def fold_node(node):
    """The constant `node` evaluates to, or `node` itself when it cannot be folded."""
    if node.op == "take" and node.inputs[0].op == "shape_of":
        return _fold_static_dimensions(node) or node
    if not _foldable(node):
        return node
    with np.errstate(all="ignore"):
        try:
            value = evaluate_node(node, _input_values(node))
        except _EVALUATION_ERRORS:
            return node
    folded = ir.constant(value, dtype=node.dtype)
    # A reference that disagrees with its op's shape rule is a bug to surface, not to bake in.
    return folded if refines(folded.type, node.type) else node


def _foldable(node):
    if not node.inputs or node.is_tuple or ir.get_op(node.op).impure:
        return False
    shape_only = SHAPE_ONLY_FROM.get(node.op, len(node.inputs))
    for position, x in enumerate(node.inputs):
        if x.op == "constant":
            continue
        if position < shape_only or x.is_tuple or not x.type.is_static():
            return False
    size = _result_size(node)
    return size is not None and size <= MAX_FOLDED_ELEMENTS


def _result_size(node):
    if node.type.is_static():
        return int(np.prod(node.type.shape))
    if node.op in SHAPE_FROM_VALUE:
        dims = node.inputs[SHAPE_FROM_VALUE[node.op]].attrs["value"].array
        return int(np.prod(dims))
    return None


def _input_values(node):
    values = []
    for x in node.inputs:
        if x.op == "constant":
            values.append(x.attrs["value"].array)
        else:
            # Only the shape is read: a broadcast zero costs no memory.
            values.append(np.broadcast_to(np.zeros((), x.dtype), x.shape))
    return values


def _fold_static_dimensions(node):
    """take(shape_of(x), indices) as a constant when those dimensions of x are static."""
    shape = node.inputs[0].inputs[0].shape
    dims = [shape[i] for i in node.attrs["indices"]]
    if None in dims or node.attrs.get("axis", 0) != 0:
        return None
    return ir.constant(np.array(dims, dtype=node.dtype))
