"""Golden files of generated code for a dense layer with bias and ReLU and its backward pass:
a change to code generation shows up in review as a diff of these files.

Set GRAPHKERAS_UPDATE_GOLDEN=1 to rewrite them after an intended change.
"""
import os
import pathlib

from graphkeras import ir
from graphkeras.ir.ops import elementwise as E
from graphkeras.ir.ops import linalg as L
from graphkeras.ir.ops import reduction as R
from graphkeras.ir.ops.leaves import placeholder, variable
from graphkeras.passes.fusion import fuse_elementwise, fuse_gemm
from graphkeras.runtime.schedule import Schedule

GOLDEN = pathlib.Path(__file__).parent / "golden"


def dense_relu_step():
    """Forward, loss and gradients of relu(x @ w + b), fused without the other passes."""
    import numpy as np
    x = placeholder((None, 4), "float32", "x")
    w = variable(ir.Storage(np.ones((4, 3), np.float32), "w"), "float32", (4, 3))
    b = variable(ir.Storage(np.zeros(3, np.float32), "b"), "float32", (3,))
    h = E.maximum(L.matmul(x, w) + b, 0.0)
    loss = R.mean(h * h, axes=(0, 1), keepdims=False)
    grads = ir.gradients(loss, [w, b])
    graph = ir.Graph([x], [loss], [(w, w - 0.1 * grads[0]), (b, b - 0.1 * grads[1])])
    return fuse_elementwise(fuse_gemm(graph))


def check_golden(name, text):
    path = GOLDEN / name
    if os.environ.get("GRAPHKERAS_UPDATE_GOLDEN") == "1" or not path.exists():
        path.write_text(text)
    assert text == path.read_text(), f"{name} changed; rerun with GRAPHKERAS_UPDATE_GOLDEN=1"


def test_golden_driver_and_kernels_of_a_dense_relu_step():
    graph = dense_relu_step()
    schedule = Schedule(graph, "dense_relu_step")
    check_golden("dense_relu_step.ir.txt", str(graph) + "\n")
    check_golden("dense_relu_step.driver.py", schedule.source())
    kernels = [f"# ---- {k.name} ({k.kind})\n{k.source}\n" for k in schedule.kernels]
    check_golden("dense_relu_step.kernels.txt", "".join(kernels))
