"""Layer utilities of Keras 2.2's keras.utils.layer_utils: `print_summary`, `count_params`,
`get_source_inputs`, and the weight converters for models moved between data formats.
"""
import numpy as np

from .. import backend as K
from .conv_utils import convert_kernel

# The layers whose kernels Keras 2.2 flips when a model moves between Theano and TensorFlow.
_CONVOLUTION_CLASS_NAMES = {"Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose"}


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


def convert_all_kernels_in_model(model):
    """Flips the kernels of every convolution layer of `model` (Theano <-> TensorFlow weights).

    # Arguments
        model: the model whose `Conv1D`, `Conv2D`, `Conv3D` and `Conv2DTranspose` kernels are
            converted in place.
    """
    pairs = [(layer.kernel, convert_kernel(K.get_value(layer.kernel)))
             for layer in model.layers if type(layer).__name__ in _CONVOLUTION_CLASS_NAMES]
    K.batch_set_value(pairs)


def convert_dense_weights_data_format(dense, previous_feature_map_shape,
                                      target_data_format="channels_first"):
    """Reorders the kernel rows of a `Dense` layer that follows a `Flatten` of feature maps.

    Flattening feature maps lists their values in a different order for each data format, so a
    Dense kernel trained on one order must be permuted to be used with the other.

    # Arguments
        dense: the Dense layer to convert in place.
        previous_feature_map_shape: the shape of one sample of the feature maps, in the target
            data format, e.g. `(channels, height, width)` for 'channels_first'.
        target_data_format: 'channels_first' or 'channels_last', the format to convert to.

    # Raises
        ValueError: for another data format, or when the kernel's rows do not match the
            feature map's size.
    """
    if target_data_format not in ("channels_first", "channels_last"):
        raise ValueError("convert_dense_weights_data_format: target_data_format must be "
                         "'channels_first' or 'channels_last', got "
                         f"{target_data_format!r}.")
    kernel, bias = dense.get_weights()
    shape = tuple(previous_feature_map_shape)
    if kernel.shape[0] != int(np.prod(shape)):
        raise ValueError(f"Dense '{dense.name}' has a kernel of {kernel.shape[0]} rows, but the "
                         f"feature maps of shape {shape} have {int(np.prod(shape))} values.")
    rank = len(shape)
    if target_data_format == "channels_first":
        # The rows are in channels-last order: (spatial..., channels).
        source_shape = shape[1:] + shape[:1]
        order = (rank - 1,) + tuple(range(rank - 1))
    else:
        source_shape = shape[-1:] + shape[:-1]
        order = tuple(range(1, rank)) + (0,)
    units = kernel.shape[1]
    maps = kernel.reshape(source_shape + (units,)).transpose(order + (rank,))
    dense.set_weights([maps.reshape(kernel.shape), bias])


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
