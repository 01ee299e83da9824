"""Stochastic gradient descent with momentum, Nesterov momentum and decay."""
from .. import backend as K
from .optimizer import Optimizer, pop_learning_rate


class SGD(Optimizer):
    """Stochastic gradient descent, with momentum, Nesterov momentum and decay.

    # Arguments
        learning_rate (or lr): float >= 0.
        momentum: float >= 0; accelerates SGD in the relevant direction.
        decay: float >= 0; learning rate decay over each update.
        nesterov: whether to apply Nesterov momentum.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, decay=0.0, nesterov=False, **kwargs):
        learning_rate = pop_learning_rate(kwargs, learning_rate)
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
