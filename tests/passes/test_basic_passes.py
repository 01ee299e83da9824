"""Dead code, constant folding and CSE: expected graph, same values, idempotent."""
import numpy as np
import pytest

from graphkeras import ir
from graphkeras.ir.ops import elementwise as ew
from graphkeras.ir.ops import random as rnd
from graphkeras.ir.ops import reduction as red
from graphkeras.ir.ops import shape as sh
from graphkeras.ir.ops.leaves import placeholder, variable
from graphkeras.passes import (eliminate_common_subexpressions, eliminate_dead_code,
                               fold_constants)
from graphkeras.passes.constant_folding import MAX_FOLDED_ELEMENTS

from .helpers import ops_of, run_pass


@pytest.fixture
def x():
    return placeholder((None, 3), "float32", "x")


def feeds_for(*nodes):
    rng = np.random.default_rng(0)
    return {id(n): rng.standard_normal([2 if d is None else d for d in n.shape]).astype(n.dtype)
            for n in nodes}


def test_dead_code_drops_self_updates_and_keeps_the_rest():
    storage = ir.Storage(np.ones((3,), "float32"), "w")
    w = variable(storage, "float32", (3,))
    other = variable(ir.Storage(np.zeros((3,), "float32"), "v"), "float32", (3,))
    graph = ir.Graph([], [w * 2.0], [(w, w), (other, other + w)])
    result = eliminate_dead_code(graph)
    assert [v.attrs["storage"].name for v, _ in result.updates] == ["v"]
    assert result.outputs == graph.outputs
    assert eliminate_dead_code(result).updates == result.updates


def test_folding_evaluates_pure_constant_expressions(x):
    folded_part = ew.exp(ir.constant(np.arange(3, dtype="float32"))) * 2.0
    graph = ir.Graph([x], [x + folded_part])
    expected = x + ir.constant(np.exp(np.arange(3, dtype="float32")) * np.float32(2))
    run_pass(fold_constants, graph, feeds_for(x), [expected])


def test_folding_turns_static_shape_of_into_a_constant():
    x = placeholder((2, 3), "float32", "x")
    graph = ir.Graph([x], [sh.reshape_to(x, sh.shape_of(x), hint=(2, 3))])
    result = run_pass(fold_constants, graph, feeds_for(x))
    assert ops_of(result) == ["placeholder", "constant", "reshape_to"]
    assert result.nodes[1].attrs["value"].array.tolist() == [2, 3]


def test_folding_picks_static_dimensions_of_a_partly_known_shape(x):
    count = red.count_along(x, (0,))
    known = sh.take(sh.shape_of(x), indices=(1,))
    graph = ir.Graph([x], [red.sum_(x, axes=(1,), keepdims=False) / count, known])
    result = run_pass(fold_constants, graph, feeds_for(x))
    assert result.outputs[1].op == "constant"
    assert "shape_of" in ops_of(result)  # dimension 0 is only known at run time


def test_folding_keeps_placeholders_variables_and_random_draws(x):
    w = variable(ir.Storage(np.ones((3,), "float32"), "w"), "float32", (3,))
    noise = rnd.random(ir.constant(np.array([3], "int32")), distribution="uniform", a=0.0,
                       b=1.0, dtype="float32", rng=ir.RngState(1), hint=(3,))
    graph = ir.Graph([x], [x + w + noise])
    result = fold_constants(graph)
    assert ops_of(result) == ops_of(graph)


def test_folding_respects_the_size_limit():
    big = ir.constant(np.ones((MAX_FOLDED_ELEMENTS + 1,), "float32"))
    small = ir.constant(np.ones((4,), "float32"))
    graph = ir.Graph([], [big * 2.0, small * 2.0])
    result = fold_constants(graph)
    assert result.outputs[0].op == "mul"
    assert result.outputs[1].op == "constant"


def test_folding_ones_like_of_a_static_shape():
    y = placeholder((2, 3), "float32", "y")
    graph = ir.Graph([y], [ir.ones_like(y) * y])
    result = run_pass(fold_constants, graph, feeds_for(y))
    assert result.outputs[0].inputs[0].op == "constant"


def test_cse_merges_structurally_equal_nodes(x):
    a = ew.tanh(x) * 2.0
    b = ew.tanh(x) * 2.0
    graph = ir.Graph([x], [a + b, b])
    result = run_pass(eliminate_common_subexpressions, graph, feeds_for(x))
    assert ops_of(result).count("tanh") == 1
    assert result.outputs[1] is result.outputs[0].inputs[0] is result.outputs[0].inputs[1]


def test_cse_never_merges_random_draws():
    def draw():
        return rnd.random(ir.constant(np.array([3], "int32")), distribution="uniform", a=0.0,
                          b=1.0, dtype="float32", rng=ir.RngState(7), hint=(3,))
    graph = ir.Graph([], [draw() + draw()])
    assert ops_of(eliminate_common_subexpressions(graph)).count("random") == 2


def test_cse_keeps_distinct_placeholders_apart():
    a = placeholder((3,), "float32", "a")
    b = placeholder((3,), "float32", "b")
    graph = ir.Graph([a, b], [ew.exp(a) + ew.exp(b)])
    assert ops_of(eliminate_common_subexpressions(graph)).count("exp") == 2


def test_folding_never_changes_a_node_type():
    scalar = ir.constant(np.float32(2.5))
    graph = ir.Graph([], [sh.transpose(scalar, perm=()) * 2.0])
    result = fold_constants(graph)
    assert result.outputs[0].type == graph.outputs[0].type


def test_cse_merges_commutative_operands_in_either_order(x):
    y = placeholder((None, 3), "float32", "y")
    graph = ir.Graph([x, y], [ew.add(x, y) * ew.add(y, x), ew.sub(x, y) - ew.sub(y, x)])
    feeds = feeds_for(x, y)
    result = run_pass(eliminate_common_subexpressions, graph, feeds)
    assert ops_of(result).count("add") == 1
    assert ops_of(result).count("sub") == 3  # x - y, y - x and their difference
