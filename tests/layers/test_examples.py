"""Every script in examples/ runs (few epochs, no output) and its model learns."""
import importlib.util
import pathlib

import numpy as np
import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def load_example(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def falls(losses):
    return losses[-1] < 0.8 * losses[0]


@pytest.mark.parametrize("name, epochs, min_accuracy", [
    ("mlp_softmax_multiclass", 8, 0.6),
    ("mlp_binary_classification", 6, 0.8),
    ("functional_fully_connected", 5, 0.8),
])
def test_classification_example_learns(name, epochs, min_accuracy, capsys):
    model, history, score = load_example(name).main(epochs=epochs, verbose=0)
    assert falls(history.history["loss"]), history.history["loss"]
    assert score[1] >= min_accuracy, score
    printed = capsys.readouterr().out
    assert "Total params" in printed and "training loss fell" in printed


def test_multi_input_multi_output_example_weights_its_losses():
    model, history = load_example("multi_input_multi_output").main(epochs=5, verbose=0)
    logs = history.history
    assert falls(logs["loss"])
    expected = np.array(logs["main_output_loss"]) + 0.2 * np.array(logs["aux_output_loss"])
    np.testing.assert_allclose(logs["loss"], expected, rtol=1e-3)
    assert model.input_names == ["main_input", "aux_input"]
    assert model.output_names == ["main_output", "aux_output"]


def test_shared_layers_example_uses_one_layer_twice():
    model, history, score = load_example("shared_layers").main(epochs=8, verbose=0)
    assert falls(history.history["loss"])
    assert score[1] >= 0.85
    shared = model.get_layer("shared_encoder")
    assert len(shared.inbound_nodes) == 2
    assert len(model.trainable_weights) == 4


def test_model_as_layer_example_trains_nested_weights(capsys):
    classifier, history, extractor = load_example("model_as_layer").main(epochs=5, verbose=0)
    assert falls(history.history["loss"])
    assert extractor in classifier.layers
    assert "weights were trained" in capsys.readouterr().out
