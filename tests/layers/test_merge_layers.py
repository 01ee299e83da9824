"""Merge layers and their functional forms, against NumPy and through `layer_test`."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkeras import backend as K
from graphkeras import layers
from graphkeras.layers import Input
from graphkeras.models import Model

from .layer_test import layer_test

ELEMENTWISE = [
    (layers.Add, layers.add, lambda xs: sum(xs)),
    (layers.Multiply, layers.multiply, lambda xs: np.prod(xs, axis=0)),
    (layers.Average, layers.average, lambda xs: sum(xs) / len(xs)),
    (layers.Maximum, layers.maximum, lambda xs: np.max(xs, axis=0)),
    (layers.Minimum, layers.minimum, lambda xs: np.min(xs, axis=0)),
]


def _arrays(count, shape, seed=0):
    rng = np.random.RandomState(seed)
    return [rng.normal(size=shape).astype("float32") for _ in range(count)]


@pytest.mark.parametrize("cls, function, reference", ELEMENTWISE)
@settings(max_examples=10, deadline=None)
@given(count=st.integers(2, 4), features=st.integers(1, 5))
def test_elementwise_merge_matches_numpy(cls, function, reference, count, features):
    K.clear_session()
    xs = _arrays(count, (3, features), seed=count * 10 + features)
    layer_test(cls, {}, input_data=xs, expected_output=reference(xs), train=False)
    inputs = [Input(shape=(features,)) for _ in range(count)]
    model = Model(inputs, function(inputs))
    np.testing.assert_allclose(model.predict(xs), reference(xs), rtol=1e-5, atol=1e-6)


def test_merge_layers_train_through_layer_test():
    layer_test(layers.Add, {}, input_shape=[(3, 4), (3, 4)])
    layer_test(layers.Concatenate, {"axis": 1}, input_shape=[(3, 4), (3, 2)])


def test_subtract_matches_numpy_and_needs_two_inputs():
    a, b = _arrays(2, (3, 4))
    layer_test(layers.Subtract, {}, input_data=[a, b], expected_output=a - b)
    inputs = [Input(shape=(4,)) for _ in range(3)]
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.subtract(inputs)


def test_elementwise_merge_broadcasts_lower_rank_inputs_as_keras_2_2():
    # Keras 2.2 inserts axes after the batch axis: (b, 4) + (b, 3, 4) -> (b, 3, 4).
    a = np.random.RandomState(1).normal(size=(2, 4)).astype("float32")
    b = np.random.RandomState(2).normal(size=(2, 3, 4)).astype("float32")
    out = layer_test(layers.Add, {}, input_data=[a, b], expected_output=a[:, None, :] + b,
                     train=False)
    assert out.shape == (2, 3, 4)
    c = np.random.RandomState(3).normal(size=(2, 1)).astype("float32")
    layer_test(layers.Maximum, {}, input_data=[a, c], expected_output=np.maximum(a, c),
               train=False)


def test_merge_errors_name_layer_and_shapes():
    with pytest.raises(ValueError, match="Add 'plus'.*broadcast.*\\(4,\\) \\(5,\\)"):
        layers.Add(name="plus")([Input(shape=(4,)), Input(shape=(5,))])
    with pytest.raises(ValueError, match="at least 2 inputs"):
        layers.Add()([Input(shape=(4,))])
    with pytest.raises(ValueError, match="single input of shape"):
        layers.Add()(Input(shape=(4,)))
    with pytest.raises(ValueError, match="different batch sizes"):
        layers.Add()([Input(batch_shape=(2, 4)), Input(batch_shape=(3, 4))])


@pytest.mark.parametrize("axis, shapes", [
    (-1, [(2, 3), (2, 4)]),
    (1, [(2, 3, 5), (2, 1, 5), (2, 2, 5)]),
    (2, [(2, 3, 1), (2, 3, 2)]),
])
def test_concatenate_matches_numpy(axis, shapes):
    xs = [np.random.RandomState(i).normal(size=s).astype("float32")
          for i, s in enumerate(shapes)]
    layer_test(layers.Concatenate, {"axis": axis}, input_data=xs,
               expected_output=np.concatenate(xs, axis=axis), train=False)
    inputs = [Input(shape=s[1:]) for s in shapes]
    out = layers.concatenate(inputs, axis=axis)
    np.testing.assert_allclose(Model(inputs, out).predict(xs), np.concatenate(xs, axis=axis))


def test_concatenate_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="matching shapes except for the concat axis"):
        layers.concatenate([Input(shape=(3, 4)), Input(shape=(2, 5))], axis=-1)


def test_concatenate_unknown_axis_size_gives_none():
    out = layers.concatenate([Input(shape=(None, 4)), Input(shape=(3, 4))], axis=1)
    assert K.int_shape(out) == (None, None, 4)


def test_concatenate_combines_masks():
    a = Input(shape=(3, 2))
    b = Input(shape=(3, 2))
    mask_a = K.placeholder(shape=(None, 3), dtype="bool")
    layer = layers.Concatenate(axis=-1)
    mask = layer.compute_mask([a, b], [mask_a, None])
    value = K.function([a, b, mask_a], [mask])([np.zeros((1, 3, 2), "float32"),
                                                np.zeros((1, 3, 2), "float32"),
                                                np.array([[True, False, True]])])[0]
    assert value.tolist() == [[True, False, True]]
    assert layer.compute_mask([a, b], None) is None


@pytest.mark.parametrize("axes, shapes, expected_shape", [
    (1, [(4, 5), (4, 5)], (4, 1)),
    (-1, [(4, 5), (4, 5)], (4, 1)),
    ([2, 2], [(4, 3, 5), (4, 2, 5)], (4, 3, 2)),
    ([1, 1], [(4, 3, 5), (4, 3, 2)], (4, 5, 2)),
    ([2, 1], [(4, 3, 5), (4, 5, 2)], (4, 3, 2)),
])
def test_dot_matches_numpy_per_sample(axes, shapes, expected_shape):
    x1, x2 = [np.random.RandomState(i).normal(size=s).astype("float32")
              for i, s in enumerate(shapes)]
    ax = [axes, axes] if isinstance(axes, int) else axes
    ax = [ax[0] % x1.ndim, ax[1] % x2.ndim]
    expected = np.stack([np.tensordot(x1[i], x2[i], axes=(ax[0] - 1, ax[1] - 1))
                         for i in range(x1.shape[0])])
    expected = expected.reshape(expected_shape)
    layer_test(layers.Dot, {"axes": axes}, input_data=[x1, x2], expected_output=expected,
               rtol=1e-5, atol=1e-5, train=False)


def test_dot_normalize_gives_cosine_similarity():
    x1, x2 = _arrays(2, (5, 6), seed=7)
    cosine = (x1 * x2).sum(1) / np.linalg.norm(x1, axis=1) / np.linalg.norm(x2, axis=1)
    inputs = [Input(shape=(6,)), Input(shape=(6,))]
    out = layers.dot(inputs, axes=1, normalize=True)
    np.testing.assert_allclose(Model(inputs, out).predict([x1, x2]), cosine[:, None],
                               rtol=1e-5, atol=1e-6)


def test_dot_dimension_mismatch_is_an_error():
    with pytest.raises(ValueError, match="Dot 'dot_x'.*incompatibility 3 != 4"):
        layers.Dot(axes=1, name="dot_x")([Input(shape=(3,)), Input(shape=(4,))])
    with pytest.raises(ValueError, match="axes"):
        layers.Dot(axes=(1, 2, 3))


def test_merge_layer_keeps_mask_when_all_inputs_are_masked():
    a = Input(shape=(3, 2))
    b = Input(shape=(3, 2))
    mask_a = K.placeholder(shape=(None, 3), dtype="bool")
    mask_b = K.placeholder(shape=(None, 3), dtype="bool")
    mask = layers.Add().compute_mask([a, b], [mask_a, mask_b])
    value = K.function([mask_a, mask_b], [mask])([np.array([[True, True, False]]),
                                                 np.array([[True, False, True]])])[0]
    assert value.tolist() == [[True, False, False]]
