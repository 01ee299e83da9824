"""Common-subexpression elimination: one walk, one dictionary."""
from .. import ir
from .rewriting import rewrite_graph


# Ops whose two operands can be swapped without changing a bit of the result (IEEE add and
# multiply are commutative; maximum/minimum are not quite: they may pick -0.0 or 0.0).
COMMUTATIVE = {"add", "mul", "equal", "not_equal", "logical_and", "logical_or"}


def eliminate_common_subexpressions(graph):
    """Merge nodes with the same op, attributes, type and (already merged) inputs into one;
    for commutative ops, inputs in either order.

    Impure ops (random draws) are never merged, so two dropout masks stay two masks.
    Keeps: outputs, updates, inputs and every type; only the sharing of nodes changes.
    """
    seen = {}

    def canonical(node):
        if ir.get_op(node.op).impure:
            return node
        inputs = tuple(id(i) for i in node.inputs)
        if node.op in COMMUTATIVE:
            inputs = tuple(sorted(inputs))
        key = (node.op, tuple(node.attrs.items()), node.type, inputs)
        return seen.setdefault(key, node)

    return rewrite_graph(graph, canonical)
