"""The Keras engine: layers, the graph of their calls (`Network`), and the trainable `Model`.

Keras 2.2's paths: `graphkeras.engine.Layer`, `Input`, `InputSpec`, `Model`; the modules
`engine.base_layer`, `engine.input_layer`, `engine.network`, `engine.training`,
`engine.sequential` and the legacy alias `engine.topology`.
"""
from .base_layer import InputSpec, Layer, Node
from .input_layer import Input, InputLayer
from .network import Network, get_source_inputs
from .training import Model
