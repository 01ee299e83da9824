"""The kernel cache: generated modules written as real files, so Numba's cache=True works.

Numba cannot cache functions made with `exec` (numba/numba#3501), so each generated kernel is
a module file `<cache_dir>/kernels/gk_<key>.py`, where the key hashes its source (structure,
dtypes and broadcast patterns; never sizes or values). Numba keeps the compiled machine code
beside it in `__pycache__`, so a second process with the same model compiles nothing.
"""
import importlib.util
import os
import sys
import tempfile

from .. import config

_loaded = {}      # key -> module, for this process
_stats = {"memory_hits": 0, "disk_hits": 0, "written": 0}


def kernel_dir():
    """Where generated kernel modules live (created on first use)."""
    if config.disk_cache():
        path = os.path.join(config.cache_dir(), "kernels")
    else:
        path = os.path.join(tempfile.gettempdir(), f"graphkeras-{os.getpid()}", "kernels")
    os.makedirs(path, exist_ok=True)
    return path


def load_kernel_module(key, source):
    """The module of generated `source`, from memory, from disk, or freshly written.

    Returns (module, origin) where origin is 'memory', 'disk' or 'new' (the cache-miss reason
    a compilation reports).
    """
    module = _loaded.get(key)
    if module is not None:
        _stats["memory_hits"] += 1
        return module, "memory"
    path = os.path.join(kernel_dir(), f"gk_{key}.py")
    origin = "disk"
    if not _same_file(path, source):
        _write_atomically(path, source)
        origin = "new"
        _stats["written"] += 1
    else:
        _stats["disk_hits"] += 1
    name = f"graphkeras_kernels.gk_{key}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    _loaded[key] = module
    return module, origin


def has_compiled_code(module, function_name="kernel"):
    """Whether Numba's on-disk cache already holds machine code for a kernel's signatures."""
    function = getattr(module, function_name)
    index = function._cache._cache_file._load_index()
    return bool(index)


def _same_file(path, source):
    try:
        with open(path) as handle:
            return handle.read() == source
    except OSError:
        return False


def _write_atomically(path, source):
    """Write then rename, so a concurrent process never imports half a file; keep the mtime
    stable afterwards (Numba's cache index is keyed by the source file's timestamp)."""
    directory = os.path.dirname(path)
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with os.fdopen(handle, "w") as out:
        out.write(source)
    os.replace(temporary, path)


def statistics():
    """Counts of kernels found in memory, found on disk, and written this process."""
    return dict(_stats)
