"""`Network`: a directed acyclic graph of layer calls, itself usable as a layer.

A graph network is made from input tensors (from `Input`) and output tensors: walking back
through each tensor's `_keras_history` finds every engine `Node` between them. Nodes are sorted
by depth (the outputs are at depth 0), and running the network on new tensors is one short loop
over the nodes, deepest first, calling each node's layer on the values computed for its inputs.
A subclassed network (a `Model` subclass with its own `call`) tracks the layers set as its
attributes instead.
"""
import copy
import json

import numpy as np

from .. import backend as K
from ..utils import layer_utils
from ..utils.generic_utils import has_arg, object_list_uid, to_list, unpack_singleton
from .base_layer import Layer, Node, keras_output_shapes
from .input_layer import InputLayer

_MODEL_CLASS_NAMES = ("Model", "Functional", "Sequential", "Network")


class Network(Layer):
    """A graph of layers with inputs and outputs (Keras 2.2's `Network`, base of `Model`).

    # Arguments
        inputs: an input tensor or list of input tensors (from `Input`).
        outputs: an output tensor or list of output tensors.
        name: the network's name (default `model_1`, `network_1`...).

    Called with no inputs and outputs (`super().__init__()` in a subclass), the network is a
    subclassed model: its layers are the `Layer` attributes it sets, and `call` is its own.
    """

    def __init__(self, *args, **kwargs):
        _convert_legacy_keywords(kwargs)
        if (len(args) == 2 or (len(args) == 1 and "outputs" in kwargs)
                or ("inputs" in kwargs and "outputs" in kwargs)):
            self._init_graph_network(*args, **kwargs)
        else:
            self._init_subclassed_network(**kwargs)

    def _base_init(self, name=None):
        object.__setattr__(self, "_is_graph_network", False)
        self._layers = []
        self._is_compiled = False
        self._expects_training_arg = False
        self.optimizer = None
        self.supports_masking = False
        if not name:
            prefix = type(self).__name__.lower()
            name = prefix + "_" + str(K.get_uid(prefix))
        self.name = name
        self.trainable = True
        self.dtype = K.floatx()
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._losses = []
        self._updates = []
        self._per_input_losses = {}
        self._per_input_updates = {}
        self._inbound_nodes = []
        self._outbound_nodes = []
        self._initial_weights = None
        self._output_cache = {}
        self.inputs = []
        self.outputs = []
        self.built = False

    def _init_subclassed_network(self, name=None):
        self._base_init(name=name)
        self._expects_training_arg = has_arg(self.call, "training")
        self.inputs = None
        self.outputs = None

    def _init_graph_network(self, inputs, outputs, name=None):
        self._base_init(name=name)
        object.__setattr__(self, "_is_graph_network", True)
        self.inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        self.outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        self._check_endpoints()
        self._input_coordinates = [x._keras_history for x in self.inputs]
        self._output_coordinates = [x._keras_history for x in self.outputs]
        self._input_layers = [history[0] for history in self._input_coordinates]
        self._output_layers = [history[0] for history in self._output_coordinates]
        self._map_graph()
        self._check_computable()
        self._set_names_and_feeds()

        # The network's own first node links its inputs to its outputs (it is not retagged:
        # the outputs keep the history of the layers that made them).
        input_masks = [_mask_of(x) for x in self.inputs]
        output_masks = [_mask_of(x) for x in self.outputs]
        Node(self, inbound_layers=[], node_indices=[], tensor_indices=[],
             input_tensors=self.inputs, output_tensors=self.outputs,
             input_masks=input_masks, output_masks=output_masks,
             input_shapes=[x._keras_shape for x in self.inputs],
             output_shapes=[x._keras_shape for x in self.outputs])
        self.built = True

    def _check_endpoints(self):
        cls_name = type(self).__name__
        if len({id(x) for x in self.inputs}) != len(self.inputs):
            raise ValueError("The list of inputs passed to the model is redundant. All inputs "
                             f"should only appear once. Found: {self.inputs}")
        for i, x in enumerate(self.inputs):
            if not hasattr(x, "_keras_history"):
                raise ValueError(f"Input tensors to a {cls_name} must come from "
                                 f"`keras.layers.Input`. Received: {x} (missing previous "
                                 "layer metadata).")
            layer = x._keras_history[0]
            if not isinstance(layer, InputLayer):
                raise TypeError(f"Input layers to a `{cls_name}` must be `InputLayer` objects. "
                                f"Input {i} (0-based) originates from layer "
                                f"'{layer.name}' of type `{type(layer).__name__}`: use "
                                "`Input(shape)` to make model inputs.")
        for x in self.outputs:
            if not hasattr(x, "_keras_history"):
                raise ValueError(f"Output tensors to a {cls_name} must be the output of a "
                                 f"Keras `Layer` (thus holding past layer metadata). Found: {x}")

    def _map_graph(self):
        """Finds every node between inputs and outputs and sorts nodes and layers by depth."""
        nodes_in_decreasing_depth = []
        layer_indices = {}
        self._network_nodes = set()
        finished = set()
        for x in self.outputs:
            self._visit(x._keras_history, finished, nodes_in_decreasing_depth, layer_indices)
        unused_inputs = [x for x in self.inputs if id(x._keras_history[0]._inbound_nodes[0])
                         not in finished]
        for x in unused_inputs:
            self._visit(x._keras_history, finished, nodes_in_decreasing_depth, layer_indices)

        node_depths = {}
        layer_depths = {}
        for node in reversed(nodes_in_decreasing_depth):
            depth = node_depths.setdefault(id(node), 0)
            # A shared layer takes the greatest depth of its nodes, so `layers` lists it once.
            depth = max(depth, layer_depths.get(node.outbound_layer, 0))
            layer_depths[node.outbound_layer] = depth
            node_depths[id(node)] = depth
            for layer, node_index in zip(node.inbound_layers, node.node_indices):
                inbound = id(layer._inbound_nodes[node_index])
                node_depths[inbound] = max(depth + 1, node_depths.get(inbound, 0))

        # An input no output depends on is listed with the deepest layers, where inputs are.
        deepest = max(node_depths.values())
        for x in unused_inputs:
            layer = x._keras_history[0]
            node_depths[id(layer._inbound_nodes[0])] = deepest
            layer_depths[layer] = deepest

        self._nodes_by_depth = {}
        for node in nodes_in_decreasing_depth:
            self._nodes_by_depth.setdefault(node_depths[id(node)], []).append(node)
        # Within a depth no node needs another: order them by layer, then by call.
        for nodes in self._nodes_by_depth.values():
            nodes.sort(key=lambda node: (layer_indices[node.outbound_layer],
                                         node.outbound_layer._inbound_nodes.index(node)))
        self._layers_by_depth = {}
        for layer, depth in layer_depths.items():
            self._layers_by_depth.setdefault(depth, []).append(layer)
        self._layers = []
        for depth in sorted(self._layers_by_depth, reverse=True):
            self._layers += sorted(self._layers_by_depth[depth], key=lambda l: layer_indices[l])
        names = [layer.name for layer in self._layers]
        for name in names:
            if names.count(name) != 1:
                raise ValueError(f"The name \"{name}\" is used {names.count(name)} times in the "
                                 "model. All layer names should be unique.")

    def _visit(self, history, finished, ordered, layer_indices):
        """Depth-first walk from one tensor's history, recording nodes after their inputs."""
        stack = [(history, False)]
        in_progress = set()
        while stack:
            (layer, node_index, _), inputs_done = stack.pop()
            if layer is None:
                raise ValueError(f"Model '{self.name}': a layer was called on a tensor that "
                                 "does not come from a Keras layer or `Input`; make model "
                                 "inputs with `Input(shape)` (or `Input(tensor=t)`).")
            node = layer._inbound_nodes[node_index]
            if inputs_done:
                in_progress.discard(id(node))
                if id(node) not in finished:
                    finished.add(id(node))
                    ordered.append(node)
                continue
            if id(node) in finished:
                continue
            if id(node) in in_progress:
                raise ValueError(f"The tensor {node.output_tensors} at layer \"{layer.name}\" "
                                 "is part of a cycle.")
            in_progress.add(id(node))
            self._network_nodes.add(self._node_key(layer, node_index))
            layer_indices.setdefault(layer, len(layer_indices))
            stack.append(((layer, node_index, None), True))
            inbound = list(zip(node.inbound_layers, node.node_indices, node.tensor_indices))
            for entry in reversed(inbound):
                stack.append((entry, False))

    def _check_computable(self):
        """Raises 'Graph disconnected' if an output needs a tensor that no input provides."""
        computable = {id(x) for x in self.inputs}
        done = []
        for depth in sorted(self._nodes_by_depth, reverse=True):
            for node in self._nodes_by_depth[depth]:
                layer = node.outbound_layer
                for x in node.input_tensors:
                    if id(x) not in computable:
                        raise ValueError(
                            f"Graph disconnected: cannot obtain value for tensor {x} at layer "
                            f"\"{layer.name}\". The following previous layers were accessed "
                            f"without issue: {done}")
                computable.update(id(x) for x in node.output_tensors)
                done.append(layer.name)

    def _set_names_and_feeds(self):
        self.input_names = [layer.name for layer in self._input_layers]
        self.output_names = [layer.name for layer in self._output_layers]
        self._feed_inputs = []
        self._feed_input_names = []
        self._feed_input_shapes = []
        for layer, x in zip(self._input_layers, self.inputs):
            if layer.is_placeholder:
                self._feed_inputs.append(x)
                self._feed_input_names.append(layer.name)
                self._feed_input_shapes.append(x._keras_shape)

    @staticmethod
    def _node_key(layer, node_index):
        return layer.name + "_ib-" + str(node_index)

    def __setattr__(self, name, value):
        # A subclassed model tracks the layers it sets as attributes (Keras 2.2).
        if isinstance(value, Layer):
            try:
                is_graph_network = self._is_graph_network
            except AttributeError:
                raise RuntimeError("It looks like you are subclassing `Model` and you forgot to "
                                   "call `super().__init__()`. Always start with this line.")
            if not is_graph_network and not any(value is layer for layer in self._layers):
                self._layers.append(value)
        object.__setattr__(self, name, value)

    # ------------------------------------------------------------------ layers and weights

    @property
    def layers(self):
        return self._layers

    def get_layer(self, name=None, index=None):
        """Retrieves a layer by its name (unique) or index (in `layers`, bottom-up).

        # Arguments
            name: the layer's name.
            index: the layer's index in `model.layers`.

        # Returns
            A layer instance.

        # Raises
            ValueError: if no such layer exists.
        """
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only "
                                 f"has {len(self.layers)} layers.")
            return self.layers[index]
        if not name:
            raise ValueError("Provide either a layer name or layer index.")
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. The model '{self.name}' has layers: "
                         f"{[layer.name for layer in self.layers]}")

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        weights = list(self._trainable_weights)
        for layer in self.layers:
            weights += layer.trainable_weights
        return _distinct(weights)

    @property
    def non_trainable_weights(self):
        weights = list(self._non_trainable_weights)
        for layer in self.layers:
            weights += layer.non_trainable_weights
        if not self.trainable:
            trainable = list(self._trainable_weights)
            for layer in self.layers:
                trainable += layer.trainable_weights
            weights = trainable + weights
        return _distinct(weights)

    def get_weights(self):
        """All weight values, layer by layer, as a list of NumPy arrays."""
        weights = []
        for layer in self.layers:
            weights += layer.weights
        return K.batch_get_value(weights)

    def set_weights(self, weights):
        """Sets all weights from a list of NumPy arrays in `get_weights` order."""
        expected = sum(len(layer.weights) for layer in self.layers)
        if len(weights) != expected:
            raise ValueError(f"Model '{self.name}' expects {expected} weight arrays in "
                             f"set_weights, got {len(weights)}.")
        start = 0
        for layer in self.layers:
            count = len(layer.weights)
            if count:
                layer.set_weights(list(weights[start:start + count]))
            start += count

    def count_params(self):
        if not self.built:
            if type(self).__name__ == "Sequential":
                self.build()
            if not self.built:
                raise RuntimeError(f"You tried to call `count_params` on {self.name}, but the "
                                   "model isn't built. Build it first by calling it on a "
                                   "tensor, `build(batch_input_shape)` or `fit`.")
        return layer_utils.count_params(self.weights)

    # ------------------------------------------------------------ updates, losses, state

    @property
    def updates(self):
        """Every update of the network's layers, those of other calls of shared layers left out."""
        if not self.trainable and not self.stateful:
            return []
        updates = []
        for layer in self.layers:
            updates += self._conditional_for(layer, layer.get_updates_for)
            updates += layer.get_updates_for(None)
        return _distinct(updates + self._per_input_updates.get(None, []))

    @property
    def losses(self):
        """Every loss of the network's layers (activity and weight regularizers, add_loss)."""
        losses = []
        for layer in self.layers:
            losses += self._conditional_for(layer, layer.get_losses_for)
            losses += layer.get_losses_for(None)
        return _distinct(losses + self._per_input_losses.get(None, []))

    def _conditional_for(self, layer, getter):
        """What `getter` returns for the inputs of each of `layer`'s nodes in this network."""
        found = []
        for node_index, node in enumerate(layer._inbound_nodes):
            # A subclassed model owns every call of the layers it created.
            if (not self._is_graph_network
                    or self._node_key(layer, node_index) in self._network_nodes):
                found += getter(node.input_tensors)
        return found

    def get_updates_for(self, inputs):
        if not self.trainable and not self.stateful:
            return []
        if inputs is not None:
            return super().get_updates_for(inputs)
        updates = list(self._per_input_updates.get(None, []))
        for layer in self.layers:
            updates += layer.get_updates_for(None)
        return _distinct(updates)

    def get_losses_for(self, inputs):
        if inputs is not None:
            return super().get_losses_for(inputs)
        losses = list(self._per_input_losses.get(None, []))
        for layer in self.layers:
            losses += layer.get_losses_for(None)
        return _distinct(losses)

    @property
    def stateful(self):
        return any(getattr(layer, "stateful", False) for layer in self.layers)

    @property
    def state_updates(self):
        """The updates of stateful layers (RNN states), run at predict time as well."""
        updates = []
        for layer in self.layers:
            if getattr(layer, "stateful", False):
                updates += layer.updates
        return updates

    def reset_states(self):
        for layer in self.layers:
            if hasattr(layer, "reset_states") and getattr(layer, "stateful", False):
                layer.reset_states()

    @property
    def uses_learning_phase(self):
        return any(getattr(x, "_uses_learning_phase", False) for x in self.outputs or [])

    @property
    def input_spec(self):
        """The specs of the input layers (None each for `InputLayer`s), as Keras 2.2."""
        if not self._is_graph_network:
            return None
        specs = []
        for layer in self._input_layers:
            specs += to_list(layer.input_spec) if layer.input_spec is not None else [None]
        return specs[0] if len(specs) == 1 else specs

    # ------------------------------------------------------------------------ running

    def _walk(self, input_values, step):
        """Propagates values from the inputs through every node, deepest first.

        `step(node, values)` gets the values of the node's input tensors and returns those of
        its output tensors. Returns the values of the network's outputs.
        """
        values = {id(x): value for x, value in zip(self.inputs, input_values)}
        for depth in sorted(self._nodes_by_depth, reverse=True):
            for node in self._nodes_by_depth[depth]:
                if not node.inbound_layers:
                    continue
                inputs = [values[id(x)] for x in node.input_tensors]
                for x, value in zip(node.output_tensors, step(node, inputs)):
                    values[id(x)] = value
        return [values[id(x)] for x in self.outputs]

    def call(self, inputs, training=None, mask=None):
        """Runs the layer graph on new tensors; returns the output tensor(s).

        `training` (tf.keras style) is passed to every layer whose `call` takes it and whose
        node did not fix it.
        """
        if not self._is_graph_network:
            raise NotImplementedError(f"Subclassed model '{self.name}' must define `call`.")
        outputs, _ = self.run_internal_graph(to_list(inputs), _mask_list(mask, inputs),
                                             training=training)
        return unpack_singleton(outputs)

    def compute_mask(self, inputs, mask=None):
        if not self._is_graph_network:
            return None
        _, masks = self.run_internal_graph(to_list(inputs), _mask_list(mask, inputs))
        return unpack_singleton(masks)

    def run_internal_graph(self, inputs, masks=None, training=None):
        """Calls every layer on the tensors computed for its inputs.

        # Returns
            A pair (output tensors, output masks), cached per (inputs, masks, training).
        """
        masks = masks or [None] * len(inputs)
        if len(inputs) != len(self.inputs):
            raise ValueError(f"Model '{self.name}' expects {len(self.inputs)} input(s), but it "
                             f"received {len(inputs)} input tensors.")
        key = object_list_uid(inputs) + "_" + object_list_uid(masks) + "_" + str(training)
        cached = self._output_cache.get(key)
        # The cache holds the inputs too: an id can be reused once its tensor is freed.
        if cached is None or not all(a is b for a, b in zip(cached[0], inputs + masks)):
            results = self._walk(list(zip(inputs, masks)),
                                 lambda node, data: self._run_node(node, data, inputs, training))
            cached = (inputs + masks, [tensor for tensor, _ in results],
                      [mask for _, mask in results])
            self._output_cache[key] = cached
        return cached[1], cached[2]

    def _run_node(self, node, data, network_inputs, training=None):
        """Calls `node`'s layer on new (tensor, mask) pairs; returns its (tensor, mask) pairs."""
        layer = node.outbound_layer
        tensors = [tensor for tensor, _ in data]
        x = unpack_singleton(tensors)
        mask = unpack_singleton([m for _, m in data])
        kwargs = dict(node.arguments or {})
        if "mask" not in kwargs and has_arg(layer.call, "mask"):
            kwargs["mask"] = mask
        if training is not None and "training" not in kwargs and has_arg(layer.call, "training"):
            kwargs["training"] = training
        layer.assert_input_compatibility(x)
        with K.name_scope(layer.name):
            outputs = to_list(layer.call(x, **kwargs))
            output_masks = layer.compute_mask(x, mask)
        output_masks = [None] * len(outputs) if output_masks is None else to_list(output_masks)

        activity_regularizer = getattr(layer, "activity_regularizer", None)
        if activity_regularizer is not None:
            layer.add_loss([activity_regularizer(y) for y in outputs], inputs=tensors)
        # Updates and losses of this call are owned by the network's call on its inputs.
        self.add_update(layer.get_updates_for(tensors), network_inputs)
        self.add_loss(layer.get_losses_for(tensors), network_inputs)

        input_shapes = [getattr(t, "_keras_shape", None) for t in tensors]
        shapes = keras_output_shapes(layer, unpack_singleton(input_shapes), outputs)
        uses_learning_phase = any(getattr(t, "_uses_learning_phase", False) for t in tensors)
        for y, shape in zip(outputs, shapes):
            y._keras_shape = shape
            y._uses_learning_phase = (getattr(y, "_uses_learning_phase", False)
                                      or uses_learning_phase)
        return list(zip(outputs, output_masks))

    def _output_shape_for(self, input_shape, outputs):
        # The outputs of a run carry the shapes each inner layer's rule gave them.
        return unpack_singleton([getattr(y, "_keras_shape", None) or K.int_shape(y)
                                 for y in outputs])

    def compute_output_shape(self, input_shape):
        """The output shape(s) for these input shape(s), by a walk over the layer graph."""
        if not self._is_graph_network:
            raise NotImplementedError(f"Subclassed model '{self.name}' has no static output "
                                      "shape rule; the output's shape is taken from the graph.")
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        if len(shapes) != len(self._input_layers):
            raise ValueError(f"Invalid input_shape argument {input_shape}: model "
                             f"'{self.name}' has {len(self._input_layers)} tensor inputs.")

        def step(node, node_shapes):
            out = node.outbound_layer.compute_output_shape(unpack_singleton(node_shapes))
            return out if isinstance(out, list) else [out]

        return unpack_singleton([tuple(s) for s in self._walk(shapes, step)])

    def _set_inputs(self, inputs, outputs=None, training=None):
        """Sets a subclassed model's inputs from arrays or tensors, and its outputs by `call`."""
        if self.inputs:
            raise ValueError(f"Model '{self.name}' inputs are already set.")
        self.inputs = []
        self.input_names = []
        self._feed_inputs = []
        self._feed_input_names = []
        self._feed_input_shapes = []
        for i, value in enumerate(to_list(inputs, allow_tuple=True)):
            name = f"input_{i + 1}"
            self.input_names.append(name)
            if isinstance(value, list):
                value = np.asarray(value)
                if value.ndim == 1:
                    value = np.expand_dims(value, 1)
            if isinstance(value, np.ndarray):
                value = K.placeholder(shape=(None,) + value.shape[1:], name=name)
            self.inputs.append(value)
            if K.is_placeholder(value):
                self._feed_inputs.append(value)
                self._feed_input_names.append(name)
                self._feed_input_shapes.append(K.int_shape(value))
        if outputs is None:
            call_inputs = unpack_singleton(self.inputs)
            if self._expects_training_arg:
                outputs = self.call(call_inputs, training=training)
            else:
                outputs = self.call(call_inputs)
        self.outputs = to_list(outputs, allow_tuple=True)
        self.output_names = [f"output_{i + 1}" for i in range(len(self.outputs))]
        self.built = True

    # ------------------------------------------------------------------ serialization

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
            kept = 1 if isinstance(layer, Network) else 0
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
            layer = _deserialize_layer(layer_data, custom_objects, safe_mode)
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
        return json.dumps(self._updated_config(), default=_json_default, **kwargs)

    def to_yaml(self, **kwargs):
        """The model's architecture as a YAML string (no weights), read by `yaml.safe_load`."""
        import yaml  # lazy: training never needs it
        return yaml.safe_dump(json.loads(self.to_json()), **kwargs)

    def summary(self, line_length=None, positions=None, print_fn=None):
        """Prints a summary of the network (Keras 2.2 format).

        # Arguments
            line_length: total length of printed lines.
            positions: relative or absolute positions of the column ends.
            print_fn: the print function (default `print`), called once per line.
        """
        if not self.built:
            raise ValueError("This model has not yet been built. Build the model first by "
                             "calling build() or calling fit() with some data. Or specify "
                             "input_shape or batch_input_shape in the first layer for "
                             "automatic build. ")
        layer_utils.print_summary(self, line_length=line_length, positions=positions,
                                  print_fn=print_fn)

    def __repr__(self):
        return f"<{type(self).__name__} '{self.name}'>"


def get_source_inputs(tensor, layer=None, node_index=None):
    """The list of input tensors (from `Input`) that `tensor` was computed from.

    # Arguments
        tensor: the tensor to start from.
        layer: origin layer of the tensor (found from its history if None).
        node_index: origin node index of the tensor.

    # Returns
        A list of input tensors.
    """
    if not hasattr(tensor, "_keras_history"):
        return tensor
    if layer is None or node_index:
        layer, node_index, _ = tensor._keras_history
    if not layer._inbound_nodes:
        return [tensor]
    node = layer._inbound_nodes[node_index]
    if not node.inbound_layers:
        return node.input_tensors
    sources = []
    for x, inbound, inbound_index in zip(node.input_tensors, node.inbound_layers,
                                         node.node_indices):
        for source in get_source_inputs(x, inbound, inbound_index):
            if not any(source is s for s in sources):
                sources.append(source)
    return sources


def _convert_legacy_keywords(kwargs):
    """Keras 1's `Model(input=..., output=...)`, renamed as Keras 2.2 does, with its warning."""
    legacy = [name for name in ("input", "output") if name in kwargs]
    if not legacy:
        return
    import warnings
    for name in legacy:
        kwargs[name + "s"] = kwargs.pop(name)
    warnings.warn("Update your `Model` call to the Keras 2 API: "
                  "`Model(inputs=..., outputs=...)`", stacklevel=3)


def _distinct(items):
    """The items in order, each object once (tensors and update pairs compared by identity)."""
    seen = set()
    kept = []
    for item in items:
        key = tuple(id(part) for part in item) if isinstance(item, tuple) else id(item)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def _mask_of(x):
    layer, node_index, tensor_index = x._keras_history
    return layer._inbound_nodes[node_index].output_masks[tensor_index]


def _mask_list(mask, inputs):
    if mask is None:
        return [None] * len(to_list(inputs))
    return to_list(mask)


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


def _deserialize_layer(layer_data, custom_objects, safe_mode=None):
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


def _json_default(obj):
    """JSON form of the NumPy values and objects that configs may hold."""
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, type):
        return obj.__name__
    raise TypeError(f"Not JSON Serializable: {obj!r}")
