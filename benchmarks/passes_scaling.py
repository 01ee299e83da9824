"""How long the fast_run pipeline takes on training graphs of about 10,000 and 20,000 nodes.

Target (issue): <= 2 s at 10,000 nodes, and at most 2.2x as long for twice the nodes (each pass
is one linear walk). Times are CPU seconds (time.process_time), best of `--repeat` runs, so
other processes on the machine disturb them less than wall time:

    python benchmarks/passes_scaling.py [--nodes 10000] [--repeat 5]
"""
import argparse
import gc
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from graphkeras.passes import PIPELINES, optimize  # noqa: E402
from tests.passes.model_graphs import training_graph  # noqa: E402

NODES_PER_LAYER = 41  # measured: training_graph(100) has 4173 nodes
FUSION = ("fuse_gemm", "fuse_elementwise")


def graph_of_about(nodes):
    return training_graph(max(1, round(nodes / NODES_PER_LAYER)))


def best_time(function, repeat):
    """Best CPU seconds of `function()`, the cycle collector paused as optimize() pauses it."""
    best = None
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        start = time.process_time()
        function()
        elapsed = time.process_time() - start
        gc.enable()
        best = elapsed if best is None else min(best, elapsed)
    return best


def per_pass_times(graph, repeat):
    """[(pass name, best seconds)] with each pass timed on the graph it receives in fast_run."""
    times = []
    for optimization in PIPELINES["fast_run"]:
        received = graph
        times.append((optimization.__name__, best_time(lambda: optimization(received), repeat)))
        graph = optimization(graph)
    return times


def measure(nodes, repeat):
    graph = graph_of_about(nodes)
    total = best_time(lambda: optimize(graph), repeat)
    passes = per_pass_times(graph, repeat)
    print(f"{len(graph):>6} nodes -> {len(optimize(graph)):>6} after fast_run: "
          f"optimize() {total:.3f} s")
    for name, seconds in passes:
        print(f"    {name:<34} {seconds:.3f} s")
    fusion = sum(s for name, s in passes if name in FUSION)
    rest = sum(s for name, s in passes if name not in FUSION)
    return len(graph), total, rest, fusion


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    n1, total1, rest1, fusion1 = measure(args.nodes, args.repeat)
    n2, total2, rest2, fusion2 = measure(2 * args.nodes, args.repeat)
    print(f"node ratio {n2 / n1:.2f}: optimize() {total2 / total1:.2f}x, "
          f"passes without fusion {rest2 / rest1:.2f}x ({rest1:.3f} -> {rest2:.3f} s), "
          f"fusion {fusion2 / fusion1:.2f}x ({fusion1:.3f} -> {fusion2:.3f} s)")


if __name__ == "__main__":
    main()
