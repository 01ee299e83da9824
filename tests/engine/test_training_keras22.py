"""Model.fit / evaluate / predict details that Keras 2.2.4 users and their callbacks rely on:
`History.params`, the batch logs, the progress-bar lines, class weights per output, steps on
arrays and `reset_metrics`."""
import re

import numpy as np
import pytest

from graphkeras import callbacks, metrics, optimizers
from graphkeras.engine.input_layer import Input
from graphkeras.engine.training import Model
from graphkeras.layers import Dense


def blobs(n=40, seed=0):
    rng = np.random.RandomState(seed)
    y = rng.randint(0, 2, size=n).astype('float32')
    x = rng.randn(n, 4).astype('float32') * 0.5 + (2 * y[:, None] - 1)
    return x.astype('float32'), y[:, None]


def binary_model(lr=0.05, metric_list=('acc',)):
    inputs = Input(shape=(4,))
    outputs = Dense(1, activation='sigmoid')(Dense(4, activation='relu')(inputs))
    model = Model(inputs, outputs)
    model.compile(optimizers.SGD(lr=lr), 'binary_crossentropy', metrics=list(metric_list))
    return model


def endless(x, y, batch_size):
    while True:
        for start in range(0, len(x), batch_size):
            yield x[start:start + batch_size], y[start:start + batch_size]


def test_history_params_and_batch_logs_are_keras_22s():
    x, y = blobs()
    seen = []
    record = callbacks.LambdaCallback(
        on_batch_begin=lambda batch, logs: seen.append(('begin', batch, dict(logs))),
        on_batch_end=lambda batch, logs: seen.append(('end', batch, sorted(logs))))
    history = binary_model().fit(x, y, batch_size=16, epochs=2, verbose=0,
                                 validation_split=0.2, callbacks=[record])
    assert history.params == {'batch_size': 16, 'epochs': 2, 'steps': None, 'samples': 32,
                              'verbose': 0, 'do_validation': True,
                              'metrics': ['loss', 'acc', 'val_loss', 'val_acc']}
    assert seen[:4] == [('begin', 0, {'batch': 0, 'size': 16}),
                        ('end', 0, ['acc', 'batch', 'loss', 'size']),
                        ('begin', 1, {'batch': 1, 'size': 16}),
                        ('end', 1, ['acc', 'batch', 'loss', 'size'])]
    assert sorted(history.history) == ['acc', 'loss', 'val_acc', 'val_loss']
    assert history.epoch == [0, 1]


def test_fit_generator_params_and_validation_steps():
    x, y = blobs()
    model = binary_model()
    validated = []
    count = callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: validated.append('val_loss' in logs))
    history = model.fit_generator(endless(x, y, 10), steps_per_epoch=4, epochs=2, verbose=0,
                                  validation_data=endless(x, y, 20), validation_steps=2,
                                  callbacks=[count])
    assert history.params == {'epochs': 2, 'steps': 4, 'verbose': 0, 'do_validation': True,
                              'metrics': ['loss', 'acc', 'val_loss', 'val_acc']}
    assert validated == [True, True]
    # Two validation steps of 20 samples cover the whole set once.
    assert history.history['val_loss'][-1] == pytest.approx(
        model.evaluate(x, y, batch_size=40, verbose=0)[0], rel=1e-5)


# Keras 2.2.4 writes each redraw on a new line when stdout is not a terminal.
EPOCH_LINES = [
    r'Epoch 1/1',
    r'',
    r'16/32 \[==============>\.{15}\] - ETA: \d+s - loss: \d\.\d{4} - acc: \d\.\d{4}',
    r'32/32 \[={30}\] - \d+s \d+[um]?s/step - loss: \d\.\d{4} - acc: \d\.\d{4}'
    r' - val_loss: \d\.\d{4} - val_acc: \d\.\d{4}',
]


def test_fit_verbose_1_prints_keras_22_progress_lines(capsys):
    x, y = blobs()
    binary_model().fit(x, y, batch_size=16, epochs=1, verbose=1, validation_split=0.2)
    lines = capsys.readouterr().out.split('\n')
    assert lines[0] == 'Train on 32 samples, validate on 8 samples'
    for pattern, line in zip(EPOCH_LINES, lines[1:]):
        assert re.fullmatch(pattern, line), (pattern, line)
    assert lines[len(EPOCH_LINES) + 1:] == ['']


def test_fit_verbose_2_prints_one_line_per_epoch(capsys):
    x, y = blobs()
    binary_model().fit(x, y, batch_size=16, epochs=2, verbose=2, validation_split=0.2)
    lines = capsys.readouterr().out.split('\n')
    assert lines[:2] == ['Train on 32 samples, validate on 8 samples', 'Epoch 1/2']
    epoch_line = (r' - \d+s - loss: \d\.\d{4} - acc: \d\.\d{4}'
                  r' - val_loss: \d\.\d{4} - val_acc: \d\.\d{4}')
    assert re.fullmatch(epoch_line, lines[2]), lines[2]
    assert lines[3] == 'Epoch 2/2' and re.fullmatch(epoch_line, lines[4]), lines[4]
    assert lines[5:] == ['']


def per_sample_bce(y, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(axis=-1)


def test_class_weight_dict_per_output_weights_only_that_output():
    x, y = blobs()
    inputs = Input(shape=(4,), name='features')
    hidden = Dense(4, activation='relu')(inputs)
    first = Dense(1, activation='sigmoid', name='first')(hidden)
    second = Dense(1, activation='sigmoid', name='second')(hidden)
    model = Model(inputs, [first, second])
    # Learning rate 0: train_on_batch reports the loss of the unchanged weights.
    model.compile(optimizers.SGD(lr=0.0), 'binary_crossentropy')
    assert model.metrics_names == ['loss', 'first_loss', 'second_loss']
    first_pred, second_pred = model.predict(x)
    losses = model.train_on_batch(x, {'first': y, 'second': y},
                                  class_weight={'first': {0: 0.0, 1: 3.0}})
    # Keras 2.2 divides the weighted sum by the number of samples with a non-zero weight.
    positive = y[:, 0] == 1
    expected_first = 3.0 * per_sample_bce(y, first_pred)[positive].mean()
    expected_second = per_sample_bce(y, second_pred).mean()
    assert losses[1] == pytest.approx(expected_first, rel=1e-5)
    assert losses[2] == pytest.approx(expected_second, rel=1e-5)
    assert losses[0] == pytest.approx(expected_first + expected_second, rel=1e-5)


def test_evaluate_and_predict_with_steps_feed_the_whole_arrays_each_step():
    x, y = blobs()
    model = binary_model()
    whole = model.evaluate(x, y, batch_size=40, verbose=0)
    np.testing.assert_allclose(model.evaluate(x, y, steps=3, verbose=0), whole, rtol=1e-6)
    predictions = model.predict(x, steps=2)
    assert predictions.shape == (80, 1)
    np.testing.assert_allclose(predictions[40:], model.predict(x), rtol=1e-6)


def test_reset_metrics_zeroes_the_stateful_metrics():
    x, y = blobs()
    # Threshold 0: every sigmoid output counts as positive, so the count is the positives.
    model = binary_model(lr=0.0, metric_list=[metrics.TruePositives(thresholds=0.0)])
    assert model.metrics_names == ['loss', 'true_positives']
    once = model.test_on_batch(x, y, reset_metrics=False)[1]
    assert once == y.sum()
    twice = model.test_on_batch(x, y, reset_metrics=False)[1]
    assert twice == pytest.approx(2 * once)
    model.reset_metrics()
    assert model.test_on_batch(x, y, reset_metrics=False)[1] == pytest.approx(once)
