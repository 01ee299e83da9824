"""Callbacks: objects called at given stages of training (Keras 2.2's `keras.callbacks`).

`CallbackList` fans every event out; `fit` always adds `BaseLogger` (epoch averages), a
`ProgbarLogger` when verbose, and `History`. The rest are the user-facing callbacks.
"""
import collections
import csv
import json
import os
import shutil
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy as np

from graphkeras import backend as K
from graphkeras.utils.progbar import Progbar


class CallbackList(object):
    """Container abstracting a list of callbacks.

    # Arguments
        callbacks: List of `Callback` instances.
        queue_length: Kept for Keras 2.2 compatibility (batch-time statistics window).
    """

    def __init__(self, callbacks=None, queue_length=10):
        self.callbacks = list(callbacks or [])
        self.queue_length = queue_length
        self.params = {}
        self.model = None

    def append(self, callback):
        self.callbacks.append(callback)

    def set_params(self, params):
        self.params = params
        for callback in self.callbacks:
            callback.set_params(params)

    def set_model(self, model):
        self.model = model
        for callback in self.callbacks:
            callback.set_model(model)

    def _call(self, hook, *args):
        for callback in self.callbacks:
            getattr(callback, hook)(*args)

    def on_epoch_begin(self, epoch, logs=None):
        self._call('on_epoch_begin', epoch, {} if logs is None else logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call('on_epoch_end', epoch, {} if logs is None else logs)

    def on_batch_begin(self, batch, logs=None):
        self.on_train_batch_begin(batch, logs)

    def on_batch_end(self, batch, logs=None):
        self.on_train_batch_end(batch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call('on_train_batch_begin', batch, {} if logs is None else logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call('on_train_batch_end', batch, {} if logs is None else logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call('on_test_batch_begin', batch, {} if logs is None else logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call('on_test_batch_end', batch, {} if logs is None else logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call('on_predict_batch_begin', batch, {} if logs is None else logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call('on_predict_batch_end', batch, {} if logs is None else logs)

    def on_train_begin(self, logs=None):
        self._call('on_train_begin', {} if logs is None else logs)

    def on_train_end(self, logs=None):
        self._call('on_train_end', {} if logs is None else logs)

    def on_test_begin(self, logs=None):
        self._call('on_test_begin', {} if logs is None else logs)

    def on_test_end(self, logs=None):
        self._call('on_test_end', {} if logs is None else logs)

    def on_predict_begin(self, logs=None):
        self._call('on_predict_begin', {} if logs is None else logs)

    def on_predict_end(self, logs=None):
        self._call('on_predict_end', {} if logs is None else logs)

    def resume_epoch(self, initial_epoch):
        """The epoch to start from: a callback that restored a backup may move it forward."""
        for callback in self.callbacks:
            restored = getattr(callback, 'restored_epoch', None)
            if restored is not None:
                initial_epoch = max(initial_epoch, restored)
        return initial_epoch

    def __iter__(self):
        return iter(self.callbacks)


class Callback(object):
    """Abstract base class used to build new callbacks.

    # Properties
        params: dict. Training parameters
            (eg. verbosity, batch size, number of epochs...).
        model: instance of `keras.models.Model`.
            Reference of the model being trained.

    The `logs` dictionary that callback methods take as argument will contain keys for
    quantities relevant to the current batch or epoch. `on_epoch_end` logs include `loss`,
    the metrics and, when validating, `val_loss` and `val_<metric>`; `on_batch_begin` logs
    include `size`, the number of samples in the batch; `on_batch_end` logs include `loss`
    and the metrics.
    """

    def __init__(self):
        self.validation_data = None
        self.model = None
        self.params = {}

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self.model = model

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def on_train_batch_begin(self, batch, logs=None):
        # Keras 2.2's `on_batch_*` are the training-batch hooks.
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        pass

    def on_test_batch_end(self, batch, logs=None):
        pass

    def on_predict_batch_begin(self, batch, logs=None):
        pass

    def on_predict_batch_end(self, batch, logs=None):
        pass

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_test_begin(self, logs=None):
        pass

    def on_test_end(self, logs=None):
        pass

    def on_predict_begin(self, logs=None):
        pass

    def on_predict_end(self, logs=None):
        pass


class BaseLogger(Callback):
    """Callback that accumulates epoch averages of metrics.

    This callback is automatically applied to every Keras model.

    # Arguments
        stateful_metrics: Iterable of string names of metrics that
            should *not* be averaged over an epoch.
            Metrics in this list will be logged as-is in `on_epoch_end`.
            All others will be averaged in `on_epoch_end`.
    """

    def __init__(self, stateful_metrics=None):
        super(BaseLogger, self).__init__()
        self.stateful_metrics = set(stateful_metrics or [])

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        self.totals = {}

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        batch_size = logs.get('size', 0)
        self.seen += batch_size
        for name, value in logs.items():
            if name in self.stateful_metrics:
                self.totals[name] = value
            elif name in self.totals:
                self.totals[name] += value * batch_size
            else:
                self.totals[name] = value * batch_size

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        for name in self.params.get('metrics', []):
            if name not in self.totals:
                continue
            if name in self.stateful_metrics:
                logs[name] = self.totals[name]
            else:
                logs[name] = self.totals[name] / self.seen


class ProgbarLogger(Callback):
    """Callback that prints metrics to stdout.

    # Arguments
        count_mode: One of "steps" or "samples".
            Whether the progress bar should
            count samples seen or steps (batches) seen.
        stateful_metrics: Iterable of string names of metrics that
            should *not* be averaged over an epoch.
            Metrics in this list will be logged as-is.
            All others will be averaged over time (e.g. loss, etc).

    # Raises
        ValueError: In case of invalid `count_mode`.
    """

    def __init__(self, count_mode='samples', stateful_metrics=None):
        super(ProgbarLogger, self).__init__()
        if count_mode == 'samples':
            self.use_steps = False
        elif count_mode == 'steps':
            self.use_steps = True
        else:
            raise ValueError('Unknown `count_mode`: ' + str(count_mode))
        self.stateful_metrics = set(stateful_metrics or [])

    def on_train_begin(self, logs=None):
        self.verbose = self.params['verbose']
        self.epochs = self.params['epochs']

    def on_epoch_begin(self, epoch, logs=None):
        self.target = self.params['steps'] if self.use_steps else self.params['samples']
        if self.verbose:
            print('Epoch %d/%d' % (epoch + 1, self.epochs))
            self.progbar = Progbar(target=self.target, verbose=self.verbose,
                                   stateful_metrics=self.stateful_metrics)
        self.seen = 0

    def on_batch_begin(self, batch, logs=None):
        if self.target is None or self.seen < self.target:
            self.log_values = []

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        self.seen += 1 if self.use_steps else logs.get('size', 0)
        for name in self.params['metrics']:
            if name in logs:
                self.log_values.append((name, logs[name]))
        # Skip the update on the last batch: on_epoch_end draws it with the validation values.
        if self.verbose and (self.target is None or self.seen < self.target):
            self.progbar.update(self.seen, self.log_values)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        for name in self.params['metrics']:
            if name in logs:
                self.log_values.append((name, logs[name]))
        if self.verbose:
            self.progbar.update(self.seen, self.log_values)


class History(Callback):
    """Callback that records events into a `History` object.

    This callback is automatically applied to every Keras model. The `History` object
    gets returned by the `fit` method of models: `history.history[name]` is the list of
    that metric's epoch values and `history.epoch` the list of epoch indices.
    """

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epoch.append(epoch)
        for name, value in logs.items():
            self.history.setdefault(name, []).append(value)


def _monitor_op(mode, monitor, callback_name):
    """np.less or np.greater for a mode 'min' / 'max' / 'auto' (accuracy-like -> max)."""
    if mode not in ['auto', 'min', 'max']:
        warnings.warn('%s mode %s is unknown, fallback to auto mode.' % (callback_name, mode),
                      RuntimeWarning)
        mode = 'auto'
    if mode == 'min':
        return np.less
    if mode == 'max':
        return np.greater
    if 'acc' in monitor or monitor.startswith('fmeasure'):
        return np.greater
    return np.less


def _learning_rate_variable(model, callback_name):
    """The optimizer's learning-rate variable (`lr`, or tf.keras's `learning_rate`)."""
    optimizer = getattr(model, 'optimizer', None)
    for attribute in ('lr', 'learning_rate'):
        variable = getattr(optimizer, attribute, None)
        if variable is not None:
            return variable
    raise ValueError('%s needs an optimizer with a "lr" attribute; the model\'s optimizer '
                     'is %r.' % (callback_name, optimizer))


class ModelCheckpoint(Callback):
    """Save the model after every epoch.

    `filepath` can contain named formatting options,
    which will be filled the value of `epoch` and
    keys in `logs` (passed in `on_epoch_end`).

    For example: if `filepath` is `weights.{epoch:02d}-{val_loss:.2f}.hdf5`,
    then the model checkpoints will be saved with the epoch number and
    the validation loss in the filename.

    # Arguments
        filepath: string, path to save the model file.
        monitor: quantity to monitor.
        verbose: verbosity mode, 0 or 1.
        save_best_only: if `save_best_only=True`,
            the latest best model according to
            the quantity monitored will not be overwritten.
        save_weights_only: if True, then only the model's weights will be
            saved (`model.save_weights(filepath)`), else the full model
            is saved (`model.save(filepath)`).
        mode: one of {auto, min, max}.
            If `save_best_only=True`, the decision
            to overwrite the current save file is made
            based on either the maximization or the
            minimization of the monitored quantity. For `val_acc`,
            this should be `max`, for `val_loss` this should
            be `min`, etc. In `auto` mode, the direction is
            automatically inferred from the name of the monitored quantity.
        period: Interval (number of epochs) between checkpoints.
    """

    def __init__(self, filepath, monitor='val_loss', verbose=0, save_best_only=False,
                 save_weights_only=False, mode='auto', period=1):
        super(ModelCheckpoint, self).__init__()
        self.monitor = monitor
        self.verbose = verbose
        self.filepath = filepath
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.period = period
        self.epochs_since_last_save = 0
        self.monitor_op = _monitor_op(mode, monitor, 'ModelCheckpoint')
        self.best = np.inf if self.monitor_op is np.less else -np.inf

    def _save(self, filepath):
        method_name = 'save_weights' if self.save_weights_only else 'save'
        save = getattr(self.model, method_name, None)
        if save is None:
            raise AttributeError('ModelCheckpoint calls model.%s(filepath), which model "%s" '
                                 'does not have.' % (method_name, self.model.name))
        save(filepath, overwrite=True)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epochs_since_last_save += 1
        if self.epochs_since_last_save < self.period:
            return
        self.epochs_since_last_save = 0
        filepath = self.filepath.format(epoch=epoch + 1, **logs)
        if not self.save_best_only:
            if self.verbose > 0:
                print('\nEpoch %05d: saving model to %s' % (epoch + 1, filepath))
            self._save(filepath)
            return
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn('Can save best model only with %s available, skipping.'
                          % self.monitor, RuntimeWarning)
        elif self.monitor_op(current, self.best):
            if self.verbose > 0:
                print('\nEpoch %05d: %s improved from %0.5f to %0.5f, saving model to %s'
                      % (epoch + 1, self.monitor, self.best, current, filepath))
            self.best = current
            self._save(filepath)
        elif self.verbose > 0:
            print('\nEpoch %05d: %s did not improve from %0.5f'
                  % (epoch + 1, self.monitor, self.best))


class EarlyStopping(Callback):
    """Stop training when a monitored quantity has stopped improving.

    # Arguments
        monitor: quantity to be monitored.
        min_delta: minimum change in the monitored quantity
            to qualify as an improvement, i.e. an absolute
            change of less than min_delta, will count as no
            improvement.
        patience: number of epochs with no improvement
            after which training will be stopped.
        verbose: verbosity mode.
        mode: one of {auto, min, max}. In `min` mode,
            training will stop when the quantity
            monitored has stopped decreasing; in `max`
            mode it will stop when the quantity
            monitored has stopped increasing; in `auto`
            mode, the direction is automatically inferred
            from the name of the monitored quantity.
        baseline: Baseline value for the monitored quantity to reach.
            Training will stop if the model doesn't show improvement
            over the baseline.
        restore_best_weights: whether to restore model weights from
            the epoch with the best value of the monitored quantity.
            If False, the model weights obtained at the last step of
            training are used.
    """

    def __init__(self, monitor='val_loss', min_delta=0, patience=0, verbose=0, mode='auto',
                 baseline=None, restore_best_weights=False):
        super(EarlyStopping, self).__init__()
        self.monitor = monitor
        self.baseline = baseline
        self.patience = patience
        self.verbose = verbose
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.wait = 0
        self.stopped_epoch = 0
        self.monitor_op = _monitor_op(mode, monitor, 'EarlyStopping')
        # Stored with the sign that makes `monitor_op(current - min_delta, best)` the test.
        self.min_delta = abs(min_delta) if self.monitor_op is np.greater else -abs(min_delta)

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        if self.baseline is not None:
            self.best = self.baseline
        else:
            self.best = np.inf if self.monitor_op is np.less else -np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = self.get_monitor_value(logs or {})
        if current is None:
            return
        if self.monitor_op(current - self.min_delta, self.best):
            self.best = current
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                if self.verbose > 0:
                    print('Restoring model weights from the end of the best epoch')
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print('Epoch %05d: early stopping' % (self.stopped_epoch + 1))

    def get_monitor_value(self, logs):
        monitor_value = logs.get(self.monitor)
        if monitor_value is None:
            warnings.warn('Early stopping conditioned on metric `%s` which is not available. '
                          'Available metrics are: %s'
                          % (self.monitor, ','.join(list(logs.keys()))), RuntimeWarning)
        return monitor_value


class RemoteMonitor(Callback):
    """Callback used to stream events to a server.

    Each epoch's logs, with `epoch`, are sent by HTTP POST to `root + path`: by default as a
    form field `field` holding the JSON, or as a JSON body with `send_as_json=True`.
    Uses only the standard library (`urllib`).

    # Arguments
        root: String; root url of the target server.
        path: String; path relative to `root` to which the events will be sent.
        field: String; JSON field under which the data will be stored.
            The field is used only if the payload is sent within a form
            (i.e. send_as_json is set to False).
        headers: Dictionary; optional custom HTTP headers.
        send_as_json: Boolean; whether the request should be
            sent as application/json.
    """

    def __init__(self, root='http://localhost:9000', path='/publish/epoch/end/', field='data',
                 headers=None, send_as_json=False):
        super(RemoteMonitor, self).__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def _request(self, payload):
        """The POST request carrying `payload` as a form field or as a JSON body."""
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(payload).encode('utf-8')
            headers['Content-Type'] = 'application/json'
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(payload)}).encode('utf-8')
            headers['Content-Type'] = 'application/x-www-form-urlencoded'
        return urllib.request.Request(self.root + self.path, data=body, headers=headers,
                                      method='POST')

    def on_epoch_end(self, epoch, logs=None):
        payload = {'epoch': epoch}
        for name, value in (logs or {}).items():
            payload[name] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
        try:
            with urllib.request.urlopen(self._request(payload), timeout=10) as response:
                response.read()
        except (urllib.error.URLError, OSError):
            warnings.warn('Warning: could not reach RemoteMonitor root server at '
                          + str(self.root))


class LearningRateScheduler(Callback):
    """Learning rate scheduler.

    # Arguments
        schedule: a function that takes an epoch index as input
            (integer, indexed from 0) and current learning rate
            and returns a new learning rate as output (float).
        verbose: int. 0: quiet, 1: update messages.
    """

    def __init__(self, schedule, verbose=0):
        super(LearningRateScheduler, self).__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        variable = _learning_rate_variable(self.model, 'LearningRateScheduler')
        lr = float(K.get_value(variable))
        try:
            lr = self.schedule(epoch, lr)
        except TypeError:
            # Keras 2.0-style schedules take only the epoch.
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, np.float32, np.float64)):
            raise ValueError('The output of the "schedule" function should be float, got %r.'
                             % (lr,))
        K.set_value(variable, lr)
        if self.verbose > 0:
            print('\nEpoch %05d: LearningRateScheduler setting learning rate to %s.'
                  % (epoch + 1, lr))


class ReduceLROnPlateau(Callback):
    """Reduce learning rate when a metric has stopped improving.

    Models often benefit from reducing the learning rate by a factor
    of 2-10 once learning stagnates. This callback monitors a
    quantity and if no improvement is seen for a 'patience' number
    of epochs, the learning rate is reduced.

    # Arguments
        monitor: quantity to be monitored.
        factor: factor by which the learning rate will
            be reduced. new_lr = lr * factor
        patience: number of epochs with no improvement
            after which learning rate will be reduced.
        verbose: int. 0: quiet, 1: update messages.
        mode: one of {auto, min, max}. In `min` mode,
            lr will be reduced when the quantity
            monitored has stopped decreasing; in `max`
            mode it will be reduced when the quantity
            monitored has stopped increasing; in `auto`
            mode, the direction is automatically inferred
            from the name of the monitored quantity.
        min_delta: threshold for measuring the new optimum,
            to only focus on significant changes.
        cooldown: number of epochs to wait before resuming
            normal operation after lr has been reduced.
        min_lr: lower bound on the learning rate.

    # Raises
        ValueError: when `factor` is 1.0 or more.
    """

    def __init__(self, monitor='val_loss', factor=0.1, patience=10, verbose=0, mode='auto',
                 min_delta=1e-4, cooldown=0, min_lr=0, **kwargs):
        super(ReduceLROnPlateau, self).__init__()
        self.monitor = monitor
        if factor >= 1.0:
            raise ValueError('ReduceLROnPlateau does not support a factor >= 1.0.')
        if 'epsilon' in kwargs:
            min_delta = kwargs.pop('epsilon')
            warnings.warn('`epsilon` argument is deprecated and will be removed, use '
                          '`min_delta` instead.')
        if kwargs:
            raise TypeError('ReduceLROnPlateau got unexpected arguments: %s' % sorted(kwargs))
        self.factor = factor
        self.min_lr = min_lr
        self.min_delta = min_delta
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.mode = mode
        self._reset()

    def _reset(self):
        """Resets wait counter and cooldown counter."""
        direction = _monitor_op(self.mode, self.monitor, 'ReduceLROnPlateau')
        if direction is np.less:
            self.monitor_op = lambda a, b: np.less(a, b - self.min_delta)
            self.best = np.inf
        else:
            self.monitor_op = lambda a, b: np.greater(a, b + self.min_delta)
            self.best = -np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        variable = _learning_rate_variable(self.model, 'ReduceLROnPlateau')
        logs['lr'] = K.get_value(variable)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn('Reduce LR on plateau conditioned on metric `%s` which is not '
                          'available. Available metrics are: %s'
                          % (self.monitor, ','.join(list(logs.keys()))), RuntimeWarning)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
            return
        if self.in_cooldown():
            return
        self.wait += 1
        if self.wait < self.patience:
            return
        old_lr = float(K.get_value(variable))
        if old_lr > self.min_lr:
            new_lr = max(old_lr * self.factor, self.min_lr)
            K.set_value(variable, new_lr)
            if self.verbose > 0:
                print('\nEpoch %05d: ReduceLROnPlateau reducing learning rate to %s.'
                      % (epoch + 1, new_lr))
            self.cooldown_counter = self.cooldown
            self.wait = 0


class CSVLogger(Callback):
    """Callback that streams epoch results to a csv file.

    Supports all values that can be represented as a string,
    including 1D iterables such as np.ndarray.

    # Example
    ```python
        csv_logger = CSVLogger('training.log')
        model.fit(X_train, Y_train, callbacks=[csv_logger])
    ```

    # Arguments
        filename: filename of the csv file, e.g. 'run/log.csv'.
        separator: string used to separate elements in the csv file.
        append: True: append if file exists (useful for continuing
            training). False: overwrite existing file,
    """

    def __init__(self, filename, separator=',', append=False):
        super(CSVLogger, self).__init__()
        self.sep = separator
        self.filename = filename
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        mode = 'w'
        self.append_header = True
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as f:
                    self.append_header = not bool(len(f.readline()))
            mode = 'a'
        self.csv_file = open(self.filename, mode, newline='')

    @staticmethod
    def _format(value):
        """Lists and arrays as '[1, 2]' (quoted by csv); everything else unchanged."""
        is_sequence = isinstance(value, (list, tuple)) or (
            isinstance(value, np.ndarray) and value.ndim > 0)
        if is_sequence:
            return '[%s]' % ', '.join(map(str, value))
        return value

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs.keys())
        if self.model is not None and getattr(self.model, 'stop_training', False):
            # An interrupted epoch may lack the validation values: write NA for them.
            logs = dict((key, logs.get(key, 'NA')) for key in self.keys)
        if self.writer is None:
            self.writer = csv.DictWriter(self.csv_file, fieldnames=['epoch'] + self.keys,
                                         delimiter=self.sep, quoting=csv.QUOTE_MINIMAL,
                                         lineterminator='\n')
            if self.append_header:
                self.writer.writeheader()
        row = collections.OrderedDict({'epoch': epoch})
        row.update((key, self._format(logs[key])) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        self.csv_file.close()
        self.writer = None


class TerminateOnNaN(Callback):
    """Callback that terminates training when a NaN loss is encountered."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get('loss')
        if loss is not None and (np.isnan(loss) or np.isinf(loss)):
            print('Batch %d: Invalid loss, terminating training' % batch)
            self.model.stop_training = True


class LambdaCallback(Callback):
    r"""Callback for creating simple, custom callbacks on-the-fly.

    This callback is constructed with anonymous functions that will be called
    at the appropriate time. Note that the callbacks expects positional
    arguments, as:

     - `on_epoch_begin` and `on_epoch_end` expect two positional arguments:
        `epoch`, `logs`
     - `on_batch_begin` and `on_batch_end` expect two positional arguments:
        `batch`, `logs`
     - `on_train_begin` and `on_train_end` expect one positional argument:
        `logs`

    # Arguments
        on_epoch_begin: called at the beginning of every epoch.
        on_epoch_end: called at the end of every epoch.
        on_batch_begin: called at the beginning of every batch.
        on_batch_end: called at the end of every batch.
        on_train_begin: called at the beginning of model training.
        on_train_end: called at the end of model training.

    # Example
    ```python
        batch_print_callback = LambdaCallback(
            on_batch_begin=lambda batch, logs: print(batch))
    ```
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None,
                 on_batch_end=None, on_train_begin=None, on_train_end=None, **kwargs):
        super(LambdaCallback, self).__init__()
        self.__dict__.update(kwargs)
        two_arguments = lambda first, logs: None
        one_argument = lambda logs: None
        self.on_epoch_begin = on_epoch_begin or two_arguments
        self.on_epoch_end = on_epoch_end or two_arguments
        self.on_batch_begin = on_batch_begin or two_arguments
        self.on_batch_end = on_batch_end or two_arguments
        self.on_train_begin = on_train_begin or one_argument
        self.on_train_end = on_train_end or one_argument


class BackupAndRestore(Callback):
    """Callback to back up and restore the training state (tf.keras 2 `BackupAndRestore`).

    At the end of every epoch the model weights, the optimizer state and the epoch number are
    written to `backup_dir`. If training is interrupted, the next `fit` with the same callback
    restores them and continues from the epoch after the last completed one. When training
    finishes normally, the backup is deleted.

    # Arguments
        backup_dir: String, a folder used only by this callback to store the training state.

    # Example
    ```python
        callback = BackupAndRestore(backup_dir='/tmp/backup')
        model.fit(x, y, epochs=10, callbacks=[callback])  # interrupted at epoch 4
        model.fit(x, y, epochs=10, callbacks=[callback])  # runs epochs 5 to 10
    ```
    """

    _STATE_FILE = 'training_state.npz'

    def __init__(self, backup_dir):
        super(BackupAndRestore, self).__init__()
        if not backup_dir:
            raise ValueError('BackupAndRestore needs a backup_dir, got %r.' % (backup_dir,))
        self.backup_dir = backup_dir
        self.restored_epoch = None

    def _state_path(self):
        return os.path.join(self.backup_dir, self._STATE_FILE)

    @staticmethod
    def _optimizer_weights(optimizer):
        if optimizer is None or not hasattr(optimizer, 'get_weights'):
            return []
        return optimizer.get_weights()

    def on_train_begin(self, logs=None):
        self.restored_epoch = None
        path = self._state_path()
        if not os.path.exists(path):
            return
        with np.load(path) as state:
            model_weights = [state['model_%d' % i] for i in range(int(state['num_model']))]
            optimizer_weights = [state['optimizer_%d' % i]
                                 for i in range(int(state['num_optimizer']))]
            epoch = int(state['epoch'])
        self.model.set_weights(model_weights)
        optimizer = getattr(self.model, 'optimizer', None)
        if optimizer_weights and hasattr(optimizer, 'set_weights'):
            optimizer.set_weights(optimizer_weights)
        self.restored_epoch = epoch + 1

    def on_epoch_end(self, epoch, logs=None):
        os.makedirs(self.backup_dir, exist_ok=True)
        arrays = {'epoch': np.asarray(epoch)}
        model_weights = self.model.get_weights()
        optimizer_weights = self._optimizer_weights(getattr(self.model, 'optimizer', None))
        arrays['num_model'] = np.asarray(len(model_weights))
        arrays['num_optimizer'] = np.asarray(len(optimizer_weights))
        for i, value in enumerate(model_weights):
            arrays['model_%d' % i] = value
        for i, value in enumerate(optimizer_weights):
            arrays['optimizer_%d' % i] = value
        # Write then rename, so an interruption never leaves a half-written backup.
        temporary = os.path.join(self.backup_dir, 'partial_' + self._STATE_FILE)
        with open(temporary, 'wb') as f:
            np.savez(f, **arrays)
        os.replace(temporary, self._state_path())

    def on_train_end(self, logs=None):
        if os.path.isdir(self.backup_dir):
            shutil.rmtree(self.backup_dir)
        self.restored_epoch = None

