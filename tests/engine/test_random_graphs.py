"""Random layer graphs: any DAG of Dense and Concatenate calls, with shared layers, survives a
JSON round trip and cloning with the same function, and its summary counts its params."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkeras.layers import Concatenate, Dense
from graphkeras.models import Input, Model, clone_model, model_from_json

from .helpers import rand, run


@st.composite
def graph_plans(draw):
    """A list of steps; each takes one or two earlier tensors (indices) and a layer choice."""
    n_inputs = draw(st.integers(1, 2))
    steps = []
    for i in range(draw(st.integers(1, 5))):
        available = n_inputs + i
        sources = draw(st.lists(st.integers(0, available - 1), min_size=1, max_size=2,
                                unique=True))
        steps.append((sources, draw(st.integers(1, 4)), draw(st.booleans())))
    return n_inputs, steps


def build(plan):
    n_inputs, steps = plan
    tensors = [Input(shape=(3,)) for _ in range(n_inputs)]
    inputs = list(tensors)
    shared = Dense(3, name="shared")
    for sources, units, use_shared in steps:
        x = tensors[sources[0]] if len(sources) == 1 else Concatenate()(
            [tensors[i] for i in sources])
        tensors.append(shared(x) if use_shared and x._keras_shape[-1] == 3 else Dense(units)(x))
    return Model(inputs, tensors[n_inputs:][-2:]), n_inputs


@settings(max_examples=15, deadline=None)
@given(graph_plans())
def test_random_graph_round_trips_and_clones_with_same_function(plan):
    model, n_inputs = build(plan)
    arrays = [rand(2, 3, seed=i) for i in range(n_inputs)]
    expected = run(model, arrays)
    from_json = model_from_json(model.to_json())
    assert from_json.get_config() == model.get_config()
    clone = clone_model(model)
    assert [type(layer) for layer in clone.layers] == [type(layer) for layer in model.layers]
    for copy in (from_json, clone):
        copy.set_weights(model.get_weights())
        for got, want in zip(run(copy, arrays), expected):
            np.testing.assert_allclose(got, want, rtol=1e-5)
    lines = []
    model.summary(print_fn=lines.append)
    assert f"Total params: {model.count_params():,}" in lines
