"""Text form of the IR: one line per node, `%3 = add(%1, %2)    float32[None, 10]`."""
from .graph import topological_order


def node_label(node):
    a = node.attrs
    if node.op == "placeholder":
        return f"placeholder '{a['name']}'"
    if node.op == "variable":
        return f"variable '{a['storage'].name}'"
    if node.op == "constant":
        return f"constant {a['value']!r}"
    shown = {k: v for k, v in a.items() if k not in ("rng", "body")}
    text = ", ".join(f"{k}={_short(v)}" for k, v in shown.items())
    return f"{node.op}[{text}]" if text else node.op


def _short(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def format_nodes(roots, names=None, start=0):
    """Lines for every node reachable from roots; `names` maps id(node) to its printed number."""
    names = {} if names is None else names
    lines = []
    for node in topological_order(roots):
        if id(node) in names:
            continue
        names[id(node)] = f"%{len(names) + start}"
        label = node_label(node)
        if node.inputs:
            args = ", ".join(names[id(i)] for i in node.inputs)
            head = label.split("[", 1)
            extra = f"[{head[1]}" if len(head) > 1 else ""
            label = f"{head[0]}({args}){extra}"
        lines.append(f"{names[id(node)] + ' = ' + label:<56} {node.type!r}")
    return lines, names


def format_graph(graph):
    lines, names = format_nodes(graph.roots())
    outs = ", ".join(names[id(o)] for o in graph.outputs)
    lines.append(f"return ({outs})")
    for var, value in graph.updates:
        lines.append(f"update {names[id(var)]} <- {names[id(value)]}")
    return "\n".join(lines)


def format_node(node):
    """The lines that compute one node, ending with it."""
    lines, _ = format_nodes([node])
    return "\n".join(lines)
