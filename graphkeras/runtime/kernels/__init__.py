"""Registry of hand-written kernels for non-elementwise ops.

A kernel is `impl(attrs, *inputs) -> array` (or a tuple for multi-output ops); it may call
Numba-jitted helpers or BLAS through NumPy. An op without a registered kernel runs its NumPy
reference inside the compiled schedule, so every op works compiled.
"""
_KERNELS = {}


def kernel(name):
    """Decorator: register `impl` as the kernel named `name` (an op's `kernel=` field)."""
    def register(impl):
        if name in _KERNELS:
            raise ValueError(f"kernel '{name}' is registered twice")
        _KERNELS[name] = impl
        return impl
    return register


def find_kernel(name):
    """The registered kernel, or None (then the op's reference is used)."""
    _load_builtin_kernels()
    return _KERNELS.get(name)


_loaded = False


def _load_builtin_kernels():
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib
    import pkgutil
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
