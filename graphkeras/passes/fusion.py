"""Fusion passes: GEMM with transposed operands, and maximal elementwise regions.

`fuse_gemm` turns `matmul` into `gemm`, absorbing a transpose of the last two axes of either
operand into a flag (BLAS reads the transposed layout directly, so the copy disappears).

`fuse_elementwise` groups elementwise ops that run over one loop shape into regions, with
reductions allowed at the end of a region, and replaces each region by one `fused_elementwise`
node whose `body` holds the region as IR over numbered parameters. The runtime turns each body
into one generated Numba loop. Outputs, shapes and dtypes of the graph are kept.
"""
import collections

import numpy as np

from .. import ir
from ..ir.registry import define_op, not_differentiable
from ..ir.types import TupleType

# Reductions that may close a region: their input is computed in the region's loop.
FUSABLE_REDUCTIONS = ("sum", "mean", "max", "min", "prod")


def _body_reference(*args, body, ops):
    params, results = body
    values = ir.evaluate(list(results), {id(p): a for p, a in zip(params, args)})
    return values[0] if len(values) == 1 else tuple(values)


def _body_infer(*types, body, ops):
    params, results = body
    if len(types) != len(params):
        raise ValueError(f"fused region takes {len(params)} inputs, got {len(types)}")
    if len(results) == 1:
        return results[0].type
    return TupleType([r.type for r in results])


fused_elementwise = define_op(
    "fused_elementwise", infer=_body_infer, reference=_body_reference,
    vjp=not_differentiable("fusion runs after autodiff"), kernel="fused_elementwise",
    doc="A region of elementwise ops (and final reductions) run as one loop. `body` is "
        "(parameters, results) of the region as IR; `ops` names the ops it covers.")


def _swap_last(x, flag):
    if not flag:
        return x
    return np.swapaxes(x, -1, -2)


def _gemm_reference(a, b, *, trans_a, trans_b):
    return np.matmul(_swap_last(a, trans_a), _swap_last(b, trans_b))


def _gemm_infer(a, b, *, trans_a, trans_b):
    from ..ir.ops.linalg import _matmul_infer
    return _matmul_infer(_swapped_type(a, trans_a), _swapped_type(b, trans_b))


def _swapped_type(t, flag):
    if not flag:
        return t
    return ir.TensorType(t.dtype, t.shape[:-2] + (t.shape[-1], t.shape[-2]))


gemm = define_op(
    "gemm", infer=_gemm_infer, reference=_gemm_reference,
    vjp=not_differentiable("fusion runs after autodiff"), kernel="gemm",
    doc="matmul(a or a^T, b or b^T): a transposed operand is read in place by BLAS.")


def _is_last_swap(node):
    if node.op != "transpose" or node.ndim < 2:
        return False
    perm = node.attrs["perm"]
    n = node.ndim
    return tuple(perm) == tuple(range(n - 2)) + (n - 1, n - 2)


def fuse_gemm(graph):
    """Rewrite every `matmul` as `gemm`, folding a last-two-axes transpose into trans flags."""
    mapping = {}
    for node in graph.nodes:
        if node.op != "matmul":
            continue
        a, b = node.inputs
        trans_a, trans_b = _is_last_swap(a), _is_last_swap(b)
        a = a.inputs[0] if trans_a else a
        b = b.inputs[0] if trans_b else b
        mapping[id(node)] = gemm(a, b, trans_a=trans_a, trans_b=trans_b)
    if not mapping:
        return graph
    return graph.with_roots(_substitute_all(graph, mapping))


def _substitute_all(graph, mapping):
    """graph.roots() with replacements, where replacements may use already-rewritten nodes."""
    memo = {}
    for node in graph.nodes:
        if id(node) in mapping:
            new = mapping[id(node)]
            memo[id(node)] = ir.rebuild(new, [memo.get(id(i), i) for i in new.inputs])
        else:
            memo[id(node)] = ir.rebuild(node, [memo[id(i)] for i in node.inputs])
    return [memo[id(r)] for r in graph.roots()]


def is_fusable(node):
    """Whether `node` can be computed inside an elementwise loop."""
    if node.is_tuple or node.op in ("placeholder", "variable", "constant"):
        return False
    op = ir.get_op(node.op)
    return bool(op.elementwise and op.scalar is not None and not op.impure)


class Region:
    """A set of nodes computed in one loop of shape `shape`; `bits` names it for cycle checks."""

    def __init__(self, bit, shape):
        self.bits = bit
        self.shape = shape
        self.members = []
        self.external_deps = 0      # bits of regions the region's outside inputs depend on
        self.reductions = set()     # ids of members that end the loop (not readable inside)
        self.copied = set()         # ids of members copied from an absorbed region


def find_regions(graph):
    """Assign fusable nodes to regions: {id(node): Region}, in one topological walk.

    A node joins the regions of its inputs that share its loop shape when no path leaves
    one of them and comes back through an outside node (that would make a cycle). `deps`
    holds, per node, the bits of every region it depends on.
    """
    region_of, deps = {}, {}
    next_bit = 1
    for node in graph.nodes:
        input_bits = 0
        for i in node.inputs:
            input_bits |= deps.get(id(i), 0)
        candidates = _joinable_regions(node, region_of)
        region = None
        if candidates is not None:
            region = _merge(node, candidates, region_of, deps)
        if region is None and candidates is not None and len(candidates) > 1:
            for single in candidates:
                region = _merge(node, [single], region_of, deps)
                if region is not None:
                    break
        if region is None and (is_fusable(node) or _is_reduction(node)):
            if is_fusable(node):
                region = Region(next_bit, node.shape)
                next_bit <<= 1
                _add_member(region, node, region_of, deps)
        if region is not None:
            deps[id(node)] = input_bits | region.bits
        else:
            deps[id(node)] = input_bits
    return region_of


def _is_reduction(node):
    return node.op in FUSABLE_REDUCTIONS and not node.is_tuple


def _joinable_regions(node, region_of):
    """Regions `node` could join (by shape and kind), or None when it joins nothing."""
    if is_fusable(node):
        found = []
        for i in node.inputs:
            region = region_of.get(id(i))
            if region is not None and region.shape == node.shape \
                    and id(i) not in region.reductions:
                found.append(region)
    elif _is_reduction(node):
        source = node.inputs[0]
        region = region_of.get(id(source))
        if region is None or region.shape != source.shape or id(source) in region.reductions:
            return None
        found = [region]
    else:
        return None
    unique = []
    for r in found:
        if all(r is not u for u in unique):
            unique.append(r)
    return unique or None


def _merge(node, regions, region_of, deps):
    """Merge `regions` and add `node`, or return None when that would make a cycle."""
    bits = 0
    for r in regions:
        bits |= r.bits
    for i in node.inputs:
        inside = id(i) in region_of and any(region_of[id(i)] is r for r in regions)
        if inside and id(i) in region_of[id(i)].reductions:
            return None     # a reduction's value exists only after the loop
        if not inside and deps.get(id(i), 0) & bits:
            return None
    for r in regions:
        if r.external_deps & (bits & ~r.bits):
            return None
    target = regions[0]
    for other in regions[1:]:
        target.bits |= other.bits
        target.external_deps |= other.external_deps
        target.reductions |= other.reductions
        for m in other.members:
            region_of[id(m)] = target
        target.members.extend(other.members)
    _add_member(target, node, region_of, deps)
    if _is_reduction(node):
        target.reductions.add(id(node))
    return target


def _add_member(region, node, region_of, deps):
    region.members.append(node)
    region_of[id(node)] = region
    for i in node.inputs:
        if region_of.get(id(i)) is not region:
            region.external_deps |= deps.get(id(i), 0)


def fuse_elementwise(graph):
    """Replace each maximal elementwise region (reductions at its end) by one fused node."""
    region_of = find_regions(graph)
    if not region_of:
        return graph
    consumers = collections.defaultdict(list)
    for node in graph.nodes:
        for i in node.inputs:
            consumers[id(i)].append(node)
    root_ids = {id(r) for r in graph.roots()}
    regions, seen = [], set()
    for node in graph.nodes:
        region = region_of.get(id(node))
        if region is not None and id(region) not in seen:
            seen.add(id(region))
            regions.append(region)
    regions = _absorb_row_values(regions, region_of, consumers, root_ids)
    memo = {}
    for unit in _condensed_order(graph, region_of, regions):
        if isinstance(unit, Region):
            _build_fused(unit, region_of, consumers, root_ids, memo)
        else:
            memo[id(unit)] = ir.rebuild(unit, [memo[id(i)] for i in unit.inputs])
    return graph.with_roots([memo[id(r)] for r in graph.roots()])


# A region of at most this many ops over per-row values or scalars is recomputed inside the
# regions that read it, instead of running as its own kernel (or NumPy step).
ABSORBED_OPS = 4


def _absorb_row_values(regions, region_of, consumers, root_ids):
    """Copy small regions over per-row values ((N, 1), (N,)) or scalars into every region
    that reads them, and drop them: each absorbed op adds one op per element of its reader,
    while a separate kernel costs a call, an intermediate array and about 0.2 s of Numba
    compile (the log of the softmax denominator and the scalar loss weights of the MLP train
    step). Values broadcast along leading axes (a bias transform) are not copied: that would
    recompute them once per row. Returns the regions that remain."""
    kept = []
    for region in regions:
        readers = _absorbing_readers(region, region_of, consumers, root_ids)
        if readers is None:
            kept.append(region)
            continue
        for reader in readers:
            reader.members[:0] = region.members
            reader.copied.update(id(m) for m in region.members)
    return kept


def _absorbing_readers(region, region_of, consumers, root_ids):
    """The regions that would copy `region`, or None when it must stay a region."""
    if region.reductions or len(region.members) > ABSORBED_OPS:
        return None
    own = {id(m) for m in region.members}
    readers = []
    for m in region.members:
        if id(m) in root_ids:
            return None
        for c in consumers[id(m)]:
            if id(c) in own:
                continue
            reader = region_of.get(id(c))
            if reader is None or not _is_row_value(region.shape, reader.shape):
                return None
            if all(reader is not r for r in readers):
                readers.append(reader)
    return readers or None


def _is_row_value(shape, loop_shape):
    """Whether `shape` is a scalar or a per-row value of `loop_shape`: equal leading axes,
    then 1s (unknown sizes are checked by the kernel at run time)."""
    shape, loop_shape = tuple(shape), tuple(loop_shape)
    if shape == loop_shape:
        return False
    if all(d == 1 for d in shape):
        return len(shape) <= len(loop_shape)
    if len(shape) != len(loop_shape):
        return False
    leading = 0
    while shape[leading] == loop_shape[leading] and shape[leading] != 1:
        leading += 1
    return leading > 0 and all(d == 1 for d in shape[leading:])


def _condensed_order(graph, region_of, regions):
    """Topological order of outside nodes and whole regions (Kahn's algorithm, linear)."""
    def unit_of(node):
        return region_of.get(id(node), node)

    users = collections.defaultdict(list)
    pending = {}
    units = [n for n in graph.nodes if id(n) not in region_of] + regions
    for unit in units:
        members = unit.members if isinstance(unit, Region) else [unit]
        own = {id(m) for m in members}
        sources = {}
        for m in members:
            for i in m.inputs:
                src = unit_of(i)
                if id(i) not in own and src is not unit:
                    sources[id(src)] = src
        pending[id(unit)] = len(sources)
        for src in sources.values():
            users[id(src)].append(unit)
    ready = collections.deque(u for u in units if pending[id(u)] == 0)
    order = []
    while ready:
        unit = ready.popleft()
        order.append(unit)
        for user in users[id(unit)]:
            pending[id(user)] -= 1
            if pending[id(user)] == 0:
                ready.append(user)
    if len(order) != len(units):
        raise RuntimeError("fuse_elementwise produced a cyclic region graph (a bug)")
    return order


def _build_fused(region, region_of, consumers, root_ids, memo):
    """Make the fused node of `region`, and map its visible members to their values."""
    member_ids = {id(m) for m in region.members}
    order = region.members
    outside, params, inner = [], [], {}
    for m in order:
        for i in m.inputs:
            if id(i) in member_ids or id(i) in inner:
                continue
            if _is_scalar_constant(i):
                inner[id(i)] = i
            else:
                param = ir.ops.leaves.placeholder_op(
                    uid=-(len(params) + 1), name=f"in{len(params)}", dtype=i.dtype,
                    shape=i.shape)
                inner[id(i)] = param
                params.append(param)
                outside.append(memo[id(i)])
        inner[id(m)] = ir.rebuild(m, [inner[id(i)] for i in m.inputs])
    visible = [m for m in order if id(m) not in region.copied and (
        id(m) in root_ids or any(id(c) not in member_ids for c in consumers[id(m)]))]
    results = tuple(inner[id(m)] for m in visible)
    ops = ",".join(m.op for m in order)
    fused = fused_elementwise(*outside, body=(tuple(params), results), ops=ops)
    if len(visible) == 1:
        memo[id(visible[0])] = fused
        return
    for k, m in enumerate(visible):
        # Built directly: OpDef.__call__ reads `.dtype`, which a tuple-typed input lacks.
        memo[id(m)] = ir.Node("tuple_get", [fused], {"index": k}, fused.type.types[k])


def _is_scalar_constant(node):
    """Scalar constants are written into the generated loop as literals."""
    return node.op == "constant" and node.attrs["value"].array.size == 1
