"""Embedding: layer_test, lookup values, float indices cast to int, input_length, mask_zero,
gradients that only touch the looked-up rows."""
import numpy as np
import pytest

from graphkeras import backend as K
from graphkeras.layers import Flatten, Input
from graphkeras.layers.embeddings import Embedding
from graphkeras.models import Model, Sequential
from graphkeras.utils.generic_utils import custom_object_scope

from .layer_test import layer_test

CUSTOM_OBJECTS = {"Embedding": Embedding}


@pytest.mark.parametrize("input_dtype", ["int32", "float32"])
def test_layer_test_with_int_and_float_indices(input_dtype):
    data = np.array([[0, 3, 9], [2, 2, 1]]).astype(input_dtype)
    with custom_object_scope(CUSTOM_OBJECTS):
        output = layer_test(Embedding, kwargs={"input_dim": 10, "output_dim": 4},
                            input_data=data, input_shape=(None, 3), input_dtype=input_dtype,
                            expected_output_dtype="float32")
    assert output.shape == (2, 3, 4)


def test_lookup_returns_the_rows_of_the_embedding_matrix():
    layer = Embedding(6, 3, input_length=4)
    model = Sequential([layer])
    assert model.output_shape == (None, 4, 3)
    matrix = np.arange(18, dtype=np.float32).reshape(6, 3)
    layer.set_weights([matrix])
    indices = np.array([[5, 0, 1, 1], [2, 3, 4, 0]], np.float32)
    np.testing.assert_array_equal(model.predict(indices), matrix[indices.astype(int)])


def test_input_length_fixes_the_shape_for_flatten():
    model = Sequential([Embedding(10, 2, input_length=5), Flatten()])
    assert model.output_shape == (None, 10)
    layer = Embedding(10, 2, input_length=(None, 3))
    assert layer.compute_output_shape((None, 4, 3)) == (None, 4, 3, 2)
    with pytest.raises(ValueError, match="input_length"):
        Embedding(10, 2, input_length=5).compute_output_shape((None, 6))


def test_mask_zero_masks_index_zero():
    inputs = Input((4,))
    layer = Embedding(5, 2, mask_zero=True)
    outputs = layer(inputs)
    mask = layer.compute_mask(inputs)
    values = np.array([[1, 0, 3, 0]], np.float32)
    got = K.function([inputs], [mask])([values])[0]
    np.testing.assert_array_equal(got, [[True, False, True, False]])
    assert Embedding(5, 2).compute_mask(inputs) is None
    assert K.int_shape(outputs) == (None, 4, 2)


def test_gradient_touches_only_looked_up_rows():
    inputs = Input((3,), dtype="int32")
    layer = Embedding(5, 2)
    outputs = layer(inputs)
    (grad,) = K.gradients(K.sum(outputs), [layer.embeddings])
    got = K.function([inputs], [grad])([np.array([[1, 1, 4]], np.int32)])[0]
    np.testing.assert_array_equal(got, [[0, 0], [2, 2], [0, 0], [0, 0], [1, 1]])


def test_config_round_trip_and_weight_name():
    layer = Embedding(7, 3, mask_zero=True, input_length=2, name="embedding",
                      embeddings_regularizer="l2")
    model = Model(*(lambda i: (i, layer(i)))(Input((2,))))
    assert [w.name for w in model.weights] == ["embedding/embeddings:0"]
    assert len(model.losses) == 1
    config = layer.get_config()
    assert Embedding.from_config(config).get_config() == config
