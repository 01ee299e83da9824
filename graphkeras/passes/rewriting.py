"""The one walk every pass is made of: visit nodes inputs-first, replace each by a local rewrite.

A pass built on `rewrite_graph` is linear in the graph: each node is visited once, its inputs
already replaced, and the local rewrite looks at a bounded neighbourhood. Nothing loops to a
fixpoint; a later pass in the pipeline picks up what an earlier one exposed.
"""
import numpy as np

from .. import ir


def rewrite_graph(graph, local):
    """A new graph where each node becomes `local(node)`, node's inputs already rewritten.

    `local` must return a node of a compatible type (see `refines`) and leave leaves alone.
    """
    memo = {}
    for node in graph.nodes:
        new = ir.rebuild(node, [memo[id(i)] for i in node.inputs])
        memo[id(node)] = local(new)
    return graph.with_roots([memo[id(r)] for r in graph.roots()])


def refines(new, old):
    """True if type `new` can stand for `old`: same dtype and rank, and every dimension `old`
    knows is the same in `new` (a rewrite may learn a dimension, never lose or change one)."""
    if isinstance(old, ir.TupleType) or isinstance(new, ir.TupleType):
        return new == old
    if new.dtype != old.dtype or len(new.shape) != len(old.shape):
        return False
    return all(o is None or n == o for n, o in zip(new.shape, old.shape))


# A uniform constant is read only when it is this small: checking every element of a large
# constant for each user would make the walk cost proportional to constant sizes.
UNIFORM_CHECK_LIMIT = 4096


def uniform_value(node):
    """The one value (a NumPy scalar) of a constant whose elements are all equal, else None."""
    if node.op != "constant":
        return None
    array = node.attrs["value"].array
    if array.size == 0 or array.size > UNIFORM_CHECK_LIMIT:
        return None
    first = array.flat[0]
    if array.size > 1 and not np.all(array == first):
        return None
    return first

