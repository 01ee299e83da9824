"""Start-up of the MLP train step (Dense 784-512-512-10, SGD momentum) in fresh processes.

For each mode, one process with an empty kernel cache (cold) and one reusing it (warm), each
reporting: seconds from process start to the end of the first train step, CPU seconds spent
by then, and seconds until every background compile has finished; then the compiled schedule
of the train step by kind (BLAS GEMMs, Numba kernel calls and distinct kernel sources, NumPy
steps). CPU seconds are the figure to compare on a loaded machine.

    python benchmarks/mlp_startup.py
"""
import json
import os
import subprocess
import sys
import tempfile

CHILD = """
import time
START = time.perf_counter()
import json, resource
import numpy as np
from graphkeras import layers, optimizers
from graphkeras.models import Sequential
from graphkeras.runtime import background, compiled

rng = np.random.default_rng(0)
model = Sequential([layers.Dense(512, activation="relu", input_shape=(784,)),
                    layers.Dense(512, activation="relu"),
                    layers.Dense(10, activation="softmax")])
model.compile(loss="categorical_crossentropy", optimizer=optimizers.SGD(lr=0.01, momentum=0.9))
x = rng.standard_normal((128, 784)).astype(np.float32)
y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 128)]
model.train_on_batch(x, y)
first = time.perf_counter() - START
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime
background.wait()
done = time.perf_counter() - START
step = max(compiled._recent, key=lambda c: len(c.schedule.kernels)).schedule
kinds = [k.kind for k in step.kernels]
sources = {k.source for k in step.kernels if k.kind == "numba"}
print(json.dumps({"first_step_s": first, "cpu_s": cpu, "compiled_s": done,
                  "gemm": kinds.count("blas"), "numba_calls": kinds.count("numba"),
                  "numba_sources": len(sources), "numpy_steps": kinds.count("numpy")}))
"""


def run(cache_dir, background):
    env = dict(os.environ, GRAPHKERAS_CACHE_DIR=cache_dir,
               GRAPHKERAS_BACKGROUND_COMPILE="1" if background else "0")
    done = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    for background in (True, False):
        with tempfile.TemporaryDirectory() as cache_dir:
            for start in ("cold", "warm"):
                r = run(cache_dir, background)
                mode = "background" if background else "foreground"
                print(f"{mode:>10} {start}: first step {r['first_step_s']:.2f} s "
                      f"(CPU {r['cpu_s']:.2f} s), all kernels ready {r['compiled_s']:.2f} s; "
                      f"{r['gemm']} GEMMs, {r['numba_calls']} Numba calls of "
                      f"{r['numba_sources']} kernels, {r['numpy_steps']} NumPy steps")


if __name__ == "__main__":
    main()
