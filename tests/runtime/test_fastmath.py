"""The float32 exp and tanh of generated kernels: accuracy against NumPy, special values, and
that their loops vectorize (no scalar libm call left in the machine code)."""
import numba
import numpy as np

from graphkeras.runtime.fastmath import exp_f32, log_f32, max2, min2, tanh_f32


@numba.njit(error_model="numpy", fastmath={"contract", "reassoc"}, cache=True)
def exp_loop(x, out):
    for i in range(x.size):
        out[i] = exp_f32(x[i])


@numba.njit(error_model="numpy", fastmath={"contract", "reassoc"}, cache=True)
def tanh_loop(x, out):
    for i in range(x.size):
        out[i] = tanh_f32(x[i])


@numba.njit(error_model="numpy", fastmath={"contract", "reassoc"}, cache=True)
def log_loop(x, out):
    for i in range(x.size):
        out[i] = log_f32(x[i])


def relative_error(got, want):
    return np.abs(got.astype(np.float64) - want) / np.maximum(np.abs(want), 1e-30)


def test_fast_exp_is_within_two_ulp_of_float64_exp():
    x = np.linspace(-87, 88.7, 400_001, dtype=np.float32)
    out = np.empty_like(x)
    exp_loop(x, out)
    assert relative_error(out, np.exp(x.astype(np.float64))).max() < 2.5e-7


def test_fast_exp_special_values():
    x = np.array([0, -0.0, np.inf, -np.inf, np.nan, 88.8, -88.0, -200.0], np.float32)
    out = np.empty_like(x)
    exp_loop(x, out)
    assert out[0] == 1 and out[1] == 1
    assert np.isposinf(out[2]) and out[3] == 0 and np.isnan(out[4])
    assert np.isposinf(out[5])
    assert 0 <= out[6] < 1e-37 and out[7] == 0


def test_fast_tanh_matches_numpy_to_two_ulp():
    x = np.concatenate([np.linspace(-12, 12, 200_001), np.geomspace(1e-8, 0.5, 1000)])
    x = np.concatenate([x, -x]).astype(np.float32)
    out = np.empty_like(x)
    tanh_loop(x, out)
    want = np.tanh(x.astype(np.float64))
    assert np.abs(out - want).max() < 2.5e-7
    assert relative_error(out, want).max() < 5e-7


def test_fast_tanh_special_values():
    x = np.array([0, np.inf, -np.inf, np.nan, 50.0], np.float32)
    out = np.empty_like(x)
    tanh_loop(x, out)
    assert out[0] == 0 and out[1] == 1 and out[2] == -1 and np.isnan(out[3]) and out[4] == 1


def test_fast_exp_loop_vectorizes():
    # Not cached: Numba cannot show the LLVM IR of code loaded from its cache.
    loop = numba.njit(error_model="numpy", fastmath={"contract", "reassoc"})(exp_loop.py_func)
    x = np.ones(64, np.float32)
    loop(x, np.empty_like(x))
    llvm = next(iter(loop.inspect_llvm().values()))
    assert "<8 x float>" in llvm or "<4 x float>" in llvm or "<16 x float>" in llvm
    assert "@expf" not in llvm and "llvm.exp.f32" not in llvm


def test_fast_log_is_within_two_ulp_of_float64_log():
    x = np.concatenate([np.geomspace(1e-45, 3e38, 200_001), np.linspace(0.5, 2, 100_001)])
    x = x.astype(np.float32)
    x = x[x > 0]
    out = np.empty_like(x)
    log_loop(x, out)
    want = np.log(x.astype(np.float64))
    assert relative_error(out, want).max() < 2.5e-7


def test_fast_log_special_values():
    x = np.array([0, -1, np.inf, -np.inf, np.nan, 1], np.float32)
    out = np.empty_like(x)
    log_loop(x, out)
    assert np.isneginf(out[0]) and np.isnan(out[1]) and np.isposinf(out[2])
    assert np.isnan(out[3]) and np.isnan(out[4]) and out[5] == 0


@numba.njit(cache=True)
def choose_both(x, y):
    return max2(x, y), min2(x, y)


def test_max2_and_min2_follow_pythons_max_and_min():
    # Python's rule, which the generated kernels always had: max(x, y) is y only when y > x,
    # so a NaN in first place propagates and one in second place does not. Mixed types give
    # the unified type, as Numba's own max() does.
    nan = float("nan")
    for x, y in [(1.5, 2.5), (2.5, 1.5), (-0.0, 0.0), (nan, 1.0), (1.0, nan), (3, 7), (7, 3),
                 (2, 2.5), (np.float32(1.25), np.float32(-4.0))]:
        got = choose_both(x, y)
        want = (max(x, y), min(x, y))
        for g, w in zip(got, want):
            same = g == w and np.signbit(g) == np.signbit(w)    # max(-0.0, 0.0) is -0.0
            assert (np.isnan(g) and np.isnan(w)) or same, (x, y, got)
