"""Run-time configuration: pass level, kernel cache directory, threads and execution mode.

Each setting starts from an environment variable and can be changed in code:

    GRAPHKERAS_PASS_LEVEL   none | fast_compile | fast_run (default)
    GRAPHKERAS_CACHE_DIR    where compiled kernels and optimized graphs are kept
                            (default ~/.cache/graphkeras, or $XDG_CACHE_HOME/graphkeras)
    GRAPHKERAS_THREADS      threads for parallel kernels (default: Numba's own choice)
    GRAPHKERAS_MODE         compiled (default) | reference (the plain NumPy executor)
    GRAPHKERAS_DISK_CACHE   1 (default) | 0 to keep compiled kernels in memory only
    GRAPHKERAS_BACKGROUND_COMPILE
                            1 (default) | 0: a function's first calls run its regions through
                            NumPy while a background thread compiles their Numba kernels
    GRAPHKERAS_COMPILE_PROCESSES
                            helper processes that share a function's background compiles
                            (default: one fewer than the usable cores, at most 3, on Linux;
                            0 for none)
    GRAPHKERAS_BLAS         auto (default: MKL when installed, else NumPy's BLAS) | mkl | numpy
    GRAPHKERAS_QUICK_EXIT   1 (default) | 0: see runtime/quick_exit.py (read when first used)

Importing this module also sets OMP_WAIT_POLICY=PASSIVE unless the user chose a policy: it
must be set before Numba's or OpenBLAS's OpenMP threads start. OpenMP workers otherwise spin
after a parallel region, and on 2 cores a GEMM followed by a parallel loop stalls for a
scheduler tick (a 0.15 ms convolution kernel took 20 ms, measured). graphkeras.runtime imports
this module first, so every kernel module sees the setting.

With it comes GOMP_SPINCOUNT=3000: GNU OpenMP threads spin that many rounds (tens of
microseconds) before sleeping. MKL's GEMMs run on those threads and synchronise inside every
call; with no spin at all the LSTM's small per-step GEMMs took 62-68 ms per train step against
40-55 ms with this count, and longer spins slowed the CNN's parallel loops (measured).
"""
import os
import sys

if "OMP_WAIT_POLICY" not in os.environ and "GOMP_SPINCOUNT" not in os.environ:
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    os.environ["GOMP_SPINCOUNT"] = "3000"

PASS_LEVELS = ("none", "fast_compile", "fast_run")
MODES = ("compiled", "reference")
BLAS_CHOICES = ("auto", "mkl", "numpy")


def _default_cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "graphkeras")


def _default_compile_processes():
    # macOS system libraries are not fork-safe (Python's multiprocessing spawns there too).
    if not hasattr(os, "fork") or sys.platform == "darwin":
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(0, min((cores or 1) - 1, 3))


def _env_threads():
    text = os.environ.get("GRAPHKERAS_THREADS")
    return int(text) if text else None


_settings = {
    "pass_level": os.environ.get("GRAPHKERAS_PASS_LEVEL", "fast_run"),
    "cache_dir": os.environ.get("GRAPHKERAS_CACHE_DIR") or _default_cache_dir(),
    "threads": _env_threads(),
    "mode": os.environ.get("GRAPHKERAS_MODE", "compiled"),
    "disk_cache": os.environ.get("GRAPHKERAS_DISK_CACHE", "1") != "0",
    "background_compile": os.environ.get("GRAPHKERAS_BACKGROUND_COMPILE", "1") != "0",
    "blas": os.environ.get("GRAPHKERAS_BLAS", "auto"),
    "compile_processes": int(os.environ.get("GRAPHKERAS_COMPILE_PROCESSES")
                             or _default_compile_processes()),
}


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {value!r}")


_check_choice("GRAPHKERAS_PASS_LEVEL", _settings["pass_level"], PASS_LEVELS)
_check_choice("GRAPHKERAS_MODE", _settings["mode"], MODES)
_check_choice("GRAPHKERAS_BLAS", _settings["blas"], BLAS_CHOICES)


def pass_level():
    """The optimization level K.function uses when none is given."""
    return _settings["pass_level"]


def set_pass_level(level):
    _check_choice("pass level", level, PASS_LEVELS)
    _settings["pass_level"] = level


def cache_dir():
    """The directory holding generated kernel modules and cached optimized graphs."""
    return _settings["cache_dir"]


def set_cache_dir(path):
    _settings["cache_dir"] = os.fspath(path)


def disk_cache():
    """Whether compiled kernels and optimized graphs are written to and read from cache_dir()."""
    return _settings["disk_cache"]


def set_disk_cache(enabled):
    _settings["disk_cache"] = bool(enabled)


def background_compile():
    """Whether Numba kernels compile in a background thread while NumPy runs their regions."""
    return _settings["background_compile"]


def set_background_compile(enabled):
    _settings["background_compile"] = bool(enabled)


def compile_processes():
    """How many forked helper processes share a function's background compiles
    (runtime/background.py)."""
    return _settings["compile_processes"]


def set_compile_processes(count):
    if int(count) < 0:
        raise ValueError(f"compile processes must be 0 or more, got {count!r}")
    _settings["compile_processes"] = int(count)


def threads():
    """Threads for parallel kernels, or None to leave Numba's default."""
    return _settings["threads"]


def set_threads(count):
    if count is not None and int(count) < 1:
        raise ValueError(f"threads must be a positive integer or None, got {count!r}")
    _settings["threads"] = None if count is None else int(count)
    if count is not None and "numba" in sys.modules:
        import numba
        numba.set_num_threads(min(int(count), numba.config.NUMBA_NUM_THREADS))
    blas = sys.modules.get("graphkeras.runtime.blas")
    library = blas and blas._state["library"]
    if library is not None:
        library.set_threads(count)


def blas():
    """Which BLAS runs the matrix products: 'auto' (MKL when installed), 'mkl' or 'numpy'."""
    return _settings["blas"]


def set_blas(choice):
    """Choose the BLAS; it takes effect at the next matrix product."""
    _check_choice("blas", choice, BLAS_CHOICES)
    _settings["blas"] = choice


def mode():
    """'compiled' (Numba kernels, the default) or 'reference' (the NumPy interpreter)."""
    return _settings["mode"]


def set_mode(value):
    _check_choice("mode", value, MODES)
    _settings["mode"] = value


# Spelled as the backend reads them.
get_mode = mode
get_pass_level = pass_level
get_cache_dir = cache_dir
get_threads = threads
