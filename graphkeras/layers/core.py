"""Core layers, as in Keras 2.2's keras/layers/core.py.

Dense, Activation, Dropout and its spatial variants, Flatten, Reshape, Permute, RepeatVector,
Masking and ActivityRegularization. Each follows the Keras 2 layer contract: `build`, `call`,
`compute_output_shape`, `compute_mask`, `get_config`. Lambda lives in lambda_layer.py and is
re-exported here, so `keras.layers.core.Lambda` code keeps working.
"""
import numpy as np

from .. import activations, regularizers
from .. import backend as K
from ..engine.base_layer import InputSpec, Layer
from ..engine.input_spec import shape_text
from .lambda_layer import Lambda  # noqa: F401  (Keras 2.2 path: keras.layers.core.Lambda)
from .serialization import set_weight_settings, weight_settings


class Masking(Layer):
    """Masks a sequence by using a mask value to skip timesteps.

    A timestep is masked (skipped by every downstream layer that supports masking) when all
    its features equal `mask_value`; its features are also set to zero.

    # Arguments
        mask_value: the value that marks a padded timestep.

    # Input shape
        Arbitrary, usually `(batch, timesteps, features)`.

    # Output shape
        Same as input; the mask has shape `(batch, timesteps)`.

    # Example
        model.add(Masking(mask_value=0., input_shape=(timesteps, features)))
    """

    def __init__(self, mask_value=0., **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.mask_value = mask_value

    def compute_mask(self, inputs, mask=None):
        return K.any(K.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        keep = K.any(K.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return inputs * K.cast(keep, K.dtype(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {"mask_value": self.mask_value}
        return dict(super().get_config(), **config)


class Dropout(Layer):
    """Applies Dropout to the input during training.

    Sets a fraction `rate` of input units to 0 at each update and scales the others by
    `1 / (1 - rate)`; at inference it is the identity.

    # Arguments
        rate: float between 0 and 1, the fraction of units to drop.
        noise_shape: 1D integer tuple, the shape of the binary mask multiplied with the input
            (`None` entries take the input's dimension), e.g. `(batch, 1, features)` to drop
            the same features at every timestep.
        seed: integer, the random seed.

    # Input shape
        Arbitrary.

    # Output shape
        Same as input.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = min(1., max(0., rate))
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self.supports_masking = True

    def _get_noise_shape(self, inputs):
        """The mask shape; its None entries take the input's dimension when the graph runs."""
        if self.noise_shape is not None and len(self.noise_shape) != K.ndim(inputs):
            raise ValueError(
                f"{type(self).__name__} '{self.name}' has noise_shape {self.noise_shape} of rank "
                f"{len(self.noise_shape)}, but its input has shape "
                f"{shape_text(K.int_shape(inputs))} of rank {K.ndim(inputs)}.")
        return self.noise_shape

    def call(self, inputs, training=None):
        if not 0. < self.rate < 1.:
            return inputs
        noise_shape = self._get_noise_shape(inputs)

        def dropped_inputs():
            return K.dropout(inputs, self.rate, noise_shape, seed=self.seed)

        return K.in_train_phase(dropped_inputs, inputs, training=training)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {"rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}
        return dict(super().get_config(), **config)


class SpatialDropout1D(Dropout):
    """Spatial 1D version of Dropout: drops whole feature maps instead of single elements.

    # Arguments
        rate: float between 0 and 1, the fraction of feature maps to drop.

    # Input shape
        3D tensor `(samples, timesteps, channels)`.

    # Output shape
        Same as input.
    """

    def __init__(self, rate, **kwargs):
        kwargs.pop("noise_shape", None)
        super().__init__(rate, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def _get_noise_shape(self, inputs):
        return (None, 1, None)


class SpatialDropout2D(Dropout):
    """Spatial 2D version of Dropout: drops whole 2D feature maps.

    # Arguments
        rate: float between 0 and 1, the fraction of feature maps to drop.
        data_format: 'channels_first' or 'channels_last' (default: the Keras config value).

    # Input shape
        4D tensor `(samples, channels, rows, cols)` if channels_first, else
        `(samples, rows, cols, channels)`.

    # Output shape
        Same as input.
    """

    spatial_rank = 2

    def __init__(self, rate, data_format=None, **kwargs):
        kwargs.pop("noise_shape", None)
        super().__init__(rate, **kwargs)
        self.data_format = K.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.spatial_rank + 2)

    def _get_noise_shape(self, inputs):
        ones = (1,) * self.spatial_rank
        if self.data_format == "channels_first":
            return (None, None) + ones
        return (None,) + ones + (None,)

    def get_config(self):
        return dict(super().get_config(), data_format=self.data_format)


class SpatialDropout3D(SpatialDropout2D):
    """Spatial 3D version of Dropout: drops whole 3D feature maps.

    # Arguments
        rate: float between 0 and 1, the fraction of feature maps to drop.
        data_format: 'channels_first' or 'channels_last' (default: the Keras config value).

    # Input shape
        5D tensor `(samples, channels, dim1, dim2, dim3)` if channels_first, else
        `(samples, dim1, dim2, dim3, channels)`.

    # Output shape
        Same as input.
    """

    spatial_rank = 3


class Activation(Layer):
    """Applies an activation function to an output.

    # Arguments
        activation: name of the activation function ('relu', 'softmax', ...) or a callable.

    # Input shape
        Arbitrary.

    # Output shape
        Same as input.
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {"activation": activations.serialize(self.activation)}
        return dict(super().get_config(), **config)


class Reshape(Layer):
    """Reshapes an output to a certain shape (the batch dimension is kept).

    # Arguments
        target_shape: tuple of integers, the shape of one sample; at most one entry may be -1,
            in which case it is inferred from the input's size.

    # Input shape
        Arbitrary, with every non-batch dimension known when `target_shape` holds a -1.

    # Output shape
        `(batch_size,) + target_shape`

    # Example
        model.add(Reshape((3, 4), input_shape=(12,)))   # output shape (None, 3, 4)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def _fix_unknown_dimension(self, input_shape, output_shape):
        """`output_shape` (one sample) with a -1 entry resolved from `input_shape`'s size."""
        output_shape = list(output_shape)
        unknown = [i for i, d in enumerate(output_shape) if d < 0]
        if len(unknown) > 1 or (unknown and output_shape[unknown[0]] != -1):
            raise ValueError(
                f"Reshape '{self.name}': target_shape {self.target_shape} may hold a single "
                "-1 and otherwise positive sizes.")
        original = int(np.prod(input_shape))
        known = int(np.prod([d for d in output_shape if d != -1]))
        if unknown:
            if known == 0 or original % known != 0:
                raise ValueError(self._size_error(input_shape))
            output_shape[unknown[0]] = original // known
        elif original != known:
            raise ValueError(self._size_error(input_shape))
        return tuple(output_shape)

    def _size_error(self, input_shape):
        return (f"Reshape '{self.name}': the total size of the new array must be unchanged: "
                f"cannot reshape inputs of shape {shape_text((None,) + tuple(input_shape))} "
                f"to target_shape {self.target_shape}.")

    def compute_output_shape(self, input_shape):
        if None in input_shape[1:]:
            return (input_shape[0],) + tuple(None if d == -1 else d for d in self.target_shape)
        return (input_shape[0],) + self._fix_unknown_dimension(input_shape[1:],
                                                              self.target_shape)

    def call(self, inputs):
        sample_shape = self.compute_output_shape(K.int_shape(inputs))[1:]
        if None not in sample_shape:
            return K.reshape(inputs, (-1,) + sample_shape)
        return K.reshape(inputs, (K.shape(inputs)[0],) + self.target_shape)

    def get_config(self):
        return dict(super().get_config(), target_shape=self.target_shape)


class Permute(Layer):
    """Permutes the dimensions of the input according to a given pattern.

    # Arguments
        dims: tuple of integers, a permutation of 1..ndim-1 (the batch axis 0 stays first).

    # Input shape
        Arbitrary, of rank `len(dims) + 1`.

    # Output shape
        The input shape with its dimensions reordered by `dims`.

    # Example
        model.add(Permute((2, 1), input_shape=(10, 64)))   # output shape (None, 64, 10)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                f"Permute: dims must be a permutation of 1..{len(self.dims)} (the batch axis 0 "
                f"is never permuted), got {self.dims}.")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def compute_output_shape(self, input_shape):
        input_shape = list(input_shape)
        return tuple([input_shape[0]] + [input_shape[d] for d in self.dims])

    def call(self, inputs):
        return K.permute_dimensions(inputs, (0,) + self.dims)

    def get_config(self):
        return dict(super().get_config(), dims=self.dims)


class Flatten(Layer):
    """Flattens the input. Does not affect the batch size.

    # Arguments
        data_format: 'channels_last' or 'channels_first'. With 'channels_first', the input is
            first moved to channels last, so weights keep their order when a model switches
            data format.

    # Input shape
        `(batch, ...)` with every non-batch dimension known.

    # Output shape
        `(batch, product of the other dimensions)`.

    # Example
        model.add(Flatten())   # (None, 64, 32, 32) -> (None, 65536)
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        # Keras 2.2 asks for rank >= 3; tf.keras also flattens rank 2 (a no-op), so we do too.
        self.input_spec = InputSpec(min_ndim=2)
        self.data_format = K.normalize_data_format(data_format)

    def compute_output_shape(self, input_shape):
        if not all(input_shape[1:]):
            raise ValueError(
                f"The shape of the input to Flatten '{self.name}' is not fully defined (got "
                f"{shape_text(input_shape[1:])}). Make sure to pass a complete `input_shape` or "
                "`batch_input_shape` argument to the first layer in your model.")
        return (input_shape[0], int(np.prod(input_shape[1:])))

    def call(self, inputs):
        if self.data_format == "channels_first" and K.ndim(inputs) > 2:
            pattern = [0] + list(range(2, K.ndim(inputs))) + [1]
            inputs = K.permute_dimensions(inputs, pattern)
        return K.batch_flatten(inputs)

    def get_config(self):
        return dict(super().get_config(), data_format=self.data_format)


class RepeatVector(Layer):
    """Repeats the input n times.

    # Arguments
        n: integer, repetition factor.

    # Input shape
        2D tensor `(num_samples, features)`.

    # Output shape
        3D tensor `(num_samples, n, features)`.
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def call(self, inputs):
        return K.repeat(inputs, self.n)

    def get_config(self):
        return dict(super().get_config(), n=self.n)


class ActivityRegularization(Layer):
    """Applies an L1/L2 penalty to the layer's input, added to the training loss.

    # Arguments
        l1: L1 regularization factor (positive float).
        l2: L2 regularization factor (positive float).

    # Input shape
        Arbitrary.

    # Output shape
        Same as input.
    """

    def __init__(self, l1=0., l2=0., **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2
        self.activity_regularizer = regularizers.L1L2(l1=l1, l2=l2)

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return dict(super().get_config(), l1=self.l1, l2=self.l2)


class Dense(Layer):
    """Just your regular densely-connected NN layer.

    Computes `output = activation(dot(input, kernel) + bias)`. An input of rank above 2 is
    multiplied along its last axis.

    # Arguments
        units: positive integer, dimensionality of the output space.
        activation: activation function to use (default: none, i.e. linear).
        use_bias: whether the layer uses a bias vector.
        kernel_initializer, bias_initializer: initializers of the weights.
        kernel_regularizer, bias_regularizer, activity_regularizer: regularizers.
        kernel_constraint, bias_constraint: constraints applied after each update.

    # Input shape
        nD tensor `(batch_size, ..., input_dim)`.

    # Output shape
        nD tensor `(batch_size, ..., units)`.

    # Example
        model = Sequential()
        model.add(Dense(32, input_shape=(16,)))   # output shape (None, 32)
    """

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        if "input_shape" not in kwargs and "input_dim" in kwargs:
            kwargs["input_shape"] = (kwargs.pop("input_dim"),)
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        set_weight_settings(self, locals())
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Dense '{self.name}' needs inputs whose last dimension is known, got shape "
                f"{shape_text(input_shape)}.")
        self.kernel = self.add_weight(shape=(input_dim, self.units),
                                      initializer=self.kernel_initializer,
                                      name="kernel",
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.units,),
                                        initializer=self.bias_initializer,
                                        name="bias",
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs):
        if K.dtype(inputs) != K.dtype(self.kernel):
            # Integer inputs would promote the product to float64; tf.keras casts them to the
            # layer's dtype, and so do we (Keras 2.2 on TensorFlow refuses them).
            inputs = K.cast(inputs, K.dtype(self.kernel))
        output = K.dot(inputs, self.kernel)
        if self.use_bias:
            output = K.bias_add(output, self.bias, data_format="channels_last")
        if self.activation is not None:
            output = self.activation(output)
        return output

    def compute_output_shape(self, input_shape):
        if not input_shape or len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(
                f"Dense '{self.name}' expects inputs of rank >= 2 with a known last dimension, "
                f"got shape {shape_text(input_shape)}.")
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = {
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
        }
        return dict(super().get_config(), **config, **weight_settings(self))
