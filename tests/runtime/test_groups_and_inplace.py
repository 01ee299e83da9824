"""The schedule's order and group kernels (ordering.py, group_codegen.py) and in-place writes
(inplace.py): the same values as the reference executor, fewer kernels, arrays reused."""
import numpy as np

from graphkeras import config, ir
from graphkeras.ir.ops import elementwise as E
from graphkeras.ir.ops import linalg as L
from graphkeras.ir.ops import reduction as R
from graphkeras.ir.ops import shape as S
from graphkeras.ir.ops.leaves import placeholder
from graphkeras.runtime import group_codegen, ordering
from graphkeras.runtime.compiled import compile_function
from graphkeras.runtime.interpreter import ReferenceFunction

from .helpers import assert_same_values, compare_with_reference
from .test_compiled_function import batch, check_train_steps, mlp_train_step, variable


def steps(function):
    """The kinds of the schedule's steps, shape reads and views left out."""
    return [k.kind for k in function.kernels if k.ops[0] not in ("shape_of", "take")
            and k.ops != ["expand_dims"]]


def test_a_train_step_runs_one_kernel_between_gemms_and_one_for_all_updates():
    inputs, outputs, updates, params = mlp_train_step(hidden=32)
    function = compile_function(inputs, outputs, updates)
    kinds = steps(function)
    assert kinds.count("blas") == 5          # forward 2, input gradient 1, weight gradients 2
    assert not any(a == b == "numba" for a, b in zip(kinds, kinds[1:]))
    last = function.kernels[-1]
    assert last.name.startswith("group") and last.ops.count("sub") >= len(params)


def test_group_and_in_place_train_steps_match_the_reference_over_calls():
    check_train_steps(mlp_train_step(hidden=32), [batch(16 + seed, seed) for seed in range(4)])


def test_a_group_runs_numpy_until_its_background_compile_is_done(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "_settings", dict(config._settings, cache_dir=str(tmp_path)))
    config.set_background_compile(True)
    # A learning rate no other test uses: the update group is a kernel not compiled yet.
    step = mlp_train_step(hidden=32, lr=0.0123)
    inputs, outputs, updates, _ = step
    pending = compile_function(inputs, outputs, updates)
    assert any(k.name.startswith("group") and k.origin == "new" for k in pending.kernels)
    check_train_steps(step, [batch(8, seed) for seed in range(3)])


def test_variables_are_overwritten_in_place_from_the_second_call():
    inputs, outputs, updates, params = mlp_train_step(hidden=32)
    function = compile_function(inputs, outputs, updates)
    function(batch(8))
    arrays = [p.attrs["storage"].value for p in params]
    before = [a.copy() for a in arrays]
    function(batch(8, seed=2))
    assert all(p.attrs["storage"].value is a for p, a in zip(params, arrays))
    assert not any(np.array_equal(a, b) for a, b in zip(arrays, before))
    assert "written in place into the array of variable 'w1'" in function.source


def test_an_array_the_user_set_is_never_overwritten():
    inputs, outputs, updates, params = mlp_train_step(hidden=32)
    function = compile_function(inputs, outputs, updates)
    function(batch(8))
    mine = np.full((6, 32), 0.25, np.float32)
    params[0].attrs["storage"].value = mine
    function(batch(8))
    function(batch(8))
    np.testing.assert_array_equal(mine, 0.25)
    assert params[0].attrs["storage"].value is not mine


def test_profile_leaves_variables_as_they_were():
    inputs, outputs, updates, params = mlp_train_step(hidden=32)
    function = compile_function(inputs, outputs, updates)
    function(batch(8))
    before = [p.attrs["storage"].value.copy() for p in params]
    function.profile(batch(8), repeat=3)
    for p, value in zip(params, before):
        np.testing.assert_array_equal(p.attrs["storage"].value, value)


def test_a_variable_read_after_its_update_keeps_its_old_value_for_that_reader():
    a = variable(np.arange(40.0).reshape(8, 5), "a")
    x = placeholder((8, 5), "float32", "x")
    new = a * 0.5 + x
    late = E.tanh(new) * a          # reads the old a after the update's region
    values = [np.ones((8, 5), np.float32)]
    reference_store = a.attrs["storage"].value.copy()
    reference = ReferenceFunction([x], [late], [(a, new)])
    want = [reference(values) for _ in range(3)]
    a.attrs["storage"].value = reference_store
    function = compile_function([x], [late], [(a, new)])
    for w in want:
        assert_same_values(function(values), w)


def test_bias_and_relu_write_over_the_gemm_output():
    x = placeholder((None, 6), "float32", "x")
    w = variable(np.random.RandomState(0).randn(6, 40), "w")
    b = variable(np.linspace(-1, 1, 40), "b")
    w2 = variable(np.random.RandomState(1).randn(40, 3), "w2")
    hidden = E.maximum(L.matmul(x, w) + b, 0.0)
    out = L.matmul(hidden, w2)
    rng = np.random.RandomState(3)
    for rows in (5, 9):
        function = compare_with_reference([x], [out], [rng.randn(rows, 6).astype(np.float32)])
    assert "# written over its input" in function.source


def test_a_size_mismatch_inside_a_group_falls_back_to_numpy_for_the_whole_group():
    x = placeholder((None, 3), "float32", "x")
    y = placeholder((None, 3), "float32", "y")
    total = R.sum_(E.exp(x) * y, axes=(1,), keepdims=True)
    out = E.tanh(x) * E.log(total) + y
    function = compile_function([x, y], [out])
    assert any(k.name.startswith("group") for k in function.kernels)
    values = [np.ones((4, 3), np.float32), np.arange(1, 4, dtype=np.float32)[None]]
    compare_with_reference([x, y], [out], values)


def test_group_source_prefixes_each_regions_names_and_keeps_attributes():
    x = placeholder((None, 4), "float32", "x")
    total = R.sum_(x * x, axes=(1,), keepdims=True)
    out = x / E.sqrt(total + 1.0)
    function = compile_function([x], [out])
    source = [k for k in function.kernels if k.name.startswith("group")][0].source
    assert "r0_in0" in source and "r1_in0" in source and ".size" in source
    assert "r0_.size" not in source and "'r0_" not in source
    assert group_codegen.LOCAL_NAME.sub("X", "in0.size + n1 * acc2 - np.inf") == "X.size + X * X - np.inf"


def test_order_runs_gemms_before_unrelated_regions_and_updates_last():
    inputs, outputs, updates, params = mlp_train_step(hidden=32)
    graph = ir.Graph(inputs, outputs, updates)
    from graphkeras import passes
    optimized = passes.optimize(graph, "fast_run")
    order = ordering.schedule_order(optimized)
    assert sorted(map(id, order)) == sorted(map(id, optimized.nodes))
    seen = set()
    for node in order:
        assert all(id(i) in seen for i in node.inputs)
        seen.add(id(node))
    gemms = [p for p, n in enumerate(order) if n.op == "gemm"]
    update_values = {id(v.inputs[0] if v.op == "tuple_get" else v) for _, v in optimized.updates}
    regions = [p for p, n in enumerate(order) if id(n) in update_values]
    assert min(regions) > max(gemms)


def test_a_driver_step_reading_data_of_the_run_ends_it():
    x = placeholder((None, 4), "float32", "x")
    a = E.exp(x)                                      # region 1
    picked = S.gather(a, placeholder((2,), "int32", "i"), axis=0)     # reads a's data
    b = E.tanh(picked) + 1.0                          # region 2
    graph = ir.Graph([x], [b])
    from graphkeras import passes
    optimized = passes.optimize(graph, "fast_run")
    order = ordering.schedule_order(optimized)
    runs = ordering.clusters(order, lambda node: False)
    assert runs == []


def test_keras_mlp_train_step_is_its_gemms_and_six_kernels():
    """The compiler issue's count: 8 GEMMs, one kernel between each pair, one for the loss,
    one for every optimizer update; the rest is driver bookkeeping (views, shape reads)."""
    from graphkeras import layers, optimizers
    from graphkeras.models import Sequential
    rng = np.random.default_rng(0)
    model = Sequential([layers.Dense(16, activation="relu", input_shape=(20,)),
                        layers.Dense(16, activation="relu"),
                        layers.Dense(4, activation="softmax")])
    model.compile(loss="categorical_crossentropy",
                  optimizer=optimizers.SGD(lr=0.01, momentum=0.9))
    x = rng.standard_normal((32, 20)).astype(np.float32)
    y = np.eye(4, dtype=np.float32)[rng.integers(0, 4, 32)]
    model.train_on_batch(x, y)
    kinds = [k.kind for k in model.train_function.kernels]
    assert kinds.count("blas") == 8
    assert kinds.count("numba") == 6
    assert set(kinds) == {"blas", "numba", "driver"}
