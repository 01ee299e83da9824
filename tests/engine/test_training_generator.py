"""fit / evaluate / predict from Python generators and `utils.Sequence`, and the data_utils
helpers behind them (enqueuers, get_file)."""
import hashlib
import os
import tarfile

import numpy as np
import pytest

from graphkeras import optimizers
from graphkeras.engine.input_layer import Input
from graphkeras.engine.training import Model
from graphkeras.layers import Dense
from graphkeras.utils.data_utils import (GeneratorEnqueuer, OrderedEnqueuer, Sequence,
                                         get_file, validate_file)


def blobs(n=160, seed=0):
    rng = np.random.RandomState(seed)
    y = rng.randint(0, 2, size=n).astype('float32')
    x = rng.randn(n, 4).astype('float32') * 0.5 + (2 * y[:, None] - 1)
    return x.astype('float32'), y[:, None]


def make_model():
    inputs = Input(shape=(4,), name='features')
    outputs = Dense(1, activation='sigmoid')(Dense(8, activation='relu')(inputs))
    model = Model(inputs, outputs)
    model.compile(optimizers.Adam(lr=0.05), 'binary_crossentropy', metrics=['accuracy'])
    return model


def endless_batches(x, y, batch_size):
    while True:
        for start in range(0, len(x), batch_size):
            yield x[start:start + batch_size], y[start:start + batch_size]


class ArraySequence(Sequence):
    """Batches of (x, y), counting epochs through on_epoch_end."""

    def __init__(self, x, y, batch_size):
        self.x, self.y, self.batch_size = x, y, batch_size
        self.epochs_ended = 0

    def __len__(self):
        return int(np.ceil(len(self.x) / float(self.batch_size)))

    def __getitem__(self, index):
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[part], self.y[part]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_fit_generator_learns_and_validates_on_generator():
    x, y = blobs()
    model = make_model()
    history = model.fit_generator(endless_batches(x, y, 16), steps_per_epoch=10, epochs=5,
                                  verbose=0, validation_data=endless_batches(x, y, 40),
                                  validation_steps=4)
    assert history.history['loss'][-1] < history.history['loss'][0]
    assert history.history['val_accuracy'][-1] > 0.95
    assert model.evaluate(x, y, verbose=0)[1] > 0.95


@pytest.mark.parametrize('workers, use_multiprocessing', [(0, False), (2, False), (2, True)])
def test_sequence_training_and_evaluation_match_arrays(workers, use_multiprocessing):
    x, y = blobs(60)
    model = make_model()
    sequence = ArraySequence(x, y, 16)
    history = model.fit_generator(sequence, epochs=2, verbose=0, workers=workers,
                                  use_multiprocessing=use_multiprocessing)
    assert len(history.history['loss']) == 2
    from_sequence = model.evaluate_generator(sequence, workers=workers,
                                             use_multiprocessing=use_multiprocessing)
    from_arrays = model.evaluate(x, y, batch_size=16, verbose=0)
    np.testing.assert_allclose(from_sequence, from_arrays, rtol=1e-5)
    predicted = model.predict_generator(sequence, workers=workers,
                                        use_multiprocessing=use_multiprocessing)
    np.testing.assert_allclose(predicted, model.predict(x), rtol=1e-5)


def test_sequence_on_epoch_end_runs_each_epoch_without_workers():
    x, y = blobs(32)
    sequence = ArraySequence(x, y, 8)
    make_model().fit_generator(sequence, epochs=3, verbose=0, workers=0)
    assert sequence.epochs_ended >= 2


def test_fit_accepts_generators_and_sequences_tf_keras_style():
    x, y = blobs(48)
    model = make_model()
    history = model.fit(ArraySequence(x, y, 16), epochs=2, verbose=0,
                        validation_data=ArraySequence(x, y, 24))
    assert sorted(history.history) == ['accuracy', 'loss', 'val_accuracy', 'val_loss']
    history = model.fit(endless_batches(x, y, 12), steps_per_epoch=4, epochs=1, verbose=0,
                        validation_data=(x, y))
    assert 'val_loss' in history.history
    assert model.predict(ArraySequence(x, y, 16)).shape == (48, 1)
    assert len(model.evaluate(ArraySequence(x, y, 16), verbose=0)) == 2


def test_generator_errors_are_clear():
    x, y = blobs(16)
    model = make_model()
    with pytest.raises(ValueError, match='steps_per_epoch=None'):
        model.fit_generator(endless_batches(x, y, 8), verbose=0)
    with pytest.raises(ValueError, match='Output of generator should be a tuple'):
        model.fit_generator(iter([x] * 4), steps_per_epoch=2, verbose=0, workers=0)
    with pytest.raises(ValueError, match='stopped after 2 batches'):
        model.fit_generator(iter([(x, y)] * 2), steps_per_epoch=3, verbose=0, workers=0)

    def failing():
        yield x, y
        raise RuntimeError('broken generator')

    with pytest.raises(RuntimeError, match='broken generator'):
        model.fit_generator(failing(), steps_per_epoch=3, verbose=0, workers=1)


def test_generator_sample_weights_and_class_weight():
    x, y = blobs(16)
    model = make_model()
    zero_weights = np.zeros(16, 'float32')
    zero_weights[0] = 1.0
    weighted = model.evaluate_generator(iter([(x, y, zero_weights)]), steps=1)
    single = model.evaluate(x[:1], y[:1], verbose=0)
    np.testing.assert_allclose(weighted[0], single[0], rtol=1e-5)
    history = model.fit_generator(endless_batches(x, y, 8), steps_per_epoch=2, verbose=0,
                                  class_weight={0: 1.0, 1: 2.0})
    assert np.isfinite(history.history['loss'][0])


def test_ordered_enqueuer_keeps_order_and_shuffles():
    sequence = ArraySequence(np.arange(10)[:, None], np.arange(10)[:, None], 1)
    enqueuer = OrderedEnqueuer(sequence)
    enqueuer.start(workers=3, max_queue_size=4)
    stream = enqueuer.get()
    firsts = [int(next(stream)[0][0, 0]) for _ in range(20)]
    enqueuer.stop()
    assert firsts == list(range(10)) * 2
    shuffled = OrderedEnqueuer(sequence, shuffle=True)
    shuffled.start(workers=2, max_queue_size=10)
    stream = shuffled.get()
    epoch = [int(next(stream)[0][0, 0]) for _ in range(10)]
    shuffled.stop()
    assert sorted(epoch) == list(range(10))


def test_generator_enqueuer_threads_share_one_generator():
    enqueuer = GeneratorEnqueuer(iter(range(50)), use_multiprocessing=False)
    enqueuer.start(workers=3, max_queue_size=5)
    workers = list(enqueuer._workers)
    values = list(enqueuer.get())
    enqueuer.stop()
    # Every item exactly once although three threads pull from the same generator.
    assert sorted(values) == list(range(50))
    assert not any(worker.is_alive() for worker in workers)


def test_get_file_copies_from_file_url_into_cache_dir(tmp_path):
    source = tmp_path / 'source.txt'
    source.write_text('hello data')
    digest = hashlib.sha256(b'hello data').hexdigest()
    cache = tmp_path / 'cache'
    path = get_file('copy.txt', source.as_uri(), cache_dir=str(cache), file_hash=digest)
    assert path == os.path.join(str(cache), 'datasets', 'copy.txt')
    assert open(path).read() == 'hello data'
    assert validate_file(path, digest)
    # Cached: a missing origin is not fetched again.
    assert get_file('copy.txt', (tmp_path / 'gone.txt').as_uri(), cache_dir=str(cache)) == path
    with pytest.raises(ValueError, match='does not match'):
        get_file('other.txt', source.as_uri(), cache_dir=str(cache), file_hash='0' * 64)


def test_get_file_extracts_tar_archives(tmp_path):
    member = tmp_path / 'inner.txt'
    member.write_text('inside')
    archive = tmp_path / 'bundle.tar.gz'
    with tarfile.open(archive, 'w:gz') as tar:
        tar.add(member, arcname='inner.txt')
    path = get_file('bundle.tar.gz', archive.as_uri(), cache_dir=str(tmp_path / 'c'),
                    extract=True)
    extracted = os.path.join(os.path.dirname(path), 'inner.txt')
    assert open(extracted).read() == 'inside'


def test_get_file_reports_unreachable_origin(tmp_path):
    with pytest.raises(Exception, match='URL fetch failure on http://127.0.0.1:9/data.bin'):
        get_file('data.bin', 'http://127.0.0.1:9/data.bin', cache_dir=str(tmp_path))
    assert not os.path.exists(os.path.join(str(tmp_path), 'datasets', 'data.bin'))


def test_generator_enqueuer_processes_each_run_a_copy_of_the_generator():
    enqueuer = GeneratorEnqueuer(iter(range(6)), use_multiprocessing=True)
    enqueuer.start(workers=2, max_queue_size=20)
    values = list(enqueuer.get())
    enqueuer.stop()
    # The duplication Keras warns about: each process yields the whole generator.
    assert sorted(values) == sorted(list(range(6)) * 2)


def test_duplicating_generator_warns_and_array_fit_rejects_generator_validation():
    x, y = blobs(16)
    model = make_model()
    with pytest.warns(UserWarning, match='may duplicate your data'):
        model.fit_generator(endless_batches(x, y, 8), steps_per_epoch=1, verbose=0, workers=2,
                            use_multiprocessing=True)
    with pytest.raises(ValueError, match='validation_data is a generator'):
        model.fit(x, y, verbose=0, validation_data=ArraySequence(x, y, 8))
