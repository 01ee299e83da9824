"""The data helpers of training: batching, shuffling, weights and input standardization."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkeras.engine import training_utils as tu


@settings(max_examples=25, deadline=None)
@given(size=st.integers(0, 50), batch_size=st.integers(1, 12))
def test_make_batches_cover_the_range_in_order(size, batch_size):
    batches = tu.make_batches(size, batch_size)
    covered = [i for start, end in batches for i in range(start, end)]
    assert covered == list(range(size))
    assert all(0 < end - start <= batch_size for start, end in batches)


@settings(max_examples=25, deadline=None)
@given(size=st.integers(1, 50), batch_size=st.integers(1, 12), seed=st.integers(0, 100))
def test_batch_shuffle_permutes_whole_batches(size, batch_size, seed):
    np.random.seed(seed)
    shuffled = tu.batch_shuffle(np.arange(size), batch_size)
    assert sorted(shuffled.tolist()) == list(range(size))
    full = size // batch_size * batch_size
    blocks = shuffled[:full].reshape(-1, batch_size) if full else np.zeros((0, batch_size))
    # Inside each batch the order is kept; the partial batch stays last.
    assert all((block == np.arange(block[0], block[0] + batch_size)).all() for block in blocks)
    assert shuffled[full:].tolist() == list(range(full, size))


@pytest.mark.parametrize('freq, expected', [
    (1, [True, True, True, True]),
    (2, [False, True, False, True]),
    ([1, 3], [True, False, True, False]),
])
def test_should_run_validation(freq, expected):
    assert [tu.should_run_validation(freq, epoch) for epoch in range(4)] == expected


def test_should_run_validation_rejects_bad_frequency():
    with pytest.raises(ValueError, match='less than 1'):
        tu.should_run_validation(0, 0)
    with pytest.raises(ValueError, match='validation_freq'):
        tu.should_run_validation(1.5, 0)


def test_standardize_input_data_forms():
    one_d = tu.standardize_input_data(np.arange(3), ['a'], [(None, 1)])
    assert one_d[0].shape == (3, 1)
    nested = tu.standardize_input_data([[1, 2], [3, 4]], ['a', 'b'])
    assert [x.shape for x in nested] == [(2, 1), (2, 1)]
    by_name = tu.standardize_input_data({'b': np.ones((2, 3)), 'a': np.zeros((2, 1)),
                                         'unused': 0}, ['a', 'b'])
    assert [x.shape for x in by_name] == [(2, 1), (2, 3)]
    assert tu.standardize_input_data(None, ['a', 'b']) == [None, None]
    with pytest.raises(ValueError, match='expects a list of 2 Numpy arrays'):
        tu.standardize_input_data([1.0, 2.0, 3.0], ['a', 'b'])
    with pytest.raises(ValueError, match='expected no data'):
        tu.standardize_input_data([np.ones(2)], [])


@pytest.mark.parametrize('kwargs, message', [
    (dict(sample_weight=np.ones((4, 2))), 'sample_weight_mode="temporal"'),
    (dict(sample_weight=np.ones(3)), 'cannot be broadcast'),
    (dict(sample_weight_mode='temporal'), 'restricted to outputs that are at least 3D'),
    (dict(sample_weight_mode='spatial'), 'should be None or "temporal"'),
    (dict(class_weight={0: 1.0}), 'must contain all classes'),
])
def test_standardize_weights_errors(kwargs, message):
    y = np.array([[0.], [1.], [1.], [0.]])
    with pytest.raises(ValueError, match=message):
        tu.standardize_weights(y, **kwargs)


def test_standardize_weights_values():
    y = np.eye(3)[[0, 2, 2, 1]]
    np.testing.assert_array_equal(tu.standardize_weights(y), np.ones(4))
    np.testing.assert_array_equal(
        tu.standardize_weights(y, class_weight={0: 1.0, 1: 5.0, 2: 0.5}), [1.0, 0.5, 0.5, 5.0])
    # An explicit sample_weight wins over class_weight, as in Keras 2.2.
    np.testing.assert_array_equal(
        tu.standardize_weights(y, sample_weight=np.arange(4.), class_weight={0: 9.0}),
        np.arange(4.))
    temporal = tu.standardize_weights(np.zeros((2, 5, 1)), sample_weight_mode='temporal')
    assert temporal.shape == (2, 5)


def test_sample_or_class_weight_per_output():
    names = ['a', 'b']
    assert tu.standardize_sample_weights(None, names) == [None, None]
    assert tu.standardize_class_weights({'b': {0: 1.0}}, names) == [None, {0: 1.0}]
    with pytest.raises(ValueError, match='Unknown entries in sample_weight dictionary'):
        tu.standardize_sample_weights({'c': np.ones(2)}, names)
    with pytest.raises(ValueError, match='list of 1 elements, but the model has 2 outputs'):
        tu.standardize_sample_weights([np.ones(2)], names)
