"""`InputSpec`: what a layer accepts (rank, dtype, shape, sizes of given axes), and the check
run on every call, whose errors name the layer, the expected and the actual shape.
"""
from .. import backend as K


class InputSpec:
    """Specifies the rank, dtype and shape of every input to a layer.

    A layer sets `self.input_spec` (one spec, or a list with one per input); calling the layer
    checks each input against it and raises naming the layer, the expected and the actual shape.

    # Arguments
        dtype: expected dtype of the input.
        shape: expected shape tuple (None entries match any size).
        ndim: expected rank.
        max_ndim: maximum rank.
        min_ndim: minimum rank.
        axes: dict mapping axes (negative counts from the end) to their expected size.
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None):
        self.dtype = dtype
        self.shape = shape
        if shape is not None:
            self.ndim = len(shape)
        else:
            self.ndim = ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = axes or {}

    def __repr__(self):
        fields = [f"{name}={value}" for name, value in vars(self).items()
                  if value is not None and value != {}]
        return "InputSpec(" + ", ".join(fields) + ")"


def check_input_spec(layer, spec, x, which):
    """Raises naming the layer, the expected and the actual shape if `x` does not meet `spec`."""
    shape = K.int_shape(x)
    ndim = len(shape)
    prefix = f"{type(layer).__name__} '{layer.name}' expects {which}"
    got = f"got shape {shape_text(shape)}"
    if spec.ndim is not None and ndim != spec.ndim:
        raise ValueError(f"{prefix} of rank {spec.ndim} (ndim={spec.ndim}), {got} "
                         f"(ndim={ndim}).")
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        raise ValueError(f"{prefix} of rank at most {spec.max_ndim} "
                         f"(max_ndim={spec.max_ndim}), {got} (ndim={ndim}).")
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        raise ValueError(f"{prefix} of rank at least {spec.min_ndim} "
                         f"(min_ndim={spec.min_ndim}), {got} (ndim={ndim}).")
    if spec.dtype is not None and K.dtype(x) != spec.dtype:
        raise ValueError(f"{prefix} of dtype {spec.dtype}, got dtype {K.dtype(x)}.")
    for axis, value in spec.axes.items():
        position = axis if axis >= 0 else ndim + axis
        if value is None or not 0 <= position < ndim:
            continue
        if shape[position] not in (value, None):
            where = "last dimension" if axis == -1 else f"axis {axis}"
            raise ValueError(f"{prefix} whose {where} is {value}, {got}.")
    if spec.shape is not None:
        for expected, actual in zip(spec.shape, shape):
            if expected is not None and actual is not None and expected != actual:
                raise ValueError(f"{prefix} of shape {shape_text(spec.shape)}, {got}.")


def shape_text(shape):
    """A shape as Keras prints it: `(None, 32)`."""
    return str(tuple(shape)) if shape is not None else "unknown"
