"""Keras 2 optimizers: update rules written as backend update pairs.

`optimizer.get_updates(loss, params)` takes the gradients with `K.gradients`, clips them, and
returns a list of `(variable, new_value)` pairs that the training function runs after each
batch. Every pair reads the values from before the batch, as Keras 2.2's graph did.

Rules are Keras 2.2's (identical, within float32 rounding, to tf.keras's `optimizers.legacy`),
plus the later tf.keras optimizers AdamW, Adafactor and Ftrl. Arguments take both spellings,
`lr` (Keras 2.2) and `learning_rate` (tf.keras). `clipnorm` and `global_clipnorm` both clip
the global norm of all gradients together (Keras 2.2's meaning of `clipnorm`).

State: `optimizer.weights` is `[iterations]` followed by the slots grouped by kind, each kind in
parameter order (Adam: every `m`, then every `v`), the order tf.keras writes to
`optimizer_weights` in HDF5 files. `set_weights` also accepts Keras 2.2's lists.

One module per family: optimizer.py (the base class), gradient_descent.py (SGD), adaptive.py
(RMSprop, Adagrad, Adadelta), adam_family.py (Adam, Adamax, Nadam, AdamW), ftrl.py and
adafactor.py.
"""
from ..utils.generic_utils import deserialize_keras_object, serialize_keras_object
from .adafactor import Adafactor
from .adam_family import Adam, Adamax, AdamW, Nadam
from .adaptive import Adadelta, Adagrad, RMSprop
from .ftrl import Ftrl
from .gradient_descent import SGD
from .optimizer import Optimizer, clip_norm

# Keras 2.2's lower-case aliases.
sgd = SGD
rmsprop = RMSprop
adagrad = Adagrad
adadelta = Adadelta
adam = Adam
adamax = Adamax
nadam = Nadam

_CLASSES = {cls.__name__: cls for cls in (SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax, Nadam,
                                          AdamW, Ftrl, Adafactor)}
_BY_LOWER_NAME = {name.lower(): cls for name, cls in _CLASSES.items()}


def serialize(optimizer):
    """`{'class_name', 'config'}` of an optimizer."""
    return serialize_keras_object(optimizer)


def deserialize(config, custom_objects=None):
    """The optimizer described by `config`; class names match case-insensitively."""
    class_name = config["class_name"]
    if class_name.lower() in _BY_LOWER_NAME and class_name not in (custom_objects or {}):
        config = dict(config, class_name=_BY_LOWER_NAME[class_name.lower()].__name__)
    return deserialize_keras_object(config, module_objects=_CLASSES,
                                    custom_objects=custom_objects,
                                    printable_module_name="optimizer")


def get(identifier):
    """An optimizer from an instance, a name ('adam') or a config dict.

    # Raises
        ValueError: when `identifier` cannot be interpreted.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")
