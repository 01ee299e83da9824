"""Keras 2 weight constraints: projections applied to a weight after each optimizer update.

`max_norm`, `non_neg`, `unit_norm`, `min_max_norm` are Keras 2.2's names; `MaxNorm`, `NonNeg`,
`UnitNorm`, `MinMaxNorm` the class names both Keras 2.2 and tf.keras configs use.
"""
from . import backend as K
from .utils.generic_utils import (deserialize_keras_object, get_from_identifier,
                                  serialize_keras_object)


class Constraint:
    """Constraint base class: `constraint(w)` returns the projected weight tensor."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _norms(w, axis):
    return K.sqrt(K.sum(K.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """MaxNorm weight constraint: the norm of each incoming weight vector is at most `max_value`.

    # Arguments
        max_value: the maximum norm for the incoming weights.
        axis: the axis along which to compute the norms (0 for a Dense kernel
            `(input_dim, output_dim)`; `[0, 1, 2]` for a channels_last Conv2D kernel).
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = K.clip(norms, 0, self.max_value)
        return w * (desired / (K.epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Constrains the weights to be non-negative (negative entries become 0)."""

    def __call__(self, w):
        return w * K.cast(K.greater_equal(w, 0.0), K.floatx())


class UnitNorm(Constraint):
    """Constrains the weights incident to each hidden unit to have unit norm.

    # Arguments
        axis: the axis along which to compute the norms.
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return w / (K.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Keeps the norm of the incoming weights between `min_value` and `max_value`.

    # Arguments
        min_value: the minimum norm for the incoming weights.
        max_value: the maximum norm for the incoming weights.
        rate: rate for enforcing the constraint; 1.0 rescales at once, smaller values move
            the norm part of the way: `(1 - rate) * norm + rate * clip(norm, min, max)`.
        axis: the axis along which to compute the norms.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = (self.rate * K.clip(norms, self.min_value, self.max_value)
                   + (1 - self.rate) * norms)
        return w * (desired / (K.epsilon() + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


# Keras 2.2's lower-case aliases.
max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm
maxnorm = MaxNorm
nonneg = NonNeg
unitnorm = UnitNorm

_ALL = {"Constraint": Constraint, "MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm,
        "MinMaxNorm": MinMaxNorm, "max_norm": MaxNorm, "non_neg": NonNeg,
        "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm, "maxnorm": MaxNorm,
        "nonneg": NonNeg, "unitnorm": UnitNorm}


def serialize(constraint):
    """`{'class_name', 'config'}` of a constraint."""
    return serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    """The constraint described by a config dict."""
    return deserialize_keras_object(config, module_objects=_ALL, custom_objects=custom_objects,
                                    printable_module_name="constraint")


def get(identifier):
    """A constraint from None, a name, a config dict or a callable.

    # Raises
        ValueError: when `identifier` cannot be interpreted.
    """
    return get_from_identifier(identifier, deserialize, "constraint")
