"""`layer_test`: the one check every layer goes through (STYLE.md section 10).

It builds the layer on an `Input`, checks the output's static shape against
`compute_output_shape` and its dtype, runs it in a functional model, round-trips the layer's
config and weights and the model's config, runs it as the first layer of a `Sequential` model,
and takes one training step. It returns the output on the input data, for value checks.
"""
import numpy as np

from graphkeras import backend as K
from graphkeras.layers import Input
from graphkeras.models import Model, Sequential


def _concrete(shape, batch=3, fill=4):
    """A shape with the batch axis set to `batch` and other unknown axes to `fill`."""
    return tuple((batch if axis == 0 else fill) if d is None else d
                 for axis, d in enumerate(shape))


def _random_data(shape, dtype, rng):
    data = rng.normal(size=_concrete(shape)) * 2.0
    if np.dtype(dtype).kind in "iu":
        data = np.abs(data * 3).astype(dtype)
    return data.astype(dtype)


def _assert_shape_matches(actual, expected, what):
    """Equal rank, and equal sizes wherever `expected` knows the size."""
    assert len(actual) == len(expected), f"{what}: {actual} vs expected {expected}"
    for a, e in zip(actual, expected):
        assert e is None or a == e, f"{what}: {actual} vs expected {expected}"


def _as_list(x):
    return x if isinstance(x, list) else [x]


def layer_test(layer_cls, kwargs=None, input_shape=None, input_dtype="float32",
               input_data=None, expected_output=None, expected_output_dtype=None,
               train=True, rtol=1e-5, atol=1e-6, custom_objects=None):
    """Run the standard layer checks; returns the layer's output on `input_data`.

    `input_shape` includes the batch axis (None allowed) and may be a list of shapes for a
    layer with several inputs; `input_data` (an array or list of arrays) is drawn when omitted.
    """
    kwargs = kwargs or {}
    rng = np.random.RandomState(1234)
    multi = isinstance(input_shape, list) or isinstance(input_data, list)
    if input_shape is None:
        input_shape = [d.shape for d in input_data] if multi else input_data.shape
    shapes = _as_list(input_shape)
    if input_data is None:
        input_data = [_random_data(s, input_dtype, rng) for s in shapes]
    data = _as_list(input_data)
    if expected_output_dtype is None:
        expected_output_dtype = input_dtype

    layer = layer_cls(**kwargs)
    inputs = [Input(batch_shape=tuple(s), dtype=input_dtype) for s in shapes]
    outputs = layer(inputs if multi else inputs[0])
    assert K.dtype(outputs) == expected_output_dtype, (
        f"{layer_cls.__name__}: output dtype {K.dtype(outputs)}, expected "
        f"{expected_output_dtype}")
    computed_shape = layer.compute_output_shape([tuple(s) for s in shapes] if multi
                                                else tuple(shapes[0]))
    assert tuple(K.int_shape(outputs)) == tuple(computed_shape), (
        f"{layer_cls.__name__}: symbolic output shape {K.int_shape(outputs)} differs from "
        f"compute_output_shape {computed_shape}")

    model = Model(inputs if multi else inputs[0], outputs)
    actual = model.predict(data if multi else data[0])
    _assert_shape_matches(actual.shape, computed_shape, f"{layer_cls.__name__} output shape")
    assert actual.dtype == np.dtype(expected_output_dtype)
    if expected_output is not None:
        np.testing.assert_allclose(actual, expected_output, rtol=rtol, atol=atol)

    _check_layer_round_trip(layer, layer_cls, inputs, multi, data, actual, custom_objects,
                            rtol, atol)
    _check_model_round_trip(model, data, multi, actual, custom_objects, rtol, atol)
    if not multi:
        _check_in_sequential(layer_cls, kwargs, shapes[0], input_dtype, layer.get_weights(),
                             data[0], actual, rtol, atol)
    if train and np.dtype(expected_output_dtype).kind == "f":
        model.compile("rmsprop", "mse")
        loss = model.train_on_batch(data if multi else data[0], actual)
        assert np.all(np.isfinite(loss)), f"{layer_cls.__name__}: training loss {loss}"
    return actual


def _check_layer_round_trip(layer, layer_cls, inputs, multi, data, actual, custom_objects,
                            rtol, atol):
    """from_config(get_config()) gives the same config; set_weights gives the same output."""
    config = layer.get_config()
    if custom_objects:
        clone = layer_cls.from_config(config, custom_objects=custom_objects)
    else:
        clone = layer_cls.from_config(config)
    assert clone.get_config() == config, (
        f"{layer_cls.__name__}: config changed in a round trip:\n{config}\n{clone.get_config()}")
    clone_inputs = inputs if multi else inputs[0]
    clone_model = Model(clone_inputs, clone(clone_inputs))
    weights = layer.get_weights()
    clone.set_weights(weights)
    for before, after in zip(weights, clone.get_weights()):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_allclose(clone_model.predict(data if multi else data[0]), actual,
                               rtol=rtol, atol=atol)


def _check_model_round_trip(model, data, multi, actual, custom_objects, rtol, atol):
    """Model.from_config(model.get_config()) with the same weights predicts the same."""
    rebuilt = Model.from_config(model.get_config(), custom_objects=custom_objects)
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_allclose(rebuilt.predict(data if multi else data[0]), actual,
                               rtol=rtol, atol=atol)


def _check_in_sequential(layer_cls, kwargs, input_shape, input_dtype, weights, data, actual,
                         rtol, atol):
    """The layer as the first layer of a Sequential model, given `batch_input_shape`."""
    layer = layer_cls(batch_input_shape=tuple(input_shape), dtype=input_dtype, **kwargs)
    model = Sequential([layer])
    layer.set_weights(weights)
    np.testing.assert_allclose(model.predict(data), actual, rtol=rtol, atol=atol)
