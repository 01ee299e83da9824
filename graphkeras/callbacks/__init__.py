"""Callbacks: objects called at given stages of training (Keras 2.2's `keras.callbacks`).

`CallbackList` fans every event out; `fit` always adds `BaseLogger` (epoch averages), a
`ProgbarLogger` when verbose, and `History`. The rest are the user-facing callbacks.

base.py holds the protocol, logs.py the loggers, monitors.py the callbacks that steer
training, checkpoints.py the ones that save its state.
"""
from graphkeras.callbacks.base import Callback, CallbackList, LambdaCallback
from graphkeras.callbacks.checkpoints import BackupAndRestore, ModelCheckpoint
from graphkeras.callbacks.logs import (BaseLogger, CSVLogger, History, ProgbarLogger,
                                       RemoteMonitor)
from graphkeras.callbacks.monitors import (EarlyStopping, LearningRateScheduler,
                                           ReduceLROnPlateau, TerminateOnNaN)

__all__ = ['BackupAndRestore', 'BaseLogger', 'CSVLogger', 'Callback', 'CallbackList',
           'EarlyStopping', 'History', 'LambdaCallback', 'LearningRateScheduler',
           'ModelCheckpoint', 'ProgbarLogger', 'ReduceLROnPlateau', 'RemoteMonitor',
           'TerminateOnNaN']
