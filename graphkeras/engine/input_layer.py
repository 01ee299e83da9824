"""`InputLayer` and `Input`: the entry points of a model's layer graph."""
from .. import backend as K
from .base_layer import Layer, Node

# Keys tf.keras writes into an InputLayer config that Keras 2.2 has no use for when false.
_TF_KERAS_FLAGS = ("ragged", "optional")


class InputLayer(Layer):
    """The layer that owns a model's input placeholder.

    It has one inbound node with no inbound layers; its single output is the placeholder (or
    the given `input_tensor`), tagged with `_keras_history = (layer, 0, 0)`.

    # Arguments
        input_shape: shape tuple without the batch axis.
        batch_size: optional fixed batch size.
        batch_input_shape: shape tuple including the batch axis.
        dtype: the input's dtype (default `K.floatx()`).
        input_tensor: an existing tensor to use instead of a new placeholder.
        sparse: must be False (graphkeras has no sparse tensors).
        name: the layer's name (default `input_1`, `input_2`...).
    """

    def __init__(self, input_shape=None, batch_size=None, batch_input_shape=None, dtype=None,
                 input_tensor=None, sparse=False, name=None):
        if not name:
            name = "input_" + str(K.get_uid("input"))
        super().__init__(dtype=dtype, name=name)
        self.trainable = False
        self.built = True
        if sparse:
            raise ValueError(f"InputLayer '{name}': sparse inputs are not supported by "
                             "graphkeras; use sparse=False.")
        self.sparse = False
        if input_shape and batch_input_shape:
            raise ValueError("Only provide the input_shape OR batch_input_shape argument to "
                             f"InputLayer '{name}', not both at the same time.")
        if input_tensor is not None and batch_input_shape is None and not input_shape:
            batch_input_shape = K.int_shape(input_tensor)
        if batch_input_shape:
            batch_input_shape = tuple(batch_input_shape)
        elif input_shape is not None:
            batch_input_shape = (batch_size,) + tuple(input_shape)
        else:
            raise ValueError(f"InputLayer '{name}' should be passed either a "
                             "`batch_input_shape` or an `input_shape`.")
        if not dtype:
            dtype = K.floatx() if input_tensor is None else K.dtype(input_tensor)
        self.batch_input_shape = batch_input_shape
        self.dtype = dtype

        if input_tensor is None:
            self.is_placeholder = True
            input_tensor = K.placeholder(shape=batch_input_shape, dtype=dtype, name=self.name)
        else:
            self.is_placeholder = False
        input_tensor._keras_shape = batch_input_shape
        input_tensor._uses_learning_phase = False
        input_tensor._keras_history = (self, 0, 0)
        Node(self, inbound_layers=[], node_indices=[], tensor_indices=[],
             input_tensors=[input_tensor], output_tensors=[input_tensor],
             input_masks=[None], output_masks=[None],
             input_shapes=[batch_input_shape], output_shapes=[batch_input_shape])

    def get_config(self):
        return {"batch_input_shape": self.batch_input_shape, "dtype": self.dtype,
                "sparse": self.sparse, "name": self.name}

    @classmethod
    def from_config(cls, config):
        """An InputLayer from its config; also reads tf.keras's (`ragged`, `batch_shape`)."""
        config = dict(config)
        for flag in _TF_KERAS_FLAGS:
            if config.pop(flag, False):
                raise ValueError(f"InputLayer '{config.get('name')}': `{flag}=True` inputs are "
                                 "not supported by graphkeras.")
        if "batch_shape" in config:
            config["batch_input_shape"] = config.pop("batch_shape")
        return cls(**config)


def Input(shape=None, batch_shape=None, name=None, dtype=None, sparse=False, tensor=None,
          batch_size=None):
    """`Input()` instantiates a symbolic tensor to start a functional model.

    # Arguments
        shape: shape tuple without the batch axis, e.g. `shape=(32,)` for batches of
            32-dimensional vectors.
        batch_shape: shape tuple including the batch axis, e.g. `(10, 32)`.
        name: optional name of the input layer (unique in a model).
        dtype: the input's dtype (`float32`, `int32`...).
        sparse: must be False.
        tensor: an existing tensor to wrap into the Input layer.
        batch_size: optional fixed batch size, used with `shape`.

    # Returns
        A tensor.

    # Example
        a = Input(shape=(32,))
        b = Dense(16)(a)
        model = Model(inputs=a, outputs=b)
    """
    if not batch_shape and tensor is None and shape is None:
        raise ValueError("Please provide to Input either a `shape` or a `batch_shape` argument. "
                         "Note that `shape` does not include the batch dimension.")
    if shape is not None and not batch_shape:
        batch_shape = (batch_size,) + tuple(shape)
    layer = InputLayer(batch_input_shape=batch_shape, name=name, dtype=dtype or None,
                       sparse=sparse, input_tensor=tensor)
    return layer._inbound_nodes[0].output_tensors[0]
