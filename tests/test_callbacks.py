"""Callbacks, checked by their files and their effects on training."""
import csv
import http.server
import json
import os
import threading
import urllib.parse

import numpy as np
import pytest

from graphkeras import backend as K
from graphkeras import callbacks, optimizers
from graphkeras.engine.input_layer import Input
from graphkeras.engine.training import Model
from graphkeras.layers import Dense
from graphkeras.utils.progbar import Progbar


def blobs(n=40, seed=0):
    rng = np.random.RandomState(seed)
    y = rng.randint(0, 2, size=n).astype('float32')
    x = rng.randn(n, 4).astype('float32') * 0.5 + (2 * y[:, None] - 1)
    return x.astype('float32'), y[:, None]


class SavingModel(Model):
    """A Model whose save / save_weights write the weights with NumPy (the h5 saving module
    is another issue's work); enough for ModelCheckpoint to be tested by its files."""

    def save_weights(self, filepath, overwrite=True):
        with open(filepath, 'wb') as f:
            np.savez(f, *self.get_weights())

    def save(self, filepath, overwrite=True, include_optimizer=True):
        self.save_weights(filepath, overwrite)


def make_model(lr=0.05, model_class=Model):
    inputs = Input(shape=(4,))
    outputs = Dense(1, activation='sigmoid')(Dense(4, activation='relu')(inputs))
    model = model_class(inputs, outputs)
    model.compile(optimizers.SGD(lr=lr), 'binary_crossentropy', metrics=['accuracy'])
    return model


class ScriptedLogs(callbacks.Callback):
    """Writes a scripted value of `key` into each epoch's logs (callbacks after it see it)."""

    def __init__(self, key, values):
        super(ScriptedLogs, self).__init__()
        self.key, self.values = key, values

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]


def test_history_and_base_logger_average_batches_by_size():
    x, y = blobs(10)
    model = make_model()
    batch_losses = []
    record = callbacks.LambdaCallback(
        on_batch_end=lambda batch, logs: batch_losses.append((logs['size'], logs['loss'])))
    history = model.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False,
                        callbacks=[record])
    sizes = [size for size, _ in batch_losses]
    assert sizes == [4, 4, 2]
    expected = sum(size * loss for size, loss in batch_losses) / 10
    assert history.history['loss'][0] == pytest.approx(expected, rel=1e-6)
    assert history.epoch == [0]
    assert history.params['samples'] == 10 and history.params['batch_size'] == 4


def test_csv_logger_writes_and_appends(tmp_path):
    x, y = blobs()
    path = str(tmp_path / 'log.csv')
    model = make_model()
    model.fit(x, y, epochs=2, verbose=0, validation_split=0.25,
              callbacks=[callbacks.CSVLogger(path)])
    with open(path) as f:
        rows = list(csv.DictReader(f))
    assert [row['epoch'] for row in rows] == ['0', '1']
    assert set(rows[0]) == {'epoch', 'loss', 'accuracy', 'val_loss', 'val_accuracy'}
    history = model.fit(x, y, epochs=1, verbose=0, validation_split=0.25,
                        callbacks=[callbacks.CSVLogger(path, append=True, separator=',')])
    with open(path) as f:
        lines = f.read().splitlines()
    assert len(lines) == 4 and lines[0].startswith('epoch,')
    assert float(lines[3].split(',')[1]) == pytest.approx(history.history['accuracy'][0])
    model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.CSVLogger(path, separator=';')])
    with open(path) as f:
        assert f.read().splitlines()[0] == 'epoch;accuracy;loss'


def test_early_stopping_stops_after_patience_and_restores_best_weights():
    x, y = blobs()
    model = make_model()
    snapshots = []
    keep = callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights()))
    scripted = ScriptedLogs('val_loss', [1.0, 0.5, 0.6, 0.55, 0.7, 0.1, 0.1])
    stopper = callbacks.EarlyStopping(monitor='val_loss', patience=3,
                                      restore_best_weights=True)
    history = model.fit(x, y, epochs=7, verbose=0, callbacks=[scripted, keep, stopper])
    # Best at epoch 1; epochs 2, 3, 4 do not improve; training stops after epoch 4.
    assert history.epoch == [0, 1, 2, 3, 4]
    assert stopper.stopped_epoch == 4
    for restored, best in zip(model.get_weights(), snapshots[1]):
        np.testing.assert_array_equal(restored, best)


def test_early_stopping_min_delta_baseline_and_mode():
    x, y = blobs()
    model = make_model()
    scripted = ScriptedLogs('score', [0.5, 0.505, 0.509, 0.9])
    stopper = callbacks.EarlyStopping(monitor='score', mode='max', min_delta=0.01, patience=2)
    assert model.fit(x, y, epochs=4, verbose=0, callbacks=[scripted, stopper]).epoch == [0, 1,
                                                                                          2]
    scripted = ScriptedLogs('val_acc', [0.5, 0.6, 0.7])
    baseline = callbacks.EarlyStopping(monitor='val_acc', baseline=0.65, patience=1)
    assert model.fit(x, y, epochs=3, verbose=0, callbacks=[scripted, baseline]).epoch == [0]


def test_reduce_lr_on_plateau_changes_the_learning_rate():
    x, y = blobs()
    model = make_model(lr=0.1)
    scripted = ScriptedLogs('val_loss', [1.0] * 8)
    reduce = callbacks.ReduceLROnPlateau(monitor='val_loss', factor=0.5, patience=2,
                                         cooldown=1, min_lr=0.02)
    rates = []
    record = callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: rates.append(round(float(logs['lr']), 6)))
    model.fit(x, y, epochs=8, verbose=0, callbacks=[scripted, reduce, record])
    # Reductions after epochs 2, 4 and 6 (patience 2, one epoch of cooldown); logs['lr'] is
    # the rate the epoch trained with, and the last reduction stops at min_lr.
    assert rates == [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02]
    assert float(K.get_value(model.optimizer.lr)) == pytest.approx(0.02)
    with pytest.raises(ValueError, match='factor'):
        callbacks.ReduceLROnPlateau(factor=1.5)


def test_learning_rate_scheduler_sets_the_rate_used_by_training():
    x, y = blobs()
    model = make_model(lr=0.1)
    seen = []
    record = callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: seen.append(float(K.get_value(model.optimizer.lr))))
    schedule = callbacks.LearningRateScheduler(lambda epoch, lr: 0.0 if epoch == 2 else lr / 2)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[schedule, record])
    assert seen == pytest.approx([0.05, 0.025])
    # Learning rate 0 leaves every weight unchanged.
    before = model.get_weights()
    model.fit(x, y, epochs=3, initial_epoch=2, verbose=0, callbacks=[schedule])
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)
    with pytest.raises(ValueError, match='should be float'):
        model.fit(x, y, epochs=1, verbose=0,
                  callbacks=[callbacks.LearningRateScheduler(lambda epoch: 'fast')])


def test_model_checkpoint_files(tmp_path):
    x, y = blobs()
    model = make_model(model_class=SavingModel)
    pattern = str(tmp_path / 'weights.{epoch:02d}-{val_loss:.2f}.npz')
    scripted = ScriptedLogs('val_loss', [0.5, 0.4, 0.45, 0.3])
    every_other = callbacks.ModelCheckpoint(pattern, period=2, save_weights_only=True)
    model.fit(x, y, epochs=4, verbose=0, callbacks=[scripted, every_other])
    assert sorted(os.listdir(tmp_path)) == ['weights.02-0.40.npz', 'weights.04-0.30.npz']
    with np.load(str(tmp_path / 'weights.04-0.30.npz')) as saved:
        final = [saved['arr_%d' % i] for i in range(len(saved.files))]
    for got, expected in zip(final, model.get_weights()):
        np.testing.assert_array_equal(got, expected)

    best_path = str(tmp_path / 'best.npz')
    saved_epochs = []
    best = callbacks.ModelCheckpoint(best_path, monitor='val_loss', save_best_only=True)
    original_save = model.save

    def counting_save(filepath, overwrite=True, include_optimizer=True):
        saved_epochs.append(len(saved_epochs))
        original_save(filepath, overwrite)

    model.save = counting_save
    model.fit(x, y, epochs=4, verbose=0, callbacks=[scripted, best])
    # Improvements at epochs 0, 1 and 3.
    assert len(saved_epochs) == 3 and os.path.exists(best_path)


@pytest.mark.filterwarnings('ignore:invalid value encountered')
def test_terminate_on_nan_stops_at_the_first_bad_batch():
    x, y = blobs(16)
    model = make_model()

    def nan_loss(y_true, y_pred):
        return K.log(y_pred - 2.0)[:, 0]

    model.compile('sgd', nan_loss)
    batches = []
    record = callbacks.LambdaCallback(on_batch_end=lambda batch, logs: batches.append(batch))
    history = model.fit(x, y, batch_size=4, epochs=3, verbose=0,
                        callbacks=[callbacks.TerminateOnNaN(), record])
    assert batches == [0]
    assert history.epoch == [0]


def test_lambda_callback_hooks_run_in_order():
    x, y = blobs(8)
    events = []
    hooks = callbacks.LambdaCallback(
        on_train_begin=lambda logs: events.append('train_begin'),
        on_epoch_begin=lambda epoch, logs: events.append('epoch_begin %d' % epoch),
        on_batch_begin=lambda batch, logs: events.append('batch_begin %d' % batch),
        on_batch_end=lambda batch, logs: events.append('batch_end %d' % batch),
        on_epoch_end=lambda epoch, logs: events.append('epoch_end %d' % epoch),
        on_train_end=lambda logs: events.append('train_end'))
    make_model().fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[hooks])
    assert events == ['train_begin', 'epoch_begin 0', 'batch_begin 0', 'batch_end 0',
                      'batch_begin 1', 'batch_end 1', 'epoch_end 0', 'train_end']


class _Recorder(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        length = int(self.headers['Content-Length'])
        body = self.rfile.read(length).decode('utf-8')
        self.received.append((self.path, self.headers['Content-Type'], body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_remote_monitor_posts_epoch_logs_to_a_local_server():
    server = http.server.HTTPServer(('127.0.0.1', 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.received = []
    try:
        root = 'http://127.0.0.1:%d' % server.server_port
        x, y = blobs(8)
        model = make_model()
        model.fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.RemoteMonitor(root=root)])
        model.fit(x, y, epochs=1, verbose=0,
                  callbacks=[callbacks.RemoteMonitor(root=root, path='/json',
                                                     send_as_json=True)])
    finally:
        server.shutdown()
        server.server_close()
    assert len(_Recorder.received) == 3
    path, content_type, body = _Recorder.received[1]
    assert path == '/publish/epoch/end/'
    payload = json.loads(urllib.parse.parse_qs(body)['data'][0])
    assert payload['epoch'] == 1 and set(payload) == {'epoch', 'loss', 'accuracy'}
    path, content_type, body = _Recorder.received[2]
    assert (path, content_type) == ('/json', 'application/json')
    assert json.loads(body)['epoch'] == 0


def test_remote_monitor_warns_when_server_is_unreachable():
    x, y = blobs(8)
    monitor = callbacks.RemoteMonitor(root='http://127.0.0.1:9')
    with pytest.warns(UserWarning, match='could not reach RemoteMonitor'):
        make_model().fit(x, y, epochs=1, verbose=0, callbacks=[monitor])


class Interrupt(callbacks.Callback):
    def __init__(self, at_epoch):
        super(Interrupt, self).__init__()
        self.at_epoch = at_epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise KeyboardInterrupt


def test_backup_and_restore_resumes_after_interruption(tmp_path):
    x, y = blobs()
    backup_dir = str(tmp_path / 'backup')
    model = make_model()
    backup = callbacks.BackupAndRestore(backup_dir)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=5, verbose=0, callbacks=[backup, Interrupt(2)])
    assert os.path.exists(os.path.join(backup_dir, 'training_state.npz'))
    weights_after_two_epochs = model.get_weights()
    optimizer_state = model.optimizer.get_weights()

    fresh = make_model(lr=0.05)
    seen = []
    record = callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: seen.append(epoch))
    restored = []
    check = callbacks.LambdaCallback(on_train_begin=lambda logs: restored.append(
        (fresh.get_weights(), fresh.optimizer.get_weights())))
    history = fresh.fit(x, y, epochs=5, verbose=0, callbacks=[backup, check, record])
    assert seen == [2, 3, 4] and history.epoch == [2, 3, 4]
    model_weights, optimizer_weights = restored[0]
    for got, expected in zip(model_weights + optimizer_weights,
                             weights_after_two_epochs + optimizer_state):
        np.testing.assert_array_equal(got, expected)
    assert not os.path.exists(backup_dir)


def test_progbar_logger_prints_keras_progress(capsys):
    x, y = blobs(40)
    model = make_model()
    model.fit(x, y, batch_size=10, epochs=2, verbose=1)
    out = capsys.readouterr().out
    assert 'Epoch 1/2' in out and 'Epoch 2/2' in out
    assert '40/40 [==============================] - ' in out
    assert ' - loss: ' in out and ' - accuracy: ' in out
    model.fit(x, y, batch_size=10, epochs=1, verbose=2, validation_split=0.5)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == 'Train on 20 samples, validate on 20 samples'
    assert out[1] == 'Epoch 1/1'
    assert out[2].startswith(' - 0s - loss: ') and ' - val_accuracy: ' in out[2]
    assert len(out) == 3


def test_progbar_averages_and_draws(capsys):
    bar = Progbar(target=4, width=10, stateful_metrics=['auc'])
    bar.update(2, [('loss', 1.0), ('auc', 0.2)])
    bar.update(4, [('loss', 3.0), ('auc', 0.9)])
    out = capsys.readouterr().out
    assert '4/4 [==========]' in out
    assert 'loss: 2.0000' in out and 'auc: 0.9' in out
    bar = Progbar(target=None, verbose=1)
    bar.update(7, [('loss', 1e-5)])
    out = capsys.readouterr().out
    assert '      7/Unknown' in out and 'loss: 1.0000e-05' in out


def test_progbar_prints_stateful_values_with_the_average_format(capsys):
    # Keras 2.2.4 keeps a stateful value as [value, 1]: it prints as '0.7500', not '0.75'.
    bar = Progbar(target=2, stateful_metrics=['auc'])
    bar.update(2, [('loss', 0.5), ('auc', np.float32(0.75))])
    out = capsys.readouterr().out
    assert out.endswith(' - loss: 0.5000 - auc: 0.7500\n')


def test_progbar_verbose_2_prints_one_line_with_keras_22_number_format(capsys):
    bar = Progbar(target=4, verbose=2, stateful_metrics=['auc'])
    bar.update(2, [('loss', -0.5), ('auc', 0.25)])
    assert capsys.readouterr().out == ''
    bar.update(4, [('loss', -0.5), ('auc', 0.5)])
    # verbose=2 tests `average > 1e-3` (not its magnitude), so a negative loss prints in
    # exponent form, as Keras 2.2.4 prints it.
    assert capsys.readouterr().out == ' - 0s - loss: -5.0000e-01 - auc: 0.5000\n'


def test_csv_logger_ends_lines_as_the_excel_dialect(tmp_path):
    x, y = blobs()
    path = str(tmp_path / 'log.csv')
    model = make_model()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.CSVLogger(path, separator='\t')])
    with open(path, newline='') as f:
        text = f.read()
    lines = text.split('\r\n')
    assert lines[0] == 'epoch\taccuracy\tloss' and lines[-1] == ''
    assert [line.split('\t')[0] for line in lines[1:-1]] == ['0', '1']


def test_history_and_monitors_accept_both_accuracy_spellings():
    """Keras 2.2 scripts read 'acc' / 'val_acc'; tf.keras scripts 'accuracy'."""
    import numpy as np
    from graphkeras.callbacks import EarlyStopping
    from graphkeras.layers import Dense
    from graphkeras.models import Sequential
    rng = np.random.RandomState(0)
    x = rng.randn(64, 4).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = Sequential([Dense(1, activation="sigmoid", input_shape=(4,))])
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    stopper = EarlyStopping(monitor="val_acc", patience=0, mode="max")
    history = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0, callbacks=[stopper])
    assert history.history["acc"] is history.history["accuracy"]
    assert "val_acc" in history.history and len(history.history["val_acc"]) >= 1
    assert "acc" not in list(history.history)   # stored once, under the name given
