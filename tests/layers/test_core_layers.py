"""Core layers: Dense, Activation, Dropout family, Flatten, Reshape, Permute, RepeatVector,
Masking and ActivityRegularization, against NumPy and through `layer_test`."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkeras import backend as K
from graphkeras import layers
from graphkeras.layers import Input
from graphkeras.models import Model, Sequential

from .layer_test import layer_test


def run(inputs, outputs, data):
    """Evaluate `outputs` with `inputs` fed `data` (lists or single tensors)."""
    many = isinstance(inputs, list)
    fn = K.function(inputs if many else [inputs], [outputs])
    return fn(data if many else [data])[0]


def test_dense_matches_numpy_with_bias_and_activation():
    x = np.random.RandomState(0).normal(size=(5, 4)).astype("float32")
    kernel = np.arange(12, dtype="float32").reshape(4, 3) / 10
    bias = np.array([0.5, -1.0, 2.0], dtype="float32")
    dense = layers.Dense(3, activation="relu")
    inp = Input(shape=(4,))
    out = dense(inp)
    dense.set_weights([kernel, bias])
    np.testing.assert_allclose(run(inp, out, x), np.maximum(x @ kernel + bias, 0),
                               rtol=1e-5, atol=1e-6)


def test_dense_casts_integer_inputs_to_its_float_dtype():
    inp = Input(shape=(3,), dtype="int32")
    dense = layers.Dense(2, kernel_initializer="ones")
    out = dense(inp)
    assert K.dtype(out) == "float32"
    value = run(inp, out, np.array([[1, 2, 3]], dtype="int32"))
    assert value.dtype == np.float32
    np.testing.assert_allclose(value, [[6.0, 6.0]])


def test_dense_layer_test_2d_and_3d_inputs():
    layer_test(layers.Dense, {"units": 3}, input_shape=(None, 2))
    out = layer_test(layers.Dense, {"units": 3, "use_bias": False,
                                    "kernel_initializer": "ones"},
                     input_shape=(2, 4, 5))
    assert out.shape == (2, 4, 3)


def test_dense_without_bias_has_one_weight_and_counts_params():
    dense = layers.Dense(7, use_bias=False)
    dense(Input(shape=(3,)))
    assert len(dense.weights) == 1
    assert dense.count_params() == 21


def test_dense_input_dim_builds_first_sequential_layer():
    model = Sequential([layers.Dense(4, input_dim=6), layers.Dense(2)])
    assert model.output_shape == (None, 2)
    assert model.layers[0].kernel.shape == (6, 4)


def test_dense_regularizers_add_losses_and_constraint_is_kept():
    dense = layers.Dense(2, kernel_regularizer="l2", bias_regularizer="l1",
                         activity_regularizer="l1", kernel_constraint="non_neg")
    inp = Input(shape=(3,))
    dense(inp)
    assert len(dense.losses) == 3
    assert dense.kernel_constraint is not None
    config = dense.get_config()
    assert config["kernel_constraint"]["class_name"] in ("NonNeg", "non_neg")


def test_dense_unknown_last_dimension_names_layer():
    with pytest.raises(ValueError, match="Dense 'my_dense'.*\\(None, None\\)"):
        layers.Dense(3, name="my_dense").build((None, None))


def test_dense_rejects_input_with_other_last_dimension_after_build():
    dense = layers.Dense(2)
    dense(Input(shape=(3,)))
    with pytest.raises(ValueError):
        dense(Input(shape=(5,)))


def test_dense_reads_tf_keras_config():
    config = {"name": "dense", "trainable": True, "dtype": "float32", "units": 3,
              "activation": "softmax", "use_bias": True,
              "kernel_initializer": {"module": "keras.initializers",
                                     "class_name": "GlorotUniform",
                                     "config": {"seed": None}, "registered_name": None},
              "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros",
                                   "config": {}, "registered_name": None},
              "kernel_regularizer": None, "bias_regularizer": None,
              "activity_regularizer": None, "kernel_constraint": None,
              "bias_constraint": None}
    dense = layers.Dense.from_config(config)
    out = dense(Input(shape=(4,)))
    assert K.int_shape(out) == (None, 3)
    assert dense.units == 3 and dense.name == "dense"


@pytest.mark.parametrize("name, reference", [
    ("relu", lambda x: np.maximum(x, 0)),
    ("tanh", np.tanh),
    ("linear", lambda x: x),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
])
def test_activation_layer_applies_named_function(name, reference):
    x = np.random.RandomState(1).normal(size=(3, 5)).astype("float32")
    layer_test(layers.Activation, {"activation": name}, input_data=x,
               expected_output=reference(x), rtol=1e-5, atol=1e-6)


def test_dropout_is_identity_at_inference():
    x = np.random.RandomState(2).normal(size=(4, 6)).astype("float32")
    layer_test(layers.Dropout, {"rate": 0.5}, input_data=x, expected_output=x)
    layer_test(layers.Dropout, {"rate": 0.3, "noise_shape": (None, 1, 3), "seed": 3},
               input_shape=(2, 4, 3))


@settings(max_examples=10, deadline=None)
@given(rate=st.floats(0.1, 0.8))
def test_dropout_in_training_zeroes_a_fraction_and_rescales(rate):
    x = np.ones((200, 50), dtype="float32")
    inp = Input(shape=(50,))
    out = run(inp, layers.Dropout(rate, seed=1)(inp, training=True), x)
    kept = out != 0
    assert abs(1 - kept.mean() - rate) < 0.03
    np.testing.assert_allclose(out[kept], 1 / (1 - rate), rtol=1e-5)


def test_dropout_noise_shape_drops_whole_columns():
    x = np.ones((8, 5, 30), dtype="float32")
    inp = Input(shape=(5, 30))
    out = run(inp, layers.Dropout(0.5, noise_shape=(None, 1, 30))(inp, training=True), x)
    assert np.all(out == out[:, :1, :])


def test_dropout_follows_learning_phase():
    x = np.ones((50, 40), dtype="float32")
    inp = Input(shape=(40,))
    out = layers.Dropout(0.5)(inp)
    fn = K.function([inp, K.learning_phase()], [out])
    np.testing.assert_array_equal(fn([x, 0])[0], x)
    assert (fn([x, 1])[0] == 0).any()


def test_dropout_noise_shape_of_wrong_rank_is_an_error():
    with pytest.raises(ValueError, match="noise_shape"):
        layers.Dropout(0.5, noise_shape=(None, 1))(Input(shape=(3, 4)), training=True)


@pytest.mark.parametrize("cls, shape, kwargs, channel_axis, spatial_axes", [
    (layers.SpatialDropout1D, (6, 5, 40), {}, 2, (1,)),
    (layers.SpatialDropout2D, (6, 3, 4, 40), {}, 3, (1, 2)),
    (layers.SpatialDropout2D, (6, 40, 3, 4), {"data_format": "channels_first"}, 1, (2, 3)),
    (layers.SpatialDropout3D, (4, 2, 3, 2, 20), {}, 4, (1, 2, 3)),
])
def test_spatial_dropout_drops_whole_feature_maps(cls, shape, kwargs, channel_axis,
                                                  spatial_axes):
    x = np.ones(shape, dtype="float32")
    layer_test(cls, dict(rate=0.5, **kwargs), input_data=x, expected_output=x)
    inp = Input(batch_shape=shape)
    out = run(inp, cls(0.5, **kwargs)(inp, training=True), x)
    first = out[tuple(slice(0, 1) if a in spatial_axes else slice(None)
                      for a in range(len(shape)))]
    assert np.all(out == first)
    assert 0 < (out == 0).mean() < 1


def test_spatial_dropout_needs_its_rank():
    with pytest.raises(ValueError):
        layers.SpatialDropout2D(0.5)(Input(shape=(3, 4)))


def test_flatten_matches_numpy_and_channels_first_moves_channels_last():
    x = np.arange(2 * 3 * 4 * 5, dtype="float32").reshape(2, 3, 4, 5)
    layer_test(layers.Flatten, {}, input_data=x, expected_output=x.reshape(2, -1))
    expected = np.transpose(x, (0, 2, 3, 1)).reshape(2, -1)
    layer_test(layers.Flatten, {"data_format": "channels_first"}, input_data=x,
               expected_output=expected)


def test_flatten_needs_known_dimensions():
    with pytest.raises(ValueError, match="Flatten.*not fully defined"):
        layers.Flatten()(Input(shape=(None, 3)))


@pytest.mark.parametrize("target, expected", [
    ((4, 3), (4, 3)), ((-1, 2), (6, 2)), ((2, -1, 3), (2, 2, 3)), ((12,), (12,)),
])
def test_reshape_matches_numpy(target, expected):
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    out = layer_test(layers.Reshape, {"target_shape": target}, input_data=x,
                     expected_output=x.reshape((2,) + expected))
    assert out.shape == (2,) + expected


def test_reshape_with_unknown_input_dimension_keeps_minus_one_as_none():
    reshape = layers.Reshape((-1, 2))
    out = reshape(Input(shape=(None, 4)))
    assert K.int_shape(out) == (None, None, 2)
    x = np.arange(24, dtype="float32").reshape(1, 6, 4)
    np.testing.assert_array_equal(run(reshape.input, out, x), x.reshape(1, 12, 2))


@pytest.mark.parametrize("target, message", [
    ((5, 5), "total size of the new array must be unchanged"),
    ((-1, -1), "single -1"),
    ((7, -1), "total size"),
])
def test_reshape_errors_name_layer_and_shapes(target, message):
    with pytest.raises(ValueError, match=message):
        layers.Reshape(target, name="r")(Input(shape=(3, 4)))


def test_permute_matches_numpy_transpose():
    x = np.random.RandomState(3).normal(size=(2, 3, 4, 5)).astype("float32")
    layer_test(layers.Permute, {"dims": (3, 1, 2)}, input_data=x,
               expected_output=np.transpose(x, (0, 3, 1, 2)))


def test_permute_rejects_non_permutation():
    with pytest.raises(ValueError, match="permutation"):
        layers.Permute((0, 1))
    with pytest.raises(ValueError):
        layers.Permute((2, 1))(Input(shape=(3, 4, 5)))


def test_repeat_vector_matches_numpy():
    x = np.random.RandomState(4).normal(size=(3, 5)).astype("float32")
    layer_test(layers.RepeatVector, {"n": 4}, input_data=x,
               expected_output=np.repeat(x[:, None, :], 4, axis=1))
    with pytest.raises(ValueError):
        layers.RepeatVector(2)(Input(shape=(3, 4)))


def test_masking_zeroes_masked_steps_and_emits_mask():
    x = np.random.RandomState(5).normal(size=(2, 4, 3)).astype("float32")
    x[0, 1] = 0.0
    x[1, 3] = 0.0
    expected = x.copy()
    layer_test(layers.Masking, {"mask_value": 0.0}, input_data=x, expected_output=expected)
    x[1, 2] = 7.0
    inp = Input(shape=(4, 3))
    masking = layers.Masking(mask_value=7.0)
    out = masking(inp)
    mask = masking.compute_mask(inp)
    values, mask_values = K.function([inp], [out, mask])([x])
    assert mask_values.tolist() == [[True] * 4, [True, True, False, True]]
    np.testing.assert_array_equal(values[1, 2], 0.0)


def test_activity_regularization_adds_penalty_on_input():
    x = np.array([[1.0, -2.0], [0.5, 3.0]], dtype="float32")
    layer_test(layers.ActivityRegularization, {"l1": 0.1, "l2": 0.01}, input_data=x,
               expected_output=x)
    inp = Input(shape=(2,))
    layer = layers.ActivityRegularization(l1=0.1, l2=0.01)
    model = Model(inp, layer(inp))
    assert len(model.losses) == 1
    penalty = run(inp, model.losses[0], x)
    np.testing.assert_allclose(penalty, 0.1 * np.abs(x).sum() + 0.01 * (x ** 2).sum(),
                               rtol=1e-5)


@settings(max_examples=15, deadline=None)
@given(dims=st.permutations([1, 2, 3]), sizes=st.lists(st.integers(1, 4), min_size=3,
                                                       max_size=3))
def test_permute_then_reshape_agree_with_numpy_on_drawn_shapes(dims, sizes):
    K.clear_session()
    x = np.random.RandomState(sum(sizes)).normal(size=[2] + sizes).astype("float32")
    inp = Input(shape=tuple(sizes))
    permute = layers.Permute(tuple(dims))
    permuted = permute(inp)
    flat = layers.Reshape((-1,))(permuted)
    assert K.int_shape(permuted) == permute.compute_output_shape((None,) + tuple(sizes))
    got_permuted, got_flat = K.function([inp], [permuted, flat])([x])
    expected = np.transpose(x, [0] + list(dims))
    np.testing.assert_array_equal(got_permuted, expected)
    np.testing.assert_array_equal(got_flat, expected.reshape(2, -1))
