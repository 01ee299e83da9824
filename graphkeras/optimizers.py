"""Keras 2 optimizers: update rules written as backend update pairs.

`optimizer.get_updates(loss, params)` takes the gradients with `K.gradients`, clips them, and
returns a list of `(variable, new_value)` pairs that the training function runs after each
batch. Every pair reads the values from before the batch, as Keras 2.2's graph did.

Rules are Keras 2.2's (identical, within float32 rounding, to tf.keras's `optimizers.legacy`),
plus the later tf.keras optimizers AdamW, Adafactor and Ftrl. Arguments take both spellings,
`lr` (Keras 2.2) and `learning_rate` (tf.keras). `clipnorm` and `global_clipnorm` both clip
the global norm of all gradients together (Keras 2.2's meaning of `clipnorm`).

State: `optimizer.weights` is `[iterations]` followed by the slots grouped by kind, each kind in
parameter order (Adam: every `m`, then every `v`), the order tf.keras writes to
`optimizer_weights` in HDF5 files. `set_weights` also accepts Keras 2.2's lists.
"""
import numpy as np

from . import backend as K
from .utils.generic_utils import deserialize_keras_object, serialize_keras_object

_BASE_ARGUMENTS = {"clipnorm", "clipvalue", "global_clipnorm", "name"}
# Keys tf.keras >= 2.11 writes into optimizer configs for features graphkeras does not have
# (XLA, exponential moving averages of weights); their stored defaults change nothing.
_IGNORED_CONFIG_KEYS = {"jit_compile", "is_legacy_optimizer", "use_ema", "ema_momentum",
                        "ema_overwrite_frequency"}


def _pop_learning_rate(kwargs, learning_rate):
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
                    key == "weight_decay" and cls is AdamW):
                del config[key]
        rate = config.get("learning_rate", config.get("lr"))
        if isinstance(rate, dict):
            raise ValueError(f"{cls.__name__}.from_config: learning-rate schedules "
                             f"({rate.get('class_name')}) are not supported; use a float "
                             "and the LearningRateScheduler callback.")
        return cls(**config)


class SGD(Optimizer):
    """Stochastic gradient descent, with momentum, Nesterov momentum and decay.

    # Arguments
        learning_rate (or lr): float >= 0.
        momentum: float >= 0; accelerates SGD in the relevant direction.
        decay: float >= 0; learning rate decay over each update.
        nesterov: whether to apply Nesterov momentum.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, decay=0.0, nesterov=False, **kwargs):
        learning_rate = _pop_learning_rate(kwargs, learning_rate)
        super().__init__(**kwargs)
        self._hyper("lr", learning_rate)
        self._hyper("momentum", momentum)
        self._hyper("decay", decay)
        self.initial_decay = decay
        self.nesterov = nesterov

    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        lr = self._decayed_lr()
        use_momentum = float(K.get_value(self.momentum)) != 0.0
        self._start(params)
        if not use_momentum:
            for param, grad in zip(params, grads):
                self._update_param(param, param - lr * grad)
            return self.updates
        moments = self._add_slots("momentum", params)
        for param, grad, moment in zip(params, grads, moments):
            velocity = self.momentum * moment - lr * grad
            self.updates.append(K.update(moment, velocity))
            if self.nesterov:
                new_param = param + self.momentum * velocity - lr * grad
            else:
                new_param = param + velocity
            self._update_param(param, new_param)
        return self.updates

    def _keras22_layouts(self):
        return [["iterations", "momentum"]]

    def get_config(self):
        return self._config(learning_rate=self.lr, decay=self.decay, momentum=self.momentum,
                            nesterov=self.nesterov)


class RMSprop(Optimizer):
    """RMSProp optimizer: divide the gradient by a running root mean square.

    # Arguments
        learning_rate (or lr): float >= 0.
        rho: float >= 0; decay of the running mean of squared gradients.
        epsilon: fuzz factor (default `K.epsilon()`).
        decay: float >= 0; learning rate decay over each update.
        momentum, centered: tf.keras additions with tf.keras's rules (momentum > 0 puts
            epsilon inside the square root, as TensorFlow's kernel does).
    """

    def __init__(self, learning_rate=0.001, rho=0.9, epsilon=None, decay=0.0, momentum=0.0,
                 centered=False, **kwargs):
        learning_rate = _pop_learning_rate(kwargs, learning_rate)
        super().__init__(**kwargs)
        self._hyper("lr", learning_rate)
        self._hyper("rho", rho)
        self._hyper("decay", decay)
        self.initial_decay = decay
        self.epsilon = K.epsilon() if epsilon is None else epsilon
        self.momentum = momentum
        self.centered = centered

    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        lr = self._decayed_lr()
        (accumulators,) = self._start(params, ["rms"])
        moments = self._add_slots("momentum", params) if self.momentum > 0 else None
        mean_grads = self._add_slots("mg", params) if self.centered else None
        for i, (param, grad) in enumerate(zip(params, grads)):
            new_rms = self.rho * accumulators[i] + (1.0 - self.rho) * K.square(grad)
            self.updates.append(K.update(accumulators[i], new_rms))
            denominator = new_rms
            if self.centered:
                new_mg = self.rho * mean_grads[i] + (1.0 - self.rho) * grad
                self.updates.append(K.update(mean_grads[i], new_mg))
                denominator = new_rms - K.square(new_mg)
            if moments is None:
                new_param = param - lr * grad / (K.sqrt(denominator) + self.epsilon)
            else:
                velocity = (self.momentum * moments[i]
                            + lr * grad / K.sqrt(denominator + self.epsilon))
                self.updates.append(K.update(moments[i], velocity))
                new_param = param - velocity
            self._update_param(param, new_param)
        return self.updates

    def _keras22_layouts(self):
        return [["rms"]]

    def get_config(self):
        return self._config(learning_rate=self.lr, decay=self.decay, rho=self.rho,
                            momentum=self.momentum, epsilon=self.epsilon,
                            centered=self.centered)


class Adagrad(Optimizer):
    """Adagrad optimizer: per-parameter rates scaled by the accumulated squared gradients.

    # Arguments
        learning_rate (or lr): float >= 0.
        epsilon: fuzz factor (default `K.epsilon()`).
        decay: float >= 0; learning rate decay over each update.
        initial_accumulator_value: starting value of the accumulators (tf.keras; Keras 2.2
            always started at 0, which is the default here).
    """

    def __init__(self, learning_rate=0.01, epsilon=None, decay=0.0,
                 initial_accumulator_value=0.0, **kwargs):
        learning_rate = _pop_learning_rate(kwargs, learning_rate)
        super().__init__(**kwargs)
        self._hyper("lr", learning_rate)
        self._hyper("decay", decay)
        self.initial_decay = decay
        self.epsilon = K.epsilon() if epsilon is None else epsilon
        self.initial_accumulator_value = initial_accumulator_value

    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        lr = self._decayed_lr()
        self._start(params)
        accumulators = self._add_slots("accumulator", params,
                                       value=self.initial_accumulator_value)
        for param, grad, accumulator in zip(params, grads, accumulators):
            new_accumulator = accumulator + K.square(grad)
            self.updates.append(K.update(accumulator, new_accumulator))
            new_param = param - lr * grad / (K.sqrt(new_accumulator) + self.epsilon)
            self._update_param(param, new_param)
        return self.updates

    def _keras22_layouts(self):
        return [["accumulator"]]

    def get_config(self):
        return self._config(learning_rate=self.lr, decay=self.decay,
                            initial_accumulator_value=self.initial_accumulator_value,
                            epsilon=self.epsilon)


class Adadelta(Optimizer):
    """Adadelta optimizer: steps scaled by running averages of gradients and of updates.

    # Arguments
        learning_rate (or lr): float >= 0; 1.0 is the original rule.
        rho: float >= 0; decay of both running averages.
        epsilon: fuzz factor (default `K.epsilon()`).
        decay: float >= 0; learning rate decay over each update.
    """

    def __init__(self, learning_rate=1.0, rho=0.95, epsilon=None, decay=0.0, **kwargs):
        learning_rate = _pop_learning_rate(kwargs, learning_rate)
        super().__init__(**kwargs)
        self._hyper("lr", learning_rate)
        self._hyper("decay", decay)
        self.initial_decay = decay
        self.rho = rho
        self.epsilon = K.epsilon() if epsilon is None else epsilon

    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        lr = self._decayed_lr()
        accumulators, delta_accumulators = self._start(params, ["accum_grad", "accum_var"])
        for param, grad, accumulator, delta_accumulator in zip(
                params, grads, accumulators, delta_accumulators):
            new_accumulator = self.rho * accumulator + (1.0 - self.rho) * K.square(grad)
            self.updates.append(K.update(accumulator, new_accumulator))
            step = (grad * K.sqrt(delta_accumulator + self.epsilon)
                    / K.sqrt(new_accumulator + self.epsilon))
            self._update_param(param, param - lr * step)
            new_delta = self.rho * delta_accumulator + (1.0 - self.rho) * K.square(step)
            self.updates.append(K.update(delta_accumulator, new_delta))
        return self.updates

    def _keras22_layouts(self):
        return [["accum_grad", "accum_var"]]

    def get_config(self):
        return self._config(learning_rate=self.lr, decay=self.decay, rho=self.rho,
                            epsilon=self.epsilon)


class Adam(Optimizer):
    """Adam optimizer, with the AMSGrad variant.

    # Arguments
        learning_rate (or lr): float >= 0.
        beta_1, beta_2: floats in (0, 1); decay of the first and second moment estimates.
        epsilon: fuzz factor (default `K.epsilon()`).
        decay: float >= 0; learning rate decay over each update.
        amsgrad: whether to use the maximum of past second moments (AMSGrad).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0.0,
                 amsgrad=False, **kwargs):
        learning_rate = _pop_learning_rate(kwargs, learning_rate)
        super().__init__(**kwargs)
        self._hyper("lr", learning_rate)
        self._hyper("beta_1", beta_1)
        self._hyper("beta_2", beta_2)
        self._hyper("decay", decay)
        self.initial_decay = decay
        self.epsilon = K.epsilon() if epsilon is None else epsilon
        self.amsgrad = amsgrad

    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        t = self._step()
        lr = self._decayed_lr()
        lr_t = lr * (K.sqrt(1.0 - K.pow(self.beta_2, t)) / (1.0 - K.pow(self.beta_1, t)))
        kinds = ["m", "v", "vhat"] if self.amsgrad else ["m", "v"]
        slots = self._start(params, kinds)
        for i, (param, grad) in enumerate(zip(params, grads)):
            m_t = self.beta_1 * slots[0][i] + (1.0 - self.beta_1) * grad
            v_t = self.beta_2 * slots[1][i] + (1.0 - self.beta_2) * K.square(grad)
            self.updates.append(K.update(slots[0][i], m_t))
            self.updates.append(K.update(slots[1][i], v_t))
            if self.amsgrad:
                vhat_t = K.maximum(slots[2][i], v_t)
                self.updates.append(K.update(slots[2][i], vhat_t))
                v_t = vhat_t
            self._update_param(param, param - lr_t * m_t / (K.sqrt(v_t) + self.epsilon))
        return self.updates

    def _keras22_layouts(self):
        # Keras 2.2 stored a (1,)-shaped vhat per parameter even without amsgrad.
        return [["iterations", "m", "v", "vhat"]]

    def get_config(self):
        return self._config(learning_rate=self.lr, decay=self.decay, beta_1=self.beta_1,
                            beta_2=self.beta_2, epsilon=self.epsilon, amsgrad=self.amsgrad)


class Adamax(Optimizer):
    """Adamax optimizer: Adam with the infinity norm in place of the second moment.

    # Arguments
        learning_rate (or lr): float >= 0.
        beta_1, beta_2: floats in (0, 1).
        epsilon: fuzz factor (default `K.epsilon()`).
        decay: float >= 0; learning rate decay over each update.
    """

    def __init__(self, learning_rate=0.002, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0.0,
                 **kwargs):
        learning_rate = _pop_learning_rate(kwargs, learning_rate)
        super().__init__(**kwargs)
        self._hyper("lr", learning_rate)
        self._hyper("beta_1", beta_1)
        self._hyper("beta_2", beta_2)
        self._hyper("decay", decay)
        self.initial_decay = decay
        self.epsilon = K.epsilon() if epsilon is None else epsilon

    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        t = self._step()
        lr_t = self._decayed_lr() / (1.0 - K.pow(self.beta_1, t))
        moments, norms = self._start(params, ["m", "v"])
        for param, grad, m, u in zip(params, grads, moments, norms):
            m_t = self.beta_1 * m + (1.0 - self.beta_1) * grad
            u_t = K.maximum(self.beta_2 * u, K.abs(grad))
            self.updates.append(K.update(m, m_t))
            self.updates.append(K.update(u, u_t))
            self._update_param(param, param - lr_t * m_t / (u_t + self.epsilon))
        return self.updates

    def _keras22_layouts(self):
        return [["iterations", "m", "v"]]

    def get_config(self):
        return self._config(learning_rate=self.lr, decay=self.decay, beta_1=self.beta_1,
                            beta_2=self.beta_2, epsilon=self.epsilon)


class Nadam(Optimizer):
    """Nesterov Adam optimizer.

    # Arguments
        learning_rate (or lr): float >= 0.
        beta_1, beta_2: floats in (0, 1).
        epsilon: fuzz factor (default `K.epsilon()`).
        schedule_decay: decay of the momentum schedule. tf.keras stores it as `decay`, so
            `decay` is read as `schedule_decay` here too (Nadam has no learning-rate decay).
    """

    def __init__(self, learning_rate=0.002, beta_1=0.9, beta_2=0.999, epsilon=None,
                 schedule_decay=0.004, **kwargs):
        learning_rate = _pop_learning_rate(kwargs, learning_rate)
        schedule_decay = kwargs.pop("decay", schedule_decay)
        super().__init__(**kwargs)
        self._hyper("lr", learning_rate)
        self._hyper("beta_1", beta_1)
        self._hyper("beta_2", beta_2)
        self.epsilon = K.epsilon() if epsilon is None else epsilon
        self.schedule_decay = schedule_decay
        with K.name_scope(self.name):
            self.m_schedule = K.variable(1.0, name="momentum_cache")

    def _momentum_cache(self, t):
        return self.beta_1 * (1.0 - 0.5 * K.pow(K.cast_to_floatx(0.96), t * self.schedule_decay))

    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        t = self._step()
        momentum_cache_t = self._momentum_cache(t)
        momentum_cache_t_1 = self._momentum_cache(t + 1.0)
        m_schedule_new = self.m_schedule * momentum_cache_t
        m_schedule_next = self.m_schedule * momentum_cache_t * momentum_cache_t_1
        self._start(params)
        self.weights.append(self.m_schedule)
        self.updates.append(K.update(self.m_schedule, m_schedule_new))
        moments = self._add_slots("m", params)
        velocities = self._add_slots("v", params)
        for param, grad, m, v in zip(params, grads, moments, velocities):
            g_prime = grad / (1.0 - m_schedule_new)
            m_t = self.beta_1 * m + (1.0 - self.beta_1) * grad
            m_t_prime = m_t / (1.0 - m_schedule_next)
            v_t = self.beta_2 * v + (1.0 - self.beta_2) * K.square(grad)
            v_t_prime = v_t / (1.0 - K.pow(self.beta_2, t))
            m_t_bar = (1.0 - momentum_cache_t) * g_prime + momentum_cache_t_1 * m_t_prime
            self.updates.append(K.update(m, m_t))
            self.updates.append(K.update(v, v_t))
            new_param = param - self.lr * m_t_bar / (K.sqrt(v_t_prime) + self.epsilon)
            self._update_param(param, new_param)
        return self.updates

    def _keras22_layouts(self):
        # Keras 2.2 did not save the momentum schedule; it keeps its current value.
        return [["iterations", "m", "v"]]

    def get_config(self):
        return self._config(learning_rate=self.lr, beta_1=self.beta_1, beta_2=self.beta_2,
                            epsilon=self.epsilon, schedule_decay=self.schedule_decay)


class AdamW(Adam):
    """Adam with decoupled weight decay (tf.keras 2.11 `AdamW`).

    Each step first shrinks every parameter by `learning_rate * weight_decay * param`, then
    takes the Adam step.

    # Arguments
        learning_rate (or lr): float >= 0.
        weight_decay: float >= 0; the decoupled decay rate.
        beta_1, beta_2, epsilon, amsgrad: as in `Adam`.
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, **kwargs)
        self.weight_decay = weight_decay

    def _update_param(self, param, new_param):
        # The decay uses the parameter before the Adam step: p - lr*wd*p - adam_step.
        decayed = new_param - self.lr * self.weight_decay * param
        super()._update_param(param, decayed)

    def get_config(self):
        config = super().get_config()
        config.pop("decay")
        config["weight_decay"] = self.weight_decay
        return config


class Ftrl(Optimizer):
    """FTRL-proximal optimizer (tf.keras `Ftrl`), with TensorFlow's update rule.

    # Arguments
        learning_rate (or lr): float >= 0.
        learning_rate_power: float <= 0; how the rate shrinks as the accumulator grows.
        initial_accumulator_value: starting value of the accumulators (> 0).
        l1_regularization_strength, l2_regularization_strength: float >= 0.
        l2_shrinkage_regularization_strength: float >= 0; L2 penalty applied in the gradient.
        beta: float; added to the L2 strength as `beta / (2 * learning_rate)`.
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, **kwargs):
        learning_rate = _pop_learning_rate(kwargs, learning_rate)
        super().__init__(**kwargs)
        if initial_accumulator_value < 0.0:
            raise ValueError(f"Ftrl: initial_accumulator_value must be >= 0, got "
                             f"{initial_accumulator_value}.")
        if learning_rate_power > 0.0:
            raise ValueError(f"Ftrl: learning_rate_power must be <= 0, got "
                             f"{learning_rate_power}.")
        self._hyper("lr", learning_rate)
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        lr = self.lr
        l1 = self.l1_regularization_strength
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        power = -self.learning_rate_power
        self._start(params)
        accumulators = self._add_slots("accumulator", params,
                                       value=self.initial_accumulator_value)
        linears = self._add_slots("linear", params)
        for param, grad, accumulator, linear in zip(params, grads, accumulators, linears):
            shrunk_grad = grad + 2.0 * self.l2_shrinkage_regularization_strength * param
            new_accumulator = accumulator + K.square(grad)
            sigma = (K.pow(new_accumulator, power) - K.pow(accumulator, power)) / lr
            new_linear = linear + shrunk_grad - sigma * param
            quadratic = K.pow(new_accumulator, power) / lr + 2.0 * l2
            shrunk = (K.sign(new_linear) * l1 - new_linear) / quadratic
            new_param = K.switch(K.greater(K.abs(new_linear), l1), shrunk,
                                 K.zeros_like(param))
            self.updates.append(K.update(accumulator, new_accumulator))
            self.updates.append(K.update(linear, new_linear))
            self._update_param(param, new_param)
        return self.updates

    def get_config(self):
        return self._config(
            learning_rate=self.lr, learning_rate_power=self.learning_rate_power,
            initial_accumulator_value=self.initial_accumulator_value,
            l1_regularization_strength=self.l1_regularization_strength,
            l2_regularization_strength=self.l2_regularization_strength,
            l2_shrinkage_regularization_strength=self.l2_shrinkage_regularization_strength,
            beta=self.beta)


def _rms(x):
    return K.sqrt(K.mean(K.square(x)))


class Adafactor(Optimizer):
    """Adafactor optimizer (tf.keras 2.11): factored second moments for matrices.

    For a parameter of rank >= 2 the second moment is kept as a row vector `r` and a column
    vector `c` (their outer product estimates it); lower ranks keep the full `v`.

    # Arguments
        learning_rate (or lr): float >= 0.
        beta_2_decay: float; the second-moment decay is `1 - step ** beta_2_decay`.
        epsilon_1: added to the squared gradients.
        epsilon_2: the smallest parameter scale.
        clip_threshold: the RMS above which an update is scaled down.
        relative_step: cap the learning rate at `1 / sqrt(step)`.
    """

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30,
                 epsilon_2=1e-3, clip_threshold=1.0, relative_step=True, **kwargs):
        learning_rate = _pop_learning_rate(kwargs, learning_rate)
        super().__init__(**kwargs)
        self._hyper("lr", learning_rate)
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    @staticmethod
    def _row_shape(param):
        shape = K.int_shape(param)
        return shape[:-1] if len(shape) >= 2 else ()

    @staticmethod
    def _column_shape(param):
        shape = K.int_shape(param)
        return shape[:-2] + shape[-1:] if len(shape) >= 2 else ()

    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        t = self._step()
        inverse_sqrt_step = 1.0 / K.sqrt(t)
        lr = K.minimum(self.lr, inverse_sqrt_step) if self.relative_step else self.lr
        rho_t = K.minimum(lr, inverse_sqrt_step)
        beta_2_t = 1.0 - K.pow(t, self.beta_2_decay)
        self._start(params)
        rows = self._add_slots("r", params, shape_of=self._row_shape)
        columns = self._add_slots("c", params, shape_of=self._column_shape)
        seconds = self._add_slots("v", params)
        for param, grad, r, c, v in zip(params, grads, rows, columns, seconds):
            alpha_t = K.maximum(self.epsilon_2, _rms(param)) * rho_t
            squared = K.square(grad) + self.epsilon_1
            if K.ndim(param) >= 2:
                r_t = beta_2_t * r + (1.0 - beta_2_t) * K.mean(squared, axis=-1)
                c_t = beta_2_t * c + (1.0 - beta_2_t) * K.mean(squared, axis=-2)
                row_share = r_t / K.mean(r_t, axis=-1, keepdims=True)
                v_t = K.expand_dims(row_share, -1) * K.expand_dims(c_t, -2)
                self.updates.append(K.update(r, r_t))
                self.updates.append(K.update(c, c_t))
            else:
                v_t = beta_2_t * v + (1.0 - beta_2_t) * squared
            self.updates.append(K.update(v, v_t))
            u_t = grad / K.sqrt(v_t)
            u_t_hat = u_t / K.maximum(1.0, _rms(u_t) / self.clip_threshold)
            self._update_param(param, param - alpha_t * u_t_hat)
        return self.updates

    def get_config(self):
        return self._config(learning_rate=self.lr, beta_2_decay=self.beta_2_decay,
                            epsilon_1=self.epsilon_1, epsilon_2=self.epsilon_2,
                            clip_threshold=self.clip_threshold,
                            relative_step=self.relative_step)


# Keras 2.2's lower-case aliases.
sgd = SGD
rmsprop = RMSprop
adagrad = Adagrad
adadelta = Adadelta
adam = Adam
adamax = Adamax
nadam = Nadam

_CLASSES = {cls.__name__: cls for cls in (SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax, Nadam,
                                          AdamW, Ftrl, Adafactor)}
_BY_LOWER_NAME = {name.lower(): cls for name, cls in _CLASSES.items()}


def serialize(optimizer):
    """`{'class_name', 'config'}` of an optimizer."""
    return serialize_keras_object(optimizer)


def deserialize(config, custom_objects=None):
    """The optimizer described by `config`; class names match case-insensitively."""
    class_name = config["class_name"]
    if class_name.lower() in _BY_LOWER_NAME and class_name not in (custom_objects or {}):
        config = dict(config, class_name=_BY_LOWER_NAME[class_name.lower()].__name__)
    return deserialize_keras_object(config, module_objects=_CLASSES,
                                    custom_objects=custom_objects,
                                    printable_module_name="optimizer")


def get(identifier):
    """An optimizer from an instance, a name ('adam') or a config dict.

    # Raises
        ValueError: when `identifier` cannot be interpreted.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")
