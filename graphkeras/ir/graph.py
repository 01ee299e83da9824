"""Graphs: a set of outputs (and variable updates) over IR nodes, with the walks passes need."""
from .node import Node


def topological_order(roots):
    """Every node reachable from `roots`, inputs before users; an explicit stack, no recursion."""
    order, seen = [], set()
    for root in roots:
        if id(root) in seen:
            continue
        stack = [(root, iter(root.inputs))]
        seen.add(id(root))
        while stack:
            node, pending = stack[-1]
            for child in pending:
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append((child, iter(child.inputs)))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def rebuild(node, inputs):
    """The same op, attributes and type over new inputs (no re-inference: types are kept)."""
    if all(a is b for a, b in zip(inputs, node.inputs)):
        return node
    return Node(node.op, inputs, node.attrs, node.type)


def substitute(roots, mapping):
    """Copies of `roots` with each node in `mapping` (keyed by id) replaced by its value."""
    memo = dict(mapping)
    for node in topological_order(roots):
        if id(node) not in memo:
            memo[id(node)] = rebuild(node, [memo[id(i)] for i in node.inputs])
    return [memo[id(r)] for r in roots]


def free_leaves(roots, op):
    """Leaves of kind `op` ('placeholder', 'variable') that `roots` depend on, in first-use order."""
    return [n for n in topological_order(roots) if n.op == op]


def between(inputs, outputs):
    """The nodes on some path from one of `inputs` to one of `outputs`, in topological order."""
    order = topological_order(outputs)
    reach = {id(n) for n in inputs}
    for node in order:
        if any(id(i) in reach for i in node.inputs):
            reach.add(id(node))
    return [n for n in order if id(n) in reach]


class Graph:
    """Outputs and variable updates over the IR; `inputs` fixes the order placeholders are fed.

    Invariant: `nodes` is a topological order of everything the outputs and updates need.
    """

    def __init__(self, inputs, outputs, updates=()):
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.updates = [(var, value) for var, value in updates]
        for var, value in self.updates:
            if var.op != "variable":
                raise TypeError(f"an update must target a variable, got a '{var.op}' node")
            if var.shape != value.shape and None not in value.shape:
                raise ValueError(f"update of {var.attrs['storage'].name}: shape {value.shape} "
                                 f"differs from the variable's {var.shape}")
        self.nodes = topological_order(self.roots())

    def roots(self):
        return self.outputs + [v for _, v in self.updates] + [var for var, _ in self.updates]

    def with_roots(self, roots):
        """A graph of the same shape whose outputs and update values are `roots`, in roots() order."""
        n_out, n_upd = len(self.outputs), len(self.updates)
        outputs = roots[:n_out]
        values = roots[n_out:n_out + n_upd]
        variables = roots[n_out + n_upd:]
        return Graph(self.inputs, outputs, list(zip(variables, values)))

    def variables(self):
        return [n for n in self.nodes if n.op == "variable"]

    def placeholders(self):
        return [n for n in self.nodes if n.op == "placeholder"]

    def structure_key(self):
        """A hashable key equal for structurally equal graphs (used by compile caches)."""
        return (tuple(self.inputs), tuple(self.outputs), tuple(self.updates))

    def to_networkx(self):
        import networkx as nx
        from .printer import node_label
        names = {id(n): i for i, n in enumerate(self.nodes)}
        g = nx.DiGraph()
        for n in self.nodes:
            g.add_node(names[id(n)], op=n.op, type=repr(n.type), label=node_label(n))
            for i in n.inputs:
                g.add_edge(names[id(i)], names[id(n)])
        return g

    def __str__(self):
        from .printer import format_graph
        return format_graph(self)

    def __len__(self):
        return len(self.nodes)
