"""compile_function: outputs and updates as the reference executor gives them, the learning
phase, caches, shape-generic kernels, buffer reuse across calls and the inspection API."""
import time

import numpy as np
import pytest

from graphkeras import ir
from graphkeras.ir.ops import elementwise as E
from graphkeras.ir.ops import linalg as L
from graphkeras.ir.ops import reduction as R
from graphkeras.ir.ops.leaves import placeholder
from graphkeras.runtime.compiled import compile_function
from graphkeras.runtime.interpreter import ReferenceFunction

from .helpers import assert_same_values, compare_with_reference


def variable(value, name):
    value = np.asarray(value, np.float32)
    return ir.ops.leaves.variable(ir.Storage(value, name), "float32", value.shape)


def mlp_train_step(hidden=8, lr=0.1):
    """A two-layer MLP with softmax cross-entropy and an SGD update, built from IR ops."""
    rng = np.random.RandomState(0)
    x = placeholder((None, 6), "float32", "x")
    y = placeholder((None, 3), "float32", "y")
    w1 = variable(rng.randn(6, hidden) * 0.3, "w1")
    b1 = variable(np.zeros(hidden), "b1")
    w2 = variable(rng.randn(hidden, 3) * 0.3, "w2")
    b2 = variable(np.zeros(3), "b2")
    h = E.maximum(L.matmul(x, w1) + b1, 0.0)
    logits = L.matmul(h, w2) + b2
    shifted = logits - R.max_(logits, axes=(1,), keepdims=True)
    log_p = shifted - E.log(R.sum_(E.exp(shifted), axes=(1,), keepdims=True))
    loss = R.mean(-R.sum_(y * log_p, axes=(1,), keepdims=False), axes=(0,), keepdims=False)
    params = [w1, b1, w2, b2]
    grads = ir.gradients(loss, params)
    updates = [(p, p - lr * g) for p, g in zip(params, grads)]
    return [x, y], [loss], updates, params


def batch(n, seed=1):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, 6).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.randint(0, 3, n)]
    return [x, y]


def check_train_steps(step, batches):
    """Run the train `step` (mlp_train_step's result) on `batches` by reference, then from the
    same start compiled: equal outputs every call, equal parameters after the last."""
    inputs, outputs, updates, params = step
    start = [p.attrs["storage"].value.copy() for p in params]
    reference = ReferenceFunction(inputs, outputs, updates)
    want = [reference(values) for values in batches]
    want_params = [p.attrs["storage"].value.copy() for p in params]
    for p, value in zip(params, start):
        p.attrs["storage"].value = value.copy()
    function = compile_function(inputs, outputs, updates)
    got = [function(values) for values in batches]
    function.finish_compiling()
    for g, w in zip(got, want):
        assert_same_values(g, w, rtol=1e-4, atol=1e-6)
    for p, w in zip(params, want_params):
        np.testing.assert_allclose(p.attrs["storage"].value, w, rtol=1e-4, atol=1e-6)
    return function


def test_train_step_matches_reference_outputs_and_updates():
    check_train_steps(mlp_train_step(), [batch(16, seed) for seed in range(3)])


def test_updates_read_values_from_before_the_call():
    a, b = variable([1.0], "a"), variable([10.0], "b")
    function = compile_function([], [a + b], [(a, b), (b, a)])
    assert function([])[0][0] == 11
    assert a.attrs["storage"].value[0] == 10 and b.attrs["storage"].value[0] == 1


def test_outputs_are_not_overwritten_by_the_next_call():
    x = placeholder((None, 4), "float32", "x")
    hidden = E.tanh(x) * 2.0
    function = compile_function([x], [hidden + 1.0, E.exp(hidden)])
    first = function([np.ones((2, 4), np.float32)])
    kept = [o.copy() for o in first]
    function([np.zeros((2, 4), np.float32)])
    for o, k in zip(first, kept):
        np.testing.assert_array_equal(o, k)


def test_new_batch_size_reuses_every_kernel():
    inputs, outputs, updates, params = mlp_train_step()
    function = compile_function(inputs, outputs, updates)
    function(batch(16))
    signatures = [len(k.dispatcher.signatures) for k in function.kernels if k.dispatcher]
    function(batch(5))
    function(batch(33))
    assert [len(k.dispatcher.signatures) for k in function.kernels if k.dispatcher] == signatures


def test_same_graph_compiles_from_the_process_cache_quickly():
    inputs, outputs, updates, params = mlp_train_step()
    compile_function(inputs, outputs, updates)
    start = time.perf_counter()
    again = compile_function(inputs, outputs, updates)
    assert time.perf_counter() - start < 0.02
    assert again.cache_miss_reason == "graph already compiled in this process"


def test_first_compilation_says_why():
    x = placeholder((None, 3), "float32", "x")
    function = compile_function([x], [E.sin(x) * 3.0 + E.cos(x)])
    assert function.cache_miss_reason.startswith("first compilation")
    assert "kernels:" in function.cache_miss_reason


def test_learning_phase_compiles_one_variant_per_value():
    x = placeholder((None, 3), "float32", "x")
    phase = placeholder((), "bool", "keras_learning_phase")
    out = E.where(phase, x * 2.0, x)
    function = compile_function([x, phase], [out])
    value = np.ones((2, 3), np.float32)
    np.testing.assert_array_equal(function([value, 1])[0], 2 * value)
    np.testing.assert_array_equal(function([value, 0])[0], value)
    assert len(function.variants) == 2


def test_runtime_broadcast_of_an_unknown_dimension_falls_back_to_numpy():
    x = placeholder((None, 3), "float32", "x")
    y = placeholder((None, 3), "float32", "y")
    values = [np.ones((4, 3), np.float32), np.arange(3, dtype=np.float32)[None]]
    compare_with_reference([x, y], [E.tanh(x) + y], values)


def test_feeding_a_wrong_shape_names_the_input():
    x = placeholder((None, 3), "float32", "features")
    function = compile_function([x], [x * 2.0])
    with pytest.raises(ValueError, match="features"):
        function([np.ones((2, 4), np.float32)])


def test_inspection_of_a_compiled_function():
    inputs, outputs, updates, params = mlp_train_step()
    function = compile_function(inputs, outputs, updates)
    assert "matmul" in function.ir("input")
    assert "fused_elementwise" in function.ir("optimized")
    kinds = [k.kind for k in function.kernels]
    assert kinds.count("blas") == 5   # 2 forward, dW2, dh, dW1
    fused = [k for k in function.kernels if k.kind == "numba"]
    assert all("@numba.njit" in k.source and k.ops for k in fused)
    assert "GEMM" in function.explain() or "BLAS" in function.explain()
    profile = function.profile(batch(8))
    assert [name for name, _ in profile] == [k.name for k in function.kernels]
    assert all(seconds >= 0 for _, seconds in profile)
    assert function.graph().number_of_nodes() == len(function.compiled().graph.nodes)
    assert "def run(args, B):" in function.source


def test_optimized_graph_from_disk_equals_a_fresh_optimization(tmp_path, monkeypatch):
    from graphkeras import config, passes
    from graphkeras.runtime import graph_cache
    monkeypatch.setattr(config, "_settings", dict(config._settings, cache_dir=str(tmp_path)))
    inputs, outputs, updates, params = mlp_train_step()
    graph = ir.Graph(inputs, outputs, updates)
    key = graph_cache.fingerprint(graph, "fast_run")
    optimized = passes.optimize(graph, "fast_run")
    graph_cache.store(key, graph, optimized)
    loaded = graph_cache.load(key, graph)
    assert str(loaded) == str(optimized)
    assert loaded.inputs == graph.inputs
    assert [v.attrs["storage"] for v, _ in loaded.updates] == [p.attrs["storage"] for p in params]


@pytest.mark.parametrize("dtype", ["float64", "int32"])
def test_fused_regions_keep_integer_and_double_dtypes(dtype):
    x = placeholder((None, 5), dtype, "x")
    y = placeholder((None, 5), dtype, "y")
    mixed = E.maximum(x * y - x, y) + E.abs_(x)
    outputs = [mixed, R.max_(mixed, axes=(1,), keepdims=False),
               R.min_(mixed, axes=(0, 1), keepdims=False), R.sum_(mixed, axes=(0,), keepdims=True),
               E.where(E.greater(x, y), x, y)]
    rng = np.random.RandomState(3)
    values = [(rng.randn(4, 5) * 5).astype(dtype) for _ in range(2)]
    compare_with_reference([x, y], outputs, values)


def test_explain_names_why_kernels_stay_apart():
    x = placeholder((None, 4), "float32", "x")
    w = placeholder((4, 4), "float32", "w")
    e = E.exp(L.matmul(E.tanh(x), w))
    out = e / R.sum_(e, axes=(1,), keepdims=True)
    text = compile_function([x, w], [out]).explain()
    assert "BLAS" in text
    assert "reduction, which ends its region" in text
