"""Runtime tests compile in the foreground, so every compiled-against-reference check runs the
Numba kernels (in the background mode a function's first calls run NumPy)."""
import pytest

from graphkeras import config


@pytest.fixture(autouse=True)
def _foreground_compile():
    before = config.background_compile()
    config.set_background_compile(False)
    yield
    config.set_background_compile(before)
