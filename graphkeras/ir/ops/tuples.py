"""Picking one output of a multi-output node (scan, moments)."""
from ..registry import define_op
from ..types import TupleType


def _get_infer(t, *, index):
    if not isinstance(t, TupleType):
        raise TypeError("tuple_get needs a multi-output node")
    return t.types[index]


tuple_get = define_op(
    "tuple_get", infer=_get_infer, reference=lambda t, *, index: t[index],
    vjp=None, kernel="tuple_get",
    doc="Output `index` of a tuple node; autodiff routes its gradient to that slot.")
