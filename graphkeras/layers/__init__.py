"""Every Keras 2 layer, importable as `graphkeras.layers.Dense` etc."""
from ..engine.base_layer import InputSpec, Layer
from ..engine.input_layer import Input, InputLayer
from .advanced_activations import ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from .core import (Activation, ActivityRegularization, Dense, Dropout, Flatten, Masking,
                   Permute, RepeatVector, Reshape, SpatialDropout1D, SpatialDropout2D,
                   SpatialDropout3D)
from .lambda_layer import Lambda, enable_unsafe_deserialization
from .merge import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add,
                    average, concatenate, dot, maximum, minimum, multiply, subtract)
from .noise import AlphaDropout, GaussianDropout, GaussianNoise
from .serialization import deserialize, serialize
from .normalization import BatchNormalization
from .wrappers import Bidirectional, TimeDistributed, Wrapper
