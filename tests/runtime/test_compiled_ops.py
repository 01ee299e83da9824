"""Every registered op runs compiled and matches the NumPy reference executor.

Elementwise ops are built over placeholders whose non-unit dimensions are unknown, so the
generated kernels are the shape-generic ones K.function uses (a unit dimension stays static:
it decides the broadcast pattern). Other ops keep static shapes.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from graphkeras import ir

from ..ir.op_cases import CASES
from .helpers import assert_same_values
from graphkeras.runtime.compiled import compile_function
from graphkeras.runtime.interpreter import ReferenceFunction

OPS = sorted(name for name in ir.all_ops() if name in CASES)


def generic_placeholders(arrays, elementwise):
    out = []
    for k, a in enumerate(arrays):
        shape = a.shape
        if elementwise:
            shape = tuple(1 if d == 1 else None for d in shape)
        out.append(ir.ops.leaves.placeholder(shape, a.dtype.name, f"in{k}"))
    return out


def reset_random_streams(node):
    for n in ir.topological_order([node]):
        if "rng" in n.attrs:
            n.attrs["rng"].reset()


@pytest.mark.parametrize("name", OPS)
@settings(max_examples=2, deadline=None, derandomize=True)
@given(data=st.data())
def test_compiled_op_matches_reference(name, data):
    op = ir.get_op(name)
    rng = np.random.RandomState(data.draw(st.integers(0, 2 ** 16)))
    arrays, attrs = CASES[name](data.draw, rng, "float32")
    inputs = generic_placeholders(arrays, op.elementwise)
    node = op(*inputs, **attrs)
    outputs = [node]
    if node.is_tuple:
        outputs = [ir.Node("tuple_get", [node], {"index": k}, t)
                   for k, t in enumerate(node.type.types)]
    function = compile_function(inputs, outputs)
    reference = ReferenceFunction(inputs, outputs)
    reset_random_streams(node)
    got = function(arrays)
    reset_random_streams(node)
    want = reference(arrays)
    assert_same_values(got, want)
