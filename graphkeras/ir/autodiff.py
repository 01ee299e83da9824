"""Reverse-mode differentiation over the IR: the result is IR, so it can be differentiated again.

Only float values carry gradients. A node the loss does not depend on is *disconnected* and gets
zeros; an op whose rule is `not_differentiable` on a path to the loss is an error naming the op.
"""
from .graph import between
from .registry import NotDifferentiable, constant, get_op


def ones_like(x):
    return get_op("broadcast_like")(constant(1, x.dtype), x)


def zeros_like(x):
    return get_op("broadcast_like")(constant(0, x.dtype), x)


def unbroadcast(g, x):
    """Sum g over the axes along which x was broadcast, so the result has x's shape."""
    sum_ = get_op("sum")
    if g.dtype != x.dtype:
        g = get_op("cast")(g, dtype=x.dtype)
    extra = g.ndim - x.ndim
    if extra > 0:
        g = sum_(g, axes=tuple(range(extra)), keepdims=False)
    axes = tuple(i for i, (gd, xd) in enumerate(zip(g.shape, x.shape)) if xd == 1 and gd != 1)
    if axes:
        g = sum_(g, axes=axes, keepdims=True)
    return g


def _sum(terms):
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def gradients(loss, wrt, seed=None):
    """d(sum of loss)/d(w) for each w in `wrt`, as IR nodes (None for integer w).

    `loss` may be a list of nodes with `seed` a list of their cotangents: the result is then
    the gradient of sum_i sum(loss_i * seed_i), the vector-Jacobian product of many outputs.
    """
    losses = list(loss) if isinstance(loss, (list, tuple)) else [loss]
    seeds = list(seed) if isinstance(seed, (list, tuple)) else [seed] * len(losses)
    if len(seeds) != len(losses):
        raise ValueError(f"gradients: {len(losses)} losses but {len(seeds)} seeds")
    contributions = {}
    for node, node_seed in zip(losses, seeds):
        if not node.type.is_float:
            raise TypeError(f"cannot differentiate a {node.dtype} loss")
        node_seed = ones_like(node) if node_seed is None else unbroadcast(node_seed, node)
        contributions.setdefault(id(node), []).append(node_seed)
    path = between(wrt, losses)
    on_path = {id(n) for n in path}
    slots = {}
    for node in reversed(path):
        if node.is_tuple:
            g = tuple(_sum(slots[id(node)][i]) if slots.get(id(node), {}).get(i) else None
                      for i in range(len(node.type)))
            if all(t is None for t in g):
                continue
        else:
            terms = contributions.get(id(node))
            if not terms:
                continue
            g = _sum(terms)
            contributions[id(node)] = [g]
        if not node.inputs:
            continue
        if node.op == "tuple_get":
            slot = slots.setdefault(id(node.inputs[0]), {})
            slot.setdefault(node.attrs["index"], []).append(g)
            continue
        _backprop(node, g, on_path, contributions)
    out = []
    for w in wrt:
        if not w.type.is_float:
            out.append(None)
        elif contributions.get(id(w)):
            out.append(contributions[id(w)][0])
        else:
            out.append(zeros_like(w))
    return out


def _backprop(node, g, on_path, contributions):
    needed = [id(i) in on_path and i.type.is_float for i in node.inputs]
    if not any(needed):
        return
    rule = get_op(node.op).vjp
    if isinstance(rule, NotDifferentiable):
        raise ValueError(f"op '{node.op}' is not differentiable ({rule.reason}); "
                         f"wrap its input in stop_gradient if no gradient is wanted")
    grads = rule(g, node, *node.inputs)
    if len(grads) != len(node.inputs):
        raise RuntimeError(f"vjp of '{node.op}' returned {len(grads)} gradients "
                           f"for {len(node.inputs)} inputs")
    for x, gx, need in zip(node.inputs, grads, needed):
        if need and gx is not None:
            if not x.is_tuple:
                gx = unbroadcast(gx, x)
            contributions.setdefault(id(x), []).append(gx)
