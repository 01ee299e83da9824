"""The engine `Node`: one call of a layer, linking the layers that fed it to the layer called.

Networks walk these nodes (through each tensor's `_keras_history`) to find their graph.
"""


class Node:
    """One call of a layer: the connection between its inbound layers and its outbound layer.

    `inbound_layers[i]`, `node_indices[i]` and `tensor_indices[i]` locate where input tensor
    `i` came from: output `tensor_indices[i]` of node `node_indices[i]` of that layer. A node is
    added to `outbound_layer._inbound_nodes` and to each inbound layer's `_outbound_nodes`.
    Inputs that are not Keras tensors have None in all three lists.
    """

    def __init__(self, outbound_layer, inbound_layers, node_indices, tensor_indices,
                 input_tensors, output_tensors, input_masks, output_masks, input_shapes,
                 output_shapes, arguments=None):
        self.outbound_layer = outbound_layer
        self.inbound_layers = inbound_layers
        self.node_indices = node_indices
        self.tensor_indices = tensor_indices
        self.input_tensors = input_tensors
        self.output_tensors = output_tensors
        self.input_masks = input_masks
        self.output_masks = output_masks
        self.input_shapes = input_shapes
        self.output_shapes = output_shapes
        self.arguments = arguments
        for layer in inbound_layers:
            if layer is not None:
                layer._outbound_nodes.append(self)
        outbound_layer._inbound_nodes.append(self)

    def get_config(self):
        inbound_names = [layer.name if layer is not None else None
                         for layer in self.inbound_layers]
        return {"outbound_layer": self.outbound_layer.name, "inbound_layers": inbound_names,
                "node_indices": self.node_indices, "tensor_indices": self.tensor_indices}
