"""Optimizers that scale each parameter's step by its own gradient history: RMSprop,
Adagrad and Adadelta (Keras 2.2 rules)."""
from .. import backend as K
from .optimizer import Optimizer, pop_learning_rate


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
        learning_rate = pop_learning_rate(kwargs, learning_rate)
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
        learning_rate = pop_learning_rate(kwargs, learning_rate)
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
        learning_rate = pop_learning_rate(kwargs, learning_rate)
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
