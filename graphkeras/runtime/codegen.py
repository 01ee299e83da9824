"""Code generation for fused elementwise regions: one readable Numba module per region.

A region (a `fused_elementwise` node) runs as one loop nest over its loop shape. Each input
is read either at the loop index ("full") or at index 0 on axes where it broadcasts ("one");
which axes broadcast is decided from static shapes, so a kernel depends on ranks, dtypes and
broadcast patterns but never on sizes: a new batch size reuses it. When every input is full
or a scalar the nest collapses to one flat loop, which LLVM vectorizes best.

Kernels take `(inputs..., outputs...)`; the driver allocates outputs. A reduction at the end
of a region writes a keepdims-shaped output (a one-element array when it reduces everything).
"""
import numpy as np

from .. import ir
from . import cache

# 'reassoc' lets LLVM vectorize sum reductions; 'contract' allows fused multiply-add. No
# 'nnan'/'ninf': kernels must keep NaN and inf semantics. error_model='numpy' removes the
# divide-by-zero branch that blocks vectorization (5.6 ms -> 0.58 ms on a 1M exp loop).
FASTMATH = "{'contract', 'reassoc'}"
# Serial kernels never allocate (the driver passes every output in), so they need no reference
# counts: without Numba's runtime, lowering skips an incref/decref per array name, which was a
# sixth of the compile time of the MLP's loss kernel (measured with cProfile).
NO_REFCOUNTS = ", _nrt=False"
# Serial kernels compile through a reduced Numba pipeline (numba_pipeline.py).
SERIAL_PIPELINE = ", pipeline_class=KernelPipeline"
# Loops of at least this many iterations run the parallel variant of their kernel. Two
# threads pay from about 50k iterations; on data the cache holds they pay a lot: the SGD
# update of a 784x512 kernel took 338 us serial and 78 us parallel (measured). The parallel
# variant costs about 1 s more to compile, so it is compiled only when a call needs it
# (schedule.py), in the background when compiles are.
PARALLEL_THRESHOLD = 500_000

# Numba spellings that differ from the op's scalar template, keyed by (op, dtype).
FAST_FUNCTIONS = {
    ("exp", "float32"): "exp_f32({x})",
    ("tanh", "float32"): "tanh_f32({x})",
    ("log", "float32"): "log_f32({x})",
    ("sigmoid", "float32"): "(np.float32(1.0) / (np.float32(1.0) + exp_f32(-{x})))",
}
TEMPLATE_OVERRIDES = {
    "round": "np.rint({x})",
    # Inputs may be numbers: compare with zero first, then combine without branches.
    "logical_and": "(({x} != 0) & ({y} != 0))",
    "logical_or": "(({x} != 0) | ({y} != 0))",
    "logical_not": "({x} == 0)",
}

# Ops whose Numba result already has the IR dtype when every input has it (floats): their
# expressions skip the np.float32(...) cast, which costs Numba typing time (about 20% of the
# compile time of a large region, measured).
SAME_TYPE_OPS = {"add", "sub", "mul", "div", "neg", "abs", "maximum", "minimum", "where",
                 "identity", "stop_gradient", "broadcast_like", "exp", "tanh", "log", "sigmoid"}
BOOL_OPS = {"equal", "not_equal", "greater", "greater_equal", "less", "less_equal",
            "logical_and", "logical_or", "logical_not"}

REDUCTION_INIT = {"sum": "0", "mean": "0", "prod": "1", "max": "-np.inf", "min": "np.inf"}


def initial_value(result):
    """The identity of a reduction, as source; integer extrema start at the dtype's bounds."""
    kind = np.dtype(result.node.dtype).kind
    if result.reduction in ("max", "min") and kind in "iub":
        info = np.iinfo(np.dtype(result.node.dtype)) if kind != "b" else None
        if info is None:
            return "False" if result.reduction == "max" else "True"
        return str(info.min if result.reduction == "max" else info.max)
    return REDUCTION_INIT[result.reduction]


def scalar_type(dtype):
    """The NumPy scalar constructor for a dtype, as Numba source."""
    return "np.bool_" if dtype == "bool" else f"np.{dtype}"


def literal(node):
    """A scalar constant as source text of its exact dtype."""
    value = node.attrs["value"].array.reshape(-1)[0]
    if node.dtype == "bool":
        return "True" if value else "False"
    if np.isnan(value):
        text = "np.nan"
    elif np.isinf(value):
        text = "np.inf" if value > 0 else "-np.inf"
    else:
        text = repr(value.item())
    return f"{scalar_type(node.dtype)}({text})"


class KernelPlan:
    """What the driver needs to call a generated kernel: its source, key and result layout."""

    def __init__(self, source, flat, rank, params, results, loop_dims, parallel, groups,
                 writer):
        self.source = source
        self.writer = writer            # writes the loop nest again, e.g. inside a group
        self.groups = groups            # loop axes run by each loop of the nest
        self.key = cache.kernel_key(source)
        self.flat = flat
        self.rank = rank
        self.params = params            # [(pattern per loop axis, rank)]
        self.results = results          # [ResultPlan]
        self.loop_dims = loop_dims      # per loop axis: (param index, axis in param) or None
        self.parallel = parallel


def mismatch_check(conditions):
    """One `if` over every condition, one raise. Numba lowers each raise as its own block:
    the MLP's loss group, with 46 separate checks, compiled in 2.1-2.7 s, with one check in
    1.4 s (measured). Which input differed does not matter: the driver catches the error and
    runs the NumPy reference, which names it."""
    if not conditions:
        return []
    lines = [f"if ({conditions[0]}"] + [f"        or {c}" for c in conditions[1:]]
    lines[-1] += "):"
    return lines + ["    raise BroadcastMismatch('an input has another size')"]


def kernel_flags(parallel):
    """The arguments of `numba.njit` for a generated kernel."""
    flags = f"cache=True, error_model='numpy', fastmath={FASTMATH}"
    return flags + (", parallel=True" if parallel else NO_REFCOUNTS + SERIAL_PIPELINE)


def module_header(title, ops):
    """The first lines of a generated kernel module: what it covers, and its imports."""
    return ['"""Generated by graphkeras: ' + title + ".", "", "ops: " + ops.replace(",", ", "),
            '"""', "import math", "", "import numba", "import numpy as np", "",
            "from graphkeras.runtime.fastmath import BroadcastMismatch, exp_f32, log_f32, max2, "
            "min2, tanh_f32",
            "from graphkeras.runtime.numba_pipeline import KernelPipeline", ""]


def signature(plan, fused):
    """The Numba signature the driver calls the serial kernel with (compiled eagerly)."""
    from numba import types
    return types.void(*argument_types(plan, fused))


def argument_types(plan, fused):
    """The Numba types of a region kernel's arguments: loop sizes, then flat arrays."""
    import numba
    from numba import types

    def array(dtype):
        return types.Array(numba.from_dtype(np.dtype(dtype)), 1, "C")
    params, _ = fused.attrs["body"]
    sizes = [] if plan.flat else [types.intp] * len(plan.groups)
    return sizes + [array(p.dtype) for p in params] + [array(r.node.dtype) for r in plan.results]


class ResultPlan:
    """One kernel output: elementwise (loop shape) or a reduction with its axes."""

    def __init__(self, node, reduction, axes, scalar):
        self.node = node
        self.reduction = reduction      # op name or None
        self.axes = axes                # loop axes reduced
        self.scalar = scalar            # reduces every axis: a one-element output


def broadcast_pattern(shape, loop_shape):
    """'full' or 'one' per loop axis for an input of `shape` broadcast into `loop_shape`."""
    padded = (1,) * (len(loop_shape) - len(shape)) + tuple(shape)
    return tuple("one" if d == 1 else "full" for d in padded)


def plan_kernel(fused, into_inputs=None):
    """The KernelPlan (and generated source) of one `fused_elementwise` node. `into_inputs`
    maps an output to the input whose array it overwrites (a variable updated in place,
    inplace.py): the kernel stores through that input, so LLVM sees one array read and written
    at the same index and still vectorizes (through two names for one array it ran the scalar
    loop: 660 us instead of about 450 us for the MLP's SGD updates, measured)."""
    params, results = fused.attrs["body"]
    shape = loop_shape(results)
    rank = len(shape)
    patterns = [broadcast_pattern(p.shape, shape) for p in params]
    result_plans = [_result_plan(r, rank) for r in results]
    groups = loop_groups(patterns, result_plans, shape)
    flat = len(groups) <= 1 and all(r.reduction is None or r.scalar for r in result_plans)
    loop_dims = []
    for axis in range(rank):
        source = None
        for j, (p, pattern) in enumerate(zip(params, patterns)):
            if pattern[axis] == "full":
                source = (j, axis - (rank - p.ndim))
                break
        loop_dims.append(source)
    parallel = all(r.reduction is None or (r.scalar and r.reduction in ("sum", "mean"))
                   for r in result_plans) and (flat or all(r.reduction is None
                                                           for r in result_plans))
    kinds = [_group_kinds(pattern, groups) for pattern in patterns]
    result_kinds = [_group_kinds(_result_pattern(r, rank), groups) for r in result_plans]
    writer = _KernelWriter(fused, params, kinds, result_plans, result_kinds, len(groups), flat,
                           dict(into_inputs or {}))
    source = writer.module(parallel)
    return KernelPlan(source, flat, rank, [(pat, p.ndim) for pat, p in zip(patterns, params)],
                      result_plans, loop_dims, parallel, groups, writer)


def _result_pattern(result, rank):
    return tuple("one" if a in result.axes else "full" for a in range(rank))


def loop_groups(patterns, results, loop_shape):
    """Loop axes merged into groups: neighbouring axes along which every array is read the
    same way run as one loop (a bias over (N, H, W, C) needs two loops, not four). Axes of
    static size 1 need no loop at all."""
    columns = [tuple(p[a] for p in patterns) + tuple(_result_pattern(r, len(loop_shape))[a]
                                                     for r in results)
               for a in range(len(loop_shape))]
    groups, previous = [], None
    for axis, column in enumerate(columns):
        if loop_shape[axis] == 1:
            continue
        if groups and column == previous:
            groups[-1].append(axis)
        else:
            groups.append([axis])
        previous = column
    return [tuple(g) for g in groups]


def _group_kinds(pattern, groups):
    return tuple(pattern[g[0]] for g in groups)


def loop_shape(results):
    """The shape the loop nest of a region runs over (a final reduction's input shape)."""
    for r in results:
        if not ir.get_op(r.op).elementwise:
            return r.inputs[0].shape
    return results[0].shape


def _result_plan(node, rank):
    if ir.get_op(node.op).elementwise:
        return ResultPlan(node, None, (), False)
    axes = tuple(node.attrs["axes"])
    return ResultPlan(node, node.op, axes, len(axes) == rank)


class _KernelWriter:
    """Writes the Python/Numba source of one region, one commented line group per IR node.

    Every array arrives flattened to 1-d; a loop nest of `depth` levels walks the groups and
    keeps one running offset per array, so the kernel depends on neither rank nor sizes.
    """

    def __init__(self, fused, params, kinds, results, result_kinds, depth, flat, into_inputs):
        self.into_inputs = into_inputs  # output index -> input index it is stored through
        self.fused = fused
        self.params = params
        self.kinds = kinds
        self.results = results
        self.result_kinds = result_kinds
        self.depth = depth
        self.flat = flat

    def module(self, parallel):
        lines = module_header("one fused elementwise region", self.fused.attrs["ops"])
        lines += self.function("kernel", parallel=False)
        if parallel:
            lines += [""] + self.function("kernel_parallel", parallel=True)
        return "\n".join(lines) + "\n"

    def function(self, name, parallel):
        args = self.arguments()
        lines = ["", f"@numba.njit({kernel_flags(parallel)})", f"def {name}({', '.join(args)}):"]
        return lines + ["    " + line for line in self.body(parallel)]

    def arguments(self):
        """The parameter names of the kernel: loop sizes, inputs, outputs."""
        names = [] if self.flat else [f"n{g}" for g in range(self.depth)]
        names += [f"in{j}" for j in range(len(self.params))]
        return names + [f"out{k}" for k in range(len(self.results))]

    def body(self, parallel):
        """The statements of the kernel, unindented."""
        return self.checks() + self.computation(parallel)

    def computation(self, parallel):
        """The statements after the checks: initialization, loops, final divisions."""
        return self.initialization() + self.loops(parallel) + self.epilogue()

    def is_scalar_param(self, j):
        return all(kind == "one" for kind in self.kinds[j])

    def expected_size(self, kinds):
        return " * ".join(f"n{g}" for g, kind in enumerate(kinds) if kind == "full") or "1"

    def checks(self):
        """Statements raising BroadcastMismatch when an input's size does not match; they run
        before anything is written (a group checks every region before its first loop)."""
        return self.size_lines() + mismatch_check(self.mismatches())

    def full_inputs(self):
        """The inputs read element by element (not scalars read once)."""
        return [j for j in range(len(self.params)) if not self.is_scalar_param(j)]

    def size_lines(self):
        """The statements defining the names the mismatch conditions read."""
        if not self.flat:
            return []
        full = self.full_inputs()
        return [f"size = in{full[0]}.size" if full else "size = 1"]

    def mismatches(self):
        """One condition per input, true when its size differs from the loops' size."""
        full = self.full_inputs()
        if self.flat:
            checks = [(j, "size") for j in full[1:]]
        else:
            checks = [(j, self.expected_size(self.kinds[j])) for j in full]
        return [f"in{j}.size != {size}" for j, size in checks]

    def initialization(self):
        """Accumulators and scalar inputs, read just before the region's loops."""
        lines = []
        for k, result in enumerate(self.results):
            if result.reduction is None:
                continue
            if result.scalar:
                lines.append(f"acc{k} = {self.accumulator_type(result)}({initial_value(result)})")
            else:
                lines += [f"for j in range(out{k}.size):",
                          f"    out{k}[j] = {initial_value(result)}"]
        for j in range(len(self.params)):
            if self.is_scalar_param(j):
                lines.append(f"p{j} = in{j}[0]")
        return lines

    def accumulator_type(self, result):
        dtype = result.node.dtype
        if np.dtype(dtype).kind == "f" or result.reduction == "mean":
            return "np.float64"
        return "np.int64" if result.reduction in ("sum", "prod") else scalar_type(dtype)

    def loops(self, parallel):
        loop = "numba.prange" if parallel else "range"
        if self.flat:
            self.offsets = {key: "i" for key in self.array_keys()}
            return [f"for i in {loop}(size):"] + ["    " + line for line in self.loop_body()]
        # One running offset per distinct broadcast pattern, shared by every array read or
        # written that way: fewer statements for Numba to lower (its lowering dominates the
        # compile time of a large group).
        patterns = sorted(set(self.array_keys().values()))
        current = {pattern: None for pattern in patterns}
        lines = []
        for g in range(self.depth):
            indent = "    " * g
            lines.append(indent + f"for i{g} in {loop if g == 0 else 'range'}(n{g}):")
            for number, pattern in enumerate(patterns):
                if pattern[g] != "full":
                    continue
                before = current[pattern]
                if before is None:
                    current[pattern] = f"i{g}"
                    continue
                name = f"o{number}_{g}"
                lines.append(indent + f"    {name} = {before} * n{g} + i{g}")
                current[pattern] = name
        self.offsets = {key: current[kinds] or "0" for key, kinds in self.array_keys().items()}
        indent = "    " * self.depth
        return lines + [indent + line for line in self.loop_body()]

    def array_keys(self):
        """Kinds per group of every indexed array: inputs 'in<j>' and outputs 'out<k>'."""
        keys = {f"in{j}": self.kinds[j] for j in range(len(self.params))}
        for k, result in enumerate(self.results):
            if not result.scalar:
                keys[f"out{k}"] = self.result_kinds[k]
        return keys

    def loop_body(self):
        names = {}
        lines = []
        for j in range(len(self.params)):
            names[id(self.params[j])] = f"p{j}"
            if not self.is_scalar_param(j):
                lines.append(f"p{j} = in{j}[{self.offsets[f'in{j}']}]")
        result_index = {id(r.node): k for k, r in enumerate(self.results)}
        roots = [r.node for r in self.results]
        for count, node in enumerate(ir.topological_order(roots)):
            if id(node) in names:
                continue
            if node.op == "constant":
                names[id(node)] = literal(node)
                continue
            name = f"v{count}"
            names[id(node)] = name
            args = [names[id(i)] for i in node.inputs]
            label = node.op
            if node.op == "cast":
                label = f"cast[{node.attrs['dtype']}]"
            lines.append(f"# {name} = {label}({', '.join(args)}) -> {node.dtype}")
            k = result_index.get(id(node))
            if ir.get_op(node.op).elementwise:
                lines.append(f"{name} = {self.typed_expression(node, args)}")
                if k is not None:
                    array = f"in{self.into_inputs[k]}" if k in self.into_inputs else f"out{k}"
                    lines.append(f"{array}[{self.offsets[array]}] = {name}")
            else:
                lines.append(self.accumulate(k, self.results[k], args[0]))
        return lines

    def typed_expression(self, node, args):
        """The expression of `node`, cast to its dtype unless Numba already gives that."""
        expression = self.expression(node, args)
        floats = node.dtype in ("float32", "float64")
        if node.op in BOOL_OPS and node.dtype == "bool":
            return expression
        inputs = [i for i in node.inputs if not (node.op == "where" and i is node.inputs[0])]
        if node.op in SAME_TYPE_OPS and floats and all(i.dtype == node.dtype for i in inputs):
            return expression
        return f"{scalar_type(node.dtype)}({expression})"

    def expression(self, node, args):
        op = ir.get_op(node.op)
        template = FAST_FUNCTIONS.get((node.op, node.inputs[0].dtype))
        if template is None:
            template = TEMPLATE_OVERRIDES.get(node.op, op.scalar)
        fields = dict(zip("xyz", args))
        fields.update({key: scalar_type(value)[3:] if key == "dtype" else value
                       for key, value in node.attrs.items()})
        if node.op == "cast":
            return f"{scalar_type(node.attrs['dtype'])}({args[0]})"
        return template.format(**fields)

    def accumulate(self, k, result, value):
        if result.scalar:
            target = f"acc{k}"
        else:
            target = f"out{k}[{self.offsets[f'out{k}']}]"
        if result.reduction in ("sum", "mean"):
            return f"{target} += {value}"
        if result.reduction == "prod":
            return f"{target} *= {value}"
        compare = ">" if result.reduction == "max" else "<"
        # Written as a select, not max(), so a NaN input propagates as np.max does.
        return (f"{target} = {value} if ({value} {compare} {target} or {value} != {value}) "
                f"else {target}")

    def epilogue(self):
        lines = []
        for k, result in enumerate(self.results):
            if result.reduction is None:
                continue
            reduced = [f"n{g}" for g, kind in enumerate(self.result_kinds[k]) if kind == "one"]
            count = "size" if self.flat else (" * ".join(reduced) or "1")
            dtype = scalar_type(result.node.dtype)
            if result.scalar:
                value = f"acc{k} / ({count})" if result.reduction == "mean" else f"acc{k}"
                lines.append(f"out{k}[0] = {dtype}({value})")
            elif result.reduction == "mean":
                lines += [f"for j in range(out{k}.size):",
                          f"    out{k}[j] = {dtype}(out{k}[j] / ({count}))"]
        return lines
