"""Keras 2's `keras.utils`: the helpers scripts import from the package itself."""
from .data_utils import (GeneratorEnqueuer, OrderedEnqueuer, Sequence,  # noqa: F401
                         SequenceEnqueuer, get_file)
from .generic_utils import (CustomObjectScope, Progbar, custom_object_scope,  # noqa: F401
                            deserialize_keras_object, get_custom_objects,
                            serialize_keras_object)
from .layer_utils import print_summary  # noqa: F401
from .np_utils import normalize, to_categorical  # noqa: F401
from . import conv_utils, data_utils, generic_utils, layer_utils, np_utils  # noqa: F401
