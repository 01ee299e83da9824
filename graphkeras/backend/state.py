"""Variables' values, updates, the learning phase, gradients and `K.function`."""
import numpy as np

from .. import ir
from ..ir.ops import elementwise as E
from ..ir.ops.leaves import LEARNING_PHASE_NAME
from ..runtime.interpreter import ReferenceFunction
from . import common
from .tensor import Tensor, Variable, placeholder, to_node, wrap

_SESSION = {"learning_phase": None, "fixed_phase": None}


def get_value(x):
    """The current value of a variable, as a new array."""
    if not isinstance(x, Variable):
        return eval(x)
    return x.storage.value.copy()


def set_value(x, value):
    """Assign a NumPy value to a variable; the shape must match."""
    array = np.asarray(value, dtype=x.dtype)
    if array.shape != x.storage.value.shape:
        raise ValueError(f"set_value of '{x.name}': expected shape {x.storage.value.shape}, "
                         f"got {array.shape}")
    x.storage.value = array.copy()


def batch_get_value(ops):
    return [get_value(x) for x in ops]


def batch_set_value(tuples):
    for x, value in tuples:
        set_value(x, value)


def eval(x):
    """The value of a tensor that needs no fed inputs."""
    if isinstance(x, Variable):
        return x.storage.value.copy()
    f = ReferenceFunction([], [to_node(x)], learning_phase_default=_phase_value())
    return f([])[0]


def count_params(x):
    return int(np.prod(x.shape))


def update(x, new_x):
    """The update pair `(x, new_x)`: x takes new_x when the function runs."""
    return _update_pair(x, _checked("update", x, new_x, exact=True))


def update_add(x, increment):
    return _update_pair(x, x + _checked("update_add", x, increment))


def update_sub(x, decrement):
    return _update_pair(x, x - _checked("update_sub", x, decrement))


def moving_average_update(x, value, momentum):
    """x <- x * momentum + value * (1 - momentum), as Keras 2's TensorFlow backend (no debias)."""
    value = _checked("moving_average_update", x, value)
    return _update_pair(x, x * momentum + value * (1.0 - momentum))


def _checked(op, x, value, exact=False):
    """value as a tensor, once its static shape fits the variable x (equal, or broadcasting
    to it when not `exact`)."""
    if not isinstance(x, Variable):
        raise TypeError(f"{op}: the target must be a variable, got {x!r}")
    value = _as_tensor(value, x.dtype)
    expected, actual = tuple(x.shape), tuple(value.shape)
    if exact:
        fits = len(actual) == len(expected)
    else:
        fits = len(actual) <= len(expected)
    pairs = zip(reversed(actual), reversed(expected))
    fits = fits and all(a is None or a == e or (a == 1 and not exact) for a, e in pairs)
    if not fits:
        raise ValueError(f"{op} of '{x.name}': the new value has shape {actual}, the variable "
                         f"{expected}")
    return value


def _update_pair(x, new_value):
    """(x, new_value) with new_value in x's dtype."""
    if new_value.dtype != x.dtype:
        new_value = wrap(E.cast(new_value.node, dtype=x.dtype))
    return (x, new_value)


def _as_tensor(v, dtype):
    return v if isinstance(v, Tensor) else wrap(to_node(np.asarray(v, dtype=dtype)))


def learning_phase():
    """The learning phase: a bool placeholder, or the int given to set_learning_phase."""
    if _SESSION["fixed_phase"] is not None:
        return _SESSION["fixed_phase"]
    if _SESSION["learning_phase"] is None:
        _SESSION["learning_phase"] = placeholder(shape=(), dtype="bool", name=LEARNING_PHASE_NAME)
    return _SESSION["learning_phase"]


def set_learning_phase(value):
    if value not in {0, 1}:
        raise ValueError("Expected learning phase to be 0 or 1.")
    _SESSION["fixed_phase"] = int(value)


def _phase_value():
    return _SESSION["fixed_phase"] or 0


def clear_session():
    """Forget the learning phase and restart layer-name numbering."""
    _SESSION["learning_phase"] = None
    _SESSION["fixed_phase"] = None
    common.reset_uids()


def gradients(loss, variables):
    """Symbolic gradients of `loss` w.r.t. each variable (None for integer ones).

    The loss is differentiated in its numerically stable form (passes/stable_forms.py), as
    Theano's optimizer gave Keras 2 on Theano: a cross-entropy of a softmax or sigmoid is
    differentiated through log-softmax / log-sigmoid of the logits, so its gradient is finite
    where the naive chain (through p, its renormalisation and the clip) gives NaN, and it is
    shorter: the MLP's loss kernel went from 11 regions (55 ops) to 9 (40 ops)."""
    from ..passes import stabilize_numerics
    node = stabilize_numerics(ir.Graph([], [to_node(loss)])).outputs[0]
    grads = ir.gradients(node, [to_node(v) for v in variables])
    return [None if g is None else wrap(g) for g in grads]


def stop_gradient(variables):
    if isinstance(variables, (list, tuple)):
        return [wrap(E.stop_gradient(to_node(v))) for v in variables]
    return wrap(E.stop_gradient(to_node(variables)))


def _flatten_updates(updates):
    pairs = []
    for u in updates or []:
        if isinstance(u, (tuple, list)) and len(u) == 2 and isinstance(u[0], Variable):
            pairs.append((u[0].node, to_node(u[1], u[0].dtype)))
        elif isinstance(u, (tuple, list)):
            pairs.extend(_flatten_updates(u))
        else:
            raise TypeError(f"an update must be a (variable, new_value) pair, got {u!r}")
    return pairs


def function(inputs, outputs, updates=None, mode=None, name=None, **kwargs):
    """A callable running the graph: `f(list_of_arrays) -> list_of_arrays`, then the updates.

    mode: "compiled" (the default; passes + Numba) or "reference" (the NumPy executor).
    """
    single = not isinstance(outputs, (list, tuple))
    output_list = [outputs] if single else list(outputs)
    input_nodes = [to_node(i) for i in (inputs or [])]
    for i, node in zip(inputs or [], input_nodes):
        if node.op != "placeholder":
            raise TypeError(f"K.function inputs must be placeholders, got {i!r}")
    output_nodes = [to_node(o) for o in output_list]
    pairs = _flatten_updates(updates)
    mode = mode or _default_mode()
    if mode == "reference":
        f = ReferenceFunction(input_nodes, output_nodes, pairs, name, _phase_value())
    else:
        from ..runtime.compiled import compile_function
        f = compile_function(input_nodes, output_nodes, pairs, name=name,
                             learning_phase_default=_phase_value())
    return _SingleOutput(f) if single else f


def _default_mode():
    from .. import config
    return config.mode()


class _SingleOutput:
    """tf.keras allows a single output; the function then returns an array, not a list."""

    def __init__(self, f):
        self.function = f

    def __call__(self, values):
        return self.function(values)[0]

    def __getattr__(self, name):
        return getattr(self.function, name)


def get_variable_shape(x):
    return tuple(x.storage.value.shape)


_MANUAL_INIT = {"value": False}


def manual_variable_initialization(value):
    """Accepted for Keras 2 scripts; graphkeras variables always hold their initial value."""
    _MANUAL_INIT["value"] = bool(value)


class learning_phase_scope:
    """Context manager fixing the learning phase inside it (tf.keras 2)."""

    def __init__(self, value):
        if value not in {0, 1}:
            raise ValueError("Expected learning phase to be 0 or 1.")
        self.value = value

    def __enter__(self):
        self.previous = _SESSION["fixed_phase"]
        _SESSION["fixed_phase"] = int(self.value)

    def __exit__(self, *exc):
        _SESSION["fixed_phase"] = self.previous
