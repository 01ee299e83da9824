"""The loop op: `scan` runs a closed body graph once per step along axis 0 of its sequences.

A primitive because a recurrence over a run-time number of steps is not a composition of the
other ops, and because one loop node keeps an 80-step RNN one node in the IR instead of 80 copies.

Inputs, in order: the sequences (time on axis 0), the initial states, the non-sequences (weights
and any outer value the body reads). The body is a `ScanBody` attribute whose placeholders stand
for one slice of each sequence, the current states and the non-sequences; nothing else is free in
it, so it is plain data that hashes and compares by structure.

Outputs (a TupleType, read with tuple_get), with `n` body outputs and `m` states:
    0 .. n-1          the per-step outputs stacked along axis 0, time-aligned (out[t] is step t)
    n .. n+m-1        the final states
    n+m .. n+2m-1     if `save_states`: the states *entering* each step, stacked (time-aligned)
`reverse=True` runs t = T-1 .. 0 and still stores step t at position t.

`build_scan` makes the node from a Python step function: it closes the body over the outer
nodes the step reads, and moves out of the loop what needs no state (loop-invariant work, and
the input projection `x_t W`, done as one GEMM over all steps).

The gradient is another scan running the other way (backpropagation through time): its body
recomputes the forward step from the saved entering states and applies the step's vjp, carrying
the gradient of the states. Gradients of the non-sequences (weights) are summed over the steps
after that loop where one operation can (sum_t h_t^T dz_t is one GEMM), else in it.

Sections: the body; the type rule; reference semantics; building from a step function;
the gradient.
"""
import numpy as np

from ..autodiff import gradients
from ..evaluate import evaluate
from ..graph import rebuild, substitute, topological_order
from ..node import Node
from ..registry import constant, define_op, get_op
from ..types import TensorType, TupleType
from .leaves import placeholder_op


class ScanBody:
    """One step of a loop as a closed graph.

    Invariant: every leaf reachable from `outputs` and `new_states` is one of the body's own
    placeholders (`sequences`, `states`, `non_sequences`, in that order of slots) or a constant.
    """

    __slots__ = ("sequences", "states", "non_sequences", "outputs", "new_states", "_hash")

    def __init__(self, sequences, states, non_sequences, outputs, new_states):
        self.sequences = tuple(sequences)
        self.states = tuple(states)
        self.non_sequences = tuple(non_sequences)
        self.outputs = tuple(outputs)
        self.new_states = tuple(new_states)
        self._hash = hash(("ScanBody", self.inputs, self.roots))

    @property
    def inputs(self):
        return self.sequences + self.states + self.non_sequences

    @property
    def roots(self):
        return self.outputs + self.new_states

    def split(self, values):
        """Cut a flat list laid out like `inputs` into (sequences, states, non_sequences)."""
        a = len(self.sequences)
        b = a + len(self.states)
        return list(values[:a]), list(values[a:b]), list(values[b:])

    def run(self, values):
        """Reference execution of one step: values of `roots` given values of `inputs`."""
        feeds = {id(p): v for p, v in zip(self.inputs, values)}
        return evaluate(list(self.roots), feeds)

    def graph(self):
        from ..graph import Graph
        return Graph(self.inputs, self.roots)

    def __eq__(self, other):
        return (isinstance(other, ScanBody) and self._hash == other._hash
                and self.inputs == other.inputs and self.roots == other.roots)

    def __hash__(self):
        return self._hash

    def __repr__(self):
        return (f"ScanBody({len(self.sequences)} sequences, {len(self.states)} states, "
                f"{len(self.non_sequences)} non-sequences, {len(self.outputs)} outputs)")

    def __str__(self):
        return str(self.graph())


# Type rule.

def _compatible(a, b):
    """Same dtype and rank, and no two known dimensions differ."""
    return (a.dtype == b.dtype and len(a.shape) == len(b.shape)
            and all(x is None or y is None or x == y for x, y in zip(a.shape, b.shape)))


def _merge_dims(*dims):
    known = [d for d in dims if d is not None]
    if len(set(known)) > 1:
        raise ValueError(f"sequences have different lengths {sorted(set(known))}")
    return known[0] if known else None


def _scan_infer(*types, body, reverse, save_states):
    if len(types) != len(body.inputs):
        raise ValueError(f"the body has {len(body.inputs)} inputs, got {len(types)}")
    seqs, inits, consts = body.split(types)
    if not seqs:
        raise ValueError("scan needs at least one sequence (it sets the number of steps)")
    for i, (t, slot) in enumerate(zip(seqs, body.sequences)):
        if t.ndim < 1 or not _compatible(TensorType(t.dtype, t.shape[1:]), slot.type):
            raise TypeError(f"sequence {i} is {t!r}; the body expects slices {slot.type!r}")
    for j, (t, slot, new) in enumerate(zip(inits, body.states, body.new_states)):
        if not _compatible(t, slot.type):
            raise TypeError(f"initial state {j} is {t!r}; the body expects {slot.type!r}")
        if not _compatible(new.type, slot.type):
            raise TypeError(f"state {j} enters the step as {slot.type!r} but the step returns "
                            f"{new.type!r}; the step must keep each state's dtype and shape")
    for k, (t, slot) in enumerate(zip(consts, body.non_sequences)):
        if not _compatible(t, slot.type):
            raise TypeError(f"non-sequence {k} is {t!r}; the body expects {slot.type!r}")
    steps = _merge_dims(*[t.shape[0] for t in seqs])
    out = [TensorType(o.dtype, (steps,) + o.shape) for o in body.outputs]
    out += list(inits)
    if save_states:
        out += [TensorType(t.dtype, (steps,) + t.shape) for t in inits]
    return TupleType(out)


# Reference semantics (the runtime kernel reuses `run_scan` with a faster step).

def run_scan(step, inputs, body, reverse, save_states):
    """Loop `step(values) -> output and new-state values` over the steps; returns the tuple."""
    seqs, states, consts = body.split(inputs)
    steps = seqs[0].shape[0]
    for i, s in enumerate(seqs):
        if s.shape[0] != steps:
            raise ValueError(f"scan: sequence {i} has {s.shape[0]} steps, sequence 0 has {steps}")
    n_out = len(body.outputs)
    stacked = [None] * n_out
    saved = [_allocate(steps, np.asarray(h)) for h in states] if save_states else []
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    for t in order:
        for j, h in enumerate(states if save_states else ()):
            saved[j][t] = h
        values = step([s[t] for s in seqs] + states + consts)
        for k in range(n_out):
            if stacked[k] is None:
                stacked[k] = _allocate(steps, np.asarray(values[k]))
            stacked[k][t] = values[k]
        states = list(values[n_out:])
    if steps == 0:
        stacked = [_empty_stack(o) for o in body.outputs]
    return tuple(stacked) + tuple(states) + tuple(saved)


def _allocate(steps, example):
    return np.empty((steps,) + example.shape, dtype=example.dtype)


def _empty_stack(output):
    if not output.type.is_static():
        raise ValueError(f"scan over zero steps cannot tell the shape of an output "
                         f"{output.type!r}; give the sequences at least one step")
    return np.empty((0,) + output.shape, dtype=output.dtype)


def _scan_reference(*inputs, body, reverse, save_states):
    return run_scan(body.run, list(inputs), body, reverse, save_states)


# Building a scan from a Python step function.

def build_scan(step, sequences, initial_states=(), non_sequences=(), reverse=False,
               save_states=True):
    """A scan node whose body is `step(slices, states, non_sequences) -> (outputs, new_states)`.

    `step` receives placeholder nodes and returns lists of nodes. Outer nodes it reads that do
    not depend on those placeholders (variables, outer tensors, dropout masks) become extra
    non-sequence inputs, so the body is closed. So a random draw is made once per run of the
    loop when it does not depend on the step's values (a dropout mask shaped like an outer
    tensor), and once per step when it does (shaped like the step's input).
    """
    sequences, initial_states = list(sequences), list(initial_states)
    non_sequences = list(non_sequences)
    for i, s in enumerate(sequences):
        if s.is_tuple or s.ndim < 1:
            raise ValueError(f"scan: sequence {i} must have a time axis, got {s.type!r}")
    try:
        _merge_dims(*[s.shape[0] for s in sequences])
    except ValueError as err:
        raise ValueError(f"scan: {err} on axis 0") from None
    seq_slots = [_fresh(TensorType(s.dtype, s.shape[1:])) for s in sequences]
    state_slots = [_fresh(h.type) for h in initial_states]
    const_slots = [_fresh(c.type) for c in non_sequences]
    outputs, new_states = step(seq_slots, state_slots, const_slots)
    outputs, new_states = list(outputs), list(new_states)
    if len(new_states) != len(initial_states):
        raise ValueError(f"scan: the step returns {len(new_states)} states for "
                         f"{len(initial_states)} initial states")
    slots = seq_slots + state_slots + const_slots
    roots, lifted, lifted_slots = _close_over(outputs + new_states, slots)
    roots, seq_slots, sequences, const_slots, non_sequences = _hoist(
        roots, seq_slots, sequences, state_slots, const_slots + lifted_slots,
        non_sequences + lifted)
    slots = seq_slots + state_slots + const_slots
    canonical = [_slot_placeholder(i, p.type) for i, p in enumerate(slots)]
    roots = substitute(roots, {id(p): c for p, c in zip(slots, canonical)})
    a, b = len(seq_slots), len(seq_slots) + len(state_slots)
    body = ScanBody(canonical[:a], canonical[a:b], canonical[b:],
                    roots[:len(outputs)], roots[len(outputs):])
    return scan(*sequences, *initial_states, *non_sequences,
                body=body, reverse=reverse, save_states=save_states)


def _fresh(node_type):
    from .leaves import placeholder
    return placeholder(node_type.shape, node_type.dtype, name="scan_slot")


def _slot_placeholder(index, node_type):
    """Slot `index` of a body: equal bodies get equal placeholders, so they hash alike."""
    return placeholder_op(uid=-(index + 1), name=f"scan_slot_{index}", dtype=node_type.dtype,
                          shape=node_type.shape)


def _close_over(roots, slots):
    """Lift the free outer nodes that `roots` read into new placeholders.

    Returns (new roots, lifted outer nodes, their placeholders). Constant subgraphs stay inside.
    """
    order = topological_order(roots)
    dependent = {id(p) for p in slots}
    closed = set()
    for node in order:
        if any(id(i) in dependent for i in node.inputs):
            dependent.add(id(node))
        elif node.op == "constant" or (node.inputs and all(id(i) in closed for i in node.inputs)
                                       and not get_op(node.op).impure):
            closed.add(id(node))
    used = [i for n in order if id(n) in dependent for i in n.inputs] + list(roots)
    lifted = {}
    mapping = {}
    for node in used:
        if id(node) in dependent or id(node) in closed or id(node) in mapping:
            continue
        if node.is_tuple:
            raise ValueError(f"scan: the step reads the multi-output node {node.op} directly; "
                             f"read its parts with tuple_get outside the step")
        if node not in lifted:
            lifted[node] = _fresh(node.type)
        mapping[id(node)] = lifted[node]
    new_roots = substitute(roots, mapping) if mapping else list(roots)
    return new_roots, list(lifted), list(lifted.values())


def _hoist(roots, seq_slots, sequences, state_slots, const_slots, consts):
    """Move work out of the loop, where it runs once instead of once per step.

    What depends only on non-sequences (the transposed weights of a backward step) becomes a
    new non-sequence. What depends on sequences and non-sequences but not on the states, and
    contains a matmul (an RNN's input projection `x_t W`), is computed for all steps at once
    (one large GEMM) and becomes a new sequence. Random draws stay where they are. Inputs the
    body no longer reads are dropped (one sequence is kept: it sets T).

    Returns (roots, sequence slots, sequences, non-sequence slots, non-sequences).
    """
    order = topological_order(roots)
    outside = {id(s): (v, True) for s, v in zip(seq_slots, sequences)}
    outside.update({id(s): (v, False) for s, v in zip(const_slots, consts)})
    slots = set(outside) | {id(s) for s in state_slots}
    heavy, constant_only = set(), set()
    for node in order:
        if id(node) in slots or node.is_tuple or get_op(node.op).impure:
            continue
        if any(id(i) not in outside for i in node.inputs):
            continue
        parts = [outside[id(i)] for i in node.inputs]
        if not any(stacked for _, stacked in parts):
            outside[id(node)] = (rebuild(node, [value for value, _ in parts]), False)
            if all(id(i) in constant_only for i in node.inputs):
                constant_only.add(id(node))
            continue
        try:
            batched = _batched(node, parts)
        except (TypeError, ValueError):
            batched = None      # its type rule refuses the time axis: it stays in the loop
        if batched is not None:
            outside[id(node)] = (batched, True)
            if node.op == "matmul" or any(id(i) in heavy for i in node.inputs):
                heavy.add(id(node))
    hoisted = {key for key, (_, stacked) in outside.items() if not stacked or key in heavy}
    inside = [n for n in order if id(n) not in hoisted and id(n) not in slots]
    frontier = [i for n in inside for i in n.inputs] + list(roots)
    mapping, new_seqs, new_consts, by_structure = {}, [], [], {}
    for node in frontier:
        if (id(node) not in hoisted or id(node) in slots or id(node) in mapping
                or node.op == "constant"):
            continue
        value, stacked = outside[id(node)]
        if id(node) in constant_only:
            mapping[id(node)] = constant(evaluate([value], {})[0], node.dtype)
        elif node in by_structure:
            mapping[id(node)] = by_structure[node]
        else:
            mapping[id(node)] = by_structure[node] = _fresh(node.type)
            (new_seqs if stacked else new_consts).append((mapping[id(node)], value))
    if mapping:
        roots = substitute(roots, mapping)
    read = {id(n) for n in topological_order(roots)}
    seq_pairs = list(zip(seq_slots, sequences)) + new_seqs
    kept_seqs = [pair for pair in seq_pairs if id(pair[0]) in read] or seq_pairs[:1]
    kept_consts = [pair for pair in list(zip(const_slots, consts)) + new_consts
                   if id(pair[0]) in read]
    return (roots, [slot for slot, _ in kept_seqs], [value for _, value in kept_seqs],
            [slot for slot, _ in kept_consts], [value for _, value in kept_consts])


def _batched(node, parts):
    """`node` computed for every step at once from (outer value, has time axis) inputs, or
    None when it cannot be."""
    from .linalg import matmul
    from .shape import index, reshape
    op = get_op(node.op)
    if op.elementwise:
        for (value, stacked), x in zip(parts, node.inputs):
            if (stacked and x.ndim != node.ndim) or (not stacked and value.ndim > node.ndim):
                return None
        return op(*[value for value, _ in parts], **node.attrs)
    if node.op == "index":
        return index(parts[0][0], items=(("slice", None, None, None),) + node.attrs["items"])
    if node.op == "matmul":
        (a, a_stacked), (b, b_stacked) = parts
        if not a_stacked or b_stacked or b.ndim != 2 or None in (a.shape[-1], b.shape[-1]):
            return None
        flat = reshape(a, shape=(-1, a.shape[-1]))
        return _unflatten(matmul(flat, b), a, b.shape[-1])
    return None


def _unflatten(m, like, last):
    """m of shape (prod(like.shape[:-1]), last) reshaped to like.shape[:-1] + (last,)."""
    from .shape import concatenate, reshape, reshape_to, shape_of, take
    dims = like.shape[:-1] + (last,)
    if sum(d is None for d in dims) <= 1:
        return reshape(m, shape=tuple(-1 if d is None else d for d in dims))
    leading = take(shape_of(like), indices=tuple(range(like.ndim - 1)))
    shape = concatenate(leading, constant(np.array([last], np.int32)), axis=0)
    return reshape_to(m, shape, hint=dims)


# Gradient: a scan running the other way.

def _scan_vjp(g, y, *inputs):
    body = y.attrs["body"]
    reverse = y.attrs["reverse"]
    n_out, n_state = len(body.outputs), len(body.states)
    seqs, inits, consts = body.split(inputs)
    g_outputs = list(g[:n_out])
    g_finals = list(g[n_out:n_out + n_state])
    g_saved = list(g[n_out + n_state:]) if y.attrs["save_states"] else [None] * n_state
    source = y if y.attrs["save_states"] else scan(*inputs, body=body, reverse=reverse,
                                                    save_states=True)
    entering = [_part(source, index=n_out + n_state + j) for j in range(n_state)]
    layout = _BackwardLayout(body, seqs, inits, consts, g_outputs, g_saved)
    carries = [_cotangent(g_finals[j], inits[j]) for j in layout.float_states]
    accumulators = [_zeros(consts[k]) for k in layout.float_consts]
    back_sequences = (seqs + entering + [g_outputs[k] for k in layout.seeded_outputs]
                      + [g_saved[j] for j in layout.seeded_saved])
    back = build_scan(layout.step, back_sequences, carries + accumulators, consts,
                      reverse=not reverse, save_states=False)
    stacked, finals, _ = scan_results(back)
    grads = [None] * len(inputs)
    for pos, i in enumerate(layout.float_seqs):
        grads[i] = stacked[pos]
    for pos, j in enumerate(layout.float_states):
        grads[len(seqs) + j] = finals[pos]
    accumulated = finals[len(layout.float_states):]
    for k, total, (terms, in_loop) in zip(layout.float_consts, accumulated, layout.const_terms):
        pieces = [total] if in_loop or not terms else []
        for term in terms:
            values = [back_sequences[i] if kind == "sequence" else stacked[i]
                      for kind, i in term[1:]]
            pieces.append(_contract_over_steps(term[0], *values))
        grads[len(seqs) + n_state + k] = _sum_nodes(pieces)
    return grads


def _contract_over_steps(kind, *stacked):
    """The sum over steps of a per-step weight-gradient term, as one operation on the stacked
    per-step values: ("gemm", a, b) is sum_t a_t^T b_t, ("sum0", b) is sum_t sum(b_t, 0)."""
    from .shape import reshape, transpose
    if kind == "gemm":
        a, b = stacked
        a_flat = reshape(a, shape=(-1, a.shape[-1]))
        b_flat = reshape(b, shape=(-1, b.shape[-1]))
        return get_op("matmul")(transpose(a_flat, perm=(1, 0)), b_flat)
    (b,) = stacked
    return get_op("sum")(b, axes=(0, 1), keepdims=False)


def _split_terms(d, per_step):
    """Cut a per-step weight gradient into terms whose sum over steps is one operation after
    the loop (see _contract_over_steps) and the rest, accumulated in the loop.

    Returns (terms as ("gemm", a, b) / ("sum0", b) with body nodes, in-loop nodes).
    """
    terms, rest, pending = [], [], [d]
    while pending:
        node = pending.pop()
        x = node.inputs[0] if node.inputs else None
        if node.op == "add" and all(i.shape == node.shape for i in node.inputs):
            pending.extend(node.inputs)
        elif (node.op == "matmul" and node.ndim == 2 and x.op == "transpose"
              and x.attrs["perm"] == (1, 0) and id(x.inputs[0]) in per_step
              and id(node.inputs[1]) in per_step
              and None not in (x.shape[0], node.inputs[1].shape[-1])):
            terms.append(("gemm", x.inputs[0], node.inputs[1]))
        elif (node.op == "sum" and node.attrs["axes"] == (0,) and not node.attrs["keepdims"]
              and id(x) in per_step):
            terms.append(("sum0", x))
        elif not _is_zeros(node):
            rest.append(node)
    return terms, rest


def _is_zeros(node):
    return (node.op == "broadcast_like" and node.inputs[0].op == "constant"
            and not node.inputs[0].attrs["value"].array.any())


def _sum_nodes(nodes):
    total = nodes[0]
    for node in nodes[1:]:
        total = total + node
    return total


def _dependents(roots, sources):
    """ids of the nodes under `roots` that depend on one of `sources` (sources included)."""
    found = {id(s) for s in sources}
    for node in topological_order(roots):
        if any(id(i) in found for i in node.inputs):
            found.add(id(node))
    return found


def _part(node, index):
    """tuple_get built directly: the registry's input coercion does not accept tuple nodes."""
    return Node("tuple_get", [node], {"index": index}, node.type.types[index])


def _zeros(x):
    return get_op("broadcast_like")(constant(0, x.dtype), x)


def _cotangent(g, like):
    if g is None:
        return _zeros(like)
    if g.dtype != like.dtype:
        return get_op("cast")(g, dtype=like.dtype)
    return g


class _BackwardLayout:
    """Which forward slots take part in the backward step, and the step itself."""

    def __init__(self, body, seqs, inits, consts, g_outputs, g_saved):
        self.body = body
        self.float_seqs = [i for i, s in enumerate(seqs) if s.type.is_float]
        self.float_states = [j for j, h in enumerate(inits) if h.type.is_float]
        self.float_consts = [k for k, c in enumerate(consts) if c.type.is_float]
        self.seeded_outputs = [k for k, gk in enumerate(g_outputs)
                               if gk is not None and body.outputs[k].type.is_float]
        self.seeded_saved = [j for j in self.float_states if g_saved[j] is not None]

    def step(self, slices, states, consts):
        """One backward step: recompute the forward step, then apply its vjp."""
        body = self.body
        n_seq, n_state = len(body.sequences), len(body.states)
        seq_values = slices[:n_seq]
        entering = slices[n_seq:n_seq + n_state]
        rest = slices[n_seq + n_state:]
        g_outputs = rest[:len(self.seeded_outputs)]
        g_saved = rest[len(self.seeded_outputs):]
        carries = states[:len(self.float_states)]
        accumulators = states[len(self.float_states):]
        mapping = {id(p): v for p, v in zip(body.inputs, seq_values + entering + consts)}
        roots = substitute(list(body.roots), mapping)
        outputs, new_states = roots[:len(body.outputs)], roots[len(body.outputs):]
        pairs = [(outputs[k], gk) for k, gk in zip(self.seeded_outputs, g_outputs)]
        pairs += [(new_states[j], c) for j, c in zip(self.float_states, carries)]
        wrt = ([seq_values[i] for i in self.float_seqs] + [entering[j] for j in self.float_states]
               + [consts[k] for k in self.float_consts])
        grads = _weighted_gradients(pairs, wrt)
        d_seqs = grads[:len(self.float_seqs)]
        d_entering = grads[len(self.float_seqs):len(self.float_seqs) + len(self.float_states)]
        d_consts = grads[len(self.float_seqs) + len(self.float_states):]
        saved_by_state = dict(zip(self.seeded_saved, g_saved))
        new_carries = []
        for j, d in zip(self.float_states, d_entering):
            new_carries.append(d + saved_by_state[j] if j in saved_by_state else d)
        outputs = list(d_seqs)
        new_accumulators = self.defer_weight_gradients(d_consts, accumulators, slices, states,
                                                       outputs)
        return outputs, new_carries + new_accumulators

    def defer_weight_gradients(self, d_consts, accumulators, slices, states, outputs):
        """Sum weight gradients over steps after the loop where one operation can (h^T dz as
        one GEMM over all steps instead of a GEMM and an add per step): the per-step values
        it needs become outputs. The rest is accumulated in the loop. Records in
        `const_terms` how to finish each gradient; returns the new accumulators."""
        per_step = _dependents(d_consts, list(slices) + list(states))
        position = {id(v): ("sequence", i) for i, v in enumerate(slices)}
        position.update({id(v): ("output", i) for i, v in enumerate(outputs)})

        def source(value):
            if id(value) not in position:
                position[id(value)] = ("output", len(outputs))
                outputs.append(value)
            return position[id(value)]

        self.const_terms, new_accumulators = [], []
        for acc, d in zip(accumulators, d_consts):
            terms, rest = _split_terms(d, per_step)
            placed = [(kind,) + tuple(source(v) for v in values) for kind, *values in terms]
            self.const_terms.append((placed, bool(rest)))
            new_accumulators.append(_sum_nodes([acc] + rest) if rest else acc)
        return new_accumulators


def _weighted_gradients(pairs, wrt):
    """Gradients of sum(y * g) over the (y, g) pairs: the vjp of many outputs at once."""
    if not pairs:
        return [_zeros(w) for w in wrt]
    return gradients([y for y, _ in pairs], wrt, seed=[gy for _, gy in pairs])


scan = define_op(
    "scan", infer=_scan_infer, reference=_scan_reference, vjp=_scan_vjp, kernel="scan",
    doc="Loop a closed body over axis 0 of the sequences, carrying states; see the module "
        "docstring for the input and output layout. Build it with `build_scan`.")


def scan_results(node):
    """(stacked outputs, final states, saved entering states) of a scan node, as tuple_gets."""
    body = node.attrs["body"]
    n_out, n_state = len(body.outputs), len(body.states)
    parts = [_part(node, index=i) for i in range(len(node.type))]
    return parts[:n_out], parts[n_out:n_out + n_state], parts[n_out + n_state:]
