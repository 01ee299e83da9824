"""The Keras 2 backend API (`from graphkeras import backend as K`), every function building IR."""
from .common import (backend, cast_to_floatx, epsilon, floatx, get_uid, image_data_format,
                     image_dim_ordering, py_all, py_any, py_slice, py_sum, set_image_dim_ordering,
                     normalize_data_format, reset_uids, set_epsilon, set_floatx,
                     set_image_data_format)
from .tensor import (Tensor, Variable, constant, is_keras_tensor, is_placeholder, is_sparse,
                     is_tensor, is_variable, name_scope, placeholder, to_dense, variable)
from .state import (batch_get_value, batch_set_value, clear_session, count_params, eval,
                    function, get_value, get_variable_shape, gradients, learning_phase,
                    learning_phase_scope, manual_variable_initialization, moving_average_update,
                    set_learning_phase, set_value, stop_gradient, update, update_add,
                    update_sub)
from .math_ops import (abs, all, any, argmax, argmin, batch_dot, cast, clip, cos, cumprod,
                       cumsum, dot, equal, erf, exp, greater, greater_equal, identity, less,
                       less_equal, log, logsumexp, max, maximum, mean, min, minimum, not_equal,
                       pow, prod, round, sign, sin, sqrt, square, std, sum, tanh, transpose, var)
from .array_ops import (arange, batch_flatten, concatenate, dtype, expand_dims, eye, flatten,
                        gather, int_shape, ndim, one_hot, ones, ones_like, permute_dimensions,
                        random_binomial, random_normal, random_normal_variable, random_uniform,
                        random_uniform_variable, repeat, repeat_elements, reshape,
                        resize_images, resize_volumes, reverse, shape, size, slice,
                        spatial_2d_padding, spatial_3d_padding, squeeze, stack,
                        temporal_padding, tile, truncated_normal, zeros, zeros_like)
from .nn_ops import (batch_normalization, bias_add, binary_crossentropy,
                     categorical_crossentropy, dropout, elu, hard_sigmoid, in_test_phase,
                     in_top_k, in_train_phase, l2_normalize, normalize_batch_in_training,
                     print_tensor, relu, sigmoid, softmax, softplus, softsign,
                     sparse_categorical_crossentropy, switch)

_OPTIONAL = ("convolution", "rnn", "ctc")


def _import_optional():
    """Families written in their own files (conv/pool, rnn, ctc), re-exported here."""
    import importlib
    for name in _OPTIONAL:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"{__name__}.{name}":
                raise
            continue
        for attr in getattr(module, "__all__", []):
            globals()[attr] = getattr(module, attr)


_import_optional()
