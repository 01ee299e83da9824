"""NumPy references for convolution and pooling layers, written as direct loops over kernel taps
and output positions (channels_last; tests transpose channels_first data around them)."""
import numpy as np


def same_pads(length, window, stride, dilation=1):
    """TensorFlow's 'same' padding along one axis: (before, after), the odd pad after."""
    effective = (window - 1) * dilation + 1
    out = -(-length // stride)
    total = max((out - 1) * stride + effective - length, 0)
    return total // 2, total - total // 2


def conv(x, w, strides, padding, dilation):
    """N-D convolution: x (batch, *spatial, in), w (*kernel, in, out)."""
    rank = x.ndim - 2
    kernel = w.shape[:rank]
    if padding == "same":
        pads = [same_pads(x.shape[1 + i], kernel[i], strides[i], dilation[i])
                for i in range(rank)]
        x = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    effective = [(kernel[i] - 1) * dilation[i] + 1 for i in range(rank)]
    out = [(x.shape[1 + i] - effective[i]) // strides[i] + 1 for i in range(rank)]
    y = np.zeros((x.shape[0],) + tuple(out) + (w.shape[-1],), dtype=np.float64)
    for tap in np.ndindex(*kernel):
        index = tuple(slice(tap[i] * dilation[i],
                            tap[i] * dilation[i] + (out[i] - 1) * strides[i] + 1, strides[i])
                      for i in range(rank))
        y += x[(slice(None),) + index] @ w[tap]
    return y


def conv_transpose(x, w, strides, padding, output_lengths):
    """Transposed convolution: x (batch, *spatial, in), w (*kernel, out, in)."""
    rank = x.ndim - 2
    kernel = w.shape[:rank]
    full = [(x.shape[1 + i] - 1) * strides[i] + kernel[i] for i in range(rank)]
    size = [max(full[i], output_lengths[i] + kernel[i]) for i in range(rank)]
    y = np.zeros((x.shape[0],) + tuple(size) + (w.shape[-2],), dtype=np.float64)
    for position in np.ndindex(*x.shape[1:-1]):
        for tap in np.ndindex(*kernel):
            target = tuple(position[i] * strides[i] + tap[i] for i in range(rank))
            y[(slice(None),) + target] += x[(slice(None),) + position] @ w[tap].T
    if padding == "same":
        before = [same_pads(output_lengths[i], kernel[i], strides[i])[0] for i in range(rank)]
    else:
        before = [0] * rank
    index = tuple(slice(before[i], before[i] + output_lengths[i]) for i in range(rank))
    return y[(slice(None),) + index]


def depthwise(x, w, strides, padding, dilation):
    """Depthwise convolution: w (*kernel, channels, multiplier); output channel c * M + m."""
    channels, multiplier = w.shape[-2:]
    outputs = []
    for c in range(channels):
        for m in range(multiplier):
            outputs.append(conv(x[..., c:c + 1], w[..., c:c + 1, m:m + 1], strides, padding,
                                dilation))
    return np.concatenate(outputs, axis=-1)


def pool(x, window, strides, padding, mode):
    """Max or average pooling; average excludes padded positions, as TensorFlow."""
    rank = x.ndim - 2
    if padding == "same":
        pads = [same_pads(x.shape[1 + i], window[i], strides[i]) for i in range(rank)]
        out = [-(-x.shape[1 + i] // strides[i]) for i in range(rank)]
    else:
        pads = [(0, 0)] * rank
        out = [(x.shape[1 + i] - window[i]) // strides[i] + 1 for i in range(rank)]
    y = np.zeros((x.shape[0],) + tuple(out) + (x.shape[-1],), dtype=np.float64)
    for position in np.ndindex(*out):
        index = []
        for i in range(rank):
            start = position[i] * strides[i] - pads[i][0]
            index.append(slice(max(start, 0), min(start + window[i], x.shape[1 + i])))
        patch = x[(slice(None),) + tuple(index)]
        axes = tuple(range(1, rank + 1))
        value = patch.max(axis=axes) if mode == "max" else patch.mean(axis=axes)
        y[(slice(None),) + position] = value
    return y


def locally_connected(x, kernel, bias, kernel_size, strides, channels_first):
    """Unshared convolution: kernel (positions, window features, filters), features ordered
    (*kernel, channel) for channels_last and (channel, *kernel) for channels_first; x and the
    result channels_last; bias (*output_spatial, filters)."""
    rank = x.ndim - 2
    out = [(x.shape[1 + i] - kernel_size[i]) // strides[i] + 1 for i in range(rank)]
    y = np.zeros((x.shape[0],) + tuple(out) + (kernel.shape[-1],), dtype=np.float64)
    for number, position in enumerate(np.ndindex(*out)):
        index = tuple(slice(position[i] * strides[i], position[i] * strides[i] + kernel_size[i])
                      for i in range(rank))
        patch = x[(slice(None),) + index]
        if channels_first:
            patch = np.moveaxis(patch, -1, 1)
        y[(slice(None),) + position] = patch.reshape(x.shape[0], -1) @ kernel[number]
    return y + bias
