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
        return _true_divide(self, other)

    def __rtruediv__(self, other):
        return _true_divide(other, self)

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
    """Apply an elementwise op to two operands, at least one a tensor.

    Numbers and arrays adopt the tensor's dtype where they fit it (weak typing): a float
    operand with an integer or bool tensor computes in floatx, an int with a bool tensor in
    int32, instead of NumPy's float64 or a truncated constant.
    """
    tensors = [v for v in (x, y) if isinstance(v, Tensor)]
    others = [np.asarray(v) for v in (x, y) if not isinstance(v, (Tensor, ir.Node))]
    if any(a.dtype.kind == "f" for a in others) and not any(t.node.type.is_float
                                                            for t in tensors):
        x, y = (wrap(E.cast(v.node, dtype=common.floatx())) if isinstance(v, Tensor) else v
                for v in (x, y))
    anchor = to_node(x if _is_dynamic(x) else y)
    return wrap(op(_operand_node(x, anchor), _operand_node(y, anchor)))


def _operand_node(v, anchor):
    if isinstance(v, Tensor):
        return v.node
    if isinstance(v, ir.Node):
        return v
    array = np.asarray(v)
    if array.dtype.kind in "fiub" and anchor.type.is_float:
        return to_node(array, anchor.dtype) if array.ndim else float(array)
    if array.dtype.kind in "iu" and anchor.dtype == "bool":
        return to_node(array, "int32")
    if array.ndim == 0 and array.dtype.kind in "iub":
        return array.item()
    return to_node(array)


def _true_divide(x, y):
    """x / y; integer operands divide in floatx (float64 mode included), as Theano did."""
    if _is_integral(x) and _is_integral(y):
        x, y = (wrap(E.cast(to_node(v), dtype=common.floatx())) if isinstance(v, Tensor)
                else float(v) for v in (x, y))
    return _binary(E.div, x, y)


def _is_integral(v):
    if isinstance(v, Tensor):
        return not v.node.type.is_float
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


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


def is_sparse(tensor):
    """False: graphkeras has no sparse tensors."""
    return False


def to_dense(tensor):
    """The tensor itself: every graphkeras tensor is dense."""
    return tensor


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


_FULL = ("slice", None, None, None)


def getitem(x, key):
    """x[key] as NumPy basic indexing: ints, slices, None and `...`, where an int, a slice
    bound or the whole key may also be an integer tensor (or an int array): those gather."""
    items, dynamic = _index_items(key, x.ndim)
    node = x.node
    if any(item != _FULL for item in items) or len(items) > x.ndim:
        node = S.index(node, items=items)
    for axis, entry in reversed(dynamic):
        node = _gather_entry(node, axis, entry)
    return wrap(node)


def _index_items(key, ndim):
    """Static index items, plus (output axis, entry) for the entries that need a gather."""
    key = key if isinstance(key, tuple) else (key,)
    consumed = sum(1 for k in key if k is not None and k is not Ellipsis)
    if consumed > ndim:
        raise IndexError(f"too many indices ({consumed}) for a tensor of rank {ndim}")
    items, dynamic = [], []
    for k in key:
        if k is Ellipsis:
            items.extend([_FULL] * (ndim - consumed))
        elif k is None:
            items.append(("newaxis",))
        elif isinstance(k, slice) and not any(_is_dynamic(v) for v in (k.start, k.stop)):
            items.append(("slice", _int_or_none(k.start), _int_or_none(k.stop),
                          _int_or_none(k.step)))
        elif isinstance(k, (int, np.integer)):
            items.append(("int", int(k)))
        elif isinstance(k, slice) or _is_dynamic(k) or isinstance(k, (list, np.ndarray)):
            dynamic.append((_output_axes(items), k))
            items.append(_FULL)
        else:
            raise TypeError(f"unsupported index {k!r}: use ints, slices, None, ... or integer "
                            "tensors")
    vectors = [k for _, k in dynamic if not isinstance(k, slice) and _rank(k) > 0]
    if len(vectors) > 1:
        raise TypeError("at most one array or vector tensor index is supported; use K.gather")
    return tuple(items), dynamic


def _is_dynamic(v):
    return isinstance(v, (Tensor, ir.Node))


def _rank(k):
    return to_node(k).ndim if _is_dynamic(k) else np.ndim(k)


def _output_axes(items):
    """How many output axes the static items so far produce."""
    return sum(1 for item in items if item[0] != "int")


def _int_or_none(v):
    return None if v is None else int(v)


def _gather_entry(node, axis, entry):
    """Apply one tensor index (an int or int vector) or tensor-bounded slice along `axis`."""
    if isinstance(entry, slice):
        step = 1 if entry.step is None else int(entry.step)
        if step <= 0:
            raise ValueError(f"a slice with tensor bounds needs a positive step, got {step}")
        from .array_ops import arange
        size = _axis_size(node, axis)
        start = _clip_bound(entry.start, size, ir.constant(np.array(0, np.int32)))
        stop = _clip_bound(entry.stop, size, size)
        positions = arange(wrap(start), wrap(stop), step).node
        return S.gather(node, positions, axis=axis)
    idx = to_node(entry)
    if not idx.type.is_integer or idx.dtype == "bool":
        raise TypeError(f"tensor indices must be integers, got {idx.dtype}")
    # Negative indices count from the end, as in NumPy.
    idx = E.where(E.less(idx, 0), idx + E.cast(_axis_size(node, axis), dtype=idx.dtype), idx)
    return S.gather(node, idx, axis=axis)


def _axis_size(node, axis):
    """The size of `axis` as an int32 scalar node (a constant when it is static)."""
    if node.shape[axis] is not None:
        return ir.constant(np.array(node.shape[axis], np.int32))
    return S.reshape(S.take(S.shape_of(node), indices=(axis,)), shape=())


def _clip_bound(bound, size, default):
    """A slice bound as Python reads it: negative counts from the end, then clipped."""
    if bound is None:
        return default
    b = E.cast(to_node(bound), dtype="int32") if _is_dynamic(bound) \
        else ir.constant(np.array(int(bound), np.int32))
    b = E.where(E.less(b, 0), b + size, b)
    return E.minimum(E.maximum(b, 0), size)


def matmul_nodes(x, y):
    return LA.matmul(x, y)
