"""Weights-only HDF5 files: layout, round trips, by-name loading, mismatches that leave the
model unchanged, long and bytes attributes."""
import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkeras import backend as K
from graphkeras import layers
from graphkeras.layers import Input
from graphkeras.models import Model, Sequential
from graphkeras.saving import (hdf5_format, load_weights, load_weights_from_hdf5_group,
                               save_weights, save_weights_to_hdf5_group)

X = np.random.RandomState(1).rand(5, 4).astype("float32")


def mlp(hidden=6, outputs=2, name_prefix="d"):
    return Sequential([layers.Dense(hidden, activation="relu", input_dim=4,
                                    name=f"{name_prefix}_1"),
                       layers.Dropout(0.5, name="drop"),
                       layers.Dense(outputs, name=f"{name_prefix}_2")])


def test_weights_file_layout_matches_keras2(tmp_path):
    model = mlp()
    path = tmp_path / "w.h5"
    save_weights(model, path)
    with h5py.File(path, "r") as f:
        assert list(f.attrs["layer_names"]) == ["d_1", "drop", "d_2"]
        assert set(f.attrs) == {"layer_names", "backend", "keras_version"}
        assert list(f["d_1"].attrs["weight_names"]) == ["d_1/kernel:0", "d_1/bias:0"]
        assert f["drop"].attrs["weight_names"].dtype == np.float64
        assert f["drop"].attrs["weight_names"].shape == (0,)
        assert "top_level_model_weights" in f
        np.testing.assert_array_equal(f["d_1/d_1/kernel:0"][()], model.get_weights()[0])
        assert h5py.check_string_dtype(f.attrs["layer_names"].dtype) is not None


def test_save_then_load_weights_restores_predictions(tmp_path):
    source = mlp()
    target = mlp()
    path = tmp_path / "w.h5"
    save_weights(source, path)
    load_weights(target, path)
    np.testing.assert_array_equal(target.predict(X), source.predict(X))


def test_shape_mismatch_names_layer_and_shapes_and_changes_nothing(tmp_path):
    path = tmp_path / "w.h5"
    save_weights(mlp(outputs=2), path)
    target = mlp(outputs=3)
    before = target.get_weights()
    with pytest.raises(ValueError, match=r"'d_2'.*\(6, 3\).*\(6, 2\)"):
        load_weights(target, path)
    for actual, expected in zip(target.get_weights(), before):
        np.testing.assert_array_equal(actual, expected)


def test_layer_count_mismatch_is_refused(tmp_path):
    path = tmp_path / "w.h5"
    save_weights(mlp(), path)
    bigger = Sequential([layers.Dense(6, input_dim=4), layers.Dense(2), layers.Dense(2)])
    with pytest.raises(ValueError, match="containing 2 layers"):
        load_weights(bigger, path)


def test_by_name_loads_matching_layers_only(tmp_path):
    path = tmp_path / "w.h5"
    source = mlp()
    save_weights(source, path)
    inputs = Input(shape=(4,))
    hidden = layers.Dense(6, name="d_1")(inputs)
    outputs = layers.Dense(3, name="other")(hidden)
    target = Model(inputs, outputs)
    other_before = target.get_layer("other").get_weights()
    load_weights(target, path, by_name=True)
    np.testing.assert_array_equal(target.get_layer("d_1").get_weights()[0],
                                  source.get_layer("d_1").get_weights()[0])
    np.testing.assert_array_equal(target.get_layer("other").get_weights()[0], other_before[0])


def test_skip_mismatch_skips_with_warning_and_loads_what_fits(tmp_path):
    path = tmp_path / "w.h5"
    source = mlp(hidden=6)
    kernel, bias = source.get_layer("d_2").get_weights()
    source.get_layer("d_2").set_weights([kernel, bias + 5.0])
    save_weights(source, path)
    target = mlp(hidden=7)
    kept_kernel = target.get_layer("d_2").get_weights()[0]
    with pytest.raises(ValueError, match="d_1"):
        load_weights(target, path, by_name=True)
    with pytest.warns(UserWarning, match="Skipping loading of weights"):
        load_weights(target, path, by_name=True, skip_mismatch=True)
    new_kernel, new_bias = target.get_layer("d_2").get_weights()
    np.testing.assert_array_equal(new_kernel, kept_kernel)
    np.testing.assert_array_equal(new_bias, bias + 5.0)
    with pytest.raises(ValueError, match="skip_mismatch"):
        load_weights(target, path, skip_mismatch=True)


def test_weight_count_mismatch_by_name(tmp_path):
    path = tmp_path / "w.h5"
    save_weights(mlp(), path)
    inputs = Input(shape=(4,))
    outputs = layers.Dense(6, use_bias=False, name="d_1")(inputs)
    target = Model(inputs, outputs)
    with pytest.raises(ValueError, match=r"'d_1' \(Dense\) expects 1 weight\(s\).*2 "):
        load_weights(target, path, by_name=True)


def test_nested_model_weights_live_under_the_nested_layer(tmp_path):
    inner = Sequential([layers.Dense(3, input_dim=4, name="inner_dense")], name="inner")
    inputs = Input(shape=(4,))
    outputs = layers.Dense(2, name="head")(inner(inputs))
    model = Model(inputs, outputs)
    path = tmp_path / "nested.h5"
    save_weights(model, path)
    with h5py.File(path, "r") as f:
        assert list(f["inner"].attrs["weight_names"]) == ["inner_dense/kernel:0",
                                                          "inner_dense/bias:0"]
        assert "inner/inner_dense/kernel:0" in f
    copy_inner = Sequential([layers.Dense(3, input_dim=4, name="inner_dense")], name="inner")
    copy_inputs = Input(shape=(4,))
    copy = Model(copy_inputs, layers.Dense(2, name="head")(copy_inner(copy_inputs)))
    load_weights(copy, path)
    np.testing.assert_array_equal(copy.predict(X), model.predict(X))


def test_top_level_weights_round_trip(tmp_path):
    model = mlp()
    extra = K.variable(np.arange(3, dtype="float32"), name="extra")
    model._non_trainable_weights.append(extra)
    path = tmp_path / "top.h5"
    save_weights(model, path)
    K.set_value(extra, np.zeros(3, "float32"))
    load_weights(model, path)
    np.testing.assert_array_equal(K.get_value(extra), [0.0, 1.0, 2.0])


def test_reads_bytes_and_chunked_attributes(tmp_path):
    model = mlp()
    path = tmp_path / "legacy.h5"
    values = model.get_weights()
    with h5py.File(path, "w") as f:
        names = [layer.name.encode() for layer in model.layers]
        f.attrs["layer_names0"] = np.array(names[:2])
        f.attrs["layer_names1"] = np.array(names[2:])
        for layer in model.layers:
            group = f.create_group(layer.name)
            group.attrs["weight_names"] = np.array([w.name.encode() for w in layer.weights]
                                                   or [], dtype="S" if layer.weights else float)
            for w, value in zip(layer.weights, K.batch_get_value(layer.weights)):
                group.create_dataset(w.name, data=value * 2.0)
    load_weights(model, path)
    for actual, expected in zip(model.get_weights(), values):
        np.testing.assert_allclose(actual, expected * 2.0)


def test_long_name_lists_are_split_and_read_back(tmp_path):
    names = [f"layer_with_a_long_name_{i}" for i in range(5000)]
    with h5py.File(tmp_path / "long.h5", "w") as f:
        hdf5_format.save_string_list(f, "layer_names", names)
        assert "layer_names" not in f.attrs and "layer_names1" in f.attrs
        assert hdf5_format.load_string_list(f, "layer_names") == names


def test_group_functions_write_into_open_groups(tmp_path):
    model = mlp()
    target = mlp()
    with h5py.File(tmp_path / "g.h5", "w") as f:
        save_weights_to_hdf5_group(f.create_group("weights"), model.layers)
    with h5py.File(tmp_path / "g.h5", "r") as f:
        load_weights_from_hdf5_group(f["weights"], target.layers)
    np.testing.assert_array_equal(target.predict(X), model.predict(X))


NAME_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                    min_size=1, max_size=20)


@settings(max_examples=20, deadline=None)
@given(names=st.lists(NAME_TEXT, max_size=8))
def test_string_lists_round_trip_as_variable_length_text(names, tmp_path_factory):
    path = tmp_path_factory.mktemp("names") / "names.h5"
    with h5py.File(path, "w") as f:
        hdf5_format.save_string_list(f, "weight_names", names)
    with h5py.File(path, "r") as f:
        assert hdf5_format.load_string_list(f, "weight_names") == names
