"""Vectorizable float32 transcendentals for generated kernels: exp, log and tanh.

Numba >= 0.62 has no SVML, so `np.exp` inside a loop is a scalar libm call (exp over 1M
float32: about 4.3 ms against NumPy's 0.47 ms, measured on this 2-core machine). These
versions use only arithmetic, `floor`, compares and an integer-to-float bit cast, so LLVM
vectorizes the loops that call them. Accuracy against NumPy: a few ulp (see tests).
"""
import operator

import numpy as np
from llvmlite import ir as llvm_ir

from .numba_loader import load_numba

numba = load_numba()
from numba import types  # noqa: E402
from numba.core.typing import signature  # noqa: E402
from numba.extending import intrinsic  # noqa: E402

LOG2E = np.float32(1.4426950408889634)
# ln 2 split so that k * LN2_HI is exact in float32 for |k| <= 128 (Cody and Waite).
LN2_HI = np.float32(0.693359375)
LN2_LO = np.float32(-2.12194440e-4)
# Above this exp overflows float32; below EXP_LOW the result is under 2**-125 and we return 0
# (the true value is below 1.7e-38, far inside any tolerance).
EXP_HIGH = np.float32(88.72283)
EXP_LOW = np.float32(-87.0)


def _choose(compare):
    """An intrinsic with Python's max (operator.gt) or min (operator.lt) of two numbers:
    `y if compare(y, x) else x`, one compare and one select. Numba's own max() and min()
    are overloads, and each process compiled their implementation for every argument type
    before a kernel using them could compile (about 0.15 s each, measured); an intrinsic is
    typed and lowered directly. Generated kernels and the helpers below use these."""
    @intrinsic
    def choose(typingctx, x, y):
        result = typingctx.unify_types(x, y)
        if not isinstance(result, (types.Number, types.Boolean)):
            return None

        def codegen(context, builder, sig, args):
            a = context.cast(builder, args[0], sig.args[0], result)
            b = context.cast(builder, args[1], sig.args[1], result)
            test = context.get_function(compare, signature(types.boolean, result, result))
            return builder.select(test(builder, (b, a)), b, a)
        return signature(result, x, y), codegen
    return choose


max2 = _choose(operator.gt)
min2 = _choose(operator.lt)


@intrinsic
def _bits_to_float32(typingctx, bits):
    """Reinterpret the bits of an int32 as a float32 (a register move, so it vectorizes)."""
    signature = types.float32(types.int32)

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], llvm_ir.FloatType())
    return signature, codegen


@numba.njit(inline="always", error_model="numpy", fastmath={"contract"}, cache=True)
def exp_f32(x):
    """exp(x) for float32 x: 2**k * p(r) with r = x - k ln2 in [-ln2/2, ln2/2]."""
    clamped = min2(max2(x, EXP_LOW), EXP_HIGH)
    k = np.floor(clamped * LOG2E + np.float32(0.5))
    r = clamped - k * LN2_HI
    r = r - k * LN2_LO
    # Taylor series of exp(r) to degree 7: the remainder is below 6e-9 for |r| <= ln2/2.
    p = np.float32(1.0 / 5040.0)
    p = p * r + np.float32(1.0 / 720.0)
    p = p * r + np.float32(1.0 / 120.0)
    p = p * r + np.float32(1.0 / 24.0)
    p = p * r + np.float32(1.0 / 6.0)
    p = p * r + np.float32(0.5)
    p = p * r + np.float32(1.0)
    p = p * r + np.float32(1.0)
    # 2**(k-1) fits the exponent field for k in [-125, 128]; multiply by 2 afterwards.
    scale = _bits_to_float32(np.int32((np.int32(k) + np.int32(126)) << np.int32(23)))
    result = p * scale * np.float32(2.0)
    result = np.float32(0.0) if x < EXP_LOW else result
    result = np.float32(np.inf) if x > EXP_HIGH else result
    return x if x != x else result


@intrinsic
def _float32_to_bits(typingctx, value):
    """Reinterpret the bits of a float32 as an int32."""
    signature = types.int32(types.float32)

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], llvm_ir.IntType(32))
    return signature, codegen


SQRT_HALF = np.float32(0.70710678)
LN2 = np.float32(0.6931471805599453)
TWO_23 = np.float32(8388608.0)


@numba.njit(inline="always", error_model="numpy", fastmath={"contract"}, cache=True)
def log_f32(x):
    """log(x) for float32 x: e ln2 + log(m), m in [sqrt(1/2), sqrt(2)), through atanh."""
    # Subnormal inputs are scaled into the normal range first (by 2**23, undone below).
    tiny = x < np.float32(1.17549435e-38)
    scaled = x * TWO_23 if tiny else x
    bits = _float32_to_bits(scaled)
    exponent = ((bits >> np.int32(23)) & np.int32(255)) - np.int32(127)
    m = _bits_to_float32((bits & np.int32(0x7FFFFF)) | np.int32(0x3F800000))
    big = m > np.float32(1.41421356)
    m = m * np.float32(0.5) if big else m
    e = np.float32(exponent) + (np.float32(1.0) if big else np.float32(0.0))
    e = e - (np.float32(23.0) if tiny else np.float32(0.0))
    # log(m) = 2 atanh(s) with s = (m - 1) / (m + 1), |s| <= 0.1716: odd series to s**9.
    s = (m - np.float32(1.0)) / (m + np.float32(1.0))
    z = s * s
    series = np.float32(2.0 / 9.0)
    series = series * z + np.float32(2.0 / 7.0)
    series = series * z + np.float32(2.0 / 5.0)
    series = series * z + np.float32(2.0 / 3.0)
    series = series * z + np.float32(2.0)
    result = e * LN2 + s * series
    result = -np.float32(np.inf) if x == np.float32(0.0) else result
    result = np.float32(np.nan) if x < np.float32(0.0) else result
    return x if not (x < np.float32(np.inf)) else result


@numba.njit(inline="always", error_model="numpy", fastmath={"contract"}, cache=True)
def tanh_f32(x):
    """tanh for float32: an odd Taylor polynomial near 0, 1 - 2 / (exp(2|x|) + 1) elsewhere."""
    a = abs(x)
    # Near 0 the exp form cancels; the series to x**9 has error below 2e-9 for |x| < 0.25.
    s = x * x
    small = np.float32(62.0 / 2835.0)
    small = small * s - np.float32(17.0 / 315.0)
    small = small * s + np.float32(2.0 / 15.0)
    small = small * s - np.float32(1.0 / 3.0)
    small = x + x * s * small
    e = exp_f32(np.float32(2.0) * min2(a, np.float32(20.0)))
    large = np.float32(1.0) - np.float32(2.0) / (e + np.float32(1.0))
    large = large if x >= 0 else -large
    result = small if a < np.float32(0.25) else large
    return x if x != x else result


class BroadcastMismatch(ValueError):
    """Raised by a generated kernel when run-time shapes broadcast in a way its loop does not
    cover (a dimension unknown at build time turned out to be 1); the driver then runs the
    region's NumPy reference instead."""

