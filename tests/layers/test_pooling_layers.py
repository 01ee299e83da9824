"""Pooling layers (Max/Average 1D/2D/3D, global pooling with `keepdims`, aliases): `layer_test`,
values against direct NumPy loops in both data formats, masked GlobalAveragePooling1D, shapes
with unknown dimensions, and build-time errors."""
import numpy as np
import pytest

from graphkeras import backend as K
from graphkeras.layers import Input, Masking
from graphkeras.layers import pooling as P
from graphkeras.models import Model
from graphkeras.utils.generic_utils import custom_object_scope

from . import conv_reference as ref
from .layer_test import layer_test

RNG = np.random.RandomState(0)


def registered():
    return {name: value for name, value in vars(P).items()
            if isinstance(value, type) and not name.startswith("_")}


def predict(layer, data):
    inputs = Input(batch_shape=(None,) + data.shape[1:])
    return Model(inputs, layer(inputs)).predict(data)


LAYER_CASES = [
    (P.MaxPooling1D, {"pool_size": 3, "strides": 1, "padding": "same"}, (None, 5, 2)),
    (P.AveragePooling1D, {"data_format": "channels_first"}, (None, 2, 6)),
    (P.MaxPooling2D, {"pool_size": (2, 3), "data_format": "channels_first"}, (None, 2, 5, 6)),
    (P.AveragePooling2D, {"strides": 1, "padding": "same"}, (None, 4, 5, 3)),
    (P.MaxPooling3D, {"pool_size": 2, "padding": "same"}, (None, 3, 4, 3, 2)),
    (P.AveragePooling3D, {"pool_size": (1, 2, 2), "data_format": "channels_first"},
     (None, 2, 2, 4, 4)),
    (P.GlobalMaxPooling1D, {}, (None, 5, 3)),
    (P.GlobalAveragePooling1D, {"keepdims": True}, (None, 5, 3)),
    (P.GlobalMaxPooling2D, {"data_format": "channels_first", "keepdims": True},
     (None, 3, 4, 5)),
    (P.GlobalAveragePooling2D, {}, (None, 4, 5, 3)),
    (P.GlobalMaxPooling3D, {}, (None, 2, 3, 4, 2)),
    (P.GlobalAveragePooling3D, {"data_format": "channels_first"}, (None, 2, 3, 2, 2)),
]


@pytest.mark.parametrize("layer_cls, kwargs, input_shape", LAYER_CASES,
                         ids=[c.__name__ for c, _, _ in LAYER_CASES])
def test_layer_passes_layer_test(layer_cls, kwargs, input_shape):
    with custom_object_scope(registered()):
        layer_test(layer_cls, kwargs=kwargs, input_shape=input_shape)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("rank, kwargs", [
    (1, {"pool_size": 3, "strides": 2, "padding": "same"}),
    (1, {"pool_size": 2}),
    (2, {"pool_size": (3, 2), "strides": (2, 1), "padding": "same"}),
    (2, {"pool_size": 2, "strides": 1}),
    (3, {"pool_size": (2, 3, 2), "strides": (1, 2, 2), "padding": "same"}),
])
def test_pooling_matches_numpy(rank, kwargs, mode, data_format):
    name = ("Max" if mode == "max" else "Average") + f"Pooling{rank}D"
    layer = getattr(P, name)(data_format=data_format, **kwargs)
    x = RNG.normal(size=(2,) + (5, 6, 4)[:rank] + (3,)).astype("float32")
    channels_first = data_format == "channels_first"
    actual = predict(layer, np.moveaxis(x, -1, 1) if channels_first else x)
    if channels_first:
        actual = np.moveaxis(actual, 1, -1)
    expected = ref.pool(x, layer.pool_size, layer.strides, layer.padding, mode)
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling_matches_numpy(data_format, keepdims):
    for rank in (1, 2, 3):
        x = RNG.normal(size=(2,) + (4, 3, 2)[:rank] + (3,)).astype("float32")
        data = np.moveaxis(x, -1, 1) if data_format == "channels_first" else x
        axes = tuple(range(2, rank + 2)) if data_format == "channels_first" \
            else tuple(range(1, rank + 1))
        for mode, reduce in [("Max", np.max), ("Average", np.mean)]:
            layer = getattr(P, f"Global{mode}Pooling{rank}D")(data_format=data_format,
                                                              keepdims=keepdims)
            np.testing.assert_allclose(predict(layer, data),
                                       reduce(data, axis=axes, keepdims=keepdims),
                                       rtol=1e-5, atol=1e-6)


def test_global_average_pooling1d_averages_only_unmasked_steps():
    x = RNG.normal(size=(2, 5, 3)).astype("float32")
    x[0, 3:] = 0.0
    x[1, 1:] = 0.0
    inputs = Input(shape=(5, 3))
    outputs = P.GlobalAveragePooling1D()(Masking(0.0)(inputs))
    actual = Model(inputs, outputs).predict(x)
    np.testing.assert_allclose(actual, [x[0, :3].mean(axis=0), x[1, :1].mean(axis=0)],
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("layer, input_shape, expected", [
    (P.MaxPooling1D(3, padding="same"), (None, None, 4), (None, None, 4)),
    (P.MaxPooling2D(), (None, None, 7, 3), (None, None, 3, 3)),
    (P.AveragePooling2D(2, data_format="channels_first"), (None, 3, 5, None),
     (None, 3, 2, None)),
    (P.AveragePooling3D(2), (None, 4, None, 4, 2), (None, 2, None, 2, 2)),
    (P.GlobalAveragePooling2D(keepdims=True), (None, None, None, 5), (None, 1, 1, 5)),
    (P.GlobalMaxPooling1D(data_format="channels_first"), (None, 3, None), (None, 3)),
])
def test_output_shapes_keep_unknown_dimensions(layer, input_shape, expected):
    assert layer.compute_output_shape(input_shape) == expected
    assert K.int_shape(layer(Input(batch_shape=input_shape))) == expected


def test_strides_default_to_pool_size_and_config_round_trips():
    layer = P.MaxPooling2D((3, 2))
    assert layer.strides == (3, 2)
    config = layer.get_config()
    assert config["strides"] == (3, 2) and config["pool_size"] == (3, 2)
    tf_keras = {"name": "pool", "trainable": True, "dtype": "float32", "strides": [2],
                "pool_size": [2], "padding": "valid", "data_format": "channels_last"}
    assert P.MaxPooling1D.from_config(tf_keras).pool_size == (2,)
    gap = P.GlobalAveragePooling1D.from_config({"name": "gap", "data_format": "channels_last",
                                                "keepdims": False, "dtype": "float32"})
    assert gap.get_config()["keepdims"] is False


def test_keras224_aliases_name_the_same_classes():
    pairs = [(P.AvgPool1D, P.AveragePooling1D), (P.MaxPool1D, P.MaxPooling1D),
             (P.AvgPool2D, P.AveragePooling2D), (P.MaxPool2D, P.MaxPooling2D),
             (P.AvgPool3D, P.AveragePooling3D), (P.MaxPool3D, P.MaxPooling3D),
             (P.GlobalMaxPool1D, P.GlobalMaxPooling1D), (P.GlobalAvgPool1D,
                                                         P.GlobalAveragePooling1D),
             (P.GlobalMaxPool2D, P.GlobalMaxPooling2D), (P.GlobalAvgPool2D,
                                                         P.GlobalAveragePooling2D),
             (P.GlobalMaxPool3D, P.GlobalMaxPooling3D), (P.GlobalAvgPool3D,
                                                         P.GlobalAveragePooling3D)]
    for alias, cls in pairs:
        assert alias is cls
    assert P.MaxPooling2D().name.startswith("max_pooling2d")


def test_errors_name_the_layer_and_the_shapes():
    with pytest.raises(ValueError, match="MaxPooling2D: padding"):
        P.MaxPooling2D(padding="causal")
    with pytest.raises(ValueError, match="MaxPooling2D 'pool'.*rank 4"):
        P.MaxPooling2D(name="pool")(Input(batch_shape=(None, 4, 3)))
    with pytest.raises(ValueError, match="pool_size"):
        P.AveragePooling2D(pool_size=(2, 2, 2))
