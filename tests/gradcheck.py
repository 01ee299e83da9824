"""Central finite differences, the reference every gradient rule is checked against."""
import numpy as np


def numeric_gradient(f, arrays, index, eps=1e-6):
    """d f(arrays) / d arrays[index] by central differences; f returns a float."""
    x = arrays[index]
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + eps
        up = f(arrays)
        x[i] = saved - eps
        down = f(arrays)
        x[i] = saved
        grad[i] = (up - down) / (2 * eps)
    return grad
