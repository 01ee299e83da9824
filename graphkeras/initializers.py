"""Keras 2 weight initializers.

An initializer is called with a shape and an optional dtype and returns a NumPy array, which
`K.variable` takes as the starting value. Draws are made eagerly with NumPy: with a `seed` the
same values come back on every call (as in Keras 2 on TensorFlow); without one they differ.

Both the Keras 2.2 names (`glorot_uniform`, `zeros`, `normal`, ...) and the tf.keras class names
(`GlorotUniform`, `Zeros`, ...) resolve in `get` and `deserialize`.
"""
import numpy as np

from . import backend as K
from .utils.generic_utils import (deserialize_keras_object, get_from_identifier,
                                  serialize_keras_object)

# 0.87962566103423978 is the std of a standard normal truncated to [-2, 2]: dividing by it
# gives the truncated draw the requested variance (Keras 2.2 VarianceScaling 'normal').
_TRUNCATED_STD = 0.87962566103423978


def _dtype(dtype):
    return dtype or K.floatx()


def _generator(seed):
    """A NumPy generator for one draw; seeded draws repeat exactly."""
    if seed is None:
        return np.random
    return np.random.RandomState(seed)


def _truncated_normal(rng, mean, stddev, shape):
    """Normal draws, redrawn until they lie within two standard deviations (as TensorFlow)."""
    out = rng.normal(0.0, 1.0, size=shape)
    outside = np.abs(out) > 2.0
    while outside.any():
        out[outside] = rng.normal(0.0, 1.0, size=int(outside.sum()))
        outside = np.abs(out) > 2.0
    return mean + stddev * out


def _shape(shape):
    try:
        return tuple(int(d) for d in shape)
    except TypeError:
        raise ValueError(f"An initializer needs a fully known shape, got {shape!r}.") from None


class Initializer:
    """Initializer base class: all initializers inherit from it."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(f"{type(self).__name__} must implement __call__")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        # tf.keras >= 2.13 may store a `dtype` key that Keras 2.2 initializers do not take.
        config.pop("dtype", None)
        return cls(**config)


class Zeros(Initializer):
    """Initializer that generates tensors initialized to 0."""

    def __call__(self, shape, dtype=None):
        return np.zeros(_shape(shape), dtype=_dtype(dtype))


class Ones(Initializer):
    """Initializer that generates tensors initialized to 1."""

    def __call__(self, shape, dtype=None):
        return np.ones(_shape(shape), dtype=_dtype(dtype))


class Constant(Initializer):
    """Initializer that generates tensors initialized to a constant value.

    # Arguments
        value: float; the value of the generator tensors.
    """

    def __init__(self, value=0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return np.full(_shape(shape), self.value, dtype=_dtype(dtype))

    def get_config(self):
        return {"value": self.value}


class _SeededRandom(Initializer):
    """A random initializer: each call draws from a generator seeded by `self.seed`."""

    def __call__(self, shape, dtype=None):
        rng = _generator(self.seed)
        return self._draw(rng, _shape(shape)).astype(_dtype(dtype))

    def _draw(self, rng, shape):
        raise NotImplementedError(f"{type(self).__name__} must implement _draw")


class RandomNormal(_SeededRandom):
    """Initializer that generates tensors with a normal distribution.

    # Arguments
        mean: mean of the random values to generate.
        stddev: standard deviation of the random values to generate.
        seed: used to seed the random generator.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        self.seed = seed

    def _draw(self, rng, shape):
        return rng.normal(self.mean, self.stddev, size=shape)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_SeededRandom):
    """Initializer that generates tensors with a uniform distribution.

    # Arguments
        minval: lower bound of the range of random values to generate.
        maxval: upper bound of the range of random values to generate.
        seed: used to seed the random generator.
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        self.seed = seed

    def _draw(self, rng, shape):
        return rng.uniform(self.minval, self.maxval, size=shape)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(RandomNormal):
    """Initializer that generates a truncated normal distribution.

    Values more than two standard deviations from the mean are discarded and re-drawn.

    # Arguments
        mean: mean of the random values to generate.
        stddev: standard deviation of the random values to generate (before truncation).
        seed: used to seed the random generator.
    """

    def _draw(self, rng, shape):
        return _truncated_normal(rng, self.mean, self.stddev, shape)


def _compute_fans(shape, data_format="channels_last"):
    """(fan_in, fan_out) of a weight shape, as Keras 2.2 computes them.

    Dense kernels are (in, out); convolution kernels multiply by the receptive field size.
    """
    if len(shape) == 2:
        return shape[0], shape[1]
    if len(shape) in (3, 4, 5):
        if data_format == "channels_first":
            receptive_field = int(np.prod(shape[2:]))
            return shape[1] * receptive_field, shape[0] * receptive_field
        receptive_field = int(np.prod(shape[:-2]))
        return shape[-2] * receptive_field, shape[-1] * receptive_field
    # Any other rank: Keras 2.2 uses the square root of the number of elements.
    size = np.sqrt(np.prod(shape))
    return size, size


_DISTRIBUTIONS = {"normal", "uniform", "truncated_normal", "untruncated_normal"}


class VarianceScaling(_SeededRandom):
    """Initializer capable of adapting its scale to the shape of weights.

    With `distribution="normal"` (or `"truncated_normal"`) samples come from a normal
    distribution truncated at two standard deviations, with
    `stddev = sqrt(scale / n)` where n is fan_in, fan_out or their average per `mode`;
    `"untruncated_normal"` draws from the plain normal; with `distribution="uniform"` samples
    come from `[-limit, limit]` with `limit = sqrt(3 * scale / n)`.

    # Arguments
        scale: scaling factor (positive float).
        mode: one of "fan_in", "fan_out", "fan_avg".
        distribution: "normal", "truncated_normal", "untruncated_normal" or "uniform".
        seed: used to seed the random generator.

    # Raises
        ValueError: for an invalid `scale`, `mode` or `distribution`.
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="normal", seed=None):
        if scale <= 0.0:
            raise ValueError(f"VarianceScaling: `scale` must be a positive float, got {scale}.")
        mode = mode.lower()
        if mode not in {"fan_in", "fan_out", "fan_avg"}:
            raise ValueError("VarianceScaling: invalid `mode` argument: expected one of "
                             f"'fan_in', 'fan_out', 'fan_avg', got {mode!r}.")
        distribution = distribution.lower()
        if distribution not in _DISTRIBUTIONS:
            raise ValueError("VarianceScaling: invalid `distribution` argument: expected one "
                             f"of {sorted(_DISTRIBUTIONS)}, got {distribution!r}.")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.seed = seed

    def _variance(self, shape):
        fan_in, fan_out = _compute_fans(shape)
        fans = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        return self.scale / max(1.0, float(fans[self.mode]))

    def _draw(self, rng, shape):
        variance = self._variance(shape)
        if self.distribution in ("normal", "truncated_normal"):
            return _truncated_normal(rng, 0.0, np.sqrt(variance) / _TRUNCATED_STD, shape)
        if self.distribution == "untruncated_normal":
            return rng.normal(0.0, np.sqrt(variance), size=shape)
        limit = np.sqrt(3.0 * variance)
        return rng.uniform(-limit, limit, size=shape)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


class Orthogonal(_SeededRandom):
    """Initializer that generates a random orthogonal matrix.

    A matrix of shape (prod(shape[:-1]), shape[-1]) is drawn from a standard normal and
    replaced by the orthogonal factor of its SVD, then reshaped.

    # Arguments
        gain: multiplicative factor applied to the orthogonal matrix.
        seed: used to seed the random generator.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        self.seed = seed

    def _draw(self, rng, shape):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal initializer needs a shape of rank >= 2, got {shape}.")
        flat_shape = (int(np.prod(shape[:-1])), shape[-1])
        draws = rng.normal(0.0, 1.0, flat_shape)
        u, _, v = np.linalg.svd(draws, full_matrices=False)
        q = u if u.shape == flat_shape else v
        return self.gain * q.reshape(shape)

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """Initializer that generates the identity matrix (2D shapes only).

    Keras 2.2 accepted only square shapes; a rectangular shape gives the rectangular identity,
    as in tf.keras.

    # Arguments
        gain: multiplicative factor applied to the identity matrix.
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError(f"Identity matrix initializer can only be used for 2D matrices, "
                             f"got shape {shape}.")
        return (self.gain * np.eye(shape[0], shape[1])).astype(_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}


class _SeededVarianceScaling(VarianceScaling):
    """A named VarianceScaling preset (tf.keras classes): its config is only the seed."""

    preset = {}

    def __init__(self, seed=None):
        super().__init__(seed=seed, **self.preset)

    def get_config(self):
        return {"seed": self.seed}


class GlorotUniform(_SeededVarianceScaling):
    """Glorot uniform: uniform in [-limit, limit], `limit = sqrt(6 / (fan_in + fan_out))`."""
    preset = {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform"}


class GlorotNormal(_SeededVarianceScaling):
    """Glorot normal: truncated normal with `stddev = sqrt(2 / (fan_in + fan_out))`."""
    preset = {"scale": 1.0, "mode": "fan_avg", "distribution": "truncated_normal"}


class HeUniform(_SeededVarianceScaling):
    """He uniform: uniform in [-limit, limit], `limit = sqrt(6 / fan_in)`."""
    preset = {"scale": 2.0, "mode": "fan_in", "distribution": "uniform"}


class HeNormal(_SeededVarianceScaling):
    """He normal: truncated normal with `stddev = sqrt(2 / fan_in)`."""
    preset = {"scale": 2.0, "mode": "fan_in", "distribution": "truncated_normal"}


class LecunUniform(_SeededVarianceScaling):
    """LeCun uniform: uniform in [-limit, limit], `limit = sqrt(3 / fan_in)`."""
    preset = {"scale": 1.0, "mode": "fan_in", "distribution": "uniform"}


class LecunNormal(_SeededVarianceScaling):
    """LeCun normal: truncated normal with `stddev = sqrt(1 / fan_in)`."""
    preset = {"scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal"}


def lecun_uniform(seed=None):
    """LeCun uniform initializer (Keras 2.2 function form)."""
    return VarianceScaling(scale=1.0, mode="fan_in", distribution="uniform", seed=seed)


def glorot_normal(seed=None):
    """Glorot normal initializer (Keras 2.2 function form)."""
    return VarianceScaling(scale=1.0, mode="fan_avg", distribution="normal", seed=seed)


def glorot_uniform(seed=None):
    """Glorot uniform initializer (Keras 2.2 function form)."""
    return VarianceScaling(scale=1.0, mode="fan_avg", distribution="uniform", seed=seed)


def he_normal(seed=None):
    """He normal initializer (Keras 2.2 function form)."""
    return VarianceScaling(scale=2.0, mode="fan_in", distribution="normal", seed=seed)


def lecun_normal(seed=None):
    """LeCun normal initializer (Keras 2.2 function form)."""
    return VarianceScaling(scale=1.0, mode="fan_in", distribution="normal", seed=seed)


def he_uniform(seed=None):
    """He uniform initializer (Keras 2.2 function form)."""
    return VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform", seed=seed)


# Keras 2.2's lower-case aliases of the classes.
zero = zeros = Zeros
one = ones = Ones
constant = Constant
uniform = random_uniform = RandomUniform
normal = random_normal = RandomNormal
truncated_normal = TruncatedNormal
identity = Identity
orthogonal = Orthogonal
variance_scaling = VarianceScaling

_CLASSES = (Initializer, Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal,
            VarianceScaling, Orthogonal, Identity, GlorotUniform, GlorotNormal, HeUniform,
            HeNormal, LecunUniform, LecunNormal)
_FUNCTIONS = (lecun_uniform, lecun_normal, glorot_uniform, glorot_normal, he_uniform,
              he_normal)
_ALL = {cls.__name__: cls for cls in _CLASSES}
_ALL.update({fn.__name__: fn for fn in _FUNCTIONS})
_ALL.update({"zero": Zeros, "zeros": Zeros, "one": Ones, "ones": Ones, "constant": Constant,
             "uniform": RandomUniform, "random_uniform": RandomUniform,
             "normal": RandomNormal, "random_normal": RandomNormal,
             "truncated_normal": TruncatedNormal, "identity": Identity,
             "orthogonal": Orthogonal, "variance_scaling": VarianceScaling})


def serialize(initializer):
    """`{'class_name', 'config'}` of an initializer."""
    return serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """The initializer described by a config dict (Keras 2.2 or tf.keras class names)."""
    return deserialize_keras_object(config, module_objects=_ALL, custom_objects=custom_objects,
                                    printable_module_name="initializer")


def get(identifier):
    """A initializer from None, a name, a config dict or a callable.

    # Raises
        ValueError: when `identifier` cannot be interpreted.
    """
    return get_from_identifier(identifier, deserialize, "initializer")
