"""The optimized-graph cache on disk, so a warm start skips the passes.

A graph is keyed by a structural fingerprint that is stable across processes: ops, edges,
types and attributes, with placeholders named by their position among the inputs, variables
and random streams by their order of first use, and constants by their bytes. Variable values
never enter the key (the passes do not read them). The optimized graph is stored in the same
encoding and rebuilt over the caller's own placeholders, storages and random streams.
"""
import hashlib
import os
import pickle
import tempfile

import numpy as np

from .. import config, ir
from ..ir.node import Constant, RngState, Storage
from ..ir.types import TensorType, TupleType

FORMAT = 2


class Uncacheable(Exception):
    """An attribute the encoding does not know (the graph is then optimized every time)."""


class _Encoder:
    """Flattens nodes into a table; leaves that carry identity are named by position."""

    def __init__(self, graph):
        self.rows = []
        self.index = {}
        self.inputs = {id(n): k for k, n in enumerate(graph.inputs)}
        self.storages = {}
        self.streams = {}

    def node(self, node):
        """The row number of `node` (encoding its inputs and attribute nodes first)."""
        pending = [node]
        while pending:
            top = pending[-1]
            if id(top) in self.index:
                pending.pop()
                continue
            missing = [n for n in list(top.inputs) + _attr_nodes(top.attrs)
                       if id(n) not in self.index]
            if missing:
                pending.extend(missing)
                continue
            pending.pop()
            self.index[id(top)] = len(self.rows)
            self.rows.append(self.row(top))
        return self.index[id(node)]

    def row(self, node):
        attrs = tuple((k, self.uid(node) if k == "uid" else self.value(v, node))
                      for k, v in node.attrs.items())
        return (node.op, tuple(self.index[id(i)] for i in node.inputs), attrs,
                _encode_type(node.type))

    def uid(self, node):
        """Placeholders are named by input position; fused bodies' own (negative) uids stay."""
        uid = node.attrs["uid"]
        if node.op != "placeholder" or uid < 0:
            return uid
        if id(node) not in self.inputs:
            raise Uncacheable("a placeholder that is not an input of the function")
        return ("input", self.inputs[id(node)])

    def value(self, value, node):
        if isinstance(value, ir.Node):
            return ("node", self.index[id(value)])
        if isinstance(value, Constant):
            return ("array", value.array.dtype.str, value.array.shape, value.array.tobytes())
        if isinstance(value, Storage):
            return ("storage", self.storages.setdefault(value, len(self.storages)))
        if isinstance(value, RngState):
            return ("rng", self.streams.setdefault(value, len(self.streams)), value.seed)
        if isinstance(value, tuple):
            return ("tuple",) + tuple(self.value(v, node) for v in value)
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        raise Uncacheable(f"attribute of type {type(value).__name__} on '{node.op}'")


def _attr_nodes(attrs):
    found = []
    stack = list(attrs.values())
    while stack:
        value = stack.pop()
        if isinstance(value, ir.Node):
            found.append(value)
        elif isinstance(value, tuple):
            stack.extend(value)
    return found


def _encode_type(node_type):
    if isinstance(node_type, TupleType):
        return ("tuple", tuple(_encode_type(t) for t in node_type.types))
    return (node_type.dtype, node_type.shape)


def _decode_type(encoded):
    if encoded[0] == "tuple":
        return TupleType([_decode_type(t) for t in encoded[1]])
    return TensorType(*encoded)


def encode(graph):
    """(rows, roots, storages, streams) of `graph`; raises Uncacheable."""
    encoder = _Encoder(graph)
    roots = tuple(encoder.node(r) for r in graph.roots())
    inputs = tuple(encoder.node(i) for i in graph.inputs)
    return encoder, (tuple(encoder.rows), roots, inputs)


def fingerprint(graph, level):
    """A key for `graph` at pass `level` stable across processes, or None if uncacheable."""
    try:
        encoder, table = encode(graph)
    except Uncacheable:
        return None
    # The passes and the op definitions decide the optimized graph: their source is in the key.
    from .cache import code_version
    version = code_version("ir", "ir/ops", "passes")
    text = pickle.dumps((FORMAT, version, level, table), protocol=4)
    return hashlib.sha1(text).hexdigest()


def _path(key):
    directory = os.path.join(config.cache_dir(), "graphs")
    os.makedirs(directory, exist_ok=True)
    return os.path.join(directory, f"{key}.pickle")


def load(key, graph):
    """The cached optimized graph for `graph`, rebuilt over its leaves, or None."""
    if key is None or not config.disk_cache():
        return None
    try:
        with open(_path(key), "rb") as handle:
            rows, roots = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError):
        return None
    try:
        return _decode(rows, roots, graph)
    except (IndexError, KeyError, TypeError, ValueError):
        return None     # written by another version: optimize again


def _decode(rows, roots, graph):
    encoder, _ = encode(graph)
    storages = {k: s for s, k in encoder.storages.items()}
    streams = {k: s for s, k in encoder.streams.items()}
    nodes = []
    for op, input_rows, attrs, node_type in rows:
        decoded = {k: _decode_value(v, nodes, graph, storages, streams) for k, v in attrs}
        if op == "placeholder" and isinstance(decoded.get("uid"), tuple):
            nodes.append(graph.inputs[decoded["uid"][1]])
            continue
        nodes.append(ir.Node(op, [nodes[i] for i in input_rows], decoded,
                             _decode_type(node_type)))
    root_nodes = [nodes[r] for r in roots]
    return graph.with_roots(root_nodes)


def _decode_value(value, nodes, graph, storages, streams):
    if not isinstance(value, tuple):
        return value
    kind = value[0]
    if kind == "node":
        return nodes[value[1]]
    if kind == "array":
        dtype, shape, data = value[1:]
        return Constant(np.frombuffer(data, dtype=np.dtype(dtype)).reshape(shape).copy())
    if kind == "storage":
        return storages[value[1]]
    if kind == "rng":
        return streams[value[1]]
    if kind == "input":
        return value
    return tuple(_decode_value(v, nodes, graph, storages, streams) for v in value[1:])


def store(key, graph, optimized):
    """Write `optimized` under `key`, naming its leaves as they are named in `graph`."""
    if key is None or not config.disk_cache():
        return
    try:
        encoder, _ = encode(graph)
        # Encode the optimized graph with the input graph's leaf numbering.
        before = dict(encoder.storages), dict(encoder.streams)
        roots = tuple(encoder.node(r) for r in optimized.roots())
    except Uncacheable:
        return
    if (len(encoder.storages), len(encoder.streams)) != tuple(map(len, before)):
        return      # the passes made a leaf the input graph lacks: do not cache
    payload = (tuple(encoder.rows), roots)
    path = _path(key)
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
    with os.fdopen(handle, "wb") as out:
        pickle.dump(payload, out, protocol=4)
    os.replace(temporary, path)
