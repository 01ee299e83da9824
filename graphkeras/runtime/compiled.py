"""Compiled functions: the graph through the passes, into a generated driver over Numba kernels.

`compile_function(inputs, outputs, updates)` returns a `Function`. Calling it with a list of
arrays returns a list of arrays, then writes the updates to the variables' storage; outputs and
updates all read the values from before the call. A graph that reads the Keras learning phase
is specialised (passes.specialize_learning_phase) once per value fed, lazily.

Compilations are cached: in this process by the graph's structure (a second compile of the
same graph costs a dictionary lookup), and on disk per kernel (cache.py). Every compilation
records why it happened (`cache_miss_reason`).
"""
import collections
import time
import weakref

import numpy as np

from .. import config, ir
from . import quick_exit
from .schedule import Schedule

from ..ir.ops.leaves import is_learning_phase

# (structure key, level) -> CompiledGraph, for this process. Weak, so a dropped model frees
# its buffers; the most recent few are also held strongly, so re-creating a function is cheap.
_compiled = weakref.WeakValueDictionary()
_recent = collections.deque(maxlen=16)
_threads_applied = [False]


def compile_function(inputs, outputs, updates=(), name=None, level=None,
                     learning_phase_default=0):
    """A compiled Function of placeholder `inputs` computing `outputs` and applying `updates`
    (pairs of variable node and new value node)."""
    return Function(inputs, outputs, updates, name=name, level=level,
                    learning_phase_default=learning_phase_default)


class CompiledGraph:
    """One optimized graph and its schedule: the unit the caches hold."""

    def __init__(self, graph, level, name, reason):
        start = time.perf_counter()
        quick_exit.register()
        self.input_graph = graph
        self.graph, passes_reason = _optimized(graph, level)
        reason = f"{reason}; {passes_reason}"
        self.pass_seconds = time.perf_counter() - start
        self.schedule = Schedule(self.graph, name)
        self.run = self.schedule.driver()
        if self.schedule.compiling:
            self.run = self._first_call_then_wait(self.run)
        self.buffers = self.schedule.buffers.initial_buffers()
        self.seconds = time.perf_counter() - start
        origins = [k.origin for k in self.schedule.kernels if k.origin]
        counts = {o: origins.count(o) for o in ("new", "disk", "memory")}
        self.cache_miss_reason = (f"{reason}; kernels: {counts['new']} generated, "
                                  f"{counts['disk']} found on disk, {counts['memory']} "
                                  f"already loaded")

    def __call__(self, values):
        return self.run(values, self.buffers)

    def _first_call_then_wait(self, driver):
        """A driver whose first call runs at once (regions whose kernels are still compiling
        in the background run NumPy) and whose second call waits for the kernels: a quick
        first result, then compiled speed, never a stretch of slow steps (NumPy steps beside
        the compiler thread ran 100-500 ms per MLP train step, measured)."""
        def first_call(values, buffers):
            self.run = second_call
            return driver(values, buffers)

        def second_call(values, buffers):
            self.schedule.wait_for_kernels()
            self.run = driver
            return driver(values, buffers)
        return first_call


def _optimized(graph, level):
    """The optimized graph, from the disk cache when this structure was optimized before."""
    if level == "none":
        return graph, "passes off"
    from . import graph_cache
    key = graph_cache.fingerprint(graph, level)
    cached = graph_cache.load(key, graph)
    if cached is not None and _same_interface(cached, graph):
        return cached, "optimized graph read from the disk cache"
    from .. import passes
    optimized = passes.optimize(graph, level)
    graph_cache.store(key, graph, optimized)
    return optimized, "passes ran" if key else "passes ran (graph not cacheable on disk)"


def _same_interface(optimized, graph):
    return ([o.type for o in optimized.outputs] == [o.type for o in graph.outputs]
            and [v for v, _ in optimized.updates] == [v for v, _ in graph.updates])


def _apply_threads():
    if _threads_applied[0]:
        return
    _threads_applied[0] = True
    if config.threads() is not None:
        config.set_threads(config.threads())


def compiled_graph(graph, level, name):
    """The CompiledGraph of `graph`, reusing one compiled earlier in this process."""
    _apply_threads()
    key = (graph.structure_key(), level)
    found = _compiled.get(key)
    if found is not None:
        return found, "graph already compiled in this process"
    reason = "first compilation of this graph structure in this process"
    compiled = CompiledGraph(graph, level, name, reason)
    _compiled[key] = compiled
    _recent.append(compiled)
    return compiled, compiled.cache_miss_reason


class Function:
    """A compiled K.function. Inspect it with `ir()`, `kernels`, `explain()`, `profile()`,
    `graph()`, `source` and `cache_miss_reason`."""

    def __init__(self, inputs, outputs, updates=(), name=None, level=None,
                 learning_phase_default=0):
        self.name = name
        self.level = level or config.pass_level()
        self.input_graph = ir.Graph(inputs, outputs, updates)
        self.phase_index = None
        phase = [n for n in self.input_graph.placeholders() if is_learning_phase(n)]
        for position, node in enumerate(self.input_graph.inputs):
            if phase and node is phase[0]:
                self.phase_index = position
        self.phase_default = learning_phase_default
        self.has_phase = bool(phase)
        self.variants = {}
        self.cache_miss_reasons = []
        if not self.has_phase or self.phase_index is None:
            self.current = self.variant(self.phase_default)

    def variant(self, phase):
        """The CompiledGraph for one learning-phase value (the only one without a phase)."""
        key = bool(phase) if self.has_phase else None
        found = self.variants.get(key)
        if found is not None:
            return found
        graph = self.input_graph
        if self.has_phase:
            from ..passes import specialize_learning_phase
            graph = specialize_learning_phase(graph, key)
        compiled, reason = compiled_graph(graph, self.level, self.name)
        self.cache_miss_reasons.append(reason)
        self.variants[key] = compiled
        self.current = compiled
        return compiled

    def __call__(self, values):
        if len(values) != len(self.input_graph.inputs):
            raise ValueError(f"function {self.name or ''} expects {len(self.input_graph.inputs)}"
                             f" inputs, got {len(values)}")
        if self.phase_index is None:
            return self.current.run(values, self.current.buffers)
        compiled = self.variant(bool(np.asarray(values[self.phase_index])))
        return compiled.run(values, compiled.buffers)

    def finish_compiling(self):
        """Wait until every kernel compiling in the background is ready (config.py:
        GRAPHKERAS_BACKGROUND_COMPILE); until then regions run their NumPy reference."""
        for compiled in self.variants.values():
            compiled.schedule.wait_for_kernels()

    # Inspection.

    @property
    def cache_miss_reason(self):
        """Why the most recent compilation happened (or that it was found in a cache)."""
        return self.cache_miss_reasons[-1] if self.cache_miss_reasons else "not compiled yet"

    def compiled(self):
        if not self.variants:
            return self.variant(self.phase_default)
        return self.current

    def ir(self, stage="input"):
        """Text IR: 'input' (as built) or 'optimized' (after the passes, fused)."""
        if stage == "input":
            return str(self.input_graph)
        if stage == "optimized":
            return str(self.compiled().graph)
        raise ValueError(f"ir stage must be 'input' or 'optimized', got {stage!r}")

    @property
    def kernels(self):
        """One entry per step of the schedule: name, ops covered, source or library call."""
        return self.compiled().schedule.kernels

    @property
    def source(self):
        """The generated Python driver."""
        return self.compiled().schedule.source()

    def graph(self):
        """The optimized graph as a networkx DiGraph."""
        return self.compiled().graph.to_networkx()

    def explain(self):
        """Why neighbouring ops of the optimized graph were not fused, one line per edge."""
        from .explain import explain_fusion
        return explain_fusion(self.compiled().graph)

    def profile(self, values, repeat=1):
        """Seconds per kernel over `repeat` runs: a list of (kernel name, seconds per run).
        Updates are not applied."""
        if self.phase_index is not None:
            compiled = self.variant(bool(np.asarray(values[self.phase_index])))
        else:
            compiled = self.compiled()
        run = compiled.schedule.driver(profile=True)
        times = [0.0] * len(compiled.schedule.kernels)
        # Kernels that update variables in place (inplace.py) write them here too.
        saved = [(var.attrs["storage"], var.attrs["storage"].value.copy())
                 for var, _ in compiled.graph.updates]
        try:
            for _ in range(repeat):
                run(values, compiled.buffers, times)
        finally:
            for storage, value in saved:
                if storage.value.flags.writeable:
                    np.copyto(storage.value, value)
        return [(k.name, t / repeat) for k, t in zip(compiled.schedule.kernels, times)]
