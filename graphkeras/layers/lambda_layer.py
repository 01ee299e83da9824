"""The Lambda layer: an arbitrary expression as a layer (Keras 2.2's keras.layers.core.Lambda).

Keras 2.2 saves a lambda's marshalled bytecode in the config and runs it again on load. Running
code read from a file is unsafe, so loading bytecode needs an explicit opt-in: the
`safe_mode=False` argument of `Lambda.from_config` (or `layers.deserialize`), or
`enable_unsafe_deserialization()`. Named functions are saved by name and looked up among the
custom objects (and already imported modules) on load.
"""
import sys

from .. import backend as K
from ..engine.base_layer import Layer
from ..utils.generic_utils import func_dump, func_load, get_custom_objects, has_arg

_UNSAFE_DESERIALIZATION = {"enabled": False}


def enable_unsafe_deserialization():
    """Allow every later `Lambda.from_config` to run Python bytecode read from a config."""
    _UNSAFE_DESERIALIZATION["enabled"] = True


def _serialize_function(function):
    """(value, type, module) for a Lambda config: a lambda's code, or a function's name."""
    if function.__name__ == "<lambda>":
        return func_dump(function), "lambda", function.__module__
    return function.__name__, "function", function.__module__


def _deserialize_function(config, key, custom_objects, safe_mode, globs):
    """The callable stored under `key` of a Lambda config (None stays None)."""
    value = config.get(key)
    kind = config.get(key + "_type" if key != "function" else "function_type", "function")
    if value is None or kind == "raw":
        return value
    if kind == "lambda":
        if safe_mode is None:
            safe_mode = not _UNSAFE_DESERIALIZATION["enabled"]
        if safe_mode:
            raise ValueError(
                f"Lambda '{config.get('name')}': its config stores `{key}` as Python bytecode, "
                "and running code read from a file is unsafe. If you trust the source, pass "
                "`safe_mode=False` (or call graphkeras.layers.enable_unsafe_"
                "deserialization()); otherwise rebuild the Lambda in code.")
        return func_load(value, globs=globs)
    if not isinstance(value, str):
        return value
    module_key = "module" if key == "function" else key + "_module"
    return _find_function(value, config.get(module_key), custom_objects, config.get("name"))


def _find_function(name, module, custom_objects, layer_name):
    """Look a function up by name: custom objects, then the already imported module named."""
    for table in (custom_objects or {}, get_custom_objects()):
        if name in table:
            return table[name]
    loaded = sys.modules.get(module) if module else None
    if loaded is not None and callable(getattr(loaded, name, None)):
        return getattr(loaded, name)
    raise ValueError(
        f"Lambda '{layer_name}': unknown function {name!r} (module {module!r}). Pass it in "
        "`custom_objects={" + repr(name) + ": " + name + "}` or import its module first.")


class Lambda(Layer):
    """Wraps an arbitrary expression as a `Layer` object.

    # Arguments
        function: the function to evaluate, taking the input tensor (or list of tensors) as
            its first argument.
        output_shape: the expected output shape: a tuple (without the batch axis) or a
            function of the input shape. When omitted it is inferred by calling `function` on
            a placeholder.
        mask: None, a mask tensor, or a function `(inputs, mask) -> mask`.
        arguments: dict of keyword arguments passed to `function`.

    # Input shape
        Arbitrary.

    # Output shape
        Given by `output_shape`, or inferred.

    # Example
        model.add(Lambda(lambda x: x ** 2))
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.arguments = arguments if arguments else {}
        self.supports_masking = mask is not None
        self.mask = mask
        if output_shape is not None and not callable(output_shape):
            if not isinstance(output_shape, (list, tuple)):
                raise TypeError(
                    f"Lambda '{self.name}': output_shape must be a tuple, a list or a function, "
                    f"got {output_shape!r}.")
            output_shape = tuple(output_shape)
        self._output_shape = output_shape

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return self._infer_output_shape(input_shape)
        if callable(self._output_shape):
            shape = self._output_shape(input_shape)
            if not isinstance(shape, (list, tuple)):
                raise ValueError(f"Lambda '{self.name}': the `output_shape` function must return "
                                 f"a tuple or a list of tuples, got {shape!r} for input shape "
                                 f"{input_shape}.")
            if isinstance(shape, list) and shape and isinstance(shape[0], (tuple, list)):
                return [tuple(s) for s in shape]
            return tuple(shape)
        if isinstance(input_shape, list):
            batch = input_shape[0][0]
        else:
            batch = input_shape[0]
        return (batch,) + self._output_shape

    def _infer_output_shape(self, input_shape):
        """Call the function on placeholders of the input shape(s) and read the result's."""
        if isinstance(input_shape, list):
            placeholder = [K.placeholder(shape=s) for s in input_shape]
        else:
            placeholder = K.placeholder(shape=input_shape)
        output = self.call(placeholder)
        if isinstance(output, (list, tuple)):
            return [K.int_shape(o) for o in output]
        return K.int_shape(output)

    def call(self, inputs, mask=None):
        arguments = dict(self.arguments)
        if has_arg(self.function, "mask"):
            arguments["mask"] = mask
        return self.function(inputs, **arguments)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def get_config(self):
        function, function_type, module = _serialize_function(self.function)
        config = {"function": function, "function_type": function_type, "module": module}
        if callable(self._output_shape):
            shape, shape_type, shape_module = _serialize_function(self._output_shape)
            config.update(output_shape=shape, output_shape_type=shape_type,
                          output_shape_module=shape_module)
        else:
            config.update(output_shape=self._output_shape, output_shape_type="raw")
        config["arguments"] = self.arguments
        return dict(super().get_config(), **config)

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        """Rebuild a Lambda; bytecode in the config runs only with `safe_mode=False`.

        `safe_mode=None` means safe unless `enable_unsafe_deserialization()` was called.
        """
        config = dict(config)
        globs = dict(vars(K))
        globs.update(custom_objects or {})
        config["function"] = _deserialize_function(config, "function", custom_objects,
                                                   safe_mode, globs)
        config["output_shape"] = _deserialize_function(config, "output_shape", custom_objects,
                                                       safe_mode, globs)
        if isinstance(config["output_shape"], list):
            config["output_shape"] = tuple(config["output_shape"])
        for key in ("function_type", "module", "output_shape_type", "output_shape_module"):
            config.pop(key, None)
        return cls(**config)
