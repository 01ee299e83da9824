"""Hypothesis strategies shared across areas: random expression graphs with their inputs.

`expression_graphs()` draws a small graph of elementwise, reduction and shape ops over a few
placeholders and constants, deliberately seeded with what the passes rewrite (x * 1, --x,
transpose pairs, reshape chains, log(exp(.)), duplicates, constant subexpressions, shape_of of
static shapes, where on constant conditions). Values stay finite: exp only sees tanh(.), log
only 1 + x * x, division only 1 + |y|. Use it to check that a transformation (a pass, the
compiled runtime) preserves values against `ir.evaluate`.
"""
import numpy as np
from hypothesis import reject
from hypothesis import strategies as st

from graphkeras import ir
from graphkeras.ir.ops import elementwise as ew
from graphkeras.ir.ops import reduction as red
from graphkeras.ir.ops import shape as sh
from graphkeras.ir.ops.leaves import placeholder


class ExpressionCase:
    """A graph and the arrays to feed it: `feeds` maps id(placeholder) to its array."""

    def __init__(self, graph, feeds):
        self.graph = graph
        self.feeds = feeds

    def input_values(self):
        """The fed arrays in `graph.inputs` order."""
        return [self.feeds[id(p)] for p in self.graph.inputs]

    def evaluate(self, graph=None):
        """Reference values of (this or another graph over the same inputs') outputs."""
        graph = self.graph if graph is None else graph
        return ir.evaluate(graph.outputs, self.feeds)

    def __repr__(self):
        return f"ExpressionCase(\n{self.graph}\n)"


def _unary_moves():
    return {
        "neg": ew.neg,
        "tanh": ew.tanh,
        "sin": ew.sin,
        "abs": ew.abs_,
        "bounded exp": lambda x: ew.exp(ew.tanh(x)),
        "log(exp(tanh x))": lambda x: ew.log(ew.exp(ew.tanh(x))),
        "safe log": lambda x: ew.log(1.0 + x * x),
        "x * 1": lambda x: x * 1.0,
        "1 * x": lambda x: ew.mul(ir.constant(1.0, x.dtype), x),
        "x + 0": lambda x: x + 0.0,
        "0 - x": lambda x: ew.sub(ir.constant(0.0, x.dtype), x),
        "--x": lambda x: ew.neg(ew.neg(x)),
        "identity": ew.identity,
        "cast to itself": lambda x: ew.cast(x, dtype=x.dtype),
        "duplicate": lambda x: ew.tanh(x) + ew.tanh(x),
        "zeros like": lambda x: ir.zeros_like(x) + x,
        "reshape_to own shape": lambda x: sh.reshape_to(x, sh.shape_of(x), hint=x.shape),
        "expand then squeeze": lambda x: sh.squeeze(sh.expand_dims(x, axis=0), axis=0),
    }


def _binary_moves():
    return {
        "add": ew.add,
        "sub": ew.sub,
        "mul": ew.mul,
        "maximum": ew.maximum,
        "minimum": ew.minimum,
        "safe div": lambda x, y: x / (1.0 + ew.abs_(y)),
        "x + -y": lambda x, y: x + ew.neg(y),
        "where constant true": lambda x, y: ew.where(ir.constant(True), x, y),
        "where constant false": lambda x, y: ew.where(ir.constant(False), x, y),
        "where x > y": lambda x, y: ew.where(ew.greater(x, y), x, y),
    }


UNARY_MOVES = _unary_moves()
BINARY_MOVES = _binary_moves()
REDUCTIONS = {"sum": red.sum_, "mean": red.mean, "max": red.max_, "min": red.min_}


@st.composite
def _transpose_pair_or_one(draw, x):
    perm = tuple(draw(st.permutations(range(x.ndim))))
    once = sh.transpose(x, perm=perm)
    if draw(st.booleans()):
        return sh.transpose(once, perm=tuple(int(a) for a in np.argsort(perm)))
    return once


def _reshape_chain(x):
    """x flattened, then reshaped back: a chain the algebra pass collapses."""
    flat = sh.reshape(x, shape=(-1,))
    return sh.reshape(flat, shape=tuple(-1 if d is None else d for d in x.shape))


@st.composite
def _reduction(draw, x):
    if x.ndim == 0:
        return x
    axes = tuple(sorted(draw(st.sets(st.integers(0, x.ndim - 1), min_size=1))))
    name = draw(st.sampled_from(sorted(REDUCTIONS)))
    return REDUCTIONS[name](x, axes=axes, keepdims=draw(st.booleans()))


@st.composite
def _step(draw, pool):
    """One new node over the pool, or None when the drawn combination does not type-check."""
    kind = draw(st.sampled_from(["unary", "binary", "binary", "reduce", "transpose",
                                 "reshape chain", "constant expression"]))
    x = draw(st.sampled_from(pool))
    try:
        if kind == "unary":
            return UNARY_MOVES[draw(st.sampled_from(sorted(UNARY_MOVES)))](x)
        if kind == "binary":
            y = draw(st.sampled_from(pool))
            return BINARY_MOVES[draw(st.sampled_from(sorted(BINARY_MOVES)))](x, y)
        if kind == "reduce":
            return draw(_reduction(x))
        if kind == "transpose":
            # Rank 0 is left out: the reference transpose of a scalar returns shape (1,)
            # (np.ascontiguousarray makes arrays at least 1-d), reported to the IR's owner.
            return draw(_transpose_pair_or_one(x)) if x.ndim else None
        if kind == "reshape chain":
            return _reshape_chain(x) if sum(d is None for d in x.shape) <= 1 else None
        value = draw(st.floats(-2, 2, width=32))
        return x + ew.tanh(ir.constant(value, "float32") * 2.0)
    except ValueError:
        return None


@st.composite
def expression_graphs(draw, max_steps=12, dtype="float32"):
    """An ExpressionCase: 1-3 placeholders (first dimension sometimes unknown), a constant,
    3 to `max_steps` random ops, and as outputs the last node made and maybe another."""
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    feeds, pool = {}, []
    for k in range(draw(st.integers(1, 3))):
        fed_shape = tuple(1 if draw(st.integers(0, 3)) == 0 else d for d in shape)
        # Unknown dimensions are all the batch size (shape[0]), as the IR assumes when two
        # unknown dimensions meet.
        unknown_batch = fed_shape[0] == shape[0] and draw(st.booleans())
        declared = (None,) + fed_shape[1:] if unknown_batch else fed_shape
        node = placeholder(declared, dtype, f"input_{k}")
        feeds[id(node)] = np.asarray(rng.standard_normal(fed_shape), dtype=dtype)
        pool.append(node)
    pool.append(ir.constant(np.asarray(rng.standard_normal(shape[-1:]), dtype=dtype)))
    made = []
    for _ in range(draw(st.integers(min(3, max_steps), max_steps))):
        node = draw(_step(pool))
        if node is not None and node.dtype == dtype:
            pool.append(node)
            made.append(node)
    if not made:
        made.append(ew.tanh(pool[0]))
    outputs = [made[-1]]
    if len(made) > 1 and draw(st.booleans()):
        outputs.append(draw(st.sampled_from(made[:-1])))
    inputs = [p for p in pool if p.op == "placeholder"]
    case = ExpressionCase(ir.Graph(inputs, outputs), feeds)
    try:
        with np.errstate(all="ignore"):
            case.evaluate()
    except ValueError:
        # An unknown dimension was fed a size the static types could not rule out (a
        # transposed None meeting a fixed size): the graph is wrong for these feeds.
        reject()
    return case
