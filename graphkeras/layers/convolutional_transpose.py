"""Transposed convolution layers (Conv2DTranspose, Conv3DTranspose), as in Keras 2.2.4.

A transposed convolution is the gradient of a convolution with respect to its input. Its kernel
is `(*kernel_size, filters, input_dim)`. The output size per spatial axis is
`conv_utils.deconv_length`; `output_padding` picks one of the sizes a strided convolution maps
to the same input size.
"""
from .. import backend as K
from ..engine.base_layer import InputSpec
from ..utils import conv_utils
from .conv import Conv2D, Conv3D


class _ConvTranspose:
    """The parts Conv2DTranspose and Conv3DTranspose share (a mixin before their Conv base)."""

    def _set_output_padding(self, output_padding):
        self.output_padding = output_padding
        if output_padding is None:
            return
        self.output_padding = conv_utils.normalize_tuple(output_padding, self.rank,
                                                         "output_padding")
        for stride, pad in zip(self.strides, self.output_padding):
            if pad >= stride:
                raise ValueError(f"{type(self).__name__}: strides {self.strides} must be "
                                 f"greater than output padding {self.output_padding}.")

    def _kernel_shape(self, input_dim):
        return self.kernel_size + (self.filters, input_dim)

    def _spatial_axes(self):
        start = 2 if self.data_format == "channels_first" else 1
        return tuple(range(start, start + self.rank))

    def _output_lengths(self, lengths):
        """deconv_length per spatial axis; `lengths` may hold ints, None or tensors."""
        pads = self.output_padding or (None,) * self.rank
        return tuple(conv_utils.deconv_length(length, self.strides[i], self.kernel_size[i],
                                              self.padding, pads[i], self.dilation_rate[i])
                     for i, length in enumerate(lengths))

    def _with_channels(self, batch, spatial):
        if self.data_format == "channels_first":
            return (batch, self.filters) + tuple(spatial)
        return (batch,) + tuple(spatial) + (self.filters,)

    def _convolve(self, inputs):
        static = K.int_shape(inputs)
        dynamic = K.shape(inputs)
        # Static sizes where known keep the output's static shape; the rest come at run time.
        lengths = [static[axis] if static[axis] is not None else dynamic[axis]
                   for axis in self._spatial_axes()]
        output_shape = self._with_channels(dynamic[0], self._output_lengths(lengths))
        if self.rank == 2:
            return K.conv2d_transpose(inputs, self.kernel, output_shape, self.strides,
                                      padding=self.padding, data_format=self.data_format,
                                      dilation_rate=self.dilation_rate)
        return K.conv3d_transpose(inputs, self.kernel, output_shape, self.strides,
                                  padding=self.padding, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        lengths = [input_shape[axis] for axis in self._spatial_axes()]
        return self._with_channels(input_shape[0], self._output_lengths(lengths))

    def get_config(self):
        config = super().get_config()
        config["output_padding"] = self.output_padding
        return config


class Conv2DTranspose(_ConvTranspose, Conv2D):
    """Transposed convolution layer (sometimes called Deconvolution).

    Goes from something that has the shape of the output of a convolution to something that
    has the shape of its input, keeping a connectivity pattern compatible with it.

    # Arguments
        filters, kernel_size, strides, padding, data_format, dilation_rate, activation,
        use_bias, initializers, regularizers, constraints: as in `Conv2D`.
        output_padding: an integer or tuple of 2 integers, the extra size added along each
            spatial axis; each must be smaller than the stride. `None` infers the size.

    # Input shape
        4D tensor `(batch, rows, cols, channels)` or `(batch, channels, rows, cols)`.

    # Output shape
        4D tensor `(batch, new_rows, new_cols, filters)` or channels_first, with
        `new_rows = (rows - 1) * strides[0] + kernel_size[0] - 2 * pad + output_padding[0]`.

    # Example
        model.add(Conv2DTranspose(16, 3, strides=2, padding='same', input_shape=(8, 8, 4)))
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        self.input_spec = InputSpec(ndim=4)
        self._set_output_padding(output_padding)


class Conv3DTranspose(_ConvTranspose, Conv3D):
    """Transposed convolution layer over volumes (sometimes called Deconvolution).

    # Arguments
        As `Conv2DTranspose`, with tuples of 3 integers and no dilation (Keras 2.2.4);
        tf.keras configs' `dilation_rate` is accepted when it is 1.

    # Input shape
        5D tensor `(batch, depth, rows, cols, channels)` or channels_first.

    # Output shape
        5D tensor `(batch, new_depth, new_rows, new_cols, filters)` or channels_first.

    # Example
        model.add(Conv3DTranspose(4, 3, strides=2, input_shape=(4, 4, 4, 2)))
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 output_padding=None, data_format=None, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        dilation_rate = conv_utils.normalize_tuple(kwargs.pop("dilation_rate", 1), 3,
                                                   "dilation_rate")
        if dilation_rate != (1, 1, 1):
            raise ValueError(f"Conv3DTranspose: dilation_rate must be 1, got {dilation_rate}.")
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        self.input_spec = InputSpec(ndim=5)
        self._set_output_padding(output_padding)

    def get_config(self):
        config = super().get_config()
        config.pop("dilation_rate")
        return config
