"""The Embedding layer, as in Keras 2.2.4's keras/layers/embeddings.py."""
import numpy as np

from .. import backend as K
from .. import constraints, initializers, regularizers
from ..engine.base_layer import Layer
from ..engine.input_spec import shape_text


class Embedding(Layer):
    """Turns positive integers (indexes) into dense vectors of fixed size.

    `[[4], [20]] -> [[[0.25, 0.1]], [[0.6, -0.2]]]`. Float inputs holding whole numbers are
    cast to int32 first (a Sequential model's first Embedding gets a float32 input).

    # Arguments
        input_dim: int > 0, size of the vocabulary (maximum integer index + 1).
        output_dim: int >= 0, dimension of the dense embedding.
        embeddings_initializer: initializer of the `embeddings` matrix.
        embeddings_regularizer: regularizer of the `embeddings` matrix.
        activity_regularizer: regularizer of the output.
        embeddings_constraint: constraint on the `embeddings` matrix.
        mask_zero: whether index 0 is a padding value to mask out (for recurrent layers
            downstream). Index 0 then cannot be used in the vocabulary.
        input_length: length of the input sequences, when constant; needed to connect
            `Flatten` then `Dense` downstream. An int or, for inputs of rank 3 and more, a
            tuple (entries may be None).

    # Input shape
        2D tensor `(batch_size, sequence_length)`.

    # Output shape
        3D tensor `(batch_size, sequence_length, output_dim)`.

    # Example
    ```python
        model = Sequential([Embedding(1000, 64, input_length=10)])
        # input (batch, 10) of indexes < 1000 -> output (batch, 10, 64)
    ```
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, activity_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, input_length=None, **kwargs):
        if "input_shape" not in kwargs:
            if input_length:
                kwargs["input_shape"] = (input_length,)
            else:
                kwargs["input_shape"] = (None,)
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.input_length = input_length

    def build(self, input_shape):
        # `dtype='int32'` on a first layer types its input; the vectors stay floats.
        dtype = self.dtype if np.dtype(self.dtype).kind == "f" else K.floatx()
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          name="embeddings",
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint,
                                          dtype=dtype)
        self.built = True

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return K.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        if self.input_length is None:
            return tuple(input_shape) + (self.output_dim,)
        if isinstance(self.input_length, (list, tuple)):
            lengths = list(self.input_length)
        else:
            lengths = [self.input_length]
        if len(lengths) != len(input_shape) - 1:
            raise ValueError(f"Embedding '{self.name}': input_length is {self.input_length}, "
                             f"but the input has shape {shape_text(input_shape)}.")
        for i, (given, actual) in enumerate(zip(lengths, input_shape[1:])):
            if given is not None and actual is not None and given != actual:
                raise ValueError(f"Embedding '{self.name}': input_length is "
                                 f"{self.input_length}, but the input has shape "
                                 f"{shape_text(input_shape)}.")
            if given is None:
                lengths[i] = actual
        return (input_shape[0],) + tuple(lengths) + (self.output_dim,)

    def call(self, inputs):
        if K.dtype(inputs) != "int32":
            inputs = K.cast(inputs, "int32")
        return K.gather(self.embeddings, inputs)

    def get_config(self):
        config = {"input_dim": self.input_dim,
                  "output_dim": self.output_dim,
                  "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                  "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
                  "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                  "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
                  "mask_zero": self.mask_zero,
                  "input_length": self.input_length}
        return dict(super().get_config(), **config)
