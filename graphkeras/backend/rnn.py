"""K.rnn, K.map_fn, K.foldl and K.foldr: loops that are one scan node in the IR.

K.rnn follows Keras 2.2's TensorFlow backend: the step function is called once on the first
time step outside the loop (cells that build dropout masks on their first call make them from
outer tensors, so the masks stay fixed across steps), masked steps carry the states over, and
the output of a masked step is `states[0]` in the loop and the previous output when unrolled.
"""
from .. import ir
from ..ir.ops import elementwise as E
from ..ir.ops import shape as S
from ..ir.ops.scan import build_scan, scan_results
from .tensor import Tensor, to_node, wrap

__all__ = ["rnn", "map_fn", "foldl", "foldr"]

_ALL = ("slice", None, None, None)


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None):
    """Iterates over the time dimension of a tensor.

    # Arguments
        step_function: `step_function(input_t, states + constants) -> (output_t, new_states)`,
            where `input_t` is `(samples, ...)` (no time axis) and `new_states` has one
            tensor per state, each with that state's shape and dtype.
        inputs: tensor of temporal data of shape `(samples, time, ...)` (at least 3D).
        initial_states: list of tensors `(samples, ...)`, the states before the first step.
        go_backwards: if True, iterate from the last step to the first and return the
            outputs in that (reversed) order.
        mask: binary tensor `(samples, time)` or `(samples, time, 1)`, zero where a step is
            masked: there the states are carried over.
        constants: list of tensors passed to every step after the states.
        unroll: if True, build one copy of the step per time step (needs a static time
            length) instead of one loop node.
        input_length: unused; the static time length is read from `inputs`.

    # Returns
        A tuple `(last_output, outputs, new_states)`: the output of the last step
        `(samples, ...)`, all outputs `(samples, time, ...)`, and the final states.

    # Raises
        ValueError: if `inputs` has fewer than 3 dimensions, the mask has the wrong shape,
            or `unroll=True` with an unknown number of time steps.

    # Example
    ```python
        W, U = K.variable(np.ones((3, 4))), K.variable(np.eye(4))
        def step(x_t, states):
            h = K.tanh(K.dot(x_t, W) + K.dot(states[0], U))
            return h, [h]
        x = K.placeholder((None, 10, 3))
        last, outputs, [h] = K.rnn(step, x, [K.zeros_like(x[:, 0, :1]) * K.zeros((1, 4))])
    ```
    """
    x = to_node(inputs)
    if x.ndim < 3:
        raise ValueError(f"K.rnn: inputs should be at least 3D (samples, time, ...), "
                         f"got shape {x.shape}")
    constants = list(constants or [])
    states = [_as_tensor(s) for s in initial_states]
    mask_node = None if mask is None else _time_mask(to_node(mask), x)
    if unroll:
        return _rnn_unrolled(step_function, x, states, go_backwards, mask_node, constants)
    if mask_node is not None and not states:
        raise ValueError("K.rnn with a mask needs at least one state: a masked step outputs "
                         "states[0], as in Keras 2")
    perm = (1, 0) + tuple(range(2, x.ndim))
    sequence = S.transpose(x, perm=perm)
    sequences = [sequence]
    if mask_node is not None:
        sequences.append(S.transpose(mask_node, perm=(1, 0)))
    if go_backwards:
        sequences = [S.reverse(s, axes=(0,)) for s in sequences]
    # Keras 2.2's TensorFlow backend calls the step once before the loop, outside it.
    first = S.index(sequences[0], items=(("int", 0),))
    step_function(wrap(first), states + constants)
    step = _LoopStep(step_function, len(states), constants, mask_node is not None)
    node = build_scan(step, sequences, [s.node for s in states])
    (stacked,), finals, _ = scan_results(node)
    outputs = wrap(S.transpose(stacked, perm=perm))
    last_output = wrap(S.index(stacked, items=(("int", -1),)))
    _mark_learning_phase(step.uses_learning_phase, last_output, outputs)
    return last_output, outputs, [wrap(f) for f in finals]


class _LoopStep:
    """The body of K.rnn's scan: the user's step, then the mask's carry-over."""

    def __init__(self, step_function, n_states, constants, masked):
        self.step_function = step_function
        self.n_states = n_states
        self.constants = constants
        self.masked = masked
        self.uses_learning_phase = False

    def __call__(self, slices, states, non_sequences):
        previous = [wrap(s) for s in states]
        output, new_states = self.step_function(wrap(slices[0]), previous + self.constants)
        self.uses_learning_phase |= bool(getattr(output, "_uses_learning_phase", False))
        output, new_states = _step_nodes(output, new_states, self.n_states)
        if self.masked:
            keep = slices[1]
            output = _select(keep, output, states[0])
            new_states = [_select(keep, new, old) for new, old in zip(new_states, states)]
        return [output], new_states


def _rnn_unrolled(step_function, x, states, go_backwards, mask, constants):
    steps = x.shape[1]
    if not steps:
        raise ValueError(f"K.rnn(unroll=True) needs a static, nonzero number of time steps; "
                         f"inputs have shape {x.shape}. Use unroll=False for a variable length")
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    outputs, uses_learning_phase = [], False
    for t in order:
        x_t = S.index(x, items=(_ALL, ("int", t)))
        output, new_states = step_function(wrap(x_t), states + constants)
        uses_learning_phase |= bool(getattr(output, "_uses_learning_phase", False))
        output, new_states = _step_nodes(output, new_states, len(states))
        if mask is not None:
            keep = S.index(mask, items=(_ALL, ("int", t)))
            previous = outputs[-1] if outputs else ir.zeros_like(output)
            output = _select(keep, output, previous)
            new_states = [_select(keep, new, old.node) for new, old in zip(new_states, states)]
        outputs.append(output)
        states = [wrap(s) for s in new_states]
    stacked = S.concatenate(*[S.expand_dims(o, axis=1) for o in outputs], axis=1)
    last_output, all_outputs = wrap(outputs[-1]), wrap(stacked)
    _mark_learning_phase(uses_learning_phase, last_output, all_outputs)
    return last_output, all_outputs, states


def _step_nodes(output, new_states, n_states):
    """The IR nodes of a step's result, checking it returned one tensor per state."""
    new_states = list(new_states)
    if len(new_states) != n_states:
        raise ValueError(f"K.rnn: the step function returned {len(new_states)} states, "
                         f"expected {n_states} (one per initial state)")
    return to_node(output), [to_node(s) for s in new_states]


def _time_mask(mask, x):
    """The mask as a bool (samples, time) node."""
    if mask.ndim == 3 and mask.shape[2] in (1, None):
        mask = S.squeeze(mask, axis=2)
    if mask.ndim != 2:
        raise ValueError(f"K.rnn: the mask should have shape (samples, time) or "
                         f"(samples, time, 1), got {mask.shape} for inputs {x.shape}")
    if mask.dtype != "bool":
        mask = E.cast(mask, dtype="bool")
    return mask


def _select(keep, new, old):
    """`new` where the per-sample flag `keep` is true, else `old`."""
    while keep.ndim < new.ndim:
        keep = S.expand_dims(keep, axis=-1)
    return E.where(keep, new, old)


def _as_tensor(x):
    return x if isinstance(x, Tensor) else wrap(to_node(x))


def _mark_learning_phase(flag, *tensors):
    for t in tensors:
        t._uses_learning_phase = flag


def map_fn(fn, elems, name=None, dtype=None):
    """Map the function fn over the elements elems and return the outputs.

    # Arguments
        fn: callable called on each element of `elems` (a slice along axis 0).
        elems: tensor.
        name: unused.
        dtype: the output dtype, if it differs from what `fn` returns.

    # Returns
        Tensor with dtype `dtype`: the outputs of `fn` stacked along axis 0.

    # Example
    ```python
        norms = K.map_fn(lambda row: K.sqrt(K.sum(row * row)), x)   # one per row of x
    ```
    """
    def step(slices, states, non_sequences):
        out = to_node(fn(wrap(slices[0])))
        if dtype is not None and out.dtype != ir.canonical_dtype(dtype):
            out = E.cast(out, dtype=ir.canonical_dtype(dtype))
        return [out], []

    node = build_scan(step, [to_node(elems)])
    (stacked,), _, _ = scan_results(node)
    return wrap(stacked)


def foldl(fn, elems, initializer=None, name=None):
    """Reduce elems using fn to combine them from left to right.

    # Arguments
        fn: callable `fn(acc, x) -> acc`, called for each element of `elems` along axis 0.
        elems: tensor.
        initializer: the first value of `acc`; `elems[0]` when None (then the fold runs over
            `elems[1:]`).
        name: unused.

    # Returns
        Tensor with the same type and shape as `initializer`.

    # Example
    ```python
        total = K.foldl(lambda acc, row: acc + row, x)   # x[0] + x[1] + ... along axis 0
    ```
    """
    return _fold(fn, elems, initializer, reverse=False)


def foldr(fn, elems, initializer=None, name=None):
    """Reduce elems using fn to combine them from right to left.

    # Arguments
        fn: callable `fn(acc, x) -> acc`, called for each element of `elems` along axis 0,
            the last first.
        elems: tensor.
        initializer: the first value of `acc`; `elems[-1]` when None (then the fold runs
            over `elems[:-1]`).
        name: unused.

    # Returns
        Tensor with the same type and shape as `initializer`.
    """
    return _fold(fn, elems, initializer, reverse=True)


def _fold(fn, elems, initializer, reverse):
    elems = to_node(elems)
    if initializer is None:
        first = -1 if reverse else 0
        rest = ("slice", None, -1, None) if reverse else ("slice", 1, None, None)
        initializer = S.index(elems, items=(("int", first),))
        elems = S.index(elems, items=(rest,))
    else:
        initializer = to_node(initializer)

    def step(slices, states, non_sequences):
        acc = fn(wrap(states[0]), wrap(slices[0]))
        return [], [to_node(acc)]

    node = build_scan(step, [elems], [initializer], reverse=reverse)
    _, (final,), _ = scan_results(node)
    return wrap(final)
