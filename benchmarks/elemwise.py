"""The `elemwise` bench workload through K, against the same step hand-written in NumPy.

    python benchmarks/elemwise.py

Prints medians in ms and the ratio; the loss+gradient region should be one fused kernel.
"""
import sys
import time

import numpy as np


def median_ms(step, repeat=30):
    step()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def numpy_step(x, w, b):
    xw = x * w
    t = np.tanh(xw + b)
    s = 1 / (1 + np.exp(-x))
    loss = np.sum(t * s + 0.5 * xw * xw)
    dt = s * (1 - t * t)
    return loss, (dt + xw) * x, dt


def main(n=1_000_000):
    from graphkeras import backend as K
    rng = np.random.RandomState(4)
    xv = rng.randn(n).astype(np.float32)
    wv = (rng.randn(n) * 0.1).astype(np.float32)
    bv = (rng.randn(n) * 0.1).astype(np.float32)
    x = K.placeholder(shape=(n,))
    w, b = K.variable(wv), K.variable(bv)
    xw = x * w
    loss = K.sum(K.tanh(xw + b) * K.sigmoid(x) + 0.5 * xw * xw)
    start = time.perf_counter()
    f = K.function([x], [loss] + K.gradients(loss, [w, b]))
    got = f([xv])
    compile_s = time.perf_counter() - start
    want = numpy_step(xv, wv, bv)
    error = max(float(np.max(np.abs(g - e) / (1 + np.abs(e)))) for g, e in zip(got, want))
    ours = median_ms(lambda: f([xv]))
    reference = median_ms(lambda: numpy_step(xv, wv, bv))
    kernels = getattr(f, "kernels", [])
    print(f"elemwise n={n}: graphkeras {ours:.3f} ms, numpy {reference:.3f} ms, "
          f"ratio {ours / reference:.2f}x; max rel error {error:.2e}; "
          f"{len(kernels)} kernels; first call {compile_s:.2f} s")
    for k in kernels:
        print("  ", k.name, k.kind, ",".join(k.ops)[:90])


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
