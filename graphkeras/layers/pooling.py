"""Pooling layers, as in Keras 2.2.4's keras/layers/pooling.py.

MaxPooling/AveragePooling 1D/2D/3D and their global variants. 1D pooling runs `K.pool2d` over
an inserted axis of size 1, as Keras 2.2 does. Global pooling takes tf.keras' `keepdims`
(keep the spatial axes with size 1); GlobalAveragePooling1D averages only unmasked steps when
given a mask.
"""
from .. import backend as K
from ..engine.base_layer import InputSpec, Layer
from ..engine.input_spec import shape_text
from ..utils import conv_utils


class _Pooling(Layer):
    """Abstract N-D pooling layer (private).

    # Arguments
        rank: number of spatial axes.
        pool_mode: `"max"` or `"avg"`.
        pool_size: int or tuple of `rank` ints, the window.
        strides: int or tuple of `rank` ints; `None` means `pool_size`.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"`.
    """

    def __init__(self, rank, pool_mode, pool_size, strides, padding, data_format, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.pool_mode = pool_mode
        if strides is None:
            strides = pool_size
        self.pool_size = conv_utils.normalize_tuple(pool_size, rank, "pool_size")
        self.strides = conv_utils.normalize_tuple(strides, rank, "strides")
        self.padding = conv_utils.normalize_padding(padding)
        if self.padding not in ("valid", "same"):
            raise ValueError(f"{type(self).__name__}: padding must be 'valid' or 'same', "
                             f"got {padding!r}.")
        self.data_format = K.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=rank + 2)

    def compute_output_shape(self, input_shape):
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"{type(self).__name__} '{self.name}' expects inputs of rank "
                             f"{self.rank + 2}, got shape {shape_text(input_shape)}.")
        start = 2 if self.data_format == "channels_first" else 1
        shape = list(input_shape)
        for i in range(self.rank):
            shape[start + i] = conv_utils.conv_output_length(shape[start + i],
                                                             self.pool_size[i], self.padding,
                                                             self.strides[i])
        return tuple(shape)

    def call(self, inputs):
        if self.rank == 1:
            # Keras 2.2: pool2d over (steps, 1), then drop the inserted axis.
            dummy_axis = 2 if self.data_format == "channels_last" else 3
            expanded = K.expand_dims(inputs, dummy_axis)
            pooled = K.pool2d(expanded, self.pool_size + (1,), strides=self.strides + (1,),
                              padding=self.padding, data_format=self.data_format,
                              pool_mode=self.pool_mode)
            return K.squeeze(pooled, dummy_axis)
        pool = K.pool2d if self.rank == 2 else K.pool3d
        return pool(inputs, self.pool_size, strides=self.strides, padding=self.padding,
                    data_format=self.data_format, pool_mode=self.pool_mode)

    def get_config(self):
        config = {"pool_size": self.pool_size, "padding": self.padding,
                  "strides": self.strides, "data_format": self.data_format}
        return dict(super().get_config(), **config)


def _pooling_class(name, rank, pool_mode, default_pool, default_format, summary):
    """A public pooling class with Keras 2.2.4's defaults for its rank."""

    def __init__(self, pool_size=default_pool, strides=None, padding="valid",
                 data_format=default_format, **kwargs):
        _Pooling.__init__(self, rank, pool_mode, pool_size, strides, padding, data_format,
                          **kwargs)

    axes = {1: "steps", 2: "rows, cols", 3: "dim1, dim2, dim3"}[rank]
    doc = f"""{summary}

    # Arguments
        pool_size: int or tuple of {rank} ints, the pooling window (default {default_pool}).
        strides: int or tuple of {rank} ints; `None` (default) means `pool_size`.
        padding: `"valid"` or `"same"` (TensorFlow's rule: the odd pad goes after).
        data_format: `"channels_last"` ((batch, {axes}, channels)) or `"channels_first"`.

    # Input shape
        {rank + 2}D tensor `(batch, {axes}, channels)` or `(batch, channels, {axes})`.

    # Output shape
        {rank + 2}D tensor `(batch, pooled_{axes.replace(", ", ", pooled_")}, channels)` or
        channels_first.
    """
    return type(name, (_Pooling,), {"__init__": __init__, "__doc__": doc,
                                    "__module__": __name__})


MaxPooling1D = _pooling_class("MaxPooling1D", 1, "max", 2, "channels_last",
                              "Max pooling operation for temporal data.")
AveragePooling1D = _pooling_class("AveragePooling1D", 1, "avg", 2, "channels_last",
                                  "Average pooling for temporal data.")
MaxPooling2D = _pooling_class("MaxPooling2D", 2, "max", (2, 2), None,
                              "Max pooling operation for spatial data.")
AveragePooling2D = _pooling_class("AveragePooling2D", 2, "avg", (2, 2), None,
                                  "Average pooling operation for spatial data.")
MaxPooling3D = _pooling_class("MaxPooling3D", 3, "max", (2, 2, 2), None,
                              "Max pooling operation for 3D data (spatial or spatio-temporal).")
AveragePooling3D = _pooling_class("AveragePooling3D", 3, "avg", (2, 2, 2), None,
                                  "Average pooling operation for 3D data (spatial or "
                                  "spatio-temporal).")


class _GlobalPooling(Layer):
    """Abstract global pooling layer over `rank` spatial axes (private).

    # Arguments
        rank: number of spatial axes.
        pool_mode: `"max"` or `"avg"`.
        data_format: `"channels_last"` or `"channels_first"`.
        keepdims: keep the spatial axes with length 1 (tf.keras).
    """

    def __init__(self, rank, pool_mode, data_format, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.pool_mode = pool_mode
        self.data_format = K.normalize_data_format(data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=rank + 2)

    def _spatial_axes(self):
        start = 2 if self.data_format == "channels_first" else 1
        return tuple(range(start, start + self.rank))

    def compute_output_shape(self, input_shape):
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"{type(self).__name__} '{self.name}' expects inputs of rank "
                             f"{self.rank + 2}, got shape {shape_text(input_shape)}.")
        spatial = self._spatial_axes()
        if self.keepdims:
            return tuple(1 if axis in spatial else d for axis, d in enumerate(input_shape))
        return tuple(d for axis, d in enumerate(input_shape) if axis not in spatial)

    def call(self, inputs):
        reduce = K.max if self.pool_mode == "max" else K.mean
        return reduce(inputs, axis=list(self._spatial_axes()), keepdims=self.keepdims)

    def get_config(self):
        config = {"data_format": self.data_format, "keepdims": self.keepdims}
        return dict(super().get_config(), **config)


class GlobalAveragePooling1D(_GlobalPooling):
    """Global average pooling operation for temporal data.

    With a mask (e.g. after `Masking` or `Embedding(mask_zero=True)`), only unmasked steps are
    averaged.

    # Arguments
        data_format: `"channels_last"` (default, `(batch, steps, features)`) or
            `"channels_first"`.
        keepdims: keep the temporal axis with length 1.

    # Input shape
        3D tensor `(batch, steps, features)` or `(batch, features, steps)`.

    # Output shape
        2D tensor `(batch, features)`; `(batch, 1, features)` with `keepdims`.
    """

    def __init__(self, data_format="channels_last", keepdims=False, **kwargs):
        super().__init__(1, "avg", data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        steps_axis = self._spatial_axes()[0]
        weights = K.cast(mask, K.dtype(inputs))
        weights = K.expand_dims(weights, 2 if steps_axis == 1 else 1)
        total = K.sum(inputs * weights, axis=steps_axis, keepdims=self.keepdims)
        return total / K.sum(weights, axis=steps_axis, keepdims=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None


def _global_class(name, rank, pool_mode, default_format, summary):
    """A public global pooling class with Keras 2.2.4's defaults for its rank."""

    def __init__(self, data_format=default_format, keepdims=False, **kwargs):
        _GlobalPooling.__init__(self, rank, pool_mode, data_format, keepdims=keepdims,
                                **kwargs)

    axes = {1: "steps", 2: "rows, cols", 3: "dim1, dim2, dim3"}[rank]
    doc = f"""{summary}

    # Arguments
        data_format: `"channels_last"` ((batch, {axes}, channels)) or `"channels_first"`.
        keepdims: keep the spatial axes with length 1 (tf.keras).

    # Input shape
        {rank + 2}D tensor `(batch, {axes}, channels)` or `(batch, channels, {axes})`.

    # Output shape
        2D tensor `(batch, channels)`; with `keepdims`, the input's rank with spatial
        lengths 1.
    """
    return type(name, (_GlobalPooling,), {"__init__": __init__, "__doc__": doc,
                                          "__module__": __name__})


GlobalMaxPooling1D = _global_class("GlobalMaxPooling1D", 1, "max", "channels_last",
                                   "Global max pooling operation for temporal data.")
GlobalMaxPooling2D = _global_class("GlobalMaxPooling2D", 2, "max", None,
                                   "Global max pooling operation for spatial data.")
GlobalAveragePooling2D = _global_class("GlobalAveragePooling2D", 2, "avg", None,
                                       "Global average pooling operation for spatial data.")
GlobalMaxPooling3D = _global_class("GlobalMaxPooling3D", 3, "max", None,
                                   "Global max pooling operation for 3D data.")
GlobalAveragePooling3D = _global_class("GlobalAveragePooling3D", 3, "avg", None,
                                       "Global average pooling operation for 3D data.")

# Aliases (Keras 2.2.4).
AvgPool1D = AveragePooling1D
MaxPool1D = MaxPooling1D
AvgPool2D = AveragePooling2D
MaxPool2D = MaxPooling2D
AvgPool3D = AveragePooling3D
MaxPool3D = MaxPooling3D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalMaxPool3D = GlobalMaxPooling3D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalAvgPool3D = GlobalAveragePooling3D
