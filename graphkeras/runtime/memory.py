"""Buffers for the compiled schedule: which values may live in reused memory, and where.

Outputs of generated kernels and GEMMs that never leave the function are written into
persistent buffers (`B[slot]`), kept across calls so large arrays are not re-faulted every
step, and shared between values whose lifetimes do not overlap (a linear scan over the
schedule). Any other op may return a view of its inputs, so a buffer stays live while
anything that may alias it is still needed. The buffers of inputs that die at a step are
freed after that step's outputs are placed, so no kernel writes over its own input: that
would be correct, but LLVM then sees overlapping arrays and runs the scalar loop.
"""
import collections

import numpy as np

ALLOCATING_OPS = ("fused_elementwise", "gemm")


def buffer_keys(node):
    """The buffers an allocating node writes: (id(node), k) per output."""
    if node.op == "fused_elementwise":
        count = len(node.type) if node.is_tuple else 1
        return [(id(node), k) for k in range(count)]
    if node.op == "gemm":
        return [(id(node), None)]
    return []


def buffer_key_of(node, index):
    """The buffer key of output `index` of an allocating node."""
    if node.op == "gemm":
        return (id(node), None)
    return (id(node), index if node.is_tuple else 0)


def buffer_key_of_value(value):
    """The buffer key a value is stored in, when it is an allocating node's output itself
    (not a view), else None."""
    if value.op == "gemm":
        return (id(value), None)
    if value.op == "tuple_get" and value.inputs[0].op == "fused_elementwise":
        return (id(value.inputs[0]), value.attrs["index"])
    if value.op == "fused_elementwise" and not value.is_tuple:
        return (id(value), 0)
    return None


def escaping_nodes(graph, view_ops):
    """Buffer keys whose memory reaches an output or an update through views: they must be
    freshly allocated every call."""
    escaping = set()
    for node in graph.outputs + [value for _, value in graph.updates]:
        index = None
        while node.op in view_ops:
            if node.op == "tuple_get":
                index = node.attrs["index"]
            node = node.inputs[0]
        if node.op == "fused_elementwise":
            escaping.add((id(node), index if node.is_tuple else 0))
        elif node.op == "gemm":
            escaping.add((id(node), None))
    return escaping


class BufferPlan:
    """Assigns persistent buffer slots by liveness while the schedule is lowered in `order`
    (ordering.py); `roots` are read after the last step."""

    def __init__(self, order, roots, escaping):
        self.escaping = escaping
        self.last_use = self.lifetimes(order, roots)
        self.slot_of = {}
        self.free = collections.defaultdict(list)
        self.slot_count = 0
        self.released = set()
        self.held = False

    def lifetimes(self, order, roots):
        """Last schedule position at which each buffer key may still be read."""
        aliases = {}
        last = {}
        end = len(order)
        for position, node in enumerate(order):
            for i in node.inputs:
                for key in aliases.get(id(i), ()):
                    last[key] = position
            if node.op in ALLOCATING_OPS:
                keys = buffer_keys(node)
                aliases[id(node)] = frozenset(keys)
                for key in keys:
                    last.setdefault(key, position)
            elif node.op == "tuple_get" and node.inputs[0].op == "fused_elementwise":
                aliases[id(node)] = frozenset([(id(node.inputs[0]), node.attrs["index"])])
            elif node.inputs:
                merged = frozenset()
                for i in node.inputs:
                    merged = merged | aliases.get(id(i), frozenset())
                if merged:
                    aliases[id(node)] = merged
        for root in roots:
            for key in aliases.get(id(root), ()):
                last[key] = end
        return last

    def allocate(self, node, index, out, shape, dtype):
        """Lines binding `out` to an array of `shape` (source text) for output `index`."""
        key = buffer_key_of(node, index)
        if key in self.escaping or key not in self.last_use:
            return [f"{out} = np.empty({shape}, {dtype})"]
        slot_type = (dtype, self.static_shape(node, index))
        pool = self.free[slot_type]
        slot = pool.pop() if pool else self.new_slot()
        self.slot_of[key] = (slot, slot_type)
        return [f"{out} = B[{slot}]",
                f"if {out}.shape != {shape}:",
                f"    {out} = B[{slot}] = np.empty({shape}, {dtype})"]

    def can_take_over(self, key, position):
        """Whether an output computed at `position` may be written over buffer `key`: a
        persistent buffer whose last reader is that step."""
        return key in self.slot_of and key not in self.released and self.last_use[key] == position

    def take_over(self, old_key, new_key):
        """`new_key` continues in the slot of `old_key`, which that step reads for the last
        time; the slot is freed when `new_key` dies."""
        self.slot_of[new_key] = self.slot_of.pop(old_key)
        self.released.add(old_key)

    def static_shape(self, node, index):
        if node.is_tuple:
            return node.type.types[index].shape
        return node.shape

    def new_slot(self):
        self.slot_count += 1
        return self.slot_count - 1

    def release_after(self, position):
        """Return to the pools every slot whose last reader is at `position` or before;
        nothing while `held` (a group's kernel runs its regions after all are allocated)."""
        if self.held:
            return
        for key, (slot, slot_type) in list(self.slot_of.items()):
            if key not in self.released and self.last_use[key] <= position:
                self.released.add(key)
                self.free[slot_type].append(slot)

    def initial_buffers(self):
        """The list the driver receives as `B`: placeholders reallocated on first use."""
        return [np.empty(0) for _ in range(self.slot_count)]
