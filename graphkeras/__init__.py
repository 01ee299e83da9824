"""graphkeras: the Keras 2 API on a graph compiler (static IR, autodiff, passes, Numba runtime).

`import graphkeras` mirrors `import keras`: the submodules are attributes, and `Input`, `Model`
and `Sequential` are at the top level.
"""
from . import backend  # noqa: F401
from . import (activations, callbacks, constraints, engine, initializers, layers, losses,  # noqa
               metrics, models, optimizers, regularizers, utils)
from .layers import Input  # noqa: F401
from .models import Model, Sequential  # noqa: F401

__version__ = "0.1.0"
