"""Keras 2.2's module `keras.engine.saving`, for code that imports model files through it
(`from keras.engine import saving; saving.load_weights_from_hdf5_group_by_name(f, layers)`).

The functions live in graphkeras.saving (and graphkeras.models); importing this module loads
h5py.
"""
from ..models import model_from_config, model_from_json, model_from_yaml  # noqa: F401
from ..saving import (load_model, load_weights_from_hdf5_group,  # noqa: F401
                      load_weights_from_hdf5_group_by_name, save_model,
                      save_weights_to_hdf5_group)
