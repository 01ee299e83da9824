"""Why two neighbouring ops of an optimized graph run as separate kernels."""
from .. import ir
from ..passes.fusion import is_fusable
from .codegen import loop_shape


def _producer(node):
    """The kernel that computes `node` (a tuple_get reads its fused region)."""
    if node.op == "tuple_get":
        return node.inputs[0], node
    return node, node


def _loop_shape(node):
    if node.op == "fused_elementwise":
        return loop_shape(node.attrs["body"][1])
    return node.shape


def _ends_with_reduction(producer, edge):
    if producer.op != "fused_elementwise":
        return False
    params, results = producer.attrs["body"]
    index = edge.attrs["index"] if edge.op == "tuple_get" else 0
    return not ir.get_op(results[index].op).elementwise


def _describe(node):
    if node.op == "fused_elementwise":
        return f"fused[{node.attrs['ops']}]"
    return node.op


def reason(producer, edge, consumer):
    """Why `consumer` does not run in the kernel of `producer`."""
    for side, node in (("consumer", consumer), ("producer", producer)):
        if node.op in ("gemm", "matmul"):
            return f"the {side} is a GEMM: it runs as a BLAS call"
        if node.op != "fused_elementwise" and not is_fusable(node):
            kind = "a leaf" if not node.inputs else "not elementwise"
            return f"the {side} '{node.op}' is {kind}: it runs as its own kernel"
    if _ends_with_reduction(producer, edge):
        return "the value is a reduction, which ends its region"
    if _loop_shape(producer) != _loop_shape(consumer):
        return (f"loop shapes differ: {list(_loop_shape(producer))} vs "
                f"{list(_loop_shape(consumer))}")
    return "merging would create a cycle: a path leaves one region and comes back"


def explain_fusion(graph):
    """One line per pair of neighbouring kernels of `graph` (leaves are not kernels)."""
    names = {id(n): f"%{i}" for i, n in enumerate(graph.nodes)}
    reasons = {}
    for consumer in graph.nodes:
        if consumer.op == "tuple_get":
            continue
        for i in consumer.inputs:
            producer, edge = _producer(i)
            if producer.op in ("placeholder", "variable", "constant"):
                continue
            key = (id(producer), id(consumer))
            text = reason(producer, edge, consumer)
            # Of several edges between two regions, a reduction edge is the one that decides.
            if key not in reasons or text.startswith("the value is a reduction"):
                reasons[key] = (producer, consumer, text)
    lines = [f"{names[id(p)]} {_describe(p)} -> {names[id(c)]} {_describe(c)}: {text}"
             for p, c, text in reasons.values()]
    return "\n".join(lines) if lines else "everything runs in one kernel"
