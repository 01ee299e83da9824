"""Activation layers with parameters, as in Keras 2.2's keras/layers/advanced_activations.py.

LeakyReLU, PReLU (a learned slope), ELU, ThresholdedReLU, Softmax (with an axis) and ReLU (with
max_value, negative_slope and threshold). All keep the input's shape and pass its mask on.
"""
from .. import activations, constraints, initializers, regularizers
from .. import backend as K
from ..engine.base_layer import InputSpec, Layer


class _ElementwiseActivation(Layer):
    """An activation layer: same output shape as input, passes the mask through."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return input_shape


class LeakyReLU(_ElementwiseActivation):
    """Leaky version of a Rectified Linear Unit.

    `f(x) = alpha * x` for `x < 0`, `f(x) = x` for `x >= 0`.

    # Arguments
        alpha: float >= 0, the negative slope coefficient.

    # Input shape
        Arbitrary.

    # Output shape
        Same as input.
    """

    def __init__(self, alpha=0.3, **kwargs):
        super().__init__(**kwargs)
        self.alpha = K.cast_to_floatx(alpha)

    def call(self, inputs):
        return K.relu(inputs, alpha=self.alpha)

    def get_config(self):
        return dict(super().get_config(), alpha=float(self.alpha))


class PReLU(_ElementwiseActivation):
    """Parametric Rectified Linear Unit: `f(x) = alpha * x` for `x < 0`, where alpha is learned.

    `alpha` has the shape of one sample, except along `shared_axes`, where it has size 1.

    # Arguments
        alpha_initializer: initializer of the slopes.
        alpha_regularizer: regularizer of the slopes.
        alpha_constraint: constraint on the slopes.
        shared_axes: the axes (the batch axis is 0) along which one slope is shared, e.g.
            `[1, 2]` for one slope per channel of images `(batch, height, width, channels)`.

    # Input shape
        Arbitrary, with every non-batch dimension known.

    # Output shape
        Same as input.
    """

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]

    def build(self, input_shape):
        param_shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if not 1 <= axis < len(input_shape):
                raise ValueError(
                    f"PReLU '{self.name}': shared axis {axis} is out of range for inputs of "
                    f"shape {tuple(input_shape)} (valid: 1..{len(input_shape) - 1}).")
            param_shape[axis - 1] = 1
        if None in param_shape:
            raise ValueError(
                f"PReLU '{self.name}' needs every non-shared input dimension known, got shape "
                f"{tuple(input_shape)}; share the unknown axes with `shared_axes`.")
        self.alpha = self.add_weight(shape=tuple(param_shape), name="alpha",
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        axes = {}
        if self.shared_axes:
            axes = {i: input_shape[i] for i in range(1, len(input_shape))
                    if i not in self.shared_axes}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs, mask=None):
        positive = K.relu(inputs)
        negative = -self.alpha * K.relu(-inputs)
        return positive + negative

    def get_config(self):
        config = {
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        }
        return dict(super().get_config(), **config)


class ELU(_ElementwiseActivation):
    """Exponential Linear Unit: `f(x) = alpha * (exp(x) - 1)` for `x < 0`, `x` otherwise.

    # Arguments
        alpha: scale for the negative part.

    # Input shape
        Arbitrary.

    # Output shape
        Same as input.
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = K.cast_to_floatx(alpha)

    def call(self, inputs):
        return K.elu(inputs, self.alpha)

    def get_config(self):
        return dict(super().get_config(), alpha=float(self.alpha))


class ThresholdedReLU(_ElementwiseActivation):
    """Thresholded Rectified Linear Unit: `f(x) = x` for `x > theta`, `0` otherwise.

    # Arguments
        theta: float >= 0, the threshold.

    # Input shape
        Arbitrary.

    # Output shape
        Same as input.
    """

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        self.theta = K.cast_to_floatx(theta)

    def call(self, inputs, mask=None):
        return inputs * K.cast(K.greater(inputs, self.theta), K.dtype(inputs))

    def get_config(self):
        return dict(super().get_config(), theta=float(self.theta))


class Softmax(_ElementwiseActivation):
    """Softmax activation along one axis.

    # Arguments
        axis: integer, the axis along which the softmax normalization is applied.

    # Input shape
        Arbitrary.

    # Output shape
        Same as input.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        return activations.softmax(inputs, axis=self.axis)

    def get_config(self):
        return dict(super().get_config(), axis=self.axis)


class ReLU(_ElementwiseActivation):
    """Rectified Linear Unit activation function.

    `f(x) = max_value` for `x >= max_value`, `f(x) = x` for `threshold <= x < max_value`,
    `f(x) = negative_slope * (x - threshold)` otherwise.

    # Arguments
        max_value: float >= 0, the maximum activation (None: unbounded).
        negative_slope: float >= 0, the slope below the threshold.
        threshold: float, the threshold value.

    # Input shape
        Arbitrary.

    # Output shape
        Same as input.
    """

    def __init__(self, max_value=None, negative_slope=0., threshold=0., **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.:
            raise ValueError(f"ReLU: max_value cannot be negative, got {max_value}.")
        if negative_slope < 0.:
            raise ValueError(f"ReLU: negative_slope cannot be negative, got {negative_slope}.")
        self.max_value = None if max_value is None else K.cast_to_floatx(max_value)
        self.negative_slope = K.cast_to_floatx(negative_slope)
        self.threshold = K.cast_to_floatx(threshold)

    def call(self, inputs):
        return K.relu(inputs, alpha=self.negative_slope, max_value=self.max_value,
                      threshold=self.threshold)

    def get_config(self):
        config = {
            "max_value": None if self.max_value is None else float(self.max_value),
            "negative_slope": float(self.negative_slope),
            "threshold": float(self.threshold),
        }
        return dict(super().get_config(), **config)
