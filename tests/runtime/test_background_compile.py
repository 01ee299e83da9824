"""Background compilation: NumPy runs a region until its kernel is ready, then the kernel does."""
import os
import signal
import subprocess
import sys
import threading

import numpy as np

from graphkeras import config, ir
from graphkeras.ir.ops import elementwise as E, reduction as R
from graphkeras.ir.ops.leaves import placeholder
from graphkeras.runtime import background, cache, schedule
from graphkeras.runtime.compiled import compile_function


def build(scale):
    # `scale` makes a kernel this test process has not compiled before.
    x = placeholder((None, 7), "float32", "x")
    y = E.tanh(x * np.float32(scale)) + E.exp(-x)
    return x, [y, R.sum_(y * y, axes=(1,), keepdims=False)]


def test_first_call_runs_numpy_then_the_compiled_kernel(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "_settings", dict(config._settings, cache_dir=str(tmp_path)))
    config.set_background_compile(True)
    submitted = []
    gate = threading.Event()
    submit_to_worker = background.submit

    def submit(dispatcher, signature, done):
        # Hold the switch to the kernel until the first call has run: the test sees both.
        def held(failure):
            gate.wait(60)
            done(failure)
        submitted.append(dispatcher)
        submit_to_worker(dispatcher, signature, held)
    monkeypatch.setattr(background, "submit", submit)
    x, outputs = build(1.7)
    f = compile_function([x], outputs)
    value = np.linspace(-2, 2, 21, dtype=np.float32).reshape(3, 7)
    expected = ir.evaluate(outputs, {id(x): value})
    assert submitted, "no kernel was sent to the background"
    kernels = [k for k in f.kernels if k.kind == "numba"]
    driver, = f.compiled().schedule.drivers
    namespace = driver.__globals__
    assert all(namespace[f"K{f.kernels.index(k)}"] is None for k in kernels)
    first = f([value])
    assert all(namespace[f"K{f.kernels.index(k)}"] is None for k in kernels)
    gate.set()
    second = f([value])     # the second call waits for the kernels, then runs them
    assert all(namespace[f"K{f.kernels.index(k)}"] is k.dispatcher for k in kernels)
    f.finish_compiling()
    for got, want in zip(first + second, expected + expected):
        np.testing.assert_allclose(got, want, rtol=2e-6, atol=2e-6)


def test_a_failed_background_compile_keeps_numpy_and_says_why(monkeypatch):
    info = schedule.KernelInfo("fused1_x", ["add"], "source", "numba", "new", object())
    step = schedule.Schedule.__new__(schedule.Schedule)
    step.namespace = {"K0": None}
    ready = threading.Event()
    step.kernel_ready(info, "K0", ready)("Numba could not compile this region: boom")
    assert info.kind == "reference" and info.source.startswith("Numba could not compile")
    assert step.namespace["K0"] is None and ready.is_set()


def test_kernel_keys_change_with_the_code_generation_version(monkeypatch):
    source = "def kernel(in0, out0):\n    pass\n"
    before = cache.kernel_key(source)
    assert cache.kernel_key(source) == before
    monkeypatch.setattr(cache, "code_version", lambda *paths: "another-version")
    assert cache.kernel_key(source) != before


def test_code_version_hashes_the_named_sources():
    assert cache.code_version("runtime/codegen.py") != cache.code_version("runtime/cache.py")
    assert len(cache.code_version("passes")) == 12


def test_runtime_import_sets_passive_openmp_waiting_unless_the_user_chose():
    code = ("import os, graphkeras.runtime.kernels.conv; "
            "print(os.environ.get('OMP_WAIT_POLICY'), os.environ.get('GOMP_SPINCOUNT'))")
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}

    def settings(**chosen):
        done = subprocess.run([sys.executable, "-c", code], env={**env, **chosen},
                              capture_output=True, text=True, check=True)
        return done.stdout.split()

    assert settings() == ["PASSIVE", "3000"]
    assert settings(OMP_WAIT_POLICY="ACTIVE") == ["ACTIVE", "None"]
    assert settings(GOMP_SPINCOUNT="100") == ["None", "100"]


def test_compiling_skips_scipy_blas_and_numba_dot_still_works(tmp_path):
    code = """
import sys
import numpy as np
from graphkeras.ir.ops import elementwise as E
from graphkeras.ir.ops.leaves import placeholder
from graphkeras.runtime.compiled import compile_function
x = placeholder((None, 3), "float32", "x")
f = compile_function([x], [E.exp(x) * 2.0])
f([np.ones((2, 3), np.float32)])
print("blas imported:", "scipy.linalg.cython_blas" in sys.modules)
import numba
dot = numba.njit(lambda a, b: np.dot(a, b))
print("dot:", dot(np.ones((2, 2)), np.ones((2, 2))).sum())
"""
    env = dict(os.environ, GRAPHKERAS_CACHE_DIR=str(tmp_path), GRAPHKERAS_BACKGROUND_COMPILE="0")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "blas imported: False" in done.stdout
    assert "dot: 8.0" in done.stdout


def test_a_forked_child_compiles_the_kernels_its_parent_had_pending(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "_settings", dict(config._settings, cache_dir=str(tmp_path)))
    config.set_background_compile(True)
    gate = threading.Event()
    submit_to_worker = background.submit

    def submit(dispatcher, signature, done):
        def held(failure):
            gate.wait(60)       # the parent's compile is still running when it forks
            done(failure)
        submit_to_worker(dispatcher, signature, held)
    monkeypatch.setattr(background, "submit", submit)
    x, outputs = build(2.3)
    f = compile_function([x], outputs)
    value = np.ones((2, 7), np.float32)
    f([value])
    child = os.fork()
    if child == 0:
        ok = False
        try:
            signal.alarm(120)   # a child waiting forever is killed, and the test fails
            gate.set()          # the child's worker runs the same held callback
            result = f([value])
            ok = np.allclose(result[0], ir.evaluate(outputs, {id(x): value})[0], atol=2e-6)
        finally:
            os._exit(0 if ok else 1)
    gate.set()
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    f.finish_compiling()
