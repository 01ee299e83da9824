"""examples/train_mlp.py, the project's main job, runs and its MLP learns (the other examples
are run by tests/layers/test_examples.py)."""
import importlib.util
import pathlib

import numpy as np

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "train_mlp.py"


def test_train_mlp_example_learns_and_shows_its_compiled_function(capsys):
    spec = importlib.util.spec_from_file_location("example_train_mlp", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    history = module.main(epochs=4, verbose=0)
    logs = history.history
    assert logs["loss"][-1] < 0.8 * logs["loss"][0], logs["loss"]
    # Four classes: chance is 0.25.
    assert logs["val_accuracy"][-1] > 0.6, logs["val_accuracy"]
    assert np.all(np.isfinite(logs["val_loss"]))
    printed = capsys.readouterr().out
    assert "Total params" in printed and "Training function compiled in" in printed
    assert "loss fell from" in printed


def test_main_job_runs_as_the_readme_says_with_an_empty_kernel_cache(tmp_path):
    """The README's first command, in a fresh process with the default settings (kernels
    compile in the background while the first steps run NumPy) and nothing cached."""
    import os
    import subprocess
    import sys
    env = dict(os.environ, GRAPHKERAS_CACHE_DIR=str(tmp_path))
    env.pop("GRAPHKERAS_BACKGROUND_COMPILE", None)
    done = subprocess.run([sys.executable, str(EXAMPLE)], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-1]
    start, end = (float(word) for word in last.split() if word[0].isdigit())
    assert last.startswith("loss fell from") and end < 0.8 * start, last
