"""A realistic training graph built from IR ops: a deep MLP, Keras-style losses, SGD updates.

Used by the scaling test and benchmarks/passes_scaling.py. Built directly on the IR so it
exists before the backend does; it has the shape of what K.function gets for Model.fit: the
forward pass, its gradients, and one update per weight and momentum.
"""
import numpy as np

from graphkeras import ir
from graphkeras.ir.ops import elementwise as ew
from graphkeras.ir.ops import random as rnd
from graphkeras.ir.ops import reduction as red
from graphkeras.ir.ops import shape as sh
from graphkeras.ir.ops.leaves import placeholder, variable
from graphkeras.ir.ops.linalg import matmul

EPSILON = 1e-7


def _weight(name, shape, rng):
    value = (rng.standard_normal(shape) * 0.1).astype("float32")
    return variable(ir.Storage(value, name), "float32", shape)


def _dense_block(h, units, phase, k, rng):
    """Dense + bias + relu, then dropout switched by the learning phase."""
    w = _weight(f"kernel_{k}", (h.shape[-1], units), rng)
    b = _weight(f"bias_{k}", (units,), rng)
    h = ew.maximum(matmul(h, w) + b, ir.constant(0, "float32"))
    keep = rnd.random(sh.shape_of(h), distribution="binomial", a=0.9, b=0.0, dtype="float32",
                      rng=ir.RngState(k), hint=h.shape)
    return ew.where(phase, h * keep / 0.9, h), [w, b]


def _softmax_crossentropy(target, logits):
    shifted = logits - red.max_(logits, axes=(1,), keepdims=True)
    e = ew.exp(shifted)
    p = e / red.sum_(e, axes=(1,), keepdims=True)
    p = p / red.sum_(p, axes=(1,), keepdims=True)
    p = ew.minimum(ew.maximum(p, ir.constant(EPSILON, "float32")),
                   ir.constant(1 - EPSILON, "float32"))
    return -red.sum_(target * ew.log(p), axes=(1,), keepdims=False)


def training_graph(layers, width=16, classes=4, seed=0):
    """The graph of one SGD-with-momentum step on a `layers`-deep MLP (about 120 nodes a layer)."""
    rng = np.random.default_rng(seed)
    x = placeholder((None, width), "float32", "x")
    target = placeholder((None, classes), "float32", "target")
    phase = placeholder((), "bool", "keras_learning_phase")
    h, weights = x, []
    for k in range(layers):
        h, params = _dense_block(h, width, phase, k, rng)
        weights += params
    logits_w = _weight("logits_kernel", (width, classes), rng)
    weights.append(logits_w)
    loss = red.mean(_softmax_crossentropy(target, matmul(h, logits_w)), axes=(0,),
                    keepdims=False)
    updates = []
    for w, g in zip(weights, ir.gradients(loss, weights)):
        velocity = _weight(w.attrs["storage"].name + "_momentum", w.shape, rng)
        new_velocity = velocity * 0.9 - g * 0.01
        updates += [(velocity, new_velocity), (w, w + new_velocity)]
    return ir.Graph([x, target, phase], [loss], updates)


def training_feeds(graph, batch=8, seed=0):
    rng = np.random.default_rng(seed)
    x, target, phase = graph.inputs
    labels = rng.integers(0, target.shape[1], batch)
    return {id(x): rng.standard_normal((batch, x.shape[1])).astype("float32"),
            id(target): np.eye(target.shape[1], dtype="float32")[labels],
            id(phase): np.array(True)}
