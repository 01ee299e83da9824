"""Serialization of a graph network: its config (layers and the calls connecting them), JSON
and YAML, the model rebuilt from such a config (Keras 2.2 and tf.keras forms), and the
`save` / `save_weights` / `load_weights` methods, which hand over to graphkeras.saving.
"""
import copy
import json
import types

import numpy as np

from .. import backend as K
from ..utils.generic_utils import unpack_singleton

_MODEL_CLASS_NAMES = ("Model", "Functional", "Sequential", "Network")


class GraphSerialization:
    """Mixin of `Network`: `get_config`, `from_config`, `to_json`, `to_yaml` and HDF5 files."""

    def save(self, filepath, overwrite=True, include_optimizer=True):
        """Saves the model to one HDF5 file: architecture, weights, training configuration
        and optimizer state (see `graphkeras.models.load_model`).

        # Arguments
            filepath: path of the file to write.
            overwrite: whether to replace an existing file.
            include_optimizer: whether to save the optimizer's state too.
        """
        from .. import saving  # lazy: h5py loads only when a file is written
        saving.save_model(self, filepath, overwrite=overwrite,
                          include_optimizer=include_optimizer)

    def save_weights(self, filepath, overwrite=True):
        """Saves every layer's weights to an HDF5 file, in Keras 2's layout.

        # Arguments
            filepath: path of the file to write.
            overwrite: whether to replace an existing file.
        """
        from .. import saving
        saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False):
        """Loads weights from an HDF5 file written by `save_weights` or `save` (or Keras 2).

        # Arguments
            filepath: path of the file to read.
            by_name: match layers by name instead of by order.
            skip_mismatch: with `by_name`, skip layers whose weights do not fit.
        """
        from .. import saving
        saving.load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch)

    def get_config(self):
        """The layer graph as a dict: every layer's config and the calls connecting them."""
        if not self._is_graph_network:
            raise NotImplementedError(f"Subclassed model '{self.name}' has no config: only "
                                      "models made from inputs and outputs can be serialized.")
        node_conversion = self._kept_node_indices()
        layer_configs = []
        for layer in self.layers:
            inbound_nodes = []
            for node_index, node in enumerate(layer._inbound_nodes):
                if self._node_key(layer, node_index) not in self._network_nodes:
                    continue
                if node.inbound_layers:
                    kwargs = _serializable_arguments(layer, node.arguments)
                    inbound_nodes.append([
                        [inbound.name,
                         node_conversion.get(self._node_key(inbound, inbound_index), 0),
                         tensor_index, kwargs]
                        for inbound, inbound_index, tensor_index in zip(
                            node.inbound_layers, node.node_indices, node.tensor_indices)])
            layer_configs.append({"name": layer.name, "class_name": type(layer).__name__,
                                  "config": layer.get_config(), "inbound_nodes": inbound_nodes})
        config = {"name": self.name, "layers": layer_configs,
                  "input_layers": self._endpoint_config(self._input_coordinates,
                                                        node_conversion),
                  "output_layers": self._endpoint_config(self._output_coordinates,
                                                         node_conversion)}
        return copy.deepcopy(config)

    def _kept_node_indices(self):
        """Node key -> the node's index once only this network's nodes are kept."""
        conversion = {}
        for layer in self.layers:
            # A nested network's own first node is recreated when it is deserialized.
            kept = 1 if hasattr(layer, "_is_graph_network") else 0
            for node_index in range(len(layer._inbound_nodes)):
                key = self._node_key(layer, node_index)
                if key in self._network_nodes:
                    conversion[key] = kept
                    kept += 1
        return conversion

    def _endpoint_config(self, coordinates, node_conversion):
        return [[layer.name, node_conversion[self._node_key(layer, node_index)], tensor_index]
                for layer, node_index, tensor_index in coordinates
                if self._node_key(layer, node_index) in self._network_nodes]

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        """A network rebuilt from `get_config()`'s dict (Keras 2.2 or tf.keras form).

        # Arguments
            config: the dict `get_config` returned.
            custom_objects: dict of name -> class or function for user-defined objects.
            safe_mode: passed to `layers.deserialize` (None: its default, which refuses
                Python bytecode in `Lambda` configs).

        # Returns
            A model instance.
        """
        created = {}
        pending = {}
        for layer_data in config["layers"]:
            layer = deserialize_layer(layer_data, custom_objects, safe_mode)
            created[layer_data["name"]] = layer
            pending[layer] = list(layer_data["inbound_nodes"])
        # Call each layer on its inputs once they exist. A layer's calls are replayed in their
        # order (so node indices match the config), which may take several rounds.
        while any(pending.values()):
            progress = False
            for layer, node_list in pending.items():
                while node_list and _call_on_node_data(layer, node_list[0], created):
                    node_list.pop(0)
                    progress = True
            if not progress:
                names = sorted(layer.name for layer, node_list in pending.items() if node_list)
                raise ValueError(f"Improperly formatted model config: layers {names} have "
                                 "inbound nodes that can never be computed.")
        inputs = [_endpoint_tensor(entry, created) for entry in _entries(config["input_layers"])]
        outputs = [_endpoint_tensor(entry, created)
                   for entry in _entries(config["output_layers"])]
        return cls(inputs=inputs, outputs=outputs, name=config.get("name"))

    def _updated_config(self):
        import graphkeras
        return {"class_name": type(self).__name__, "config": self.get_config(),
                "keras_version": getattr(graphkeras, "__version__", "unknown"),
                "backend": K.backend()}

    def to_json(self, **kwargs):
        """The model's architecture as a JSON string (no weights)."""
        return json.dumps(self._updated_config(), default=json_default, **kwargs)

    def to_yaml(self, **kwargs):
        """The model's architecture as a YAML string (no weights), read by `yaml.safe_load`."""
        import yaml  # lazy: training never needs it
        return yaml.safe_dump(json.loads(self.to_json()), **kwargs)


def _serializable_arguments(layer, arguments):
    """The call's keyword arguments if JSON can hold them, else {} (Keras 2.2 warns)."""
    if not arguments:
        return {}
    try:
        json.dumps(arguments)
    except TypeError:
        import warnings
        warnings.warn(f"Layer {layer.name} was passed non-serializable keyword arguments: "
                      f"{arguments}. They will not be included in the serialized model (and "
                      "thus will be missing at deserialization time).")
        return {}
    return arguments


def deserialize_layer(layer_data, custom_objects, safe_mode=None):
    """A layer from a `{'class_name', 'config'}` entry; models are handled here."""
    class_name = layer_data["class_name"]
    custom_objects = custom_objects or {}
    if class_name in _MODEL_CLASS_NAMES and class_name not in custom_objects:
        from .. import models
        cls = models.Sequential if class_name == "Sequential" else models.Model
        return cls.from_config(layer_data["config"], custom_objects=custom_objects,
                               safe_mode=safe_mode)
    from ..layers import deserialize
    return deserialize(layer_data, custom_objects=custom_objects, safe_mode=safe_mode)


def _entries(endpoints):
    """A list of `[name, node_index, tensor_index]`; tf.keras writes one entry unwrapped."""
    if endpoints and isinstance(endpoints[0], str):
        return [endpoints]
    return endpoints


def _endpoint_tensor(entry, created):
    layer_name, node_index, tensor_index = entry[:3]
    return created[layer_name]._inbound_nodes[node_index].output_tensors[tensor_index]


def _call_on_node_data(layer, node_data, created):
    """Calls `layer` on the tensors `node_data` names; False if they do not exist yet."""
    if node_data and isinstance(node_data[0], str):
        node_data = [node_data]
    input_tensors = []
    kwargs = {}
    for entry in node_data:
        if len(entry) not in (3, 4):
            raise ValueError(f"Improperly formatted model config: inbound node entry {entry} "
                             f"of layer '{layer.name}'.")
        inbound = created[entry[0]]
        if len(inbound._inbound_nodes) <= entry[1]:
            return False
        input_tensors.append(inbound._inbound_nodes[entry[1]].output_tensors[entry[2]])
        if len(entry) == 4:
            kwargs = entry[3] or {}
    layer(unpack_singleton(input_tensors), **kwargs)
    return True


def json_default(obj):
    """The JSON form of what configs hold: objects with a config, functions and classes (by
    name), NumPy values. Used by `to_json` and by graphkeras.saving for model files."""
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    if isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType)):
        return obj.__name__
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"Not JSON serializable: {obj!r}")
