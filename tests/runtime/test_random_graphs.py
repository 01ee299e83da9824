"""Random expression graphs (tests/strategies.py) compiled at every pass level equal the
reference, including inputs whose unknown first dimension is 1 at run time."""
import pytest
from hypothesis import HealthCheck, given, settings

from graphkeras.runtime.compiled import compile_function

from ..strategies import expression_graphs
from .helpers import assert_same_values


@pytest.mark.parametrize("level", ["none", "fast_compile", "fast_run"])
@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(case=expression_graphs())
def test_compiled_random_graph_matches_reference(level, case):
    function = compile_function(case.graph.inputs, case.graph.outputs, level=level)
    got = function(case.input_values())
    assert_same_values(got, case.evaluate(), rtol=1e-4, atol=1e-5)
