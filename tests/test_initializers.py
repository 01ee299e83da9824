"""Keras 2 initializers: statistics, limits, seeds, shapes and (de)serialization by both names."""
import numpy as np
import pytest

from graphkeras import backend as K
from graphkeras import initializers

# Large enough that sample statistics sit within a few percent of their expected values.
SHAPE = (400, 300)
FAN_IN, FAN_OUT = SHAPE
TRUNCATED_STD = 0.87962566103423978  # std of a standard normal truncated to [-2, 2]


def _draw(initializer, shape=SHAPE, dtype=None):
    return initializers.get(initializer)(shape, dtype=dtype)


@pytest.mark.parametrize("name,scale,fan", [
    ("glorot_uniform", 1.0, (FAN_IN + FAN_OUT) / 2), ("GlorotUniform", 1.0, (FAN_IN + FAN_OUT) / 2),
    ("he_uniform", 2.0, FAN_IN), ("HeUniform", 2.0, FAN_IN),
    ("lecun_uniform", 1.0, FAN_IN), ("LecunUniform", 1.0, FAN_IN),
])
def test_uniform_variance_scaling_limits_and_std(name, scale, fan):
    values = _draw({"class_name": name, "config": {"seed": 1}})
    limit = np.sqrt(3.0 * scale / fan)
    assert values.dtype == np.float32
    assert values.max() <= limit and values.min() >= -limit
    assert values.max() > 0.99 * limit and values.min() < -0.99 * limit
    np.testing.assert_allclose(values.std(), limit / np.sqrt(3.0), rtol=0.02)
    assert abs(values.mean()) < 0.01 * limit


@pytest.mark.parametrize("name,scale,fan", [
    ("glorot_normal", 1.0, (FAN_IN + FAN_OUT) / 2), ("GlorotNormal", 1.0, (FAN_IN + FAN_OUT) / 2),
    ("he_normal", 2.0, FAN_IN), ("HeNormal", 2.0, FAN_IN),
    ("lecun_normal", 1.0, FAN_IN), ("LecunNormal", 1.0, FAN_IN),
])
def test_normal_variance_scaling_is_truncated_with_the_target_std(name, scale, fan):
    values = _draw({"class_name": name, "config": {"seed": 2}})
    std = np.sqrt(scale / fan)
    # The draw is truncated at 2 of its own (pre-truncation) standard deviations.
    assert np.abs(values).max() <= 2 * std / TRUNCATED_STD + 1e-6
    np.testing.assert_allclose(values.std(), std, rtol=0.02)
    assert abs(values.mean()) < 0.01 * std


def test_variance_scaling_modes_and_conv_fans():
    kernel_shape = (3, 3, 16, 32)  # receptive field 9: fan_in 144, fan_out 288
    for mode, fan in (("fan_in", 144), ("fan_out", 288), ("fan_avg", 216)):
        init = initializers.VarianceScaling(scale=2.0, mode=mode, distribution="uniform", seed=3)
        values = init(kernel_shape)
        assert values.shape == kernel_shape
        assert np.abs(values).max() <= np.sqrt(6.0 / fan)
        np.testing.assert_allclose(values.std(), np.sqrt(2.0 / fan), rtol=0.05)
    untruncated = initializers.VarianceScaling(distribution="untruncated_normal", seed=4)(SHAPE)
    np.testing.assert_allclose(untruncated.std(), np.sqrt(1.0 / FAN_IN), rtol=0.02)
    assert np.abs(untruncated).max() > 2.5 * np.sqrt(1.0 / FAN_IN)


def test_random_normal_uniform_truncated():
    normal = initializers.RandomNormal(mean=1.0, stddev=0.5, seed=5)(SHAPE)
    np.testing.assert_allclose([normal.mean(), normal.std()], [1.0, 0.5], rtol=0.02)
    uniform = initializers.RandomUniform(minval=-2.0, maxval=1.0, seed=6)(SHAPE)
    assert uniform.min() >= -2.0 and uniform.max() <= 1.0
    np.testing.assert_allclose(uniform.mean(), -0.5, atol=0.02)
    truncated = initializers.TruncatedNormal(mean=0.0, stddev=0.1, seed=7)(SHAPE)
    assert np.abs(truncated).max() <= 0.2
    np.testing.assert_allclose(truncated.std(), 0.1 * TRUNCATED_STD, rtol=0.02)
    defaults = initializers.get("random_normal")(SHAPE)
    np.testing.assert_allclose(defaults.std(), 0.05, rtol=0.02)


def test_constants_identity_orthogonal():
    assert np.all(_draw("zeros", (2, 3)) == 0) and np.all(_draw("Ones", (4,)) == 1)
    np.testing.assert_array_equal(initializers.Constant(2.5)((2, 2)), np.full((2, 2), 2.5))
    np.testing.assert_array_equal(initializers.Identity(gain=3.0)((3, 3)), 3.0 * np.eye(3))
    np.testing.assert_array_equal(initializers.Identity()((2, 3)), np.eye(2, 3))
    for shape in ((6, 4), (4, 6), (3, 2, 5)):
        q = initializers.Orthogonal(gain=2.0, seed=8)(shape).reshape(-1, shape[-1])
        small = min(q.shape)
        gram = q.T @ q if q.shape[0] >= q.shape[1] else q @ q.T
        np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-5)
    with pytest.raises(ValueError, match="2D"):
        initializers.Identity()((2, 2, 2))


def test_seeds_repeat_and_dtype_is_respected():
    init = initializers.get({"class_name": "GlorotUniform", "config": {"seed": 42}})
    np.testing.assert_array_equal(init((5, 5)), init((5, 5)))
    unseeded = initializers.RandomNormal()
    assert not np.array_equal(unseeded((5, 5)), unseeded((5, 5)))
    assert init((2, 2), dtype="float64").dtype == np.float64
    variable = K.variable(init((3, 2)))
    assert K.int_shape(variable) == (3, 2)


def test_tf_keras_config_with_module_and_registered_name():
    config = {"module": "keras.initializers", "class_name": "GlorotUniform",
              "config": {"seed": None}, "registered_name": None}
    init = initializers.get(config)
    assert isinstance(init, initializers.GlorotUniform)
    assert (init.scale, init.mode, init.distribution) == (1.0, "fan_avg", "uniform")
    orthogonal = initializers.get({"class_name": "Orthogonal",
                                   "config": {"gain": 1.0, "seed": None}})
    assert isinstance(orthogonal, initializers.Orthogonal)


@pytest.mark.parametrize("init", [
    initializers.Zeros(), initializers.Constant(0.3), initializers.RandomUniform(-1, 1, seed=1),
    initializers.TruncatedNormal(0.0, 2.0, seed=2), initializers.he_normal(seed=3),
    initializers.GlorotNormal(seed=4), initializers.Orthogonal(gain=0.5), initializers.Identity(2),
])
def test_serialize_round_trip(init):
    config = initializers.serialize(init)
    again = initializers.deserialize(config)
    assert type(again) is type(init)
    assert again.get_config() == init.get_config()


def test_keras22_lower_case_names_resolve():
    for name, cls in (("zero", initializers.Zeros), ("one", initializers.Ones),
                      ("uniform", initializers.RandomUniform),
                      ("normal", initializers.RandomNormal),
                      ("truncated_normal", initializers.TruncatedNormal),
                      ("orthogonal", initializers.Orthogonal), ("identity", initializers.Identity),
                      ("glorot_uniform", initializers.VarianceScaling)):
        assert isinstance(initializers.get(name), cls), name
    with pytest.raises(ValueError, match="Unknown initializer: nope"):
        initializers.get("nope")
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan_middle")


@pytest.mark.parametrize("name, cls", [
    ("variance_scaling", initializers.VarianceScaling),
    ("VarianceScaling", initializers.VarianceScaling),
    ("glorot_uniform", initializers.VarianceScaling),
    ("GlorotUniform", initializers.GlorotUniform),
    ("truncated_normal", initializers.TruncatedNormal),
    ("he_normal", initializers.VarianceScaling),
    ("LecunNormal", initializers.LecunNormal),
])
def test_get_by_snake_case_and_tf_keras_class_name(name, cls):
    assert isinstance(initializers.get(name), cls)
