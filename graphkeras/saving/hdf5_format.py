"""Layer weights in Keras 2 HDF5 groups: writing, reading, and the file-level helpers.

The layout is the one Keras 2.2 and tf.keras 2.x write. A weights group has the attributes
`layer_names`, `backend` and `keras_version`, and one subgroup per layer whose attribute
`weight_names` lists that layer's weights; each weight is a dataset at the path its name gives
inside the layer's group (`dense_1/dense_1/kernel:0`). tf.keras adds `top_level_model_weights`
(the model's own weights, outside any layer), which is not listed in `layer_names`.

Strings are written as variable-length UTF-8 (what h5py 3 reads back as `str`, as in tf.keras
files); Keras 2.2's fixed-length bytes are read as well. An empty `weight_names` is an empty
float64 array, as both Keras versions write it.

Loading reads and checks every value before assigning any, so a failed load leaves the model's
weights as they were.
"""
import os
import tempfile
import warnings

import h5py
import numpy as np

from .. import backend as K

# Keras 2 keeps attributes below HDF5's object-header limit by splitting long lists into
# `name0`, `name1`, ...; each variable-length string costs a 16-byte heap reference.
_ATTRIBUTE_BYTES_LIMIT = 64512
_STRING_REFERENCE_BYTES = 16
# The Keras API version graphkeras files declare (Keras 2.2 converts files whose version
# starts with "1", so the value must name Keras 2).
KERAS_VERSION = "2.2.4"
TOP_LEVEL_GROUP = "top_level_model_weights"


# ------------------------------------------------------------------------------- attributes

def text(value):
    """A string attribute value as `str`, whether h5py returns bytes or str."""
    if isinstance(value, bytes):
        return value.decode("utf8")
    if isinstance(value, np.ndarray) and value.shape == ():
        return text(value.item())
    return str(value)


def save_string_list(group, name, strings):
    """Writes a list of strings as Keras 2 does, split into `name0, name1, ...` when long."""
    strings = list(strings)
    if not strings:
        group.attrs[name] = np.array([], dtype=np.float64)
        return
    per_chunk = _ATTRIBUTE_BYTES_LIMIT // _STRING_REFERENCE_BYTES
    chunks = [strings[i:i + per_chunk] for i in range(0, len(strings), per_chunk)]
    if len(chunks) == 1:
        group.attrs.create(name, chunks[0], dtype=h5py.string_dtype())
        return
    for index, chunk in enumerate(chunks):
        group.attrs.create(f"{name}{index}", chunk, dtype=h5py.string_dtype())


def load_string_list(group, name):
    """A list-of-strings attribute (bytes or str, whole or chunked) as a list of `str`."""
    if name in group.attrs:
        values = group.attrs[name]
    else:
        values = []
        index = 0
        while f"{name}{index}" in group.attrs:
            values.extend(group.attrs[f"{name}{index}"])
            index += 1
        if index == 0:
            raise ValueError(f"HDF5 group '{group.name}' has no '{name}' attribute: it is "
                             "not a Keras weights group.")
    return [text(v) for v in np.atleast_1d(values)]


# ------------------------------------------------------------------------------ files

def open_for_reading(filepath):
    """(file or group, whether we opened it): accepts a path or an open h5py object."""
    if isinstance(filepath, (h5py.File, h5py.Group)):
        return filepath, False
    if not os.path.exists(filepath):
        raise OSError(f"Unable to open file '{filepath}': no such file.")
    return h5py.File(filepath, mode="r"), True


def write_atomically(filepath, write, overwrite=True):
    """Calls `write(h5py_file)` on a temporary file in the target's folder, then moves it
    over `filepath`, so a reader never sees a half-written file. An open h5py File or Group
    is written to directly.

    # Raises
        OSError: when `overwrite` is False and `filepath` exists.
    """
    if isinstance(filepath, (h5py.File, h5py.Group)):
        write(filepath)
        return
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise OSError(f"File '{filepath}' exists and overwrite=False.")
    folder = os.path.dirname(os.path.abspath(filepath))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".h5.tmp")
    os.close(handle)
    try:
        with h5py.File(temporary, mode="w") as f:
            write(f)
        os.replace(temporary, filepath)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


# ---------------------------------------------------------------------------- weights

def weight_names(weights):
    """The HDF5 names of some variables: their names, made unique within the list."""
    names = []
    for index, weight in enumerate(weights):
        name = getattr(weight, "name", None) or f"param_{index}"
        if name in names:
            name = f"{name}_{index}"
        names.append(name)
    return names


def save_weight_list(group, weights):
    """One dataset per variable at its name's path inside `group`; `weight_names` lists them."""
    names = weight_names(weights)
    values = K.batch_get_value(weights)
    save_string_list(group, "weight_names", names)
    for name, value in zip(names, values):
        dataset = group.create_dataset(name, value.shape, dtype=value.dtype)
        dataset[()] = value


def load_weight_list(group):
    """The arrays a layer group holds, in its `weight_names` order."""
    return [np.asarray(group[name]) for name in load_string_list(group, "weight_names")]


def own_weights(model):
    """The model's weights that belong to none of its layers (tf.keras's top-level ones)."""
    return list(getattr(model, "_trainable_weights", [])) + list(
        getattr(model, "_non_trainable_weights", []))


def save_weights_to_hdf5_group(group, layers, top_level_weights=()):
    """Writes the weights of `layers` into an HDF5 group in the Keras 2 layout.

    # Arguments
        group: an h5py File or Group.
        layers: the layers, in the order to list them (`model.layers`).
        top_level_weights: the model's weights outside any layer, written to
            `top_level_model_weights` (tf.keras 2).
    """
    save_string_list(group, "layer_names", [layer.name for layer in layers])
    group.attrs["backend"] = K.backend()
    group.attrs["keras_version"] = KERAS_VERSION
    for layer in layers:
        save_weight_list(group.create_group(layer.name), layer.weights)
    save_weight_list(group.create_group(TOP_LEVEL_GROUP), list(top_level_weights))


def _saved_layers(group):
    """(layer name, weight arrays) for each layer the group lists, in its order."""
    names = load_string_list(group, "layer_names")
    return [(name, load_weight_list(group[name])) for name in names]


def _shape_error(layer, weight, expected, actual, index):
    return ValueError(f"Layer '{layer.name}' ({type(layer).__name__}): weight #{index} "
                      f"'{getattr(weight, 'name', index)}' expects shape {tuple(expected)}, "
                      f"but the saved weight has shape {tuple(actual)}.")


def _pair_layer(layer, values, saved_name, skip_mismatch):
    """(variable, value) pairs for one layer, or [] when skipped; raises on a mismatch."""
    symbolic = layer.weights
    if len(values) != len(symbolic):
        message = (f"Layer '{layer.name}' ({type(layer).__name__}) expects "
                   f"{len(symbolic)} weight(s), but the saved weights of layer "
                   f"'{saved_name}' have {len(values)} element(s).")
        if skip_mismatch:
            warnings.warn("Skipping loading of weights: " + message)
            return []
        raise ValueError(message)
    pairs = []
    for index, (weight, value) in enumerate(zip(symbolic, values)):
        expected = tuple(K.int_shape(weight))
        if expected != tuple(value.shape):
            error = _shape_error(layer, weight, expected, value.shape, index)
            if skip_mismatch:
                warnings.warn(f"Skipping loading of weights: {error}")
                continue
            raise error
        pairs.append((weight, value))
    return pairs


def _top_level_pairs(group, top_level_weights):
    """Pairs for the model's own weights, when the file has them and the model has any."""
    top_level_weights = list(top_level_weights)
    if TOP_LEVEL_GROUP not in group:
        return []
    values = load_weight_list(group[TOP_LEVEL_GROUP])
    if not values and not top_level_weights:
        return []
    if len(values) != len(top_level_weights):
        raise ValueError(f"The model has {len(top_level_weights)} top-level weight(s) (outside "
                         f"its layers), but the file has {len(values)}.")
    pairs = []
    for weight, value in zip(top_level_weights, values):
        if tuple(K.int_shape(weight)) != tuple(value.shape):
            raise ValueError(f"Top-level weight '{weight.name}' expects shape "
                             f"{tuple(K.int_shape(weight))}, but the saved weight has shape "
                             f"{tuple(value.shape)}.")
        pairs.append((weight, value))
    return pairs


def load_weights_from_hdf5_group(group, layers, top_level_weights=()):
    """Loads the weights of a Keras 2 HDF5 group into `layers`, matched by order.

    Layers without weights are ignored on both sides, so the k-th layer with weights gets the
    k-th saved layer with weights (Keras 2.2's rule).

    # Arguments
        group: an h5py File or Group in the layout `save_weights_to_hdf5_group` writes.
        layers: the layers to load into (`model.layers`).
        top_level_weights: the model's weights outside any layer.

    # Raises
        ValueError: when the number of layers, of weights in a layer, or a shape differs;
            no weight is changed then.
    """
    filtered_layers = [layer for layer in layers if layer.weights]
    saved = [(name, values) for name, values in _saved_layers(group) if values]
    if len(saved) != len(filtered_layers):
        raise ValueError(f"You are trying to load a weight file containing {len(saved)} layers "
                         f"with weights ({[name for name, _ in saved]}) into a model with "
                         f"{len(filtered_layers)} layers with weights "
                         f"({[layer.name for layer in filtered_layers]}).")
    pairs = []
    for layer, (saved_name, values) in zip(filtered_layers, saved):
        pairs += _pair_layer(layer, values, saved_name, skip_mismatch=False)
    pairs += _top_level_pairs(group, top_level_weights)
    K.batch_set_value(pairs)


def load_weights_from_hdf5_group_by_name(group, layers, skip_mismatch=False):
    """Loads weights into the layers whose names match saved layer names (Keras 2.2).

    Layers absent from the file keep their weights. With `skip_mismatch`, a layer whose
    number of weights differs, or a weight whose shape differs, is skipped with a warning.

    # Raises
        ValueError: on a mismatch without `skip_mismatch`; no weight is changed then.
    """
    by_name = {}
    for layer in layers:
        if layer.name:
            by_name.setdefault(layer.name, []).append(layer)
    pairs = []
    for saved_name, values in _saved_layers(group):
        for layer in by_name.get(saved_name, []):
            pairs += _pair_layer(layer, values, saved_name, skip_mismatch)
    K.batch_set_value(pairs)


def weights_group(f):
    """The group holding layer weights: the root of a weights file, or `model_weights` of a
    whole-model file."""
    if "layer_names" not in f.attrs and "layer_names0" not in f.attrs and "model_weights" in f:
        return f["model_weights"]
    return f


def save_weights(model, filepath, overwrite=True):
    """Saves all layer weights of `model` to an HDF5 file (Keras 2 `model.save_weights`).

    # Arguments
        model: the model (or layer container with `layers`).
        filepath: path of the file, or an open h5py File or Group.
        overwrite: whether to replace an existing file (else OSError).
    """
    def write(f):
        save_weights_to_hdf5_group(f, model.layers, own_weights(model))

    write_atomically(filepath, write, overwrite)


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    """Loads weights from a Keras 2 HDF5 file (weights-only or whole-model) into `model`.

    # Arguments
        model: the model to load into.
        filepath: path of the file, or an open h5py File or Group.
        by_name: match layers by name instead of by order (for a different architecture
            sharing some layers).
        skip_mismatch: with `by_name`, skip layers whose weight count or shapes differ.

    # Raises
        ValueError: on a mismatch (the model's weights are then left unchanged), or when
            `skip_mismatch` is used without `by_name`.
    """
    if skip_mismatch and not by_name:
        raise ValueError("When calling model.load_weights, skip_mismatch can only be set to "
                         "True when by_name is True.")
    f, opened = open_for_reading(filepath)
    try:
        group = weights_group(f)
        if by_name:
            load_weights_from_hdf5_group_by_name(group, model.layers, skip_mismatch)
        else:
            load_weights_from_hdf5_group(group, model.layers, own_weights(model))
    finally:
        if opened:
            f.close()
