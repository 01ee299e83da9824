"""Leaves of a graph: placeholders (fed at call time), variables (state), constants."""
from ..node import new_uid
from ..registry import define_op, not_differentiable
from ..types import TensorType


def _leaf_type(*, dtype, shape, **attrs):
    return TensorType(dtype, shape)


def _no_reference(name):
    def reference(**attrs):
        raise RuntimeError(f"{name} nodes are read by the executor, not computed")
    return reference


placeholder_op = define_op(
    "placeholder",
    infer=lambda *, uid, name, dtype, shape: TensorType(dtype, shape),
    reference=_no_reference("placeholder"),
    vjp=not_differentiable("a placeholder is an input"),
    doc="A value fed when the graph runs. `uid` keeps two placeholders apart.",
)

variable_op = define_op(
    "variable",
    infer=lambda *, storage, dtype, shape: TensorType(dtype, shape),
    reference=_no_reference("variable"),
    vjp=not_differentiable("a variable is a leaf"),
    doc="Reads the current value of a Storage.",
)

constant_op = define_op(
    "constant",
    infer=lambda *, value, dtype: TensorType(dtype, value.array.shape),
    reference=lambda *, value, dtype: value.array,
    vjp=not_differentiable("a constant is a leaf"),
    doc="A value folded into the graph.",
)


# Keras's learning phase is an ordinary graph input: a scalar bool placeholder with this name.
LEARNING_PHASE_NAME = "keras_learning_phase"


def is_learning_phase(node):
    """Whether `node` is the learning-phase input."""
    return node.op == "placeholder" and node.attrs["name"] == LEARNING_PHASE_NAME


def placeholder(shape, dtype, name=None):
    uid = new_uid()
    return placeholder_op(uid=uid, name=name or f"placeholder_{uid}", dtype=dtype,
                          shape=tuple(shape))


def variable(storage, dtype, shape):
    return variable_op(storage=storage, dtype=dtype, shape=tuple(shape))
