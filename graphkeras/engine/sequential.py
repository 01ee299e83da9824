"""`Sequential`: a linear stack of layers, a `Model` whose graph is a chain."""
import copy
import warnings

from .. import backend as K
from .base_layer import Layer
from .input_layer import Input, InputLayer
from .network_serialization import deserialize_layer
from .network_topology import get_source_inputs
from .training import Model


class Sequential(Model):
    """Linear stack of layers.

    # Arguments
        layers: list of layers to add to the model.
        name: the model's name (default `sequential_1`...).

    The first layer may carry `input_shape`, `input_dim` or `batch_input_shape`; the model is
    then built at once. Without them it is built on the first call, `build(input_shape)` or
    `fit`.

    # Example
        model = Sequential()
        model.add(Dense(32, input_dim=500))
        model.add(Dense(10, activation='softmax'))
        model.summary()
    """

    def __init__(self, layers=None, name=None):
        super().__init__(name=name)
        self._build_input_shape = None
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self):
        # Keras 2.2 leaves the automatically made InputLayer out of `layers`.
        if self._layers and isinstance(self._layers[0], InputLayer):
            return self._layers[1:]
        return self._layers

    @property
    def model(self):
        """The model itself (Keras 1 code reads `sequential.model`)."""
        return self

    def add(self, layer):
        """Adds a layer on top of the stack.

        # Arguments
            layer: a Layer instance.

        # Raises
            TypeError: if `layer` is not a Layer, or it has several outputs.
        """
        if not isinstance(layer, Layer):
            raise TypeError("The added layer must be an instance of class Layer. Found: "
                            f"{layer}")
        self.built = False
        if not self._layers:
            if isinstance(layer, InputLayer):
                self._set_chain_start(layer)
            else:
                batch_shape, dtype = _first_input_spec(layer)
                if batch_shape is not None:
                    layer(Input(batch_shape=batch_shape, dtype=dtype,
                                name=layer.name + "_input"))
                    self._set_chain_start(layer)
        elif self.outputs:
            self.outputs = [_single_output(layer, layer(self.outputs[0]))]
        if self.inputs:
            self.build()
        else:
            self._layers.append(layer)

    def _set_chain_start(self, layer):
        self.outputs = [_single_output(layer, layer._inbound_nodes[-1].output_tensors)]
        self.inputs = get_source_inputs(self.outputs[0])

    def pop(self):
        """Removes the last layer of the model.

        # Raises
            TypeError: if there are no layers in the model.
        """
        if not self.layers:
            raise TypeError("There are no layers in the model.")
        popped = self._layers.pop()
        self.built = False
        if not self._layers:
            self.inputs = []
            self.outputs = []
        elif self.outputs:
            # The popped layer's call in this model consumed the new top of the stack.
            _, node_index, _ = self.outputs[0]._keras_history
            self.outputs = [popped._inbound_nodes[node_index].input_tensors[0]]
            top_layer = self.outputs[0]._keras_history[0]
            top_layer._outbound_nodes = [node for node in top_layer._outbound_nodes
                                         if node.outbound_layer is not popped]
            self.build()

    def build(self, input_shape=None):
        """Builds the model: on a new Input of `input_shape` if it has none yet.

        # Arguments
            input_shape: the batch input shape, e.g. `(None, 16)`.
        """
        if input_shape and not self.inputs:
            x = Input(batch_shape=tuple(input_shape), dtype=K.floatx(),
                      name=self.name + "_input")
            self.inputs = [x]
            for layer in self._layers:
                x = layer(x)
            self.outputs = [x]
            self._build_input_shape = tuple(input_shape)
        if self.inputs:
            trainable = self.trainable
            self._init_graph_network(self.inputs, self.outputs, name=self.name)
            self.trainable = trainable
            self.built = True

    def predict_proba(self, x, batch_size=32, verbose=0):
        """Class probabilities for `x` (the model's predictions, which should lie in [0, 1]).

        # Arguments
            x: input data, as a NumPy array or list of arrays.
            batch_size: number of samples per batch.
            verbose: verbosity mode, 0 or 1.

        # Returns
            A NumPy array of probability predictions.
        """
        predictions = self.predict(x, batch_size=batch_size, verbose=verbose)
        if predictions.min() < 0. or predictions.max() > 1.:
            warnings.warn("Network returning invalid probability values. The last layer might "
                          "not normalize predictions into probabilities (like softmax or "
                          "sigmoid would).")
        return predictions

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Class predictions for `x`: the argmax of several outputs, or output > 0.5 for one.

        # Arguments
            x: input data, as a NumPy array or list of arrays.
            batch_size: number of samples per batch.
            verbose: verbosity mode, 0 or 1.

        # Returns
            A NumPy array of class predictions.
        """
        probabilities = self.predict(x, batch_size=batch_size, verbose=verbose)
        if probabilities.shape[-1] > 1:
            return probabilities.argmax(axis=-1)
        return (probabilities > 0.5).astype("int32")

    def get_config(self):
        """`{'name': ..., 'layers': [...]}` with each layer's class name and config."""
        layer_configs = [{"class_name": type(layer).__name__, "config": layer.get_config()}
                         for layer in self.layers]
        config = {"name": self.name, "layers": copy.deepcopy(layer_configs)}
        if self._build_input_shape:
            config["build_input_shape"] = self._build_input_shape
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        """A Sequential model from `get_config()` (or a Keras 2.1 list of layer configs).

        `safe_mode` is passed to `layers.deserialize` (see `Network.from_config`).
        """
        if isinstance(config, dict):
            name = config.get("name")
            build_input_shape = config.get("build_input_shape")
            layer_configs = config["layers"]
        else:
            name = None
            build_input_shape = None
            layer_configs = config
        model = cls(name=name)
        for layer_config in layer_configs:
            model.add(deserialize_layer(layer_config, custom_objects, safe_mode))
        if not model.inputs and build_input_shape:
            model.build(build_input_shape)
        return model


def _single_output(layer, outputs):
    """The one output tensor of a layer call; a Sequential model cannot hold several."""
    if isinstance(outputs, list) and len(outputs) != 1:
        raise TypeError(f"All layers in a Sequential model should have a single output tensor; "
                        f"layer '{layer.name}' has {len(outputs)}. For multi-output layers, use "
                        "the functional API.")
    return outputs[0] if isinstance(outputs, list) else outputs


def _first_input_spec(layer):
    """The batch input shape and dtype declared by `layer` (or, for a model, its first layer)."""
    first = layer
    while isinstance(first, Model):
        if isinstance(first, Sequential) and first.inputs:
            return tuple(first.inputs[0]._keras_shape), K.dtype(first.inputs[0])
        if first._is_graph_network and first.inputs:
            if len(first.inputs) != 1:
                raise ValueError(f"A model added to a Sequential model must have one input; "
                                 f"'{first.name}' has {len(first.inputs)}.")
            return tuple(first.inputs[0]._keras_shape), K.dtype(first.inputs[0])
        if not first.layers:
            raise ValueError("Cannot add an empty model to a `Sequential` model.")
        first = first.layers[0]
    if hasattr(first, "batch_input_shape"):
        return first.batch_input_shape, first.dtype
    return None, None
