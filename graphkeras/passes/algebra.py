"""Algebraic simplification: a table of local (pattern, rewrite) rules applied in one walk.

Each rule names the identity it uses. A rule's rewrite gets the matched node and the pattern's
bindings and returns the replacement, or None when a side condition fails. The driver keeps a
replacement only if its type refines the node's (same dtype and rank, no known dimension lost),
so no rule can change what the graph computes the shape or dtype of. Rules that would be wrong
for inf or NaN (x * 0 -> 0, x - x -> 0) are deliberately absent.
"""
from ..ir import broadcast_shapes
from ..ir.ops import elementwise as ew
from ..ir.ops import shape as sh
from .patterns import Scalar, Var, match
from .rewriting import refines, rewrite_graph, uniform_value
from .stable_forms import STABLE_RULES

X, Y, C = Var("x"), Var("y"), Var("c")
ZERO, ONE = Scalar(0), Scalar(1)
FULL_SLICE = ("slice", None, None, None)


def _x(node, m):
    return m["x"]


def _compose_transposes(node, m):
    inner = node.inputs[0].attrs["perm"]
    perm = tuple(inner[p] for p in node.attrs["perm"])
    return m["x"] if perm == tuple(range(len(perm))) else sh.transpose(m["x"], perm=perm)


def _drop_identity_transpose(node, m):
    perm = node.attrs["perm"]
    return m["x"] if tuple(perm) == tuple(range(len(perm))) else None


def _same_view(node, m):
    """x itself when a reshape leaves x's static shape alone and at most one dimension is
    unknown (the known ones then fix it, so run-time shapes agree too)."""
    x = m["x"]
    if x.type == node.type and sum(d is None for d in x.shape) <= 1:
        return x
    return None


def _reshape_chain(node, m):
    return sh.reshape(m["x"], shape=node.attrs["shape"])


def _reshape_to_chain(node, m):
    return sh.reshape_to(m["x"], node.inputs[1], hint=node.attrs["hint"])


def _static_reshape_to(node, m):
    """reshape_to with a constant shape vector is a plain reshape."""
    dims = m["s"].attrs["value"].array
    return sh.reshape(m["x"], shape=tuple(int(d) for d in dims))


def _undo_axis(node, m):
    """squeeze and expand_dims on one axis cancel (axes compared in the larger rank)."""
    rank = max(node.ndim, node.inputs[0].ndim)
    return m["x"] if node.attrs["axis"] % rank == node.inputs[0].attrs["axis"] % rank else None


def _same_dtype_cast(node, m):
    return m["x"] if m["x"].dtype == node.attrs["dtype"] else None


def _no_axes(node, m):
    return m["x"] if node.attrs["axes"] == () else None


def _attr_is_trivial(name, trivial):
    """A rewrite to x when every entry of attribute `name` is `trivial` (tile by ones...)."""
    def rewrite(node, m):
        return m["x"] if all(v == trivial for v in node.attrs[name]) else None
    return rewrite


def _broadcast_same(node, m):
    if m["x"] is m["t"] or (m["x"].type.is_static() and m["x"].type == node.type):
        return m["x"]
    return None


def _constant_condition(node, m):
    """where(c, x, y) with a constant uniform condition is the chosen branch."""
    condition = uniform_value(m["c"])
    if condition is None:
        return None
    return fit_to(m["x"] if condition else m["y"], node)


def _same_branches(node, m):
    return fit_to(m["x"], node)


def fit_to(value, node):
    """`value` broadcast against node's other inputs and cast to node's dtype.

    As in the IR's own shape rules, two unknown dimensions that meet are taken to be equal:
    K.in_train_phase(x, alt) gives both branches one batch size.
    """
    for other in node.inputs:
        if broadcast_shapes(value.shape, other.shape) != value.shape:
            value = sh.broadcast_like(value, other)
    if value.dtype != node.dtype:
        value = ew.cast(value, dtype=node.dtype)
    return value


IDENTITY_RULES = [
    # (name, pattern, rewrite)
    ("x * 1", ("mul", X, ONE), _x),
    ("1 * x", ("mul", ONE, X), _x),
    ("x + 0", ("add", X, ZERO), _x),
    ("0 + x", ("add", ZERO, X), _x),
    ("x - 0", ("sub", X, ZERO), _x),
    ("0 - x", ("sub", ZERO, X), lambda node, m: ew.neg(m["x"])),
    ("x / 1", ("div", X, ONE), _x),
    ("x ** 1", ("pow", X, ONE), _x),
    ("x ** 2", ("pow", X, Scalar(2)), lambda node, m: ew.mul(m["x"], m["x"])),
    ("--x", ("neg", ("neg", X)), _x),
    ("x + -y", ("add", X, ("neg", Y)), lambda node, m: ew.sub(m["x"], m["y"])),
    ("-y + x", ("add", ("neg", Y), X), lambda node, m: ew.sub(m["x"], m["y"])),
    ("x - -y", ("sub", X, ("neg", Y)), lambda node, m: ew.add(m["x"], m["y"])),
    ("log(exp(x))", ("log", ("exp", X)), _x),
    ("identity(x)", ("identity", X), _x),
    ("stop_gradient(x) after autodiff", ("stop_gradient", X), _x),
    ("cast to own dtype", ("cast", X), _same_dtype_cast),
    ("transpose(transpose(x))", ("transpose", ("transpose", X)), _compose_transposes),
    ("transpose by identity", ("transpose", X), _drop_identity_transpose),
    ("reshape(reshape(x))", ("reshape", ("reshape", X)), _reshape_chain),
    ("reshape(reshape_to(x))", ("reshape", ("reshape_to", X, Var("s"))), _reshape_chain),
    ("reshape_to(reshape(x))", ("reshape_to", ("reshape", X), Var("s")), _reshape_to_chain),
    ("reshape_to constant shape", ("reshape_to", X, Var("s", "constant")), _static_reshape_to),
    ("reshape to own shape", ("reshape", X), _same_view),
    ("squeeze(expand_dims(x))", ("squeeze", ("expand_dims", X)), _undo_axis),
    ("expand_dims(squeeze(x))", ("expand_dims", ("squeeze", X)), _undo_axis),
    ("broadcast to own shape", ("broadcast_like", X, Var("t")), _broadcast_same),
    ("tile by ones", ("tile", X), _attr_is_trivial("reps", 1)),
    ("pad by nothing", ("pad", X), _attr_is_trivial("pads", (0, 0))),
    ("index by full slices", ("index", X), _attr_is_trivial("items", FULL_SLICE)),
    ("reverse over no axes", ("reverse", X), _no_axes),
    ("concatenate one input", ("concatenate", X), _x),
    ("sum over no axes", ("sum", X), _no_axes),
    ("mean over no axes", ("mean", X), _no_axes),
    ("max over no axes", ("max", X), _no_axes),
    ("min over no axes", ("min", X), _no_axes),
    ("where on a constant condition", ("where", C, X, Y), _constant_condition),
    ("where with equal branches", ("where", C, X, X), _same_branches),
]

RULES = IDENTITY_RULES + STABLE_RULES


def _index_by_op(rules):
    table = {}
    for name, pattern, rewrite in rules:
        table.setdefault(pattern[0], []).append((name, pattern, rewrite))
    return table


RULES_BY_OP = _index_by_op(RULES)

# A replacement is itself tried against the rules, a bounded number of times, so a rewrite
# that exposes another at the same node (0 - (-x) -> --x -> x) finishes in the same walk.
MAX_REWRITES_PER_NODE = 4


STABLE_RULES_BY_OP = _index_by_op(STABLE_RULES)


def simplify_algebra(graph):
    """Apply the rule table (identities and numerically stable forms) once to every node.

    Keeps: outputs, updates, inputs; every replaced node's dtype and rank, and its known
    dimensions. Values are equal up to float rounding, except that the stable forms give
    finite results where the naive softmax/sigmoid cross-entropies overflow. Removes
    stop_gradient, so it is for graphs that are no longer differentiated.
    """
    return rewrite_graph(graph, lambda node: simplify_node(node, RULES_BY_OP))


def stabilize_numerics(graph):
    """Apply only the stable-form rules (stable_forms.py), once to every node.

    Safe before autodiff (it keeps stop_gradient), so differentiating the result gives finite
    gradients where the naive cross-entropies give NaN. Keeps what simplify_algebra keeps.
    """
    return rewrite_graph(graph, lambda node: simplify_node(node, STABLE_RULES_BY_OP))


def simplify_node(node, rules_by_op):
    """`node` after the first applicable rule (and up to MAX_REWRITES_PER_NODE in a chain)."""
    for _ in range(MAX_REWRITES_PER_NODE):
        replacement = apply_first_rule(node, rules_by_op)
        if replacement is None:
            return node
        node = replacement
    return node


def apply_first_rule(node, rules_by_op):
    for name, pattern, rewrite in rules_by_op.get(node.op, ()):
        bindings = match(pattern, node)
        if bindings is None:
            continue
        replacement = rewrite(node, bindings)
        if replacement is not None and replacement is not node and refines(
                replacement.type, node.type):
            return replacement
    return None
