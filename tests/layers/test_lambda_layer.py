"""Lambda: shape inference, output_shape forms, arguments, masks, and safe deserialization."""
import numpy as np
import pytest

from graphkeras import backend as K
from graphkeras import layers
from graphkeras.layers import Input
from graphkeras.models import Model
from graphkeras.utils.generic_utils import CustomObjectScope

from .layer_test import layer_test


def square_plus(x, offset=0.0):
    return K.square(x) + offset


def halve_last_axis(input_shape):
    return tuple(input_shape[:-1]) + (input_shape[-1] // 2,)


def first_half(x):
    return x[:, :K.int_shape(x)[-1] // 2]


def test_lambda_with_named_function_round_trips_by_name():
    x = np.random.RandomState(0).normal(size=(3, 4)).astype("float32")
    layer_test(layers.Lambda, {"function": square_plus, "arguments": {"offset": 1.0}},
               input_data=x, expected_output=x ** 2 + 1,
               custom_objects={"square_plus": square_plus})
    config = layers.Lambda(square_plus).get_config()
    assert config["function"] == "square_plus"
    assert config["function_type"] == "function"


def test_lambda_output_shape_inferred_given_as_tuple_or_function():
    x = np.arange(12, dtype="float32").reshape(2, 6)
    inferred = layers.Lambda(first_half)(Input(shape=(6,)))
    assert K.int_shape(inferred) == (None, 3)
    layer_test(layers.Lambda, {"function": first_half, "output_shape": (3,)}, input_data=x,
               expected_output=x[:, :3], custom_objects={"first_half": first_half})
    layer_test(layers.Lambda, {"function": first_half, "output_shape": halve_last_axis},
               input_data=x, expected_output=x[:, :3],
               custom_objects={"first_half": first_half, "halve_last_axis": halve_last_axis})


def test_lambda_output_shape_function_returning_no_shape_names_the_layer():
    layer = layers.Lambda(first_half, output_shape=lambda shape: shape[-1] // 2, name="half")
    with pytest.raises(ValueError, match="Lambda 'half': the `output_shape` function must "
                                         "return a tuple or a list of tuples, got 3"):
        layer(Input(shape=(6,)))


def test_lambda_on_a_list_of_inputs():
    a = np.ones((2, 3), dtype="float32")
    b = np.full((2, 3), 2.0, dtype="float32")
    inputs = [Input(shape=(3,)), Input(shape=(3,))]
    out = layers.Lambda(lambda xs: xs[0] * xs[1], output_shape=(3,))(inputs)
    assert K.int_shape(out) == (None, 3)
    np.testing.assert_allclose(Model(inputs, out).predict([a, b]), a * b)


def test_lambda_passes_mask_and_computes_mask():
    inp = Input(shape=(3, 2))
    masked = layers.Masking()(inp)
    seen = []

    def record(x, mask=None):
        seen.append(mask)
        return x

    layer = layers.Lambda(record, output_shape=(3, 2), mask=lambda inputs, mask: mask)
    out = layer(masked)
    assert len(seen) == 1 and seen[0] is not None
    assert layer.get_output_mask_at(0) is seen[0]
    assert K.int_shape(out) == (None, 3, 2)
    assert layer.compute_mask(inp, "m") == "m"
    assert layers.Lambda(record).compute_mask(inp, "m") is None


def test_lambda_bytecode_needs_safe_mode_off():
    layer = layers.Lambda(lambda x: x * 3.0, name="triple")
    config = layer.get_config()
    assert config["function_type"] == "lambda"
    with pytest.raises(ValueError, match="Lambda 'triple'.*bytecode.*safe_mode=False"):
        layers.Lambda.from_config(config)
    with pytest.raises(ValueError, match="safe_mode=False"):
        layers.deserialize({"class_name": "Lambda", "config": config})
    rebuilt = layers.Lambda.from_config(config, safe_mode=False)
    inp = Input(shape=(2,))
    value = K.function([inp], [rebuilt(inp)])([np.ones((1, 2), "float32")])[0]
    np.testing.assert_allclose(value, 3.0)
    again = layers.deserialize({"class_name": "Lambda", "config": config}, safe_mode=False)
    assert again.name == "triple"


def test_lambda_closure_survives_unsafe_round_trip():
    scale = 4.0
    config = layers.Lambda(lambda x: x * scale).get_config()
    rebuilt = layers.Lambda.from_config(config, safe_mode=False)
    inp = Input(shape=(2,))
    value = K.function([inp], [rebuilt(inp)])([np.ones((1, 2), "float32")])[0]
    np.testing.assert_allclose(value, 4.0)


def test_lambda_unknown_function_name_is_a_clear_error():
    config = layers.Lambda(square_plus).get_config()
    config["module"] = "not_a_loaded_module"
    with pytest.raises(ValueError, match="unknown function 'square_plus'"):
        layers.Lambda.from_config(config)
    with CustomObjectScope({"square_plus": square_plus}):
        assert layers.Lambda.from_config(config).function is square_plus


def test_lambda_finds_function_in_its_imported_module():
    config = layers.Lambda(square_plus).get_config()
    assert layers.Lambda.from_config(config).function is square_plus


def test_lambda_config_survives_json_and_model_from_json_refuses_bytecode():
    import json

    from graphkeras.models import model_from_json
    inp = Input(shape=(2,))
    model = Model(inp, layers.Lambda(lambda x: x + 1.0, name="plus_one")(inp))
    with pytest.raises(ValueError, match="Lambda 'plus_one'.*safe_mode=False"):
        model_from_json(model.to_json())
    config = json.loads(json.dumps(model.get_layer("plus_one").get_config()))
    rebuilt = layers.Lambda.from_config(config, safe_mode=False)
    value = K.function([inp], [rebuilt(inp)])([np.zeros((1, 2), "float32")])[0]
    np.testing.assert_allclose(value, 1.0)
