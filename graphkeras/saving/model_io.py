"""Whole models in Keras 2 HDF5 files: `save_model` and `load_model`.

A file holds, as Keras 2.2 and tf.keras 2.x write it: root attributes `keras_version`,
`backend`, `model_config` (the JSON of `{'class_name', 'config'}`) and `training_config` (JSON
of `loss`, `metrics`, `weighted_metrics`, `loss_weights`, `sample_weight_mode` and
`optimizer_config`); the group `model_weights` (see hdf5_format.py); and the group
`optimizer_weights` (see optimizer_state.py).

Loading rebuilds the model from its config, loads its weights, compiles it from the training
config and, once the train function exists, restores the optimizer state, so that the next
`train_on_batch` continues exactly where the saved model stopped.
"""
import json
import warnings


from .. import backend as K
from .. import losses as losses_module
from .. import metrics as metrics_module
from .. import optimizers as optimizers_module
from .hdf5_format import (KERAS_VERSION, load_weights_from_hdf5_group, open_for_reading,
                          own_weights, save_weights_to_hdf5_group, text, write_atomically)
from ..engine.network_serialization import json_default
from .optimizer_state import load_optimizer_state, save_optimizer_weights_to_hdf5_group



def training_config(model):
    """The compile arguments of `model` in the form Keras 2 stores them."""
    optimizer = model.optimizer
    return {"loss": model.loss,
            "metrics": model.metrics,
            "weighted_metrics": getattr(model, "weighted_metrics", None),
            "loss_weights": model.loss_weights,
            "sample_weight_mode": getattr(model, "sample_weight_mode", None),
            "optimizer_config": {"class_name": type(optimizer).__name__,
                                 "config": optimizer.get_config()}}


def save_model(model, filepath, overwrite=True, include_optimizer=True):
    """Saves a model to one HDF5 file: architecture, weights, training configuration and
    optimizer state (Keras 2 `model.save`).

    The file is written to a temporary file in the same folder and then moved into place.

    # Arguments
        model: the Keras model to save.
        filepath: path of the file, or an open h5py File or Group.
        overwrite: whether to replace an existing file (else OSError).
        include_optimizer: whether to store the training configuration and optimizer state.

    # Raises
        NotImplementedError: for a subclassed model (it has no config).
    """
    model_config = json.dumps({"class_name": type(model).__name__,
                               "config": model.get_config()}, default=json_default)
    compiled = include_optimizer and getattr(model, "optimizer", None) is not None
    train_config = json.dumps(training_config(model), default=json_default) if compiled else None

    def write(f):
        f.attrs["keras_version"] = KERAS_VERSION
        f.attrs["backend"] = K.backend()
        f.attrs["model_config"] = model_config
        save_weights_to_hdf5_group(f.create_group("model_weights"), model.layers,
                                   own_weights(model))
        if compiled:
            f.attrs["training_config"] = train_config
            save_optimizer_weights_to_hdf5_group(f, model.optimizer)

    write_atomically(filepath, write, overwrite)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=None):
    """Loads a model saved by `save_model` (graphkeras, Keras 2.2 or tf.keras 2.x HDF5).

    # Arguments
        filepath: path of the file, or an open h5py File or Group.
        custom_objects: dict of name -> class or function for user-defined layers, losses,
            metrics or optimizers.
        compile: whether to compile the model from the stored training configuration and
            restore the optimizer state.
        safe_mode: None or True refuses Python bytecode stored in `Lambda` layers; pass
            False only for files you trust.

    # Returns
        The model, compiled when the file has a training configuration and `compile`.

    # Raises
        ValueError: when the file holds no model config.
    """
    from ..models import model_from_config  # models delegates to this module
    f, opened = open_for_reading(filepath)
    try:
        if "model_config" not in f.attrs:
            raise ValueError(f"No model found in config file '{filepath}': it has no "
                             "`model_config` attribute (a weights-only file? use "
                             "load_weights).")
        config = json.loads(text(f.attrs["model_config"]))
        model = model_from_config(config, custom_objects=custom_objects, safe_mode=safe_mode)
        load_weights_from_hdf5_group(f["model_weights"], model.layers, own_weights(model))
        if not compile:
            return model
        if "training_config" not in f.attrs:
            warnings.warn("No training configuration found in save file: the model was *not* "
                          "compiled. Compile it manually.")
            return model
        compile_from_training_config(model, json.loads(text(f.attrs["training_config"])),
                                     custom_objects)
        load_optimizer_state(model, f)
        return model
    finally:
        if opened:
            f.close()


def compile_from_training_config(model, config, custom_objects=None):
    """Compiles `model` with the arguments a Keras 2 `training_config` holds."""
    custom_objects = custom_objects or {}
    optimizer = optimizers_module.deserialize(config["optimizer_config"],
                                              custom_objects=custom_objects)
    loss = _objectives(config.get("loss"), custom_objects, losses_module.deserialize)
    metrics = _metrics_per_output(model, config.get("metrics"), custom_objects)
    weighted = _metrics_per_output(model, config.get("weighted_metrics"), custom_objects)
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics,
                  loss_weights=config.get("loss_weights"),
                  sample_weight_mode=config.get("sample_weight_mode"),
                  weighted_metrics=weighted)


def _objectives(entry, custom_objects, deserialize):
    """Loss or metric entries as `compile` takes them: names stay names (unless a custom
    object has that name), configs become objects; lists and per-output dicts recurse."""
    if isinstance(entry, str):
        return custom_objects.get(entry, entry)
    if isinstance(entry, dict) and "class_name" in entry:
        return deserialize(entry, custom_objects=custom_objects)
    if isinstance(entry, dict):
        return {key: _objectives(value, custom_objects, deserialize)
                for key, value in entry.items()}
    if isinstance(entry, list):
        return [_objectives(value, custom_objects, deserialize) for value in entry]
    return entry


def _metric(entry, custom_objects):
    """One metric: tf.keras stores a function metric as a `MeanMetricWrapper` config whose
    `name` is what the user wrote ('accuracy') and `fn` what it resolved to."""
    if isinstance(entry, dict) and entry.get("class_name") == "MeanMetricWrapper":
        config = entry.get("config", {})
        name = config.get("name")
        if name in custom_objects or _is_metric_name(name):
            return custom_objects.get(name, name)
        return custom_objects.get(config.get("fn"), config.get("fn"))
    return _objectives(entry, custom_objects, metrics_module.deserialize)


def _is_metric_name(name):
    """Whether `compile` resolves `name` ('accuracy', 'mae', ...) by itself."""
    if name in ("acc", "accuracy"):
        return True
    try:
        metrics_module.get(name)
    except (ValueError, TypeError):
        return False
    return True


def _metrics_per_output(model, entry, custom_objects):
    """Metrics as `compile` takes them. tf.keras stores one list per output; that becomes
    the plain list for one output, else a dict keyed by output name."""
    if entry is None:
        return None
    if isinstance(entry, dict) and "class_name" not in entry:
        return {key: _metrics_per_output(model, value, custom_objects)
                for key, value in entry.items()}
    if not isinstance(entry, list):
        return [_metric(entry, custom_objects)]
    if entry and all(isinstance(item, list) for item in entry):
        per_output = [[_metric(item, custom_objects) for item in items] for items in entry]
        if len(per_output) == 1:
            return per_output[0]
        return dict(zip(model.output_names, per_output))
    return [_metric(item, custom_objects) for item in entry]
