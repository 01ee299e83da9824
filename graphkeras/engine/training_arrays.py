"""The training, evaluation and prediction loops over arrays (Keras 2.2's training_arrays.py).

Each loop slices the fed arrays into batches and calls a `K.function` built once by the model;
`ins` is the list of arrays in the function's input order, with the learning phase last.
"""
import numpy as np

from graphkeras import callbacks as cbks
from graphkeras.engine.training_utils import (batch_shuffle, check_num_samples, make_batches,
                                              should_run_validation, slice_arrays, to_list,
                                              unpack_singleton)
from graphkeras.utils.progbar import Progbar


def _slice_inputs(ins, batch_ids):
    """The batch `batch_ids` of every array in `ins`; a trailing float learning phase stays."""
    if ins and isinstance(ins[-1], (int, float)):
        return slice_arrays(ins[:-1], batch_ids) + [ins[-1]]
    return slice_arrays(ins, batch_ids)


def configure_callbacks(model, callbacks, params, verbose, count_mode):
    """The CallbackList of `fit`: BaseLogger, ProgbarLogger if verbose, the user's, History."""
    stateful_names = model.stateful_metric_names
    callback_list = [cbks.BaseLogger(stateful_metrics=stateful_names)]
    if verbose:
        callback_list.append(cbks.ProgbarLogger(count_mode, stateful_metrics=stateful_names))
    model.history = cbks.History()
    callback_list += list(callbacks or []) + [model.history]
    callback_list = cbks.CallbackList(callback_list)
    # Keras 2.2 lets a model name another one (`callback_model`) for callbacks to act on.
    callback_model = getattr(model, 'callback_model', None) or model
    callback_list.set_model(callback_model)
    callback_list.set_params(params)
    return callback_list, callback_model


def _check_validation_arguments(do_validation, steps_per_epoch, validation_steps):
    if validation_steps and steps_per_epoch is None:
        raise ValueError('Can only use `validation_steps` when doing step-wise training, i.e. '
                         '`steps_per_epoch` must be set.')
    if do_validation and steps_per_epoch and not validation_steps:
        raise ValueError('Must specify `validation_steps` to perform validation when doing '
                         'step-wise training.')


def _run_train_batch(f, ins_batch, out_labels, callbacks, batch_index, size):
    """Runs one training batch between its callbacks; returns the batch logs."""
    batch_logs = {'batch': batch_index, 'size': size}
    callbacks.on_batch_begin(batch_index, batch_logs)
    outs = to_list(f(ins_batch))
    for label, value in zip(out_labels, outs):
        batch_logs[label] = value
    callbacks.on_batch_end(batch_index, batch_logs)
    return batch_logs


def _train_epoch(f, ins, out_labels, callbacks, callback_model, batch_size,
                 steps_per_epoch, shuffle, index_array):
    """Runs the batches of one epoch; stops early when a callback sets `stop_training`."""
    if steps_per_epoch is not None:
        for step in range(steps_per_epoch):
            _run_train_batch(f, ins, out_labels, callbacks, step, 1)
            if callback_model.stop_training:
                return
        return
    if shuffle == 'batch':
        index_array = batch_shuffle(index_array, batch_size)
    elif shuffle:
        np.random.shuffle(index_array)
    for batch_index, (start, end) in enumerate(make_batches(len(index_array), batch_size)):
        batch_ids = index_array[start:end]
        try:
            ins_batch = _slice_inputs(ins, batch_ids)
        except TypeError:
            raise TypeError('TypeError while preparing batch. If using HDF5 input data, pass '
                            'shuffle="batch".')
        _run_train_batch(f, ins_batch, out_labels, callbacks, batch_index, len(batch_ids))
        if callback_model.stop_training:
            return


def fit_loop(model, f, ins, out_labels=None, batch_size=None, epochs=100, verbose=1,
             callbacks=None, val_f=None, val_ins=None, shuffle=True, callback_metrics=None,
             initial_epoch=0, steps_per_epoch=None, validation_steps=None, validation_freq=1):
    """Abstract fit function for `f(ins)`.

    Assumes that f returns a list, labeled by out_labels.

    # Arguments
        model: Keras model instance.
        f: Keras function returning a list of tensors
        ins: List of tensors to be fed to `f`
        out_labels: List of strings, display names of the outputs of `f`
        batch_size: Integer batch size or None if unknown.
        epochs: Number of times to iterate over the data
        verbose: Verbosity mode, 0, 1 or 2
        callbacks: List of callbacks to be called during training
        val_f: Keras function to call for validation
        val_ins: List of tensors to be fed to `val_f`
        shuffle: Whether to shuffle the data at the beginning of each epoch, or 'batch'.
        callback_metrics: List of strings, the display names of the metrics
            passed to the callbacks. They should be the
            concatenation of list the display names of the outputs of
             `f` and the list of display names of the outputs of `f_val`.
        initial_epoch: Epoch at which to start training
            (useful for resuming a previous training run)
        steps_per_epoch: Total number of steps (batches of samples)
            before declaring one epoch finished and starting the
            next epoch. Ignored with the default value of `None`.
        validation_steps: Number of steps to run validation for
            (only if doing validation from data tensors).
            Ignored with the default value of `None`.
        validation_freq: Integer (validate every that many epochs) or list of the 1-based
            epochs after which to validate.

    # Returns
        `History` object.
    """
    do_validation = bool(val_f and val_ins)
    if do_validation and verbose and ins and hasattr(ins[0], 'shape') \
            and hasattr(val_ins[0], 'shape'):
        print('Train on %d samples, validate on %d samples'
              % (ins[0].shape[0], val_ins[0].shape[0]))
    if validation_steps:
        do_validation = True
    _check_validation_arguments(do_validation, steps_per_epoch, validation_steps)

    num_train_samples = check_num_samples(ins, batch_size=batch_size, steps=steps_per_epoch,
                                          steps_name='steps_per_epoch')
    index_array = np.arange(num_train_samples) if num_train_samples is not None else None

    params = {'batch_size': batch_size, 'epochs': epochs, 'steps': steps_per_epoch,
              'samples': num_train_samples, 'verbose': verbose,
              'do_validation': do_validation, 'metrics': callback_metrics or []}
    count_mode = 'steps' if steps_per_epoch is not None else 'samples'
    callbacks, callback_model = configure_callbacks(model, callbacks, params, verbose,
                                                    count_mode)
    out_labels = out_labels or []
    callbacks.on_train_begin()
    initial_epoch = callbacks.resume_epoch(initial_epoch)
    callback_model.stop_training = False
    for callback in callbacks:
        callback.validation_data = val_ins

    for epoch in range(initial_epoch, epochs):
        model.reset_metrics()
        callbacks.on_epoch_begin(epoch)
        epoch_logs = {}
        _train_epoch(f, ins, out_labels, callbacks, callback_model, batch_size,
                     steps_per_epoch, shuffle, index_array)
        if do_validation and not callback_model.stop_training \
                and should_run_validation(validation_freq, epoch):
            val_outs = test_loop(model, val_f, val_ins, batch_size=batch_size,
                                 steps=validation_steps, verbose=0)
            for label, value in zip(out_labels, to_list(val_outs)):
                epoch_logs['val_' + label] = value
        callbacks.on_epoch_end(epoch, epoch_logs)
        if callback_model.stop_training:
            break
    callbacks.on_train_end()
    return model.history


def predict_loop(model, f, ins, batch_size=32, verbose=0, steps=None, callbacks=None):
    """Abstract method to loop over some data in batches.

    # Arguments
        model: Keras model instance.
        f: Keras function returning a list of tensors.
        ins: list of tensors to be fed to `f`.
        batch_size: integer batch size.
        verbose: verbosity mode.
        steps: Total number of steps (batches of samples)
            before declaring `predict_loop` finished.
            Ignored with the default value of `None`.
        callbacks: a `CallbackList` receiving the predict hooks, or None.

    # Returns
        Array of predictions (if the model has a single output)
        or list of arrays of predictions
        (if the model has multiple outputs).
    """
    callbacks = callbacks or cbks.CallbackList()
    num_samples = check_num_samples(ins, batch_size=batch_size, steps=steps,
                                    steps_name='steps')
    progbar = Progbar(target=steps if steps is not None else num_samples) \
        if verbose == 1 else None
    callbacks.on_predict_begin()
    if steps is not None:
        # Each step returns a batch: concatenate them at the end.
        unconcatenated = []
        for step in range(steps):
            callbacks.on_predict_batch_begin(step, {'batch': step, 'size': 1})
            batch_outs = to_list(f(ins))
            callbacks.on_predict_batch_end(step, {'batch': step, 'size': 1,
                                                  'outputs': batch_outs})
            if step == 0:
                unconcatenated = [[] for _ in batch_outs]
            for i, batch_out in enumerate(batch_outs):
                unconcatenated[i].append(batch_out)
            if progbar is not None:
                progbar.update(step + 1)
        callbacks.on_predict_end()
        return unpack_singleton([np.concatenate(parts, axis=0) for parts in unconcatenated])

    outs = []
    for batch_index, (start, end) in enumerate(make_batches(num_samples, batch_size)):
        ins_batch = _slice_inputs(ins, np.arange(start, end))
        batch_logs = {'batch': batch_index, 'size': end - start}
        callbacks.on_predict_batch_begin(batch_index, batch_logs)
        batch_outs = to_list(f(ins_batch))
        batch_logs['outputs'] = batch_outs
        callbacks.on_predict_batch_end(batch_index, batch_logs)
        if batch_index == 0:
            # Pre-allocate the results arrays.
            outs = [np.zeros((num_samples,) + batch_out.shape[1:], dtype=batch_out.dtype)
                    for batch_out in batch_outs]
        for i, batch_out in enumerate(batch_outs):
            outs[i][start:end] = batch_out
        if progbar is not None:
            progbar.update(end)
    callbacks.on_predict_end()
    return unpack_singleton(outs)


def _stateful_indices(model):
    """Positions in `metrics_names` of metrics whose value is a running state (not averaged)."""
    names = set(model.stateful_metric_names)
    return [i for i, name in enumerate(model.metrics_names) if str(name) in names]


def test_loop(model, f, ins, batch_size=None, verbose=0, steps=None, callbacks=None):
    """Abstract method to loop over some data in batches.

    # Arguments
        model: Keras model instance.
        f: Keras function returning a list of tensors.
        ins: list of tensors to be fed to `f`.
        batch_size: integer batch size or `None`.
        verbose: verbosity mode.
        steps: Total number of steps (batches of samples)
            before declaring predictions finished.
            Ignored with the default value of `None`.
        callbacks: a `CallbackList` receiving the test hooks, or None.

    # Returns
        Scalar loss (if the model has a single output and no metrics)
        or list of scalars (if the model has multiple outputs
        and/or metrics). The attribute `model.metrics_names` will give you
        the display labels for the scalar outputs.
    """
    callbacks = callbacks or cbks.CallbackList()
    model.reset_metrics()
    stateful = _stateful_indices(model)
    num_samples = check_num_samples(ins, batch_size=batch_size, steps=steps,
                                    steps_name='steps')
    if steps is not None:
        batches = [(None, None)] * steps
    else:
        batches = make_batches(num_samples, batch_size)
    progbar = Progbar(target=len(batches) if steps is not None else num_samples) \
        if verbose == 1 else None

    callbacks.on_test_begin()
    totals = []
    for batch_index, (start, end) in enumerate(batches):
        if steps is not None:
            ins_batch, size = ins, 1
        else:
            ins_batch, size = _slice_inputs(ins, np.arange(start, end)), end - start
        batch_logs = {'batch': batch_index, 'size': size}
        callbacks.on_test_batch_begin(batch_index, batch_logs)
        batch_outs = to_list(f(ins_batch))
        if batch_index == 0:
            totals = [0.] * len(batch_outs)
        for i, batch_out in enumerate(batch_outs):
            if i in stateful:
                totals[i] = float(batch_out)
            else:
                totals[i] += batch_out * size
        for label, value in zip(model.metrics_names, batch_outs):
            batch_logs[label] = value
        callbacks.on_test_batch_end(batch_index, batch_logs)
        if progbar is not None:
            progbar.update(batch_index + 1 if steps is not None else end)
    count = steps if steps is not None else num_samples
    for i in range(len(totals)):
        if i not in stateful:
            totals[i] /= count
    callbacks.on_test_end()
    return unpack_singleton(totals)

