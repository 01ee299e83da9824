"""Running a graph network: its layer calls replayed, deepest first, on new tensors or shapes.

`GraphRunner._walk` is the one loop over the nodes; calling the network on tensors
(`run_internal_graph`), computing its output shapes and cloning it (models.clone_model) are
each a `step` function given to it. Subclassed models set their inputs with `_set_inputs`.
"""
import numpy as np

from .. import backend as K
from ..utils.generic_utils import has_arg, object_list_uid, to_list, unpack_singleton
from .base_layer import keras_output_shapes, masks_per_output


class GraphRunner:
    """Mixin of `Network`: calling the layer graph on new tensors, masks or shapes."""

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
            output_masks = masks_per_output(layer, layer.compute_mask(x, mask), len(outputs))

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

    def build(self, input_shape=None):
        """Builds a subclassed model on new inputs of `input_shape` (later Keras 2's
        `model.build`), so that `summary`, `count_params` and `compile` work before any data.

        # Arguments
            input_shape: a batch input shape such as `(None, 4)`, or a list of them for a
                model with several inputs.

        # Raises
            ValueError: if `input_shape` is missing for a subclassed model.
        """
        if self._is_graph_network or self.inputs:
            self.built = True
            return
        if input_shape is None:
            raise ValueError(f"Subclassed model '{self.name}' needs an input shape to be "
                             "built, e.g. `model.build((None, 16))`.")
        several = isinstance(input_shape, list) and all(
            isinstance(shape, (list, tuple)) for shape in input_shape)
        shapes = input_shape if several else [input_shape]
        # The batch size stays free: `fit` and `predict` may feed any number of samples.
        placeholders = [K.placeholder(shape=(None,) + tuple(shape)[1:], name=f"input_{i + 1}")
                        for i, shape in enumerate(shapes)]
        self._set_inputs(placeholders if several else placeholders[0])

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


def _mask_list(mask, inputs):
    if mask is None:
        return [None] * len(to_list(inputs))
    return to_list(mask)

