"""`serialize` / `deserialize` of layers (Keras 2.2's keras.layers.serialize / deserialize).

Every class exported by `graphkeras.layers` can be rebuilt from `{'class_name', 'config'}`, as
can `Model` and `Sequential` (nested models). tf.keras files name a functional model
`Functional`; it is read as `Model`. Extra keys of tf.keras entries (`module`,
`registered_name`, `build_config`) are ignored.
"""
from ..utils.generic_utils import deserialize_keras_object, has_arg, serialize_keras_object

# Class names written by tf.keras that Keras 2.2 spells differently.
_TF_KERAS_CLASS_NAMES = {"Functional": "Model"}


def serialize(layer):
    """`{'class_name': ..., 'config': ...}` of a layer."""
    return serialize_keras_object(layer)


def _layer_classes():
    """Name -> class for every layer class `graphkeras.layers` exports, plus the models."""
    from .. import layers, models
    objects = {name: value for name, value in vars(layers).items() if isinstance(value, type)}
    objects["Model"] = models.Model
    objects["Sequential"] = models.Sequential
    return objects


def deserialize(config, custom_objects=None, safe_mode=None):
    """Instantiate a layer from its `{'class_name': ..., 'config': ...}` dictionary.

    # Arguments
        config: the dictionary `serialize` returned (Keras 2.2 or tf.keras form).
        custom_objects: dict of name -> class or function for user-defined objects.
        safe_mode: passed to `from_config` methods that take it (`Lambda`): with the default,
            Python bytecode in a config is refused.

    # Returns
        The layer (or model) instance.
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Improper config format for a layer: {config!r} (expected a dict with "
                         "'class_name' and 'config').")
    class_name = config["class_name"]
    custom_objects = custom_objects or {}
    if class_name not in custom_objects:
        class_name = _TF_KERAS_CLASS_NAMES.get(class_name, class_name)
    identifier = {"class_name": class_name, "config": config.get("config") or {}}
    module_objects = _layer_classes()
    cls = custom_objects.get(class_name) or module_objects.get(class_name)
    if safe_mode is not None and cls is not None and has_arg(cls.from_config, "safe_mode"):
        return cls.from_config(identifier["config"], custom_objects=custom_objects,
                               safe_mode=safe_mode)
    return deserialize_keras_object(identifier, module_objects=module_objects,
                                    custom_objects=custom_objects,
                                    printable_module_name="layer")


def set_weight_settings(layer, arguments, names=("kernel", "bias")):
    """Set a layer's weight settings from its constructor's `arguments` (its `locals()`;
    identifiers, configs or objects): `<name>_initializer`, `<name>_regularizer` and
    `<name>_constraint` for each weight, and `activity_regularizer` when the constructor takes
    one. The inverse of `weight_settings`."""
    from .. import constraints, initializers, regularizers
    for name in names:
        setattr(layer, f"{name}_initializer", initializers.get(arguments[f"{name}_initializer"]))
        setattr(layer, f"{name}_regularizer", regularizers.get(arguments[f"{name}_regularizer"]))
        setattr(layer, f"{name}_constraint", constraints.get(arguments[f"{name}_constraint"]))
    if "activity_regularizer" in arguments:
        layer.activity_regularizer = regularizers.get(arguments["activity_regularizer"])


def weight_settings(layer, names=("kernel", "bias")):
    """The config entries of a layer's weight settings, in Keras 2's key order: each weight's
    initializer, each regularizer, the activity regularizer, each constraint."""
    from .. import constraints, initializers, regularizers
    config = {}
    for name in names:
        config[f"{name}_initializer"] = initializers.serialize(getattr(layer, f"{name}_initializer"))
    for name in names:
        config[f"{name}_regularizer"] = regularizers.serialize(getattr(layer, f"{name}_regularizer"))
    config["activity_regularizer"] = regularizers.serialize(layer.activity_regularizer)
    for name in names:
        config[f"{name}_constraint"] = constraints.serialize(getattr(layer, f"{name}_constraint"))
    return config
