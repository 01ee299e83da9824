"""Static tensor types: a dtype and a shape whose unknown dimensions are None."""
import numpy as np


def canonical_dtype(dtype):
    """Return the NumPy name of a dtype-like value ('float32', 'int64', 'bool', ...)."""
    if dtype is None:
        raise TypeError("dtype must not be None")
    if isinstance(dtype, str) and dtype in _ALIASES:
        dtype = _ALIASES[dtype]
    return np.dtype(dtype).name


_ALIASES = {"float": "float32", "int": "int32", "uint": "uint32"}


class TensorType:
    """The static type of an IR value.

    Invariant: `dtype` is a canonical NumPy dtype name and `shape` a tuple whose entries are
    non-negative ints or None (unknown until run time, such as the batch dimension).
    """

    __slots__ = ("dtype", "shape", "_hash")

    def __init__(self, dtype, shape):
        self.dtype = canonical_dtype(dtype)
        self.shape = tuple(None if d is None else int(d) for d in shape)
        for d in self.shape:
            if d is not None and d < 0:
                raise ValueError(f"negative dimension in shape {self.shape}")
        self._hash = hash((self.dtype, self.shape))

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def is_float(self):
        return np.dtype(self.dtype).kind == "f"

    @property
    def is_integer(self):
        return np.dtype(self.dtype).kind in "iub"

    def is_static(self):
        return all(d is not None for d in self.shape)

    def __eq__(self, other):
        return (isinstance(other, TensorType) and self.dtype == other.dtype
                and self.shape == other.shape)

    def __hash__(self):
        return self._hash

    def __repr__(self):
        dims = ", ".join("None" if d is None else str(d) for d in self.shape)
        return f"{self.dtype}[{dims}]"


class TupleType:
    """The type of a multi-output node (scan, batch statistics): a tuple of TensorTypes."""

    __slots__ = ("types", "_hash")

    def __init__(self, types):
        self.types = tuple(types)
        self._hash = hash(self.types)

    def __eq__(self, other):
        return isinstance(other, TupleType) and self.types == other.types

    def __hash__(self):
        return self._hash

    def __len__(self):
        return len(self.types)

    def __repr__(self):
        return "(" + ", ".join(map(repr, self.types)) + ")"


def broadcast_shapes(*shapes, op="broadcast"):
    """NumPy broadcasting of static shapes; None meets a number as that number unless it is 1."""
    ndim = max((len(s) for s in shapes), default=0)
    padded = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes]
    out = []
    for axis in range(ndim):
        dims = [s[axis] for s in padded]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise ValueError(
                f"{op}: shapes {', '.join(map(str, shapes))} cannot be broadcast together "
                f"(axis {axis - ndim} has sizes {sorted(known)})")
        if known:
            out.append(known.pop())
        elif any(d is None for d in dims):
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def result_dtype(*dtypes):
    """Promotion of input dtypes as NumPy does it for arrays."""
    return np.result_type(*[np.dtype(d) for d in dtypes]).name
