"""Random draws. Each op owns an RngState, so no two draws are merged and every call differs."""
import numpy as np

from ..registry import define_op, not_differentiable
from ..types import TensorType


def _draw(shape, *, distribution, a, b, dtype, rng, hint):
    gen = rng.generator
    size = tuple(int(d) for d in shape)
    if distribution == "uniform":
        out = gen.uniform(a, b, size)
    elif distribution == "normal":
        out = gen.normal(a, b, size)
    elif distribution == "truncated_normal":
        out = gen.normal(0.0, 1.0, size)
        bad = np.abs(out) > 2
        while bad.any():
            out[bad] = gen.normal(0.0, 1.0, int(bad.sum()))
            bad = np.abs(out) > 2
        out = a + b * out
    elif distribution == "binomial":
        out = (gen.uniform(0.0, 1.0, size) < a)
    else:
        raise ValueError(f"unknown distribution {distribution!r}")
    return out.astype(dtype)


random = define_op(
    "random",
    infer=lambda shape, *, distribution, a, b, dtype, rng, hint: TensorType(dtype, hint),
    reference=_draw, vjp=not_differentiable("a random draw has no gradient"),
    kernel="random", impure=True,
    doc="uniform(a, b), normal(mean a, std b), truncated_normal (within 2 std), "
        "binomial(p=a). `shape` is a run-time int vector, `hint` its static value.")
