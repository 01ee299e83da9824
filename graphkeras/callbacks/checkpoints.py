"""Callbacks that save the training state: ModelCheckpoint (the model or its weights after
an epoch) and BackupAndRestore (resume an interrupted `fit`)."""
import os
import shutil
import warnings

import numpy as np

from graphkeras.callbacks.base import Callback
from graphkeras.callbacks.monitors import monitor_op


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
        self.monitor_op = monitor_op(mode, monitor, 'ModelCheckpoint')
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
