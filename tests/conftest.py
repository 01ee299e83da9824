"""Shared test setup: a persistent kernel cache so Numba compiles each kernel once per machine."""
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
os.environ.setdefault("GRAPHKERAS_CACHE_DIR", str(ROOT / ".pytest_cache" / "graphkeras-kernels"))
# Tests check the compiled kernels themselves, not the NumPy fallback that runs while a
# background compile is pending.
os.environ.setdefault("GRAPHKERAS_BACKGROUND_COMPILE", "0")

FIXTURES = ROOT.parent / "shared" / "fixtures" / "keras2"


@pytest.fixture
def keras2_fixtures():
    """The folder of Keras 2 reference fixtures, or a skip saying it is absent."""
    if not FIXTURES.is_dir():
        pytest.skip(f"Keras 2 fixtures not found at {FIXTURES}")
    return FIXTURES


@pytest.fixture(autouse=True)
def _fresh_session():
    """Each test starts with fresh layer names and learning phase, as after K.clear_session()."""
    from graphkeras import backend as K
    K.clear_session()
    yield
    K.clear_session()
    K.set_floatx("float32")
    K.set_epsilon(1e-7)
    K.set_image_data_format("channels_last")
