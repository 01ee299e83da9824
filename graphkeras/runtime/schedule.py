"""The compiled schedule: one generated Python driver per optimized graph.

Each node of the optimized graph becomes one commented block of the driver:

    placeholder         read and check the fed array (dtype, rank, static dimensions)
    variable/constant   read the Storage value / the constant array
    fused_elementwise   allocate outputs, call the generated Numba kernel (cache.py, codegen.py)
    gemm                numpy.dot / numpy.matmul: BLAS, called from Python, never from Numba
    anything else       the registered kernel (runtime/kernels), else the op's NumPy reference

Intermediates that never leave the function live in persistent buffers that are reused across
calls and, by liveness, between values inside a call (memory.py). Outputs and update values
are always fresh arrays, so nothing handed to the user is overwritten later.
"""
import linecache
import threading
import time
import weakref

import numpy as np

from .. import config, ir
from ..ir.evaluate import evaluate_node
from . import background, cache, codegen, memory
from .fastmath import BroadcastMismatch
from .kernels import find_kernel

# Regions whose static loop has at most this many elements run as NumPy calls.
TINY_REGION = 16
VIEW_OPS = ("reshape", "reshape_to", "expand_dims", "squeeze", "tuple_get")

# Shape ops written straight into the driver: a NumPy call costs far less than going
# through the op's reference (about 25 us per op in a profile of the MLP train step).
INLINE = {
    "reshape": lambda x, a: f"{x}.reshape({a['shape']!r})",
    "expand_dims": lambda x, a: f"np.expand_dims({x}, {a['axis']})",
    "squeeze": lambda x, a: f"np.squeeze({x}, {a['axis']})",
    "shape_of": lambda x, a: f"np.array({x}.shape, dtype=np.int32)",
    "take": lambda x, a: f"np.take({x}, {list(a['indices'])!r}, axis={a.get('axis', 0)})",
    "transpose": lambda x, a: f"np.ascontiguousarray(np.transpose({x}, {a['perm']!r}))",
}


class KernelInfo:
    """One step of the schedule: `name`, the IR `ops` it covers and its `source` (generated
    code, or the library call it makes). `origin` says where a Numba kernel came from."""

    def __init__(self, name, ops, source, kind, origin=None, dispatcher=None):
        self.name = name
        self.dispatcher = dispatcher    # the Numba dispatcher of a generated kernel
        self.ops = list(ops)
        self.source = source
        self.kind = kind
        self.origin = origin

    def __repr__(self):
        return f"<kernel {self.name} ({self.kind}): {', '.join(self.ops)}>"


class Schedule:
    """The driver source, its namespace and the kernel list of one optimized graph."""

    def __init__(self, graph, name):
        self.graph = graph
        self.name = name or "function"
        self.kernels = []
        self.namespace = {"np": np, "BroadcastMismatch": BroadcastMismatch,
                          "feed_error": _feed_error, "clock": time.perf_counter}
        self.drivers = weakref.WeakSet()     # updated when a background compile finishes
        self.compiling = []                  # an Event per kernel compiling in the background
        self.names = {id(n): f"v{i}" for i, n in enumerate(graph.nodes)}
        self.fresh = memory.escaping_nodes(graph, VIEW_OPS)
        self.buffers = memory.BufferPlan(graph, self.fresh)
        self.contiguous = set()
        self.steps = []     # (kernel index or None, lines)
        for position, node in enumerate(graph.nodes):
            self.steps.append(self.lower(node, position))

    # Driver source.

    def source(self, profile=False):
        lines = ["def run(args, B, T):" if profile else "def run(args, B):"]
        for kernel_index, block in self.steps:
            timed = profile and kernel_index is not None
            if timed:
                lines.append("    start = clock()")
            lines += ["    " + line for line in block]
            if timed:
                lines.append(f"    T[{kernel_index}] += clock() - start")
        outputs = [self.value(o, copy=True) for o in self.graph.outputs]
        if not profile:
            for k, (var, value) in enumerate(self.graph.updates):
                lines.append(f"    S{k}.value = {self.value(value, copy=True)}")
        lines.append(f"    return [{', '.join(outputs)}]")
        return "\n".join(lines) + "\n"

    def driver(self, profile=False):
        """The compiled driver function; its source is registered for tracebacks."""
        text = self.source(profile)
        filename = f"<graphkeras driver {self.name}{' profile' if profile else ''}>"
        linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
        namespace = dict(self.namespace)
        for k, (var, _) in enumerate(self.graph.updates):
            namespace[f"S{k}"] = var.attrs["storage"]
        exec(compile(text, filename, "exec"), namespace)
        self.drivers.add(namespace["run"])
        return namespace["run"]

    def value(self, node, copy=False):
        """Source text for the value of `node`; outputs and updates must not alias buffers,
        feeds or variables, so those are copied unless freshly computed."""
        name = self.names[id(node)]
        if copy and not self.is_fresh(node):
            return f"np.array({name}, dtype=np.{node.dtype}, copy=True)"
        return name

    def is_fresh(self, node):
        if node.op in ("placeholder", "variable", "constant") or node.is_tuple:
            return False
        if node.op == "tuple_get":
            return node.inputs[0].op == "fused_elementwise"
        if node.op in VIEW_OPS:
            return self.is_fresh(node.inputs[0])
        return node.op in ("fused_elementwise", "gemm")

    # Lowering one node.

    def lower(self, node, position):
        name = self.names[id(node)]
        if node.op == "placeholder":
            return None, self.lower_placeholder(node, name)
        if node.op == "variable":
            self.namespace[f"S_{name}"] = node.attrs["storage"]
            self.contiguous.add(id(node))
            return None, [f"# variable '{node.attrs['storage'].name}' {node.type!r}",
                          f"{name} = {_contiguous(f'S_{name}.value', node)}"]
        if node.op == "constant":
            array = node.attrs["value"].array
            # A writable copy: Numba types read-only arrays apart (another compilation).
            self.namespace[f"C_{name}"] = np.array(array, copy=True, order="C")
            self.contiguous.add(id(node))
            return None, [f"{name} = C_{name}"]
        if node.op == "fused_elementwise":
            return self.lower_fused(node, name, position)
        if node.op == "gemm":
            return self.lower_gemm(node, name, position)
        return self.lower_call(node, name, position)

    def lower_placeholder(self, node, name):
        index = self.graph.inputs.index(node)
        self.namespace[f"P_{name}"] = node
        self.contiguous.add(id(node))
        checks = [f"{name}.ndim != {node.ndim}"]
        checks += [f"{name}.shape[{a}] != {d}" for a, d in enumerate(node.shape) if d is not None]
        return [f"# placeholder '{node.attrs['name']}' {node.type!r}",
                f"{name} = {_contiguous(f'args[{index}]', node, convert=True)}",
                f"if {' or '.join(checks)}:",
                f"    feed_error(P_{name}, args[{index}])"]

    def add_kernel(self, info):
        self.kernels.append(info)
        return len(self.kernels) - 1

    def argument(self, node):
        """An input of a Numba kernel must be C-contiguous: wrap values that may not be."""
        name = self.names[id(node)]
        if self.is_contiguous(node):
            return name
        return _contiguous(name, node)

    def is_contiguous(self, node):
        if id(node) in self.contiguous or node.op in ("fused_elementwise", "gemm"):
            return True
        if node.op in ("reshape", "reshape_to", "expand_dims", "squeeze"):
            return self.is_contiguous(node.inputs[0])
        return node.op == "tuple_get" and node.inputs[0].op == "fused_elementwise"

    def lower_fused(self, node, name, position):
        ops = node.attrs["ops"].split(",")
        if _is_tiny(node):
            return self.lower_tiny_region(node, name, position, ops)
        plan = codegen.plan_kernel(node)
        module, origin = cache.load_kernel_module(plan.key, plan.source)
        signature = codegen.signature(plan, node)
        later = config.background_compile() and not _compiled(module, signature, origin)
        if not later:
            failure = _compile_eagerly(module.kernel, signature)
            if failure is not None:
                return self.lower_region_reference(node, name, position, ops, plan, failure)
        label = f"fused{position}_" + "_".join(dict.fromkeys(ops))[:48]
        info = KernelInfo(label, ops, plan.source, "numba", origin, module.kernel)
        index = self.add_kernel(info)
        kname = f"K{index}"
        self.namespace[kname] = None if later else module.kernel
        if plan.parallel:
            self.namespace[kname + "p"] = module.kernel_parallel
        self.namespace[f"F{index}"] = _fallback(node)
        if later:
            ready = threading.Event()
            self.compiling.append(ready)
            background.submit(module.kernel, signature, self.kernel_ready(info, kname, ready))
        setup, args, outs, finals = self.region_arguments(node, name, plan, "shape")
        # Released only now: an output written over its own input is correct, but LLVM then
        # finds the arrays overlapping and runs the scalar loop (0.26 ms instead of 0.02 ms
        # for the ReLU gradient of a 128x512 layer, measured).
        self.buffers.release_after(position)
        fallback = f"{name} = F{index}({', '.join(self.names[id(i)] for i in node.inputs)})"
        lines = setup
        call = f"K{index}({', '.join(args + outs)})"
        if plan.parallel:
            size = " * ".join(f"shape[{a}]" for a in range(plan.rank)) or "1"
            lines.append(f"if {size} >= {codegen.PARALLEL_THRESHOLD}:")
            lines.append(f"    K{index}p({', '.join(args + outs)})")
            lines.append("else:")
            call = "    " + call
        lines = lines[:1] + ["try:"] + ["    " + line for line in lines[1:]]
        lines.append("    " + call)
        value = finals[0] if len(outs) == 1 else "(" + ", ".join(finals) + ",)"
        lines.append(f"    {name} = {value}")
        lines += ["except BroadcastMismatch:", "    " + fallback]
        if later:
            # Until the background compile finishes, the region runs its NumPy reference.
            lines = ([f"if K{index} is None:", "    " + fallback, "else:"]
                     + ["    " + line for line in lines])
        return index, [f"# {label}: {', '.join(ops)}"] + lines

    def kernel_ready(self, info, kname, ready):
        """The callback of a background compile: switch every driver to the kernel."""
        def done(failure):
            if failure is not None:
                info.kind = "reference"
                info.source = f"{failure}\n\n{info.source}"
            else:
                self.namespace[kname] = info.dispatcher
                for driver in list(self.drivers):
                    driver.__globals__[kname] = info.dispatcher
            ready.set()
        return done

    def wait_for_kernels(self):
        """Block until every kernel this schedule sent to the background is ready."""
        for ready in self.compiling:
            ready.wait()

    def region_arguments(self, node, name, plan, shape):
        """Lines computing the loop shape (into the variable `shape`), allocating outputs and
        checking shapes; the kernel's arguments and outputs; the final value of each output."""
        lines = [f"{shape} = {self.loop_shape_source(node, plan)}"]
        outs, finals = [], []
        for k, result in enumerate(plan.results):
            out = f"{name}_{k}"
            outs.append(out)
            lines += self.allocate_result(node, k, result, out, plan.rank, shape)
            finals.append(self.finish_result(result, out))
        lines += self.shape_checks(node, plan, shape)
        # Kernels take every array flattened, and the size of each loop of their nest.
        sizes = [" * ".join(f"{shape}[{a}]" for a in group) for group in plan.groups]
        args = [self.argument(i) for i in node.inputs]
        args = ([] if plan.flat else sizes) + [f"{a}.reshape(-1)" for a in args]
        outs = [f"{o}.reshape(-1)" for o in outs]
        return lines, args, outs, finals

    def shape_checks(self, node, plan, shape):
        """Kernels compare sizes only; inputs with two or more unknown dimensions could
        match in size but not in shape, so the driver compares their shapes."""
        lines = []
        for j, (pattern, ndim) in enumerate(plan.params):
            source = node.inputs[j]
            if "full" not in pattern or sum(d is None for d in source.shape) < 2:
                continue
            offset = plan.rank - ndim
            dims = [f"{shape}[{offset + a}]" if pattern[offset + a] == "full" else "1"
                    for a in range(ndim)]
            lines += [f"if {self.names[id(source)]}.shape != ({''.join(d + ', ' for d in dims)}):",
                      "    raise BroadcastMismatch('shapes differ')"]
        return lines

    def lower_tiny_region(self, node, name, position, ops):
        """A region over a few elements (a learning-rate decay, a batch count) runs as NumPy
        calls in the driver: a Numba kernel would cost ~0.1 s to compile and save nothing."""
        params, results = node.attrs["body"]
        values = {id(p): self.names[id(i)] for p, i in zip(params, node.inputs)}
        lines = [f"# {name}: {', '.join(ops)} (NumPy: {TINY_REGION} elements or fewer)"]
        for k, inner in enumerate(ir.topological_order(list(results))):
            if id(inner) in values:
                continue
            if inner.op == "constant":
                constant = f"C_{name}_{k}"
                self.namespace[constant] = np.array(inner.attrs["value"].array)
                values[id(inner)] = constant
                continue
            function = f"R_{inner.op}"
            self.namespace[function] = ir.get_op(inner.op).reference
            attrs = f"{name}_attrs{k}"
            self.namespace[attrs] = dict(inner.attrs)
            args = "".join(values[id(i)] + ", " for i in inner.inputs)
            values[id(inner)] = f"{name}_{k}"
            lines.append(f"{name}_{k} = np.asarray({function}({args}**{attrs}), "
                         f"dtype=np.{inner.dtype})")
        outs = [values[id(r)] for r in results]
        lines.append(f"{name} = {outs[0] if len(outs) == 1 else '(' + ', '.join(outs) + ',)'}")
        index = self.add_kernel(KernelInfo(f"numpy{position}", ops, "\n".join(lines), "numpy"))
        self.buffers.release_after(position)
        return index, lines

    def lower_region_reference(self, node, name, position, ops, plan, failure):
        """A region Numba cannot compile runs its NumPy reference (and says why)."""
        index = self.add_kernel(KernelInfo(f"reference{position}", ops, f"{failure}\n\n"
                                           f"{plan.source}", "reference"))
        self.namespace[f"F{index}"] = _fallback(node)
        args = ", ".join(self.names[id(i)] for i in node.inputs)
        self.buffers.release_after(position)
        return index, [f"# region run by NumPy: {failure.splitlines()[0][:80]}",
                       f"{name} = F{index}({args})"]

    def loop_shape_source(self, node, plan):
        params, results = node.attrs["body"]
        loop_shape = codegen.loop_shape(results)
        dims = []
        for axis, source in enumerate(plan.loop_dims):
            if loop_shape[axis] is not None:
                dims.append(str(loop_shape[axis]))
            elif source is None:
                dims.append("1")
            else:
                j, param_axis = source
                dims.append(f"{self.names[id(node.inputs[j])]}.shape[{param_axis}]")
        return "(" + "".join(d + ", " for d in dims) + ")"

    def allocate_result(self, node, k, result, out, rank, shape):
        dtype = f"np.{result.node.dtype}"
        if result.reduction is None:
            return self.buffers.allocate(node, k, out, shape, dtype)
        if result.scalar:
            return [f"{out} = np.empty(1, {dtype})"]
        dims = ["1" if a in result.axes else f"{shape}[{a}]" for a in range(rank)]
        return [f"{out} = np.empty(({', '.join(dims)},), {dtype})"]

    def finish_result(self, result, out):
        """Reduction outputs come back keepdims-shaped; reshape to the node's own shape."""
        if result.reduction is None:
            return out
        node = result.node
        if result.scalar:
            return f"{out}.reshape({tuple(1 for _ in node.shape)!r})"
        if node.attrs["keepdims"]:
            return out
        keep = [f"{out}.shape[{a}]" for a in range(len(node.inputs[0].shape))
                if a not in result.axes]
        return f"{out}.reshape(({''.join(d + ', ' for d in keep)}))"

    def lower_gemm(self, node, name, position):
        a, b = (self.names[id(i)] for i in node.inputs)
        a = _transposed(a, node.attrs["trans_a"], node.inputs[0].ndim)
        b = _transposed(b, node.attrs["trans_b"], node.inputs[1].ndim)
        same = node.inputs[0].dtype == node.inputs[1].dtype == node.dtype
        if node.ndim == 2 and same:
            rows = f"{a}.shape[0]"
            cols = f"{b}.shape[1]"
            lines = self.buffers.allocate(node, None, f"{name}_out", f"({rows}, {cols})",
                                          f"np.{node.dtype}")
            call = f"np.dot({a}, {b}, out={name}_out)"
            lines.append(f"{name} = {call}")
        else:
            call = f"np.matmul({a}, {b}).astype(np.{node.dtype}, copy=False)"
            lines = [f"{name} = {call}"]
        index = self.add_kernel(KernelInfo(f"gemm{position}", ["gemm"], call, "blas"))
        self.buffers.release_after(position)
        return index, [f"# gemm{position}: BLAS {node.type!r}"] + lines

    def lower_call(self, node, name, position):
        args = ", ".join(self.names[id(i)] for i in node.inputs)
        op = ir.get_op(node.op)
        implementation = find_kernel(op.kernel) if op.kernel else None
        if node.op == "tuple_get":
            lines = [f"{name} = {self.names[id(node.inputs[0])]}[{node.attrs['index']}]"]
            return None, lines
        if node.op in INLINE and node.ndim > 0:
            call = INLINE[node.op](args, node.attrs)
            index = self.add_kernel(KernelInfo(f"{node.op}{position}", [node.op], call, "numpy"))
            self.buffers.release_after(position)
            return index, [f"# {ir.printer.node_label(node)} {node.type!r}", f"{name} = {call}"]
        if implementation is not None:
            self.namespace[f"K{name}"] = implementation
            self.namespace[f"A{name}"] = dict(node.attrs)
            call = f"K{name}(A{name}{', ' if args else ''}{args})"
            if not node.is_tuple:
                call = f"np.asarray({call}, dtype=np.{node.dtype})"
            kind, source = "kernel", f"graphkeras.runtime.kernels['{op.kernel}']"
        else:
            self.namespace[f"N{name}"] = node
            self.namespace["evaluate_node"] = evaluate_node
            call = f"evaluate_node(N{name}, [{args}])"
            kind, source = "reference", f"NumPy reference of '{node.op}'"
        index = self.add_kernel(KernelInfo(f"{node.op}{position}", [node.op],
                                           f"{source}: {name} = {call}", kind))
        self.buffers.release_after(position)
        return index, [f"# {ir.printer.node_label(node)} {node.type!r}", f"{name} = {call}"]


def _contiguous(text, node, convert=False):
    """Source making `text` a C-contiguous array of node's dtype (0-d arrays stay 0-d:
    np.ascontiguousarray would make them 1-d)."""
    dtype = f", dtype=np.{node.dtype}" if convert else ""
    if node.ndim == 0:
        return f"np.asarray({text}{dtype})"
    return f"np.ascontiguousarray({text}{dtype})"


def _transposed(name, flag, ndim):
    if not flag:
        return name
    return f"{name}.T" if ndim == 2 else f"np.swapaxes({name}, -1, -2)"


def _is_tiny(fused):
    params, results = fused.attrs["body"]
    shape = codegen.loop_shape(results)
    return None not in shape and int(np.prod(shape)) <= TINY_REGION


def _compiled(module, signature, origin):
    """Whether the kernel is compiled in this process or (likely) on disk: a module file that
    was already on disk has its machine code beside it, and loading it takes about 1 ms (not
    reading Numba's index twice saved about 0.1 s of a warm start, measured)."""
    if origin == "disk":
        return True
    return signature.args in module.kernel.overloads


def _compile_eagerly(dispatcher, signature):
    """Compile (or load from the disk cache) now, so a failure shows when the function is
    built; returns None, or the reason the region cannot be compiled."""
    from numba.core.errors import NumbaError
    try:
        dispatcher.compile(signature)
    except NumbaError as error:
        return f"Numba could not compile this region: {error}"
    return None


def _fallback(node):
    """The region's NumPy reference, for run-time shapes its kernel does not cover."""
    def run(*args):
        return evaluate_node(node, list(args))
    return run


def _feed_error(placeholder, value):
    from .interpreter import check_feed
    check_feed(placeholder, value)
    raise ValueError(f"Error when feeding input '{placeholder.attrs['name']}': expected "
                     f"{placeholder.type!r}, got {np.asarray(value).shape}")
