"""Depthwise separable convolution layers (SeparableConv1D/2D, DepthwiseConv2D), as in Keras
2.2.4.

A depthwise convolution convolves each input channel with its own `depth_multiplier` filters
(kernel `(*kernel_size, input_dim, depth_multiplier)`); a separable convolution follows it with
a pointwise one (kernel `(1, ..., 1, input_dim * depth_multiplier, filters)`).
"""
from .. import constraints, initializers, regularizers
from .. import backend as K
from ..engine.base_layer import InputSpec
from .conv import Conv2D, _Conv



def add_depthwise_kernel(layer, input_dim):
    """The (kernel..., input_dim, depth_multiplier) kernel shared by separable and depthwise
    convolutions."""
    return layer.add_weight(shape=layer.kernel_size + (input_dim, layer.depth_multiplier),
                            initializer=layer.depthwise_initializer, name="depthwise_kernel",
                            regularizer=layer.depthwise_regularizer,
                            constraint=layer.depthwise_constraint)

class _SeparableConv(_Conv):
    """Abstract N-D depthwise separable convolution layer (private).

    # Arguments
        rank, filters, kernel_size, strides, padding, data_format, dilation_rate, activation,
        use_bias, bias_initializer, bias_regularizer, activity_regularizer, bias_constraint:
            as in `_Conv`.
        depth_multiplier: the number of depthwise output channels per input channel.
        depthwise_initializer, pointwise_initializer, depthwise_regularizer,
        pointwise_regularizer, depthwise_constraint, pointwise_constraint: for the two
            kernels.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, depth_multiplier=1, activation=None,
                 use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=rank, filters=filters, kernel_size=kernel_size, strides=strides,
                         padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, bias_initializer=bias_initializer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        self.depthwise_kernel = add_depthwise_kernel(self, input_dim)
        self.pointwise_kernel = self.add_weight(
            shape=(1,) * self.rank + (self.depth_multiplier * input_dim, self.filters),
            initializer=self.pointwise_initializer,
            name="pointwise_kernel",
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        self._build_bias(self.filters)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: input_dim})
        self.built = True

    def _convolve(self, inputs):
        if self.rank == 1:
            return K.separable_conv1d(inputs, self.depthwise_kernel, self.pointwise_kernel,
                                      data_format=self.data_format, strides=self.strides[0],
                                      padding=self.padding,
                                      dilation_rate=self.dilation_rate[0])
        return K.separable_conv2d(inputs, self.depthwise_kernel, self.pointwise_kernel,
                                  data_format=self.data_format, strides=self.strides,
                                  padding=self.padding, dilation_rate=self.dilation_rate)

    def get_config(self):
        config = super().get_config()
        for key in ("rank", "kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            config.pop(key)
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "pointwise_constraint": constraints.serialize(self.pointwise_constraint),
        })
        return config


class SeparableConv1D(_SeparableConv):
    """Depthwise separable 1D convolution.

    A depthwise convolution acting on each input channel separately, then a pointwise
    convolution mixing the channels.

    # Arguments
        filters, kernel_size, strides, padding (`"valid"`, `"same"`, `"causal"`), data_format
        (default `"channels_last"`), dilation_rate, depth_multiplier, activation, use_bias,
        initializers, regularizers, constraints: as in `_SeparableConv`.

    # Input shape
        3D tensor `(batch, steps, channels)` or `(batch, channels, steps)`.

    # Output shape
        3D tensor `(batch, new_steps, filters)` or `(batch, filters, new_steps)`.

    # Example
        model.add(SeparableConv1D(16, 3, depth_multiplier=2, input_shape=(20, 4)))
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", dilation_rate=1, depth_multiplier=1,
                 activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=1, filters=filters, kernel_size=kernel_size, strides=strides,
                         padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, depth_multiplier=depth_multiplier,
                         activation=activation, use_bias=use_bias,
                         depthwise_initializer=depthwise_initializer,
                         pointwise_initializer=pointwise_initializer,
                         bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         pointwise_regularizer=pointwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint,
                         pointwise_constraint=pointwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)


class SeparableConv2D(_SeparableConv):
    """Depthwise separable 2D convolution.

    # Arguments
        As `SeparableConv1D`, with tuples of 2 integers; `data_format` defaults to
        `image_data_format()`; padding is `"valid"` or `"same"`.

    # Input shape
        4D tensor `(batch, rows, cols, channels)` or `(batch, channels, rows, cols)`.

    # Output shape
        4D tensor `(batch, new_rows, new_cols, filters)` or channels_first.

    # Example
        model.add(SeparableConv2D(32, (3, 3), input_shape=(28, 28, 3)))
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1), depth_multiplier=1, activation=None,
                 use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=2, filters=filters, kernel_size=kernel_size, strides=strides,
                         padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, depth_multiplier=depth_multiplier,
                         activation=activation, use_bias=use_bias,
                         depthwise_initializer=depthwise_initializer,
                         pointwise_initializer=pointwise_initializer,
                         bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         pointwise_regularizer=pointwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint,
                         pointwise_constraint=pointwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)


class DepthwiseConv2D(Conv2D):
    """Depthwise 2D convolution: each input channel is convolved with its own filters.

    Output channel `c * depth_multiplier + m` is input channel `c` convolved with filter `m`.

    # Arguments
        kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
        bias_initializer, bias_regularizer, activity_regularizer, bias_constraint: as in
            `Conv2D`.
        depth_multiplier: the number of output channels per input channel.
        depthwise_initializer, depthwise_regularizer, depthwise_constraint: for the kernel
            `(rows, cols, channels, depth_multiplier)`.

    # Input shape
        4D tensor `(batch, rows, cols, channels)` or `(batch, channels, rows, cols)`.

    # Output shape
        4D tensor `(batch, new_rows, new_cols, channels * depth_multiplier)` or channels_first.

    # Example
        model.add(DepthwiseConv2D(3, depth_multiplier=2, input_shape=(16, 16, 3)))
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        # Keras 2.2.4 passes filters=None; tf.keras configs store `filters: null` too.
        kwargs.pop("filters", None)
        super().__init__(filters=None, kernel_size=kernel_size, strides=strides,
                         padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, bias_initializer=bias_initializer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        self.depthwise_kernel = add_depthwise_kernel(self, input_dim)
        self._build_bias(input_dim * self.depth_multiplier)
        self.input_spec = InputSpec(ndim=4, axes={self._channel_axis: input_dim})
        self.built = True

    def _convolve(self, inputs):
        return K.depthwise_conv2d(inputs, self.depthwise_kernel, strides=self.strides,
                                  padding=self.padding, dilation_rate=self.dilation_rate,
                                  data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        channels = input_shape[self._channel_axis]
        out_filters = None if channels is None else channels * self.depth_multiplier
        if self.data_format == "channels_last":
            return (input_shape[0],) + self._output_spatial(input_shape[1:3]) + (out_filters,)
        return (input_shape[0], out_filters) + self._output_spatial(input_shape[2:4])

    def get_config(self):
        config = super().get_config()
        for key in ("filters", "kernel_initializer", "kernel_regularizer",
                    "kernel_constraint"):
            config.pop(key)
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
        })
        return config
