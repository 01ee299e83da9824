"""Keras 2.2's `keras.models`: `Model`, `Sequential`, `Input`, building models from configs,
JSON and YAML, `clone_model`, and `save_model` / `load_model` (from graphkeras.saving).
"""
import json

from . import backend as K
from .engine.input_layer import Input, InputLayer
from .engine.network_serialization import deserialize_layer
from .engine.sequential import Sequential
from .engine.training import Model
from .utils.generic_utils import to_list, unpack_singleton

__all__ = ["Model", "Sequential", "Input", "model_from_config", "model_from_json",
           "model_from_yaml", "clone_model", "save_model", "load_model"]

# Served from graphkeras.saving on first use, so that importing graphkeras never loads h5py.
_SAVING_FUNCTIONS = ("save_model", "load_model")


def __getattr__(name):
    if name in _SAVING_FUNCTIONS:
        from . import saving
        return getattr(saving, name)
    raise AttributeError(f"module 'graphkeras.models' has no attribute '{name}'")


def model_from_config(config, custom_objects=None, safe_mode=None):
    """Instantiates a Keras model from its config.

    # Arguments
        config: `{'class_name': ..., 'config': ...}`, as in `model.to_json()`.
        custom_objects: dict of name -> class or function for user-defined objects.
        safe_mode: with the default (None or True), Python bytecode in a `Lambda` config is
            refused; pass False only for files you trust.

    # Returns
        A Keras model instance (uncompiled).

    # Raises
        TypeError: if `config` is not a dictionary.
    """
    if isinstance(config, list):
        raise TypeError("`model_from_config` expects a dictionary, not a list. Maybe you meant "
                        "to use `Sequential.from_config(config)`?")
    return deserialize_layer(config, custom_objects, safe_mode)


def model_from_json(json_string, custom_objects=None, safe_mode=None):
    """Parses a JSON model configuration (`model.to_json()`) and returns a model instance."""
    return model_from_config(json.loads(json_string), custom_objects=custom_objects,
                             safe_mode=safe_mode)


def model_from_yaml(yaml_string, custom_objects=None, safe_mode=None):
    """Parses a YAML model configuration (`model.to_yaml()`) and returns a model instance."""
    import yaml  # lazy: training never needs it
    return model_from_config(yaml.safe_load(yaml_string), custom_objects=custom_objects,
                             safe_mode=safe_mode)


def clone_model(model, input_tensors=None):
    """Clones a functional or Sequential model: same architecture, new (freshly
    initialized) weights; layers are rebuilt from their configs, never shared.

    # Arguments
        model: the model to clone.
        input_tensors: optional list of tensors to build the clone upon; default: new Inputs.

    # Returns
        A new model instance.
    """
    if isinstance(model, Sequential):
        return _clone_sequential_model(model, input_tensors)
    return _clone_functional_model(model, input_tensors)


def _clone_layer(layer):
    return type(layer).from_config(layer.get_config())


def _clone_functional_model(model, input_tensors=None):
    if not isinstance(model, Model):
        raise ValueError(f"Expected `model` argument to be a `Model` instance, got {model}")
    if not model._is_graph_network:
        raise ValueError(f"Cannot clone subclassed model '{model.name}': only models made "
                         "from inputs and outputs (or Sequential) can be cloned.")
    if input_tensors is None:
        input_tensors = [Input(batch_shape=layer.batch_input_shape, dtype=layer.dtype,
                               name=layer.name) for layer in model._input_layers]
    else:
        input_tensors = [_as_keras_input(x, model._input_layers[i].name)
                         for i, x in enumerate(to_list(input_tensors))]
        if len(input_tensors) != len(model.inputs):
            raise ValueError(f"Model '{model.name}' has {len(model.inputs)} inputs, but "
                             f"{len(input_tensors)} input tensors were given to clone it.")

    clones = {}

    def call_clone(node, tensors):
        layer = node.outbound_layer
        if id(layer) not in clones:
            clones[id(layer)] = _clone_layer(layer)
        outputs = clones[id(layer)](unpack_singleton(tensors), **(node.arguments or {}))
        return to_list(outputs)

    output_tensors = model._walk(input_tensors, call_clone)
    return Model(input_tensors, output_tensors, name=model.name)


def _as_keras_input(x, name):
    """`x` itself if a Keras tensor, else wrapped into a new Input layer."""
    if K.is_keras_tensor(x):
        return x
    return Input(tensor=x, name="input_wrapper_for_" + name)


def _clone_sequential_model(model, input_tensors=None):
    layers = [_clone_layer(layer) for layer in model.layers]
    if input_tensors is None:
        clone = Sequential(layers=layers, name=model.name)
        if not clone.inputs and model.inputs:
            clone.build(tuple(model.inputs[0]._keras_shape))
        return clone
    input_tensors = to_list(input_tensors)
    if len(input_tensors) != 1:
        raise ValueError("To clone a `Sequential` model, we expect at most one tensor as part "
                         "of `input_tensors`.")
    x = input_tensors[0]
    if K.is_keras_tensor(x):
        origin = x._keras_history[0]
        if not isinstance(origin, InputLayer):
            raise ValueError("Cannot clone a `Sequential` model on top of a tensor that comes "
                             f"from a Keras layer other than an `InputLayer` (it comes from "
                             f"'{origin.name}'). Use the functional API instead.")
        return Sequential(layers=[origin] + layers, name=model.name)
    input_layer = Input(tensor=x, name="input_wrapper_for_" + str(x.name))._keras_history[0]
    return Sequential(layers=[input_layer] + layers, name=model.name)
