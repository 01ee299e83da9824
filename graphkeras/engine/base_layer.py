"""The Keras 2 `Layer` (with `InputSpec` from input_spec.py and the engine `Node` from node.py,
re-exported here as in Keras 2.2's keras/engine/base_layer.py).

Calling a layer on a symbolic tensor builds the layer (once), checks the input against
`input_spec`, runs `call`, and records the call as an engine `Node`: which layers and which of
their nodes and output tensors fed it. Every output tensor is tagged with `_keras_history =
(layer, node_index, tensor_index)` and `_keras_shape`, exactly as in Keras 2.2, so a `Network`
can later walk the graph of layer calls back from its outputs.
"""
from .. import backend as K
from .. import constraints, initializers, regularizers
from ..utils.generic_utils import (has_arg, is_all_none, object_list_uid, to_list,
                                   to_snake_case, unpack_singleton)
from ..utils.layer_utils import count_params
from .input_spec import InputSpec, check_input_spec, shape_text
from .node import Node

__all__ = ["Layer", "InputSpec", "Node"]

_LAYER_KWARGS = {"input_shape", "batch_input_shape", "batch_size", "dtype", "name", "trainable",
                 "weights", "input_dtype", "input_dim"}


def _layer_name_prefix(class_name):
    """`Conv2DTranspose` -> `conv2d_transpose`; a private class gets the prefix `private`."""
    prefix = to_snake_case(class_name)
    if prefix.startswith("_"):
        return "private" + prefix
    return prefix


def unique_name(prefix):
    """`prefix_1`, `prefix_2`...: numbered per prefix until `K.clear_session()`."""
    return prefix + "_" + str(K.get_uid(prefix))


def _dtype_name(dtype):
    """A dtype name; tf.keras configs may hold a dtype policy `{'config': {'name': ...}}`."""
    if isinstance(dtype, dict):
        return dtype.get("config", {}).get("name")
    return dtype


class Layer:
    """Abstract base layer class (Keras 2 `Layer`).

    Subclasses implement `build(input_shape)` (create weights with `add_weight`),
    `call(inputs, **kwargs)`, `compute_output_shape(input_shape)` and, if they change the
    shape of masks, `compute_mask`; and `get_config` for serialization.

    # Arguments (keyword only)
        input_shape: shape tuple without the batch axis (first layer of a model).
        batch_input_shape: shape tuple including the batch axis.
        batch_size: fixed batch size, used with `input_shape`.
        input_dim: shorthand for `input_shape=(input_dim,)`.
        dtype: dtype of the layer's weights and (for a first layer) its input.
        name: unique name of the layer; `dense_1`, `dense_2`... by default.
        trainable: whether the layer's weights are updated by training.
        weights: initial weight values, set when the layer is built.
    """

    def __init__(self, **kwargs):
        for kwarg in kwargs:
            if kwarg not in _LAYER_KWARGS:
                raise TypeError(f"{type(self).__name__}: keyword argument not understood: "
                                f"'{kwarg}'")
        self.input_spec = None
        self.supports_masking = False
        self.stateful = False
        self._init_tracking()
        self.name = kwargs.get("name") or unique_name(_layer_name_prefix(type(self).__name__))
        self.trainable = kwargs.get("trainable", True)

        batch_input_shape = self._batch_input_shape_from(kwargs)
        if batch_input_shape is not None:
            self.batch_input_shape = batch_input_shape
        self.dtype = _dtype_name(kwargs.get("dtype") or kwargs.get("input_dtype")) or K.floatx()
        self._initial_weights = kwargs.get("weights")

    def _init_tracking(self):
        """Empty lists of weights, losses, updates and nodes: the state every layer tracks."""
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._losses = []
        self._updates = []
        self._per_input_losses = {}
        self._per_input_updates = {}
        self._inbound_nodes = []
        self._outbound_nodes = []
        self.built = False

    @staticmethod
    def _batch_input_shape_from(kwargs):
        """The batch input shape given by `batch_input_shape`, `input_shape` or `input_dim`."""
        if kwargs.get("batch_input_shape") is not None:
            return tuple(kwargs["batch_input_shape"])
        input_shape = kwargs.get("input_shape")
        if input_shape is None and kwargs.get("input_dim") is not None:
            input_shape = (kwargs["input_dim"],)
        if input_shape is None:
            return None
        return (kwargs.get("batch_size"),) + tuple(input_shape)

    # ----------------------------------------------------------------------------- weights

    @property
    def trainable_weights(self):
        if self.trainable:
            return self._trainable_weights
        return []

    @trainable_weights.setter
    def trainable_weights(self, weights):
        # Keras 1 custom layers assign `self.trainable_weights = [self.W]` in `build`.
        self._trainable_weights = list(weights)

    @property
    def non_trainable_weights(self):
        if self.trainable:
            return self._non_trainable_weights
        return self._trainable_weights + self._non_trainable_weights

    @non_trainable_weights.setter
    def non_trainable_weights(self, weights):
        self._non_trainable_weights = list(weights)

    @property
    def weights(self):
        return self.trainable_weights + self.non_trainable_weights

    def add_weight(self, name=None, shape=None, dtype=None, initializer=None, regularizer=None,
                   trainable=True, constraint=None):
        """Adds a weight variable to the layer.

        # Arguments
            name: the weight's name; the variable is named `<layer>/<name>:0` when created
                inside the layer's `build` called from `__call__`.
            shape: the weight's shape tuple.
            dtype: the weight's dtype (default `K.floatx()`).
            initializer: an initializer name, instance or callable `(shape, dtype)`.
            regularizer: a regularizer; its penalty is added to the layer's losses.
            trainable: whether the weight is trained (listed in `trainable_weights`).
            constraint: a constraint applied by the optimizer after each update.

        # Returns
            The weight variable.
        """
        if shape is None:
            raise ValueError(f"{type(self).__name__} '{self.name}': add_weight('{name}') needs a "
                             "shape.")
        initializer = initializers.get(initializer or "glorot_uniform")
        regularizer = regularizers.get(regularizer)
        constraint = constraints.get(constraint)
        dtype = dtype or K.floatx()
        shape = tuple(int(d) if d is not None else d for d in shape)
        if any(d is None for d in shape):
            raise ValueError(f"{type(self).__name__} '{self.name}': weight '{name}' needs a fully "
                             f"known shape, got {shape_text(shape)}.")
        weight = K.variable(initializer(shape, dtype=dtype), dtype=dtype,
                            name=name or "Variable", constraint=constraint)
        if regularizer is not None:
            with K.name_scope("weight_regularizer"):
                self.add_loss(regularizer(weight))
        if trainable:
            self._trainable_weights.append(weight)
        else:
            self._non_trainable_weights.append(weight)
        return weight

    def get_weights(self):
        """The layer's weight values, as a list of NumPy arrays (`weights` order)."""
        return K.batch_get_value(self.weights)

    def set_weights(self, weights):
        """Sets the layer's weights from a list of NumPy arrays (`get_weights` order)."""
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(
                f"You called `set_weights(weights)` on layer \"{self.name}\" with a weight list "
                f"of length {len(weights)}, but the layer was expecting {len(params)} weights. "
                f"Provided weights: {str(weights)[:50]}...")
        pairs = []
        for param, value in zip(params, weights):
            expected = K.int_shape(param)
            actual = tuple(getattr(value, "shape", ()))
            if expected != actual:
                raise ValueError(f"Layer '{self.name}' weight '{param.name}' has shape "
                                 f"{expected}, not compatible with provided weight shape "
                                 f"{actual}.")
            pairs.append((param, value))
        K.batch_set_value(pairs)

    def count_params(self):
        """The number of scalars in the layer's weights."""
        if not self.built:
            raise RuntimeError(f"You tried to call `count_params` on {self.name}, but the layer "
                               "isn't built. You can build it manually via: "
                               f"`{self.name}.build(batch_input_shape)`.")
        return count_params(self.weights)

    # ------------------------------------------------------------------ losses and updates

    @property
    def losses(self):
        return self._losses

    @property
    def updates(self):
        if not self.trainable and not self.stateful:
            return []
        return self._updates

    def add_loss(self, losses, inputs=None):
        """Adds loss tensors, conditional on `inputs` (None: unconditional, e.g. weight decay)."""
        if losses is None or (isinstance(losses, list) and not losses):
            return
        losses = to_list(losses)
        self._losses += losses
        key = self._inputs_key(inputs)
        self._per_input_losses.setdefault(key, [])
        self._per_input_losses[key] += losses

    def add_update(self, updates, inputs=None):
        """Adds update pairs, conditional on `inputs` (BatchNormalization's moving averages)."""
        if updates is None or (isinstance(updates, list) and not updates):
            return
        updates = to_list(updates)
        self._updates += updates
        key = self._inputs_key(inputs)
        self._per_input_updates.setdefault(key, [])
        self._per_input_updates[key] += updates

    def get_updates_for(self, inputs):
        """The updates added for exactly these inputs (None: the unconditional updates)."""
        if not self.trainable and not self.stateful:
            return []
        return self._per_input_updates.get(self._inputs_key(inputs), [])

    def get_losses_for(self, inputs):
        """The losses added for exactly these inputs (None: the unconditional losses)."""
        return self._per_input_losses.get(self._inputs_key(inputs), [])

    @staticmethod
    def _inputs_key(inputs):
        if inputs is None or (isinstance(inputs, list) and not inputs):
            return None
        return object_list_uid(inputs)

    # ------------------------------------------------------------------------ the contract

    def build(self, input_shape):
        """Creates the layer's weights; called once, on the first call."""
        self.built = True

    def call(self, inputs, **kwargs):
        """The layer's logic: returns the output tensor(s). The base layer is the identity."""
        return inputs

    def compute_output_shape(self, input_shape):
        """The output shape for `input_shape`; the base layer keeps the shape."""
        return input_shape

    def compute_mask(self, inputs, mask=None):
        """The output mask; a layer that does not support masking refuses an input mask."""
        if not self.supports_masking:
            if not is_all_none(mask):
                raise TypeError(f"Layer {self.name} does not support masking, but was passed an "
                                f"input_mask: {mask!r}")
            return None
        return mask

    def get_config(self):
        """The layer's constructor arguments, as a JSON-serializable dict."""
        config = {"name": self.name, "trainable": self.trainable}
        if hasattr(self, "batch_input_shape"):
            config["batch_input_shape"] = self.batch_input_shape
        config["dtype"] = self.dtype
        return config

    @classmethod
    def from_config(cls, config):
        """A layer built from `get_config()`'s dict."""
        return cls(**config)

    # --------------------------------------------------------------------------- calling

    def __call__(self, inputs, **kwargs):
        """Builds the layer if needed, runs `call`, and records the call as a `Node`.

        # Arguments
            inputs: a tensor or a list of tensors.
            **kwargs: passed to `call` (`training`, `mask`...).

        # Returns
            The output tensor(s), tagged with `_keras_history` and `_keras_shape`.
        """
        if isinstance(inputs, list):
            inputs = inputs[:]
        with K.name_scope(self.name):
            if not self.built:
                self.assert_input_compatibility(inputs)
                self.build(unpack_singleton(_input_shapes(inputs)))
                self.built = True
                if self._initial_weights is not None:
                    self.set_weights(self._initial_weights)
            self.assert_input_compatibility(inputs)

            previous_mask = _previous_masks(inputs)
            user_kwargs = dict(kwargs)
            if (not is_all_none(previous_mask) and has_arg(self.call, "mask")
                    and "mask" not in kwargs):
                kwargs["mask"] = previous_mask
            input_shape = unpack_singleton(_input_shapes(inputs))
            output = self.call(inputs, **kwargs)
            output_mask = masks_per_output(self, self.compute_mask(inputs, previous_mask),
                                           len(to_list(output)))

            # A layer that returns one of its inputs unchanged would otherwise overwrite that
            # tensor's history; give the output its own identity (as Keras 2.2 does).
            input_list = to_list(inputs)
            outputs = [K.identity(x) if any(x is y for y in input_list) else x
                       for x in to_list(output)]
            output = unpack_singleton(outputs)
            output_shape = self._output_shape_for(input_shape, outputs)
            self._add_inbound_node(input_tensors=inputs, output_tensors=output,
                                   input_masks=previous_mask, output_masks=output_mask,
                                   input_shapes=input_shape, output_shapes=output_shape,
                                   arguments=user_kwargs)
            activity_regularizer = getattr(self, "activity_regularizer", None)
            if activity_regularizer is not None:
                with K.name_scope("activity_regularizer"):
                    penalties = [activity_regularizer(x) for x in to_list(output)]
                self.add_loss(penalties, inputs=to_list(inputs))
        return output

    def _output_shape_for(self, input_shape, outputs):
        """The Keras shape(s) of this call's outputs (see `keras_output_shapes`)."""
        return unpack_singleton(keras_output_shapes(self, input_shape, outputs))

    def _add_inbound_node(self, input_tensors, output_tensors, input_masks, output_masks,
                          input_shapes, output_shapes, arguments=None):
        """Records a call as a new `Node` and tags the outputs with their history."""
        input_tensors = to_list(input_tensors)
        output_tensors = to_list(output_tensors)
        input_masks = to_list(input_masks)
        output_masks = to_list(output_masks)
        input_shapes = _shape_list(input_shapes)
        output_shapes = _shape_list(output_shapes)
        histories = [getattr(x, "_keras_history", (None, None, None)) for x in input_tensors]
        Node(self,
             inbound_layers=[h[0] for h in histories],
             node_indices=[h[1] for h in histories],
             tensor_indices=[h[2] for h in histories],
             input_tensors=input_tensors, output_tensors=output_tensors,
             input_masks=input_masks, output_masks=output_masks,
             input_shapes=input_shapes, output_shapes=output_shapes, arguments=arguments)
        uses_learning_phase = (getattr(self, "uses_learning_phase", False)
                               or any(getattr(x, "_uses_learning_phase", False)
                                      for x in input_tensors))
        node_index = len(self._inbound_nodes) - 1
        for i, x in enumerate(output_tensors):
            x._keras_shape = output_shapes[i] if i < len(output_shapes) else K.int_shape(x)
            x._uses_learning_phase = (getattr(x, "_uses_learning_phase", False)
                                      or uses_learning_phase)
            x._keras_history = (self, node_index, i)

    def assert_input_compatibility(self, inputs):
        """Checks `inputs` against `self.input_spec`; raises naming the layer and the shapes."""
        inputs = to_list(inputs)
        for x in inputs:
            if not K.is_tensor(x):
                raise ValueError(f"Layer {self.name} was called with an input that isn't a "
                                 f"symbolic tensor. Received type: {type(x)}. Full input: "
                                 f"{inputs}. All inputs to the layer should be tensors.")
        if not self.input_spec:
            return
        specs = to_list(self.input_spec)
        if len(inputs) != len(specs):
            raise ValueError(f"{type(self).__name__} '{self.name}' expects {len(specs)} "
                             f"input(s), but it received {len(inputs)} input tensors. "
                             f"Input received: {inputs}")
        for index, (x, spec) in enumerate(zip(inputs, specs)):
            if spec is not None:
                which = "inputs" if len(specs) == 1 else f"input {index}"
                check_input_spec(self, spec, x, which)

    # ------------------------------------------------------- inputs and outputs of nodes

    @property
    def inbound_nodes(self):
        return self._inbound_nodes

    @property
    def outbound_nodes(self):
        return self._outbound_nodes

    def _get_node_attribute_at_index(self, node_index, attr, attr_name):
        if not self._inbound_nodes:
            raise RuntimeError("The layer has never been called and thus has no defined "
                               f"{attr_name}.")
        if not len(self._inbound_nodes) > node_index:
            raise ValueError(f"Asked to get {attr_name} at node {node_index}, but the layer has "
                             f"only {len(self._inbound_nodes)} inbound nodes.")
        return unpack_singleton(getattr(self._inbound_nodes[node_index], attr))

    def get_input_at(self, node_index):
        """The input tensor(s) of the layer's call number `node_index`."""
        return self._get_node_attribute_at_index(node_index, "input_tensors", "input")

    def get_output_at(self, node_index):
        """The output tensor(s) of the layer's call number `node_index`."""
        return self._get_node_attribute_at_index(node_index, "output_tensors", "output")

    def get_input_shape_at(self, node_index):
        """The input shape(s) of the layer's call number `node_index`."""
        return self._get_node_attribute_at_index(node_index, "input_shapes", "input shape")

    def get_output_shape_at(self, node_index):
        """The output shape(s) of the layer's call number `node_index`."""
        return self._get_node_attribute_at_index(node_index, "output_shapes", "output shape")

    def get_input_mask_at(self, node_index):
        """The input mask(s) of the layer's call number `node_index`."""
        return self._get_node_attribute_at_index(node_index, "input_masks", "input mask")

    def get_output_mask_at(self, node_index):
        """The output mask(s) of the layer's call number `node_index`."""
        return self._get_node_attribute_at_index(node_index, "output_masks", "output mask")

    @property
    def input(self):
        """The input tensor(s); only defined when the layer has exactly one inbound node."""
        return self._only_node_attribute("input_tensors", "input", "get_input_at")

    @property
    def output(self):
        """The output tensor(s); only defined when the layer has exactly one inbound node."""
        return self._only_node_attribute("output_tensors", "output", "get_output_at")

    @property
    def input_mask(self):
        return self._only_node_attribute("input_masks", "input mask", "get_input_mask_at")

    @property
    def output_mask(self):
        return self._only_node_attribute("output_masks", "output mask", "get_output_mask_at")

    def _only_node_attribute(self, attr, attr_name, accessor):
        """`attr` of the layer's one inbound node, with Keras 2.2's errors for none or several."""
        if len(self._inbound_nodes) > 1:
            raise AttributeError(f"Layer {self.name} has multiple inbound nodes, hence the "
                                 f"notion of \"layer {attr_name}\" is ill-defined. Use "
                                 f"`{accessor}(node_index)` instead.")
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} has no inbound nodes: it is not "
                                 f"connected, no {attr_name} to return.")
        return self._get_node_attribute_at_index(0, attr, attr_name)

    @property
    def input_shape(self):
        """The input shape(s); defined when every inbound node has the same input shapes."""
        if not self._inbound_nodes:
            raise AttributeError("The layer has never been called and thus has no defined "
                                 "input shape.")
        if len({str(node.input_shapes) for node in self._inbound_nodes}) != 1:
            raise AttributeError(f"The layer \"{self.name}\" has multiple inbound nodes, with "
                                 "different input shapes. Hence the notion of \"input shape\" "
                                 "is ill-defined for the layer. Use "
                                 "`get_input_shape_at(node_index)` instead.")
        return unpack_singleton(self._inbound_nodes[0].input_shapes)

    @property
    def output_shape(self):
        """The output shape(s); defined when every inbound node has the same output shapes."""
        if not self._inbound_nodes:
            raise AttributeError("The layer has never been called and thus has no defined "
                                 "output shape.")
        if len({str(node.output_shapes) for node in self._inbound_nodes}) != 1:
            raise AttributeError(f"The layer \"{self.name}\" has multiple inbound nodes, with "
                                 "different output shapes. Hence the notion of \"output "
                                 "shape\" is ill-defined for the layer. Use "
                                 "`get_output_shape_at(node_index)` instead.")
        return unpack_singleton(self._inbound_nodes[0].output_shapes)

    def __repr__(self):
        return f"<{type(self).__name__} '{self.name}'>"


def keras_output_shapes(layer, input_shape, outputs):
    """The `_keras_shape` of each output of a call: the layer's `compute_output_shape`, checked
    against the shapes the graph inferred; the inferred shapes if the layer has no rule.

    A rule may leave a dimension unknown that the graph knows (Keras 2.2 keeps the rule's
    None); a rule that contradicts the graph is a bug in the layer and raises here.
    """
    static = [K.int_shape(y) for y in outputs]
    has_rule = type(layer).compute_output_shape is not Layer.compute_output_shape
    if not has_rule or any(s is None for s in to_list(input_shape)):
        return static
    try:
        rule = _shape_list(layer.compute_output_shape(input_shape))
    except NotImplementedError:
        return static
    for index, (expected, actual) in enumerate(zip(rule, static)):
        if expected is None or actual is None:
            continue
        expected = tuple(expected)
        if len(expected) != len(actual) or any(
                e is not None and a is not None and e != a for e, a in zip(expected, actual)):
            raise ValueError(f"{type(layer).__name__} '{layer.name}': compute_output_shape "
                             f"gives {shape_text(expected)} for output {index}, but `call` made "
                             f"a tensor of shape {shape_text(actual)}.")
    return [tuple(s) if s is not None else None for s in rule]


def masks_per_output(layer, mask, count):
    """One mask per output of a call: a single mask (or None) holds for every output, as in
    Keras 2.2; a list must have one entry per output."""
    if not isinstance(mask, (list, tuple)):
        return [mask] * count
    if len(mask) != count:
        raise ValueError(f"{type(layer).__name__} '{layer.name}': compute_mask returned "
                         f"{len(mask)} masks for {count} outputs.")
    return list(mask)


def _input_shapes(inputs):
    """The Keras shape of each input: `_keras_shape` if tagged, else the static shape."""
    shapes = []
    for x in to_list(inputs):
        shape = getattr(x, "_keras_shape", None)
        shapes.append(tuple(shape) if shape is not None else K.int_shape(x))
    return shapes


def _previous_masks(inputs):
    """The mask each input carries from the node that produced it (None if untracked)."""
    masks = [mask_of(x) if hasattr(x, "_keras_history") else None for x in to_list(inputs)]
    return unpack_singleton(masks)


def mask_of(x):
    """The mask that came with Keras tensor `x` from the layer call that made it."""
    layer, node_index, tensor_index = x._keras_history
    return layer._inbound_nodes[node_index].output_masks[tensor_index]


def _shape_list(shapes):
    """One shape or a list of shapes as a list of shapes."""
    if isinstance(shapes, list):
        return shapes
    return [shapes]
