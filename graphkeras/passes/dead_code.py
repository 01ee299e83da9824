"""Dead-code elimination: keep only what the outputs and updates need, drop no-op updates."""
from .. import ir


def eliminate_dead_code(graph):
    """Drop unreachable nodes and updates that write a variable's own value back (`v <- v`).

    Keeps: the inputs list (feeding order), every output in order, every other update in order,
    and all types. Reachability is rebuilt from the roots, so a node no output or update needs
    is gone.
    """
    updates = [(var, value) for var, value in graph.updates if not _writes_itself(var, value)]
    return ir.Graph(graph.inputs, graph.outputs, updates)


def _writes_itself(var, value):
    return value.op == "variable" and value.attrs["storage"] is var.attrs["storage"]
