"""Graph invariants the debug pipeline checks after every pass."""
from .. import ir
from .rewriting import refines


class InvariantError(ValueError):
    """A pass produced a graph that breaks an invariant; the message names the pass and node."""


def check_invariants(graph, before, pass_name):
    """Raise InvariantError unless `graph` (what `pass_name` made of `before`) is well formed.

    Checks: nodes are in topological order and include every input of every node; each node's
    type agrees with its op's type rule on its inputs' types (dtype and rank equal, known
    dimensions equal where both know them); constants hold arrays of their type; the graph has
    the same inputs, the same number of outputs with refining types, and updates only variables
    it updated before.
    """
    position = {id(n): i for i, n in enumerate(graph.nodes)}
    for i, node in enumerate(graph.nodes):
        for x in node.inputs:
            if position.get(id(x), i) >= i:
                _fail(pass_name, node, f"input {ir.format_node(x).splitlines()[-1]!r} is not "
                                       f"placed before it")
        _check_type(node, pass_name)
    _check_interface(graph, before, pass_name)


def _check_type(node, pass_name):
    if node.op in ("placeholder", "variable"):
        return
    if node.op == "constant":
        array = node.attrs["value"].array
        if array.dtype.name != node.dtype or array.shape != node.shape:
            _fail(pass_name, node, f"holds a {array.dtype.name}{list(array.shape)} array")
        return
    try:
        inferred = ir.get_op(node.op).infer(*[x.type for x in node.inputs], **node.attrs)
    except (ValueError, TypeError) as err:
        _fail(pass_name, node, f"its inputs no longer satisfy the op's type rule: {err}")
    if not _agree(node.type, inferred):
        _fail(pass_name, node, f"its type rule now gives {inferred!r}")


def _agree(declared, inferred):
    if isinstance(declared, ir.TupleType) or isinstance(inferred, ir.TupleType):
        return (isinstance(declared, ir.TupleType) and isinstance(inferred, ir.TupleType)
                and len(declared) == len(inferred)
                and all(_agree(a, b) for a, b in zip(declared.types, inferred.types)))
    if declared.dtype != inferred.dtype or declared.ndim != inferred.ndim:
        return False
    return all(a is None or b is None or a == b for a, b in zip(declared.shape, inferred.shape))


def _check_interface(graph, before, pass_name):
    if [id(x) for x in graph.inputs] != [id(x) for x in before.inputs]:
        raise InvariantError(f"pass '{pass_name}' changed the graph's inputs")
    if len(graph.outputs) != len(before.outputs):
        raise InvariantError(f"pass '{pass_name}' changed the number of outputs from "
                             f"{len(before.outputs)} to {len(graph.outputs)}")
    for k, (new, old) in enumerate(zip(graph.outputs, before.outputs)):
        if not refines(new.type, old.type):
            raise InvariantError(f"pass '{pass_name}' changed output {k} from {old.type!r} "
                                 f"to {new.type!r}")
    updated = {id(var.attrs["storage"]) for var, _ in before.updates}
    for var, value in graph.updates:
        if id(var.attrs["storage"]) not in updated:
            raise InvariantError(f"pass '{pass_name}' added an update of "
                                 f"{var.attrs['storage'].name}")
        if value.dtype != var.dtype or value.ndim != var.ndim:
            raise InvariantError(f"pass '{pass_name}': update of {var.attrs['storage'].name} "
                                 f"is {value.type!r}, the variable is {var.type!r}")


def _fail(pass_name, node, problem):
    raise InvariantError(f"after pass '{pass_name}', node {ir.format_node(node).splitlines()[-1]!r}"
                         f": {problem}")
