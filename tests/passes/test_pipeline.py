"""The pipeline: levels from one list, trace, debug invariant checks, values preserved."""
import numpy as np
import pytest
from hypothesis import given, settings

from graphkeras import ir
from graphkeras.ir.ops import elementwise as ew
from graphkeras.ir.ops.leaves import placeholder
from graphkeras.passes import (LEVELS, PASSES, PIPELINES, InvariantError, fuse_elementwise,
                               optimize, simplify_algebra)
from graphkeras.passes.invariants import check_invariants
from tests.strategies import expression_graphs

from .helpers import assert_same_values


def test_levels_are_nested_prefixes_of_one_ordered_list():
    assert PIPELINES["none"] == []
    fast_run = [p for p, _ in PASSES]
    assert PIPELINES["fast_run"] == fast_run
    assert set(PIPELINES["fast_compile"]) < set(fast_run)
    assert PIPELINES["fast_run"][-1] is fuse_elementwise
    assert simplify_algebra not in PIPELINES["fast_compile"]


def test_unknown_level_is_an_error_naming_the_levels():
    with pytest.raises(ValueError, match="fast_run"):
        optimize(ir.Graph([], [ir.constant(1.0)]), level="O3")


def test_trace_collects_each_pass_and_its_printable_graph():
    x = placeholder((2,), "float32", "x")
    graph = ir.Graph([x], [ew.neg(ew.neg(x)) * 1.0])
    trace = []
    result = optimize(graph, level="fast_run", trace=trace)
    assert [name for name, _ in trace] == [p.__name__ for p in PIPELINES["fast_run"]]
    after_algebra = dict(trace)["simplify_algebra"]
    assert str(after_algebra) == "\n".join([
        f"{'%0 = ' + repr('x').join(['placeholder ', '']):<56} float32[2]",
        "return (%0)"])
    assert trace[-1][1] is result


def test_debug_names_the_pass_that_breaks_an_invariant():
    x = placeholder((2,), "float32", "x")
    graph = ir.Graph([x], [ew.exp(x)])

    def retype_exp(g):
        bad = ir.Node("exp", [x], {}, ir.TensorType("float32", (3,)))
        return g.with_roots([bad])

    with pytest.raises(InvariantError, match="retype_exp"):
        check_invariants(retype_exp(graph), graph, "retype_exp")


def test_debug_run_of_every_level_passes_on_a_small_model():
    x = placeholder((None, 3), "float32", "x")
    w = ir.constant(np.ones((3, 2), "float32"))
    from graphkeras.ir.ops.linalg import matmul
    out = ew.tanh(matmul(x, w) + ir.constant(np.zeros(2, "float32")))
    graph = ir.Graph([x], [out])
    for level in LEVELS:
        result = optimize(graph, level=level, debug=True)
        assert_same_values(graph, result, {id(x): np.ones((4, 3), "float32")}, rtol=1e-5)


@settings(max_examples=25, deadline=None)
@given(case=expression_graphs())
def test_every_level_preserves_values_of_random_expressions(case):
    expected = case.evaluate()
    for level in LEVELS:
        optimized = optimize(case.graph, level=level, debug=True)
        with np.errstate(all="ignore"):
            got = case.evaluate(optimized)
        for g, e in zip(got, expected):
            assert g.dtype == e.dtype and g.shape == e.shape
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5, equal_nan=True)


def _evaluate_with_fresh_random_streams(graph, feeds):
    for node in graph.nodes:
        if node.op == "random":
            node.attrs["rng"].reset()
    return ir.evaluate(graph.roots(), feeds)


@pytest.mark.parametrize("phase", [0, 1])
def test_training_step_values_survive_every_level_and_specialisation(phase):
    from graphkeras.passes import specialize_learning_phase
    from .model_graphs import training_feeds, training_graph
    graph = training_graph(3)
    feeds = training_feeds(graph)
    feeds[id(graph.inputs[2])] = np.array(bool(phase))
    expected = _evaluate_with_fresh_random_streams(graph, feeds)
    candidates = [optimize(graph, level, debug=True) for level in LEVELS]
    candidates.append(optimize(specialize_learning_phase(graph, phase), debug=True))
    for optimized in candidates:
        got = _evaluate_with_fresh_random_streams(optimized, feeds)
        for g, e in zip(got, expected):
            assert g.shape == e.shape
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)
