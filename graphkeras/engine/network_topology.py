"""Topology bookkeeping of a graph network: which layer calls lie between its inputs and outputs.

Walking back from each output tensor through `_keras_history` finds every engine `Node` a
network needs. `GraphTopology._map_graph` records them by depth (outputs at depth 0, inputs
deepest), so that running the network (network_running.py) is a loop from the deepest depth
up, and checks the graph: no cycles, no duplicated layer names, nothing disconnected.
"""
from .input_layer import InputLayer


class GraphTopology:
    """Mixin of `Network`: the bookkeeping of a network built from inputs and outputs."""

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
