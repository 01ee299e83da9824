"""Backend settings Keras 2 exposes: epsilon, floatx, image data format, and layer-name uids."""
import builtins
import collections
import json
import os

# Keras 2.2.4's TensorFlow backend keeps Python's builtins under these names, since K's own
# all/any/sum/slice shadow them.
py_all = builtins.all
py_any = builtins.any
py_sum = builtins.sum
py_slice = builtins.slice

_SETTINGS = {"epsilon": 1e-7, "floatx": "float32", "image_data_format": "channels_last"}
_UIDS = collections.defaultdict(int)


def _load_keras_json():
    """Read ~/.keras/keras.json as Keras 2 does (floatx, epsilon, image_data_format)."""
    path = os.path.join(os.path.expanduser("~"), ".keras", "keras.json")
    try:
        with open(path) as f:
            config = json.load(f)
    except (OSError, ValueError):
        return
    for key in _SETTINGS:
        if key in config:
            _SETTINGS[key] = config[key]


_load_keras_json()


def epsilon():
    """The fuzz factor used in numeric expressions (1e-7 by default)."""
    return _SETTINGS["epsilon"]


def set_epsilon(e):
    _SETTINGS["epsilon"] = float(e)


def floatx():
    """The default float type as a string ('float32' by default)."""
    return _SETTINGS["floatx"]


def set_floatx(value):
    if value not in {"float16", "float32", "float64"}:
        raise ValueError(f"Unknown floatx type: {value!r}")
    _SETTINGS["floatx"] = str(value)


def cast_to_floatx(x):
    import numpy as np
    return np.asarray(x, dtype=floatx())


def image_data_format():
    return _SETTINGS["image_data_format"]


def set_image_data_format(data_format):
    if data_format not in {"channels_last", "channels_first"}:
        raise ValueError(f"Unknown data_format: {data_format!r}")
    _SETTINGS["image_data_format"] = str(data_format)


def image_dim_ordering():
    """Keras 1's name for the data format: 'tf' for channels_last, 'th' for channels_first."""
    return "th" if image_data_format() == "channels_first" else "tf"


def set_image_dim_ordering(dim_ordering):
    """Set the data format with Keras 1's names 'tf' (channels_last) or 'th'."""
    formats = {"tf": "channels_last", "th": "channels_first"}
    if dim_ordering not in formats:
        raise ValueError(f"Unknown dim_ordering: {dim_ordering!r}; expected 'tf' or 'th'")
    set_image_data_format(formats[dim_ordering])


def normalize_data_format(value):
    if value is None:
        value = image_data_format()
    data_format = value.lower()
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError("The `data_format` argument must be one of "
                         f"'channels_first', 'channels_last'. Received: {value}")
    return data_format


def get_uid(prefix=""):
    """A counter per prefix: 1 for the first `dense`, 2 for the second (Keras 2.2 naming)."""
    _UIDS[prefix] += 1
    return _UIDS[prefix]


def reset_uids():
    _UIDS.clear()


def backend():
    """The name of the backend: graphkeras is its own."""
    return "graphkeras"
