"""Keras 2 weight regularizers: L1, L2 and their sum, as penalties added to the loss.

`l1`, `l2`, `l1_l2` are Keras 2.2's constructors; `L1`, `L2`, `L1L2` the tf.keras class names
that fixture configs use (`{"class_name": "L2", "config": {"l2": 0.01}}`).
"""
from . import backend as K
from .utils.generic_utils import (deserialize_keras_object, get_from_identifier,
                                  serialize_keras_object)


class Regularizer:
    """Regularizer base class: `regularizer(weight)` returns a scalar penalty tensor."""

    def __call__(self, x):
        return 0.0

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    """Regularizer for L1 and L2 regularization.

    # Arguments
        l1: float; L1 regularization factor (penalty `l1 * sum(abs(x))`).
        l2: float; L2 regularization factor (penalty `l2 * sum(square(x))`).
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = float(l1)
        self.l2 = float(l2)

    def __call__(self, x):
        regularization = 0.0
        if self.l1:
            regularization += K.sum(self.l1 * K.abs(x))
        if self.l2:
            regularization += K.sum(self.l2 * K.square(x))
        return regularization

    def get_config(self):
        return {"l1": float(self.l1), "l2": float(self.l2)}


class L1(L1L2):
    """L1 regularizer (tf.keras class): penalty `l1 * sum(abs(x))`."""

    def __init__(self, l1=0.01, **kwargs):
        # tf.keras accepts the factor under the legacy name `l` as well.
        super().__init__(l1=kwargs.pop("l", l1))
        if kwargs:
            raise TypeError(f"L1: unexpected arguments {sorted(kwargs)}")

    def get_config(self):
        return {"l1": float(self.l1)}


class L2(L1L2):
    """L2 regularizer (tf.keras class): penalty `l2 * sum(square(x))`."""

    def __init__(self, l2=0.01, **kwargs):
        super().__init__(l2=kwargs.pop("l", l2))
        if kwargs:
            raise TypeError(f"L2: unexpected arguments {sorted(kwargs)}")

    def get_config(self):
        return {"l2": float(self.l2)}


def l1(l=0.01):
    """An L1 regularizer with factor `l` (Keras 2.2)."""
    return L1L2(l1=l)


def l2(l=0.01):
    """An L2 regularizer with factor `l` (Keras 2.2)."""
    return L1L2(l2=l)


def l1_l2(l1=0.01, l2=0.01):
    """An L1 + L2 regularizer (Keras 2.2)."""
    return L1L2(l1=l1, l2=l2)


# A name given as a string means the regularizer with its default factor, as in tf.keras
# (Keras 2.2 returned the constructor itself, which could not be used as a penalty).
_ALL = {"Regularizer": Regularizer, "L1L2": L1L2, "L1": L1, "L2": L2,
        "l1": L1, "l2": L2, "l1_l2": l1_l2}


def serialize(regularizer):
    """`{'class_name', 'config'}` of a regularizer."""
    return serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    """The regularizer described by a config dict."""
    return deserialize_keras_object(config, module_objects=_ALL, custom_objects=custom_objects,
                                    printable_module_name="regularizer")


def get(identifier):
    """A regularizer from None, a name, a config dict or a callable.

    # Raises
        ValueError: when `identifier` cannot be interpreted.
    """
    return get_from_identifier(identifier, deserialize, "regularizer")
