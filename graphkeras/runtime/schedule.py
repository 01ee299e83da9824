"""The compiled schedule: one generated Python driver per optimized graph.

Nodes run in the order of ordering.py; each becomes one commented block of the driver:

    placeholder         read and check the fed array (dtype, rank, static dimensions)
    variable/constant   read the Storage value / the constant array
    fused_elementwise   allocate outputs, call the generated Numba kernel (cache.py, codegen.py);
                        a run of neighbouring regions is one group kernel (group_codegen.py)
    gemm                runtime.blas.gemm (MKL or NumPy's BLAS) / numpy.matmul for batches:
                        called from Python, never from Numba
    anything else       the registered kernel (runtime/kernels), else the op's NumPy reference

Intermediates that never leave the function live in persistent buffers that are reused across
calls and, by liveness, between values inside a call (memory.py); a region may write an output
over an input it reads for the last time. Outputs are always fresh arrays, so nothing handed
to the user is overwritten later; update values are fresh too, except those written into the
variable's own array (inplace.py), which only ever overwrite arrays the driver made itself.
"""
import linecache
import threading
import time
import weakref

import numpy as np

from .. import config, ir
from ..ir.evaluate import evaluate_node
from . import background, blas, cache, codegen, group_codegen, memory, ordering
from .fastmath import BroadcastMismatch
from .inplace import plan_inplace
from .kernels import find_kernel
from .ordering import VIEW_OPS

# Regions whose static loop has at most this many elements run as NumPy calls.
TINY_REGION = 16

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
    code, or the library call it makes). `kind` is "numba" (a generated kernel), "blas",
    "kernel" (a hand-written one), "numpy" (NumPy calls in the driver), "driver" (a view or
    a shape read: no tensor data touched) or "reference" (the op's NumPy reference).
    `origin` says where a Numba kernel came from."""

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
        self.namespace = {"np": np, "gemm": blas.gemm, "BroadcastMismatch": BroadcastMismatch,
                          "feed_error": _feed_error, "clock": time.perf_counter,
                          "OWN": [None] * len(graph.updates)}
        self.drivers = weakref.WeakSet()     # updated when a background compile finishes
        self.compiling = []                  # an Event per kernel compiling in the background
        self.names = {id(n): f"v{i}" for i, n in enumerate(graph.nodes)}
        self.order = ordering.schedule_order(graph)
        self.fresh = memory.escaping_nodes(graph, VIEW_OPS)
        runs = {run[0]: run for run in ordering.clusters(self.order, _is_tiny)}
        in_groups = {id(self.order[p]) for run in runs.values() for p in run}
        # Tiny regions outside groups run as NumPy calls, which allocate their results.
        by_id = {id(n): n for n in graph.nodes}
        self.inplace = {key: target for key, target in plan_inplace(graph, self.order).items()
                        if key[0] in in_groups or not _is_tiny(by_id[key[0]])}
        self.owned = {id(graph.updates[u][0]) for u, _ in self.inplace.values()}
        self.buffers = memory.BufferPlan(self.order, graph.roots(), self.fresh)
        self.contiguous = set()
        self.stored_into = {}   # (id(region), output) -> input whose buffer it overwrites
        # Parallel kernels only in graphs without BLAS calls: after a GEMM, OpenBLAS's
        # threads keep spinning on both cores, and a parallel loop then ran 2.5-3x slower
        # than the serial one (bias + ReLU over 1024x512: 330 us against 110-140 us).
        self.parallel = all(ordering.is_light(n) for n in graph.nodes)
        self.steps = []     # (kernel index or None, lines)
        grouped = set()
        with background.batch():    # the kernels to compile start together, when all are known
            for position, node in enumerate(self.order):
                if position in runs:
                    self.steps += self.lower_group(runs[position])
                    grouped.update(runs[position])
                elif position not in grouped:
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
            inplace = {u for u, _ in self.inplace.values()}
            for k, (var, value) in enumerate(self.graph.updates):
                if k in inplace:
                    lines.append(f"    S{k}.value = OWN[{k}] = {self.names[id(value)]}")
                else:
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
        if _region_output(node) in self.inplace:
            return False    # a variable's array, overwritten by the next call
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
            lines = [f"# variable '{node.attrs['storage'].name}' {node.type!r}"]
            if id(node) not in self.owned:
                return None, lines + [f"{name} = {_contiguous(f'S_{name}.value', node)}"]
            # Updated in place: work on an array this driver made, never on one the user
            # may still hold (set_value, set_weights); copied once after each such change.
            u = [k for k, (var, _) in enumerate(self.graph.updates) if var is node][0]
            return None, lines + [
                f"{name} = S_{name}.value",
                f"if {name} is not OWN[{u}]:",
                f"    {name} = S_{name}.value = OWN[{u}] = np.array({name}, "
                f"dtype=np.{node.dtype}, order='C', copy=True)"]
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
        plan = codegen.plan_kernel(node, self.stored_through_inputs(node, position))
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
        self.namespace[f"F{index}"] = _fallback(node)
        if later:
            ready = threading.Event()
            self.compiling.append(ready)
            background.submit(module.kernel, signature, self.kernel_ready(info, kname, ready))
        if plan.parallel and self.parallel:
            self.namespace[kname + "p"] = self.parallel_variant(kname, module, signature,
                                                                _always_big(node))
        setup, args, outs, finals = self.region_arguments(node, name, plan, "shape")
        # Released only now: an output written over its own input is correct, but LLVM then
        # finds the arrays overlapping and runs the scalar loop (0.26 ms instead of 0.02 ms
        # for the ReLU gradient of a 128x512 layer, measured).
        self.buffers.release_after(position)
        fallback = f"{name} = F{index}({', '.join(self.names[id(i)] for i in node.inputs)})"
        lines = setup
        call = f"K{index}({', '.join(args + outs)})"
        if plan.parallel and self.parallel:
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

    def stored_through_inputs(self, node, position):
        """{output: input} for the outputs of `node` stored through one of its inputs: a
        variable updated in place (inplace.py), or an intermediate buffer this region reads
        for the last time (a GEMM's output under its bias and activation): writing in place
        keeps the data in cache (bias + ReLU after a 1024x784x512 GEMM: 121 us instead of
        205 us into a fresh buffer, measured). Remembered for allocate_result."""
        params, results = node.attrs["body"]
        loop_shape = codegen.loop_shape(results)
        into, taken = {}, set()
        for k, result in enumerate(results):
            target = self.inplace.get((id(node), k))
            if target is not None:
                if target[1] is not None:
                    into[k] = target[1]
                    taken.add(target[1])
                continue
            if not ir.get_op(result.op).elementwise or result.shape != loop_shape:
                continue
            if memory.buffer_key_of(node, k) in self.fresh:
                continue
            for j, value in enumerate(node.inputs):
                key = memory.buffer_key_of_value(value)
                identity = _array_identity(value)
                if (j not in taken and key is not None and value.shape == loop_shape
                        and value.dtype == result.dtype
                        and [_array_identity(i) for i in node.inputs].count(identity) == 1
                        and self.buffers.can_take_over(key, position)):
                    into[k] = j
                    taken.add(j)
                    self.stored_into[(id(node), k)] = j
                    break
        return into

    def lower_group(self, run):
        """Steps for a run of regions (ordering.clusters) called as one group kernel: the
        driver computes every loop shape, allocates every output and runs the run's light
        steps, then makes one call. Each region is planned after the ones before it have
        their buffers, so it may write over a buffer one of them filled. If Numba cannot
        compile the group, the regions run their NumPy references."""
        index = self.add_kernel(KernelInfo("", [], "", "numba"))
        setup, unfused, sizes, members, positions = [], [], [], [], []
        args, parameters, slots = [], {}, []
        self.buffers.held = True
        for p in run:
            node = self.order[p]
            name = self.names[id(node)]
            if node.op != "fused_elementwise":
                _, lines = self.lower(node, p)
                setup += lines
                unfused += lines
                continue
            plan_m = codegen.plan_kernel(node, self.stored_through_inputs(node, p))
            members.append((node, plan_m))
            positions.append(p)
            shape = f"{name}_shape"
            lines, inputs, outs, finals = self.region_arguments(node, name, plan_m, shape)
            value = finals[0] if len(outs) == 1 else "(" + ", ".join(finals) + ",)"
            setup += [f"# {name}: {node.attrs['ops'].replace(',', ', ')}"] + lines
            setup.append(f"{name} = {value}")
            member_slots = []
            identities = self.argument_identities(node, plan_m, inputs)
            for identity, expression in zip(identities, inputs + outs):
                if identity not in parameters:
                    parameters[identity] = len(args)
                    args.append(expression)
                member_slots.append(parameters[identity])
            slots.append(member_slots)
            if plan_m.parallel and self.parallel and not _always_small(node):
                sizes.append(" * ".join(f"{shape}[{a}]" for a in range(plan_m.rank)))
            self.namespace[f"F{index}_{p}"] = _fallback(node)
            inputs = ", ".join(self.names[id(i)] for i in node.inputs)
            unfused.append(f"{name} = F{index}_{p}({inputs})")
        self.buffers.held = False
        self.buffers.release_after(run[-1])

        plan = group_codegen.plan_group(members, slots)
        module, origin = cache.load_kernel_module(plan.key, plan.source)
        signature = group_codegen.signature(members, slots)
        info = self.kernels[index]
        info.name = f"group{run[0]}_" + "_".join(f"fused{p}" for p in positions)[:48]
        info.ops = [op for node, _ in members for op in node.attrs["ops"].split(",")]
        info.source, info.origin, info.dispatcher = plan.source, origin, module.kernel
        header = [f"# {info.name}: {len(members)} regions in one kernel"]
        later = config.background_compile() and not _compiled(module, signature, origin)
        failure = None if later else _compile_eagerly(module.kernel, signature)
        if failure is not None:
            info.kind, info.source = "reference", f"{failure}\n\n{plan.source}"
            return [(index, header + unfused)]
        kname = f"K{index}"
        self.namespace[kname] = None if later else module.kernel
        call = [f"K{index}({', '.join(args)})"]
        if sizes:
            big = " or ".join(f"{size} >= {codegen.PARALLEL_THRESHOLD}" for size in sizes)
            call = [f"if {big}:", f"    K{index}p({', '.join(args)})", "else:", "    " + call[0]]
        lines = (setup + ["try:"] + ["    " + line for line in call]
                 + ["except BroadcastMismatch:"] + ["    " + line for line in unfused])
        if later:
            ready = threading.Event()
            self.compiling.append(ready)
            background.submit(module.kernel, signature, self.kernel_ready(info, kname, ready))
            # Until the background compile finishes, the regions run their NumPy reference.
            lines = ([f"if K{index} is None:"] + ["    " + line for line in unfused]
                     + ["else:"] + ["    " + line for line in lines])
        if sizes:
            always = any(_always_big(node) for node, _ in members)
            self.namespace[kname + "p"] = self.parallel_variant(kname, module, signature, always)
        return [(index, header + lines)]

    def argument_identities(self, node, plan, inputs):
        """What each argument of a region's kernel is, so a group passes every loop size
        and array once: sizes by their source text, arrays by the buffer or leaf they are
        (views resolved), outputs stored through an input or a variable as that array."""
        sizes = inputs[:len(inputs) - len(node.inputs)]
        identities = [("size", text) for text in sizes]
        identities += [_array_identity(i) for i in node.inputs]
        for k in range(len(plan.results)):
            target = self.inplace.get((id(node), k))
            j = self.stored_into.get((id(node), k))
            if target is not None:
                identities.append(_array_identity(self.graph.updates[target[0]][0]))
            elif j is not None:
                identities.append(_array_identity(node.inputs[j]))
            else:
                identities.append(("buffer", id(node), k))
        return identities

    def parallel_variant(self, kname, module, signature, always):
        """What the driver calls as `<kname>p` on loops above the parallel threshold. Numba
        compiles a parallel kernel in about 1 s. In the background mode a loop whose static
        size is `always` above the threshold has it compiled at once (the second call waits
        for it, as for every kernel); any other only once a call needs it, the serial kernel
        running meanwhile. In the foreground mode Numba compiles it at its first call."""
        if not config.background_compile():
            return module.kernel_parallel
        drivers = self.drivers

        def use(dispatcher):
            self.namespace[kname + "p"] = dispatcher
            for driver in list(drivers):
                driver.__globals__[kname + "p"] = dispatcher

        def submit(ready=None):
            def done(failure):
                if failure is None:
                    use(module.kernel_parallel)
                if ready is not None:
                    ready.set()
            background.submit(module.kernel_parallel, signature, done)

        if always:
            ready = threading.Event()
            self.compiling.append(ready)
            submit(ready)
            return module.kernel

        def first_call(*args):
            use(module.kernel)
            submit()
            module.kernel(*args)
        return first_call

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
        target = self.inplace.get((id(node), k))
        if target is not None:
            var = self.graph.updates[target[0]][0]
            return [f"# written in place into the array of variable "
                    f"'{var.attrs['storage'].name}'", f"{out} = {self.names[id(var)]}"]
        j = self.stored_into.get((id(node), k))
        if j is not None:
            source = node.inputs[j]
            self.buffers.take_over(memory.buffer_key_of_value(source),
                                   memory.buffer_key_of(node, k))
            return [f"{out} = {self.names[id(source)]}    # written over its input"]
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
            call = f"gemm({a}, {b}, {name}_out)"
            lines.append(f"{name} = {call}")
            call += "    # runtime.blas: MKL when installed, else NumPy's BLAS (blas.describe())"
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
            kind = "driver" if _touches_no_data(node) else "numpy"
            index = self.add_kernel(KernelInfo(f"{node.op}{position}", [node.op], call, kind))
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


def _array_identity(value):
    """The array a value is: a region output's buffer or a leaf, through views."""
    while value.op in ("reshape", "reshape_to", "expand_dims", "squeeze"):
        value = value.inputs[0]
    if value.op == "tuple_get" and value.inputs[0].op == "fused_elementwise":
        return ("buffer", id(value.inputs[0]), value.attrs["index"])
    if value.op == "fused_elementwise":
        return ("buffer", id(value), 0)
    return ("node", id(value))


def _region_output(node):
    """(id(region), output index) of a fused region's output, else None."""
    if node.op == "tuple_get" and node.inputs[0].op == "fused_elementwise":
        return id(node.inputs[0]), node.attrs["index"]
    if node.op == "fused_elementwise" and not node.is_tuple:
        return id(node), 0
    return None


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


def _touches_no_data(node):
    """Views and shape reads: driver bookkeeping that reads or writes no tensor element."""
    if node.op in ("expand_dims", "squeeze", "shape_of"):
        return True
    return node.op == "take" and node.inputs[0].op == "shape_of"


def _always_big(fused):
    """Whether the region's loop is static and at or above the parallel threshold."""
    params, results = fused.attrs["body"]
    shape = codegen.loop_shape(results)
    return None not in shape and int(np.prod(shape)) >= codegen.PARALLEL_THRESHOLD


def _always_small(fused):
    """Whether the region's loop is static and below the parallel threshold."""
    params, results = fused.attrs["body"]
    shape = codegen.loop_shape(results)
    return None not in shape and int(np.prod(shape)) < codegen.PARALLEL_THRESHOLD


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
    if config.disk_cache() and cache.load_compiled(dispatcher, signature):
        return None
    try:
        dispatcher.compile(signature)
    except NumbaError as error:
        return f"Numba could not compile this region: {error}"
    return None


def _fallback(node):
    """The region's NumPy reference, for run-time shapes its kernel does not cover."""
    def run(*args):
        # A graph read from the disk cache did not import the passes, which register
        # the fused op's NumPy reference.
        from ..passes import fusion  # noqa: F401
        return evaluate_node(node, list(args))
    return run


def _feed_error(placeholder, value):
    from .interpreter import check_feed
    check_feed(placeholder, value)
    raise ValueError(f"Error when feeding input '{placeholder.attrs['name']}': expected "
                     f"{placeholder.type!r}, got {np.asarray(value).shape}")
