"""What every pass test checks: the expected graph, the same numbers, and a no-op second run."""
import numpy as np

from graphkeras import ir
from graphkeras.passes import check_invariants


def run_pass(optimization, graph, feeds, expected_outputs=None, rtol=1e-6, atol=1e-6):
    """Apply `optimization`; check invariants, values, idempotence and (if given) the expected
    outputs (compared structurally). Returns the optimized graph."""
    optimized = optimization(graph)
    check_invariants(optimized, graph, optimization.__name__)
    assert_same_values(graph, optimized, feeds, rtol, atol)
    again = optimization(optimized)
    assert str(again) == str(optimized), f"a second run of {optimization.__name__} changed:\n" \
                                         f"{optimized}\n-- into --\n{again}"
    if expected_outputs is not None:
        for got, want in zip(optimized.outputs, expected_outputs):
            assert got == want, f"expected\n{ir.format_node(want)}\ngot\n{ir.format_node(got)}"
    return optimized


def assert_same_values(graph, optimized, feeds, rtol=1e-6, atol=1e-6):
    before = ir.evaluate(graph.roots(), feeds)
    after = ir.evaluate(optimized.roots(), feeds)
    assert len(before) == len(after)
    for b, a in zip(before, after):
        assert a.dtype == b.dtype, (a.dtype, b.dtype)
        assert a.shape == b.shape, (a.shape, b.shape)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def ops_of(graph):
    return [n.op for n in graph.nodes]
