"""The op registry: each op is declared once with its shape/dtype rule, NumPy reference,
gradient rule and how the runtime lowers it (a scalar template for fusion, or a kernel name)."""
import numbers

import numpy as np

from .node import Constant, Node
from .types import TensorType, TupleType, broadcast_shapes, result_dtype

_REGISTRY = {}


class NotDifferentiable:
    """Marks an op without a gradient; autodiff raises with the reason if asked to go through."""

    def __init__(self, reason):
        self.reason = reason


def not_differentiable(reason):
    return NotDifferentiable(reason)


class OpDef:
    """Everything about one op. Calling it builds a Node whose type is inferred on the spot."""

    def __init__(self, name, infer, reference, vjp, scalar, kernel, elementwise, doc,
                 impure):
        self.name = name
        self.infer = infer
        self.reference = reference
        self.vjp = vjp
        self.scalar = scalar
        self.kernel = kernel
        self.elementwise = elementwise
        self.doc = doc
        self.impure = impure

    def __call__(self, *inputs, **attrs):
        nodes = as_nodes(inputs, elementwise=self.elementwise)
        try:
            node_type = self.infer(*[n.type for n in nodes], **attrs)
        except (ValueError, TypeError) as err:
            shapes = ", ".join(f"{n.type!r}" for n in nodes)
            raise type(err)(f"op '{self.name}' on inputs ({shapes}): {err}") from None
        return Node(self.name, nodes, attrs, node_type)

    def __repr__(self):
        return f"<OpDef {self.name}>"


def define_op(name, *, reference, vjp, shape=None, dtype=None, infer=None, scalar=None,
              kernel=None, elementwise=False, doc="", impure=False):
    """Declare an op. Give `infer(*types, **attrs) -> type`, or `shape` and `dtype` rules.

    `vjp(g, y, *inputs)` returns one gradient node (or None) per input, where `y` is the node
    itself (its attrs in `y.attrs`) and `g` the gradient of its output (a tuple for tuple types).
    `impure` ops (random draws) are never merged, folded or removed as duplicates.
    """
    if name in _REGISTRY:
        raise ValueError(f"op '{name}' is declared twice")
    if infer is None:
        if shape is None or dtype is None:
            raise ValueError(f"op '{name}' needs `infer` or both `shape` and `dtype`")
        infer = _combine(shape, dtype)
    op = OpDef(name, infer, reference, vjp, scalar, kernel, elementwise, doc, impure)
    _REGISTRY[name] = op
    return op


def _combine(shape_rule, dtype_rule):
    def infer(*types, **attrs):
        return TensorType(dtype_rule(*types, **attrs), shape_rule(*types, **attrs))
    return infer


def get_op(name):
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no op named '{name}' is registered") from None


def all_ops():
    return dict(_REGISTRY)


# Shape and dtype rules shared by many ops.

def same_shape(x, *rest, **attrs):
    return x.shape


def broadcast_shape(*types, **attrs):
    return broadcast_shapes(*[t.shape for t in types])


def same_dtype(x, *rest, **attrs):
    return x.dtype


def promoted_dtype(*types, **attrs):
    return result_dtype(*[t.dtype for t in types])


def float_dtype(x, *rest, **attrs):
    """Floats keep their dtype; integers compute in float32 as Keras does."""
    return x.dtype if x.is_float else "float32"


def bool_dtype(*types, **attrs):
    return "bool"


def attr_dtype(*types, dtype, **attrs):
    return dtype


# Turning Python values into nodes.

def constant(value, dtype=None):
    """A constant node holding `value` (array-like), optionally cast to `dtype`."""
    array = np.asarray(value, dtype=dtype)
    return get_op("constant")(value=Constant(array), dtype=array.dtype.name)


def as_nodes(values, elementwise=False):
    """Nodes for op inputs; Python numbers take the dtype of the first tensor input (weak typing)."""
    tensors = [v for v in values if isinstance(v, Node) and not v.is_tuple]
    anchor = tensors[0].dtype if tensors else None
    if elementwise and anchor is not None:
        floats = [t.dtype for t in tensors if t.type.is_float]
        anchor = floats[0] if floats else anchor
    out = []
    for v in values:
        if isinstance(v, Node):
            out.append(v)
        elif hasattr(v, "node") and isinstance(v.node, Node):
            out.append(v.node)
        elif isinstance(v, (numbers.Number, np.generic)) and not isinstance(v, np.ndarray):
            dt = anchor
            if dt is None or (isinstance(v, float) and np.dtype(dt).kind in "iub"):
                dt = "float32" if isinstance(v, float) else ("bool" if isinstance(v, bool)
                                                             else "int32")
            out.append(constant(v, dt))
        else:
            array = np.asarray(v)
            if array.dtype == np.float64:
                array = array.astype(anchor if anchor and np.dtype(anchor).kind == "f"
                                     else "float32")
            out.append(constant(array))
    return out


def tuple_type(*types):
    return TupleType(types)
