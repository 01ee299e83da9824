"""Layer utilities of Keras 2.2's keras.utils.layer_utils: `print_summary` and `count_params`."""
import numpy as np

from .. import backend as K


def count_params(weights):
    """The number of scalars in a list of weights, each distinct variable counted once.

    # Arguments
        weights: a list of variables.

    # Returns
        The total number of scalars, as an int.
    """
    distinct = {id(w): w for w in weights}
    return int(np.sum([K.count_params(w) for w in distinct.values()]))


def get_source_inputs(tensor, layer=None, node_index=None):
    """The Input tensors a tensor was computed from (see `engine.network.get_source_inputs`)."""
    from ..engine.network import get_source_inputs as find_sources
    return find_sources(tensor, layer, node_index)


def _is_sequential_like(model):
    """True when the model is a plain chain: one node per depth, one input per node, no sharing.

    Such a model is printed without the `Connected to` column (Keras 2.2's rule).
    """
    if type(model).__name__ == "Sequential" or not model._is_graph_network:
        return True
    nodes = []
    for depth_nodes in model._nodes_by_depth.values():
        if len(depth_nodes) > 1 or (len(depth_nodes) == 1
                                    and len(depth_nodes[0].inbound_layers) > 1):
            return False
        nodes += depth_nodes
    node_ids = {id(node) for node in nodes}
    for layer in model.layers:
        if sum(id(node) in node_ids for node in layer._inbound_nodes) > 1:
            return False
    return True


def _print_row(fields, positions, print_fn):
    """One row: each field cut to its column, the last character of a column a space."""
    line = ""
    for i, field in enumerate(fields):
        if i > 0:
            line = line[:-1] + " "
        line += str(field)
        line = line[:positions[i]]
        line += " " * (positions[i] - len(line))
    print_fn(line)


def _layer_rows(layer, relevant_nodes):
    """The summary rows of one layer: its name, output shape, params, and its connections."""
    try:
        output_shape = layer.output_shape
    except AttributeError:
        output_shape = "multiple"
    fields = [f"{layer.name} ({type(layer).__name__})", output_shape, layer.count_params()]
    if relevant_nodes is None:
        return [fields]
    connections = []
    for node in layer._inbound_nodes:
        if relevant_nodes and id(node) not in relevant_nodes:
            continue
        for inbound, node_index, tensor_index in zip(node.inbound_layers, node.node_indices,
                                                     node.tensor_indices):
            connections.append(f"{inbound.name}[{node_index}][{tensor_index}]")
    rows = [fields + [connections[0] if connections else ""]]
    rows += [["", "", "", connection] for connection in connections[1:]]
    return rows


def print_summary(model, line_length=None, positions=None, print_fn=None):
    """Prints a summary of a model, in Keras 2.2's format.

    # Arguments
        model: a Keras model instance.
        line_length: total length of printed lines (default 65, or 98 with connections).
        positions: relative or absolute positions of the right end of each column
            (default `[.45, .85, 1.]`, or `[.33, .55, .67, 1.]` with connections).
        print_fn: function called with each line (default `print`).
    """
    print_fn = print_fn or print
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [.45, .85, 1.]
        headers = ["Layer (type)", "Output Shape", "Param #"]
        relevant_nodes = None
    else:
        line_length = line_length or 98
        positions = positions or [.33, .55, .67, 1.]
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        relevant_nodes = {id(node) for nodes in model._nodes_by_depth.values()
                          for node in nodes}
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]

    print_fn("_" * line_length)
    _print_row(headers, positions, print_fn)
    print_fn("=" * line_length)
    layers = model.layers
    for i, layer in enumerate(layers):
        for fields in _layer_rows(layer, relevant_nodes):
            _print_row(fields, positions, print_fn)
        print_fn(("=" if i == len(layers) - 1 else "_") * line_length)

    trainable_count = count_params(getattr(model, "_collected_trainable_weights",
                                           model.trainable_weights))
    non_trainable_count = count_params(model.non_trainable_weights)
    print_fn(f"Total params: {trainable_count + non_trainable_count:,}")
    print_fn(f"Trainable params: {trainable_count:,}")
    print_fn(f"Non-trainable params: {non_trainable_count:,}")
    print_fn("_" * line_length)
