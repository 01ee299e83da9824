"""Keras 2.2's NumPy helpers: `to_categorical` and `normalize`."""
import numpy as np


def to_categorical(y, num_classes=None, dtype="float32"):
    """Converts a class vector (integers) to a binary class matrix.

    # Arguments
        y: class vector of integers from 0 to num_classes - 1; a trailing axis of size 1 is
            dropped, as in Keras.
        num_classes: total number of classes (default: max(y) + 1).
        dtype: the dtype of the result.

    # Returns
        A one-hot array of shape `y.shape + (num_classes,)`.

    # Example

    ```python
    to_categorical([0, 2], 3)  # [[1, 0, 0], [0, 0, 1]]
    ```
    """
    y = np.array(y, dtype="int")
    input_shape = y.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    y = y.ravel()
    if not num_classes:
        num_classes = int(np.max(y)) + 1
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"to_categorical: class ids must lie in [0, {num_classes}), "
                         f"got min {y.min()} and max {y.max()}.")
    categorical = np.zeros((y.shape[0], num_classes), dtype=dtype)
    categorical[np.arange(y.shape[0]), y] = 1
    return np.reshape(categorical, input_shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """Normalizes an array along `axis` by its `order`-norm (zero vectors stay zero).

    # Arguments
        x: NumPy array.
        axis: the axis to normalize along.
        order: the norm order (2 for the L2 norm).

    # Returns
        A normalized copy of the array.
    """
    norms = np.atleast_1d(np.linalg.norm(x, order, axis))
    norms[norms == 0] = 1
    return x / np.expand_dims(norms, axis)
