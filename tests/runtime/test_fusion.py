"""The fusion passes: expected regions, same values before and after, a second run is a no-op."""
import numpy as np

from graphkeras import ir
from graphkeras.ir.ops import elementwise as E
from graphkeras.ir.ops import linalg as L
from graphkeras.ir.ops import reduction as R
from graphkeras.ir.ops import shape as S
from graphkeras.ir.ops.leaves import placeholder
from graphkeras.passes.fusion import fuse_elementwise, fuse_gemm
from graphkeras.runtime.compiled import compile_function


def fused_nodes(graph):
    return [n for n in graph.nodes if n.op == "fused_elementwise"]


def check_same_values(before, after, feeds):
    for got, want in zip(ir.evaluate(after.outputs, feeds), ir.evaluate(before.outputs, feeds)):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def feeds_for(*nodes, seed=0):
    rng = np.random.RandomState(seed)
    return {id(n): rng.randn(*[d or 3 for d in n.shape]).astype(n.dtype) for n in nodes}


def test_fusion_turns_a_chain_into_one_region():
    x = placeholder((None, 4), "float32", "x")
    y = placeholder((None, 4), "float32", "y")
    graph = ir.Graph([x, y], [E.tanh(x * y + 1.0) - E.exp(y)])
    fused = fuse_elementwise(graph)
    regions = fused_nodes(fused)
    assert len(regions) == 1
    assert regions[0].attrs["ops"].split(",") == ["mul", "add", "tanh", "exp", "sub"]
    check_same_values(graph, fused, feeds_for(x, y))


def test_fusion_ends_a_region_at_a_reduction():
    x = placeholder((None, 4), "float32", "x")
    e = E.exp(x)
    total = R.sum_(e, axes=(1,), keepdims=True)
    graph = ir.Graph([x], [e / total])
    fused = fuse_elementwise(graph)
    regions = fused_nodes(fused)
    assert len(regions) == 2
    assert regions[0].attrs["ops"] == "exp,sum"
    assert regions[1].attrs["ops"] == "div"
    check_same_values(graph, fused, feeds_for(x))


def test_fusion_keeps_shared_input_outside_group():
    x = placeholder((None, 4), "float32", "x")
    w = placeholder((4, 4), "float32", "w")
    a = E.tanh(x)
    product = L.matmul(a, w)           # not elementwise: a must leave the region
    graph = ir.Graph([x, w], [product + a])
    fused = fuse_elementwise(graph)
    assert [n.attrs["ops"] for n in fused_nodes(fused)] == ["tanh", "add"]
    check_same_values(graph, fused, feeds_for(x, w))


def test_fusion_never_merges_across_an_outside_path():
    x = placeholder((4, 4), "float32", "x")
    a = E.tanh(x)
    around = S.transpose(a, perm=(1, 0))     # leaves a's region and comes back
    graph = ir.Graph([x], [a * around + a])
    fused = fuse_elementwise(graph)
    ops = [n.attrs["ops"] for n in fused_nodes(fused)]
    assert ops == ["tanh", "mul,add"]
    check_same_values(graph, fused, feeds_for(x))


def test_fusion_splits_different_loop_shapes():
    x = placeholder((None, 4), "float32", "x")
    b = placeholder((4,), "float32", "b")
    scaled = E.exp(b) * 2.0                  # loop shape (4,)
    graph = ir.Graph([x, b], [x + scaled])   # loop shape (None, 4)
    fused = fuse_elementwise(graph)
    assert [n.attrs["ops"] for n in fused_nodes(fused)] == ["exp,mul", "add"]


def test_fusion_a_second_time_changes_nothing():
    x = placeholder((None, 4), "float32", "x")
    graph = ir.Graph([x], [R.mean(E.tanh(x) * x, axes=(0, 1), keepdims=False), x * 3.0])
    once = fuse_elementwise(graph)
    twice = fuse_elementwise(once)
    assert str(once) == str(twice)
    check_same_values(graph, once, feeds_for(x))


def test_gemm_reads_transposed_operands_in_place():
    x = placeholder((5, 3), "float32", "x")
    g = placeholder((5, 4), "float32", "g")
    graph = ir.Graph([x, g], [L.matmul(S.transpose(x, perm=(1, 0)), g)])
    fused = fuse_gemm(graph)
    gemm = [n for n in fused.nodes if n.op == "gemm"]
    assert len(gemm) == 1 and gemm[0].attrs["trans_a"] and not gemm[0].attrs["trans_b"]
    assert not any(n.op == "transpose" for n in fused.nodes)
    check_same_values(graph, fused, feeds_for(x, g))


def test_fusion_copies_a_small_per_row_region_into_its_readers():
    x = placeholder((None, 6), "float32", "x")
    total = R.sum_(E.exp(x), axes=(1,), keepdims=True)     # ends a region: (None, 1)
    log_total = E.log(total) * 2.0                         # per-row values, two ops
    graph = ir.Graph([x], [x - log_total, E.tanh(x) * log_total + 1.0])
    fused = fuse_elementwise(graph)
    ops = [n.attrs["ops"] for n in fused_nodes(fused)]
    assert ops[0] == "exp,sum"
    assert ops[1:] == ["log,mul,sub", "log,mul,tanh,mul,add"]    # copied into both readers
    check_same_values(graph, fused, feeds_for(x))
    compiled = compile_function([x], graph.outputs)
    kernels = [k for k in compiled.kernels if k.kind == "numba"]
    assert len(kernels) == 1                                 # the three regions: one group
    assert kernels[0].ops == "exp,sum,log,mul,sub,log,mul,tanh,mul,add".split(",")
    compiled_values = compiled([feeds_for(x)[id(x)]])
    for got, want in zip(compiled_values, ir.evaluate(graph.outputs, feeds_for(x))):
        np.testing.assert_allclose(got, want, rtol=2e-6, atol=2e-6)


def test_fusion_keeps_a_per_row_region_that_is_an_output_or_read_outside_regions():
    x = placeholder((None, 6), "float32", "x")
    total = R.sum_(x * x, axes=(1,), keepdims=True)
    scaled = total * 0.5
    graph = ir.Graph([x], [x * scaled, scaled])
    fused = fuse_elementwise(graph)
    assert [n.attrs["ops"] for n in fused_nodes(fused)] == ["mul,sum", "mul", "mul"]
    check_same_values(graph, fused, feeds_for(x))
    shifted = S.transpose(scaled, perm=(1, 0))               # read by a non-fused op
    graph = ir.Graph([x], [x * scaled, shifted])
    assert [n.attrs["ops"] for n in fused_nodes(fuse_elementwise(graph))] == \
        ["mul,sum", "mul", "mul"]
