"""Convolution and pooling in the Keras 2 backend API (conv1d ... local_conv2d).

Every function transposes channels_first inputs to channels_last, applies one of the channels_last
IR primitives of ir/ops/nn.py, and transposes back, as Keras 2.2's TensorFlow backend does.
Padding follows TensorFlow: 'same' puts the odd pad after; 'causal' (conv1d) pads
dilation_rate * (kernel_size - 1) before. Filters keep Keras' layout whatever the data_format:
(*kernel_size, input_channels, filters); transposed convolutions take (*kernel_size, filters,
input_channels).
"""
import numpy as np

from .. import ir
from ..ir.ops import nn as NN
from ..ir.ops import linalg as LA
from ..ir.ops import shape as S
from . import common
from .array_ops import dynamic_shape
from .tensor import Tensor, to_node, wrap

__all__ = ["conv1d", "conv2d", "conv3d", "conv2d_transpose", "conv3d_transpose",
           "separable_conv1d", "separable_conv2d", "depthwise_conv2d", "pool2d", "pool3d",
           "local_conv1d", "local_conv2d"]


# Arguments.

def _ints(value, rank, name, function):
    values = (value,) * rank if isinstance(value, (int, np.integer)) else tuple(value)
    if len(values) != rank or not all(isinstance(v, (int, np.integer)) for v in values):
        raise ValueError(f"{function}: `{name}` must be an int or {rank} ints, got {value!r}")
    return tuple(int(v) for v in values)


def _pads(padding, rank, function):
    if padding == "same":
        return "same"
    if padding == "valid":
        return ((0, 0),) * rank
    raise ValueError(f"{function}: invalid padding {padding!r}; expected 'same' or 'valid'")


def _channels_last(node, data_format):
    if data_format == "channels_first":
        return S.transpose(node, perm=(0,) + tuple(range(2, node.ndim)) + (1,))
    return node


def _restore_format(node, data_format):
    if data_format == "channels_first":
        return S.transpose(node, perm=(0, node.ndim - 1) + tuple(range(1, node.ndim - 1)))
    return node


def _input_node(x, rank, function, data_format):
    node = to_node(x)
    if node.ndim != rank + 2:
        layout = "(batch, channels, *spatial)" if data_format == "channels_first" \
            else "(batch, *spatial, channels)"
        raise ValueError(f"{function} expects a {rank + 2}D input {layout}, "
                         f"got shape {node.shape}")
    return node


def _kernel_node(kernel, rank, function, x):
    node = to_node(kernel, x.dtype if x.type.is_float else None)
    if node.ndim != rank + 2:
        raise ValueError(f"{function} expects a {rank + 2}D kernel (*kernel_size, in, out), "
                         f"got shape {node.shape}")
    return node


def _conv_channels_last(x, kernel, strides, padding, dilation_rate, rank, function,
                        depthwise=False):
    """conv of a channels_last node with a Keras kernel; depthwise kernels become groups."""
    w = _kernel_node(kernel, rank, function, x)
    groups = 1
    if depthwise:
        channels, multiplier = w.shape[-2], w.shape[-1]
        w = S.reshape(w, shape=w.shape[:-2] + (1, channels * multiplier))
        groups = channels
    return NN.conv(x, w, strides=_ints(strides, rank, "strides", function),
                   dilation=_ints(dilation_rate, rank, "dilation_rate", function),
                   pads=_pads(padding, rank, function), groups=groups)


def _convolve(x, kernel, strides, padding, data_format, dilation_rate, rank, function,
              depthwise=False):
    """The shared body of conv1d/2d/3d and depthwise_conv2d."""
    data_format = common.normalize_data_format(data_format)
    x = _channels_last(_input_node(x, rank, function, data_format), data_format)
    y = _conv_channels_last(x, kernel, strides, padding, dilation_rate, rank, function,
                            depthwise)
    return wrap(_restore_format(y, data_format))


# Convolutions.

def conv1d(x, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """1D convolution.

    # Arguments
        x: tensor of shape (batch, steps, channels) (channels_first: (batch, channels, steps)).
        kernel: kernel tensor of shape (kernel_size, channels, filters).
        strides: stride integer.
        padding: string, `"same"`, `"causal"` or `"valid"`.
        data_format: string, `"channels_last"` or `"channels_first"`.
        dilation_rate: integer dilate rate.

    # Returns
        A tensor, result of 1D convolution.

    # Raises
        ValueError: if `data_format` is neither `channels_last` or `channels_first`, or causal
            padding is asked for with channels_first.
    """
    data_format = common.normalize_data_format(data_format)
    if padding == "causal":
        if data_format != "channels_last":
            raise ValueError("conv1d: causal padding needs data_format 'channels_last' "
                             "(temporal data)")
        kernel_size = to_node(kernel).shape[0]
        left = _ints(dilation_rate, 1, "dilation_rate", "conv1d")[0] * (kernel_size - 1)
        x = wrap(S.pad(to_node(x), pads=((0, 0), (left, 0), (0, 0))))
        padding = "valid"
    return _convolve(x, kernel, strides, padding, data_format, dilation_rate, 1, "conv1d")


def conv2d(x, kernel, strides=(1, 1), padding="valid", data_format=None,
           dilation_rate=(1, 1)):
    """2D convolution.

    # Arguments
        x: tensor of shape (batch, rows, cols, channels) (or channels_first).
        kernel: kernel tensor of shape (rows, cols, channels, filters).
        strides: strides tuple.
        padding: string, `"same"` or `"valid"`.
        data_format: string, `"channels_last"` or `"channels_first"`.
        dilation_rate: tuple of 2 integers.

    # Returns
        A tensor, result of 2D convolution.

    # Raises
        ValueError: if `data_format` is neither `channels_last` or `channels_first`.
    """
    return _convolve(x, kernel, strides, padding, data_format, dilation_rate, 2, "conv2d")


def conv3d(x, kernel, strides=(1, 1, 1), padding="valid", data_format=None,
           dilation_rate=(1, 1, 1)):
    """3D convolution.

    # Arguments
        x: tensor of shape (batch, dim1, dim2, dim3, channels) (or channels_first).
        kernel: kernel tensor of shape (k1, k2, k3, channels, filters).
        strides: strides tuple.
        padding: string, `"same"` or `"valid"`.
        data_format: string, `"channels_last"` or `"channels_first"`.
        dilation_rate: tuple of 3 integers.

    # Returns
        A tensor, result of 3D convolution.
    """
    return _convolve(x, kernel, strides, padding, data_format, dilation_rate, 3, "conv3d")


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    """2D convolution with each input channel convolved separately.

    # Arguments
        x: input tensor.
        depthwise_kernel: kernel of shape (rows, cols, channels, depth_multiplier); output
            channel `c * depth_multiplier + m` comes from input channel `c`.
        strides, padding, data_format, dilation_rate: as for `conv2d`.

    # Returns
        Output tensor with channels * depth_multiplier channels.
    """
    return _convolve(x, depthwise_kernel, strides, padding, data_format, dilation_rate, 2,
                     "depthwise_conv2d", depthwise=True)


def _separable(x, depthwise_kernel, pointwise_kernel, strides, padding, data_format,
               dilation_rate, rank, function):
    """Depthwise convolution (strides, padding, dilation) then a pointwise one, as TF."""
    data_format = common.normalize_data_format(data_format)
    x = _channels_last(_input_node(x, rank, function, data_format), data_format)
    y = _conv_channels_last(x, depthwise_kernel, strides, padding, dilation_rate, rank,
                            function, depthwise=True)
    y = _conv_channels_last(y, pointwise_kernel, 1, "valid", 1, rank, function)
    return wrap(_restore_format(y, data_format))


def separable_conv1d(x, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                     data_format=None, dilation_rate=1):
    """1D depthwise convolution followed by a pointwise (kernel size 1) convolution.

    # Arguments
        x: input tensor.
        depthwise_kernel: kernel of shape (kernel_size, channels, depth_multiplier).
        pointwise_kernel: kernel of shape (1, channels * depth_multiplier, filters).
        strides: stride integer (applied by the depthwise step).
        padding: string, `"same"`, `"causal"` or `"valid"`.
        data_format: string, `"channels_last"` or `"channels_first"`.
        dilation_rate: integer dilation rate.

    # Returns
        Output tensor.
    """
    if padding == "causal":
        if common.normalize_data_format(data_format) != "channels_last":
            raise ValueError("separable_conv1d: causal padding needs data_format "
                             "'channels_last'")
        kernel_size = to_node(depthwise_kernel).shape[0]
        left = _ints(dilation_rate, 1, "dilation_rate", "separable_conv1d")[0] * \
            (kernel_size - 1)
        x = wrap(S.pad(to_node(x), pads=((0, 0), (left, 0), (0, 0))))
        padding = "valid"
    return _separable(x, depthwise_kernel, pointwise_kernel, strides, padding, data_format,
                      dilation_rate, 1, "separable_conv1d")


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding="valid",
                     data_format=None, dilation_rate=(1, 1)):
    """2D depthwise convolution followed by a pointwise (1x1) convolution.

    # Arguments
        x: input tensor.
        depthwise_kernel: kernel of shape (rows, cols, channels, depth_multiplier).
        pointwise_kernel: kernel of shape (1, 1, channels * depth_multiplier, filters).
        strides: strides tuple (applied by the depthwise step).
        padding: string, `"same"` or `"valid"`.
        data_format: string, `"channels_last"` or `"channels_first"`.
        dilation_rate: tuple of integers, dilation rates for the depthwise step.

    # Returns
        Output tensor.
    """
    return _separable(x, depthwise_kernel, pointwise_kernel, strides, padding, data_format,
                      dilation_rate, 2, "separable_conv2d")


# Transposed convolutions.

def _static_int(value):
    """An int for an int or a tensor computable without inputs; None otherwise."""
    if value is None:
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    node = to_node(value)
    if ir.free_leaves([node], "placeholder") or ir.free_leaves([node], "variable"):
        return None
    return int(np.asarray(ir.evaluate([node], {})[0]).reshape(()))


def _conv_transpose(x, kernel, output_shape, strides, padding, data_format, dilation_rate,
                    rank, function):
    data_format = common.normalize_data_format(data_format)
    x = _channels_last(_input_node(x, rank, function, data_format), data_format)
    w = _kernel_node(kernel, rank, function, x)
    if isinstance(output_shape, Tensor):
        output_shape = [output_shape[i] for i in range(rank + 2)]
    output_shape = list(output_shape)
    if len(output_shape) != rank + 2:
        raise ValueError(f"{function}: output_shape needs {rank + 2} entries, "
                         f"got {output_shape}")
    if data_format == "channels_first":
        output_shape = [output_shape[0]] + output_shape[2:] + [output_shape[1]]
    channels = _static_int(output_shape[-1])
    if channels is not None and channels != w.shape[-2]:
        raise ValueError(f"{function}: output_shape asks for {channels} channels but the "
                         f"kernel {w.shape} makes {w.shape[-2]}")
    spatial = tuple(_static_int(d) for d in output_shape[1:-1])
    like = ()
    if None in spatial:
        # Sizes known only at run time: a zero tensor of that shape carries them.
        dims = [(x, 0)] + [to_node(d) if s is None else s
                           for d, s in zip(output_shape[1:-1], spatial)] + [w.shape[-2]]
        hint = (x.shape[0],) + spatial + (w.shape[-2],)
        like = (S.fill(dynamic_shape(dims), value=0, dtype=x.dtype, hint=hint),)
    y = NN.conv_input_grad(x, w, *like, input_spatial=spatial,
                           strides=_ints(strides, rank, "strides", function),
                           dilation=_ints(dilation_rate, rank, "dilation_rate", function),
                           pads=_pads(padding, rank, function), groups=1)
    return wrap(_restore_format(y, data_format))


def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding="valid",
                     data_format=None, dilation_rate=(1, 1)):
    """2D deconvolution (i.e. transposed convolution).

    # Arguments
        x: input tensor.
        kernel: kernel tensor of shape (rows, cols, filters, input_channels).
        output_shape: 1D int tensor or tuple for the output shape, in `data_format` order
            (the batch entry may be None).
        strides: strides tuple.
        padding: string, `"same"` or `"valid"`.
        data_format: string, `"channels_last"` or `"channels_first"`.
        dilation_rate: tuple of 2 integers.

    # Returns
        A tensor, result of transposed 2D convolution.
    """
    return _conv_transpose(x, kernel, output_shape, strides, padding, data_format,
                           dilation_rate, 2, "conv2d_transpose")


def conv3d_transpose(x, kernel, output_shape, strides=(1, 1, 1), padding="valid",
                     data_format=None):
    """3D deconvolution (i.e. transposed convolution).

    # Arguments
        x: input tensor.
        kernel: kernel tensor of shape (k1, k2, k3, filters, input_channels).
        output_shape: 1D int tensor or tuple for the output shape, in `data_format` order.
        strides: strides tuple.
        padding: string, `"same"` or `"valid"`.
        data_format: string, `"channels_last"` or `"channels_first"`.

    # Returns
        A tensor, result of transposed 3D convolution.
    """
    return _conv_transpose(x, kernel, output_shape, strides, padding, data_format,
                           (1, 1, 1), 3, "conv3d_transpose")


# Pooling.

def _pool(x, pool_size, strides, padding, data_format, pool_mode, rank, function):
    data_format = common.normalize_data_format(data_format)
    if pool_mode not in ("max", "avg"):
        raise ValueError(f"{function}: invalid pooling mode {pool_mode!r}; "
                         f"expected 'max' or 'avg'")
    x = _channels_last(_input_node(x, rank, function, data_format), data_format)
    op = NN.max_pool if pool_mode == "max" else NN.avg_pool
    y = op(x, window=_ints(pool_size, rank, "pool_size", function),
           strides=_ints(strides, rank, "strides", function), pads=_pads(padding, rank, function))
    return wrap(_restore_format(y, data_format))


def pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format=None, pool_mode="max"):
    """2D Pooling.

    # Arguments
        x: tensor or variable.
        pool_size: tuple of 2 integers.
        strides: tuple of 2 integers.
        padding: string, `"same"` or `"valid"`. With 'same', average pooling divides by the
            number of real (unpadded) elements in each window, as TensorFlow.
        data_format: string, `"channels_last"` or `"channels_first"`.
        pool_mode: string, `"max"` or `"avg"`.

    # Returns
        A tensor, result of 2D pooling.

    # Raises
        ValueError: if `data_format` or `pool_mode` is not valid.
    """
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 2, "pool2d")


def pool3d(x, pool_size, strides=(1, 1, 1), padding="valid", data_format=None,
           pool_mode="max"):
    """3D Pooling.

    # Arguments
        x: tensor or variable.
        pool_size: tuple of 3 integers.
        strides: tuple of 3 integers.
        padding: string, `"same"` or `"valid"`.
        data_format: string, `"channels_last"` or `"channels_first"`.
        pool_mode: string, `"max"` or `"avg"`.

    # Returns
        A tensor, result of 3D pooling.
    """
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 3, "pool3d")


# Locally connected (unshared weights).

def _patch_filter(kernel_size, channels, channels_first, dtype):
    """A one-hot filter whose convolution copies each window into the feature axis, in Keras'
    feature order: (*kernel_size, channels) for channels_last, (channels, *kernel_size) for
    channels_first."""
    taps = int(np.prod(kernel_size))
    eye = np.zeros(tuple(kernel_size) + (channels, taps * channels), dtype=dtype)
    for tap, offset in enumerate(np.ndindex(*kernel_size)):
        for c in range(channels):
            feature = c * taps + tap if channels_first else tap * channels + c
            eye[offset + (c, feature)] = 1
    return ir.constant(eye)


def _local_conv(inputs, kernel, kernel_size, strides, output_spatial, data_format, rank,
                function):
    data_format = common.normalize_data_format(data_format)
    x = _channels_last(_input_node(inputs, rank, function, data_format), data_format)
    w = to_node(kernel, x.dtype)
    kernel_size = _ints(kernel_size, rank, "kernel_size", function)
    channels = x.shape[-1]
    if w.ndim != 3 or w.shape[1] != int(np.prod(kernel_size)) * channels:
        raise ValueError(f"{function}: kernel must be (output positions, "
                         f"{int(np.prod(kernel_size)) * channels}, filters), got {w.shape}")
    patches = NN.conv(x, _patch_filter(kernel_size, channels, data_format == "channels_first",
                                       x.dtype),
                      strides=_ints(strides, rank, "strides", function), dilation=(1,) * rank,
                      pads=((0, 0),) * rank, groups=1)
    spatial = patches.shape[1:-1] if output_spatial is None else tuple(output_spatial)
    positions = int(np.prod(spatial))
    if patches.shape[1:-1] != spatial or positions != w.shape[0]:
        raise ValueError(f"{function}: the input {x.shape} gives output positions "
                         f"{patches.shape[1:-1]}, but the kernel {w.shape} and output_shape "
                         f"{output_spatial} expect {w.shape[0]}")
    rows = S.transpose(S.reshape(patches, shape=(-1, positions, w.shape[1])), perm=(1, 0, 2))
    y = S.transpose(LA.matmul(rows, w), perm=(1, 0, 2))
    y = S.reshape(y, shape=(-1,) + spatial + (w.shape[-1],))
    return wrap(_restore_format(y, data_format))


def local_conv1d(inputs, kernel, kernel_size, strides, data_format=None):
    """Apply 1D conv with un-shared weights.

    # Arguments
        inputs: 3D tensor with shape (batch_size, steps, input_dim).
        kernel: the unshared weight for convolution, with shape
            (output_length, kernel_size * input_dim, filters).
        kernel_size: a tuple of a single integer, the 1D convolution window.
        strides: a tuple of a single integer, the stride length.
        data_format: the data format, channels_first or channels_last.

    # Returns
        The tensor after 1D conv with un-shared weights, shape
        (batch_size, output_length, filters).
    """
    return _local_conv(inputs, kernel, kernel_size, strides, None, data_format, 1,
                       "local_conv1d")


def local_conv2d(inputs, kernel, kernel_size, strides, output_shape, data_format=None):
    """Apply 2D conv with un-shared weights.

    # Arguments
        inputs: 4D tensor (batch_size, rows, cols, channels) or channels_first.
        kernel: the unshared weight for convolution, with shape
            (output_rows * output_cols, feature_dim, filters); features are ordered
            (row, col, channel) for channels_last and (channel, row, col) for channels_first.
        kernel_size: a tuple of 2 integers, the 2D convolution window.
        strides: a tuple of 2 integers, the strides of the convolution.
        output_shape: a tuple with (output_row, output_col).
        data_format: the data format, channels_first or channels_last.

    # Returns
        A 4D tensor with shape (batch_size, new_rows, new_cols, filters) (or channels_first).
    """
    return _local_conv(inputs, kernel, kernel_size, strides, output_shape, data_format, 2,
                       "local_conv2d")
