"""The trainable Keras model: `compile`, `fit`, `evaluate`, `predict` and their batch forms.

`Model` is a `Network` (the layer graph, written in engine/network.py) plus the training
configuration. `compile` builds the symbolic total loss and metrics; the train, test and
predict `K.function`s are built once, on first use, and reused. The array loops live in
training_arrays.py, the generator loops in training_generator.py and the data checks in
training_utils.py.

Metric names in logs and `metrics_names` are tf.keras 2's: the string the user passed
(`metrics=['accuracy']` logs `accuracy`, `metrics=['acc']` logs `acc`), a function's
`__name__`, or a metric object's `name`; with several outputs the output name is prefixed
(`main_output_accuracy`), and `weighted_metrics` get the prefix `weighted_`.
"""
import warnings

import numpy as np

from graphkeras import backend as K
from graphkeras import losses as losses_module
from graphkeras import metrics as metrics_module
from graphkeras import optimizers
from graphkeras.engine import training_arrays, training_generator
from graphkeras.engine.network import Network
from graphkeras.engine.training_utils import (check_array_length_consistency,
                                              check_loss_and_target_compatibility,
                                              collect_metrics, is_generator_like,
                                              slice_arrays, standardize_class_weights,
                                              standardize_input_data,
                                              standardize_sample_weights, standardize_weights,
                                              to_list, unpack_singleton,
                                              weighted_masked_objective)

# The strings that pick an accuracy or crossentropy metric matching the output and loss.
_ACCURACY_NAMES = ('accuracy', 'acc')
_CROSSENTROPY_NAMES = ('crossentropy', 'ce')


def _loss_function_name(loss):
    """The Keras 2 function name behind a loss function or loss object, or None."""
    fn = getattr(loss, 'fn', loss)
    return getattr(fn, '__name__', None)


def _per_sample_loss(loss):
    """A function `(y_true, y_pred) -> per-sample losses` for a loss function or object.

    Loss objects reduce in `__call__`; the engine weights and averages itself (Keras 2.2
    rules), so it uses their unreduced `call`.
    """
    if isinstance(loss, losses_module.Loss):
        return loss.call
    return loss


def _expected_target_shape(output_shape, loss):
    """The target shape a built-in loss needs: the output's, or `(..., 1)` for sparse labels;
    None for a custom loss, which may take targets of any shape."""
    name = _loss_function_name(loss)
    if name == 'sparse_categorical_crossentropy':
        return tuple(output_shape[:-1]) + (1,)
    if isinstance(loss, losses_module.Loss) or getattr(losses_module, name or '', None) is loss:
        return tuple(output_shape)
    return None


def _is_stateful_metric(metric):
    return hasattr(metric, 'reset_states')


def _metric_display_name(metric, metric_fn):
    """The log key of a metric: the user's string, else the object's name or function name."""
    if isinstance(metric, str):
        return metric
    if hasattr(metric_fn, 'name'):
        return metric_fn.name
    return metric_fn.__name__


class Model(Network):
    """The `Model` class adds training & evaluation routines to a `Network`."""

    # ------------------------------------------------------------------------------------------
    # compile

    def compile(self, optimizer, loss=None, metrics=None, loss_weights=None,
                sample_weight_mode=None, weighted_metrics=None, target_tensors=None,
                **kwargs):
        """Configures the model for training.

        # Arguments
            optimizer: String (name of optimizer) or optimizer instance.
                See [optimizers](/optimizers).
            loss: String (name of objective function), objective function or `Loss`
                instance. If the model has multiple outputs, you can use a different loss
                on each output by passing a dictionary or a list of losses. The loss value
                that will be minimized by the model will then be the sum of all individual
                losses.
            metrics: List of metrics to be evaluated by the model during training and
                testing. Typically you will use `metrics=['accuracy']`. To specify different
                metrics for different outputs of a multi-output model, you could also pass
                a dictionary, such as `metrics={'output_a': 'accuracy'}`.
            loss_weights: Optional list or dictionary specifying scalar coefficients
                (Python floats) to weight the loss contributions of different model outputs.
                The loss value that will be minimized by the model will then be the
                *weighted sum* of all individual losses, weighted by the `loss_weights`
                coefficients. If a list, it is expected to have a 1:1 mapping to the
                model's outputs. If a dict, it is expected to map output names (strings) to
                scalar coefficients.
            sample_weight_mode: If you need to do timestep-wise sample weighting (2D
                weights), set this to `"temporal"`. `None` defaults to sample-wise weights
                (1D). If the model has multiple outputs, you can use a different
                `sample_weight_mode` on each output by passing a dictionary or a list of
                modes.
            weighted_metrics: List of metrics to be evaluated and weighted by sample_weight
                or class_weight during training and testing.
            target_tensors: Not supported: graphkeras feeds targets as arrays.
            **kwargs: Accepted for Keras 2.2 compatibility and ignored when they are
                session arguments; anything else is an error.

        # Raises
            ValueError: In case of invalid arguments for
                `optimizer`, `loss`, `metrics` or `sample_weight_mode`.
        """
        if target_tensors is not None:
            raise ValueError('graphkeras does not support `target_tensors`; pass the targets '
                             'as arrays to fit/evaluate instead.')
        unknown = set(kwargs) - {'options', 'run_metadata', 'run_eagerly', 'steps_per_execution',
                                 'jit_compile'}
        if unknown:
            raise TypeError('Invalid keyword argument(s) in `compile`: %s' % sorted(unknown))
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss or {}
        self.metrics = metrics or []
        self.weighted_metrics = weighted_metrics
        self.loss_weights = loss_weights
        self.sample_weight_mode = sample_weight_mode
        self.train_function = None
        self.test_function = None
        self.predict_function = None
        if not self.outputs:
            # A Sequential model without an input shape, or a subclassed model, learns its
            # inputs from the first data it gets: compile then (Keras 2.2 does the same).
            self._pending_compile = dict(optimizer=self.optimizer, loss=loss, metrics=metrics,
                                         loss_weights=loss_weights,
                                         sample_weight_mode=sample_weight_mode,
                                         weighted_metrics=weighted_metrics)
            return
        self._pending_compile = None

        output_names = self.output_names
        self.loss_functions = self._prepare_loss_functions(loss, output_names)
        self._skip_outputs = [i for i, fn in enumerate(self.loss_functions) if fn is None]
        weights = self._prepare_loss_weights(loss_weights, output_names)
        modes = self._prepare_sample_weight_modes(sample_weight_mode, output_names)
        masks = self._output_masks()

        self._create_target_feeds(modes)

        self.metrics_names = ['loss']
        self.metrics_tensors = []
        self.metrics_updates = []
        self.stateful_metric_names = []
        self.stateful_metric_functions = []
        self.total_loss = self._build_total_loss(weights, masks)
        self._build_metrics(masks)
        self._collected_trainable_weights = self.trainable_weights
        self._is_compiled = True

    def _create_target_feeds(self, sample_weight_modes):
        """A target and a sample-weight placeholder per trained output, and the `_feed_*`
        lists that describe them (outputs without a loss get None and no feed)."""
        self.targets = []
        self.sample_weights = []
        self._feed_targets = []
        self._feed_sample_weights = []
        self._feed_output_names = []
        self._feed_output_shapes = []
        self._feed_loss_fns = []
        self._feed_sample_weight_modes = []
        for i, (output, name) in enumerate(zip(self.outputs, self.output_names)):
            if i in self._skip_outputs:
                self.targets.append(None)
                self.sample_weights.append(None)
                continue
            target_shape = _expected_target_shape(K.int_shape(output), self.loss_functions[i])
            if target_shape is None:
                target = K.placeholder(ndim=len(K.int_shape(output)), name=name + '_target',
                                       dtype=K.dtype(output))
            else:
                target = K.placeholder(shape=(None,) + tuple(target_shape[1:]),
                                       name=name + '_target', dtype=K.dtype(output))
            weight_ndim = 2 if sample_weight_modes[i] == 'temporal' else 1
            sample_weight = K.placeholder(ndim=weight_ndim, name=name + '_sample_weights')
            self.targets.append(target)
            self.sample_weights.append(sample_weight)
            self._feed_targets.append(target)
            self._feed_sample_weights.append(sample_weight)
            self._feed_output_names.append(name)
            self._feed_output_shapes.append(K.int_shape(output))
            self._feed_loss_fns.append(self.loss_functions[i])
            self._feed_sample_weight_modes.append(sample_weight_modes[i])

    def _prepare_loss_functions(self, loss, output_names):
        """One loss per output (None for outputs that are not trained)."""
        if isinstance(loss, dict):
            unknown = sorted(set(loss) - set(output_names))
            if unknown:
                raise ValueError('Unknown entry in loss dictionary: %s. Only expected the '
                                 'following keys: %s' % (unknown, output_names))
            loss_functions = []
            for name in output_names:
                if name not in loss:
                    warnings.warn('Output "%s" missing from loss dictionary. We assume this '
                                  'was done on purpose, and we will not be expecting any data '
                                  'to be passed to "%s" during training.' % (name, name))
                loss_functions.append(losses_module.get(loss.get(name)))
        elif isinstance(loss, (list, tuple)):
            if len(loss) != len(output_names):
                raise ValueError('When passing a list as loss, it should have one entry per '
                                 'model outputs. The model has %d outputs (%s), but you passed '
                                 'loss=%s' % (len(output_names), output_names, loss))
            loss_functions = [losses_module.get(entry) for entry in loss]
        elif loss is None or loss == {}:
            raise ValueError('`compile` needs a loss: pass `loss=` a name, a function or a '
                             'Loss instance (or a list/dict with one per output).')
        else:
            loss_functions = [losses_module.get(loss) for _ in output_names]
        if all(fn is None for fn in loss_functions):
            raise ValueError('The model cannot be compiled because it has no loss to '
                             'optimize.')
        return loss_functions

    def _prepare_loss_weights(self, loss_weights, output_names):
        if loss_weights is None:
            return [1. for _ in output_names]
        if isinstance(loss_weights, dict):
            unknown = sorted(set(loss_weights) - set(output_names))
            if unknown:
                raise ValueError('Unknown entry in loss_weights dictionary: %s. Only expected '
                                 'the following keys: %s' % (unknown, output_names))
            return [loss_weights.get(name, 1.) for name in output_names]
        if isinstance(loss_weights, (list, tuple)):
            if len(loss_weights) != len(output_names):
                raise ValueError('When passing a list as loss_weights, it should have one '
                                 'entry per model output. The model has %d outputs, but you '
                                 'passed loss_weights=%s' % (len(output_names), loss_weights))
            return list(loss_weights)
        raise TypeError('Could not interpret loss_weights argument: %s - expected a list of '
                        'dicts.' % (loss_weights,))

    def _prepare_sample_weight_modes(self, sample_weight_mode, output_names):
        if isinstance(sample_weight_mode, dict):
            unknown = sorted(set(sample_weight_mode) - set(output_names))
            if unknown:
                raise ValueError('Unknown entry in sample_weight_mode dictionary: %s. Only '
                                 'expected the following keys: %s' % (unknown, output_names))
            return [sample_weight_mode.get(name) for name in output_names]
        if isinstance(sample_weight_mode, (list, tuple)):
            if len(sample_weight_mode) != len(output_names):
                raise ValueError('When passing a list as sample_weight_mode, it should have '
                                 'one entry per model output. The model has %d outputs, but '
                                 'you passed sample_weight_mode=%s'
                                 % (len(output_names), sample_weight_mode))
            return list(sample_weight_mode)
        if sample_weight_mode not in (None, 'temporal'):
            raise ValueError('"sample_weight_mode" should be None or "temporal". Found: '
                             + str(sample_weight_mode))
        return [sample_weight_mode for _ in output_names]

    def _output_masks(self):
        """The mask of each output (None where the output is not masked)."""
        masks = [getattr(output, '_keras_mask', None) for output in self.outputs]
        if any(mask is not None for mask in masks):
            return masks
        try:
            computed = self.compute_mask(self.inputs, mask=None)
        except (AttributeError, NotImplementedError, TypeError, ValueError):
            computed = None
        if computed is None:
            return [None for _ in self.outputs]
        return to_list(computed)

    def _build_total_loss(self, loss_weights, masks):
        """sum_i loss_weight_i * weighted mean loss_i + sum of the layers' losses."""
        total_loss = None
        several_outputs = len(self.outputs) > 1
        for i, output in enumerate(self.outputs):
            if i in self._skip_outputs:
                continue
            objective = weighted_masked_objective(_per_sample_loss(self.loss_functions[i]))
            output_loss = objective(self.targets[i], output, self.sample_weights[i], masks[i])
            if several_outputs:
                self.metrics_tensors.append(output_loss)
                self.metrics_names.append(self.output_names[i] + '_loss')
            term = output_loss if loss_weights[i] == 1 else loss_weights[i] * output_loss
            total_loss = term if total_loss is None else total_loss + term
        for regularization_loss in self.losses:
            total_loss = total_loss + regularization_loss
        return total_loss

    def _build_metrics(self, masks):
        """Adds every metric tensor of every output to `metrics_names` / `metrics_tensors`."""
        nested = collect_metrics(self.metrics, self.output_names)
        nested_weighted = collect_metrics(self.weighted_metrics, self.output_names)
        for i in range(len(self.outputs)):
            if i in self._skip_outputs:
                continue
            self._add_output_metrics(i, nested[i], masks[i], weights=None)
            self._add_output_metrics(i, nested_weighted[i], masks[i],
                                     weights=self.sample_weights[i])

    def _resolve_metric(self, i, metric):
        """The metric function for `metric` on output `i`; 'accuracy' / 'crossentropy' pick
        the binary, sparse or categorical form from the output shape and the loss."""
        if metric not in _ACCURACY_NAMES + _CROSSENTROPY_NAMES:
            return metrics_module.get(metric)
        loss_name = _loss_function_name(self.loss_functions[i])
        output_shape = K.int_shape(self.outputs[i])
        if output_shape[-1] == 1 or loss_name == 'binary_crossentropy':
            kind = 'binary'
        elif loss_name == 'sparse_categorical_crossentropy':
            kind = 'sparse_categorical'
        else:
            kind = 'categorical'
        suffix = 'accuracy' if metric in _ACCURACY_NAMES else 'crossentropy'
        if kind == 'sparse_categorical' or suffix == 'accuracy':
            return getattr(metrics_module, kind + '_' + suffix)
        return getattr(losses_module, kind + '_' + suffix)

    def _add_output_metrics(self, i, output_metrics, mask, weights):
        prefix = 'weighted_' if weights is not None else ''
        for metric in output_metrics:
            metric_fn = self._resolve_metric(i, metric)
            name = prefix + _metric_display_name(metric, metric_fn)
            if _is_stateful_metric(metric_fn):
                result = self._stateful_metric_result(metric_fn, i, weights)
            else:
                objective = weighted_masked_objective(metric_fn)
                result = objective(self.targets[i], self.outputs[i], weights, mask)
            if len(self.output_names) > 1:
                name = self.output_names[i] + '_' + name
            name = self._deduplicated_metric_name(name)
            self.metrics_names.append(name)
            self.metrics_tensors.append(result)
            if _is_stateful_metric(metric_fn):
                self.stateful_metric_names.append(name)
                self.stateful_metric_functions.append(metric_fn)

    def _stateful_metric_result(self, metric, i, weights):
        """The running value of a stateful metric; its state updates join `metrics_updates`.

        A stateful metric called on `(y_true, y_pred)` returns its value including the batch
        and registers the state updates in `metric.updates` (Keras 2.2's metric layers).
        """
        if weights is not None:
            result = metric(self.targets[i], self.outputs[i], sample_weight=weights)
        else:
            result = metric(self.targets[i], self.outputs[i])
        self.metrics_updates += list(getattr(metric, 'updates', []))
        return result

    def _deduplicated_metric_name(self, name):
        base = name
        suffix = 1
        while name in self.metrics_names:
            name = '%s_%d' % (base, suffix)
            suffix += 1
        return name

    def reset_metrics(self):
        """Resets the state of the stateful metrics (called at the start of each epoch)."""
        for metric in getattr(self, 'stateful_metric_functions', []):
            metric.reset_states()

    def _check_compiled(self):
        if not getattr(self, '_is_compiled', False):
            raise RuntimeError('You must compile your model before using it: use '
                               '`model.compile(optimizer, loss)`.')

    # ------------------------------------------------------------------------------------------
    # The K.functions, built once

    def _learning_phase_inputs(self):
        """[K.learning_phase()] while it is a placeholder; [] once set_learning_phase fixed it."""
        phase = K.learning_phase()
        return [phase] if K.is_tensor(phase) else []

    def _feed_inputs_list(self):
        return list(getattr(self, '_feed_inputs', None) or self.inputs)

    def _feed_input_names_list(self):
        return list(getattr(self, '_feed_input_names', None) or self.input_names)

    def _feed_input_shapes_list(self):
        return [K.int_shape(x) for x in self._feed_inputs_list()]

    def _state_updates(self):
        return list(getattr(self, 'state_updates', None) or [])

    def _make_train_function(self):
        """Builds `self.train_function` (once): the optimizer step plus the model updates."""
        self._check_compiled()
        if self.train_function is not None:
            return
        inputs = (self._feed_inputs_list() + self._feed_targets + self._feed_sample_weights
                  + self._learning_phase_inputs())
        training_updates = self.optimizer.get_updates(
            loss=self.total_loss, params=self._collected_trainable_weights)
        updates = list(self.updates) + list(training_updates) + self.metrics_updates
        self.train_function = K.function(inputs, [self.total_loss] + self.metrics_tensors,
                                         updates=updates, name='train_function')

    def _make_test_function(self):
        """Builds `self.test_function` (once): loss and metrics, no weight updates."""
        self._check_compiled()
        if self.test_function is not None:
            return
        inputs = (self._feed_inputs_list() + self._feed_targets + self._feed_sample_weights
                  + self._learning_phase_inputs())
        updates = self._state_updates() + self.metrics_updates
        self.test_function = K.function(inputs, [self.total_loss] + self.metrics_tensors,
                                        updates=updates, name='test_function')

    def _make_predict_function(self):
        """Builds `self.predict_function` (once): the model outputs."""
        if getattr(self, 'predict_function', None) is not None:
            return
        inputs = self._feed_inputs_list() + self._learning_phase_inputs()
        self.predict_function = K.function(inputs, list(self.outputs),
                                           updates=self._state_updates(),
                                           name='predict_function')

    def _function_inputs(self, x, y, sample_weights, phase):
        """The argument list of a train/test function: arrays, then the learning phase."""
        ins = list(x) + list(y) + list(sample_weights)
        if self._learning_phase_inputs():
            ins.append(float(phase))
        return ins

    # ------------------------------------------------------------------------------------------
    # Data

    def _standardize_user_data(self, x, y=None, sample_weight=None, class_weight=None,
                               check_array_lengths=True, batch_size=None):
        """Checks and normalizes user data to lists of arrays in the order of the feeds.

        # Returns
            `(x, y, sample_weights)`: lists of arrays, one per input, target and weight.

        # Raises
            ValueError: naming the input or output whose data does not fit.
        """
        if not self.outputs:
            self._build_from_data(x)
        x = standardize_input_data(x, self._feed_input_names_list(),
                                   self._feed_input_shapes_list(), check_batch_axis=False,
                                   exception_prefix='input')
        if y is None:
            sample_weights = []
            y = []
        else:
            self._check_compiled()
            target_shapes = [_expected_target_shape(shape, loss_fn) for shape, loss_fn in
                             zip(self._feed_output_shapes, self._feed_loss_fns)]
            y = standardize_input_data(y, self._feed_output_names, target_shapes,
                                       check_batch_axis=False, exception_prefix='target')
            sample_weights = standardize_sample_weights(sample_weight, self._feed_output_names)
            class_weights = standardize_class_weights(class_weight, self._feed_output_names)
            sample_weights = [
                standardize_weights(ref, sw, cw, mode) for ref, sw, cw, mode in
                zip(y, sample_weights, class_weights, self._feed_sample_weight_modes)]
            check_loss_and_target_compatibility(y, self._feed_loss_fns,
                                                self._feed_output_shapes,
                                                self._feed_output_names)
        if check_array_lengths:
            check_array_length_consistency(x, y, sample_weights)
        if getattr(self, 'stateful', False) and batch_size and x and hasattr(x[0], 'shape'):
            if x[0].shape[0] % batch_size != 0:
                raise ValueError('In a stateful network, you should only pass inputs with a '
                                 'number of samples that can be divided by the batch size. '
                                 'Found: %d samples' % x[0].shape[0])
        self._check_fed_batch_sizes(x)
        return x, y, sample_weights

    def _build_from_data(self, x):
        """Builds a model that has no inputs yet from the first data, then compiles it if
        `compile` was called before."""
        if x is None:
            raise ValueError('Model "%s" has no inputs yet: build it, call it on a tensor or '
                             'pass input data.' % self.name)
        arrays = list(x.values()) if isinstance(x, dict) else to_list(
            list(x) if isinstance(x, tuple) else x)
        if hasattr(self, '_build_input_shape'):
            # Sequential: one input whose shape comes from the data.
            array = np.asarray(arrays[0])
            shape = array.shape if array.ndim > 1 else array.shape + (1,)
            self.build((None,) + tuple(shape[1:]))
        else:
            self._set_inputs(arrays if len(arrays) > 1 else arrays[0])
        pending = getattr(self, '_pending_compile', None)
        if pending:
            self.compile(**pending)

    def _check_fed_batch_sizes(self, arrays):
        """Inputs declared with a fixed batch size must be fed exactly that many samples."""
        for array, tensor, name in zip(arrays, self._feed_inputs_list(),
                                       self._feed_input_names_list()):
            batch = K.int_shape(tensor)[0] if K.int_shape(tensor) else None
            if batch is not None and hasattr(array, 'shape') and array.shape[0] % batch:
                raise ValueError('Input "%s" was declared with batch size %d, but got an array '
                                 'with shape %s: feed multiples of %d samples and use '
                                 'batch_size=%d.' % (name, batch, array.shape, batch, batch))

    def _prepare_validation(self, validation_data, validation_split, x, y, sample_weights,
                            batch_size):
        """(x, y, weights, val_ins) after holding out validation data, val_ins [] if none."""
        if validation_data is not None:
            if is_generator_like(validation_data):
                raise ValueError('validation_data is a generator or Sequence while x is arrays: '
                                 'pass x as a generator or Sequence too (fit_generator), or '
                                 'give validation_data as (x_val, y_val).')
            if len(validation_data) == 2:
                val_x, val_y = validation_data
                val_sample_weight = None
            elif len(validation_data) == 3:
                val_x, val_y, val_sample_weight = validation_data
            else:
                raise ValueError('When passing validation_data, it must contain 2 (x_val, '
                                 'y_val) or 3 (x_val, y_val, val_sample_weights) items, however '
                                 'it contains %d items' % len(validation_data))
            val_x, val_y, val_weights = self._standardize_user_data(
                val_x, val_y, sample_weight=val_sample_weight, batch_size=batch_size)
            return x, y, sample_weights, self._function_inputs(val_x, val_y, val_weights, 0)
        if validation_split and 0. < validation_split < 1.:
            split_at = int(int(x[0].shape[0]) * (1. - validation_split))
            if split_at == 0 or split_at == int(x[0].shape[0]):
                raise ValueError('validation_split=%s leaves no samples for %s: %d samples in '
                                 'total.' % (validation_split,
                                             'training' if split_at == 0 else 'validation',
                                             x[0].shape[0]))
            x, val_x = slice_arrays(x, 0, split_at), slice_arrays(x, split_at)
            y, val_y = slice_arrays(y, 0, split_at), slice_arrays(y, split_at)
            sample_weights, val_weights = (slice_arrays(sample_weights, 0, split_at),
                                           slice_arrays(sample_weights, split_at))
            return x, y, sample_weights, self._function_inputs(val_x, val_y, val_weights, 0)
        return x, y, sample_weights, []

    # ------------------------------------------------------------------------------------------
    # fit / evaluate / predict

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None,
            validation_split=0., validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_freq=1, max_queue_size=10, workers=1, use_multiprocessing=False,
            **kwargs):
        """Trains the model for a given number of epochs (iterations on a dataset).

        # Arguments
            x: Numpy array of training data (if the model has a single input), or list of
                Numpy arrays (if the model has multiple inputs), or a dict mapping input
                names to arrays. A Python generator or a `utils.Sequence` yielding `(x, y)`
                or `(x, y, sample_weight)` is also accepted (tf.keras 2), and trains as
                `fit_generator`.
            y: Numpy array of target (label) data, or list / dict of arrays per output.
            batch_size: Integer or `None`. Number of samples per gradient update.
                If unspecified, `batch_size` will default to 32.
            epochs: Integer. Number of epochs to train the model. The model is trained
                until the epoch of index `epochs` is reached.
            verbose: Integer. 0, 1, or 2. Verbosity mode.
                0 = silent, 1 = progress bar, 2 = one line per epoch.
            callbacks: List of `keras.callbacks.Callback` instances.
            validation_split: Float between 0 and 1. Fraction of the training data to be
                used as validation data, taken from the last samples of `x` and `y`
                before shuffling.
            validation_data: tuple `(x_val, y_val)` or `(x_val, y_val, val_sample_weights)`
                on which to evaluate the loss and any model metrics at the end of each
                epoch. `validation_data` will override `validation_split`.
            shuffle: Boolean (whether to shuffle the training data before each epoch) or
                str (for 'batch'). 'batch' shuffles in batch-sized chunks.
            class_weight: Optional dictionary mapping class indices (integers) to a weight
                (float) value, used for weighting the loss function (during training only).
            sample_weight: Optional Numpy array of weights for the training samples, used
                for weighting the loss function (during training only): 1D with one weight
                per sample, or 2D `(samples, sequence_length)` with
                `sample_weight_mode="temporal"` in `compile()`.
            initial_epoch: Integer. Epoch at which to start training (useful for resuming a
                previous training run).
            steps_per_epoch: Integer or `None`. Total number of steps (batches of samples)
                before declaring one epoch finished and starting the next epoch.
            validation_steps: Only relevant if `steps_per_epoch` is specified. Total number
                of steps (batches of samples) to validate before stopping.
            validation_freq: Integer (validate every that many epochs) or list of the
                1-based epochs after which to validate.
            max_queue_size, workers, use_multiprocessing: used when `x` is a generator or
                a `Sequence` (see `fit_generator`).

        # Returns
            A `History` object. Its `History.history` attribute is a record of training
            loss values and metrics values at successive epochs, as well as validation loss
            values and validation metrics values (if applicable).

        # Raises
            RuntimeError: If the model was never compiled.
            ValueError: In case of mismatch between the provided input data and what the
                model expects.
        """
        if 'nb_epoch' in kwargs:
            warnings.warn('The `nb_epoch` argument in `fit` has been renamed `epochs`.')
            epochs = kwargs.pop('nb_epoch')
        if kwargs:
            raise TypeError('Unrecognized keyword arguments: ' + str(kwargs))
        if is_generator_like(x):
            return self.fit_generator(
                x, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose,
                callbacks=callbacks, validation_data=validation_data,
                validation_steps=validation_steps, validation_freq=validation_freq,
                class_weight=class_weight, max_queue_size=max_queue_size, workers=workers,
                use_multiprocessing=use_multiprocessing, shuffle=shuffle,
                initial_epoch=initial_epoch)
        if batch_size is None and steps_per_epoch is None:
            batch_size = 32
        x, y, sample_weights = self._standardize_user_data(
            x, y, sample_weight=sample_weight, class_weight=class_weight,
            batch_size=batch_size)
        x, y, sample_weights, val_ins = self._prepare_validation(
            validation_data, validation_split, x, y, sample_weights, batch_size)
        ins = self._function_inputs(x, y, sample_weights, 1)

        self._make_train_function()
        out_labels = self.metrics_names
        if validation_steps and not val_ins:
            raise ValueError('`validation_steps=%s` was given without validation data: pass '
                             '`validation_data` or `validation_split`.' % validation_steps)
        do_validation = bool(val_ins)
        if do_validation:
            self._make_test_function()
            callback_metrics = list(out_labels) + ['val_' + name for name in out_labels]
        else:
            callback_metrics = list(out_labels)
        return training_arrays.fit_loop(
            self, self.train_function, ins, out_labels=out_labels, batch_size=batch_size,
            epochs=epochs, verbose=verbose, callbacks=callbacks,
            val_f=self.test_function if do_validation else None, val_ins=val_ins,
            shuffle=shuffle, callback_metrics=callback_metrics, initial_epoch=initial_epoch,
            steps_per_epoch=steps_per_epoch, validation_steps=validation_steps,
            validation_freq=validation_freq)

    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, sample_weight=None,
                 steps=None, callbacks=None, max_queue_size=10, workers=1,
                 use_multiprocessing=False, return_dict=False):
        """Returns the loss value & metrics values for the model in test mode.

        Computation is done in batches.

        # Arguments
            x: Numpy array of test data, list or dict of arrays, or a generator /
                `Sequence` (then this is `evaluate_generator`).
            y: Numpy array of target (label) data, or list / dict of arrays per output.
            batch_size: Integer or `None`. Number of samples per evaluation step.
                If unspecified, `batch_size` will default to 32.
            verbose: 0 or 1. Verbosity mode. 0 = silent, 1 = progress bar.
            sample_weight: Optional Numpy array of weights for the test samples, used for
                weighting the loss function.
            steps: Integer or `None`. Total number of steps (batches of samples) before
                declaring the evaluation round finished.
            callbacks: List of callbacks receiving the `on_test_*` hooks.
            return_dict: If True (tf.keras 2), return a dict metric name -> value.

        # Returns
            Scalar test loss (if the model has a single output and no metrics) or list of
            scalars (if the model has multiple outputs and/or metrics). The attribute
            `model.metrics_names` will give you the display labels for the scalar outputs.
        """
        if is_generator_like(x):
            outputs = self.evaluate_generator(x, steps=steps, max_queue_size=max_queue_size,
                                              workers=workers,
                                              use_multiprocessing=use_multiprocessing,
                                              verbose=verbose)
            return self._as_result(outputs, return_dict)
        if batch_size is None and steps is None:
            batch_size = 32
        x, y, sample_weights = self._standardize_user_data(
            x, y, sample_weight=sample_weight, batch_size=batch_size)
        ins = self._function_inputs(x, y, sample_weights, 0)
        self._make_test_function()
        callback_list = self._inference_callbacks(callbacks, verbose)
        outputs = training_arrays.test_loop(self, self.test_function, ins,
                                            batch_size=batch_size, verbose=verbose,
                                            steps=steps, callbacks=callback_list)
        return self._as_result(outputs, return_dict)

    def _as_result(self, outputs, return_dict):
        """The loss and metric values as returned (a scalar or list), or a dict by name."""
        if return_dict:
            return dict(zip(self.metrics_names, to_list(outputs)))
        return outputs

    def predict(self, x, batch_size=None, verbose=0, steps=None, callbacks=None,
                max_queue_size=10, workers=1, use_multiprocessing=False):
        """Generates output predictions for the input samples.

        Computation is done in batches.

        # Arguments
            x: The input data, as a Numpy array (or list / dict of Numpy arrays if the
                model has multiple inputs), or a generator / `Sequence`.
            batch_size: Integer. If unspecified, it will default to 32.
            verbose: Verbosity mode, 0 or 1.
            steps: Total number of steps (batches of samples) before declaring the
                prediction round finished.
            callbacks: List of callbacks receiving the `on_predict_*` hooks.

        # Returns
            Numpy array(s) of predictions.

        # Raises
            ValueError: In case of mismatch between the provided input data and the
                model's expectations, or in case a stateful model receives a number of
                samples that is not a multiple of the batch size.
        """
        if is_generator_like(x):
            return self.predict_generator(x, steps=steps, max_queue_size=max_queue_size,
                                          workers=workers,
                                          use_multiprocessing=use_multiprocessing,
                                          verbose=verbose)
        if batch_size is None and steps is None:
            batch_size = 32
        x, _, _ = self._standardize_user_data(x, batch_size=batch_size)
        ins = list(x) + ([0.] if self._learning_phase_inputs() else [])
        self._make_predict_function()
        callback_list = self._inference_callbacks(callbacks, verbose)
        return training_arrays.predict_loop(self, self.predict_function, ins,
                                            batch_size=batch_size, verbose=verbose,
                                            steps=steps, callbacks=callback_list)

    def _inference_callbacks(self, callbacks, verbose):
        from graphkeras.callbacks import CallbackList
        callback_list = CallbackList(callbacks or [])
        callback_list.set_model(self)
        callback_list.set_params({'verbose': verbose})
        return callback_list

    def train_on_batch(self, x, y, sample_weight=None, class_weight=None, reset_metrics=True,
                       return_dict=False):
        """Runs a single gradient update on a single batch of data.

        # Arguments
            x: Numpy array of training data, or list / dict of arrays per input.
            y: Numpy array of target data, or list / dict of arrays per output.
            sample_weight: Optional array of the same length as x, containing weights to
                apply to the model's loss for each sample.
            class_weight: Optional dictionary mapping class indices (integers) to a weight
                (float) to apply to the model's loss for the samples from this class
                during training.
            reset_metrics: If True (tf.keras 2's default) stateful metrics report this batch
                only; if False they accumulate across calls.
            return_dict: If True (tf.keras 2), return a dict metric name -> value.

        # Returns
            Scalar training loss (if the model has a single output and no metrics) or list
            of scalars (if the model has multiple outputs and/or metrics).
        """
        x, y, sample_weights = self._standardize_user_data(
            x, y, sample_weight=sample_weight, class_weight=class_weight)
        self._make_train_function()
        if reset_metrics:
            self.reset_metrics()
        outputs = self.train_function(self._function_inputs(x, y, sample_weights, 1))
        return self._as_result(unpack_singleton(outputs), return_dict)

    def test_on_batch(self, x, y, sample_weight=None, reset_metrics=True, return_dict=False):
        """Test the model on a single batch of samples.

        # Arguments
            x: Numpy array of test data, or list / dict of arrays per input.
            y: Numpy array of target data, or list / dict of arrays per output.
            sample_weight: Optional array of the same length as x, containing weights to
                apply to the model's loss for each sample.
            reset_metrics: If True stateful metrics report this batch only.
            return_dict: If True (tf.keras 2), return a dict metric name -> value.

        # Returns
            Scalar test loss (if the model has a single output and no metrics) or list of
            scalars (if the model has multiple outputs and/or metrics).
        """
        x, y, sample_weights = self._standardize_user_data(x, y, sample_weight=sample_weight)
        self._make_test_function()
        if reset_metrics:
            self.reset_metrics()
        outputs = self.test_function(self._function_inputs(x, y, sample_weights, 0))
        return self._as_result(unpack_singleton(outputs), return_dict)

    def predict_on_batch(self, x):
        """Returns predictions for a single batch of samples.

        # Arguments
            x: Input samples, as a Numpy array, or a list / dict of arrays per input.

        # Returns
            Numpy array(s) of predictions.
        """
        x, _, _ = self._standardize_user_data(x)
        self._make_predict_function()
        ins = list(x) + ([0.] if self._learning_phase_inputs() else [])
        return unpack_singleton(self.predict_function(ins))

    # ------------------------------------------------------------------------------------------
    # Generators

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1,
                      callbacks=None, validation_data=None, validation_steps=None,
                      validation_freq=1, class_weight=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """Trains the model on data generated batch-by-batch by a Python generator
        (or an instance of `Sequence`).

        The generator is run in parallel to the model, for efficiency. The use of
        `keras.utils.Sequence` guarantees the ordering and guarantees the single use of
        every input per epoch when using `use_multiprocessing=True`.

        # Arguments
            generator: A generator or an instance of `Sequence` yielding tuples
                `(inputs, targets)` or `(inputs, targets, sample_weights)`. The generator
                is expected to loop over its data indefinitely.
            steps_per_epoch: Integer. Total number of steps (batches of samples) to yield
                from `generator` before declaring one epoch finished. Optional for
                `Sequence`: if unspecified, will use the `len(generator)`.
            epochs: Integer. Number of epochs to train the model.
            verbose: Integer. 0, 1, or 2. Verbosity mode.
            callbacks: List of `keras.callbacks.Callback` instances.
            validation_data: A generator or `Sequence` for the validation data, or a tuple
                `(x_val, y_val)` or `(x_val, y_val, val_sample_weights)`.
            validation_steps: Only relevant if `validation_data` is a generator. Total
                number of steps (batches of samples) to yield from `validation_data`.
            validation_freq: Integer or list of 1-based epochs to validate after.
            class_weight: Optional dictionary mapping class indices (integers) to a weight
                (float) value, used for weighting the loss function (during training only).
            max_queue_size: Integer. Maximum size for the generator queue.
            workers: Integer. Maximum number of processes or threads to spin up; 0 runs
                the generator on the main thread.
            use_multiprocessing: Boolean. If `True`, use process-based threading.
            shuffle: Boolean. Whether to shuffle the order of the batches at the beginning
                of each epoch. Only used with instances of `Sequence`.
            initial_epoch: Integer. Epoch at which to start training.

        # Returns
            A `History` object.

        # Raises
            ValueError: In case the generator yields data in an invalid format.
        """
        return training_generator.fit_generator(
            self, generator, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose,
            callbacks=callbacks, validation_data=validation_data,
            validation_steps=validation_steps, validation_freq=validation_freq,
            class_weight=class_weight, max_queue_size=max_queue_size, workers=workers,
            use_multiprocessing=use_multiprocessing, shuffle=shuffle,
            initial_epoch=initial_epoch)

    def evaluate_generator(self, generator, steps=None, max_queue_size=10, workers=1,
                           use_multiprocessing=False, verbose=0):
        """Evaluates the model on a data generator.

        The generator should return the same kind of data as accepted by `test_on_batch`.

        # Arguments
            generator: Generator yielding tuples (inputs, targets) or (inputs, targets,
                sample_weights) or an instance of Sequence.
            steps: Total number of steps (batches of samples) to yield from `generator`
                before stopping. Optional for `Sequence`.
            max_queue_size: maximum size for the generator queue
            workers: Integer. Maximum number of processes or threads to spin up.
            use_multiprocessing: if True, use process based threading.
            verbose: verbosity mode, 0 or 1.

        # Returns
            Scalar test loss or list of scalars (see `metrics_names`).
        """
        return training_generator.evaluate_generator(
            self, generator, steps=steps, max_queue_size=max_queue_size, workers=workers,
            use_multiprocessing=use_multiprocessing, verbose=verbose)

    def predict_generator(self, generator, steps=None, max_queue_size=10, workers=1,
                          use_multiprocessing=False, verbose=0):
        """Generates predictions for the input samples from a data generator.

        The generator should return the same kind of data as accepted by
        `predict_on_batch` (or `(x, y)` tuples, whose `y` is ignored).

        # Arguments
            generator: Generator yielding batches of input samples or an instance of
                Sequence.
            steps: Total number of steps (batches of samples) to yield from `generator`
                before stopping. Optional for `Sequence`.
            max_queue_size: Maximum size for the generator queue.
            workers: Integer. Maximum number of processes or threads to spin up.
            use_multiprocessing: If `True`, use process based threading.
            verbose: verbosity mode, 0 or 1.

        # Returns
            Numpy array(s) of predictions.
        """
        return training_generator.predict_generator(
            self, generator, steps=steps, max_queue_size=max_queue_size, workers=workers,
            use_multiprocessing=use_multiprocessing, verbose=verbose)

