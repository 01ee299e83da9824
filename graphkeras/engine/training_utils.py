"""Helpers for training: checking and standardizing user data, sample and class weights,
batching, and the weighted, masked loss wrapper (Keras 2.2's engine/training_utils.py).
"""
import collections.abc
import copy

import numpy as np

from graphkeras import backend as K
from graphkeras import losses
from graphkeras.utils.data_utils import Sequence


def _describe(data, limit=200):
    """A short text of user data for error messages."""
    text = str(data)
    return text[:limit] + ('...' if len(text) > limit else '')


def standardize_single_array(x):
    """A NumPy array, with 1-D arrays made 2-D (Keras feeds `(n,)` as `(n, 1)`)."""
    if x is None:
        return None
    if K.is_tensor(x):
        return x
    if x.__class__.__name__ in ('DataFrame', 'Series'):
        x = x.values
    x = np.asarray(x)
    if x.ndim == 1:
        x = np.expand_dims(x, 1)
    return x


def _as_list_of_arrays(data, names):
    """Dict by name, list, or single array -> a list in `names` order."""
    if isinstance(data, dict):
        missing = [name for name in names if name not in data]
        if missing:
            raise ValueError('No data provided for "%s". Need data for each key in: %s'
                             % (missing[0], names))
        # Extra keys are ignored, as in Keras 2.2 (a dict may carry more than the model uses).
        return [data[name] for name in names]
    if isinstance(data, (list, tuple)):
        if data and isinstance(data[0], (list, tuple)):
            return [np.asarray(d) for d in data]
        if len(names) == 1 and data and isinstance(data[0], (float, int, np.number)):
            return [np.asarray(data)]
        return list(data)
    return [data]


def standardize_input_data(data, names, shapes=None, check_batch_axis=True,
                           exception_prefix=''):
    """Normalizes inputs and targets provided by users.

    Users may pass data as a list of arrays, dictionary of arrays, or as a single array.
    We normalize this to an ordered list of arrays (same order as `names`), while checking
    that the provided arrays have shapes that match the network's expectations.

    # Arguments
        data: User-provided input data (polymorphic).
        names: List of expected array names.
        shapes: Optional list of expected array shapes.
        check_batch_axis: Boolean; whether to check that the batch axis of the arrays matches
            the expected value found in `shapes`.
        exception_prefix: String prefix used for exception formatting ('input', 'target').

    # Returns
        List of standardized input arrays (one array per model input).

    # Raises
        ValueError: in case of improperly formatted user-provided data.
    """
    if not names:
        if data is not None and hasattr(data, '__len__') and len(data):
            raise ValueError('Error when checking model %s: expected no data, but got: %s'
                             % (exception_prefix, _describe(data)))
        return []
    if data is None:
        return [None for _ in names]

    arrays = _as_list_of_arrays(data, names)
    if len(arrays) != len(names):
        if arrays and hasattr(arrays[0], 'shape'):
            raise ValueError('Error when checking model %s: the list of Numpy arrays that you '
                             'are passing to your model is not the size the model expected. '
                             'Expected to see %d array(s) (for %s), but instead got the '
                             'following list of %d arrays: %s'
                             % (exception_prefix, len(names), names, len(arrays),
                                _describe(arrays)))
        if len(names) > 1:
            raise ValueError('Error when checking model %s: you are passing a list as input to '
                             'your model, but the model expects a list of %d Numpy arrays (for '
                             '%s) instead. The list you passed was: %s'
                             % (exception_prefix, len(names), names, _describe(data)))
        arrays = [np.asarray(arrays)]
    for array in arrays:
        if array is not None and not K.is_tensor(array) and not hasattr(array, 'shape') \
                and not isinstance(array, (list, tuple, int, float)):
            raise TypeError('Error when checking model %s: data should be a Numpy array, or '
                            'list/dict of Numpy arrays. Found: %s'
                            % (exception_prefix, _describe(array)))
    arrays = [standardize_single_array(array) for array in arrays]

    if shapes:
        for name, array, shape in zip(names, arrays, shapes):
            if shape is not None and array is not None and not K.is_tensor(array):
                check_array_shape(array, name, shape, check_batch_axis, exception_prefix)
    return arrays


def check_array_shape(array, name, shape, check_batch_axis, exception_prefix):
    """Raises ValueError naming `name` when `array` does not fit the expected `shape`."""
    if array.ndim != len(shape):
        raise ValueError('Error when checking %s: expected %s to have %d dimensions, but got '
                         'array with shape %s' % (exception_prefix, name, len(shape),
                                                  array.shape))
    data_shape = array.shape if check_batch_axis else array.shape[1:]
    expected = tuple(shape) if check_batch_axis else tuple(shape)[1:]
    for dim, expected_dim in zip(data_shape, expected):
        if expected_dim is not None and dim is not None and dim != expected_dim:
            raise ValueError('Error when checking %s: expected %s to have shape %s but got '
                             'array with shape %s' % (exception_prefix, name, expected,
                                                      data_shape))


def standardize_sample_or_class_weights(x_weight, output_names, weight_type):
    """Maps `sample_weight` or `class_weight` to a list with one entry per output.

    # Arguments
        x_weight: User-provided `sample_weight` or `class_weight` argument.
        output_names: List of output names (strings) in the model.
        weight_type: A string used purely for exception printing.

    # Returns
        A list of `sample_weight` or `class_weight` where there are exactly one element
        per model output.

    # Raises
        ValueError: In case of invalid user-provided argument.
    """
    if x_weight is None or (isinstance(x_weight, list) and len(x_weight) == 0):
        return [None for _ in output_names]
    if len(output_names) == 1:
        if isinstance(x_weight, list) and len(x_weight) == 1:
            return x_weight
        if isinstance(x_weight, dict) and output_names[0] in x_weight:
            return [x_weight[output_names[0]]]
        return [x_weight]
    if isinstance(x_weight, list):
        if len(x_weight) != len(output_names):
            raise ValueError('Provided `%s` was a list of %d elements, but the model has %d '
                             'outputs. You should provide one `%s` array per model output.'
                             % (weight_type, len(x_weight), len(output_names), weight_type))
        return x_weight
    if isinstance(x_weight, dict):
        unknown = sorted(set(x_weight) - set(output_names), key=str)
        if unknown:
            raise ValueError('Unknown entries in %s dictionary: %s. Only expected the '
                             'following keys: %s' % (weight_type, unknown, output_names))
        return [x_weight.get(name) for name in output_names]
    raise TypeError('The model has multiple outputs, so `%s` should be either a list or a '
                    'dict. Provided `%s` type not understood: %s'
                    % (weight_type, weight_type, _describe(x_weight)))


def standardize_class_weights(class_weight, output_names):
    return standardize_sample_or_class_weights(class_weight, output_names, 'class_weight')


def standardize_sample_weights(sample_weight, output_names):
    return standardize_sample_or_class_weights(sample_weight, output_names, 'sample_weight')


def check_array_length_consistency(inputs, targets, weights=None):
    """Checks that all arrays have the same number of samples.

    # Raises
        ValueError: in case of incorrectly formatted data.
    """
    def counts(arrays):
        return set(int(a.shape[0]) for a in arrays if a is not None and hasattr(a, 'shape'))

    input_counts = counts(inputs)
    if len(input_counts) > 1:
        raise ValueError('All input arrays (x) should have the same number of samples. Got '
                         'array shapes: %s' % [getattr(a, 'shape', None) for a in inputs])
    target_counts = counts(targets)
    if len(target_counts) > 1:
        raise ValueError('All target arrays (y) should have the same number of samples. Got '
                         'array shapes: %s' % [getattr(a, 'shape', None) for a in targets])
    if input_counts and target_counts and input_counts != target_counts:
        raise ValueError('Input arrays should have the same number of samples as target '
                         'arrays. Found %d input samples and %d target samples.'
                         % (list(input_counts)[0], list(target_counts)[0]))
    weight_counts = counts(weights or [])
    if weight_counts and target_counts and weight_counts != target_counts:
        raise ValueError('Sample_weight arrays should have the same number of samples as '
                         'target arrays. Got %d input samples and %d target samples.'
                         % (list(weight_counts)[0], list(target_counts)[0]))


def check_loss_and_target_compatibility(targets, loss_fns, output_shapes, output_names):
    """Does validation on the compatibility of targets and loss functions.

    This helps prevent users from using loss functions incorrectly, e.g. a categorical
    crossentropy on integer labels.

    # Raises
        ValueError: if a loss function or target array is incompatible with an output.
    """
    key_losses = {'mean_squared_error', 'binary_crossentropy', 'categorical_crossentropy'}
    for y, loss, shape, name in zip(targets, loss_fns, output_shapes, output_names):
        if y is None or loss is None or K.is_tensor(y):
            continue
        loss_name = getattr(loss, '__name__', None)
        if loss_name == 'categorical_crossentropy' and y.shape[-1] == 1:
            raise ValueError('You are passing a target array of shape %s while using as loss '
                             '`categorical_crossentropy` for output "%s". '
                             '`categorical_crossentropy` expects targets to be binary matrices '
                             '(1s and 0s) of shape (samples, classes). If your targets are '
                             'integer classes, you can convert them via: '
                             '`from graphkeras.utils import to_categorical; y_binary = '
                             'to_categorical(y_int)`. Alternatively, you can use the loss '
                             'function `sparse_categorical_crossentropy` instead, which does '
                             'expect integer targets.' % (y.shape, name))
        if loss_name in key_losses and getattr(losses, loss_name, None) is loss:
            for target_dim, out_dim in zip(y.shape[1:], shape[1:]):
                if out_dim is not None and target_dim != out_dim:
                    raise ValueError('A target array with shape %s was passed for output "%s" '
                                     'of shape %s while using as loss `%s`. This loss expects '
                                     'targets to have the same shape as the output.'
                                     % (y.shape, name, shape, loss_name))


def collect_metrics(metrics, output_names):
    """Maps the metrics argument of `compile` to a list of metric lists, one per output.

    # Arguments
        metrics: a list of metrics (applied to every output), or a dict output name ->
            metric or list of metrics.
        output_names: a list of the names of the model's outputs.

    # Raises
        TypeError: if metrics is not a list or dict.
    """
    if not metrics:
        return [[] for _ in output_names]
    if isinstance(metrics, (list, tuple)):
        return [copy.copy(list(metrics)) for _ in output_names]
    if isinstance(metrics, dict):
        unknown = sorted(set(metrics) - set(output_names))
        if unknown:
            raise ValueError('Unknown entries in metrics dictionary: %s. Only expected the '
                             'following keys: %s' % (unknown, output_names))
        nested = []
        for name in output_names:
            output_metrics = metrics.get(name, [])
            if not isinstance(output_metrics, (list, tuple)):
                output_metrics = [output_metrics]
            nested.append(list(output_metrics))
        return nested
    raise TypeError('Type of `metrics` argument not understood. Expected a list or dictionary, '
                    'found: %s' % (metrics,))


def batch_shuffle(index_array, batch_size):
    """Shuffles an array in a batch-wise fashion.

    Useful for shuffling HDF5 arrays (where one cannot access arbitrary indices): the
    order of whole batches changes, the order inside each batch does not.
    """
    batch_count = int(len(index_array) / batch_size)
    # Keep the trailing partial batch at the end: it cannot swap with a full one.
    last_batch = index_array[batch_count * batch_size:]
    index_array = index_array[:batch_count * batch_size]
    index_array = index_array.reshape((batch_count, batch_size))
    np.random.shuffle(index_array)
    index_array = index_array.flatten()
    return np.append(index_array, last_batch)


def make_batches(size, batch_size):
    """A list of batch index tuples `(start, end)` covering `range(size)`."""
    num_batches = (size + batch_size - 1) // batch_size
    return [(i * batch_size, min(size, (i + 1) * batch_size)) for i in range(num_batches)]


def slice_arrays(arrays, start=None, stop=None):
    """Slices an array or list of arrays.

    `slice_arrays(x, indices)` takes the rows `indices` (a list or array of ints) and
    `slice_arrays(x, start, stop)` the rows `start:stop`. `None` entries stay `None`.
    """
    if arrays is None:
        return [None]
    if isinstance(arrays, list):
        return [slice_arrays(x, start, stop) if x is not None else None for x in arrays]
    if hasattr(start, '__len__'):
        if hasattr(start, 'shape'):
            start = start.tolist()
        return arrays[start] if hasattr(arrays, '__getitem__') else None
    return arrays[start:stop] if hasattr(arrays, '__getitem__') else None


def standardize_weights(y, sample_weight=None, class_weight=None, sample_weight_mode=None):
    """Performs sample weight validation and standardization.

    Everything gets normalized to a single sample-wise (or timestep-wise) weight array.

    # Arguments
        y: Numpy array of model targets to be weighted.
        sample_weight: User-provided `sample_weight` argument.
        class_weight: User-provided `class_weight` argument.
        sample_weight_mode: One of `None` or `"temporal"`. `"temporal"` indicated that we
            expect 2D weight data that will be applied to the last 2 dimensions of the
            targets (i.e. we are weighting timesteps, not samples).

    # Returns
        A numpy array of target weights, one entry per sample to weight.

    # Raises
        ValueError: In case of invalid user-provided arguments.
    """
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight)
    if sample_weight_mode is not None:
        if sample_weight_mode != 'temporal':
            raise ValueError('"sample_weight_mode should be None or "temporal". Found: '
                             + str(sample_weight_mode))
        if len(y.shape) < 3:
            raise ValueError('Found a sample_weight array for an input with shape %s. '
                             'Timestep-wise sample weighting (use of '
                             'sample_weight_mode="temporal") is restricted to outputs that are '
                             'at least 3D, i.e. that have a time dimension.' % (y.shape,))
        if sample_weight is not None and len(sample_weight.shape) != 2:
            raise ValueError('Found a sample_weight array with shape %s. In order to use '
                             'timestep-wise sample weighting, you should pass a 2D '
                             'sample_weight array.' % (sample_weight.shape,))
    elif sample_weight is not None and len(sample_weight.shape) != 1:
        raise ValueError('Found a sample_weight array with shape %s. In order to use '
                         'timestep-wise sample weights, you should specify '
                         'sample_weight_mode="temporal" in compile(). If you just mean to use '
                         'sample-wise weights, make sure your sample_weight array is 1D.'
                         % (sample_weight.shape,))

    if sample_weight is not None:
        if len(sample_weight.shape) > len(y.shape):
            raise ValueError('Found a sample_weight with shape %s. Expected sample_weight '
                             'with rank less than or equal to %d.'
                             % (sample_weight.shape, len(y.shape)))
        if y.shape[:sample_weight.ndim] != sample_weight.shape:
            raise ValueError('Found a sample_weight array with shape %s for an input with '
                             'shape %s. sample_weight cannot be broadcast.'
                             % (sample_weight.shape, y.shape))
        return sample_weight.astype(K.floatx())
    if isinstance(class_weight, dict):
        return _class_weights_to_sample_weights(y, class_weight)
    if sample_weight_mode is None:
        return np.ones((y.shape[0],), dtype=K.floatx())
    return np.ones((y.shape[0], y.shape[1]), dtype=K.floatx())


def _class_weights_to_sample_weights(y, class_weight):
    """One weight per sample, looked up by the sample's class (argmax of one-hot rows)."""
    if len(y.shape) > 2:
        raise ValueError('`class_weight` not supported for 3+ dimensional targets.')
    if y.shape[1] > 1:
        y_classes = np.argmax(y, axis=1)
    else:
        y_classes = np.reshape(y, y.shape[0]).astype('int64')
    missing = set(y_classes.tolist()) - set(class_weight.keys())
    if missing:
        raise ValueError('`class_weight` must contain all classes in the data. The classes %s '
                         'exist in the data but not in `class_weight`.' % missing)
    return np.asarray([class_weight[c] for c in y_classes.tolist()], dtype=K.floatx())


def _at_least_epsilon(x):
    """`x`, kept from 0 so an all-masked or all-zero-weight batch gives loss 0, not NaN."""
    return K.maximum(x, K.epsilon())


def weighted_masked_objective(fn):
    """Adds support for masking and sample-weighting to an objective function.

    It transforms an objective function `fn(y_true, y_pred)` into a sample-weighted,
    cost-masked objective function `fn(y_true, y_pred, weights, mask)`. As in Keras 2.2, the
    weighted mean divides by the fraction of non-zero weights, so zero-weighted samples
    neither count nor dilute the loss.

    # Arguments
        fn: The objective function to wrap, with signature `fn(y_true, y_pred)`, returning
            one loss value per sample (or per timestep).

    # Returns
        A function with signature `fn(y_true, y_pred, weights, mask)` returning a scalar.
    """
    if fn is None:
        return None

    def weighted(y_true, y_pred, weights, mask=None):
        score_array = fn(y_true, y_pred)
        if mask is not None:
            mask = K.cast(mask, K.floatx())
            score_array = score_array * mask
            # Rescale so the mean over all entries is the mean over the unmasked ones.
            score_array = score_array / _at_least_epsilon(K.mean(mask))
        if weights is not None:
            score_ndim = K.ndim(score_array)
            weight_ndim = K.ndim(weights)
            if score_ndim > weight_ndim:
                score_array = K.mean(score_array, axis=list(range(weight_ndim, score_ndim)))
            score_array = score_array * weights
            nonzero = K.cast(K.not_equal(weights, 0), K.floatx())
            score_array = score_array / _at_least_epsilon(K.mean(nonzero))
        return K.mean(score_array)

    return weighted


def check_num_samples(ins, batch_size=None, steps=None, steps_name='steps'):
    """The number of samples in `ins`, or None when `steps` counts batches instead.

    # Raises
        ValueError: when neither or both of `steps` and `batch_size` are usable.
    """
    if steps is not None and batch_size is not None:
        raise ValueError('If %s is set, the `batch_size` must be None.' % steps_name)
    if steps is not None:
        return None
    if not ins or any(K.is_tensor(x) for x in ins):
        raise ValueError('If your data is in the form of symbolic tensors, or the model has no '
                         'inputs, you should specify the `%s` argument (instead of the '
                         '`batch_size` argument, because symbolic tensors are expected to '
                         'produce batches of input data).' % steps_name)
    if hasattr(ins[0], 'shape'):
        return int(ins[0].shape[0])
    return None


def iter_sequence_infinite(seq):
    """Iterates indefinitely over a Sequence, calling `on_epoch_end` after each pass."""
    while True:
        for item in seq:
            yield item
        seq.on_epoch_end()


def is_sequence(data):
    """True for a `utils.Sequence` (or anything with the same protocol of len and index)."""
    return isinstance(data, Sequence)


def is_generator_like(data):
    """True for Python generators and iterators given as `x` (tf.keras's `fit(generator)`)."""
    if is_sequence(data):
        return True
    if isinstance(data, (np.ndarray, list, tuple, dict, str)) or data is None:
        return False
    return isinstance(data, collections.abc.Iterator)


def should_run_validation(validation_freq, epoch):
    """Whether to validate after the 0-based `epoch`: every `validation_freq` epochs for an int,
    or the listed 1-based epochs for a list (Keras 2.3's `validation_freq`).
    """
    one_based_epoch = epoch + 1
    if isinstance(validation_freq, int):
        if validation_freq < 1:
            raise ValueError('`validation_freq` can not be less than 1, got %d.'
                             % validation_freq)
        return one_based_epoch % validation_freq == 0
    if isinstance(validation_freq, collections.abc.Container):
        return one_based_epoch in validation_freq
    raise ValueError('`validation_freq` must be an Integer or `collections.abc.Container` '
                     '(e.g. list, tuple, etc.), got %r.' % (validation_freq,))


def to_list(x):
    """Normalizes a list/tensor into a list."""
    if isinstance(x, list):
        return x
    return [x]


def unpack_singleton(x):
    """The only element of a one-element list, else the list."""
    if len(x) == 1:
        return x[0]
    return x
