"""Specialising the learning phase: the branch not taken disappears."""
import numpy as np

from graphkeras import ir
from graphkeras.ir.ops import elementwise as ew
from graphkeras.ir.ops import random as rnd
from graphkeras.ir.ops import shape as sh
from graphkeras.ir.ops.leaves import placeholder, variable
from graphkeras.passes import specialize_learning_phase

from .helpers import assert_same_values, ops_of


def dropout_graph():
    """A dropout-like train/test switch plus a batch-norm-like moving-average update."""
    phase = placeholder((), "bool", "keras_learning_phase")
    x = placeholder((None, 3), "float32", "x")
    mask = rnd.random(sh.shape_of(x), distribution="binomial", a=0.5, b=0.0, dtype="float32",
                      rng=ir.RngState(0), hint=(None, 3))
    out = ew.where(phase, x * mask * 2.0, x)
    moving = variable(ir.Storage(np.zeros((3,), "float32"), "moving_mean"), "float32", (3,))
    batch_mean = ew.where(phase, ew.tanh(moving) + 1.0, moving)
    return phase, x, ir.Graph([x, phase], [out], [(moving, batch_mean)])


def test_inference_drops_the_training_branch():
    phase, x, graph = dropout_graph()
    inference = specialize_learning_phase(graph, 0)
    assert inference.outputs == [x]
    assert "random" not in ops_of(inference) and "where" not in ops_of(inference)
    assert inference.inputs == graph.inputs


def test_training_keeps_the_training_branch_with_equal_values():
    phase, x, graph = dropout_graph()
    training = specialize_learning_phase(graph, 1)
    assert "where" not in ops_of(training)
    assert "random" in ops_of(training)
    feeds = {id(x): np.ones((2, 3), "float32"), id(phase): np.array(True)}
    for node in graph.nodes:  # the same random stream for both evaluations
        if node.op == "random":
            node.attrs["rng"].reset()
    before = ir.evaluate(graph.roots(), feeds)
    node_rng = [n for n in training.nodes if n.op == "random"][0].attrs["rng"]
    node_rng.reset()
    after = ir.evaluate(training.roots(), feeds)
    for b, a in zip(before, after):
        np.testing.assert_array_equal(a, b)


def test_specialising_twice_changes_nothing_and_graphs_without_phase_are_kept():
    phase, x, graph = dropout_graph()
    inference = specialize_learning_phase(graph, 0)
    assert str(specialize_learning_phase(inference, 0)) == str(inference)
    plain = ir.Graph([x], [ew.exp(x)])
    assert specialize_learning_phase(plain, 1) is plain
    assert_same_values(plain, specialize_learning_phase(plain, 0),
                       {id(x): np.ones((2, 3), "float32")})
