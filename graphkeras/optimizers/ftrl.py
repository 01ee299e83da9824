"""FTRL-proximal (tf.keras `Ftrl`), with TensorFlow's update rule."""
from .. import backend as K
from .optimizer import Optimizer, pop_learning_rate


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
        learning_rate = pop_learning_rate(kwargs, learning_rate)
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
