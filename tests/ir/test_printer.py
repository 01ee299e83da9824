"""The text IR: printing a gradient gives the readable listing kept in tests/ir/golden/."""
import pathlib

import numpy as np

from graphkeras import backend as K
from graphkeras import ir

GOLDEN = pathlib.Path(__file__).parent / "golden"


def gradient_of_tanh_dot():
    x = K.placeholder(shape=(None, 3), name="x")
    w = K.variable(np.ones((3, 4)), name="W")
    return K.gradients(K.sum(K.tanh(K.dot(x, w))), [w])[0]


def test_printed_gradient_matches_golden_listing():
    text = str(gradient_of_tanh_dot())
    expected = (GOLDEN / "grad_tanh_dot.txt").read_text()
    assert text == expected.rstrip("\n")


def test_every_line_names_its_op_inputs_and_type():
    lines = str(gradient_of_tanh_dot()).splitlines()
    assert lines[-1].startswith(f"%{len(lines) - 1} = matmul(")
    assert lines[-1].endswith("float32[3, 4]")
    assert any("placeholder 'x'" in line and "float32[None, 3]" in line for line in lines)


def test_graph_prints_outputs_and_updates():
    x = K.placeholder(shape=(2,), name="x")
    v = K.variable(np.zeros(2), name="v")
    graph = ir.Graph([x.node], [(x * 2).node], [(v.node, (v + x).node)])
    text = str(graph)
    assert "return (" in text and "update " in text and "<-" in text


def test_networkx_export_has_one_node_per_ir_node():
    g = gradient_of_tanh_dot()
    graph = ir.Graph([], [g.node])
    nxg = graph.to_networkx()
    assert nxg.number_of_nodes() == len(graph.nodes)
    assert all("op" in data for _, data in nxg.nodes(data=True))
