"""Keras 2's generic helpers: custom-object scopes, (de)serialization, argument checks, lists.

`serialize_keras_object` / `deserialize_keras_object` are the one place where every Keras-facing
module (activations, initializers, regularizers, constraints, losses, metrics, optimizers,
layers) turns an object into `{'class_name': ..., 'config': ...}` and back. Both the Keras 2.2
form and the tf.keras form (which adds `module` and `registered_name`) are accepted.
"""
import base64
import inspect
import marshal
import re
import types

import numpy as np

from .progbar import Progbar  # noqa: F401  (Keras 2.2 path: keras.utils.generic_utils.Progbar)

_GLOBAL_CUSTOM_OBJECTS = {}


class CustomObjectScope:
    """Makes custom objects visible to deserialization inside a `with` block.

    # Example

    ```python
    with CustomObjectScope({'MyObject': MyObject}):
        layer = Dense(..., kernel_regularizer='MyObject')
    ```
    """

    def __init__(self, *args):
        self.custom_objects = args
        self.backup = None

    def __enter__(self):
        self.backup = _GLOBAL_CUSTOM_OBJECTS.copy()
        for objects in self.custom_objects:
            _GLOBAL_CUSTOM_OBJECTS.update(objects)
        return self

    def __exit__(self, *args, **kwargs):
        _GLOBAL_CUSTOM_OBJECTS.clear()
        _GLOBAL_CUSTOM_OBJECTS.update(self.backup)


def custom_object_scope(*args):
    """A `CustomObjectScope` over the given dictionaries of name -> object."""
    return CustomObjectScope(*args)


def get_custom_objects():
    """The global dictionary of custom objects; add to it to register an object by name."""
    return _GLOBAL_CUSTOM_OBJECTS


def serialize_keras_object(instance):
    """`{'class_name', 'config'}` for objects with `get_config`, the name for functions."""
    if instance is None:
        return None
    if hasattr(instance, "get_config"):
        return {"class_name": instance.__class__.__name__, "config": instance.get_config()}
    if hasattr(instance, "__name__"):
        return instance.__name__
    raise ValueError(f"Cannot serialize {instance!r}: it has neither get_config nor __name__.")


def _lookup(name, module_objects, custom_objects):
    """Custom objects first, then the global scope, then the module's own table."""
    for table in (custom_objects or {}, _GLOBAL_CUSTOM_OBJECTS, module_objects or {}):
        if name in table:
            return table[name]
    return None


def deserialize_keras_object(identifier, module_objects=None, custom_objects=None,
                             printable_module_name="object"):
    """Turn a name or a `{'class_name', 'config'}` dict back into the object.

    A class is built with `from_config(config)` when it has one (passing `custom_objects`
    when that accepts them), else with `cls(**config)`. A function found by name is
    returned as is; a function named in a dict is called with the config (Keras 2.2's
    `{'class_name': 'glorot_uniform', 'config': {}}`).
    """
    if isinstance(identifier, dict):
        if "class_name" not in identifier or "config" not in identifier:
            raise ValueError(f"Improper config format for {printable_module_name}: "
                             f"{identifier!r} (expected keys 'class_name' and 'config').")
        class_name = identifier["class_name"]
        if class_name == "function" and isinstance(identifier["config"], str):
            # Keras >= 2.13 writes a function as {'class_name': 'function', 'config': name}.
            return deserialize_keras_object(identifier["config"], module_objects,
                                            custom_objects, printable_module_name)
        cls = _lookup(class_name, module_objects, custom_objects)
        if cls is None:
            raise ValueError(f"Unknown {printable_module_name}: {class_name}")
        config = identifier["config"] or {}
        if hasattr(cls, "from_config"):
            all_custom = dict(_GLOBAL_CUSTOM_OBJECTS, **(custom_objects or {}))
            if has_arg(cls.from_config, "custom_objects"):
                return cls.from_config(config, custom_objects=all_custom)
            with CustomObjectScope(custom_objects or {}):
                return cls.from_config(config)
        with CustomObjectScope(custom_objects or {}):
            return cls(**config)
    if isinstance(identifier, str):
        obj = _lookup(identifier, module_objects, custom_objects)
        if obj is None:
            raise ValueError(f"Unknown {printable_module_name}: {identifier}")
        return obj
    raise ValueError(f"Could not interpret serialized {printable_module_name}: {identifier!r}")


def get_from_identifier(identifier, deserialize, printable_module_name):
    """The `get` of initializers, regularizers and constraints: None stays None, a dict or a
    name (as a config with no arguments) is deserialized, a callable is returned as is."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {printable_module_name} identifier: {identifier!r}")


def get_function_from_identifier(identifier, deserialize, printable_module_name):
    """The `get` of losses, metrics and activations: a name or a config dict is deserialized,
    a callable is returned as is."""
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {printable_module_name} identifier: {identifier!r}")


def has_arg(fn, name, accept_all=False):
    """Whether callable `fn` accepts keyword `name` (or any keyword, if `accept_all`)."""
    signature = inspect.signature(fn)
    parameter = signature.parameters.get(name)
    if parameter is not None:
        return parameter.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                  inspect.Parameter.KEYWORD_ONLY)
    if accept_all:
        return any(p.kind == inspect.Parameter.VAR_KEYWORD
                   for p in signature.parameters.values())
    return False


def getargspec(fn):
    """`inspect.getfullargspec(fn)` (Keras 2.2 kept a Python 2 shim under this name)."""
    return inspect.getfullargspec(fn)


def func_dump(func):
    """Serialize a Python function (used by `Lambda`): base64 bytecode, defaults, closure."""
    code = base64.b64encode(marshal.dumps(func.__code__)).decode("ascii")
    closure = None
    if func.__closure__:
        closure = tuple(cell.cell_contents for cell in func.__closure__)
    return code, func.__defaults__, closure


def func_load(code, defaults=None, closure=None, globs=None):
    """Inverse of `func_dump`; `code` may also be the tuple `func_dump` returned."""
    if isinstance(code, (tuple, list)):
        code, defaults, closure = code
    if isinstance(defaults, list):
        # JSON configs turn the defaults tuple into a list.
        defaults = tuple(defaults)
    if closure is not None:
        closure = tuple(_make_cell(value) for value in closure)
    raw = base64.b64decode(code.encode("ascii"))
    if globs is None:
        globs = globals()
    return types.FunctionType(marshal.loads(raw), globs, name=None, argdefs=defaults,
                              closure=closure)


def _make_cell(value):
    return types.CellType(value)


def to_list(x, allow_tuple=False):
    """`x` as a list: a list stays, a tuple becomes one if `allow_tuple`, else `[x]`."""
    if isinstance(x, list):
        return x
    if allow_tuple and isinstance(x, tuple):
        return list(x)
    return [x]


def unpack_singleton(x):
    """The only element of a one-element list, else the list itself."""
    if len(x) == 1:
        return x[0]
    return x


def object_list_uid(object_list):
    """A string naming the identities of the given objects (a cache key)."""
    return ", ".join(str(abs(id(x))) for x in to_list(object_list, allow_tuple=True))


def is_all_none(iterable_or_element):
    """True when every element (or the single element) is None."""
    return all(element is None for element in to_list(iterable_or_element, allow_tuple=True))


def slice_arrays(arrays, start=None, stop=None):
    """Slice an array or list of arrays by `start:stop`, or by an index array in `start`."""
    if arrays is None:
        return [None]
    if isinstance(arrays, list):
        if hasattr(start, "__len__"):
            if hasattr(start, "shape"):
                start = start.tolist()
            return [None if x is None else x[start] for x in arrays]
        return [None if x is None else x[start:stop] for x in arrays]
    if hasattr(start, "__len__"):
        if hasattr(start, "shape"):
            start = start.tolist()
        return arrays[start]
    if hasattr(start, "__getitem__"):
        return arrays[start:stop]
    return [None]


def transpose_shape(shape, target_format, spatial_axes):
    """Move the channel axis of a channels_last `shape` first when `target_format` asks."""
    if target_format == "channels_first":
        new_values = shape[:spatial_axes[0]]
        new_values += (shape[-1],)
        new_values += tuple(shape[x] for x in spatial_axes)
        if isinstance(shape, list):
            return list(new_values)
        return new_values
    if target_format == "channels_last":
        return shape
    raise ValueError(f"The `data_format` argument must be one of 'channels_first', "
                     f"'channels_last'. Received: {target_format}")


def check_for_unexpected_keys(name, input_dict, expected_values):
    """Raise naming the keys of `input_dict` that are not in `expected_values`."""
    unknown = set(input_dict.keys()).difference(expected_values)
    if unknown:
        raise ValueError(f"Unknown entries in {name} dictionary: {sorted(unknown)}. "
                         f"Only expected following keys: {list(expected_values)}")


def snake_case(name):
    """`CategoricalCrossentropy` -> `categorical_crossentropy`, as tf.keras names objects."""
    words = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", words).lower()


to_snake_case = snake_case  # the tf.keras name


def as_float_list(values):
    """Thresholds and similar arguments as a list of Python floats."""
    return [float(v) for v in np.ravel(np.asarray(values, dtype="float64"))]

