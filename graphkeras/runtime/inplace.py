"""In-place variable updates: which update values a region may write straight into the
variable's own array instead of a fresh one.

An optimizer update `w <- w - lr * g` computed into a fresh array costs an allocation (and
its page faults: 1.6 MB for a 784x512 kernel) and leaves the old array to be freed, every
step. It can overwrite the variable's array instead when nothing reads the old value later:
every reader of the variable runs at or before the region that computes its update (the
schedule runs updates last, ordering.py), and the region reads the variable elementwise at
the index it writes. The driver writes in place only into an array it stored itself on the
previous call, so an array that came from the user (`set_value`, `set_weights`) is never
overwritten.
"""
from .. import ir
from .ordering import VIEW_OPS


def plan_inplace(graph, order):
    """{(id(region), output index): (update index, input index or None)} for the updates
    written into the variable's array; the input index is where the region reads the
    variable, so the kernel can store through it (codegen.plan_kernel)."""
    position = {id(n): p for p, n in enumerate(order)}
    consumers = {}
    for node in order:
        for i in node.inputs:
            consumers.setdefault(id(i), []).append(node)
    outputs = {id(_through_views(o)) for o in graph.outputs}
    variables = [var for var, _ in graph.updates]
    targets = {}
    for u, (var, value) in enumerate(graph.updates):
        target = _region_output(value)
        if target is None or variables.count(var) > 1 or id(var) in outputs:
            continue
        region, k = target
        result = region.type.types[k] if region.is_tuple else region.type
        if result.shape != var.shape or result.dtype != var.dtype or None in var.shape:
            continue
        if not _body_output_is_elementwise(region, k):
            continue
        at = position[id(region)]
        readers = _readers(var, consumers)
        key = (id(region), k)
        if all(position[id(r)] < at or r is region for r in readers) and key not in targets:
            inputs = [j for j, i in enumerate(region.inputs) if i is var]
            targets[key] = (u, inputs[0] if inputs else None)
    return targets


def _through_views(node):
    while node.op in VIEW_OPS:
        node = node.inputs[0]
    return node


def _region_output(value):
    """(region, output index) when `value` is an output of a fused region, else None."""
    if value.op == "tuple_get" and value.inputs[0].op == "fused_elementwise":
        return value.inputs[0], value.attrs["index"]
    if value.op == "fused_elementwise" and not value.is_tuple:
        return value, 0
    return None


def _body_output_is_elementwise(region, k):
    _, results = region.attrs["body"]
    return ir.get_op(results[k].op).elementwise


def _readers(var, consumers):
    """Every node reading the variable's array, directly or through views of it."""
    readers, stack = [], [var]
    while stack:
        node = stack.pop()
        for c in consumers.get(id(node), ()):
            if c.op in VIEW_OPS:
                stack.append(c)
            else:
                readers.append(c)
    return readers
