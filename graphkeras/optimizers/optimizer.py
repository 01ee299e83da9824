"""The optimizer base class: clipped gradients, slot variables, state and config.

A subclass declares its hyperparameters with `_hyper` (variables, so callbacks can change
them while training) and writes `get_updates` as a list of update pairs.
"""
import numpy as np

from .. import backend as K

_BASE_ARGUMENTS = {"clipnorm", "clipvalue", "global_clipnorm", "name"}
# Keys tf.keras >= 2.11 writes into optimizer configs for features graphkeras does not have
# (XLA, exponential moving averages of weights); their stored defaults change nothing.
_IGNORED_CONFIG_KEYS = {"jit_compile", "is_legacy_optimizer", "use_ema", "ema_momentum",
                        "ema_overwrite_frequency"}


def pop_learning_rate(kwargs, learning_rate):
    """The learning rate from `learning_rate` or its Keras 2.2 name `lr` (which wins)."""
    return kwargs.pop("lr", learning_rate)


def clip_norm(g, c, n):
    """`g * c / n` when the norm `n` exceeds `c`, else `g` (Keras 2.2's rule)."""
    if c <= 0:
        return g
    return g * (c / K.maximum(n, c))


def _base_name(param):
    """`dense/kernel:0` -> `dense/kernel`: the slot-name stem tf.keras uses."""
    name = getattr(param, "name", None) or "param"
    return name[:-2] if name.endswith(":0") else name


class Optimizer:
    """Abstract optimizer base class.

    # Arguments
        clipnorm: float >= 0; gradients are scaled so that their global L2 norm is at most
            this value (Keras 2.2).
        global_clipnorm: tf.keras name for the same global-norm clipping.
        clipvalue: float >= 0; gradients are clipped elementwise to [-clipvalue, clipvalue].
        name: the prefix of the optimizer's variable names (default: the class name).
    """

    # Whether a stored `weight_decay: 0` is a real setting (AdamW) rather than "unused".
    keeps_zero_weight_decay = False

    def __init__(self, **kwargs):
        for key in kwargs:
            if key not in _BASE_ARGUMENTS:
                raise TypeError(f"Unexpected keyword argument passed to optimizer "
                                f"{type(self).__name__}: {key}")
        self.name = kwargs.pop("name", None) or type(self).__name__
        self.clipnorm = kwargs.get("clipnorm")
        self.global_clipnorm = kwargs.get("global_clipnorm")
        self.clipvalue = kwargs.get("clipvalue")
        self.updates = []
        self.weights = []
        self._slots = {}
        self._param_count = 0
        with K.name_scope(self.name):
            self.iterations = K.variable(0, dtype="int64", name="iter")

    # -- hyperparameters ---------------------------------------------------------------

    def _hyper(self, name, value):
        """A hyperparameter held in a variable, so callbacks can change it while training."""
        with K.name_scope(self.name):
            variable = K.variable(value, name=name)
        setattr(self, name, variable)

    @property
    def learning_rate(self):
        """The learning-rate variable (Keras 2.2 calls it `lr`)."""
        return self.lr

    @learning_rate.setter
    def learning_rate(self, value):
        if K.is_variable(value):
            self.lr = value
        else:
            K.set_value(self.lr, value)

    def _decayed_lr(self):
        """`lr / (1 + decay * iterations)` when `decay` was given, else `lr` (Keras 2.2)."""
        if self.initial_decay > 0:
            steps = K.cast(self.iterations, K.dtype(self.decay))
            return self.lr * (1.0 / (1.0 + self.decay * steps))
        return self.lr

    def _step(self):
        """The number of the step being taken (1 for the first batch), as a float tensor."""
        return K.cast(self.iterations, K.floatx()) + 1.0

    # -- gradients and slots ---------------------------------------------------------------

    def get_gradients(self, loss, params):
        """Gradients of `loss` with respect to `params`, clipped as configured.

        # Raises
            ValueError: when a parameter is not connected to the loss through
                differentiable ops.
        """
        grads = K.gradients(loss, params)
        for param, grad in zip(params, grads):
            if grad is None:
                raise ValueError(f"{self.name}: the gradient of the loss with respect to "
                                 f"'{_base_name(param)}' is None: an operation on the path "
                                 "from it to the loss has no gradient (e.g. K.argmax, "
                                 "K.round, K.eval).")
        limit = self.clipnorm or self.global_clipnorm
        if limit and limit > 0:
            norm = K.sqrt(sum(K.sum(K.square(g)) for g in grads))
            grads = [clip_norm(g, limit, norm) for g in grads]
        if self.clipvalue and self.clipvalue > 0:
            grads = [K.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def _add_slots(self, kind, params, value=0.0, shape_of=None):
        """One zero-initialised (or `value`) variable per parameter, named as tf.keras does."""
        slots = []
        for param in params:
            shape = K.int_shape(param) if shape_of is None else shape_of(param)
            array = np.full(shape, value, dtype=K.dtype(param))
            with K.name_scope(self.name):
                slots.append(K.variable(array, dtype=K.dtype(param),
                                        name=f"{_base_name(param)}/{kind}"))
        self._slots[kind] = slots
        self.weights.extend(slots)
        return slots

    def _start(self, params, slot_kinds=()):
        """Reset the state lists and count this step; returns the slots of each kind."""
        self.weights = [self.iterations]
        self._slots = {}
        self._param_count = len(params)
        self.updates = [K.update_add(self.iterations, 1)]
        return [self._add_slots(kind, params) for kind in slot_kinds]

    @staticmethod
    def _constrained(param, new_param):
        constraint = getattr(param, "constraint", None)
        if constraint is not None:
            return constraint(new_param)
        return new_param

    def _update_param(self, param, new_param):
        self.updates.append(K.update(param, self._constrained(param, new_param)))

    def get_updates(self, loss, params):
        """The list of update pairs that takes one optimization step on `params`."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_updates")

    # -- state -------------------------------------------------------------------------

    def _keras22_layouts(self):
        """Keras 2.2's `optimizer.weights` lists, as slot kinds; None marks a slot it stored
        that this optimizer does not have (its value is skipped when restoring)."""
        return []

    def _layout(self, kinds):
        count = self._param_count
        layout = []
        for kind in kinds:
            if kind == "iterations":
                layout.append(self.iterations)
            elif kind in self._slots:
                layout.extend(self._slots[kind])
            else:
                layout.extend([None] * count)
        return layout

    def get_weights(self):
        """The current values of `optimizer.weights` as NumPy arrays."""
        return K.batch_get_value(self.weights)

    def set_weights(self, weights):
        """Set the optimizer state from a list of arrays.

        The list may be in this optimizer's order (tf.keras's HDF5 order) or in Keras 2.2's
        order for the same optimizer (e.g. RMSprop without the iteration count). Call it
        after `get_updates` has created the slots.

        # Raises
            ValueError: when the number or the shapes of the arrays match neither order.
        """
        layouts = [self.weights] + [self._layout(kinds) for kinds in self._keras22_layouts()]
        for layout in layouts:
            if self._fits(layout, weights):
                pairs = [(v, w) for v, w in zip(layout, weights) if v is not None]
                K.batch_set_value(pairs)
                return
        expected = [tuple(K.int_shape(v)) for v in self.weights]
        given = [tuple(np.shape(w)) for w in weights]
        raise ValueError(f"{self.name}.set_weights: the specified weight list has "
                         f"{len(weights)} arrays of shapes {given}, but the optimizer's "
                         f"weights are {len(expected)} of shapes {expected}. Build the "
                         "optimizer state first (get_updates / the train function).")

    @staticmethod
    def _fits(layout, weights):
        if len(layout) != len(weights):
            return False
        return all(v is None or tuple(K.int_shape(v)) == tuple(np.shape(w))
                   for v, w in zip(layout, weights))

    # -- config ------------------------------------------------------------------------

    def _clip_config(self):
        config = {}
        for key in ("clipnorm", "global_clipnorm", "clipvalue"):
            if getattr(self, key) is not None:
                config[key] = getattr(self, key)
        return config

    def _config(self, **values):
        """`name`, the given hyperparameters (variables read as floats), and clipping."""
        config = {"name": self.name}
        for key, value in values.items():
            if K.is_tensor(value):
                value = float(K.get_value(value))
            config[key] = value
        config.update(self._clip_config())
        return config

    def get_config(self):
        return self._config()

    @classmethod
    def from_config(cls, config):
        """Build from `get_config()` output, Keras 2.2's or tf.keras's.

        # Raises
            ValueError: for a learning-rate schedule (a dict), which graphkeras lacks.
        """
        config = {k: v for k, v in config.items() if k not in _IGNORED_CONFIG_KEYS}
        for key in ("weight_decay", "clipnorm", "global_clipnorm", "clipvalue"):
            # tf.keras >= 2.11 writes these as None (or weight_decay 0) when unused.
            if key in config and not config[key] and not (
                    key == "weight_decay" and cls.keeps_zero_weight_decay):
                del config[key]
        rate = config.get("learning_rate", config.get("lr"))
        if isinstance(rate, dict):
            raise ValueError(f"{cls.__name__}.from_config: learning-rate schedules "
                             f"({rate.get('class_name')}) are not supported; use a float "
                             "and the LearningRateScheduler callback.")
        return cls(**config)
