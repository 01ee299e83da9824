"""`Network`: a directed acyclic graph of layer calls, itself usable as a layer.

A graph network is made from input tensors (from `Input`) and output tensors: walking back
through each tensor's `_keras_history` finds every engine `Node` between them. Nodes are sorted
by depth (the outputs are at depth 0), and running the network on new tensors is one short loop
over the nodes, deepest first, calling each node's layer on the values computed for its inputs.
A subclassed network (a `Model` subclass with its own `call`) tracks the layers set as its
attributes instead.

This file holds the class and what it gathers from its layers (weights, losses, updates);
its concepts live beside it: network_topology.py (finding and ordering the nodes),
network_running.py (calling the graph) and network_serialization.py (configs, JSON, YAML).
"""
from .. import backend as K
from ..utils import layer_utils
from ..utils.generic_utils import has_arg, to_list
from .base_layer import Layer, Node, mask_of, unique_name
from .network_running import GraphRunner
from .network_serialization import GraphSerialization
from .network_topology import GraphTopology, get_source_inputs

__all__ = ["Network", "get_source_inputs"]


class Network(GraphTopology, GraphRunner, GraphSerialization, Layer):
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
        # Keras 2.2 names networks by the lowercased class name: `model_1`, `sequential_1`.
        self.name = name or unique_name(type(self).__name__.lower())
        self.trainable = True
        self.dtype = K.floatx()
        self._init_tracking()
        self._initial_weights = None
        self._output_cache = {}
        self.inputs = []
        self.outputs = []

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
        input_masks = [mask_of(x) for x in self.inputs]
        output_masks = [mask_of(x) for x in self.outputs]
        Node(self, inbound_layers=[], node_indices=[], tensor_indices=[],
             input_tensors=self.inputs, output_tensors=self.outputs,
             input_masks=input_masks, output_masks=output_masks,
             input_shapes=[x._keras_shape for x in self.inputs],
             output_shapes=[x._keras_shape for x in self.outputs])
        self.built = True

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

    @property
    def weights(self):
        """Every weight, layer by layer (tf.keras's `model.weights` order, also the order of
        `get_weights` in Keras 2.2 and tf.keras)."""
        weights = list(self._trainable_weights) + list(self._non_trainable_weights)
        for layer in self.layers:
            weights += layer.weights
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
        return self._gather("get_updates_for", self._per_input_updates, conditional=True)

    @property
    def losses(self):
        """Every loss of the network's layers (activity and weight regularizers, add_loss)."""
        return self._gather("get_losses_for", self._per_input_losses, conditional=True)

    def get_updates_for(self, inputs):
        if not self.trainable and not self.stateful:
            return []
        if inputs is not None:
            return super().get_updates_for(inputs)
        return self._gather("get_updates_for", self._per_input_updates, conditional=False)

    def get_losses_for(self, inputs):
        if inputs is not None:
            return super().get_losses_for(inputs)
        return self._gather("get_losses_for", self._per_input_losses, conditional=False)

    def _gather(self, getter_name, own_per_input, conditional):
        """The unconditional entries of the layers and the network (`getter_name(None)`), and
        with `conditional` those of each layer's calls inside this network, each once."""
        found = []
        for layer in self.layers:
            getter = getattr(layer, getter_name)
            if conditional:
                found += self._conditional_for(layer, getter)
            found += getter(None)
        return _distinct(found + own_per_input.get(None, []))

    def _conditional_for(self, layer, getter):
        """What `getter` returns for the inputs of each of `layer`'s nodes in this network."""
        found = []
        for node_index, node in enumerate(layer._inbound_nodes):
            # A subclassed model owns every call of the layers it created.
            if (not self._is_graph_network
                    or self._node_key(layer, node_index) in self._network_nodes):
                found += getter(node.input_tensors)
        return found

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


