"""Keras 2 activation functions, plus `get`, `serialize` and `deserialize`.

Each activation is a composition of backend ops, so it gets its gradient and its fusion from
the graph. Names are Keras 2.2's; `gelu` and `swish` are the later tf.keras additions.
"""
import math

from . import backend as K
from .utils.generic_utils import deserialize_keras_object, get_function_from_identifier

# selu's constants: Klambauer et al. 2017, the values Keras 2 uses.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def softmax(x, axis=-1):
    """Softmax activation function.

    # Arguments
        x: input tensor of rank 2 or more.
        axis: the axis along which the softmax normalization is applied.

    # Returns
        The softmax of `x`: positive values summing to 1 along `axis`.

    # Raises
        ValueError: when `x` is 1D.
    """
    if K.ndim(x) == 1:
        raise ValueError(f"softmax cannot be applied to a 1D tensor; got shape "
                         f"{K.int_shape(x)} (expected rank >= 2).")
    return K.softmax(x, axis=axis)


def elu(x, alpha=1.0):
    """Exponential linear unit: `x` if `x > 0`, else `alpha * (exp(x) - 1)`."""
    return K.elu(x, alpha)


def selu(x):
    """Scaled exponential linear unit: `scale * elu(x, alpha)` with Klambauer et al.'s constants.

    Use with the `lecun_normal` initializer and `AlphaDropout`.
    """
    return _SELU_SCALE * K.elu(x, _SELU_ALPHA)


def softplus(x):
    """Softplus activation function: `log(exp(x) + 1)`."""
    return K.softplus(x)


def softsign(x):
    """Softsign activation function: `x / (abs(x) + 1)`."""
    return K.softsign(x)


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit.

    # Arguments
        x: input tensor.
        alpha: slope below the threshold.
        max_value: saturation value (None for no saturation).
        threshold: the value below which the activation is damped.

    # Returns
        `x` for `threshold <= x < max_value`, `max_value` above it, and
        `alpha * (x - threshold)` below the threshold.
    """
    return K.relu(x, alpha=alpha, max_value=max_value, threshold=threshold)


def tanh(x):
    """Hyperbolic tangent activation function."""
    return K.tanh(x)


def sigmoid(x):
    """Sigmoid activation function: `1 / (1 + exp(-x))`."""
    return K.sigmoid(x)


def hard_sigmoid(x):
    """Hard sigmoid (Keras 2): `clip(0.2 * x + 0.5, 0, 1)`."""
    return K.hard_sigmoid(x)


def exponential(x):
    """Exponential (base e) activation function."""
    return K.exp(x)


def linear(x):
    """Linear (identity) activation function."""
    return x


def gelu(x, approximate=False):
    """Gaussian error linear unit (tf.keras 2.4+).

    # Arguments
        x: input tensor.
        approximate: use the tanh approximation instead of the exact erf form.

    # Returns
        `0.5 * x * (1 + erf(x / sqrt(2)))`, or its tanh approximation.
    """
    if approximate:
        inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * K.pow(x, 3))
        return 0.5 * x * (1.0 + K.tanh(inner))
    return 0.5 * x * (1.0 + K.erf(x / math.sqrt(2.0)))


def swish(x):
    """Swish (SiLU) activation function: `x * sigmoid(x)`."""
    return x * K.sigmoid(x)


silu = swish

_ACTIVATIONS = {fn.__name__: fn for fn in (
    softmax, elu, selu, softplus, softsign, relu, tanh, sigmoid, hard_sigmoid, exponential,
    linear, gelu, swish)}
_ACTIVATIONS["silu"] = swish


def serialize(activation):
    """The activation's name, as Keras 2 stores it in layer configs."""
    return activation.__name__


def deserialize(name, custom_objects=None):
    """The activation function called `name` (custom objects first)."""
    return deserialize_keras_object(name, module_objects=_ACTIVATIONS,
                                    custom_objects=custom_objects,
                                    printable_module_name="activation function")


def get(identifier):
    """An activation function from a name, a callable, or None (the linear activation).

    # Raises
        ValueError: when `identifier` is none of these.
    """
    if identifier is None:
        return linear
    return get_function_from_identifier(identifier, deserialize, "activation function")
