"""Model configs: get_config/from_config, JSON and YAML round trips, clone_model, and loading
the architectures real Keras 2 wrote (tf.keras JSON) with the weights of its h5 files."""
import json

import numpy as np
import pytest
import yaml

from graphkeras import backend as K
from graphkeras.engine.base_layer import Layer
from graphkeras.layers import Concatenate, Dense, Dropout
from graphkeras.models import (Input, Model, Sequential, clone_model, model_from_config,
                               model_from_json, model_from_yaml)

from .helpers import Scale, rand, run


def shared_model():
    a = Input(shape=(4,), name="a")
    b = Input(shape=(4,), name="b")
    shared = Dense(3, activation="tanh", name="shared")
    merged = Concatenate(name="cat")([shared(a), shared(b)])
    out1 = Dense(2, name="out1")(merged)
    out2 = Dense(1, name="out2")(shared(a))
    return Model([a, b], [out1, out2], name="shared_model")


def assert_same_function(model, other, inputs):
    other.set_weights(model.get_weights())
    for got, want in zip(run(other, inputs), run(model, inputs)):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_functional_config_lists_layers_and_their_calls():
    config = shared_model().get_config()
    assert config["name"] == "shared_model"
    assert config["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    assert config["output_layers"] == [["out1", 0, 0], ["out2", 0, 0]]
    shared = next(entry for entry in config["layers"] if entry["name"] == "shared")
    assert shared["inbound_nodes"] == [[["a", 0, 0, {}]], [["b", 0, 0, {}]], [["a", 0, 0, {}]]]
    cat = next(entry for entry in config["layers"] if entry["name"] == "cat")
    assert cat["inbound_nodes"] == [[["shared", 0, 0, {}], ["shared", 1, 0, {}]]]


@pytest.mark.parametrize("round_trip", [
    lambda m: Model.from_config(m.get_config()),
    lambda m: model_from_json(m.to_json()),
    lambda m: model_from_yaml(m.to_yaml()),
    lambda m: model_from_config(json.loads(m.to_json())),
], ids=["config", "json", "yaml", "model_from_config"])
def test_functional_round_trip_keeps_graph_and_function(round_trip):
    model = shared_model()
    copy = round_trip(model)
    assert [layer.name for layer in copy.layers] == [layer.name for layer in model.layers]
    assert len(copy.get_layer("shared")._inbound_nodes) == 3
    assert copy.get_config() == model.get_config()
    assert_same_function(model, copy, [rand(3, 4), rand(3, 4, seed=1)])


def test_json_and_yaml_hold_class_name_and_version_fields():
    model = shared_model()
    as_json = json.loads(model.to_json())
    assert as_json["class_name"] == "Model" and as_json["backend"] == K.backend()
    assert "keras_version" in as_json
    assert yaml.safe_load(model.to_yaml()) == as_json


def test_sequential_round_trip_keeps_layers_and_function():
    model = Sequential([Dense(4, input_dim=3, activation="relu"), Dropout(0.5), Dense(2)],
                       name="seq")
    config = model.get_config()
    assert config["name"] == "seq" and len(config["layers"]) == 3
    copy = model_from_json(model.to_json())
    assert isinstance(copy, Sequential) and copy.name == "seq"
    assert copy.input_shape == (None, 3)
    assert_same_function(model, copy, [rand(2, 3)])
    assert isinstance(model_from_yaml(model.to_yaml()), Sequential)


def test_deferred_sequential_round_trip_keeps_build_shape():
    model = Sequential([Dense(4), Dense(2)])
    model.build((None, 5))
    assert model.get_config()["build_input_shape"] == (None, 5)
    copy = Sequential.from_config(model.get_config())
    assert copy.built and copy.input_shape == (None, 5)


def test_sequential_reads_keras_2_1_list_config():
    layers = Sequential([Dense(4, input_dim=3), Dense(2)]).get_config()["layers"]
    assert Sequential.from_config(layers).output_shape == (None, 2)


def test_nested_models_round_trip():
    inner_in = Input(shape=(3,))
    inner = Model(inner_in, Dense(2)(inner_in), name="inner")
    seq = Sequential([Dense(3, input_dim=3)], name="inner_seq")
    x = Input(shape=(3,))
    model = Model(x, inner(seq(x)))
    copy = model_from_json(model.to_json())
    assert [type(layer).__name__ for layer in copy.layers] == ["InputLayer", "Sequential",
                                                               "Model"]
    assert_same_function(model, copy, [rand(2, 3)])


def test_custom_layers_need_custom_objects():
    x = Input(shape=(3,))
    model = Model(x, Scale(name="scale")(x))
    with pytest.raises(ValueError, match="Scale"):
        model_from_json(model.to_json())
    copy = model_from_json(model.to_json(), custom_objects={"Scale": Scale})
    assert isinstance(copy.get_layer("scale"), Scale)


def test_call_keyword_arguments_are_kept():
    x = Input(shape=(3,))
    model = Model(x, Dropout(0.5)(x, training=True))
    dropout = model.get_config()["layers"][1]
    assert dropout["inbound_nodes"] == [[[model.input_names[0], 0, 0, {"training": True}]]]
    copy = Model.from_config(model.get_config())
    assert copy.layers[1]._inbound_nodes[0].arguments == {"training": True}


def test_model_from_config_refuses_a_list():
    with pytest.raises(TypeError, match="expects a dictionary, not a list"):
        model_from_config([])


def test_clone_functional_model_has_new_layers_and_same_structure():
    model = shared_model()
    clone = clone_model(model)
    assert clone.get_config() == model.get_config()
    assert not {id(w) for w in clone.weights} & {id(w) for w in model.weights}
    assert len(clone.get_layer("shared")._inbound_nodes) == 3
    assert_same_function(model, clone, [rand(3, 4), rand(3, 4, seed=1)])


def test_clone_on_given_input_tensors():
    model = shared_model()
    a, b = Input(shape=(4,)), Input(shape=(4,))
    clone = clone_model(model, input_tensors=[a, b])
    assert clone.inputs == [a, b]
    placeholder = K.placeholder(shape=(None, 4))
    wrapped = clone_model(model, [placeholder, K.placeholder(shape=(None, 4))])
    assert wrapped.inputs[0] is placeholder
    assert wrapped.input_names[0] == "input_wrapper_for_a"


def test_clone_sequential_model():
    model = Sequential([Dense(4, input_dim=3), Dense(2)])
    clone = clone_model(model)
    assert isinstance(clone, Sequential) and clone.output_shape == (None, 2)
    assert_same_function(model, clone, [rand(2, 3)])
    x = Input(shape=(3,))
    on_input = clone_model(model, input_tensors=x)
    assert on_input.inputs == [x]
    with pytest.raises(ValueError, match="other than an `InputLayer`"):
        clone_model(model, input_tensors=Dense(3)(x))


def test_subclassed_model_cannot_be_cloned():
    class Net(Model):
        def __init__(self):
            super().__init__()
            self.dense = Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    with pytest.raises(ValueError, match="Cannot clone subclassed model"):
        clone_model(Net())


# ------------------------------------------------------------------- real Keras 2 files

def _h5_layer_names(path):
    """The layer order Keras wrote (`model.layers` order) in a weights file."""
    import h5py
    with h5py.File(path, "r") as f:
        return [n.decode() if isinstance(n, bytes) else str(n) for n in f.attrs["layer_names"]]


def _load_h5_weights(model, path):
    """Sets each layer's weights from a Keras `save_weights` h5 file (read with h5py)."""
    import h5py
    with h5py.File(path, "r") as f:
        for layer_name in f.attrs["layer_names"]:
            name = layer_name.decode() if isinstance(layer_name, bytes) else str(layer_name)
            group = f[name]
            weight_names = [w.decode() if isinstance(w, bytes) else str(w)
                            for w in group.attrs["weight_names"]]
            if weight_names:
                model.get_layer(name).set_weights([group[w][()] for w in weight_names])


@pytest.mark.parametrize("case", ["mlp_sequential", "shared_layers", "merge_and_reshape"])
def test_tf_keras_json_loads_and_predicts_like_keras(keras2_fixtures, case):
    folder = keras2_fixtures / case
    model = model_from_json((folder / "model.json").read_text())
    meta = json.loads((folder / "meta.json").read_text())
    assert model.count_params() == meta["params"]["total"]
    assert [w.name for w in model.trainable_weights] == meta["trainable_weights"]
    assert [layer.name for layer in model.layers] == _h5_layer_names(folder / "weights.h5")
    _load_h5_weights(model, folder / "weights.h5")
    data = np.load(folder / "io.npz")
    inputs = [data[f"x{i}"] for i in range(len(model.inputs))]
    outputs = run(model, inputs)
    for i, got in enumerate(outputs):
        np.testing.assert_allclose(got, data[f"y{i}"], rtol=1e-5, atol=1e-6)
    assert isinstance(model, Layer)


def test_safe_mode_guards_lambda_bytecode_in_model_files():
    from graphkeras.layers import Lambda
    x = Input(shape=(3,))
    model = Model(x, Lambda(lambda t: t * 2.0, name="double")(x))
    nested = Sequential([model])
    for text in (model.to_json(), nested.to_json()):
        with pytest.raises(ValueError, match="safe_mode"):
            model_from_json(text)
    copy = model_from_json(nested.to_json(), safe_mode=False)
    np.testing.assert_allclose(run(copy, [rand(2, 3)])[0], 2 * rand(2, 3), rtol=1e-6)
    assert model_from_yaml(model.to_yaml(), safe_mode=False).output_shape == (None, 3)


class _SequenceStandIn(Layer):
    """Stands in for Embedding / LSTM: reads their config, keeps their output shapes."""

    def __init__(self, output_dim=None, units=None, **config):
        super().__init__(**{key: value for key, value in config.items()
                            if key in ("name", "trainable", "dtype", "batch_input_shape")})
        self.size = output_dim or units
        self.is_sequence = output_dim is not None

    def call(self, inputs):
        if self.is_sequence:
            return K.repeat_elements(K.expand_dims(K.cast(inputs, "float32"), -1), self.size,
                                     axis=-1)
        return K.repeat_elements(K.mean(inputs, axis=1)[:, :1], self.size, axis=1)

    def compute_output_shape(self, input_shape):
        if self.is_sequence:
            return tuple(input_shape) + (self.size,)
        return (input_shape[0], self.size)


def test_tf_keras_two_input_two_output_graph_is_mapped_as_keras_did(keras2_fixtures):
    folder = keras2_fixtures / "functional_multi_io"
    model = model_from_json((folder / "model.json").read_text(),
                            custom_objects={"Embedding": _SequenceStandIn,
                                            "LSTM": _SequenceStandIn})
    assert [layer.name for layer in model.layers] == _h5_layer_names(folder / "weights.h5")
    assert model.input_names == ["main_input", "aux_input"]
    assert model.output_names == ["main_output", "aux_output"]
    assert K.dtype(model.inputs[0]) == "int32"
    lines = []
    model.summary(print_fn=lines.append)
    concatenate_row = next(line for line in lines if line.startswith("concatenate "))
    assert concatenate_row.rstrip().endswith("lstm[0][0]")
    assert any(line.strip() == "aux_input[0][0]" for line in lines)


@pytest.mark.parametrize("case", ["mlp_sequential", "shared_layers", "merge_and_reshape"])
def test_summary_rows_name_the_layers_and_params_keras_printed(keras2_fixtures, case):
    import re
    folder = keras2_fixtures / case
    model = model_from_json((folder / "model.json").read_text())
    # tf.keras cuts long type names ("(RepeatVecto"): compare the type by its prefix.
    row = re.compile(r"^ ?(\w+) \((\w+)\)?\s+(\[?\(.*?\)\]?|multiple)\s+(\d+)")
    keras_rows = [m.group(1, 2, 4) for m in map(row.match,
                                                 (folder / "summary.txt").read_text().splitlines())
                  if m]
    lines = []
    model.summary(print_fn=lines.append)
    our_rows = [m.group(1, 2, 4) for m in map(row.match, lines) if m]
    assert len(our_rows) == len(keras_rows)
    for (name, kind, params), (keras_name, keras_kind, keras_params) in zip(our_rows,
                                                                            keras_rows):
        assert (name, params) == (keras_name, keras_params)
        assert kind.startswith(keras_kind)
    total = re.search(r"Total params: (\d+)", (folder / "summary.txt").read_text()).group(1)
    assert f"Total params: {int(total):,}" in lines
