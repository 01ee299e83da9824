"""The Adam family: Adam (with AMSGrad), Adamax, Nadam (Keras 2.2 rules) and AdamW
(tf.keras 2.11)."""
from .. import backend as K
from .optimizer import Optimizer, pop_learning_rate


def _set_moment_hyperparameters(optimizer, learning_rate, beta_1, beta_2, epsilon):
    """The hyperparameters every optimizer of the Adam family has."""
    optimizer._hyper("lr", learning_rate)
    optimizer._hyper("beta_1", beta_1)
    optimizer._hyper("beta_2", beta_2)
    optimizer.epsilon = K.epsilon() if epsilon is None else epsilon


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
        learning_rate = pop_learning_rate(kwargs, learning_rate)
        super().__init__(**kwargs)
        _set_moment_hyperparameters(self, learning_rate, beta_1, beta_2, epsilon)
        self._hyper("decay", decay)
        self.initial_decay = decay
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
        learning_rate = pop_learning_rate(kwargs, learning_rate)
        super().__init__(**kwargs)
        _set_moment_hyperparameters(self, learning_rate, beta_1, beta_2, epsilon)
        self._hyper("decay", decay)
        self.initial_decay = decay

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
        learning_rate = pop_learning_rate(kwargs, learning_rate)
        schedule_decay = kwargs.pop("decay", schedule_decay)
        super().__init__(**kwargs)
        _set_moment_hyperparameters(self, learning_rate, beta_1, beta_2, epsilon)
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

    keeps_zero_weight_decay = True

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
