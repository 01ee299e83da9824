"""Shared checks for the runtime tests: run a graph compiled and by reference, compare."""
import numpy as np

from graphkeras.runtime.compiled import compile_function
from graphkeras.runtime.interpreter import ReferenceFunction


def assert_same_values(compiled, reference, rtol=2e-5, atol=2e-6):
    """Equal dtypes and shapes; floats close, everything else exact."""
    assert len(compiled) == len(reference)
    for got, want in zip(compiled, reference):
        got, want = np.asarray(got), np.asarray(want)
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
        assert got.shape == want.shape, (got.shape, want.shape)
        if got.dtype.kind == "f":
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
        else:
            np.testing.assert_array_equal(got, want)


def compare_with_reference(inputs, outputs, values, updates=(), level=None, **tolerance):
    """Compile and interpret the same graph on `values`; return the compiled Function."""
    function = compile_function(inputs, outputs, updates, level=level)
    reference = ReferenceFunction(inputs, outputs, updates)
    assert_same_values(function(values), reference(values), **tolerance)
    return function
