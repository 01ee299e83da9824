"""Convolution layers (Conv1D/2D/3D, transposed, separable, depthwise), the shape-only spatial
layers (UpSampling, ZeroPadding, Cropping) and LocallyConnected1D/2D: `layer_test`, values
against direct NumPy loops (conv_reference.py) in both data formats, shapes with unknown
dimensions, tf.keras config keys, and build-time errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkeras import backend as K
from graphkeras.layers import Input
from graphkeras.layers import convolutional as C
from graphkeras.layers import local
from graphkeras.models import Model
from graphkeras.utils.generic_utils import custom_object_scope

from . import conv_reference as ref
from .layer_test import layer_test

RNG = np.random.RandomState(0)


def registered():
    """The layers of these modules by name, for (de)serialization in layer_test."""
    objects = {}
    for module in (C, local):
        objects.update({name: value for name, value in vars(module).items()
                        if isinstance(value, type) and not name.startswith("_")})
    return objects


def check(layer_cls, kwargs, input_shape, **options):
    with custom_object_scope(registered()):
        return layer_test(layer_cls, kwargs=kwargs, input_shape=input_shape, **options)


def to_last(x):
    return np.moveaxis(x, 1, -1)


def to_first(x):
    return np.moveaxis(x, -1, 1)


def apply(layer, data, weights=None):
    """The layer's output on `data`, after giving it `weights` (random when None)."""
    inputs = Input(batch_shape=(None,) + data.shape[1:])
    model = Model(inputs, layer(inputs))
    if weights is None:
        weights = [RNG.normal(size=K.int_shape(w)).astype("float32") for w in layer.weights]
    layer.set_weights(weights)
    return model.predict(data), weights


def random(*shape):
    return RNG.normal(size=shape).astype("float32")


# layer_test on every layer.

LAYER_CASES = [
    (C.Conv1D, {"filters": 3, "kernel_size": 3, "padding": "causal", "dilation_rate": 2},
     (None, 9, 2)),
    (C.Conv1D, {"filters": 2, "kernel_size": 2, "strides": 2, "padding": "same",
                "data_format": "channels_first"}, (None, 3, 7)),
    (C.Conv2D, {"filters": 3, "kernel_size": (2, 3), "strides": 2, "padding": "same",
                "activation": "relu"}, (None, 7, 6, 2)),
    (C.Conv2D, {"filters": 2, "kernel_size": 3, "dilation_rate": 2,
                "data_format": "channels_first"}, (None, 2, 7, 7)),
    (C.Conv3D, {"filters": 2, "kernel_size": 2, "use_bias": False}, (None, 4, 3, 4, 2)),
    (C.Conv2DTranspose, {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same",
                         "output_padding": 1}, (None, 4, 3, 2)),
    (C.Conv2DTranspose, {"filters": 2, "kernel_size": (2, 3), "strides": (1, 2),
                         "data_format": "channels_first"}, (None, 3, 4, 3)),
    (C.Conv3DTranspose, {"filters": 2, "kernel_size": 2, "strides": 2}, (None, 2, 3, 2, 2)),
    (C.SeparableConv1D, {"filters": 3, "kernel_size": 3, "depth_multiplier": 2,
                         "padding": "same"}, (None, 8, 2)),
    (C.SeparableConv2D, {"filters": 3, "kernel_size": 2, "strides": 2,
                         "data_format": "channels_first"}, (None, 2, 6, 5)),
    (C.DepthwiseConv2D, {"kernel_size": 3, "depth_multiplier": 2, "padding": "same"},
     (None, 5, 6, 3)),
    (C.UpSampling1D, {"size": 3}, (None, 4, 2)),
    (C.UpSampling2D, {"size": (2, 3), "data_format": "channels_first"}, (None, 2, 3, 4)),
    (C.UpSampling2D, {"size": 2, "interpolation": "bilinear"}, (None, 3, 4, 2)),
    (C.UpSampling3D, {"size": (1, 2, 2)}, (None, 2, 3, 2, 2)),
    (C.ZeroPadding1D, {"padding": (1, 2)}, (None, 4, 2)),
    (C.ZeroPadding2D, {"padding": ((1, 0), (2, 3)), "data_format": "channels_first"},
     (None, 2, 3, 3)),
    (C.ZeroPadding3D, {"padding": (1, 0, 2)}, (None, 2, 2, 2, 1)),
    (C.Cropping1D, {"cropping": (1, 2)}, (None, 6, 2)),
    (C.Cropping2D, {"cropping": ((1, 0), (0, 2))}, (None, 4, 5, 2)),
    (C.Cropping3D, {"cropping": 1, "data_format": "channels_first"}, (None, 2, 4, 4, 3)),
    (local.LocallyConnected1D, {"filters": 3, "kernel_size": 2, "strides": 2}, (None, 7, 2)),
    (local.LocallyConnected2D, {"filters": 2, "kernel_size": (2, 3),
                                "data_format": "channels_first"}, (None, 2, 4, 5)),
]


@pytest.mark.parametrize("layer_cls, kwargs, input_shape", LAYER_CASES,
                         ids=[f"{c.__name__}-{i}" for i, (c, _, _) in enumerate(LAYER_CASES)])
def test_layer_passes_layer_test(layer_cls, kwargs, input_shape):
    check(layer_cls, kwargs, input_shape)


# Values against NumPy.

@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("rank, kwargs", [
    (1, {"kernel_size": 3, "strides": 2, "padding": "same"}),
    (1, {"kernel_size": 2, "dilation_rate": 3}),
    (2, {"kernel_size": (3, 2), "strides": (2, 1), "padding": "same"}),
    (2, {"kernel_size": 2, "dilation_rate": (2, 1)}),
    (3, {"kernel_size": (2, 1, 2), "strides": (1, 2, 1), "padding": "same"}),
])
def test_conv_matches_numpy(rank, kwargs, data_format):
    layer_cls = {1: C.Conv1D, 2: C.Conv2D, 3: C.Conv3D}[rank]
    x = random(2, *([5, 6, 4][:rank]), 3)
    layer = layer_cls(4, data_format=data_format, **kwargs)
    data = to_first(x) if data_format == "channels_first" else x
    actual, (kernel, bias) = apply(layer, data)
    expected = ref.conv(x, kernel, layer.strides, kwargs.get("padding", "valid"),
                        layer.dilation_rate) + bias
    if data_format == "channels_first":
        actual = to_last(actual)
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4)


def test_causal_conv1d_output_depends_only_on_the_past():
    x = random(2, 9, 2)
    layer = C.Conv1D(3, 3, padding="causal", dilation_rate=2)
    actual, (kernel, bias) = apply(layer, x)
    padded = np.pad(x, ((0, 0), (4, 0), (0, 0)))
    expected = ref.conv(padded, kernel, (1,), "valid", (2,)) + bias
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4)
    changed = x.copy()
    changed[:, 5:] += 1.0
    later, _ = apply(layer, changed, [kernel, bias])
    np.testing.assert_allclose(later[:, :5], actual[:, :5], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("kwargs", [
    {"kernel_size": 3, "strides": 2, "padding": "same"},
    {"kernel_size": 3, "strides": 2, "padding": "same", "output_padding": 0},
    {"kernel_size": (2, 3), "strides": (2, 3), "padding": "valid", "output_padding": (1, 2)},
    {"kernel_size": 3, "strides": 1, "padding": "valid"},
])
def test_conv2d_transpose_matches_numpy(kwargs, data_format):
    x = random(2, 3, 4, 2)
    layer = C.Conv2DTranspose(3, data_format=data_format, **kwargs)
    data = to_first(x) if data_format == "channels_first" else x
    actual, (kernel, bias) = apply(layer, data)
    assert actual.shape[1:] == layer.compute_output_shape((None,) + data.shape[1:])[1:]
    if data_format == "channels_first":
        actual = to_last(actual)
    expected = ref.conv_transpose(x, kernel, layer.strides, layer.padding,
                                  actual.shape[1:3]) + bias
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4)


def test_conv2d_transpose_is_the_gradient_of_conv2d():
    """Transposed conv with output_padding gives back the input size a stride-2 conv drops."""
    x = random(1, 3, 3, 2)
    layer = C.Conv2DTranspose(4, 3, strides=2, padding="same", output_padding=0)
    actual, (kernel, _) = apply(layer, x, [random(3, 3, 4, 2), np.zeros(4, "float32")])
    assert actual.shape == (1, 5, 5, 4)
    probe = random(1, 5, 5, 4)
    forward = ref.conv(probe.astype(np.float64), kernel, (2, 2), "same", (1, 1))
    # <conv(probe), x> == <probe, conv_transpose(x)>: the two maps are adjoint.
    np.testing.assert_allclose(np.sum(forward * x), np.sum(probe * actual), rtol=1e-4)


def test_conv3d_transpose_matches_numpy():
    x = random(2, 2, 3, 2, 2)
    layer = C.Conv3DTranspose(2, (2, 3, 2), strides=(2, 1, 2), padding="same")
    actual, (kernel, bias) = apply(layer, x)
    assert actual.shape == (2, 4, 3, 4, 2)
    expected = ref.conv_transpose(x, kernel, layer.strides, "same", (4, 3, 4)) + bias
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_depthwise_and_separable_conv2d_match_numpy(data_format):
    x = random(2, 5, 6, 3)
    data = to_first(x) if data_format == "channels_first" else x
    restore = to_last if data_format == "channels_first" else (lambda a: a)
    depthwise = C.DepthwiseConv2D((3, 2), strides=(2, 1), padding="same", depth_multiplier=2,
                                  data_format=data_format)
    actual, (kernel, bias) = apply(depthwise, data)
    expected = ref.depthwise(x, kernel, (2, 1), "same", (1, 1)) + bias
    np.testing.assert_allclose(restore(actual), expected, rtol=1e-4, atol=1e-4)

    separable = C.SeparableConv2D(4, 2, dilation_rate=2, depth_multiplier=2,
                                  data_format=data_format)
    actual, (depth_kernel, point_kernel, bias) = apply(separable, data)
    middle = ref.depthwise(x, depth_kernel, (1, 1), "valid", (2, 2))
    expected = ref.conv(middle, point_kernel, (1, 1), "valid", (1, 1)) + bias
    np.testing.assert_allclose(restore(actual), expected, rtol=1e-4, atol=1e-4)


def test_separable_conv1d_causal_matches_numpy():
    x = random(2, 7, 2)
    layer = C.SeparableConv1D(3, 3, padding="causal", dilation_rate=2, depth_multiplier=2)
    actual, (depth_kernel, point_kernel, bias) = apply(layer, x)
    padded = np.pad(x, ((0, 0), (4, 0), (0, 0)))
    middle = ref.depthwise(padded, depth_kernel, (1,), "valid", (2,))
    expected = ref.conv(middle, point_kernel, (1,), "valid", (1,)) + bias
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_locally_connected_matches_numpy(data_format):
    channels_first = data_format == "channels_first"
    for layer, x in [(local.LocallyConnected1D(3, 3, strides=2, data_format=data_format),
                      random(2, 8, 2)),
                     (local.LocallyConnected2D(2, (2, 3), strides=(2, 1),
                                               data_format=data_format), random(2, 5, 5, 3))]:
        actual, (kernel, bias) = apply(layer, to_first(x) if channels_first else x)
        expected = ref.locally_connected(x, kernel, bias, layer.kernel_size, layer.strides,
                                         channels_first)
        np.testing.assert_allclose(to_last(actual) if channels_first else actual, expected,
                                   rtol=1e-4, atol=1e-4)


def test_upsampling_padding_and_cropping_match_numpy():
    x = random(2, 3, 4, 2)
    np.testing.assert_array_equal(apply(C.UpSampling2D((2, 3)), x)[0],
                                  x.repeat(2, axis=1).repeat(3, axis=2))
    np.testing.assert_array_equal(apply(C.ZeroPadding2D(((1, 0), (2, 1))), x)[0],
                                  np.pad(x, ((0, 0), (1, 0), (2, 1), (0, 0))))
    np.testing.assert_array_equal(apply(C.Cropping2D(((1, 0), (1, 2))), x)[0], x[:, 1:, 1:2])
    np.testing.assert_array_equal(
        apply(C.Cropping2D(((0, 1), (0, 0)), data_format="channels_first"), x)[0],
        x[:, :, :3])
    sequence = random(2, 5, 3)
    np.testing.assert_array_equal(apply(C.UpSampling1D(2), sequence)[0],
                                  sequence.repeat(2, axis=1))
    np.testing.assert_array_equal(apply(C.ZeroPadding1D(2), sequence)[0],
                                  np.pad(sequence, ((0, 0), (2, 2), (0, 0))))
    np.testing.assert_array_equal(apply(C.Cropping1D((2, 0)), sequence)[0], sequence[:, 2:])
    volume = random(1, 2, 3, 4, 2)
    np.testing.assert_array_equal(
        apply(C.UpSampling3D((2, 1, 2), data_format="channels_first"), volume)[0],
        volume.repeat(2, axis=2).repeat(2, axis=4))
    np.testing.assert_array_equal(apply(C.Cropping3D(((1, 0), (0, 1), (1, 1))), volume)[0],
                                  volume[:, 1:, :2, 1:3])


# Shapes with unknown dimensions.

@pytest.mark.parametrize("layer, input_shape, expected", [
    (C.Conv2D(4, 3, strides=2, padding="same"), (None, None, 9, 3), (None, None, 5, 4)),
    (C.Conv1D(2, 3, padding="causal"), (None, None, 3), (None, None, 2)),
    (C.Conv2DTranspose(2, 3, strides=2), (None, None, 4, 3), (None, None, 9, 2)),
    (C.Conv2DTranspose(2, 3, strides=2, padding="same", data_format="channels_first"),
     (None, 3, 4, None), (None, 2, 8, None)),
    (C.DepthwiseConv2D(3, depth_multiplier=3), (None, None, None, 2), (None, None, None, 6)),
    (C.UpSampling2D(2), (None, None, 3, 2), (None, None, 6, 2)),
    (C.ZeroPadding2D(1), (None, 3, None, 2), (None, 5, None, 2)),
    (C.Cropping1D(1), (None, None, 2), (None, None, 2)),
])
def test_output_shapes_keep_unknown_dimensions(layer, input_shape, expected):
    assert layer.compute_output_shape(input_shape) == expected
    assert K.int_shape(layer(Input(batch_shape=input_shape))) == expected


def test_transposed_conv_with_unknown_spatial_size_runs():
    inputs = Input(batch_shape=(None, None, None, 2))
    layer = C.Conv2DTranspose(3, 3, strides=2, padding="same")
    model = Model(inputs, layer(inputs))
    x = random(2, 3, 4, 2)
    actual = model.predict(x)
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(actual, ref.conv_transpose(x, kernel, (2, 2), "same", (6, 8))
                               + bias, rtol=1e-4, atol=1e-4)


# Configs and aliases.

def test_tf_keras_config_keys_are_accepted():
    config = C.Conv2D(4, 3).get_config()
    layer = C.Conv2D.from_config(dict(config, groups=1, name="conv_tf"))
    assert layer.kernel_size == (3, 3) and "groups" not in layer.get_config()
    depthwise = C.DepthwiseConv2D.from_config(dict(C.DepthwiseConv2D(3).get_config(),
                                                   filters=None, groups=1, name="dw_tf"))
    assert depthwise.depth_multiplier == 1
    transpose = C.Conv3DTranspose.from_config(dict(C.Conv3DTranspose(2, 2).get_config(),
                                                   dilation_rate=[1, 1, 1], name="c3t_tf"))
    assert transpose.get_config()["output_padding"] is None
    lc = local.LocallyConnected1D.from_config(dict(local.LocallyConnected1D(2, 2).get_config(),
                                                   implementation=2, name="lc_tf"))
    assert lc.filters == 2


def test_keras224_aliases_name_the_same_classes():
    assert C.Convolution1D is C.Conv1D and C.Convolution2D is C.Conv2D
    assert C.Convolution3D is C.Conv3D
    assert C.SeparableConvolution1D is C.SeparableConv1D
    assert C.SeparableConvolution2D is C.SeparableConv2D
    assert C.Deconvolution2D is C.Deconv2D is C.Convolution2DTranspose is C.Conv2DTranspose
    assert C.Deconvolution3D is C.Deconv3D is C.Conv3DTranspose


# Errors at build time.

def test_errors_name_the_layer_and_the_shapes():
    with pytest.raises(ValueError, match="groups=1"):
        C.Conv2D(4, 3, groups=2)
    with pytest.raises(ValueError, match="output padding"):
        C.Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="causal"):
        C.Conv1D(2, 3, padding="causal", data_format="channels_first")
    with pytest.raises(ValueError, match="only 'valid'"):
        local.LocallyConnected2D(2, 3, padding="same")
    with pytest.raises(ValueError, match=r"Conv2D 'bad_conv'.*channel.*\(None, 5, 5, None\)"):
        C.Conv2D(2, 3, name="bad_conv")(Input(batch_shape=(None, 5, 5, None)))
    with pytest.raises(ValueError, match="Conv2D 'conv_rank'.*rank 4"):
        C.Conv2D(2, 3, name="conv_rank")(Input(batch_shape=(None, 5, 3)))
    with pytest.raises(ValueError, match="LocallyConnected1D 'lc'.*known"):
        local.LocallyConnected1D(2, 3, name="lc")(Input(batch_shape=(None, None, 3)))
    with pytest.raises(ValueError, match="Cropping1D 'crop'.*larger"):
        C.Cropping1D((2, 2), name="crop")(Input(batch_shape=(None, 3, 3)))


@settings(max_examples=15, deadline=None)
@given(kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       strides=st.tuples(st.integers(1, 3), st.integers(1, 2)),
       dilation=st.integers(1, 2), padding=st.sampled_from(["valid", "same"]),
       size=st.tuples(st.integers(5, 8), st.integers(5, 8)))
def test_conv2d_matches_numpy_on_drawn_configurations(kernel, strides, dilation, padding, size):
    if dilation > 1:
        strides = (1, 1)    # Keras refuses strides > 1 with dilation > 1 on TensorFlow
    x = random(2, *size, 2)
    layer = C.Conv2D(3, kernel, strides=strides, padding=padding, dilation_rate=dilation)
    actual, (weights, bias) = apply(layer, x)
    assert actual.shape[1:] == layer.compute_output_shape((None,) + x.shape[1:])[1:]
    expected = ref.conv(x, weights, strides, padding, (dilation, dilation)) + bias
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4)
