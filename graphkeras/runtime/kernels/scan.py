"""The scan kernel: the loop of `ir.ops.scan.run_scan` with a step prepared once per body.

The step is the body compiled as a function of its placeholders (the same passes and fused
Numba kernels as K.function). `BodyProgram` is the plain alternative: a flat schedule (one
entry per node, inputs as slot numbers) whose nodes run their registered kernel or reference.
"""
import functools

import numpy as np

from ...ir import get_op
from ...ir.graph import topological_order
from ...ir.ops.scan import run_scan
from . import find_kernel, kernel


class BodyProgram:
    """A body as a schedule: `run(values)` returns the values of the body's roots."""

    def __init__(self, body):
        order = topological_order(list(body.roots))
        slot_of = {id(p): i for i, p in enumerate(body.inputs)}
        inner = [n for n in order if id(n) not in slot_of]
        for node in inner:
            if node.op in ("placeholder", "variable"):
                raise ValueError(f"scan body is not closed: it reads a {node.op} "
                                 f"{node.type!r} that is not one of its inputs")
        # Slots: the inputs, then every constant, then one per instruction in order.
        constants = [n for n in inner if n.op == "constant"]
        for node in constants:
            slot_of[id(node)] = len(slot_of)
        self.constants = [n.attrs["value"].array for n in constants]
        self.schedule = []
        for node in inner:
            if node.op == "constant":
                continue
            self.schedule.append(_instruction(node, [slot_of[id(i)] for i in node.inputs]))
            slot_of[id(node)] = len(slot_of)
        self.result_slots = [slot_of[id(r)] for r in body.roots]

    def run(self, values):
        slots = list(values) + self.constants
        for compute, args, dtype in self.schedule:
            value = compute(*[slots[a] for a in args])
            if dtype is not None:
                value = np.asarray(value, dtype=dtype)
            slots.append(value)
        return [slots[s] for s in self.result_slots]


def _instruction(node, args):
    """(callable, input slots, result dtype or None for tuple results) for one node."""
    op = get_op(node.op)
    attrs = dict(node.attrs)
    impl = find_kernel(op.kernel) if op.kernel else None
    if impl is not None:
        compute = functools.partial(impl, attrs)
    else:
        compute = functools.partial(_call_reference, op.reference, attrs)
    dtype = None if node.is_tuple else node.dtype
    return compute, args, dtype


def _call_reference(reference, attrs, *inputs):
    return reference(*inputs, **attrs)


# Measured on the lstm workload (batch 32, 80 steps, 128 units; CPU time, one thread): the
# LSTM's forward and backward took 40 ms with compiled bodies and 47 ms with the schedule
# (the backward step: 126 us against 344 us, fused elementwise chains). Compiling costs about
# 4 s of Numba per new body shape on a cold kernel cache.
COMPILE_BODIES = True


@functools.lru_cache(maxsize=512)
def body_step(body, compiled=None):
    """The prepared step of a body, made once per structurally distinct body: the body
    compiled like a K.function (passes, fused Numba kernels), or else its schedule."""
    if compiled is None:
        compiled = COMPILE_BODIES
    if compiled:
        return CompiledStep(body)
    return BodyProgram(body).run


class CompiledStep:
    """A body compiled as a function of its inputs. Roots that are inputs (a weight gradient
    summed after the loop passes its accumulator through) are handed back as they are rather
    than copied by the compiled function: 2 x 256 KB per step for an LSTM's kernels."""

    def __init__(self, body):
        from ..compiled import compile_function
        slot_of = {id(p): i for i, p in enumerate(body.inputs)}
        self.sources = []
        computed = []
        for root in body.roots:
            if id(root) in slot_of:
                self.sources.append(("input", slot_of[id(root)]))
            else:
                self.sources.append(("computed", len(computed)))
                computed.append(root)
        self.function = compile_function(list(body.inputs), computed, name="scan_body")

    def __call__(self, values):
        computed = self.function(values)
        return [values[i] if kind == "input" else computed[i] for kind, i in self.sources]


@kernel("scan")
def scan_kernel(attrs, *inputs):
    body = attrs["body"]
    return run_scan(body_step(body), list(inputs), body, attrs["reverse"], attrs["save_states"])
