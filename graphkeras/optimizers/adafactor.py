"""Adafactor (tf.keras 2.11): factored second moments for matrices."""
from .. import backend as K
from .optimizer import Optimizer, pop_learning_rate


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
        learning_rate = pop_learning_rate(kwargs, learning_rate)
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
