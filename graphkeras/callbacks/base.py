"""The callback protocol: `Callback`, the hooks it receives, `CallbackList` that fans them
out, and `LambdaCallback` built from plain functions."""


def metric_alias(name):
    """The other spelling of an accuracy key: Keras 2.2 logs 'acc', tf.keras 'accuracy'."""
    if name.endswith("accuracy"):
        return name[:-len("accuracy")] + "acc"
    if name.endswith("acc"):
        return name[:-len("acc")] + "accuracy"
    return None


class MetricLogs(dict):
    """Logs in which 'acc' and 'accuracy' (and 'val_acc' / 'val_accuracy') name one value.

    Keras 2.2 scripts read `history.history['acc']` or monitor 'val_acc'; tf.keras scripts use
    'accuracy'. The key stored is the string the user passed to `compile`; the other spelling
    reads the same entry.
    """

    def _alias(self, key):
        alias = metric_alias(key) if isinstance(key, str) else None
        return alias if alias is not None and dict.__contains__(self, alias) else None

    def __missing__(self, key):
        alias = self._alias(key)
        if alias is None:
            raise KeyError(key)
        return dict.__getitem__(self, alias)

    def __contains__(self, key):
        return dict.__contains__(self, key) or self._alias(key) is not None

    def get(self, key, default=None):
        return self[key] if key in self else default


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
        if args and isinstance(args[-1], dict) and not isinstance(args[-1], MetricLogs):
            args = args[:-1] + (MetricLogs(args[-1]),)
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
