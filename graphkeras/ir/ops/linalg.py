"""Matrix products: the one primitive that goes to BLAS."""
import numpy as np

from ..registry import define_op
from ..types import TensorType, broadcast_shapes, result_dtype


def _matmul_infer(x, y):
    if x.ndim < 2 or y.ndim < 2:
        raise ValueError("matmul needs inputs of rank >= 2 (the backend reshapes vectors)")
    k1, k2 = x.shape[-1], y.shape[-2]
    if k1 is not None and k2 is not None and k1 != k2:
        raise ValueError(f"inner dimensions differ: {x.shape} @ {y.shape}")
    batch = broadcast_shapes(x.shape[:-2], y.shape[:-2], op="matmul")
    return TensorType(result_dtype(x.dtype, y.dtype), batch + (x.shape[-2], y.shape[-1]))


def swap_last(x):
    """x with its last two axes exchanged."""
    from .shape import transpose
    perm = tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2)
    return transpose(x, perm=perm)


matmul = define_op(
    "matmul", infer=_matmul_infer, reference=np.matmul,
    vjp=lambda g, z, x, y: [matmul(g, swap_last(y)), matmul(swap_last(x), g)],
    kernel="matmul",
    doc="np.matmul semantics (batched over leading axes). A primitive: it lowers to GEMM.")
