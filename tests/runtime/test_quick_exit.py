"""The exit hook that spares interpreter shutdown a collection over Numba's objects."""
import os
import subprocess
import sys

CODE = """
import atexit, gc
atexit.register(lambda: print("frozen", gc.get_freeze_count() > 0))   # runs after the hook
import numpy as np
from graphkeras import backend as K
x = K.placeholder(shape=(None, 3))
f = K.function([x], [K.sum(x * 2.0)])
print("result", float(f([np.ones((2, 3), np.float32)])[0]))
"""


def _run(**env):
    done = subprocess.run([sys.executable, "-c", CODE], env={**os.environ, **env},
                          capture_output=True, text=True, check=True, timeout=300)
    return done.stdout.split()


def test_compiling_installs_the_exit_hook():
    assert _run() == ["result", "12.0", "frozen", "True"]


def test_quick_exit_can_be_switched_off():
    assert _run(GRAPHKERAS_QUICK_EXIT="0") == ["result", "12.0", "frozen", "False"]
