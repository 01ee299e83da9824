"""Backend tensors: thin mutable wrappers around immutable IR nodes, with Python operators.

The engine hangs Keras attributes (`_keras_history`, `_keras_shape`) on these wrappers; the IR
never sees them.
"""
import contextlib

import numpy as np

from .. import ir
from ..ir.ops import elementwise as E
from ..ir.ops import linalg as LA
from ..ir.ops import shape as S
from . import common

_NAME_SCOPES = []


@contextlib.contextmanager
def name_scope(name):
    """Prefix the names of variables made inside (`dense_1/kernel:0`)."""
    _NAME_SCOPES.append(name)
    try:
        yield name
    finally:
        _NAME_SCOPES.pop()


def scoped_name(name):
    return "/".join(_NAME_SCOPES + [name])


class Tensor:
    """A symbolic value in the graph. `==` is identity so tensors can key dictionaries."""

    __array_priority__ = 100

    def __init__(self, node, name=None):
        self.node = node
        self.name = name or f"{node.op}_{id(node) % 100000}"

    @property
    def shape(self):
        return self.node.shape

    @property
    def dtype(self):
        return self.node.dtype

    @property
    def ndim(self):
        return self.node.ndim

    def get_shape(self):
        return self.node.shape

    def eval(self):
        from .state import eval as eval_
        return eval_(self)

    def __repr__(self):
        return f"<{type(self).__name__} '{self.name}' shape={self.shape} dtype={self.dtype}>"

    def __str__(self):
        """The IR that computes this tensor, one node per line."""
        return ir.format_node(self.node)

    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __bool__(self):
        raise TypeError("a symbolic tensor has no truth value; use K.switch or K.greater")

    def __len__(self):
        if self.ndim == 0 or self.shape[0] is None:
            raise TypeError(f"len() of a tensor with unknown or no first dimension {self.shape}")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __add__(self, other):
        return _binary(E.add, self, other)

    def __radd__(self, other):
        return _binary(E.add, other, self)

    def __sub__(self, other):
        return _binary(E.sub, self, other)

    def __rsub__(self, other):
        return _binary(E.sub, other, self)

    def __mul__(self, other):
        return _binary(E.mul, self, other)

    def __rmul__(self, other):
        return _binary(E.mul, other, self)

    def __truediv__(self, other):
        return _binary(E.div, self, other)

    def __rtruediv__(self, other):
        return _binary(E.div, other, self)

    def __floordiv__(self, other):
        return _binary(E.floordiv, self, other)

    def __rfloordiv__(self, other):
        return _binary(E.floordiv, other, self)

    def __mod__(self, other):
        return _binary(E.mod, self, other)

    def __pow__(self, other):
        return _binary(E.pow_, self, other)

    def __rpow__(self, other):
        return _binary(E.pow_, other, self)

    def __matmul__(self, other):
        from .math_ops import dot
        return dot(self, other)

    def __rmatmul__(self, other):
        from .math_ops import dot
        return dot(other, self)

    def __neg__(self):
        return wrap(E.neg(self.node))

    def __abs__(self):
        return wrap(E.abs_(self.node))

    def __lt__(self, other):
        return _binary(E.less, self, other)

    def __le__(self, other):
        return _binary(E.less_equal, self, other)

    def __gt__(self, other):
        return _binary(E.greater, self, other)

    def __ge__(self, other):
        return _binary(E.greater_equal, self, other)

    def __and__(self, other):
        return _binary(E.logical_and, self, other)

    def __or__(self, other):
        return _binary(E.logical_or, self, other)

    def __invert__(self):
        return wrap(E.logical_not(self.node))

    def __getitem__(self, key):
        return getitem(self, key)


class Variable(Tensor):
    """A tensor with state: its value lives in an `ir.Storage` and changes through updates."""

    def __init__(self, node, name, constraint=None):
        super().__init__(node, name)
        self.storage = node.attrs["storage"]
        self.constraint = constraint
        self._keras_initialized = True

    def assign(self, value):
        from .state import set_value
        set_value(self, value)

    def numpy(self):
        return self.storage.value.copy()


def wrap(node, name=None):
    """A backend tensor for an IR node (a Variable for variable nodes)."""
    if node.op == "variable":
        return Variable(node, node.attrs["storage"].name)
    return Tensor(node, name)


def to_node(x, dtype=None):
    """The IR node of a tensor, or a constant node for a number or array (floats in floatx)."""
    if isinstance(x, Tensor):
        return x.node
    if isinstance(x, ir.Node):
        return x
    array = np.asarray(x)
    if dtype is None:
        dtype = common.floatx() if array.dtype.kind == "f" else array.dtype
    return ir.constant(array, dtype)


def _binary(op, x, y):
    """Apply an elementwise op; Python numbers adopt the tensor's dtype."""
    nodes = []
    for v in (x, y):
        if isinstance(v, Tensor):
            nodes.append(v.node)
        elif isinstance(v, (int, float, bool, np.generic)) or isinstance(v, ir.Node):
            nodes.append(v)
        else:
            array = np.asarray(v)
            anchor = x if isinstance(x, Tensor) else y
            dtype = anchor.dtype if array.dtype.kind == "f" and anchor.node.type.is_float \
                else None
            nodes.append(to_node(array, dtype))
    return wrap(op(*nodes))


def is_tensor(x):
    return isinstance(x, Tensor)


def is_keras_tensor(x):
    """True for tensors made by a Keras layer or Input (they carry `_keras_history`)."""
    if not is_tensor(x) and not isinstance(x, (np.ndarray, list, float, int)):
        raise ValueError("Unexpectedly found an instance of type `" + str(type(x)) + "`. "
                         "Expected a symbolic tensor instance.")
    return is_tensor(x) and hasattr(x, "_keras_history")


def is_placeholder(x):
    return is_tensor(x) and x.node.op == "placeholder"


def is_variable(x):
    return isinstance(x, Variable)


def is_sparse(x):
    return False


def to_dense(x):
    return x


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):
    """A symbolic input fed when a function runs; None dimensions are free."""
    if sparse:
        raise ValueError("graphkeras has no sparse tensors; use sparse=False")
    if shape is None:
        if ndim is None:
            raise ValueError("placeholder needs `shape` or `ndim`")
        shape = (None,) * ndim
    dtype = dtype or common.floatx()
    node = ir.ops.leaves.placeholder(tuple(shape), dtype, name)
    t = Tensor(node, node.attrs["name"])
    t._keras_shape = tuple(shape)
    t._uses_learning_phase = False
    return t


def variable(value, dtype=None, name=None, constraint=None):
    """A variable holding `value` (an array or number), with an optional constraint."""
    dtype = dtype or common.floatx()
    array = np.array(value, dtype=dtype)
    if name is None:
        name = f"variable_{common.get_uid('variable')}"
    full_name = scoped_name(name)
    if not full_name.endswith(":0"):
        full_name += ":0"
    storage = ir.Storage(array, full_name)
    v = Variable(ir.ops.leaves.variable(storage, array.dtype.name, array.shape), full_name,
                 constraint)
    v._keras_shape = array.shape
    v._uses_learning_phase = False
    return v


def constant(value, dtype=None, shape=None, name=None):
    """A constant tensor; a scalar `value` is broadcast to `shape`."""
    dtype = dtype or common.floatx()
    array = np.asarray(value, dtype=dtype)
    if shape is not None:
        array = np.broadcast_to(array, shape).copy()
    return Tensor(ir.constant(array, dtype), name)


def _index_items(key, ndim):
    if not isinstance(key, tuple):
        key = (key,)
    consumed = sum(1 for k in key if k is not None and k is not Ellipsis)
    items = []
    for k in key:
        if k is Ellipsis:
            items.extend([("slice", None, None, None)] * (ndim - consumed))
        elif k is None:
            items.append(("newaxis",))
        elif isinstance(k, slice):
            items.append(("slice", _int_or_none(k.start), _int_or_none(k.stop),
                          _int_or_none(k.step)))
        elif isinstance(k, (int, np.integer)):
            items.append(("int", int(k)))
        else:
            raise TypeError(f"unsupported index {k!r}: use ints, slices, None or ...")
    return tuple(items)


def _int_or_none(v):
    if v is None:
        return None
    if isinstance(v, Tensor):
        raise TypeError("slice bounds must be Python ints; use K.gather for tensor indices")
    return int(v)


def getitem(x, key):
    """x[key] for static ints, slices, None and Ellipsis; a tensor key gathers along axis 0."""
    if isinstance(key, Tensor):
        return wrap(S.gather(x.node, key.node))
    return wrap(S.index(x.node, items=_index_items(key, x.ndim)))


def matmul_nodes(x, y):
    return LA.matmul(x, y)
