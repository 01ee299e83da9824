"""The order a schedule runs the optimized graph in, and the runs of regions fused into groups.

The passes leave nodes in a topological order that interleaves small elementwise regions with
GEMMs: the gradient of every parameter is followed at once by its optimizer update. Running
each region as its own Numba call costs a call per region and an allocation per output, and
keeps a kernel per region to load at start-up. So the schedule runs every "heavy" step (GEMMs,
convolutions, loops, anything that is not an elementwise region or bookkeeping) as early as
its inputs allow, and the regions only when a heavy step needs them, or at the end. The
regions between two heavy steps then sit side by side, and `clusters` collects them into
groups that run as one generated kernel (group_codegen.py): the MLP train step becomes its
GEMMs plus one kernel between each pair, one for the loss and one for every optimizer update.
"""
VIEW_OPS = ("reshape", "reshape_to", "expand_dims", "squeeze", "tuple_get")
LEAVES = ("placeholder", "variable", "constant")
# Ops that read only the shape of their input, never its data.
SHAPE_READERS = ("shape_of",)
# Cheap driver-level NumPy ops on small index arrays that may run while a group is set up.
SMALL_DRIVER_OPS = ("take",)


def is_light(node):
    """Whether `node` is an elementwise region or bookkeeping the driver does itself."""
    return (node.op == "fused_elementwise" or node.op in VIEW_OPS or node.op in LEAVES
            or node.op in SHAPE_READERS or node.op in SMALL_DRIVER_OPS)


def schedule_order(graph):
    """A topological order of `graph.nodes` running each heavy step as soon as possible and
    each light one as late as possible: every heavy node, in the passes' order, after the
    light nodes it needs; the remaining light nodes last."""
    nodes = graph.nodes
    position = {id(n): p for p, n in enumerate(nodes)}
    done = set()
    order = []

    def emit_with_ancestors(target):
        pending, stack = [], [target]
        while stack:
            node = stack.pop()
            if id(node) in done:
                continue
            done.add(id(node))
            pending.append(node)
            stack.extend(node.inputs)
        pending.sort(key=lambda n: position[id(n)])
        order.extend(pending)

    for node in nodes:
        if not is_light(node):
            emit_with_ancestors(node)
    for node in nodes:
        if id(node) not in done:
            emit_with_ancestors(node)
    return order


def clusters(order, is_tiny):
    """Runs of `order` that one group kernel can cover: lists of positions, each holding at
    least two regions of which one is not tiny. A region joins the current run; a light
    driver step joins it when it reads no data a region of the run computes (it runs before
    the kernel, on the buffers the kernel will fill, so only views and shape reads qualify);
    anything else ends the run."""
    runs, current, produced = [], [], set()

    def close():
        regions = [order[p] for p in current if order[p].op == "fused_elementwise"]
        if len(regions) >= 2 and not all(is_tiny(r) for r in regions):
            runs.append(list(current))
        current.clear()
        produced.clear()

    for p, node in enumerate(order):
        if node.op == "fused_elementwise":
            current.append(p)
            produced.add(id(node))
        elif node.op in LEAVES:
            if current:
                current.append(p)
        elif node.op in VIEW_OPS or node.op in SHAPE_READERS:
            if current:
                current.append(p)
                if node.op in VIEW_OPS and id(node.inputs[0]) in produced:
                    produced.add(id(node))
        elif node.op in SMALL_DRIVER_OPS and not any(id(i) in produced for i in node.inputs):
            if current:
                current.append(p)
        else:
            close()
    close()
    return runs
