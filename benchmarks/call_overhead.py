"""Call overhead of a compiled K.function with 4 small inputs (median of many calls).

    python benchmarks/call_overhead.py
"""
import time

import numpy as np


def main(calls=20000):
    from graphkeras import backend as K
    inputs = [K.placeholder(shape=(2, 3)) for _ in range(4)]
    a, b, c, d = inputs
    f = K.function(inputs, [a * b + c - d])
    values = [np.ones((2, 3), np.float32) for _ in range(4)]
    f(values)
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        f(values)
        samples.append(time.perf_counter() - start)
    empty = []
    for _ in range(calls):
        start = time.perf_counter()
        empty.append(time.perf_counter() - start)
    print(f"call overhead, 4 inputs of shape (2, 3): median "
          f"{1e6 * (np.median(samples) - np.median(empty)):.2f} us "
          f"({len(f.kernels)} kernel)")


if __name__ == "__main__":
    main()
