"""Regularization layers that add noise in training, as in Keras 2.2's keras/layers/noise.py.

GaussianNoise, GaussianDropout and AlphaDropout. Each is the identity at inference; the noisy
branch is chosen with `K.in_train_phase`, so the learning phase selects it when the graph runs.
"""
import numpy as np

from .. import backend as K
from ..engine.base_layer import Layer


class _TrainingNoise(Layer):
    """A layer that is the identity at inference and perturbs its input in training."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.seed = seed

    def _noisy(self, inputs):
        raise NotImplementedError(f"{type(self).__name__} must define _noisy")

    def _active(self):
        return True

    def call(self, inputs, training=None):
        if not self._active():
            return inputs
        return K.in_train_phase(lambda: self._noisy(inputs), inputs, training=training)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        if self.seed is not None:
            config["seed"] = self.seed
        return config


class GaussianNoise(_TrainingNoise):
    """Applies additive zero-centered Gaussian noise in training.

    Useful to mitigate overfitting (a form of random data augmentation).

    # Arguments
        stddev: float, standard deviation of the noise distribution.
        seed: integer, the random seed (a tf.keras argument; Keras 2.2 has none).

    # Input shape
        Arbitrary.

    # Output shape
        Same as input.
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.stddev = stddev

    def _noisy(self, inputs):
        noise = K.random_normal(shape=K.shape(inputs), mean=0., stddev=self.stddev,
                                dtype=K.dtype(inputs), seed=self.seed)
        return inputs + noise

    def get_config(self):
        return dict(super().get_config(), stddev=self.stddev)


class GaussianDropout(_TrainingNoise):
    """Applies multiplicative 1-centered Gaussian noise in training.

    The noise has standard deviation `sqrt(rate / (1 - rate))`.

    # Arguments
        rate: float, drop probability (as with `Dropout`).
        seed: integer, the random seed (a tf.keras argument; Keras 2.2 has none).

    # Input shape
        Arbitrary.

    # Output shape
        Same as input.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = rate

    def _active(self):
        return 0 < self.rate < 1

    def _noisy(self, inputs):
        stddev = float(np.sqrt(self.rate / (1.0 - self.rate)))
        noise = K.random_normal(shape=K.shape(inputs), mean=1.0, stddev=stddev,
                                dtype=K.dtype(inputs), seed=self.seed)
        return inputs * noise

    def get_config(self):
        return dict(super().get_config(), rate=self.rate)


# The SELU constants (Klambauer et al., 2017): alpha_p = -alpha * scale is SELU's limit at -inf.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(_TrainingNoise):
    """Applies Alpha Dropout: dropout that keeps the mean and variance of SELU activations.

    Dropped units are set to SELU's negative saturation value, then an affine map restores the
    input's mean and variance.

    # Arguments
        rate: float, drop probability.
        noise_shape: 1D integer tuple, the shape of the binary keep mask (default: the input's).
        seed: integer, the random seed.

    # Input shape
        Arbitrary.

    # Output shape
        Same as input.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = rate
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)

    def _active(self):
        return 0 < self.rate < 1

    def _noisy(self, inputs):
        rate = self.rate
        noise_shape = K.shape(inputs)
        if self.noise_shape:
            noise_shape = [noise_shape[axis] if d is None else d
                           for axis, d in enumerate(self.noise_shape)]
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        kept = K.greater_equal(K.random_uniform(noise_shape, seed=self.seed), rate)
        kept = K.cast(kept, K.dtype(inputs))
        a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * rate
        dropped = inputs * kept + alpha_p * (1 - kept)
        return a * dropped + b

    def get_config(self):
        config = dict(super().get_config(), rate=self.rate, noise_shape=self.noise_shape)
        config["seed"] = self.seed
        return config
