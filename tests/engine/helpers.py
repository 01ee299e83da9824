"""Small layers and helpers shared by the engine tests."""
import numpy as np

from graphkeras import backend as K
from graphkeras.engine.base_layer import InputSpec, Layer


class Scale(Layer):
    """y = x * w with one weight per feature: a tiny layer with a trainable weight."""

    def build(self, input_shape):
        self.w = self.add_weight(name="w", shape=(input_shape[-1],), initializer="ones")
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_shape[-1]})
        self.built = True

    def call(self, inputs):
        return inputs * self.w


class Counter(Layer):
    """Adds an update conditional on its inputs and an unconditional one, and a loss."""

    def build(self, input_shape):
        self.count = self.add_weight(name="count", shape=(), initializer="zeros",
                                     trainable=False)
        self.built = True

    def call(self, inputs):
        self.add_update([K.update_add(self.count, 1.0)], inputs)
        self.add_loss(K.sum(inputs), inputs)
        return inputs * 1.0


def run(model, arrays):
    """The model's outputs on `arrays`, through K.function."""
    f = K.function(model.inputs, model.outputs)
    return f(list(arrays))


def rand(*shape, seed=0):
    return np.random.RandomState(seed).rand(*shape).astype("float32")
