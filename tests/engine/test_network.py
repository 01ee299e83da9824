"""Functional models: graph mapping, running on new tensors, nesting, weights, updates, losses."""
import numpy as np
import pytest

from graphkeras import backend as K
from graphkeras.engine import Network, get_source_inputs
from graphkeras.layers import Concatenate, Dense, Dropout, Masking
from graphkeras.models import Input, Model

from .helpers import Counter, Scale, rand, run


def two_input_two_output_model():
    a = Input(shape=(4,), name="a")
    b = Input(shape=(3,), name="b")
    h = Dense(5, name="h")(a)
    merged = Concatenate(name="merge")([h, b])
    out1 = Dense(2, name="out1")(merged)
    out2 = Dense(1, name="out2")(h)
    return Model([a, b], [out1, out2], name="multi"), (a, b, h, out1, out2)


def test_multi_io_model_lists_inputs_outputs_names_and_layers_by_depth():
    model, (a, b, _, out1, out2) = two_input_two_output_model()
    assert model.inputs == [a, b] and model.outputs == [out1, out2]
    assert model.input_names == ["a", "b"] and model.output_names == ["out1", "out2"]
    assert model._feed_input_names == ["a", "b"]
    assert model._feed_inputs == [a, b]
    assert model._feed_input_shapes == [(None, 4), (None, 3)]
    assert [layer.name for layer in model.layers] == ["a", "h", "b", "merge", "out1", "out2"]
    assert model.input_shape == [(None, 4), (None, 3)]
    assert model.output_shape == [(None, 2), (None, 1)]
    assert model.built and not model._is_compiled


def test_get_layer_by_name_and_index():
    model, _ = two_input_two_output_model()
    assert model.get_layer("merge").name == "merge"
    assert model.get_layer(index=1).name == "h"
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="index 9 but model only has 6 layers"):
        model.get_layer(index=9)
    with pytest.raises(ValueError, match="Provide either a layer name or layer index"):
        model.get_layer()


def test_model_runs_like_the_layers_it_holds():
    model, _ = two_input_two_output_model()
    xa, xb = rand(5, 4), rand(5, 3, seed=1)
    y1, y2 = run(model, [xa, xb])
    kh, bh, k1, b1, k2, b2 = model.get_weights()
    h = xa @ kh + bh
    np.testing.assert_allclose(y1, np.concatenate([h, xb], 1) @ k1 + b1, rtol=1e-5)
    np.testing.assert_allclose(y2, h @ k2 + b2, rtol=1e-5)


def test_calling_a_model_on_new_tensors_reuses_its_layers():
    inner_in = Input(shape=(3,))
    inner = Model(inner_in, Dense(2, name="d")(inner_in), name="inner")
    x = Input(shape=(3,))
    y = inner(x)
    assert y._keras_history == (inner, 1, 0)
    assert y._keras_shape == (None, 2)
    assert len(inner.get_layer("d")._inbound_nodes) == 1
    outer = Model(x, Dense(1, name="top")(y))
    assert [layer.name for layer in outer.layers] == [x._keras_history[0].name, "inner", "top"]
    assert len(outer.trainable_weights) == 4
    xs = rand(4, 3)
    k, b, kt, bt = outer.get_weights()
    np.testing.assert_allclose(run(outer, [xs])[0], (xs @ k + b) @ kt + bt, rtol=1e-5)


def test_nested_model_call_with_wrong_shape_names_the_inner_layer():
    inner_in = Input(shape=(3,))
    inner = Model(inner_in, Dense(2, name="inner_dense")(inner_in))
    with pytest.raises(ValueError, match="Dense 'inner_dense' expects inputs whose last "
                                         "dimension is 3, got shape \\(None, 5\\)"):
        inner(Input(shape=(5,)))


def test_shared_model_applied_twice_has_two_nodes():
    inner_in = Input(shape=(3,))
    inner = Model(inner_in, Scale()(inner_in))
    a, b = Input(shape=(3,)), Input(shape=(3,))
    ya, yb = inner(a), inner(b)
    assert len(inner._inbound_nodes) == 3
    outer = Model([a, b], Concatenate()([ya, yb]))
    assert run(outer, [rand(2, 3), rand(2, 3, seed=1)])[0].shape == (2, 6)


def test_graph_disconnected_and_non_input_errors():
    a = Input(shape=(3,), name="a")
    b = Input(shape=(3,), name="b")
    out = Concatenate()([Dense(2)(a), b])
    with pytest.raises(ValueError, match='Graph disconnected: cannot obtain value for tensor '
                                         '.* at layer "b"'):
        Model(a, out)
    with pytest.raises(TypeError, match="must be `InputLayer` objects"):
        Model(Dense(2)(a), out)
    with pytest.raises(ValueError, match="missing previous layer metadata"):
        Model(K.placeholder(shape=(None, 3)), out)
    with pytest.raises(ValueError, match="redundant"):
        Model([a, a], out)


def test_duplicate_layer_names_are_refused():
    a = Input(shape=(3,))
    y = Dense(2, name="same")(Dense(2, name="same")(a))
    with pytest.raises(ValueError, match='The name "same" is used 2 times in the model'):
        Model(a, y)


def test_source_inputs_of_a_deep_tensor():
    model, (a, b, h, out1, out2) = two_input_two_output_model()
    assert get_source_inputs(out1) == [a, b]
    assert get_source_inputs(out2) == [a]


def test_get_and_set_weights_round_trip():
    model, _ = two_input_two_output_model()
    new = [np.full(w.shape, i, "float32") for i, w in enumerate(model.get_weights())]
    model.set_weights(new)
    for got, want in zip(model.get_weights(), new):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="expects 6 weight arrays"):
        model.set_weights(new[:2])
    assert model.count_params() == 4 * 5 + 5 + 8 * 2 + 2 + 5 + 1


def test_trainable_false_on_nested_model_freezes_its_weights_in_the_outer_model():
    inner_in = Input(shape=(3,))
    inner = Model(inner_in, Dense(2)(inner_in))
    x = Input(shape=(3,))
    outer = Model(x, Dense(1)(inner(x)))
    assert len(outer.trainable_weights) == 4
    inner.trainable = False
    assert len(outer.trainable_weights) == 2
    assert len(outer.non_trainable_weights) == 2
    outer.trainable = False
    assert outer.trainable_weights == [] and len(outer.non_trainable_weights) == 4


def test_updates_and_losses_of_layers_are_collected_per_network():
    x = Input(shape=(3,))
    counter = Counter()
    y = Dense(2, kernel_regularizer="l2")(counter(x))
    model = Model(x, y)
    assert len(model.updates) == 1
    assert len(model.losses) == 2
    # The layer used outside the model: that call's update does not belong to the model.
    counter(Input(shape=(3,)))
    assert len(model.updates) == 1
    # Nested in another model and called on new tensors: the new call's update is owned there.
    z = Input(shape=(3,))
    outer = Model(z, model(z))
    assert len(outer.updates) == 1 and outer.updates != model.updates
    assert len(outer.losses) == 2
    f = K.function(outer.inputs, outer.outputs, updates=outer.updates)
    f([rand(2, 3)])
    assert K.get_value(counter.count) == 1.0
    model.trainable = False
    assert model.updates == []


def test_uses_learning_phase_follows_dropout():
    x = Input(shape=(3,))
    assert not Model(x, Dense(2)(x)).uses_learning_phase
    assert Model(x, Dense(2)(Dropout(0.5)(x))).uses_learning_phase


def test_masks_pass_through_nodes_and_models():
    x = Input(shape=(4, 3))
    masked = Masking(0.0)(x)
    node = masked._keras_history[0]._inbound_nodes[0]
    assert node.output_masks[0] is not None
    scale = Scale()
    scale.supports_masking = True
    model = Model(x, scale(masked))
    assert model.output_mask is not None
    y = Input(shape=(4, 3))
    mask = model.compute_mask(y, None)
    assert K.int_shape(mask) == (None, 4)


def test_compute_output_shape_walks_layer_shape_rules():
    model, _ = two_input_two_output_model()
    assert model.compute_output_shape([(8, 4), (8, 3)]) == [(8, 2), (8, 1)]


class TwoLayerNet(Model):
    def __init__(self):
        super().__init__(name="two_layer")
        self.hidden = Dense(4, activation="relu")
        self.out = Dense(2)

    def call(self, inputs):
        return self.out(self.hidden(inputs))


def test_subclassed_model_tracks_layers_and_runs_when_called():
    net = TwoLayerNet()
    assert net.layers == [net.hidden, net.out] and not net.built
    x = Input(shape=(3,))
    y = net(x)
    assert y._keras_shape == (None, 2) and net.built
    assert len(net.trainable_weights) == 4
    assert net.count_params() == 3 * 4 + 4 + 4 * 2 + 2
    xs = rand(2, 3)
    k1, b1, k2, b2 = net.get_weights()
    np.testing.assert_allclose(K.function([x], [y])([xs])[0],
                               np.maximum(xs @ k1 + b1, 0) @ k2 + b2, rtol=1e-5)
    with pytest.raises(NotImplementedError, match="Subclassed model"):
        net.get_config()


def test_subclassed_model_inputs_set_from_arrays():
    net = TwoLayerNet()
    net._set_inputs(np.zeros((5, 3), "float32"))
    assert net.input_names == ["input_1"] and net.output_names == ["output_1"]
    assert net._feed_input_shapes == [(None, 3)]
    assert K.int_shape(net.outputs[0]) == (None, 2)


def test_forgetting_super_init_in_subclass_is_reported():
    class Broken(Model):
        def __init__(self):
            self.dense = Dense(2)

    with pytest.raises(RuntimeError, match="forgot to call `super"):
        Broken()


def test_network_class_is_usable_directly():
    x = Input(shape=(3,))
    net = Network(x, Dense(2)(x))
    assert net.name == "network_1" and net.output_shape == (None, 2)


def test_training_argument_reaches_layers_of_a_called_model():
    x = Input(shape=(200,))
    model = Model(x, Dropout(0.5)(x))
    y = Input(shape=(200,))
    ones = np.ones((2, 200), "float32")
    dropped = K.function([y], [model(y, training=True)])([ones])[0]
    assert (dropped == 0).any() and set(np.unique(dropped)) <= {0.0, 2.0}
    kept = K.function([y, K.learning_phase()], [model(y, training=False)])([ones, 1])[0]
    np.testing.assert_array_equal(kept, ones)


def test_called_model_output_is_cached_per_input():
    x = Input(shape=(3,))
    model = Model(x, Dense(2)(x))
    y = Input(shape=(3,))
    assert model.call(y) is model.call(y)
    assert model.call(y) is not model.call(Input(shape=(3,)))


def test_tensor_without_keras_history_inside_the_graph_is_reported():
    raw = K.placeholder(shape=(None, 3))
    x = Input(shape=(3,))
    merged = Concatenate()([Dense(3)(x), Dense(3)(raw)])
    with pytest.raises(ValueError, match="does not come from a Keras layer or `Input`"):
        Model(x, merged)


def test_unused_input_is_listed_and_survives_a_config_round_trip():
    a = Input(shape=(3,), name="a")
    unused = Input(shape=(2,), name="unused")
    model = Model([a, unused], Dense(1, name="d")(a))
    assert [layer.name for layer in model.layers] == ["a", "unused", "d"]
    copy = Model.from_config(model.get_config())
    assert copy.input_names == ["a", "unused"] and copy.input_shape == [(None, 3), (None, 2)]


def test_keras_1_input_output_keywords_are_converted_with_a_warning():
    x = Input(shape=(3,))
    y = Dense(2)(x)
    with pytest.warns(UserWarning, match="Keras 2 API"):
        model = Model(input=x, output=y)
    assert model.inputs == [x] and model.outputs == [y]
