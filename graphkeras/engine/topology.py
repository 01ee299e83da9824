"""Keras 2.2's legacy module `keras.engine.topology`, kept for custom-layer code that imports it.

It holds the same objects as `base_layer`, `input_layer` and `network`.
"""
from .base_layer import InputSpec, Layer, Node  # noqa: F401
from .input_layer import Input, InputLayer  # noqa: F401
from .network import Network, get_source_inputs  # noqa: F401
