"""Normalization layers, as in Keras 2.2's keras/layers/normalization.py: BatchNormalization.

Training mode normalizes with the batch mean and biased batch variance and adds updates of the
moving statistics; inference mode normalizes with the moving statistics. The moving-statistics
rule follows tf.keras 2 (what the Keras 2 fixtures record), see `BatchNormalization`.
"""
from .. import backend as K
from .. import constraints, initializers, regularizers
from ..engine.base_layer import InputSpec, Layer
from ..engine.input_spec import shape_text


class BatchNormalization(Layer):
    """Batch normalization layer (Ioffe and Szegedy, 2015).

    Normalizes the activations of the previous layer at each batch: the output has mean close
    to 0 and standard deviation close to 1 per feature, then is scaled by `gamma` and shifted
    by `beta`.

    Moving statistics (tf.keras 2 rule, which the Keras 2 fixtures follow):
    `moving = momentum * moving + (1 - momentum) * batch_statistic`, where the batch variance is
    the biased one, times `n / (n - 1)` (n = values per feature in the batch) when the input is
    4D or 5D with the features on the first or last non-batch axis (tf.keras's fused kernel).
    Keras 2.2.4 used `n / (n - 1 - epsilon)` at every rank; we do not.

    # Arguments
        axis: integer or list of integers, the features axis (or axes) to keep: e.g. `1` after
            a `Conv2D` with `data_format="channels_first"`. tf.keras configs store `[1]`.
        momentum: momentum of the moving mean and moving variance.
        epsilon: small float added to the variance to avoid dividing by zero.
        center: if True, add the offset `beta`; if False, `beta` is not created.
        scale: if True, multiply by `gamma`; if False, `gamma` is not created.
        beta_initializer, gamma_initializer: initializers of beta and gamma.
        moving_mean_initializer, moving_variance_initializer: initializers of the moving
            statistics.
        beta_regularizer, gamma_regularizer: optional regularizers of beta and gamma.
        beta_constraint, gamma_constraint: optional constraints of beta and gamma.

    # Input shape
        Arbitrary. Use `input_shape` when this is the first layer of a model.

    # Output shape
        Same shape as input.

    # Example
        model.add(Dense(64, input_dim=16))
        model.add(BatchNormalization())
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else int(axis)
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def _feature_axes(self, ndim):
        """The axes kept (not reduced), as sorted non-negative integers; raises if invalid."""
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        if not axes:
            raise ValueError(f"BatchNormalization '{self.name}': axis must not be empty.")
        for axis in axes:
            if not -ndim <= axis < ndim or axis % ndim == 0:
                raise ValueError(f"BatchNormalization '{self.name}': axis {axis} is invalid for "
                                 f"inputs of rank {ndim} (the batch axis 0 cannot be kept).")
        normalized = sorted({axis % ndim for axis in axes})
        if len(normalized) != len(axes):
            raise ValueError(f"BatchNormalization '{self.name}': duplicate axes in {self.axis}.")
        return normalized

    def _param_shape(self, input_shape):
        """One axis: `(features,)`. Several: the input's rank with 1 off the feature axes."""
        axes = self._feature_axes(len(input_shape))
        if len(axes) == 1:
            return (input_shape[axes[0]],)
        return tuple(input_shape[i] if i in axes else 1 for i in range(len(input_shape)))

    def build(self, input_shape):
        axes = self._feature_axes(len(input_shape))
        unknown = [axis for axis in axes if input_shape[axis] is None]
        if unknown:
            raise ValueError(f"BatchNormalization '{self.name}': axis {unknown[0]} of the input "
                             "should have a defined dimension, but the layer received an input "
                             f"with shape {shape_text(input_shape)}.")
        self.input_spec = InputSpec(ndim=len(input_shape),
                                    axes={axis: input_shape[axis] for axis in axes})
        shape = self._param_shape(input_shape)
        self.gamma = None
        if self.scale:
            self.gamma = self.add_weight(shape=shape, name="gamma",
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        self.beta = None
        if self.center:
            self.beta = self.add_weight(shape=shape, name="beta",
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)
        self.moving_mean = self.add_weight(shape=shape, name="moving_mean",
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight(shape=shape, name="moving_variance",
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        self.built = True

    def _broadcast(self, param, ndim, axes):
        """A parameter reshaped to broadcast against the input (None stays None)."""
        if param is None or K.ndim(param) == ndim:
            return param
        if axes == [ndim - 1]:
            return param
        shape = [1] * ndim
        shape[axes[0]] = K.int_shape(param)[0]
        return K.reshape(param, tuple(shape))

    def _normalize_inference(self, inputs, ndim, axes):
        return K.batch_normalization(
            inputs,
            self._broadcast(self.moving_mean, ndim, axes),
            self._broadcast(self.moving_variance, ndim, axes),
            self._broadcast(self.beta, ndim, axes),
            self._broadcast(self.gamma, ndim, axes),
            axis=-1, epsilon=self.epsilon)

    def _uses_bessel_correction(self, ndim, axes):
        """tf.keras's fused kernel (4D/5D, features first or last) debiases the variance."""
        return ndim in (4, 5) and len(axes) == 1 and axes[0] in (1, ndim - 1)

    def _moving_updates(self, inputs, mean, variance, ndim, axes):
        """The two update pairs of the moving statistics (see the class docstring)."""
        param_shape = K.int_shape(self.moving_mean)
        mean = K.reshape(mean, param_shape)
        variance = K.reshape(variance, param_shape)
        if self._uses_bessel_correction(ndim, axes):
            reduction_axes = [i for i in range(ndim) if i not in axes]
            count = K.prod(K.gather(K.shape(inputs), reduction_axes))
            count = K.cast(count, K.dtype(inputs))
            variance = variance * count / K.maximum(count - 1.0, 1.0)
        return [K.moving_average_update(self.moving_mean, mean, self.momentum),
                K.moving_average_update(self.moving_variance, variance, self.momentum)]

    def call(self, inputs, training=None):
        ndim = K.ndim(inputs)
        axes = self._feature_axes(ndim)
        if training in {0, False}:
            return self._normalize_inference(inputs, ndim, axes)

        reduction_axes = [i for i in range(ndim) if i not in axes]
        gamma = self._broadcast(self.gamma, ndim, axes)
        beta = self._broadcast(self.beta, ndim, axes)
        normed, mean, variance = K.normalize_batch_in_training(
            inputs, gamma, beta, reduction_axes, epsilon=self.epsilon)
        self.add_update(self._moving_updates(inputs, mean, variance, ndim, axes), inputs)
        return K.in_train_phase(normed, lambda: self._normalize_inference(inputs, ndim, axes),
                                training=training)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer":
                initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }
        return dict(super().get_config(), **config)
