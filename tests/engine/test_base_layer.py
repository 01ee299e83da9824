"""Layer basics: naming, nodes and history, shapes, input specs, weights, losses, updates."""
import numpy as np
import pytest

from graphkeras import backend as K
from graphkeras.engine import Input, InputLayer, InputSpec, Layer, Node
from graphkeras.engine import base_layer, topology
from graphkeras.layers import Dense

from .helpers import Counter, Scale, rand


def test_default_names_count_per_class_and_reset_with_clear_session():
    names = [Dense(2).name, Dense(2).name, Scale().name, Dense(2).name]
    assert names == ["dense_1", "dense_2", "scale_1", "dense_3"]
    K.clear_session()
    assert Dense(2).name == "dense_1"


def test_snake_case_names_of_camel_case_classes():
    class Conv2DTranspose(Layer):
        pass

    class _Private(Layer):
        pass

    assert Conv2DTranspose().name == "conv2d_transpose_1"
    assert _Private().name == "private__private_1"


def test_unknown_keyword_argument_is_refused():
    with pytest.raises(TypeError, match="not understood: 'unit'"):
        Layer(unit=3)


def test_input_shape_keywords_set_batch_input_shape():
    assert Layer(input_shape=(3,)).batch_input_shape == (None, 3)
    assert Layer(input_shape=(3,), batch_size=8).batch_input_shape == (8, 3)
    assert Layer(batch_input_shape=(4, 5)).batch_input_shape == (4, 5)
    assert Dense(2, input_dim=7).batch_input_shape == (None, 7)


def test_call_creates_node_and_tags_history_and_shape():
    x = Input(shape=(3,), name="x")
    layer = Dense(4)
    y = layer(x)
    assert y._keras_history == (layer, 0, 0)
    assert y._keras_shape == (None, 4)
    node = layer._inbound_nodes[0]
    assert isinstance(node, Node)
    assert node.inbound_layers == [x._keras_history[0]]
    assert node.node_indices == [0] and node.tensor_indices == [0]
    assert node.input_tensors[0] is x and node.output_tensors[0] is y
    assert x._keras_history[0]._outbound_nodes == [node]
    assert node.get_config() == {"outbound_layer": layer.name, "inbound_layers": ["x"],
                                 "node_indices": [0], "tensor_indices": [0]}


def test_weights_are_named_under_the_layer_name():
    layer = Dense(4, name="fc")
    layer(Input(shape=(3,)))
    assert [w.name for w in layer.weights] == ["fc/kernel:0", "fc/bias:0"]
    assert layer.count_params() == 16


def test_shared_layer_has_one_node_per_call_and_ambiguous_attributes_raise():
    a = Input(shape=(3,))
    b = Input(shape=(3,))
    layer = Dense(2)
    ya = layer(a)
    yb = layer(b)
    assert len(layer._inbound_nodes) == 2
    assert yb._keras_history == (layer, 1, 0)
    assert layer.get_input_at(0) is a and layer.get_input_at(1) is b
    assert layer.get_output_at(1) is yb
    assert layer.get_input_shape_at(1) == (None, 3)
    assert layer.get_output_shape_at(0) == (None, 2)
    assert layer.get_input_mask_at(0) is None and layer.get_output_mask_at(1) is None
    # Same shapes at every node: the shape attributes are still defined.
    assert layer.input_shape == (None, 3) and layer.output_shape == (None, 2)
    with pytest.raises(AttributeError, match='multiple inbound nodes, hence the notion of '
                                             '"layer input" is ill-defined'):
        layer.input
    with pytest.raises(AttributeError, match="Use `get_output_at"):
        layer.output
    with pytest.raises(AttributeError, match="input mask"):
        layer.input_mask
    with pytest.raises(ValueError, match="Asked to get input at node 2, but the layer has only "
                                         "2 inbound nodes"):
        layer.get_input_at(2)
    assert ya is layer.get_output_at(0)


def test_shape_attributes_raise_when_nodes_have_different_shapes():
    layer = Scale()
    layer(Input(shape=(3,)))
    layer(Input(shape=(5, 3)))
    with pytest.raises(AttributeError, match="different input shapes.*get_input_shape_at"):
        layer.input_shape
    with pytest.raises(AttributeError, match="different output shapes.*get_output_shape_at"):
        layer.output_shape
    assert layer.get_output_shape_at(1) == (None, 5, 3)


def test_unconnected_layer_attributes_raise():
    layer = Dense(2)
    with pytest.raises(AttributeError, match="is not connected"):
        layer.input
    with pytest.raises(AttributeError, match="has no inbound nodes"):
        layer.output
    with pytest.raises(AttributeError, match="never been called"):
        layer.input_shape
    with pytest.raises(RuntimeError, match="never been called"):
        layer.get_output_at(0)


def test_input_spec_error_names_layer_expected_and_actual_shape():
    layer = Dense(3, name="dense_2")
    layer(Input(shape=(64,)))
    with pytest.raises(ValueError) as err:
        layer(Input(shape=(32,)))
    assert str(err.value) == ("Dense 'dense_2' expects inputs whose last dimension is 64, got "
                              "shape (None, 32).")


@pytest.mark.parametrize("spec, shape, message", [
    (InputSpec(ndim=3), (None, 4), "expects inputs of rank 3 (ndim=3), got shape (None, 4)"),
    (InputSpec(min_ndim=3), (None, 4), "of rank at least 3"),
    (InputSpec(max_ndim=2), (None, 4, 5), "of rank at most 2"),
    (InputSpec(dtype="int32"), (None, 4), "of dtype int32, got dtype float32"),
    (InputSpec(shape=(None, 5)), (None, 4), "of shape (None, 5), got shape (None, 4)"),
    (InputSpec(axes={1: 7}), (None, 4), "whose axis 1 is 7"),
])
def test_input_spec_checks(spec, shape, message):
    layer = Layer(name="checked")
    layer.input_spec = spec
    with pytest.raises(ValueError) as err:
        layer(Input(batch_shape=shape))
    assert "Layer 'checked' expects inputs" in str(err.value)
    assert message in str(err.value)


def test_input_spec_counts_inputs_and_names_the_bad_one():
    layer = Layer(name="two")
    layer.input_spec = [InputSpec(ndim=2), InputSpec(ndim=3)]
    with pytest.raises(ValueError, match="expects 2 input"):
        layer(Input(shape=(3,)))
    with pytest.raises(ValueError, match="expects input 1 of rank 3"):
        layer([Input(shape=(3,)), Input(shape=(3,))])


def test_non_tensor_input_is_refused():
    with pytest.raises(ValueError, match="isn't a symbolic tensor"):
        Dense(2)(np.zeros((2, 3)))


def test_identity_layer_returns_a_new_tensor_so_histories_stay_apart():
    x = Input(shape=(3,))
    layer = Layer()
    y = layer(x)
    assert y is not x
    assert isinstance(x._keras_history[0], InputLayer)
    assert y._keras_history == (layer, 0, 0)


def test_get_and_set_weights_round_trip_and_errors():
    layer = Dense(2)
    layer(Input(shape=(3,)))
    values = [rand(3, 2), rand(2, seed=1)]
    layer.set_weights(values)
    for got, want in zip(layer.get_weights(), values):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="expecting 2 weights"):
        layer.set_weights(values[:1])
    with pytest.raises(ValueError, match=r"shape \(3, 2\).*\(2, 3\)"):
        layer.set_weights([rand(2, 3), rand(2)])


def test_weights_keyword_sets_initial_values_at_build():
    kernel = rand(3, 2)
    layer = Dense(2, weights=[kernel, np.zeros(2, "float32")])
    layer(Input(shape=(3,)))
    np.testing.assert_array_equal(layer.get_weights()[0], kernel)


def test_trainable_flag_moves_weights_to_non_trainable():
    layer = Dense(2)
    layer(Input(shape=(3,)))
    assert len(layer.trainable_weights) == 2 and not layer.non_trainable_weights
    layer.trainable = False
    assert not layer.trainable_weights and len(layer.non_trainable_weights) == 2
    assert len(layer.weights) == 2


def test_regularizer_losses_are_unconditional_and_activity_losses_conditional():
    x = Input(shape=(3,))
    layer = Dense(2, kernel_regularizer="l2", activity_regularizer="l1")
    layer(x)
    assert len(layer.get_losses_for(None)) == 1
    assert len(layer.get_losses_for([x])) == 1
    assert len(layer.losses) == 2


def test_updates_are_keyed_by_inputs():
    x = Input(shape=(3,))
    layer = Counter()
    layer(x)
    assert len(layer.get_updates_for([x])) == 1
    assert layer.get_updates_for(None) == []
    layer.trainable = False
    assert layer.updates == [] and layer.get_updates_for([x]) == []


def test_count_params_of_unbuilt_layer_raises():
    with pytest.raises(RuntimeError, match="isn't built"):
        Dense(2).count_params()


def test_config_round_trip_keeps_name_shape_and_dtype():
    layer = Dense(3, input_shape=(4,), name="d", trainable=False)
    config = layer.get_config()
    assert config["batch_input_shape"] == (None, 4) and config["dtype"] == "float32"
    clone = Dense.from_config(config)
    assert clone.name == "d" and clone.trainable is False
    assert clone.batch_input_shape == (None, 4)


def test_mask_is_refused_by_layers_without_masking_support():
    layer = Layer(name="plain")
    with pytest.raises(TypeError, match="does not support masking"):
        layer.compute_mask(None, mask=K.placeholder(shape=(None, 3)))
    layer.supports_masking = True
    mask = K.placeholder(shape=(None, 3))
    assert layer.compute_mask(None, mask) is mask


def test_keras_2_2_module_paths():
    assert topology.Layer is base_layer.Layer is Layer
    assert topology.InputSpec is InputSpec and topology.Input is Input
    from graphkeras.engine.training import Model as TrainingModel
    from graphkeras.engine import Model
    from graphkeras.utils import layer_utils
    assert Model is TrainingModel
    assert callable(layer_utils.print_summary) and callable(layer_utils.count_params)


class SumFeatures(Layer):
    """Changes the shape but states no `compute_output_shape` (tf.keras-style custom layer)."""

    def call(self, inputs):
        return K.sum(inputs, axis=-1, keepdims=True)


class WrongRule(SumFeatures):
    def compute_output_shape(self, input_shape):
        return input_shape


def test_layer_without_shape_rule_gets_the_inferred_shape():
    x = Input(shape=(4,))
    y = SumFeatures()(x)
    assert y._keras_shape == (None, 1)
    assert Dense(2)(y)._keras_shape == (None, 2)


def test_shape_rule_contradicting_the_graph_is_reported():
    with pytest.raises(ValueError, match="WrongRule 'wrong_rule_1': compute_output_shape gives "
                                         r"\(None, 4\) for output 0, but `call` made a tensor "
                                         r"of shape \(None, 1\)"):
        WrongRule()(Input(shape=(4,)))


def test_shape_rule_may_leave_known_dimensions_unknown():
    class Loose(Layer):
        def compute_output_shape(self, input_shape):
            return (None, None)

    assert Loose()(Input(batch_shape=(2, 3)))._keras_shape == (None, None)


def test_tf_keras_dtype_policy_in_a_config_is_read_as_its_dtype_name():
    policy = {"module": "keras.mixed_precision", "class_name": "Policy",
              "config": {"name": "float32"}}
    assert Dense(2, dtype=policy).dtype == "float32"


class DocsLayer(Layer):
    """The custom layer of Keras 2.2's "Writing your own Keras layers" guide."""

    def __init__(self, output_dim, **kwargs):
        self.output_dim = output_dim
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[1], self.output_dim),
                                      initializer="uniform", trainable=True)
        super().build(input_shape)

    def call(self, x):
        return K.dot(x, self.kernel)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)


class Keras1Layer(Layer):
    """A Keras 1 style layer that assigns its weight lists directly."""

    def build(self, input_shape):
        self.W = K.variable(np.ones((input_shape[1], 2)), name="W")
        self.trainable_weights = [self.W]

    def call(self, x):
        return K.dot(x, self.W)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 2)


def test_custom_layers_in_keras_2_2_and_keras_1_style():
    from graphkeras.models import Sequential
    model = Sequential([DocsLayer(4, input_shape=(3,)), Keras1Layer()])
    assert model.output_shape == (None, 2)
    assert [K.int_shape(w) for w in model.trainable_weights] == [(3, 4), (4, 2)]
    assert model.layers[0].weights[0].name == "docs_layer_1/kernel:0"
    assert model.count_params() == 20
