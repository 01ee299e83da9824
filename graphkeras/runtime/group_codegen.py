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
LOCAL_NAME = re.compile(r"(?<![\w.'])(n\d+|in\d+|out\d+|p\d+|v\d+|o(?:in|out)\d+_\d+|acc\d+|"
                        r"i\d*|j|size)(?![\w'])")


class GroupPlan:
    """A group's source, cache key and, per member, how many arguments it takes."""

    def __init__(self, source, parallel):
        self.source = source
        self.key = cache.kernel_key(source)
        self.parallel = parallel


def plan_group(members):
    """The GroupPlan of `members`: (fused node, KernelPlan) pairs in schedule order."""
    ops = ",".join(node.attrs["ops"] for node, _ in members)
    lines = codegen.module_header(f"a group of {len(members)} fused elementwise regions", ops)
    parallel = any(plan.parallel for _, plan in members)
    lines += _function("kernel", members, parallel=False)
    if parallel:
        lines += [""] + _function("kernel_parallel", members, parallel=True)
    return GroupPlan("\n".join(lines) + "\n", parallel)


def signature(members):
    """The Numba signature of the group's serial kernel."""
    from numba import types
    args = []
    for node, plan in members:
        args += codegen.argument_types(plan, node)
    return types.void(*args)


def _function(name, members, parallel):
    """Every region's size checks first, so a mismatch is raised before anything (a variable
    updated in place, inplace.py) is written; then each region's loops in turn."""
    args, checks, body = [], [], []
    for m, (node, plan) in enumerate(members):
        writer = plan.writer
        args += [_renamed(m, a) for a in writer.arguments()]
        checks += [_renamed(m, line) for line in writer.checks()]
        body.append(f"# region {m}: {node.attrs['ops'].replace(',', ', ')}")
        body += [_renamed(m, line) for line in writer.computation(parallel and plan.parallel)]
    body = checks + body
    flags = f"cache=True, error_model='numpy', fastmath={codegen.FASTMATH}"
    if parallel:
        flags += ", parallel=True"
    return (["", f"@numba.njit({flags})", f"def {name}({', '.join(args)}):"]
            + ["    " + line for line in body])


def _renamed(member, line):
    """`line` of a region's kernel with its local names prefixed by the region's number."""
    return LOCAL_NAME.sub(lambda match: f"r{member}_{match.group(1)}", line)
