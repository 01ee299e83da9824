"""graphkeras.config: settings from the environment, setters that check their values."""
import os
import subprocess
import sys

import pytest

from graphkeras import config


def test_environment_variables_set_every_default():
    env = dict(os.environ, GRAPHKERAS_PASS_LEVEL="none", GRAPHKERAS_CACHE_DIR="/tmp/gk-env",
               GRAPHKERAS_THREADS="1", GRAPHKERAS_MODE="reference", GRAPHKERAS_DISK_CACHE="0",
               GRAPHKERAS_BACKGROUND_COMPILE="0")
    code = ("from graphkeras import config; print(config.pass_level(), config.cache_dir(), "
            "config.threads(), config.mode(), config.disk_cache(), config.background_compile())")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["none", "/tmp/gk-env", "1", "reference", "False", "False"]


def test_setters_reject_unknown_values_with_the_choices():
    with pytest.raises(ValueError, match="fast_run"):
        config.set_pass_level("O3")
    with pytest.raises(ValueError, match="compiled"):
        config.set_mode("jit")
    with pytest.raises(ValueError, match="positive"):
        config.set_threads(0)


def test_mode_setter_round_trips():
    before = config.mode()
    try:
        config.set_mode("reference")
        assert config.get_mode() == "reference"
    finally:
        config.set_mode(before)
