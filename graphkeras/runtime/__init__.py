"""The compiled runtime: NumPy reference interpreter, Numba code generation and execution.

Imports graphkeras.config first: it sets OMP_WAIT_POLICY before any kernel module starts
Numba or OpenBLAS threads.
"""
from .. import config  # noqa: F401
