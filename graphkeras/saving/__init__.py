"""Keras 2 HDF5 saving and loading: whole models and weights.

hdf5_format.py holds the layer-weights layout and file helpers, optimizer_state.py the
`optimizer_weights` group, model_io.py whole models (`save_model`, `load_model`). Files are
those Keras 2.2 and tf.keras 2.x write, readable by them and from them.
"""
from .hdf5_format import (load_weights, load_weights_from_hdf5_group,
                          load_weights_from_hdf5_group_by_name, save_weights,
                          save_weights_to_hdf5_group)
from .model_io import load_model, save_model
from .optimizer_state import (load_optimizer_weights_from_hdf5_group,
                              save_optimizer_weights_to_hdf5_group)

__all__ = ["save_model", "load_model", "save_weights", "load_weights",
           "save_weights_to_hdf5_group", "load_weights_from_hdf5_group",
           "load_weights_from_hdf5_group_by_name", "save_optimizer_weights_to_hdf5_group",
           "load_optimizer_weights_from_hdf5_group"]
