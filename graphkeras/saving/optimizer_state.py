"""Optimizer state in Keras 2 HDF5 files: the `optimizer_weights` group.

The group's attribute `weight_names` lists the optimizer's variables and each is a dataset at
its name's path (`optimizer_weights/Adam/dense/kernel/m:0`). Files from tf.keras and from
graphkeras name the state as graphkeras does (`Adam/iter:0`, then the slots grouped by kind in
parameter order), so when every saved name is one of the optimizer's variable names the state
is restored by name. Otherwise (Keras 2.2's `training/Adam/Variable:0`, or a model whose layers
were renamed) the list goes to `optimizer.set_weights`, which recognises the tf.keras order
and Keras 2.2's order of the same optimizer by their lengths and shapes.
"""
import warnings

import numpy as np

from .. import backend as K
from .hdf5_format import load_string_list, save_weight_list

GROUP = "optimizer_weights"


def save_optimizer_weights_to_hdf5_group(f, optimizer):
    """Writes `optimizer.weights` under `optimizer_weights` (nothing if it has no state yet,
    as Keras 2 does before the first training step)."""
    weights = list(getattr(optimizer, "weights", []) or [])
    if weights:
        save_weight_list(f.create_group(GROUP), weights)


def load_optimizer_weights_from_hdf5_group(f):
    """(names, arrays) of the saved optimizer state, in the file's order."""
    group = f[GROUP]
    names = load_string_list(group, "weight_names")
    return names, [np.asarray(group[name]) for name in names]


def restore_optimizer_state(optimizer, names, values):
    """Sets the optimizer's state from saved (names, arrays): by name when every name is
    known, else by the orders `optimizer.set_weights` accepts. The optimizer's variables must
    exist (build the train function first).

    # Raises
        ValueError: when neither the names nor the orders fit; no state is changed then.
    """
    variables = {variable.name: variable for variable in optimizer.weights}
    if len(names) == len(variables) and all(name in variables for name in names):
        pairs = []
        for name, value in zip(names, values):
            variable = variables[name]
            if tuple(K.int_shape(variable)) != tuple(np.shape(value)):
                raise ValueError(f"Optimizer {optimizer.name}: state '{name}' expects shape "
                                 f"{tuple(K.int_shape(variable))}, but the saved value has "
                                 f"shape {tuple(np.shape(value))}.")
            pairs.append((variable, value))
        K.batch_set_value(pairs)
        return
    optimizer.set_weights(values)


def load_optimizer_state(model, f):
    """Restores the optimizer state a whole-model file holds into the compiled `model`.

    The train function is built first so that the optimizer's slots exist. A state that does
    not fit is reported with a warning and the optimizer starts fresh, as in Keras 2.2.
    """
    if GROUP not in f:
        return
    model._make_train_function()
    names, values = load_optimizer_weights_from_hdf5_group(f)
    try:
        restore_optimizer_state(model.optimizer, names, values)
    except ValueError as error:
        warnings.warn(f"Error in loading the saved optimizer state. As a result, your model "
                      f"is starting with a freshly initialized optimizer. ({error})")
