"""The algebra rule table: one row per identity, each with its expected result."""
import numpy as np
import pytest

from graphkeras import ir
from graphkeras.ir.ops import elementwise as ew
from graphkeras.ir.ops import reduction as red
from graphkeras.ir.ops import shape as sh
from graphkeras.ir.ops.leaves import placeholder
from graphkeras.passes import simplify_algebra
from graphkeras.passes.algebra import RULES

from .helpers import run_pass

X = placeholder((None, 3), "float32", "x")
Y = placeholder((None, 3), "float32", "y")
M = placeholder((2, 3, 4), "float32", "m")


def one(dtype="float32"):
    return ir.constant(1, dtype)


def zero(dtype="float32"):
    return ir.constant(0, dtype)


CASES = [
    # (name, original output, expected output)
    ("x * 1", lambda: X * 1.0, lambda: X),
    ("1 * x", lambda: ew.mul(one(), X), lambda: X),
    ("x + 0", lambda: X + 0.0, lambda: X),
    ("0 + x", lambda: ew.add(zero(), X), lambda: X),
    ("x - 0", lambda: X - 0.0, lambda: X),
    ("0 - x", lambda: ew.sub(zero(), X), lambda: ew.neg(X)),
    ("x / 1", lambda: X / 1.0, lambda: X),
    ("x ** 1", lambda: X ** 1.0, lambda: X),
    ("--x", lambda: ew.neg(ew.neg(X)), lambda: X),
    ("0 - -x", lambda: ew.sub(zero(), ew.neg(X)), lambda: X),
    ("x + -y", lambda: X + ew.neg(Y), lambda: X - Y),
    ("-y + x", lambda: ew.neg(Y) + X, lambda: X - Y),
    ("x - -y", lambda: X - ew.neg(Y), lambda: X + Y),
    ("log(exp(x))", lambda: ew.log(ew.exp(ew.tanh(X))), lambda: ew.tanh(X)),
    ("identity", lambda: ew.identity(X), lambda: X),
    ("stop_gradient", lambda: ew.stop_gradient(X), lambda: X),
    ("cast to own dtype", lambda: ew.cast(X, dtype="float32"), lambda: X),
    ("transpose(transpose) is x",
     lambda: sh.transpose(sh.transpose(M, perm=(2, 0, 1)), perm=(1, 2, 0)), lambda: M),
    ("transpose(transpose) composes",
     lambda: sh.transpose(sh.transpose(M, perm=(1, 0, 2)), perm=(0, 2, 1)),
     lambda: sh.transpose(M, perm=(1, 2, 0))),
    ("reshape chain", lambda: sh.reshape(sh.reshape(M, shape=(6, 4)), shape=(4, 6)),
     lambda: sh.reshape(M, shape=(4, 6))),
    ("reshape chain back to x", lambda: sh.reshape(sh.reshape(X, shape=(-1,)), shape=(-1, 3)),
     lambda: X),
    ("reshape_to a constant shape",
     lambda: sh.reshape_to(M, ir.constant(np.array([4, 6], "int32")), hint=(None, 6)),
     lambda: sh.reshape(M, shape=(4, 6))),
    ("squeeze(expand_dims)", lambda: sh.squeeze(sh.expand_dims(X, axis=-1), axis=2),
     lambda: X),
    ("broadcast to own static shape", lambda: sh.broadcast_like(M, ew.exp(M)), lambda: M),
    ("sum over no axes", lambda: red.sum_(X, axes=(), keepdims=False), lambda: X),
    ("x ** 2", lambda: X ** 2.0, lambda: X * X),
    ("tile by ones", lambda: sh.tile(M, reps=(1, 1, 1)), lambda: M),
    ("pad by nothing", lambda: sh.pad(M, pads=((0, 0), (0, 0), (0, 0))), lambda: M),
    ("index by full slices", lambda: sh.index(M, items=(("slice", None, None, None),) * 2),
     lambda: M),
    ("reverse over no axes", lambda: sh.reverse(M, axes=()), lambda: M),
    ("concatenate one input", lambda: sh.concatenate(M, axis=1), lambda: M),
    ("where on true", lambda: ew.where(ir.constant(True), X, Y), lambda: X),
    ("where on false broadcasts",
     lambda: ew.where(ir.constant(False), X, ir.constant(np.float32(2))),
     lambda: sh.broadcast_like(ir.constant(np.float32(2)), X)),
    ("where with equal branches", lambda: ew.where(ew.greater(X, Y), X, X), lambda: X),
]


@pytest.mark.parametrize("name, build, build_expected", CASES, ids=[c[0] for c in CASES])
def test_rule_rewrites_to_expected_graph(name, build, build_expected):
    graph = ir.Graph([X, Y, M], [build()])
    rng = np.random.default_rng(1)
    feeds = {id(p): rng.standard_normal(s).astype("float32")
             for p, s in ((X, (2, 3)), (Y, (2, 3)), (M, (2, 3, 4)))}
    run_pass(simplify_algebra, graph, feeds, [build_expected()])


KEPT = [
    ("x * 1 when 1 broadcasts x up", lambda: X * ir.constant(np.ones((4, 1, 1), "float32"))),
    ("x * 1 when 1 changes the dtype",
     lambda: ew.mul(placeholder((3,), "int32", "i"), one("float64"))),
    ("x * 0 (NaN and inf times 0 are NaN)", lambda: X * 0.0),
    ("x - x (inf - inf is NaN)", lambda: X - X),
    ("exp(log(x)) (NaN for x < 0)", lambda: ew.exp(ew.log(X))),
    ("tile by twos", lambda: sh.tile(M, reps=(1, 2, 1))),
    ("index by a proper slice", lambda: sh.index(M, items=(("slice", 1, None, None),))),
    ("reshape to own shape with two unknown dims",
     lambda: sh.reshape(placeholder((None, None), "float32", "z"), shape=(-1, 1))),
]


@pytest.mark.parametrize("name, build", KEPT, ids=[c[0] for c in KEPT])
def test_unsafe_identities_are_not_applied(name, build):
    graph = ir.Graph([], [build()])
    assert str(simplify_algebra(graph)) == str(graph)


def test_rule_table_names_are_unique_and_patterns_rooted_at_ops():
    names = [name for name, _, _ in RULES]
    assert len(names) == len(set(names))
    assert all(isinstance(pattern, tuple) and isinstance(pattern[0], str)
               for _, pattern, _ in RULES)


def test_algebra_keeps_update_structure():
    from graphkeras.ir.ops.leaves import variable
    w = variable(ir.Storage(np.ones((3,), "float32"), "w"), "float32", (3,))
    graph = ir.Graph([], [w * 1.0], [(w, ew.neg(ew.neg(w)) - 0.0)])
    result = simplify_algebra(graph)
    assert result.outputs == [w]
    assert result.updates[0][0] is w and result.updates[0][1] is w
