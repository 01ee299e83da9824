"""The IR node: one op applied to input nodes, with attributes and a static type.

A node never changes after it is made. Structure defines identity: two nodes with the same op,
attributes, type and (equal) inputs compare equal and hash alike, so CSE is a dictionary lookup.
Leaves that must stay distinct (placeholders, variables, random ops) carry a unique attribute.
"""
import itertools

import numpy as np

from .types import TensorType, TupleType

_uids = itertools.count(1)


def new_uid():
    """A process-wide unique integer, for leaves that must never be merged."""
    return next(_uids)


class Storage:
    """The mutable value behind a variable node; hashed by identity."""

    __slots__ = ("value", "name", "__weakref__")

    def __init__(self, value, name):
        self.value = value
        self.name = name

    def __repr__(self):
        return f"Storage({self.name})"


class RngState:
    """The random stream of one random op; hashed by identity so two ops never share one."""

    __slots__ = ("seed", "generator")

    def __init__(self, seed=None):
        self.seed = seed
        self.reset()

    def reset(self):
        self.generator = np.random.RandomState(self.seed)

    def __repr__(self):
        return f"RngState(seed={self.seed})"


class Constant:
    """A constant array as an attribute value: hashed and compared by dtype, shape and bytes."""

    __slots__ = ("array", "_hash")

    def __init__(self, array):
        self.array = np.array(array)
        self.array.setflags(write=False)
        self._hash = hash((self.array.dtype.str, self.array.shape, self.array.tobytes()))

    def __eq__(self, other):
        return (isinstance(other, Constant) and self._hash == other._hash
                and self.array.dtype == other.array.dtype
                and self.array.shape == other.array.shape
                and np.array_equal(self.array, other.array, equal_nan=True))

    def __hash__(self):
        return self._hash

    def __repr__(self):
        if self.array.ndim == 0:
            return repr(self.array.item())
        if self.array.size <= 6:
            return np.array2string(self.array.ravel(), separator=",").replace("\n", "")
        return f"<{self.array.dtype}{list(self.array.shape)}>"


def freeze(value):
    """Turn an attribute value into a hashable one (lists to tuples, arrays to Constant)."""
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    if isinstance(value, np.ndarray):
        return Constant(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return tuple(sorted((k, freeze(v)) for k, v in value.items()))
    return value


class Node:
    """An op application `(op, inputs, attrs, type)`; immutable, structurally hashed."""

    __slots__ = ("op", "inputs", "attrs", "type", "_hash", "__weakref__")

    def __init__(self, op, inputs, attrs, type):
        self.op = op
        self.inputs = tuple(inputs)
        self.attrs = {k: freeze(v) for k, v in sorted(attrs.items())}
        self.type = type
        self._hash = hash((op, tuple(self.attrs.items()), type,
                           tuple(i._hash for i in self.inputs)))

    def __hash__(self):
        return self._hash

    def __eq__(self, other):
        if self is other:
            return True
        if not isinstance(other, Node) or self._hash != other._hash:
            return False
        return (self.op == other.op and self.type == other.type and self.attrs == other.attrs
                and all(a is b or a == b for a, b in zip(self.inputs, other.inputs)))

    def __ne__(self, other):
        return not self == other

    @property
    def shape(self):
        return self.type.shape

    @property
    def dtype(self):
        return self.type.dtype

    @property
    def ndim(self):
        return len(self.type.shape)

    @property
    def is_tuple(self):
        return isinstance(self.type, TupleType)

    def __repr__(self):
        attrs = ", ".join(f"{k}={v!r}" for k, v in self.attrs.items())
        return f"<Node {self.op}({attrs}) {self.type!r}>"

    # Arithmetic sugar so gradient rules read like formulas; the ops module fills these in.
    def __add__(self, other):
        return _arith("add", self, other)

    def __radd__(self, other):
        return _arith("add", other, self)

    def __sub__(self, other):
        return _arith("sub", self, other)

    def __rsub__(self, other):
        return _arith("sub", other, self)

    def __mul__(self, other):
        return _arith("mul", self, other)

    def __rmul__(self, other):
        return _arith("mul", other, self)

    def __truediv__(self, other):
        return _arith("div", self, other)

    def __rtruediv__(self, other):
        return _arith("div", other, self)

    def __pow__(self, other):
        return _arith("pow", self, other)

    def __neg__(self):
        from .registry import get_op
        return get_op("neg")(self)


def _arith(name, x, y):
    from .registry import get_op
    return get_op(name)(x, y)


def tensor_type(dtype, shape):
    return TensorType(dtype, shape)
