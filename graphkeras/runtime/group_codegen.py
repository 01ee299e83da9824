"""Code generation for a group: several fused regions run by one generated Numba function.

The regions of a group run one after another in the order of the schedule (ordering.py);
each keeps its own loop nest, written by the region's own writer (codegen.py) with its names
prefixed, so the source reads as the regions' kernels one after another. One function costs
one call from the driver, one compilation and one disk-cache load for the whole group, and
Numba compiles one function of many loops far faster than as many functions (1.5 s against
3.3-4.2 s for 30 ops, measured for the compiler issue).
"""
import re

from . import cache, codegen

# Every local name a region writer uses: loop sizes, arrays, values, offsets, accumulators,
# loop counters. Attributes (`.size`) are not names and keep their spelling.
LOCAL_NAME = re.compile(r"(?<![\w.'])(n\d+|in\d+|out\d+|p\d+|v\d+|o\d+_\d+|acc\d+|"
                        r"i\d*|j|size)(?![\w'])")


class GroupPlan:
    """A group's source and cache key."""

    def __init__(self, source, parallel):
        self.source = source
        self.key = cache.kernel_key(source)
        self.parallel = parallel


def plan_group(members, slots):
    """The GroupPlan of `members`, (fused node, KernelPlan) pairs in schedule order.
    `slots[m]` gives, for each argument of member m's kernel, the index of the group's
    parameter that carries it: an array read or written by several regions is passed once.
    Numba's compile time grows by about 14 ms per array argument (0.93 s for 64, measured),
    so the group loss of an MLP step took 3.3 s to compile before its 64 arguments were
    shared."""
    ops = ",".join(node.attrs["ops"] for node, _ in members)
    lines = codegen.module_header(f"a group of {len(members)} fused elementwise regions", ops)
    parallel = any(plan.parallel for _, plan in members)
    lines += _function("kernel", members, slots, parallel=False)
    if parallel:
        lines += [""] + _function("kernel_parallel", members, slots, parallel=True)
    return GroupPlan("\n".join(lines) + "\n", parallel)


def signature(members, slots):
    """The Numba signature of the group's serial kernel."""
    from numba import types
    count = 1 + max(max(s) for s in slots if s)
    args = [None] * count
    for (node, plan), member_slots in zip(members, slots):
        for slot, argument in zip(member_slots, codegen.argument_types(plan, node)):
            args[slot] = args[slot] or argument
    return types.void(*args)


def _function(name, members, slots, parallel):
    """Every region's size checks first, so a mismatch is raised before anything (a variable
    updated in place, inplace.py) is written; then each region's loops in turn."""
    count = 1 + max(max(s) for s in slots if s)
    prelude, sizes, mismatches, body = [], [], [], []
    for m, (node, plan) in enumerate(members):
        writer = plan.writer
        prelude += [f"{_renamed(m, a)} = a{slot}" for a, slot in zip(writer.arguments(), slots[m])]
        sizes += [_renamed(m, line) for line in writer.size_lines()]
        mismatches += [_renamed(m, condition) for condition in writer.mismatches()]
        body.append(f"# region {m}: {node.attrs['ops'].replace(',', ', ')}")
        body += [_renamed(m, line) for line in writer.computation(parallel and plan.parallel)]
    args = ", ".join(f"a{k}" for k in range(count))
    return (["", f"@numba.njit({codegen.kernel_flags(parallel)})", f"def {name}({args}):"]
            + ["    " + line
               for line in prelude + sizes + codegen.mismatch_check(mismatches) + body])


def _renamed(member, line):
    """`line` of a region's kernel with its local names prefixed by the region's number."""
    return LOCAL_NAME.sub(lambda match: f"r{member}_{match.group(1)}", line)
