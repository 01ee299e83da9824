"""Keras 2.2 scripts import from module paths, not just the top level: they all exist here."""
import importlib

import numpy as np
import pytest

PATHS = [
    ("graphkeras.engine.topology", ["Layer", "Input", "InputLayer", "InputSpec", "Node"]),
    ("graphkeras.engine.base_layer", ["Layer", "InputSpec"]),
    ("graphkeras.engine", ["Input", "Model", "InputSpec", "Layer"]),
    ("graphkeras.engine.training", ["Model"]),
    ("graphkeras.utils.generic_utils", ["CustomObjectScope", "get_custom_objects", "Progbar",
                                        "has_arg", "serialize_keras_object",
                                        "deserialize_keras_object", "custom_object_scope"]),
    ("graphkeras.utils.np_utils", ["to_categorical", "normalize"]),
    ("graphkeras.utils.data_utils", ["Sequence", "get_file", "GeneratorEnqueuer",
                                     "OrderedEnqueuer"]),
    ("graphkeras.utils.layer_utils", ["print_summary", "count_params"]),
    ("graphkeras.utils.conv_utils", ["normalize_tuple", "normalize_padding", "conv_output_length",
                                     "conv_input_length", "deconv_length", "convert_kernel",
                                     "normalize_data_format"]),
    ("graphkeras.utils", ["to_categorical", "Sequence", "Progbar", "CustomObjectScope"]),
    ("graphkeras", ["Input", "Model", "Sequential", "backend", "layers", "models", "optimizers",
                    "losses", "metrics", "callbacks", "initializers", "regularizers",
                    "constraints", "activations", "utils", "__version__"]),
]


@pytest.mark.parametrize("module,names", PATHS, ids=[p[0] for p in PATHS])
def test_keras22_module_path_exports(module, names):
    mod = importlib.import_module(module)
    missing = [n for n in names if not hasattr(mod, n)]
    assert not missing, f"{module} lacks {missing}"


def test_conv_utils_arithmetic_matches_keras22():
    from graphkeras.utils import conv_utils as cu
    assert cu.normalize_tuple(3, 2, "kernel_size") == (3, 3)
    assert cu.conv_output_length(28, 3, "valid", 1) == 26
    assert cu.conv_output_length(28, 3, "same", 2) == 14
    assert cu.conv_output_length(10, 3, "causal", 1, dilation=2) == 10
    assert cu.conv_output_length(None, 3, "valid", 1) is None
    assert cu.conv_input_length(26, 3, "valid", 1) == 28
    assert cu.deconv_length(14, 2, 3, "same") == 28
    assert cu.deconv_length(13, 2, 3, "valid") == 27
    with pytest.raises(ValueError, match="padding"):
        cu.normalize_padding("middle")
    kernel = np.arange(8).reshape(2, 2, 1, 2)
    np.testing.assert_array_equal(cu.convert_kernel(kernel), kernel[::-1, ::-1])


def test_import_does_not_load_heavy_optional_modules():
    import subprocess
    import sys
    code = ("import sys, graphkeras; "
            "print(','.join(m for m in ('networkx', 'h5py', 'yaml') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
