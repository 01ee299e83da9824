"""Sequential: building from a shape on the first layer, deferred build, add/pop, nesting."""
import numpy as np
import pytest

from graphkeras import backend as K
from graphkeras.engine.input_layer import InputLayer
from graphkeras.layers import Dense, Dropout
from graphkeras.models import Input, Model, Sequential

from .helpers import rand, run


def test_input_dim_on_first_layer_builds_at_once():
    model = Sequential()
    model.add(Dense(8, input_dim=5))
    assert model.built
    assert model.inputs[0]._keras_history[0].name == "dense_1_input"
    model.add(Dense(3))
    assert [layer.name for layer in model.layers] == ["dense_1", "dense_2"]
    assert isinstance(model._layers[0], InputLayer)
    assert model.input_shape == (None, 5) and model.output_shape == (None, 3)
    assert model.input_names == ["dense_1_input"] and model.output_names == ["dense_2"]


@pytest.mark.parametrize("kwargs, shape", [
    ({"input_shape": (5,)}, (None, 5)),
    ({"batch_input_shape": (4, 5)}, (4, 5)),
    ({"input_shape": (5,), "batch_size": 2}, (2, 5)),
])
def test_shape_keywords_of_first_layer(kwargs, shape):
    model = Sequential([Dense(2, **kwargs)])
    assert model.input_shape == shape


def test_deferred_build_without_input_shape():
    model = Sequential([Dense(4), Dense(2)])
    assert not model.built and not model.inputs
    with pytest.raises(ValueError, match="has not yet been built"):
        model.summary()
    model.build((None, 3))
    assert model.built and model.output_shape == (None, 2)
    assert model.count_params() == 3 * 4 + 4 + 4 * 2 + 2
    assert model.inputs[0]._keras_history[0].name == model.name + "_input"


def test_deferred_model_is_built_when_called_on_a_tensor():
    model = Sequential([Dense(4), Dense(2)])
    x = Input(shape=(3,))
    y = model(x)
    assert model.built and y._keras_shape == (None, 2)


def test_pop_removes_the_top_layer():
    model = Sequential([Dense(4, input_dim=3), Dropout(0.1), Dense(2)])
    model.pop()
    assert [layer.name for layer in model.layers] == ["dense_1", "dropout_1"]
    assert model.output_shape == (None, 4)
    assert model.layers[-1]._outbound_nodes == []
    model.add(Dense(7))
    assert model.output_shape == (None, 7)
    model.pop()
    model.pop()
    model.pop()
    assert model.layers == []
    with pytest.raises(TypeError, match="There are no layers in the model"):
        model.pop()


def test_add_refuses_non_layers():
    with pytest.raises(TypeError, match="must be an instance of class Layer"):
        Sequential().add("dense")


def test_sequential_runs_as_its_layers():
    model = Sequential([Dense(4, input_dim=3, activation="relu"), Dense(2)])
    xs = rand(5, 3)
    k1, b1, k2, b2 = model.get_weights()
    np.testing.assert_allclose(run(model, [xs])[0], np.maximum(xs @ k1 + b1, 0) @ k2 + b2,
                               rtol=1e-5)


def test_models_nest_in_sequential_and_functional_models():
    inner = Sequential([Dense(4, input_dim=3)])
    outer = Sequential([inner, Dense(1)])
    assert outer.input_shape == (None, 3) and outer.output_shape == (None, 1)
    assert len(outer.trainable_weights) == 4
    x = Input(shape=(3,))
    functional = Model(x, outer(x))
    assert functional.output_shape == (None, 1)
    inp = Input(shape=(3,))
    graph_model = Model(inp, Dense(2)(inp))
    stacked = Sequential([graph_model, Dense(5)])
    assert stacked.output_shape == (None, 5)


def test_explicit_input_layer_as_first_layer():
    model = Sequential()
    model.add(InputLayer(input_shape=(6,)))
    model.add(Dense(2))
    assert model.input_shape == (None, 6) and [l.name for l in model.layers] == ["dense_1"]


def test_sequential_trainable_weights_and_freezing():
    model = Sequential([Dense(4, input_dim=3), Dense(2)])
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    assert K.int_shape(model.non_trainable_weights[0]) == (3, 4)


def test_predict_classes_and_proba():
    softmax = Sequential([Dense(3, input_dim=2, activation="softmax")])
    x = rand(6, 2)
    proba = softmax.predict_proba(x)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(softmax.predict_classes(x), proba.argmax(axis=-1))
    sigmoid = Sequential([Dense(1, input_dim=2, activation="sigmoid")])
    classes = sigmoid.predict_classes(x)
    assert classes.dtype == np.int32 and classes.shape == (6, 1)
    np.testing.assert_array_equal(classes, (sigmoid.predict(x) > 0.5).astype("int32"))
    linear = Sequential([Dense(1, input_dim=2, kernel_initializer="ones", bias_initializer="ones")])
    with pytest.warns(UserWarning, match="invalid probability values"):
        linear.predict_proba(x + 1.0)


def test_layer_with_two_outputs_is_refused():
    from graphkeras.engine.base_layer import Layer

    class Split(Layer):
        def call(self, inputs):
            return [inputs * 1.0, inputs * 2.0]

        def compute_output_shape(self, input_shape):
            return [input_shape, input_shape]

    model = Sequential([Dense(2, input_dim=3)])
    with pytest.raises(TypeError, match="layer 'split_1' has 2. For multi-output layers"):
        model.add(Split())
