"""Elementwise ops. Each carries a scalar template, so the fuser can inline it into one loop.

Templates name the inputs {x}, {y}, {z} in order and attributes by their names.

Gradient rules follow TensorFlow at ties and boundaries: `maximum` sends the gradient to its
first input where x >= y, `minimum` where x <= y, `abs` and `sign` give 0 at 0.
"""
import numpy as np

from ..registry import (bool_dtype, broadcast_shape, define_op, float_dtype,
                        not_differentiable, promoted_dtype, same_dtype, same_shape)
from ..types import TensorType


def _binary(name, reference, vjp, scalar, dtype=promoted_dtype, doc=""):
    return define_op(name, shape=broadcast_shape, dtype=dtype, reference=reference, vjp=vjp,
                     scalar=scalar, elementwise=True, doc=doc)


def _unary(name, reference, vjp, scalar, dtype=same_dtype, doc=""):
    return define_op(name, shape=same_shape, dtype=dtype, reference=reference, vjp=vjp,
                     scalar=scalar, elementwise=True, doc=doc)


def _true_div_dtype(x, y, **attrs):
    dtype = promoted_dtype(x, y)
    return dtype if np.dtype(dtype).kind == "f" else "float32"


def _numeric_dtype(rule, name):
    """A dtype rule that refuses all-bool inputs, which NumPy cannot subtract or negate."""
    def dtype(*types, **attrs):
        if all(t.dtype == "bool" for t in types):
            raise TypeError(f"{name} is not defined for bool tensors; cast them first")
        return rule(*types, **attrs)
    return dtype


add = _binary("add", np.add, lambda g, z, x, y: [g, g], "({x} + {y})")
sub = _binary("sub", np.subtract, lambda g, z, x, y: [g, -g], "({x} - {y})",
              dtype=_numeric_dtype(promoted_dtype, "subtraction"))
mul = _binary("mul", np.multiply, lambda g, z, x, y: [g * y, g * x], "({x} * {y})")
div = _binary("div", np.true_divide, lambda g, z, x, y: [g / y, -g * z / y],
              "({x} / {y})", dtype=_true_div_dtype)
floordiv = _binary("floordiv", np.floor_divide, lambda g, z, x, y: [None, None],
                   "np.floor_divide({x}, {y})")
mod = _binary("mod", np.mod, lambda g, z, x, y: [g, -g * floordiv(x, y)], "np.mod({x}, {y})")


def _pow_vjp(g, z, x, y):
    dx = g * y * pow_(x, y - 1)
    if y.op == "constant":
        return [dx, None]
    # log(x) is NaN for x <= 0; Theano and TF both give 0 there when z is 0.
    safe_log = log(where(greater(x, 0), x, 1))
    return [dx, g * z * safe_log]


pow_ = _binary("pow", np.power, _pow_vjp, "({x} ** {y})")
maximum = _binary("maximum", np.maximum,
                  lambda g, z, x, y: [where(greater_equal(x, y), g, 0),
                                      where(greater_equal(x, y), 0, g)],
                  "max2({x}, {y})")
minimum = _binary("minimum", np.minimum,
                  lambda g, z, x, y: [where(less_equal(x, y), g, 0),
                                      where(less_equal(x, y), 0, g)],
                  "min2({x}, {y})")

_no_grad = not_differentiable("comparisons and logic return booleans")
equal = _binary("equal", np.equal, _no_grad, "({x} == {y})", dtype=bool_dtype)
not_equal = _binary("not_equal", np.not_equal, _no_grad, "({x} != {y})", dtype=bool_dtype)
greater = _binary("greater", np.greater, _no_grad, "({x} > {y})", dtype=bool_dtype)
greater_equal = _binary("greater_equal", np.greater_equal, _no_grad, "({x} >= {y})",
                        dtype=bool_dtype)
less = _binary("less", np.less, _no_grad, "({x} < {y})", dtype=bool_dtype)
less_equal = _binary("less_equal", np.less_equal, _no_grad, "({x} <= {y})", dtype=bool_dtype)
logical_and = _binary("logical_and", np.logical_and, _no_grad, "({x} and {y})",
                      dtype=bool_dtype)
logical_or = _binary("logical_or", np.logical_or, _no_grad, "({x} or {y})", dtype=bool_dtype)
logical_not = _unary("logical_not", np.logical_not, _no_grad, "(not {x})", dtype=bool_dtype)

neg = _unary("neg", np.negative, lambda g, z, x: [-g], "(-{x})",
             dtype=_numeric_dtype(same_dtype, "negation"))
exp = _unary("exp", np.exp, lambda g, z, x: [g * z], "np.exp({x})", dtype=float_dtype)
log = _unary("log", np.log, lambda g, z, x: [g / x], "np.log({x})", dtype=float_dtype)
log1p = _unary("log1p", np.log1p, lambda g, z, x: [g / (x + 1)], "np.log1p({x})",
               dtype=float_dtype)
expm1 = _unary("expm1", np.expm1, lambda g, z, x: [g * (z + 1)], "np.expm1({x})",
               dtype=float_dtype)
tanh = _unary("tanh", np.tanh, lambda g, z, x: [g * (1 - z * z)], "np.tanh({x})",
              dtype=float_dtype)
sqrt = _unary("sqrt", np.sqrt, lambda g, z, x: [g / (2 * z)], "np.sqrt({x})",
              dtype=float_dtype)
sin = _unary("sin", np.sin, lambda g, z, x: [g * cos(x)], "np.sin({x})", dtype=float_dtype)
cos = _unary("cos", np.cos, lambda g, z, x: [-g * sin(x)], "np.cos({x})", dtype=float_dtype)
abs_ = _unary("abs", np.abs, lambda g, z, x: [g * sign(x)], "abs({x})")
sign = _unary("sign", np.sign, lambda g, z, x: [None], "np.sign({x})",
              dtype=_numeric_dtype(same_dtype, "sign"))
round_ = _unary("round", np.round, lambda g, z, x: [None], "np.round({x})")
floor = _unary("floor", np.floor, lambda g, z, x: [None], "np.floor({x})")
ceil = _unary("ceil", np.ceil, lambda g, z, x: [None], "np.ceil({x})")


def _erf_reference(x):
    from math import erf
    return np.vectorize(erf, otypes=[x.dtype])(x)


erf = _unary("erf", _erf_reference,
             lambda g, z, x: [g * (2 / np.sqrt(np.pi)) * exp(-(x * x))], "math.erf({x})",
             dtype=float_dtype, doc="Needed by gelu; no composition is accurate enough.")



def _sigmoid_reference(x):
    # exp(-x) overflows to inf for x < -88 in float32; 1 / inf is 0, the right limit.
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


sigmoid = _unary("sigmoid", _sigmoid_reference, lambda g, z, x: [g * z * (1 - z)],
                 "(1.0 / (1.0 + np.exp(-{x})))", dtype=float_dtype,
                 doc="A primitive for stability: composed, its gradient is inf/inf at x < -88.")
identity = _unary("identity", lambda x: x.copy(), lambda g, z, x: [g], "{x}")
stop_gradient = _unary("stop_gradient", lambda x: x.copy(), lambda g, z, x: [None], "{x}",
                       doc="Identity whose gradient is cut (disconnected, hence zero).")


def _cast_vjp(g, z, x):
    if not x.type.is_float or not z.type.is_float:
        return [None]
    return [cast(g, dtype=x.dtype)]


cast = define_op(
    "cast", infer=lambda x, *, dtype: TensorType(dtype, x.shape),
    reference=lambda x, *, dtype: x.astype(dtype), vjp=_cast_vjp,
    scalar="np.{dtype}({x})", elementwise=True)


def _where_vjp(g, z, c, x, y):
    return [None, where(c, g, 0), where(c, 0, g)]


where = define_op(
    "where",
    infer=lambda c, x, y: TensorType(promoted_dtype(x, y), broadcast_shape(c, x, y)),
    reference=np.where, vjp=_where_vjp, scalar="({y} if {x} else {z})",
    elementwise=True, doc="where(c, x, y): x where c is true, else y.")
