"""Locally-connected layers (LocallyConnected1D/2D), as in Keras 2.2.4's keras/layers/local.py.

They work like Conv1D/Conv2D with padding 'valid', except that weights are unshared: each
output position has its own filters, so the kernel is `(output_positions, window_size *
input_channels, filters)` and the bias `(*output_spatial, filters)`.

tf.keras configs carry `implementation` (1, 2 or 3: three ways to compute the same function);
it is accepted and dropped, as all three give the same values here.
"""
from .. import activations
from .. import backend as K
from ..engine.base_layer import InputSpec, Layer
from ..engine.input_spec import shape_text
from ..utils import conv_utils
from .serialization import set_weight_settings, weight_settings


class _LocallyConnected(Layer):
    """Shared body of LocallyConnected1D/2D over `rank` spatial axes (private)."""

    def __init__(self, rank, filters, kernel_size, strides, padding, data_format, activation,
                 use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                 bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint,
                 **kwargs):
        implementation = kwargs.pop("implementation", 1)
        if implementation not in (1, 2, 3):
            raise ValueError(f"{type(self).__name__}: implementation must be 1, 2 or 3, got "
                             f"{implementation!r}.")
        super().__init__(**kwargs)
        self.rank = rank
        self.filters = filters
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = conv_utils.normalize_tuple(strides, rank, "strides")
        self.padding = conv_utils.normalize_padding(padding)
        if self.padding != "valid":
            raise ValueError(f"Invalid border mode for {type(self).__name__} (only 'valid' "
                             f"is supported): {padding!r}")
        self.data_format = K.normalize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        set_weight_settings(self, locals())
        self.input_spec = InputSpec(ndim=rank + 2)

    @property
    def _channel_axis(self):
        return 1 if self.data_format == "channels_first" else -1

    def _spatial(self, shape):
        return tuple(shape[2:]) if self.data_format == "channels_first" else tuple(shape[1:-1])

    def _output_spatial(self, input_shape):
        return tuple(conv_utils.conv_output_length(length, self.kernel_size[i], self.padding,
                                                   self.strides[i])
                     for i, length in enumerate(self._spatial(input_shape)))

    def build(self, input_shape):
        input_dim = input_shape[self._channel_axis]
        spatial = self._spatial(input_shape)
        if input_dim is None or None in spatial:
            raise ValueError(f"{type(self).__name__} '{self.name}' needs inputs whose channel "
                             f"and spatial dimensions are known, got shape "
                             f"{shape_text(input_shape)}.")
        self.output_spatial = self._output_spatial(input_shape)
        positions = 1
        window = input_dim
        for length, size in zip(self.output_spatial, self.kernel_size):
            positions *= length
            window *= size
        self.kernel = self.add_weight(shape=(positions, window, self.filters),
                                      initializer=self.kernel_initializer,
                                      name="kernel",
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=self.output_spatial + (self.filters,),
                                        initializer=self.bias_initializer,
                                        name="bias",
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: input_dim})
        self.built = True

    def call(self, inputs):
        if self.rank == 1:
            outputs = K.local_conv1d(inputs, self.kernel, self.kernel_size, self.strides,
                                     self.data_format)
        else:
            outputs = K.local_conv2d(inputs, self.kernel, self.kernel_size, self.strides,
                                     self.output_spatial, self.data_format)
        if self.use_bias:
            outputs = K.bias_add(outputs, self.bias, data_format=self.data_format)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"{type(self).__name__} '{self.name}' expects inputs of rank "
                             f"{self.rank + 2}, got shape {shape_text(input_shape)}.")
        spatial = self._output_spatial(input_shape)
        if self.data_format == "channels_first":
            return (input_shape[0], self.filters) + spatial
        return (input_shape[0],) + spatial + (self.filters,)

    def get_config(self):
        config = {
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
        }
        return dict(super().get_config(), **config, **weight_settings(self))


class LocallyConnected1D(_LocallyConnected):
    """Locally-connected layer for 1D inputs: Conv1D with unshared weights.

    # Arguments
        filters: integer, the number of output filters.
        kernel_size: an integer or tuple of 1 integer, the window length.
        strides: an integer or tuple of 1 integer.
        padding: only `"valid"` is supported.
        data_format: `"channels_last"` or `"channels_first"`.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: as in
            Dense.

    # Input shape
        3D tensor `(batch, steps, input_dim)`, steps known.

    # Output shape
        3D tensor `(batch, new_steps, filters)`.

    # Example
        model.add(LocallyConnected1D(64, 3, input_shape=(10, 32)))   # (None, 8, 64)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(1, filters, kernel_size, strides, padding, data_format, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint,
                         bias_constraint, **kwargs)


class LocallyConnected2D(_LocallyConnected):
    """Locally-connected layer for 2D inputs: Conv2D with unshared weights.

    # Arguments
        As `LocallyConnected1D`, with tuples of 2 integers.

    # Input shape
        4D tensor `(batch, rows, cols, channels)` or `(batch, channels, rows, cols)`, rows and
        cols known.

    # Output shape
        4D tensor `(batch, new_rows, new_cols, filters)` or channels_first.

    # Example
        model.add(LocallyConnected2D(64, (3, 3), input_shape=(32, 32, 3)))   # (None, 30, 30, 64)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides, padding, data_format, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint,
                         bias_constraint, **kwargs)
