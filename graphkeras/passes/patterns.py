"""A small pattern language for local rewrite rules.

A pattern is a Var (matches any node and names it), a Scalar (a constant of one value), or a
tuple `(op, pattern, ...)` matching a node of that op whose inputs match the sub-patterns in
order. A name used twice must bind the same node. `match` returns a dict name -> node, or None.
"""
import numpy as np

from .rewriting import uniform_value


class Var:
    """Matches any node; `op` narrows it to nodes of one op."""

    def __init__(self, name, op=None):
        self.name = name
        self.op = op

    def __repr__(self):
        return self.name


class Scalar:
    """Matches a constant whose elements all equal `value`, each dimension of size 1.

    Size-1 dimensions keep the other operand's shape under broadcasting, so dropping such a
    constant never changes a shape. With `value=None` any such constant matches (and is bound).
    """

    def __init__(self, value=None, name=None):
        self.value = value
        self.name = name

    def __repr__(self):
        return repr(self.value) if self.name is None else self.name


def match(pattern, node, bindings=None):
    """The bindings under which `node` matches `pattern`, or None."""
    bindings = {} if bindings is None else bindings
    if isinstance(pattern, Var):
        if pattern.op is not None and node.op != pattern.op:
            return None
        return _bind(bindings, pattern.name, node)
    if isinstance(pattern, Scalar):
        return _match_scalar(pattern, node, bindings)
    op, *children = pattern
    if node.op != op or len(node.inputs) != len(children):
        return None
    for child_pattern, child in zip(children, node.inputs):
        if match(child_pattern, child, bindings) is None:
            return None
    return bindings


def _bind(bindings, name, node):
    bound = bindings.get(name)
    if bound is not None and bound is not node:
        return None
    bindings[name] = node
    return bindings


def _match_scalar(pattern, node, bindings):
    if node.op != "constant" or any(d != 1 for d in node.shape):
        return None
    value = uniform_value(node)
    if value is None or (pattern.value is not None and value != pattern.value):
        return None
    if pattern.name is None:
        return bindings
    return _bind(bindings, pattern.name, node)


def scalar_of(node):
    """The value of a size-1 constant node as a NumPy scalar of its dtype."""
    return np.asarray(node.attrs["value"].array, dtype=node.dtype).reshape(())[()]
