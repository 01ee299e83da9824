"""Shape-only spatial layers from Keras 2.2.4's keras/layers/convolutional.py: UpSampling1D/2D/3D,
ZeroPadding1D/2D/3D and Cropping1D/2D/3D.

Each family shares one private base parametrized by the number of spatial axes; the public
classes fix that number and Keras' default arguments. 1D layers act on `(batch, steps,
features)`; 2D/3D layers take a `data_format`.
"""
from .. import backend as K
from ..engine.base_layer import InputSpec, Layer
from ..engine.input_spec import shape_text
from ..utils import conv_utils


def _normalize_pairs(value, rank, name, class_name):
    """An int, `rank` ints, or `rank` pairs of ints as `rank` (before, after) pairs."""
    if isinstance(value, int):
        return ((value, value),) * rank
    try:
        items = tuple(value)
    except TypeError:
        items = ()
    if len(items) != rank:
        raise ValueError(f"{class_name}: `{name}` must be an int, a tuple of {rank} ints or a "
                         f"tuple of {rank} tuples of 2 ints, got {value!r}.")
    return tuple(conv_utils.normalize_tuple(item, 2, f"each entry of {name}")
                 for item in items)


class _SpatialLayer(Layer):
    """Base of the layers here: spatial axes by data format and the shape check."""

    def __init__(self, rank, data_format, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.data_format = K.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _spatial_axes(self):
        start = 2 if self.data_format == "channels_first" else 1
        return tuple(range(start, start + self.rank))

    def compute_output_shape(self, input_shape):
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"{type(self).__name__} '{self.name}' expects inputs of rank "
                             f"{self.rank + 2}, got shape {shape_text(input_shape)}.")
        shape = list(input_shape)
        for i, axis in enumerate(self._spatial_axes()):
            shape[axis] = None if shape[axis] is None else self._output_length(i, shape[axis])
        return tuple(shape)

    def get_config(self):
        config = {"data_format": self.data_format} if self.rank > 1 else {}
        return dict(super().get_config(), **config)


# Up-sampling.

class _UpSampling(_SpatialLayer):
    def __init__(self, rank, size, data_format, **kwargs):
        super().__init__(rank, data_format, **kwargs)
        self.size = conv_utils.normalize_tuple(size, rank, "size")

    def _output_length(self, i, length):
        return length * self.size[i]

    def call(self, inputs):
        outputs = inputs
        for factor, axis in zip(self.size, self._spatial_axes()):
            outputs = K.repeat_elements(outputs, factor, axis)
        return outputs

    def get_config(self):
        size = self.size[0] if self.rank == 1 else self.size
        return dict(super().get_config(), size=size)


class UpSampling1D(_UpSampling):
    """Upsampling layer for 1D inputs: repeats each temporal step `size` times.

    # Arguments
        size: integer, upsampling factor.

    # Input shape
        3D tensor `(batch, steps, features)`.

    # Output shape
        3D tensor `(batch, upsampled_steps, features)`.
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(1, size, "channels_last", **kwargs)


class UpSampling2D(_UpSampling):
    """Upsampling layer for 2D inputs: repeats rows and columns.

    # Arguments
        size: int or tuple of 2 integers, the upsampling factors for rows and columns.
        data_format: `"channels_last"` or `"channels_first"`.
        interpolation: `"nearest"` (repeat) or `"bilinear"`.

    # Input shape
        4D tensor `(batch, rows, cols, channels)` or `(batch, channels, rows, cols)`.

    # Output shape
        4D tensor `(batch, upsampled_rows, upsampled_cols, channels)` or channels_first.
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(2, size, data_format, **kwargs)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError("UpSampling2D: `interpolation` must be 'nearest' or 'bilinear', "
                             f"got {interpolation!r}.")
        self.interpolation = interpolation

    def call(self, inputs):
        return K.resize_images(inputs, self.size[0], self.size[1], self.data_format,
                               interpolation=self.interpolation)

    def get_config(self):
        return dict(super().get_config(), interpolation=self.interpolation)


class UpSampling3D(_UpSampling):
    """Upsampling layer for 3D inputs: repeats the three spatial axes.

    # Arguments
        size: int or tuple of 3 integers, the upsampling factors.
        data_format: `"channels_last"` or `"channels_first"`.

    # Input shape
        5D tensor `(batch, dim1, dim2, dim3, channels)` or channels_first.

    # Output shape
        5D tensor with each spatial axis multiplied by its factor.
    """

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(3, size, data_format, **kwargs)


# Zero-padding.

class _ZeroPadding(_SpatialLayer):
    def __init__(self, rank, padding, data_format, **kwargs):
        super().__init__(rank, data_format, **kwargs)
        self.padding = _normalize_pairs(padding, rank, "padding", type(self).__name__)

    def _output_length(self, i, length):
        return length + sum(self.padding[i])

    def call(self, inputs):
        if self.rank == 1:
            return K.temporal_padding(inputs, padding=self.padding[0])
        if self.rank == 2:
            return K.spatial_2d_padding(inputs, padding=self.padding,
                                        data_format=self.data_format)
        return K.spatial_3d_padding(inputs, padding=self.padding, data_format=self.data_format)

    def get_config(self):
        padding = self.padding[0] if self.rank == 1 else self.padding
        return dict(super().get_config(), padding=padding)


class ZeroPadding1D(_ZeroPadding):
    """Zero-padding layer for 1D input (e.g. temporal sequence).

    # Arguments
        padding: int (the same on both sides) or tuple of 2 ints (before, after).

    # Input shape
        3D tensor `(batch, axis_to_pad, features)`.

    # Output shape
        3D tensor `(batch, padded_axis, features)`.
    """

    def __init__(self, padding=1, **kwargs):
        if isinstance(padding, int):
            padding = (padding, padding)
        super().__init__(1, (padding,), "channels_last", **kwargs)


class ZeroPadding2D(_ZeroPadding):
    """Zero-padding layer for 2D input (e.g. picture).

    # Arguments
        padding: int, tuple of 2 ints (symmetric row and column padding), or
            `((top, bottom), (left, right))`.
        data_format: `"channels_last"` or `"channels_first"`.

    # Input shape
        4D tensor `(batch, rows, cols, channels)` or `(batch, channels, rows, cols)`.

    # Output shape
        4D tensor `(batch, padded_rows, padded_cols, channels)` or channels_first.
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(2, padding, data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    """Zero-padding layer for 3D data (spatial or spatio-temporal).

    # Arguments
        padding: int, tuple of 3 ints, or 3 tuples of 2 ints `(before, after)`.
        data_format: `"channels_last"` or `"channels_first"`.

    # Input shape
        5D tensor `(batch, dim1, dim2, dim3, channels)` or channels_first.

    # Output shape
        5D tensor with each spatial axis padded.
    """

    def __init__(self, padding=(1, 1, 1), data_format=None, **kwargs):
        super().__init__(3, padding, data_format, **kwargs)


# Cropping.

class _Cropping(_SpatialLayer):
    def __init__(self, rank, cropping, data_format, **kwargs):
        super().__init__(rank, data_format, **kwargs)
        self.cropping = _normalize_pairs(cropping, rank, "cropping", type(self).__name__)

    def _output_length(self, i, length):
        remaining = length - sum(self.cropping[i])
        if remaining < 0:
            raise ValueError(f"{type(self).__name__} '{self.name}': cropping "
                             f"{self.cropping[i]} is larger than the input length {length}.")
        return remaining

    def call(self, inputs):
        index = [slice(None)] * (self.rank + 2)
        for (before, after), axis in zip(self.cropping, self._spatial_axes()):
            index[axis] = slice(before, -after if after else None)
        return inputs[tuple(index)]

    def get_config(self):
        cropping = self.cropping[0] if self.rank == 1 else self.cropping
        return dict(super().get_config(), cropping=cropping)


class Cropping1D(_Cropping):
    """Cropping layer for 1D input (e.g. temporal sequence).

    # Arguments
        cropping: int or tuple of 2 ints, the units to trim at the beginning and end.

    # Input shape
        3D tensor `(batch, axis_to_crop, features)`.

    # Output shape
        3D tensor `(batch, cropped_axis, features)`.
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        if isinstance(cropping, int):
            cropping = (cropping, cropping)
        super().__init__(1, (cropping,), "channels_last", **kwargs)


class Cropping2D(_Cropping):
    """Cropping layer for 2D input (e.g. picture).

    # Arguments
        cropping: int, tuple of 2 ints, or `((top_crop, bottom_crop), (left_crop,
            right_crop))`.
        data_format: `"channels_last"` or `"channels_first"`.

    # Input shape
        4D tensor `(batch, rows, cols, channels)` or `(batch, channels, rows, cols)`.

    # Output shape
        4D tensor `(batch, cropped_rows, cropped_cols, channels)` or channels_first.
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(2, cropping, data_format, **kwargs)


class Cropping3D(_Cropping):
    """Cropping layer for 3D data (e.g. spatial or spatio-temporal).

    # Arguments
        cropping: int, tuple of 3 ints, or 3 tuples of 2 ints `(before, after)`.
        data_format: `"channels_last"` or `"channels_first"`.

    # Input shape
        5D tensor `(batch, dim1, dim2, dim3, channels)` or channels_first.

    # Output shape
        5D tensor with each spatial axis cropped.
    """

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(3, cropping, data_format, **kwargs)
