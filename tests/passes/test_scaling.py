"""The pipeline is linear: a training graph twice as large takes about twice as long.

CPU time, best of three, so other processes disturb it little. The bounds are looser than the
target measured by benchmarks/passes_scaling.py (2.2x), so that a loaded machine does not fail
the test, but tight enough to catch a quadratic pass (4x).
"""
import gc
import time

import pytest

from graphkeras.passes import PIPELINES, optimize

from .model_graphs import training_graph

FUSION = ("fuse_gemm", "fuse_elementwise")


def best_cpu_time(function, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        function()
        best = min(best, time.process_time() - start)
    return best


def run_passes_without_fusion(graph):
    for optimization in PIPELINES["fast_run"]:
        if optimization.__name__ not in FUSION:
            graph = optimization(graph)
    return graph


@pytest.fixture(scope="module")
def graphs():
    return training_graph(60), training_graph(120)


def test_passes_scale_linearly_with_graph_size(graphs):
    small, large = graphs
    ratio = (best_cpu_time(lambda: run_passes_without_fusion(large))
             / best_cpu_time(lambda: run_passes_without_fusion(small)))
    # Quadratic passes would take 4x; the bound leaves room for a loaded machine. The figure to
    # quote comes from benchmarks/passes_scaling.py.
    assert ratio < 3.5, f"{len(large)}/{len(small)} nodes took {ratio:.2f}x as long"


def test_fast_run_on_ten_thousand_nodes_takes_under_two_seconds():
    graph = training_graph(245)
    assert len(graph) >= 10000
    seconds = best_cpu_time(lambda: optimize(graph), repeat=1)
    assert seconds <= 2.0, f"fast_run took {seconds:.2f} s on {len(graph)} nodes"
