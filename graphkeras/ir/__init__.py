"""The graph IR: typed immutable nodes, the op registry, graphs, printing and autodiff.

The IR imports nothing else from graphkeras; layers and the runtime are built on top of it.
"""
from . import ops  # noqa: F401  (registers every op)
from .autodiff import gradients, ones_like, zeros_like
from .evaluate import evaluate
from .graph import Graph, between, free_leaves, rebuild, substitute, topological_order
from .node import Constant, Node, RngState, Storage, new_uid
from .printer import format_graph, format_node
from .registry import all_ops, as_nodes, constant, define_op, get_op, not_differentiable
from .types import TensorType, TupleType, broadcast_shapes, canonical_dtype
