"""Keras 2.2 behaviours across layers and networks: masks through merges and nested models,
node accessors of called models, edge-case graphs, layer naming, and layer_utils converters."""
import numpy as np
import pytest

from graphkeras import backend as K
from graphkeras.engine.base_layer import Layer
from graphkeras.layers import (Concatenate, Dense, InputSpec, Lambda, Masking, Reshape, add,
                               concatenate)
from graphkeras.models import Input, Model, Sequential
from graphkeras.utils import layer_utils


def padded_batch():
    """One sample of 3 timesteps; the first and last are all zeros (masked by Masking(0))."""
    data = np.zeros((1, 3, 2), "float32")
    data[0, 1] = [1.0, 2.0]
    return data


def output_mask(tensor):
    layer, node_index, tensor_index = tensor._keras_history
    return layer._inbound_nodes[node_index].output_masks[tensor_index]


def test_masking_mask_flows_through_dense_into_add_and_concatenate():
    x = Input(shape=(3, 2))
    masked = Masking(0.0)(x)
    summed = add([Dense(4)(masked), Dense(4)(masked)])
    joined = concatenate([masked, Dense(2)(x)])
    along_time = Concatenate(axis=1)([masked, masked])
    masks = K.function([x], [output_mask(summed), output_mask(joined),
                             output_mask(along_time)])([padded_batch()])
    np.testing.assert_array_equal(masks[0], [[False, True, False]])
    # An unmasked input counts as all-true: the masked input decides (Keras 2.2's rule).
    np.testing.assert_array_equal(masks[1], [[False, True, False]])
    np.testing.assert_array_equal(masks[2], [[False, True, False, False, True, False]])


def test_mask_made_inside_a_nested_model_reaches_the_outer_graph():
    x = Input(shape=(3, 2))
    inner = Model(x, Masking(0.0)(x))
    y = Input(shape=(3, 2))
    z = Lambda(lambda t: t * 2.0, mask=lambda inputs, mask: mask)(inner(y))
    value = K.function([y], [output_mask(z)])([padded_batch()])[0]
    np.testing.assert_array_equal(value, [[False, True, False]])


def test_layer_without_masking_support_refuses_a_mask_like_keras():
    masked = Masking(0.0)(Input(shape=(3, 2)))
    with pytest.raises(TypeError, match="does not support masking"):
        Reshape((6,))(masked)


def test_node_accessors_of_a_model_called_several_times():
    x = Input(shape=(3,))
    inner = Model(x, Dense(2)(x), name="inner")
    a = Input(shape=(3,))
    b = Input(shape=(3,))
    out_a = inner(a)
    out_b = inner(b)
    # Node 0 is the model's own graph; each call adds one node.
    assert inner.get_input_at(1) is a and inner.get_output_at(2) is out_b
    assert inner.get_output_at(1) is out_a
    assert inner.get_input_shape_at(2) == (None, 3)
    assert inner.get_output_shape_at(1) == (None, 2)
    with pytest.raises(AttributeError, match="multiple inbound nodes"):
        inner.output
    with pytest.raises(ValueError, match="only 3 inbound nodes"):
        inner.get_output_at(3)


def test_different_input_shapes_make_input_shape_ill_defined():
    layer = Dense(2)
    layer(Input(shape=(3,)))
    layer(Input(batch_shape=(4, 3)))
    with pytest.raises(AttributeError, match='The layer "dense_1" has multiple inbound nodes'):
        layer.input_shape
    assert layer.get_input_shape_at(1) == (4, 3)


def test_model_whose_output_is_its_input_predicts_the_input():
    x = Input(shape=(4,))
    model = Model(x, x)
    data = np.arange(8, dtype="float32").reshape(2, 4)
    np.testing.assert_array_equal(model.predict(data), data)
    assert [layer.name for layer in model.layers] == ["input_1"]


def test_the_same_tensor_twice_as_outputs():
    x = Input(shape=(4,))
    y = Dense(2)(x)
    first, second = Model(x, [y, y]).predict(np.ones((3, 4), "float32"))
    np.testing.assert_array_equal(first, second)


def test_names_restart_after_clear_session_for_layers_and_models():
    first = Input(shape=(1,))
    Model(first, Dense(1)(first))
    K.clear_session()
    x = Input(shape=(2,))
    model = Model(x, Dense(1)(x))
    assert (x._keras_history[0].name, model.layers[1].name, model.name) == (
        "input_1", "dense_1", "model_1")
    assert Sequential().name == "sequential_1"


def test_layer_names_are_snake_case_and_private_classes_are_prefixed():
    class _Hidden(Layer):
        pass

    class PReLUTwin(Layer):
        pass

    assert _Hidden().name == "private__hidden_1"
    assert PReLUTwin().name == "p_re_lu_twin_1"


@pytest.mark.parametrize("spec, message", [
    (InputSpec(min_ndim=3), "of rank at least 3 (min_ndim=3), got shape (None, 4) (ndim=2)"),
    (InputSpec(max_ndim=1), "of rank at most 1 (max_ndim=1), got shape (None, 4) (ndim=2)"),
])
def test_rank_bound_errors_name_the_keras_spec_field(spec, message):
    layer = Layer(name="bounded")
    layer.input_spec = spec
    with pytest.raises(ValueError) as err:
        layer(Input(shape=(4,)))
    assert message in str(err.value)


def test_sequential_nested_in_sequential_is_one_summary_row():
    inner = Sequential([Dense(3, input_shape=(4,))], name="inner")
    outer = Sequential([inner, Dense(2)])
    lines = []
    outer.summary(print_fn=lines.append)
    rows = [line for line in lines if line.startswith(("inner", "dense"))]
    assert rows[0].split() == ["inner", "(Sequential)", "(None,", "3)", "15"]
    assert rows[1].split() == ["dense_2", "(Dense)", "(None,", "2)", "8"]
    assert "Total params: 23" in lines


@pytest.mark.parametrize("target, shape", [("channels_first", (2, 3, 4)),
                                           ("channels_last", (3, 4, 2))])
def test_convert_dense_weights_data_format_matches_flattening_in_the_target_format(target,
                                                                                  shape):
    rng = np.random.RandomState(0)
    if target == "channels_first":
        source_maps = rng.rand(5, 3, 4, 2)           # channels last
        target_maps = source_maps.transpose(0, 3, 1, 2)
    else:
        source_maps = rng.rand(5, 2, 3, 4)           # channels first
        target_maps = source_maps.transpose(0, 2, 3, 1)
    dense = Dense(6)
    dense.build((None, 24))
    kernel, bias = dense.get_weights()
    before = source_maps.reshape(5, -1) @ kernel
    layer_utils.convert_dense_weights_data_format(dense, shape, target_data_format=target)
    after = target_maps.reshape(5, -1) @ dense.get_weights()[0]
    np.testing.assert_allclose(after, before, rtol=1e-5)


def test_convert_dense_weights_data_format_refuses_a_wrong_size_or_format():
    dense = Dense(2)
    dense.build((None, 6))
    with pytest.raises(ValueError, match="has a kernel of 6 rows"):
        layer_utils.convert_dense_weights_data_format(dense, (2, 2, 2))
    with pytest.raises(ValueError, match="target_data_format"):
        layer_utils.convert_dense_weights_data_format(dense, (1, 2, 3), "channels_middle")


def test_convert_all_kernels_flips_only_convolution_kernels():
    class Conv2D(Layer):
        """A stand-in with a Keras convolution's class name and `kernel` weight."""

        def build(self, input_shape):
            self.kernel = self.add_weight("kernel", (2, 2, 1, 1), initializer="glorot_uniform")
            self.built = True

    x = Input(shape=(3, 3, 1))
    conv = Conv2D()
    dense = Dense(2)
    model = Model(x, dense(conv(x)))
    kernel = K.get_value(conv.kernel)
    dense_kernel = K.get_value(dense.kernel)
    layer_utils.convert_all_kernels_in_model(model)
    np.testing.assert_array_equal(K.get_value(conv.kernel), kernel[::-1, ::-1])
    np.testing.assert_array_equal(K.get_value(dense.kernel), dense_kernel)


@pytest.mark.parametrize("module, names", [
    ("graphkeras.engine.input_layer", ["Input", "InputLayer"]),
    ("graphkeras.engine.network", ["Network", "get_source_inputs"]),
    ("graphkeras.engine.sequential", ["Sequential"]),
    ("graphkeras.engine.topology", ["Network", "get_source_inputs"]),
    ("graphkeras.engine.saving", ["save_model", "load_model", "model_from_config",
                                  "model_from_json", "model_from_yaml",
                                  "save_weights_to_hdf5_group", "load_weights_from_hdf5_group",
                                  "load_weights_from_hdf5_group_by_name"]),
    ("graphkeras.models", ["save_model", "load_model", "clone_model", "model_from_json"]),
    ("graphkeras.layers", ["Layer", "InputSpec", "Input", "InputLayer"]),
    ("graphkeras.layers.core", ["Dense", "Activation", "Dropout", "Flatten", "Reshape",
                                "Permute", "RepeatVector", "Lambda", "Masking",
                                "ActivityRegularization", "SpatialDropout1D"]),
    ("graphkeras.layers.merge", ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
                                 "Concatenate", "Dot", "add", "subtract", "multiply", "average",
                                 "maximum", "minimum", "concatenate", "dot"]),
    ("graphkeras.layers.advanced_activations", ["LeakyReLU", "PReLU", "ELU", "ThresholdedReLU",
                                                "ReLU", "Softmax"]),
    ("graphkeras.layers.noise", ["GaussianNoise", "GaussianDropout", "AlphaDropout"]),
    ("graphkeras.utils.layer_utils", ["get_source_inputs", "convert_all_kernels_in_model",
                                      "convert_dense_weights_data_format"]),
])
def test_keras22_engine_and_layer_module_paths(module, names):
    import importlib
    loaded = importlib.import_module(module)
    assert [name for name in names if not hasattr(loaded, name)] == []


class SplitInTwo(Layer):
    """Two outputs from one masked input; the default compute_mask passes the one mask on."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        return [inputs * 1.0, inputs * 2.0]

    def compute_output_shape(self, input_shape):
        return [input_shape, input_shape]


def test_a_single_mask_is_given_to_every_output_of_a_multi_output_layer():
    x = Input(shape=(3, 2))
    first, second = SplitInTwo()(Masking(0.0)(x))
    masks = K.function([x], [output_mask(first), output_mask(second)])([padded_batch()])
    for mask in masks:
        np.testing.assert_array_equal(mask, [[False, True, False]])
    # Run again inside a model called on a new input: both outputs and their masks survive.
    model = Model(x, add([first, second]))
    y = Input(shape=(3, 2))
    z = model(y)
    np.testing.assert_array_equal(K.function([y], [output_mask(z)])([padded_batch()])[0],
                                  [[False, True, False]])


def test_compute_mask_with_a_wrong_number_of_masks_names_the_layer():
    class BadMasks(SplitInTwo):
        def compute_mask(self, inputs, mask=None):
            return [mask, mask, mask]

    with pytest.raises(ValueError, match="'bad_masks_1': compute_mask returned 3 masks for 2"):
        BadMasks()(Masking(0.0)(Input(shape=(3, 2))))


class TwoDense(Model):
    """A subclassed model: its layers are attributes, its graph is its `call`."""

    def __init__(self):
        super().__init__(name="two_dense")
        self.hidden = Dense(2, name="hidden")
        self.top = Dense(3, name="top")

    def call(self, inputs):
        if isinstance(inputs, list):
            inputs = concatenate(inputs)
        return self.top(self.hidden(inputs))


def test_subclassed_model_built_from_a_shape_summarizes_and_trains():
    model = TwoDense()
    model.build((None, 4))
    lines = []
    model.summary(print_fn=lines.append)
    assert "Total params: 19" in lines
    assert [line.split()[0] for line in lines if line.startswith(("hidden", "top"))] == [
        "hidden", "top"]
    model.compile("sgd", "mse")
    data = np.ones((4, 4), "float32")
    model.fit(data, np.zeros((4, 3), "float32"), epochs=1, verbose=0)
    assert model.predict(data).shape == (4, 3)


def test_subclassed_model_built_from_several_shapes_and_refusing_none():
    model = TwoDense()
    model.build([(None, 1), (None, 3)])
    assert [K.int_shape(x) for x in model.inputs] == [(None, 1), (None, 3)]
    assert model.count_params() == 19
    with pytest.raises(ValueError, match="needs an input shape"):
        TwoDense().build()


def small_model():
    x = Input(shape=(3,), name="x")
    return Model(x, Dense(2, name="out")(Dense(4, name="hidden")(x)))


def test_save_weights_and_load_weights_methods_round_trip(tmp_path):
    source = small_model()
    path = str(tmp_path / "weights.h5")
    source.save_weights(path)
    target = small_model()
    target.load_weights(path)
    for saved, loaded in zip(source.get_weights(), target.get_weights()):
        np.testing.assert_array_equal(saved, loaded)


def test_model_save_writes_a_file_load_model_reads(tmp_path):
    from graphkeras.models import load_model
    model = small_model()
    model.compile("sgd", "mse")
    path = str(tmp_path / "model.h5")
    model.save(path)
    data = np.random.RandomState(1).rand(4, 3).astype("float32")
    np.testing.assert_allclose(load_model(path).predict(data), model.predict(data), rtol=1e-6)
