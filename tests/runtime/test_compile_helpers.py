"""Forked helper processes share a function's background compiles (runtime/background.py)."""
import os
import subprocess
import sys
import threading
import types

import pytest

from graphkeras import config
from graphkeras.runtime import background

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="helpers are forked")


def job(size, parallel=False):
    code = types.SimpleNamespace(co_code=b"x" * size)
    dispatcher = types.SimpleNamespace(targetoptions={"parallel": parallel},
                                       py_func=types.SimpleNamespace(__code__=code))
    return (dispatcher, ("signature", size), lambda failure: None)


@pytest.fixture
def settings(monkeypatch):
    monkeypatch.setattr(config, "_settings", dict(config._settings))
    return config


def test_split_balances_kernels_by_size_and_keeps_parallel_ones(settings):
    settings.set_compile_processes(1)
    big, medium, small, tiny, parallel = job(900), job(500), job(300), job(100), job(50, True)
    own, shares = background._split([small, big, parallel, medium, tiny])
    assert shares == [[big]]
    assert sorted(own, key=id) == sorted([parallel, medium, small, tiny], key=id)
    settings.set_compile_processes(2)
    own, shares = background._split([small, big, medium, tiny])
    assert sorted(map(len, shares)) == [1, 1] and big in shares[0] + shares[1]


@pytest.mark.parametrize("case", ["no helpers", "one job", "only parallel", "no disk cache"])
def test_split_keeps_everything_when_a_helper_cannot_help(settings, case):
    settings.set_compile_processes(0 if case == "no helpers" else 1)
    settings.set_disk_cache(case != "no disk cache")
    jobs = {"one job": [job(10)], "only parallel": [job(10, True), job(20, True)]}.get(
        case, [job(10), job(20)])
    assert background._split(jobs) == (jobs, [])


def test_no_helper_is_forked_while_another_thread_is_inside_numba():
    from numba.core.compiler_lock import global_compiler_lock
    held, release = threading.Event(), threading.Event()

    def compiling():
        with global_compiler_lock:
            held.set()
            release.wait(30)
    thread = threading.Thread(target=compiling)
    thread.start()
    held.wait(30)
    try:
        assert background._fork_helper([job(10)]) is None
    finally:
        release.set()
        thread.join()


def test_submits_inside_a_batch_start_together_when_it_closes(monkeypatch):
    started = []
    monkeypatch.setattr(background, "_start", started.append)
    first, second = job(1), job(2)
    with background.batch():
        background.submit(*first)
        with background.batch():        # nested: still the outer batch
            background.submit(*second)
        assert started == []
    assert started == [[first, second]]


def test_a_batch_that_raises_starts_nothing(monkeypatch):
    started = []
    monkeypatch.setattr(background, "_start", started.append)
    with pytest.raises(ValueError):
        with background.batch():
            background.submit(*job(1))
            raise ValueError("lowering failed")
    assert started == [] and background._batches.open is None


CHILD = """
import os, sys
import numpy as np
from graphkeras import ir
from graphkeras.ir.ops import elementwise as E, reduction as R
from graphkeras.ir.ops.leaves import placeholder
from graphkeras.ir.ops.linalg import matmul
from graphkeras.runtime import background
from graphkeras.runtime.compiled import compile_function
if sys.argv[1] == "helper fails":
    background._run_helper = lambda share: os._exit(1)
x = placeholder((None, 5), "float32", "x")
# Two GEMMs between three elementwise regions: three kernels to compile.
w = placeholder((5, 5), "float32", "w")
h = matmul(E.tanh(x * np.float32(1.3)), w)
g = matmul(E.exp(-h) * h, w)
y = R.sum_(E.log(E.exp(g) + np.float32(1.0)), axes=(1,), keepdims=False)
z = R.max_(h, axes=(0,), keepdims=False) + np.float32(2.0)
f = compile_function([x, w], [y, z])
value = np.linspace(-1, 1, 15, dtype=np.float32).reshape(3, 5)
weights = np.linspace(-1, 1, 25, dtype=np.float32).reshape(5, 5)
first = f([value, weights])
f.finish_compiling()
second = f([value, weights])
expected = ir.evaluate([y, z], {id(x): value, id(w): weights})
for got in (first, second):
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=2e-6, atol=2e-6)
kernels = [k for k in f.kernels if k.kind == "numba"]
loaded = sum(bool(k.dispatcher.stats.cache_hits) for k in kernels)
print("kernels", len(kernels), "loaded from disk", loaded)
try:
    os.waitpid(-1, os.WNOHANG)
    print("a child is left")
except ChildProcessError:
    print("no child left")
"""


@pytest.mark.parametrize("case", ["helper compiles", "helper fails"])
def test_a_helper_fills_the_cache_and_the_worker_loads_or_compiles(tmp_path, case):
    env = dict(os.environ, GRAPHKERAS_CACHE_DIR=str(tmp_path), GRAPHKERAS_BACKGROUND_COMPILE="1",
               GRAPHKERAS_COMPILE_PROCESSES="1")
    done = subprocess.run([sys.executable, "-c", CHILD, case], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    words = done.stdout.split()
    kernels, loaded = int(words[1]), int(words[5])
    assert kernels >= 2
    # The helper compiled one share; the worker compiled the other and loaded the helper's.
    # A failed helper leaves the worker to compile everything.
    if case == "helper fails":
        assert loaded == 0
    else:
        assert 1 <= loaded < kernels
    assert "no child left" in done.stdout


WARM = """
import sys
import numpy as np
from graphkeras import ir
from graphkeras.ir.ops import elementwise as E
from graphkeras.ir.ops.leaves import placeholder
from graphkeras.runtime.compiled import compile_function
x = placeholder((None, 4), "float32", "x")
y = E.tanh(x * np.float32(0.7)) + E.exp(-x)
f = compile_function([x], [y])
value = np.linspace(-2, 2, 8, dtype=np.float32).reshape(2, 4)
np.testing.assert_allclose(f([value])[0], ir.evaluate([y], {id(x): value})[0], rtol=2e-6)
kernel, = [k for k in f.kernels if k.kind == "numba"]
print("loaded", bool(kernel.dispatcher.stats.cache_hits), "refreshed", "numba.np.npyimpl" in sys.modules)
g = compile_function([x], [E.log(E.exp(x) + np.float32(sys.argv[1]))])    # a new kernel
np.testing.assert_allclose(g([value])[0], np.log(np.exp(value) + float(sys.argv[1])), rtol=2e-6)
print("compiled after", "numba.np.npyimpl" in sys.modules)
"""


def test_a_warm_start_loads_kernels_without_refreshing_numba_then_compiles_as_usual(tmp_path):
    env = dict(os.environ, GRAPHKERAS_CACHE_DIR=str(tmp_path), GRAPHKERAS_BACKGROUND_COMPILE="0")
    runs = [subprocess.run([sys.executable, "-c", WARM, str(k)], env=env, capture_output=True,
                           text=True, timeout=300, check=False) for k in (1, 2)]
    assert all(run.returncode == 0 for run in runs), runs[-1].stderr
    assert "loaded True refreshed False" in runs[1].stdout
    assert "compiled after True" in runs[1].stdout
