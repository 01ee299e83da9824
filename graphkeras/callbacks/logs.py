"""Callbacks that record or report the logs: BaseLogger (epoch averages), ProgbarLogger,
History, CSVLogger and RemoteMonitor."""
import collections
import csv
import json
import os
import warnings

import numpy as np

from graphkeras.callbacks.base import Callback, MetricLogs
from graphkeras.utils.progbar import Progbar


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
        self.history = MetricLogs()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epoch.append(epoch)
        for name, value in logs.items():
            self.history.setdefault(name, []).append(value)


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
            # Keras 2.2.4 writes with the csv 'excel' dialect: '\r\n' ends every line.
            self.writer = csv.DictWriter(self.csv_file, fieldnames=['epoch'] + self.keys,
                                         delimiter=self.sep, quoting=csv.QUOTE_MINIMAL,
                                         lineterminator='\r\n')
            if self.append_header:
                self.writer.writeheader()
        row = collections.OrderedDict({'epoch': epoch})
        row.update((key, self._format(logs[key])) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        self.csv_file.close()
        self.writer = None


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
        import urllib.parse  # lazy: only RemoteMonitor needs urllib
        import urllib.request
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
        import urllib.request
        try:
            with urllib.request.urlopen(self._request(payload), timeout=10) as response:
                response.read()
        except OSError:  # urllib's URLError is an OSError
            warnings.warn('Warning: could not reach RemoteMonitor root server at '
                          + str(self.root))
