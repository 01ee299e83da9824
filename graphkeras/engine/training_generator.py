"""Training, evaluation and prediction from Python generators and `utils.Sequence`
(Keras 2.2's training_generator.py).

Batches come from an enqueuer (background threads, or processes with `use_multiprocessing`)
when `workers > 0`, else straight from the generator in the calling thread.
"""
import warnings

import numpy as np

from graphkeras.engine.training_arrays import configure_callbacks
from graphkeras.engine.training_utils import (is_generator_like, is_sequence,
                                              iter_sequence_infinite, should_run_validation,
                                              to_list, unpack_singleton)
from graphkeras.utils.data_utils import GeneratorEnqueuer, OrderedEnqueuer
from graphkeras.utils.progbar import Progbar

_WAIT_TIME = 0.01


def _warn_if_duplicating(generator, workers, use_multiprocessing):
    if not is_sequence(generator) and use_multiprocessing and workers > 1:
        warnings.warn(UserWarning('Using a generator with `use_multiprocessing=True` and '
                                  'multiple workers may duplicate your data. Please consider '
                                  'using the `keras.utils.Sequence class.'))


def _steps_for(generator, steps, steps_name):
    """`steps`, or the length of a Sequence; a plain generator must be given the steps."""
    if steps is not None:
        return steps
    if is_sequence(generator):
        return len(generator)
    raise ValueError('`%s=None` is only valid for a generator based on the '
                     '`keras.utils.Sequence` class. Please specify `%s` or use the '
                     '`keras.utils.Sequence` class.' % (steps_name, steps_name))


def _start_batches(generator, workers, max_queue_size, use_multiprocessing, shuffle=False):
    """An endless iterator of batches and the enqueuer to stop afterwards (or None)."""
    if workers > 0:
        if is_sequence(generator):
            enqueuer = OrderedEnqueuer(generator, use_multiprocessing=use_multiprocessing,
                                       shuffle=shuffle)
        else:
            enqueuer = GeneratorEnqueuer(generator, use_multiprocessing=use_multiprocessing,
                                         wait_time=_WAIT_TIME)
        enqueuer.start(workers=workers, max_queue_size=max_queue_size)
        return enqueuer.get(), enqueuer
    if is_sequence(generator):
        return iter_sequence_infinite(generator), None
    return generator, None


def _next_batch(batches, steps_done):
    """The next item of the generator, with a clear error if it ran out early."""
    try:
        return next(batches)
    except StopIteration:
        raise ValueError('The generator stopped after %d batches, before the requested number '
                         'of steps. Make the generator loop forever or pass fewer steps.'
                         % steps_done)


def unpack_generator_output(output, allow_x_only=False):
    """`(x, y, sample_weight)` from a generator item `(x, y)` or `(x, y, sample_weight)`."""
    if isinstance(output, tuple):
        if len(output) == 2:
            return output[0], output[1], None
        if len(output) == 3:
            return output
    if allow_x_only:
        return output, None, None
    raise ValueError('Output of generator should be a tuple `(x, y, sample_weight)` or '
                     '`(x, y)`. Found: ' + str(output)[:200])


def batch_size_of(x):
    """Number of samples in a batch given as an array, a list or a dict of arrays."""
    if x is None or len(x) == 0:
        return 1
    if isinstance(x, list):
        return x[0].shape[0]
    if isinstance(x, dict):
        return list(x.values())[0].shape[0]
    return x.shape[0]


def _validation_source(validation_data, validation_steps, workers, max_queue_size,
                       use_multiprocessing):
    """Prepares validation: (batches, enqueuer, steps) for a generator, or arrays `(x, y, w)`."""
    if is_generator_like(validation_data):
        if not is_sequence(validation_data) and not validation_steps:
            raise ValueError('`validation_steps=None` is only valid for a generator based on '
                             'the `keras.utils.Sequence` class. Please specify '
                             '`validation_steps` or use the `keras.utils.Sequence` class.')
        steps = _steps_for(validation_data, validation_steps, 'validation_steps')
        batches, enqueuer = _start_batches(validation_data, workers, max_queue_size,
                                           use_multiprocessing)
        return (batches, enqueuer, steps), None
    if len(validation_data) not in (2, 3):
        raise ValueError('`validation_data` should be a tuple `(val_x, val_y, '
                         'val_sample_weight)` or `(val_x, val_y)`. Found: '
                         + str(validation_data)[:200])
    val_x, val_y = validation_data[0], validation_data[1]
    val_sample_weight = validation_data[2] if len(validation_data) == 3 else None
    return None, (val_x, val_y, val_sample_weight)


def fit_generator(model, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                  validation_data=None, validation_steps=None, validation_freq=1,
                  class_weight=None, max_queue_size=10, workers=1, use_multiprocessing=False,
                  shuffle=True, initial_epoch=0):
    """See docstring for `Model.fit_generator`."""
    do_validation = bool(validation_data is not None)
    model._make_train_function()
    if do_validation:
        model._make_test_function()
    _warn_if_duplicating(generator, workers, use_multiprocessing)
    steps_per_epoch = _steps_for(generator, steps_per_epoch, 'steps_per_epoch')

    out_labels = model.metrics_names
    params = {'epochs': epochs, 'steps': steps_per_epoch, 'verbose': verbose,
              'do_validation': do_validation,
              'metrics': out_labels + ['val_' + name for name in out_labels]}
    callbacks, callback_model = configure_callbacks(model, callbacks, params, verbose, 'steps')
    callbacks.on_train_begin()
    initial_epoch = callbacks.resume_epoch(initial_epoch)

    enqueuer = None
    validation_generator = None
    try:
        validation_arrays = None
        if do_validation:
            validation_generator, validation_arrays = _validation_source(
                validation_data, validation_steps, workers, max_queue_size,
                use_multiprocessing)
            if validation_arrays is not None:
                val_x, val_y, val_w = model._standardize_user_data(*validation_arrays)
                for callback in callbacks:
                    callback.validation_data = model._function_inputs(val_x, val_y, val_w, 0)
        batches, enqueuer = _start_batches(generator, workers, max_queue_size,
                                           use_multiprocessing, shuffle=shuffle)
        callback_model.stop_training = False
        for epoch in range(initial_epoch, epochs):
            model.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            epoch_logs = {}
            last_batch_size = _train_generator_epoch(model, batches, steps_per_epoch,
                                                     class_weight, out_labels, callbacks,
                                                     callback_model)
            if do_validation and not callback_model.stop_training \
                    and should_run_validation(validation_freq, epoch):
                if validation_generator is not None:
                    val_batches, _, val_steps = validation_generator
                    val_outs = evaluate_generator(model, val_batches, val_steps, workers=0)
                else:
                    val_outs = model.evaluate(val_x, val_y, batch_size=last_batch_size,
                                              sample_weight=val_w, verbose=0)
                for label, value in zip(out_labels, to_list(val_outs)):
                    epoch_logs['val_' + label] = value
            callbacks.on_epoch_end(epoch, epoch_logs)
            if callback_model.stop_training:
                break
    finally:
        if enqueuer is not None:
            enqueuer.stop()
        if validation_generator is not None and validation_generator[1] is not None:
            validation_generator[1].stop()
    callbacks.on_train_end()
    return model.history


def _train_generator_epoch(model, batches, steps_per_epoch, class_weight, out_labels,
                           callbacks, callback_model):
    """Trains on `steps_per_epoch` batches; returns the size of the last batch."""
    batch_size = None
    for batch_index in range(steps_per_epoch):
        x, y, sample_weight = unpack_generator_output(_next_batch(batches, batch_index))
        batch_size = batch_size_of(x)
        batch_logs = {'batch': batch_index, 'size': batch_size}
        callbacks.on_batch_begin(batch_index, batch_logs)
        outs = model.train_on_batch(x, y, sample_weight=sample_weight,
                                    class_weight=class_weight, reset_metrics=False)
        for label, value in zip(out_labels, to_list(outs)):
            batch_logs[label] = value
        callbacks.on_batch_end(batch_index, batch_logs)
        if callback_model.stop_training:
            break
    return batch_size


def evaluate_generator(model, generator, steps=None, max_queue_size=10, workers=1,
                       use_multiprocessing=False, verbose=0):
    """See docstring for `Model.evaluate_generator`."""
    model._make_test_function()
    model.reset_metrics()
    stateful_names = set(model.stateful_metric_names)
    stateful = [i for i, name in enumerate(model.metrics_names) if name in stateful_names]
    _warn_if_duplicating(generator, workers, use_multiprocessing)
    steps = _steps_for(generator, steps, 'steps')

    outs_per_batch = []
    batch_sizes = []
    batches, enqueuer = _start_batches(generator, workers, max_queue_size, use_multiprocessing)
    try:
        progbar = Progbar(target=steps) if verbose == 1 else None
        for step in range(steps):
            x, y, sample_weight = unpack_generator_output(_next_batch(batches, step))
            outs = model.test_on_batch(x, y, sample_weight=sample_weight, reset_metrics=False)
            batch_size = batch_size_of(x)
            if batch_size == 0:
                raise ValueError('Received an empty batch. Batches should contain at least '
                                 'one item.')
            outs_per_batch.append(to_list(outs))
            batch_sizes.append(batch_size)
            if progbar is not None:
                progbar.update(step + 1)
    finally:
        if enqueuer is not None:
            enqueuer.stop()

    averages = []
    for i in range(len(outs_per_batch[0])):
        if i in stateful:
            averages.append(np.float64(outs_per_batch[-1][i]))
        else:
            values = [out[i] for out in outs_per_batch]
            averages.append(np.average(values, weights=batch_sizes))
    return unpack_singleton(averages)


def predict_generator(model, generator, steps=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, verbose=0):
    """See docstring for `Model.predict_generator`."""
    model._make_predict_function()
    _warn_if_duplicating(generator, workers, use_multiprocessing)
    steps = _steps_for(generator, steps, 'steps')

    all_outs = []
    batches, enqueuer = _start_batches(generator, workers, max_queue_size, use_multiprocessing)
    try:
        progbar = Progbar(target=steps) if verbose == 1 else None
        for step in range(steps):
            x, _, _ = unpack_generator_output(_next_batch(batches, step), allow_x_only=True)
            outs = to_list(model.predict_on_batch(x))
            if not all_outs:
                all_outs = [[] for _ in outs]
            for i, out in enumerate(outs):
                all_outs[i].append(out)
            if progbar is not None:
                progbar.update(step + 1)
    finally:
        if enqueuer is not None:
            enqueuer.stop()
    if steps == 1:
        return unpack_singleton([parts[0] for parts in all_outs])
    return unpack_singleton([np.concatenate(parts) for parts in all_outs])
