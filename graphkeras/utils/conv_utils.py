"""Keras 2.2's `utils.conv_utils`: argument normalization and output-length arithmetic."""
import numpy as np

from ..backend.common import normalize_data_format  # noqa: F401  (Keras 2.2 exports it here)


def normalize_tuple(value, n, name):
    """An int or an iterable of n ints, as a tuple of n ints."""
    if isinstance(value, int):
        return (value,) * n
    try:
        values = tuple(value)
    except TypeError:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. "
                         f"Received: {value}") from None
    if len(values) != n or not all(isinstance(v, (int, np.integer)) for v in values):
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. "
                         f"Received: {value}")
    return tuple(int(v) for v in values)


def normalize_padding(value):
    padding = value.lower()
    if padding not in {"valid", "same", "causal", "full"}:
        raise ValueError("The `padding` argument must be one of \"valid\", \"same\" "
                         f"(or \"causal\" for Conv1D). Received: {value}")
    return padding


def convert_kernel(kernel):
    """Flip a kernel's spatial axes (Theano <-> TensorFlow convolution convention)."""
    kernel = np.asarray(kernel)
    if not 3 <= kernel.ndim <= 5:
        raise ValueError(f"Invalid kernel shape: {kernel.shape}")
    spatial = tuple(slice(None, None, -1) for _ in range(kernel.ndim - 2))
    return np.copy(kernel[spatial + (slice(None), slice(None))])


def conv_output_length(input_length, filter_size, padding, stride, dilation=1):
    """Length of a convolution's output along one axis; None stays None."""
    if input_length is None:
        return None
    if padding not in {"same", "valid", "full", "causal"}:
        raise ValueError(f"unknown padding {padding!r}")
    dilated = filter_size + (filter_size - 1) * (dilation - 1)
    if padding in ("same", "causal"):
        length = input_length
    elif padding == "valid":
        length = input_length - dilated + 1
    else:
        length = input_length + dilated - 1
    return (length + stride - 1) // stride


def conv_input_length(output_length, filter_size, padding, stride):
    """Inverse of conv_output_length (without dilation)."""
    if output_length is None:
        return None
    if padding not in {"same", "valid", "full"}:
        raise ValueError(f"unknown padding {padding!r}")
    pad = {"same": filter_size // 2, "valid": 0, "full": filter_size - 1}[padding]
    return (output_length - 1) * stride - 2 * pad + filter_size


def deconv_length(dim_size, stride_size, kernel_size, padding, output_padding=None,
                  dilation=1):
    """Output length of a transposed convolution (Keras 2.2.4's rule)."""
    if dim_size is None:
        return None
    kernel_size = kernel_size + (kernel_size - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return dim_size * stride_size + max(kernel_size - stride_size, 0)
        if padding == "full":
            return dim_size * stride_size - (stride_size + kernel_size - 2)
        return dim_size * stride_size
    pad = {"same": kernel_size // 2, "valid": 0, "full": kernel_size - 1}[padding]
    return (dim_size - 1) * stride_size + kernel_size - 2 * pad + output_padding
