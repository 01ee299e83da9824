"""The kernel cache: generated modules written as real files, so Numba's cache=True works.

Numba cannot cache functions made with `exec` (numba/numba#3501), so each generated kernel is
a module file `<cache_dir>/kernels/gk_<key>.py`, where the key hashes its source (structure,
dtypes and broadcast patterns; never sizes or values). Numba keeps the compiled machine code
beside it in `__pycache__`, so a second process with the same model compiles nothing.

Keys also hash a code version: the source of the modules that shape generated code (and
Numba's version). Numba's own cache checks only a module file's timestamp and size, never the
helpers it inlines, so without this a cache written by older code generation could be loaded
with another calling convention ("not enough arguments: expected 6, got 4", seen in practice).
"""
import functools
import hashlib
import importlib.util
import os
import sys
import tempfile

import numpy as np

from .. import config

_loaded = {}      # key -> module, for this process
_stats = {"memory_hits": 0, "disk_hits": 0, "written": 0}


@functools.lru_cache(maxsize=None)
def code_version(*relative_paths):
    """A short hash of graphkeras source files (paths relative to the package, files or
    folders of .py files) and of the NumPy and Numba versions: part of every cache key."""
    import numba
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digest = hashlib.sha1(f"numba {numba.__version__} numpy {np.__version__}".encode())
    for relative in relative_paths:
        path = os.path.join(package, relative)
        files = [path]
        if os.path.isdir(path):
            files = sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith(".py"))
        for name in files:
            digest.update(name[len(package):].encode())
            with open(name, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


def kernel_key(source):
    """The cache key of a generated kernel module: its source and the code-generation version."""
    version = code_version("runtime/codegen.py", "runtime/fastmath.py", "runtime/cache.py",
                           "runtime/numba_pipeline.py")
    return hashlib.sha1(f"{version}\n{source}".encode()).hexdigest()[:20]


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
    _write_bytecode(path)
    name = f"graphkeras_kernels.gk_{key}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    _loaded[key] = module
    return module, origin


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


def _write_bytecode(path):
    """Byte-compile a kernel module once, even where PYTHONDONTWRITEBYTECODE is set (as on
    the bench machine): importing a large group module from source took about 10 ms every
    process start."""
    compiled = importlib.util.cache_from_source(path)
    if os.path.exists(compiled):
        return
    import py_compile
    try:
        py_compile.compile(path, cfile=compiled, doraise=True)
    except (OSError, py_compile.PyCompileError):
        pass    # importing from source still works


def load_compiled(dispatcher, signature):
    """Load `dispatcher`'s machine code for `signature` from Numba's disk cache; False when
    it is not there. This is Dispatcher.compile's cache path without its first step,
    `targetctx.refresh()`, which imports and registers all of Numba's typing and lowering
    tables (0.15-0.2 s of a warm start, measured) that loading machine code does not use;
    a later compile refreshes them itself. Refreshing also starts Numba's runtime (NRT), so
    only kernels compiled without it take this path."""
    from numba.core.compiler_lock import global_compiler_lock
    if dispatcher.targetoptions.get("_nrt", True):
        return False
    args = tuple(signature.args)
    with global_compiler_lock:
        if args in dispatcher.overloads:
            return True
        # Numba internals: if they change, Dispatcher.compile does the whole job instead.
        try:
            compiled = dispatcher._cache._load_overload(signature, dispatcher.targetctx)
            if compiled is None:
                return False
            dispatcher.targetctx.insert_user_function(compiled.entry_point, compiled.fndesc,
                                                      [compiled.library])
            dispatcher.add_overload(compiled)
            dispatcher._cache_hits[signature] += 1
        except Exception:
            return False
    return True


def statistics():
    """Counts of kernels found in memory, found on disk, and written this process."""
    return dict(_stats)
