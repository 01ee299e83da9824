"""Convolution layers Conv1D/2D/3D and their shared base `_Conv`, as in Keras 2.2.4's
keras/layers/convolutional.py (all convolution layers are importable from convolutional.py).

Kernels keep Keras' layout `(*kernel_size, input_dim, filters)`, so Keras 2 weight files load as
they are. Configs written by tf.keras carry `groups`; only `groups=1` (Keras 2.2's only mode) is
accepted.
"""
from .. import activations
from .. import backend as K
from ..engine.base_layer import InputSpec, Layer
from ..engine.input_spec import shape_text
from ..utils import conv_utils
from .serialization import set_weight_settings, weight_settings

_BACKEND_CONV = {1: K.conv1d, 2: K.conv2d, 3: K.conv3d}


def _check_groups(kwargs, class_name):
    """Drop tf.keras' `groups` key; grouped convolutions are not part of Keras 2.2."""
    groups = kwargs.pop("groups", 1)
    if groups != 1:
        raise ValueError(f"{class_name}: only groups=1 is supported, got groups={groups}.")


class _Conv(Layer):
    """Abstract N-D convolution layer (private, used as implementation base).

    Computes `activation(conv(inputs, kernel) + bias)`.

    # Arguments
        rank: rank of the convolution, e.g. 2 for 2D convolution.
        filters: integer, the number of output filters.
        kernel_size: an integer or tuple of `rank` integers, the convolution window.
        strides: an integer or tuple of `rank` integers, the strides.
        padding: one of `"valid"` or `"same"` (`"causal"` for Conv1D).
        data_format: `"channels_last"` or `"channels_first"`.
        dilation_rate: an integer or tuple of `rank` integers, the dilation rate.
        activation, use_bias: as in Dense.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: as in Dense.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        _check_groups(kwargs, type(self).__name__)
        super().__init__(**kwargs)
        self.rank = rank
        self.filters = filters
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = conv_utils.normalize_tuple(strides, rank, "strides")
        self.padding = conv_utils.normalize_padding(padding)
        self.data_format = K.normalize_data_format(data_format)
        self.dilation_rate = conv_utils.normalize_tuple(dilation_rate, rank, "dilation_rate")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        set_weight_settings(self, locals())
        self.input_spec = InputSpec(ndim=self.rank + 2)

    @property
    def _channel_axis(self):
        return 1 if self.data_format == "channels_first" else -1

    def _input_dim(self, input_shape):
        input_dim = input_shape[self._channel_axis]
        if input_dim is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the channel dimension of the inputs "
                f"should be defined, got shape {shape_text(input_shape)}.")
        return input_dim

    def _kernel_shape(self, input_dim):
        return self.kernel_size + (input_dim, self.filters)

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        self.kernel = self.add_weight(shape=self._kernel_shape(input_dim),
                                      initializer=self.kernel_initializer,
                                      name="kernel",
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self._build_bias(self.filters)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: input_dim})
        self.built = True

    def _build_bias(self, size):
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=(size,),
                                        initializer=self.bias_initializer,
                                        name="bias",
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def _convolve(self, inputs):
        strides = self.strides[0] if self.rank == 1 else self.strides
        dilation = self.dilation_rate[0] if self.rank == 1 else self.dilation_rate
        return _BACKEND_CONV[self.rank](inputs, self.kernel, strides=strides,
                                        padding=self.padding, data_format=self.data_format,
                                        dilation_rate=dilation)

    def call(self, inputs):
        outputs = self._convolve(inputs)
        if self.use_bias:
            outputs = K.bias_add(outputs, self.bias, data_format=self.data_format)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def _output_spatial(self, spatial):
        return tuple(conv_utils.conv_output_length(length, self.kernel_size[i],
                                                   padding=self.padding,
                                                   stride=self.strides[i],
                                                   dilation=self.dilation_rate[i])
                     for i, length in enumerate(spatial))

    def compute_output_shape(self, input_shape):
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"{type(self).__name__} '{self.name}' expects inputs of rank "
                             f"{self.rank + 2}, got shape {shape_text(input_shape)}.")
        if self.data_format == "channels_last":
            spatial = self._output_spatial(input_shape[1:-1])
            return (input_shape[0],) + spatial + (self.filters,)
        spatial = self._output_spatial(input_shape[2:])
        return (input_shape[0], self.filters) + spatial

    def get_config(self):
        config = {
            "rank": self.rank,
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
        }
        return dict(super().get_config(), **config, **weight_settings(self))


class Conv1D(_Conv):
    """1D convolution layer (e.g. temporal convolution).

    # Arguments
        filters, kernel_size, strides, dilation_rate, activation, use_bias, initializers,
        regularizers, constraints: as in `Conv2D`, with single integers.
        padding: `"valid"`, `"same"` or `"causal"` (output[t] depends only on input[:t + 1];
            the input is padded with `dilation_rate * (kernel_size - 1)` zeros in front).
        data_format: `"channels_last"` (default, `(batch, steps, channels)`) or
            `"channels_first"`.

    # Input shape
        3D tensor `(batch_size, steps, input_dim)`.

    # Output shape
        3D tensor `(batch_size, new_steps, filters)`.

    # Example
        model.add(Conv1D(32, 3, activation='relu', input_shape=(100, 8)))
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        if padding == "causal" and data_format != "channels_last":
            raise ValueError("Conv1D: causal padding is only supported with "
                             "data_format='channels_last'.")
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop("rank")
        return config


class Conv2D(_Conv):
    """2D convolution layer (e.g. spatial convolution over images).

    # Arguments
        filters: integer, the number of output filters.
        kernel_size: an integer or tuple of 2 integers, height and width of the window.
        strides: an integer or tuple of 2 integers.
        padding: `"valid"` or `"same"` (TensorFlow's rule: the odd pad goes after).
        data_format: `"channels_last"` (`(batch, rows, cols, channels)`) or
            `"channels_first"`; defaults to `image_data_format()`.
        dilation_rate: an integer or tuple of 2 integers.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: as in
            Dense.

    # Input shape
        4D tensor `(batch, rows, cols, channels)` (channels_last) or
        `(batch, channels, rows, cols)` (channels_first).

    # Output shape
        4D tensor `(batch, new_rows, new_cols, filters)` or `(batch, filters, new_rows,
        new_cols)`.

    # Example
        model.add(Conv2D(64, (3, 3), padding='same', input_shape=(32, 32, 3)))
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop("rank")
        return config


class Conv3D(_Conv):
    """3D convolution layer (e.g. spatial convolution over volumes).

    # Arguments
        As `Conv2D`, with tuples of 3 integers.

    # Input shape
        5D tensor `(batch, dim1, dim2, dim3, channels)` or `(batch, channels, dim1, dim2,
        dim3)`.

    # Output shape
        5D tensor `(batch, new_dim1, new_dim2, new_dim3, filters)` or channels_first.

    # Example
        model.add(Conv3D(8, 3, input_shape=(16, 16, 16, 1)))
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(3, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop("rank")
        return config
