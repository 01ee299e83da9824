"""`layers.serialize` / `layers.deserialize` for every layer of this package, both config forms."""
import pytest

from graphkeras import layers

LAYERS = [
    layers.Dense(3, activation="relu", kernel_regularizer="l2"),
    layers.Activation("tanh"), layers.Dropout(0.2, noise_shape=(None, 1), seed=2),
    layers.SpatialDropout1D(0.1), layers.SpatialDropout2D(0.1, data_format="channels_first"),
    layers.SpatialDropout3D(0.3), layers.Flatten(), layers.Reshape((2, -1)),
    layers.Permute((2, 1)), layers.RepeatVector(3), layers.Masking(1.0),
    layers.ActivityRegularization(l1=0.1), layers.Add(), layers.Subtract(),
    layers.Multiply(), layers.Average(), layers.Maximum(), layers.Minimum(),
    layers.Concatenate(axis=1), layers.Dot(axes=[1, 2], normalize=True), layers.LeakyReLU(0.2),
    layers.PReLU(shared_axes=[1, 2]), layers.ELU(0.7), layers.ThresholdedReLU(0.3),
    layers.ReLU(max_value=6.0), layers.Softmax(axis=1), layers.GaussianNoise(0.1),
    layers.GaussianDropout(0.2), layers.AlphaDropout(0.1, seed=3),
]


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: type(layer).__name__)
def test_layer_config_round_trips_through_deserialize(layer):
    serialized = layers.serialize(layer)
    assert serialized["class_name"] == type(layer).__name__
    rebuilt = layers.deserialize(serialized)
    assert type(rebuilt) is type(layer)
    assert rebuilt.get_config() == layer.get_config()


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: type(layer).__name__)
def test_layer_config_accepts_tf_keras_entry_keys(layer):
    entry = {"module": "keras.layers", "class_name": type(layer).__name__,
             "config": dict(layer.get_config(), dtype="float32"), "registered_name": None,
             "build_config": {"input_shape": [None, 4]}}
    rebuilt = layers.deserialize(entry)
    assert rebuilt.name == layer.name


def test_deserialize_unknown_class_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown layer: NoSuchLayer"):
        layers.deserialize({"class_name": "NoSuchLayer", "config": {}})
