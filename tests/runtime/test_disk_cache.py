"""The caches on disk: a second process with the same graph compiles no kernel and runs no
pass (it reads the optimized graph)."""
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

SCRIPT = """
import json
import numpy as np
from graphkeras import ir
from graphkeras.ir.ops import elementwise as E, linalg as L, reduction as R
from graphkeras.ir.ops.leaves import placeholder, variable
from graphkeras.runtime.compiled import compile_function

x = placeholder((None, 5), "float32", "x")
w = variable(ir.Storage(np.ones((5, 4), np.float32), "w"), "float32", (5, 4))
h = E.tanh(L.matmul(x, w) * 0.5) + E.exp(-L.matmul(x, w))
loss = R.sum_(h * h, axes=(0, 1), keepdims=False)
grad, = ir.gradients(loss, [w])
f = compile_function([x], [loss], [(w, w - 0.01 * grad)])
f([np.ones((3, 5), np.float32)])
kernels = [k for k in f.kernels if k.dispatcher is not None]
print(json.dumps({
    "reason": f.cache_miss_reason,
    "origins": [k.origin for k in kernels],
    "numba_hits": sum(k.dispatcher.stats.cache_hits.total() for k in kernels),
    "numba_misses": sum(k.dispatcher.stats.cache_misses.total() for k in kernels),
}))
"""


def run_fresh_process(cache_dir):
    # Compiled in the foreground, so the Numba statistics are final when printed.
    env = dict(os.environ, GRAPHKERAS_CACHE_DIR=str(cache_dir), PYTHONPATH=str(ROOT),
               GRAPHKERAS_BACKGROUND_COMPILE="0")
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_second_process_finds_every_kernel_and_the_optimized_graph_on_disk(tmp_path):
    first = run_fresh_process(tmp_path)
    assert first["origins"] and set(first["origins"]) == {"new"}
    assert first["numba_misses"] > 0
    second = run_fresh_process(tmp_path)
    assert set(second["origins"]) == {"disk"}, second
    assert second["numba_misses"] == 0 and second["numba_hits"] == len(second["origins"])
    assert "0 generated" in second["reason"]
    assert "passes ran" in first["reason"]
    assert "optimized graph read from the disk cache" in second["reason"]
    modules = list((tmp_path / "kernels").glob("gk_*.py"))
    assert len(modules) == len(first["origins"])
