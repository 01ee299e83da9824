"""K's edge cases against NumPy and Keras 2.2.4: N-D and None-batch products, shapes with unknown
dimensions, negative axes, dtypes (float64 mode, integers), operators with arrays, errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from graphkeras import backend as K

R = np.random.RandomState(1)


def run(outputs, feeds=None):
    """Evaluate tensors with the NumPy reference executor, feeding {placeholder: array}."""
    feeds = feeds or {}
    f = K.function(list(feeds), list(outputs), mode="reference")
    return f(list(feeds.values()))


def free(array):
    """A placeholder for `array` whose batch dimension is unknown."""
    return K.placeholder((None,) + array.shape[1:], dtype=array.dtype.name)


def np_batch_dot(x, y, ax, ay):
    out = np.stack([np.tensordot(x[i], y[i], axes=([ax - 1], [ay - 1]))
                    for i in range(x.shape[0])])
    return out.reshape(-1, 1) if out.ndim == 1 else out


A234 = R.randn(2, 3, 4).astype(np.float32)
A245 = R.randn(2, 4, 5).astype(np.float32)
A24 = R.randn(2, 4).astype(np.float32)
A2354 = R.randn(2, 3, 5, 4).astype(np.float32)

# (case, x, y, axes passed to K.batch_dot, (ax, ay) for the NumPy reference)
BATCH_DOT = [
    ("3d_default", A234, A245, None, (2, 1)),
    ("3d_int_list", A234, A245, [2, 1], (2, 1)),
    ("3d_tuple_negative", A234, A245, (-1, -2), (2, 1)),
    ("2d_int_is_b_by_1", A24, A24, 1, (1, 1)),
    ("2d_default_is_b_by_1", A24, A24, None, (1, 1)),
    ("3d_with_2d", A234, A24, None, (2, 1)),
    ("2d_with_3d_last_axis", A24, A234, (1, 2), (1, 2)),
    ("3d_first_axes", A234, R.randn(2, 3, 6).astype(np.float32), 1, (1, 1)),
    ("4d_with_3d", A2354, A245, (3, 1), (3, 1)),
]


@pytest.mark.parametrize("case,x,y,axes,ref_axes", BATCH_DOT, ids=[c[0] for c in BATCH_DOT])
def test_batch_dot_matches_keras_semantics_with_unknown_batch(case, x, y, axes, ref_axes):
    px, py = free(x), free(y)
    out = K.batch_dot(px, py, axes=axes)
    expected = np_batch_dot(x, y, *ref_axes)
    assert K.int_shape(out) == (None,) + expected.shape[1:]
    np.testing.assert_allclose(run([out], {px: x, py: y})[0], expected, rtol=1e-5, atol=1e-5)


def test_batch_dot_with_unknown_inner_dimensions():
    x, y = R.randn(2, 3, 5, 4), R.randn(2, 4, 6)
    px = K.placeholder((None, None, None, 4), dtype="float64")
    py = K.placeholder((None, 4, None), dtype="float64")
    out = K.batch_dot(px, py, axes=(3, 1))
    assert K.int_shape(out) == (None, None, None, None)
    np.testing.assert_allclose(run([out], {px: x, py: y})[0], np_batch_dot(x, y, 3, 1))


@st.composite
def batch_dot_operands(draw):
    """Two arrays of rank 2-4 sharing the batch size and one contracted dimension."""
    batch, k = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    shapes, axes = [], []
    for _ in range(2):
        rank = draw(st.integers(2, 4))
        axis = draw(st.integers(1, rank - 1))
        shape = [batch] + [draw(st.integers(1, 3)) for _ in range(rank - 1)]
        shape[axis] = k
        shapes.append(shape)
        axes.append(axis - rank if draw(st.booleans()) else axis)
    seed = draw(st.integers(0, 1000))
    rng = np.random.RandomState(seed)
    return rng.randn(*shapes[0]), rng.randn(*shapes[1]), axes


@settings(max_examples=25, deadline=None)
@given(batch_dot_operands())
def test_batch_dot_matches_per_sample_tensordot(operands):
    x, y, axes = operands
    px = K.placeholder((None,) * x.ndim, dtype="float64")
    py = K.placeholder((None,) + y.shape[1:], dtype="float64")
    out = run([K.batch_dot(px, py, axes=axes)], {px: x, py: y})[0]
    expected = np_batch_dot(x, y, axes[0] % x.ndim, axes[1] % y.ndim)
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("axes,message", [
    ((2, 2), r"batch_dot: axis 2 of x \(None, 3, 4\) \(size 4\) and axis 2 of y "
             r"\(None, 4, 5\) \(size 5\)"),
    (0, "cannot contract the batch axis"),
    ([[1, 2], 1], "multiple target dimensions"),
    ((5, 1), "out of range"),
])
def test_batch_dot_refuses_bad_axes_at_build_time(axes, message):
    with pytest.raises(ValueError, match=message):
        K.batch_dot(free(A234), free(A245), axes=axes)


# (case, x, y): K.dot contracts x's last axis with y's second-to-last (Theano's N-D rule).
DOT = [
    ("3d_2d", A234, R.randn(4, 5)),
    ("2d_3d", A24, R.randn(3, 4, 5)),
    ("3d_3d", A234, R.randn(6, 4, 5)),
    ("3d_1d", A234, R.randn(4)),
    ("1d_2d", R.randn(4), R.randn(4, 5)),
]


@pytest.mark.parametrize("case,x,y", DOT, ids=[c[0] for c in DOT])
def test_dot_nd_matches_tensordot_with_unknown_leading_dims(case, x, y):
    x, y = x.astype(np.float32), y.astype(np.float32)
    px = K.placeholder((None,) * x.ndim) if x.ndim > 1 else K.variable(x)
    out = K.dot(px, K.variable(y))
    expected = np.tensordot(x, y, axes=([x.ndim - 1], [max(y.ndim - 2, 0)]))
    feeds = {px: x} if x.ndim > 1 else {}
    np.testing.assert_allclose(run([out], feeds)[0], expected, rtol=1e-5, atol=1e-5)


def test_dot_nd_mismatch_names_both_original_shapes():
    with pytest.raises(ValueError, match=r"dot: .*\(None, 3, 4\).*\(5, 6\)"):
        K.dot(free(A234), K.variable(np.ones((5, 6))))


X = R.randn(2, 3, 4).astype(np.float32)
I = np.array([[1, 0], [1, 1]], dtype=np.int32)

# (case, build(x) over a (None, None, 4) placeholder, NumPy reference)
SHAPES = [
    ("reshape_minus_one", lambda x: K.reshape(x, (-1, 4)), lambda x: x.reshape(-1, 4)),
    ("reshape_none_as_minus_one", lambda x: K.reshape(x, (None, 12)),
     lambda x: x.reshape(-1, 12)),
    ("reshape_shape_tensor", lambda x: K.reshape(x, (K.shape(x)[0], -1)),
     lambda x: x.reshape(2, -1)),
    ("reshape_whole_shape", lambda x: K.reshape(x * 2, K.shape(x)), lambda x: x * 2),
    ("permute", lambda x: K.permute_dimensions(x, (2, 0, 1)),
     lambda x: x.transpose(2, 0, 1)),
    ("gather_2d_indices", lambda x: K.gather(x, K.constant(I, dtype="int32")),
     lambda x: x[I]),
    ("gather_list", lambda x: K.gather(x, [1, 0, 1]), lambda x: x[[1, 0, 1]]),
    ("squeeze_negative", lambda x: K.squeeze(x[:, :1], -2), lambda x: x[:, 0]),
    ("expand_dims_negative", lambda x: K.expand_dims(x, -2), lambda x: x[:, :, None]),
    ("expand_dims_default", lambda x: K.expand_dims(x), lambda x: x[..., None]),
    ("concatenate_negative", lambda x: K.concatenate([x, x * 2], axis=-2),
     lambda x: np.concatenate([x, x * 2], axis=-2)),
    ("concatenate_default", lambda x: K.concatenate([x, x]),
     lambda x: np.concatenate([x, x], -1)),
    ("tile_list", lambda x: K.tile(x, [1, 2, 3]), lambda x: np.tile(x, (1, 2, 3))),
    ("tile_short_list", lambda x: K.tile(x, [2]), lambda x: np.tile(x, 2)),
    ("tile_with_tensor", lambda x: K.tile(x, [1, K.shape(x)[1], 1]),
     lambda x: np.tile(x, (1, 3, 1))),
    ("repeat_elements_negative", lambda x: K.repeat_elements(x, 2, -1),
     lambda x: np.repeat(x, 2, -1)),
    ("repeat_elements_unknown_axis", lambda x: K.repeat_elements(x, 3, 1),
     lambda x: np.repeat(x, 3, 1)),
    ("index_slices", lambda x: x[:, 1:, ::-2], lambda x: x[:, 1:, ::-2]),
    ("index_ellipsis_int", lambda x: x[..., -1], lambda x: x[..., -1]),
    ("index_newaxis", lambda x: x[:, None, 0], lambda x: x[:, None, 0]),
    ("index_tensor_gathers", lambda x: x[K.constant([1, 0], dtype="int32")],
     lambda x: x[[1, 0]]),
    ("batch_flatten", K.batch_flatten, lambda x: x.reshape(2, -1)),
    ("flatten", K.flatten, lambda x: x.ravel()),
    ("reverse_negative", lambda x: K.reverse(x, -1), lambda x: x[..., ::-1]),
    ("stack_negative", lambda x: K.stack([x, x], axis=-1), lambda x: np.stack([x, x], -1)),
    ("arange_tensor_stop", lambda x: K.arange(K.shape(x)[1]), lambda x: np.arange(3)),
    ("arange_tensor_start_step", lambda x: K.arange(K.shape(x)[2], 11, 3, dtype="float32"),
     lambda x: np.arange(4, 11, 3, dtype=np.float32)),
    ("random_shape_tensor", lambda x: K.shape(K.random_uniform((K.shape(x)[0], 5))),
     lambda x: np.array([2, 5])),
    ("random_normal_whole_shape", lambda x: K.shape(K.random_normal(K.shape(x))),
     lambda x: np.array(x.shape)),
]


@pytest.mark.parametrize("case,build,ref", SHAPES, ids=[c[0] for c in SHAPES])
def test_shape_functions_match_numpy_with_unknown_dims(case, build, ref):
    x = K.placeholder((None, None, 4))
    out = build(x)
    value = run([out], {x: X})[0]
    expected = ref(X)
    assert value.shape == expected.shape
    assert value.dtype == expected.dtype or expected.dtype == np.int64  # NumPy's default int
    np.testing.assert_allclose(value, expected, rtol=1e-6)
    static = K.int_shape(out)
    assert all(s is None or s == v for s, v in zip(static, value.shape)), (static, value.shape)


def test_dropout_noise_shape_shares_the_mask_along_axis():
    x = K.placeholder((None, None, 4))
    ones = np.ones((3, 5, 4), np.float32)
    out = run([K.dropout(x, 0.5, noise_shape=(None, 1, 4), seed=7)], {x: ones})[0]
    assert set(np.unique(out)) <= {0.0, 2.0}
    assert (out == out[:, :1, :]).all()


def test_arange_matches_numpy_for_static_arguments():
    for args in [(5,), (-3,), (2, 9), (2, 9, 3), (9, 2, -2), (0.5, 3.0, 0.5)]:
        dtype = "float32" if isinstance(args[0], float) else "int32"
        np.testing.assert_allclose(K.eval(K.arange(*args, dtype=dtype)),
                                   np.arange(*args).astype(dtype))
        assert K.eval(K.arange(*args, dtype=dtype)).dtype == dtype


@settings(max_examples=15, deadline=None)
@given(st.integers(-4, 6), st.integers(-4, 9), st.sampled_from([1, 2, 3, -1, -2]))
def test_arange_with_tensor_bounds_matches_numpy(start, stop, step):
    out = K.arange(K.constant(start, dtype="int32"), K.constant(stop, dtype="int32"), step)
    np.testing.assert_array_equal(K.eval(out), np.arange(start, stop, step, dtype=np.int32))


P3 = np.abs(R.randn(2, 3, 4)).astype(np.float32) + 0.05
P3 /= P3.sum(-1, keepdims=True)
LABELS = np.array([[0, 3, 1], [2, 2, 0]])


def np_sparse_cce(labels, probs):
    probs = np.clip(probs, 1e-7, 1 - 1e-7)
    logp = np.log(probs / probs.sum(-1, keepdims=True))
    flat = logp.reshape(-1, logp.shape[-1])
    return -flat[np.arange(flat.shape[0]), labels.ravel()].reshape(logp.shape[:-1])


# (case, target array, output array, placeholder shapes for target and output)
SPARSE_CCE = [
    ("2d_b", LABELS[0].astype(np.float32), P3[0], (None,), (None, 4)),
    ("2d_b_by_1", LABELS[0][:, None].astype(np.float32), P3[0], (None, 1), (None, 4)),
    ("2d_int_target", LABELS[0].astype(np.int32), P3[0], (None,), (None, 4)),
    ("3d", LABELS.astype(np.float32), P3, (None, None), (None, None, 4)),
    ("3d_trailing_1", LABELS[..., None].astype(np.float32), P3, (None, None, None),
     (None, None, 4)),
]


@pytest.mark.parametrize("case,target,output,t_shape,o_shape", SPARSE_CCE,
                         ids=[c[0] for c in SPARSE_CCE])
def test_sparse_categorical_crossentropy_target_shapes(case, target, output, t_shape,
                                                       o_shape):
    t = K.placeholder(t_shape, dtype=target.dtype.name)
    o = K.placeholder(o_shape)
    loss = K.sparse_categorical_crossentropy(t, o)
    expected = np_sparse_cce(target.astype(int), output)
    np.testing.assert_allclose(run([loss], {t: target, o: output})[0], expected, rtol=1e-5)


def test_sparse_categorical_crossentropy_channels_axis_and_logits():
    logits = R.randn(2, 4, 3).astype(np.float32)
    loss = K.sparse_categorical_crossentropy(K.constant(LABELS), K.variable(logits),
                                             from_logits=True, axis=1)
    moved = np.moveaxis(logits, 1, -1)
    logp = moved - np.log(np.exp(moved).sum(-1, keepdims=True))
    expected = -np.take_along_axis(logp, LABELS[..., None], -1)[..., 0]
    np.testing.assert_allclose(K.eval(loss), expected, rtol=1e-5)


@pytest.mark.parametrize("axis", [-1, 2, 1, 0])
def test_categorical_crossentropy_axis(axis):
    target = np.moveaxis(np.eye(4)[LABELS], -1, axis).astype(np.float32)
    probs = np.moveaxis(P3, -1, axis)
    out = K.categorical_crossentropy(K.variable(target), K.variable(probs), axis=axis)
    clipped = np.clip(probs / probs.sum(axis, keepdims=True), 1e-7, 1 - 1e-7)
    expected = -(target * np.log(clipped)).sum(axis)
    np.testing.assert_allclose(K.eval(out), expected, rtol=1e-5)


@pytest.mark.parametrize("low,high", [(0.2, None), (None, 0.3), (0.5, 0.1), (-1, 1)])
def test_clip_with_open_or_inverted_bounds(low, high):
    if high is not None and low is not None and high < low:
        high_ref = low
    else:
        high_ref = high
    expected = np.clip(X, low, high_ref)
    np.testing.assert_allclose(K.eval(K.clip(K.variable(X), low, high)), expected)


def test_clip_with_tensor_bounds():
    out = K.clip(K.variable(X), K.constant(-0.5), K.constant(0.5, dtype="float64"))
    assert out.dtype == "float32"
    np.testing.assert_allclose(K.eval(out), np.clip(X, -0.5, 0.5))


def test_switch_with_scalar_condition_and_callables():
    x = K.placeholder((None, 4))
    flag = K.placeholder((), dtype="bool")
    out = K.switch(flag, lambda: x * 2, lambda: x - 1)
    assert run([out], {x: A24, flag: np.bool_(True)})[0] == pytest.approx(A24 * 2)
    assert run([out], {x: A24, flag: np.bool_(False)})[0] == pytest.approx(A24 - 1)


def test_switch_with_lower_rank_condition_selects_rows():
    x = K.placeholder((None, 3, 4))
    out = K.switch(K.greater(K.sum(x, axis=(1, 2)), 0), x, -x)
    keep = X.sum(axis=(1, 2)) > 0
    np.testing.assert_allclose(run([out], {x: X})[0], np.where(keep[:, None, None], X, -X))


def test_switch_refuses_a_condition_of_higher_rank():
    with pytest.raises(ValueError, match=r"switch: .*\(2, 3, 4\).*\(4,\)"):
        K.switch(K.variable(X) > 0, K.variable(X[0, 0]), K.variable(X[0, 0]))


def test_in_train_phase_with_callables_and_learning_phase():
    x = K.placeholder((None, 4))
    out = K.in_train_phase(lambda: x * 3, lambda: x, training=None)
    assert out._uses_learning_phase
    phase = K.learning_phase()
    np.testing.assert_allclose(run([out], {x: A24, phase: np.bool_(True)})[0], A24 * 3)
    np.testing.assert_allclose(run([out], {x: A24, phase: np.bool_(False)})[0], A24)
    np.testing.assert_allclose(run([K.in_train_phase(lambda: x * 3, lambda: x + 1,
                                                     training=0)], {x: A24})[0], A24 + 1)
    np.testing.assert_allclose(run([K.in_test_phase(lambda: x * 3, x, training=1)],
                                   {x: A24})[0], A24)


def test_eval_and_get_value_of_expressions():
    v = K.variable(X)
    np.testing.assert_allclose(K.eval(K.sum(v * 2, axis=-1)), (X * 2).sum(-1), rtol=1e-6)
    np.testing.assert_allclose(K.get_value(v + 1), X + 1)
    np.testing.assert_allclose(K.get_value(v), X)


def test_one_hot_of_nd_indices_is_floatx():
    out = K.eval(K.one_hot(K.constant(I, dtype="int32"), 3))
    np.testing.assert_array_equal(out, np.eye(3)[I])
    assert out.dtype == np.float32


OPERATORS = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "truediv": lambda a, b: a / b, "pow": lambda a, b: a ** b, "gt": lambda a, b: a > b,
    "le": lambda a, b: a <= b, "floordiv": lambda a, b: a // b,
}


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_python_operators_with_arrays_on_either_side(name):
    op = OPERATORS[name]
    base = np.abs(X) + 0.5
    other = np.abs(R.randn(3, 4)).astype(np.float32) + 0.5
    v = K.variable(base)
    for out, expected in [(op(v, other), op(base, other)), (op(other, v), op(other, base)),
                          (op(v, 2.0), op(base, 2.0)), (op(3, v), op(3, base))]:
        assert isinstance(out, K.Tensor)
        assert out.dtype == expected.dtype.name
        np.testing.assert_allclose(K.eval(out), expected, rtol=1e-5)


def test_integer_tensors_cast_compare_and_divide():
    ints = K.cast(K.variable(X * 10), "int32")
    assert ints.dtype == "int32"
    np.testing.assert_array_equal(K.eval(ints), (X * 10).astype(np.int32))
    np.testing.assert_array_equal(K.eval(K.greater(ints, 3)), (X * 10).astype(np.int32) > 3)
    np.testing.assert_array_equal(K.eval(K.equal(ints, ints)), True)
    halves = ints / 2
    assert halves.dtype == "float32"
    np.testing.assert_allclose(K.eval(halves), (X * 10).astype(np.int32) / 2)
    assert K.eval(K.argmax(K.variable(X))).dtype.kind == "i"
    assert K.mean(ints).dtype == "float32" and K.sqrt(ints).dtype == "float32"


@pytest.fixture
def float64_mode():
    previous = K.floatx()
    K.set_floatx("float64")
    yield
    K.set_floatx(previous)


FLOAT64_FUNCTIONS = {
    "relu": lambda v, i: K.relu(v, alpha=0.1, max_value=2.0),
    "elu": lambda v, i: K.elu(v),
    "softmax": lambda v, i: K.softmax(v, axis=1),
    "softplus": lambda v, i: K.softplus(v),
    "softsign": lambda v, i: K.softsign(v),
    "sigmoid": lambda v, i: K.sigmoid(v),
    "hard_sigmoid": lambda v, i: K.hard_sigmoid(v),
    "tanh": lambda v, i: K.tanh(v),
    "cce": lambda v, i: K.categorical_crossentropy(K.softmax(v), K.softmax(v)),
    "sparse_cce": lambda v, i: K.sparse_categorical_crossentropy(i, K.softmax(v)),
    "bce": lambda v, i: K.binary_crossentropy(K.sigmoid(v), K.sigmoid(v)),
    "dropout": lambda v, i: K.dropout(v, 0.5),
    "l2_normalize": lambda v, i: K.l2_normalize(v, -1),
    "mean_of_ints": lambda v, i: K.mean(i),
    "var": lambda v, i: K.var(v, axis=0),
    "std": lambda v, i: K.std(v),
    "logsumexp": lambda v, i: K.logsumexp(v, axis=-1),
    "one_hot": lambda v, i: K.one_hot(i, 4),
    "random_uniform": lambda v, i: K.random_uniform((2, 3)),
    "random_normal": lambda v, i: K.random_normal((2, 3)),
    "truncated_normal": lambda v, i: K.truncated_normal((2, 3)),
    "random_binomial": lambda v, i: K.random_binomial((2, 3), 0.5),
    "zeros": lambda v, i: K.zeros((2,)),
    "ones": lambda v, i: K.ones((2,)),
    "eye": lambda v, i: K.eye(3),
    "zeros_like": lambda v, i: K.zeros_like(v),
    "constant": lambda v, i: K.constant(1.5),
    "int_times_float": lambda v, i: K.cast(i, K.floatx()) * 0.5,
    "int_div_int": lambda v, i: i / 2,
    "sqrt_of_ints": lambda v, i: K.sqrt(i),
    "exp_of_ints": lambda v, i: K.exp(i),
    "clip": lambda v, i: K.clip(v, 0.1, None),
    "pow": lambda v, i: K.pow(v, 2),
    "batch_normalization": lambda v, i: K.batch_normalization(v, 0.5, 0.25, 0.0, 1.0),
    "normalize_batch_in_training": lambda v, i: K.normalize_batch_in_training(
        v, K.ones((4,)), K.zeros((4,)), [0, 1])[0],
    "dot": lambda v, i: K.dot(v, K.ones((4, 2))),
    "batch_dot": lambda v, i: K.batch_dot(v, v, axes=2),
    "switch": lambda v, i: K.switch(K.greater(v, 0.5), v, 0.0),
    "arange": lambda v, i: K.arange(3, dtype=K.floatx()),
    "bias_add": lambda v, i: K.bias_add(v, K.ones((4,))),
    "repeat": lambda v, i: K.repeat(v[:, 0], 2),
    "gradient": lambda v, i: K.gradients(K.sum(K.relu(v) * v), [v])[0],
    "random_uniform_variable": lambda v, i: K.random_uniform_variable((2, 2), 0, 1),
    "moving_average_update": lambda v, i: K.moving_average_update(
        K.zeros((2,)), K.ones((2,)), 0.9)[1],
}


@pytest.mark.parametrize("name", sorted(FLOAT64_FUNCTIONS))
def test_float64_mode_gives_float64_everywhere(float64_mode, name):
    v = K.variable(np.abs(R.randn(2, 3, 4)))
    ints = K.constant(LABELS, dtype="int32")
    out = FLOAT64_FUNCTIONS[name](v, ints)
    assert out.dtype == "float64"
    assert K.eval(out).dtype == np.float64
    assert K.placeholder((None, 4)).dtype == "float64"
    assert K.cast_to_floatx(1.0).dtype == np.float64


@pytest.mark.parametrize("build,message", [
    (lambda: K.placeholder((None, 3, 4)) + K.placeholder((None, 2, 4)),
     r"'add'.*\(None, 3, 4\).*\(None, 2, 4\)"),
    (lambda: K.concatenate([K.placeholder((None, 3)), K.placeholder((None, 2, 5))]),
     r"'concatenate'.*\[None, 3\].*\[None, 2, 5\]"),
    (lambda: K.reshape(K.variable(np.ones((2, 3))), (4, 2)),
     r"'reshape'.*\(2, 3\) to \(4, 2\)"),
    (lambda: K.squeeze(K.placeholder((None, 3, 2)), -1), r"'squeeze'.*\[None, 3, 2\]"),
    (lambda: K.gather(K.placeholder((None, 3)), K.placeholder((2,), dtype="float32")) * 0
     + K.placeholder((5, 5)), r"'add'"),
    (lambda: K.batch_dot(K.placeholder((4, 3)), K.placeholder((5, 3)), axes=1),
     r"batch_dot: batch sizes differ.*\(4, 3\).*\(5, 3\)"),
])
def test_mismatches_raise_at_build_time_naming_op_and_shapes(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def np_bilinear(x, fh, fw):
    """TensorFlow 1's resize_bilinear (no aligned corners) on NHWC arrays, pixel by pixel."""
    n, h, w, c = x.shape
    out = np.zeros((n, h * fh, w * fw, c))
    for i in range(h * fh):
        y0 = i // fh
        y1, dy = min(y0 + 1, h - 1), i / fh - y0
        for j in range(w * fw):
            x0 = j // fw
            x1, dx = min(x0 + 1, w - 1), j / fw - x0
            top = x[:, y0, x0] * (1 - dx) + x[:, y0, x1] * dx
            bottom = x[:, y1, x0] * (1 - dx) + x[:, y1, x1] * dx
            out[:, i, j] = top * (1 - dy) + bottom * dy
    return out


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_resize_images_bilinear_matches_tensorflow_1(data_format):
    images = R.rand(2, 3, 4, 2)
    expected = np_bilinear(images, 2, 3)
    if data_format == "channels_first":
        images, expected = images.transpose(0, 3, 1, 2), expected.transpose(0, 3, 1, 2)
    x = K.placeholder((None, None, None, None), dtype="float64")
    out = K.resize_images(x, 2, 3, data_format, interpolation="bilinear")
    np.testing.assert_allclose(run([out], {x: images})[0], expected, atol=1e-12)


def test_batch_normalization_applies_1d_statistics_along_axis():
    x = R.rand(2, 3, 4, 5)
    mean, var, gamma = R.rand(3), R.rand(3), R.rand(3)
    out = K.batch_normalization(K.variable(x, dtype="float64"), K.constant(mean, "float64"),
                                K.constant(var, "float64"), None, K.constant(gamma, "float64"),
                                axis=1)
    along = (slice(None), None, None)
    expected = (x - mean[along]) / np.sqrt(var[along] + 1e-3) * gamma[along]
    np.testing.assert_allclose(K.eval(out), expected)


def test_identity_and_dense_helpers_take_keras_arguments():
    v = K.variable(X)
    assert K.identity(v, name="copy").name == "copy"
    assert K.to_dense(tensor=v) is v and not K.is_sparse(tensor=v)


# Functions built from new compositions (run-time shapes, fill, broadcasts) as f(x) of a
# (None, None, 4) float64 placeholder: their gradients and their compiled results.
COMPOSED = {
    "batch_dot_nd": lambda x: K.batch_dot(K.expand_dims(x, 1), x, axes=(3, 2)),
    "batch_dot_2d": lambda x: K.batch_dot(x[:, 0], x[:, 1], axes=1),
    "tile_with_tensor": lambda x: K.tile(x, [1, K.shape(x)[1], 1]),
    "sparse_cce_3d": lambda x: K.sparse_categorical_crossentropy(
        K.constant(LABELS[:, :2]), K.softmax(x)),
    "bilinear": lambda x: K.resize_images(K.expand_dims(x), 2, 3, "channels_last",
                                          interpolation="bilinear"),
    "clip_tensor_bounds": lambda x: K.clip(x, K.constant(-0.3, "float64"), 0.4),
    "dot_nd": lambda x: K.dot(x, K.constant(R.randn(4, 3), "float64")),
}
XG = R.randn(2, 2, 4)


@pytest.mark.parametrize("name", sorted(COMPOSED))
def test_composed_gradients_match_finite_differences(name):
    x = K.placeholder((None, None, 4), dtype="float64")
    out = COMPOSED[name](x)
    weights = K.placeholder((None,) * len(K.int_shape(out)), dtype="float64")
    loss = K.sum(out * weights)
    grad = K.gradients(loss, [x])[0]
    w = R.randn(*run([out], {x: XG})[0].shape)
    analytic = run([grad], {x: XG, weights: w})[0]
    f = K.function([x, weights], [loss], mode="reference")
    numeric = np.zeros_like(XG)
    step = 1e-6
    for i in np.ndindex(XG.shape):
        up, down = XG.copy(), XG.copy()
        up[i] += step
        down[i] -= step
        numeric[i] = (f([up, w])[0] - f([down, w])[0]) / (2 * step)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", sorted(COMPOSED))
def test_composed_functions_compile_to_the_reference_result(name):
    x = K.placeholder((None, None, 4), dtype="float64")
    out = COMPOSED[name](x)
    reference = K.function([x], [out], mode="reference")([XG])[0]
    compiled = K.function([x], [out], mode="compiled")([XG])[0]
    np.testing.assert_allclose(compiled, reference, rtol=1e-7, atol=1e-10)


# (case, build over an int32 tensor i and a bool tensor b, expected dtype, NumPy value)
INTS = np.array([1, 2, 3], dtype=np.int32)
BOOLS = np.array([True, False, True])
WEAK_TYPING = [
    ("int_times_python_float", lambda i, b: i * 0.5, "float32", INTS * 0.5),
    ("python_float_minus_int", lambda i, b: 0.5 - i, "float32", 0.5 - INTS),
    ("int_times_numpy_float32", lambda i, b: i * np.float32(0.5), "float32", INTS * 0.5),
    ("int_plus_float_array", lambda i, b: i + np.array([0.5, 1.5, 2.5]), "float32",
     INTS + np.array([0.5, 1.5, 2.5])),
    ("int_plus_python_int", lambda i, b: i + 1, "int32", INTS + 1),
    ("int_greater_python_float", lambda i, b: i > 1.5, "bool", INTS > 1.5),
    ("int_maximum_python_float", lambda i, b: K.maximum(i, 1.5), "float32",
     np.maximum(INTS, 1.5)),
    ("bool_plus_python_int", lambda i, b: b + 1, "int32", BOOLS + 1),
    ("bool_times_python_float", lambda i, b: b * 1.5, "float32", BOOLS * 1.5),
    ("int_floordiv_int", lambda i, b: i // 2, "int32", INTS // 2),
    ("int_mod_int", lambda i, b: i % 2, "int32", INTS % 2),
    ("int_truediv_int", lambda i, b: i / i, "float32", INTS / INTS),
    ("python_int_truediv_int", lambda i, b: 3 / i, "float32", 3 / INTS),
]


@pytest.mark.parametrize("case,build,dtype,expected", WEAK_TYPING,
                         ids=[c[0] for c in WEAK_TYPING])
def test_numbers_and_arrays_adopt_the_tensor_dtype(case, build, dtype, expected):
    out = build(K.constant(INTS, dtype="int32"), K.constant(BOOLS, dtype="bool"))
    assert out.dtype == dtype
    np.testing.assert_allclose(K.eval(out), expected, rtol=1e-6)


def test_float_tensor_with_int_array_stays_in_its_dtype():
    v = K.variable(np.ones(3, np.float32))
    for out in [v + np.array([1, 2, 3]), np.array([1, 2, 3]) - v, v * np.float64(2), v + True]:
        assert out.dtype == "float32"


def test_float64_mode_weak_typing(float64_mode):
    i = K.constant(INTS, dtype="int32")
    assert (i * 0.5).dtype == "float64" and (i / 2).dtype == "float64"


@pytest.mark.parametrize("op", [K.update, K.update_add, K.update_sub])
def test_updates_check_shapes_when_built_and_cast_to_the_variable_dtype(op):
    v = K.variable(np.ones(3, np.float32))
    with pytest.raises(ValueError, match=r"update.*'variable_\d+:0'.*\(4,\).*\(3,\)"):
        op(v, K.variable(np.ones(4, np.float32)))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3,\)"):
        op(v, K.variable(np.ones((2, 3), np.float32)))
    variable, new = op(v, K.constant([1, 2, 3], dtype="float64"))
    assert variable is v and new.dtype == "float32"
    K.function([], [], updates=[op(v, K.placeholder((None,)) * 0 + 2)], mode="reference")
    if op is not K.update:
        f = K.function([], [], updates=[op(v, 2.0), op(K.variable(np.ones((2, 3))), [1, 2, 3])],
                       mode="reference")
        f([])
        assert K.get_value(v) == pytest.approx(np.ones(3) + (2 if op is K.update_add else -2))
    with pytest.raises(TypeError, match="must be a variable"):
        op(K.constant([1.0, 2.0, 3.0]), 1.0)


def test_moving_average_update_checks_shapes():
    with pytest.raises(ValueError, match=r"moving_average_update.*\(2,\).*\(3,\)"):
        K.moving_average_update(K.zeros((3,)), K.ones((2,)), 0.9)


# (case, key built from x and n = K.shape(x)[1], the same key in NumPy with n = 3)
TENSOR_INDEXING = [
    ("int_tensor", lambda x, n: x[:, n - 1], lambda a: a[:, 2]),
    ("negative_int_tensor", lambda x, n: x[:, K.constant(-1, dtype="int32")],
     lambda a: a[:, -1]),
    ("stop_tensor", lambda x, n: x[:, :n - 1], lambda a: a[:, :2]),
    ("start_tensor", lambda x, n: x[:, n - 2:], lambda a: a[:, 1:]),
    ("negative_start_tensor", lambda x, n: x[:, -n:], lambda a: a[:, -3:]),
    ("stop_past_the_end", lambda x, n: x[:, :n + 5], lambda a: a[:, :8]),
    ("start_past_the_end", lambda x, n: x[:, n + 5:], lambda a: a[:, 8:]),
    ("stepped_tensor_slice", lambda x, n: x[:, :n:2], lambda a: a[:, :3:2]),
    ("ellipsis_and_tensor", lambda x, n: x[..., :n], lambda a: a[..., :3]),
    ("newaxis_and_tensor", lambda x, n: x[1:, None, n - 1], lambda a: a[1:, None, 2]),
    ("int_list", lambda x, n: x[[1, 0, 1]], lambda a: a[[1, 0, 1]]),
    ("int_array_axis_1", lambda x, n: x[:, np.array([0, 2])], lambda a: a[:, [0, 2]]),
    ("vector_tensor", lambda x, n: x[K.constant([1, 0], dtype="int32")], lambda a: a[[1, 0]]),
    ("mixed", lambda x, n: x[0, n - 1, 1:3], lambda a: a[0, 2, 1:3]),
]


@pytest.mark.parametrize("case,build,ref", TENSOR_INDEXING, ids=[c[0] for c in TENSOR_INDEXING])
def test_indexing_with_integer_tensors_matches_numpy(case, build, ref):
    x = K.placeholder((None, None, 4))
    out = build(x, K.shape(x)[1])
    value = run([out], {x: X})[0]
    np.testing.assert_array_equal(value, ref(X))
    assert len(K.int_shape(out)) == value.ndim


def test_indexing_gradient_with_tensor_bounds_scatters_back():
    x = K.placeholder((None, None, 4), dtype="float64")
    loss = K.sum(x[:, 1:K.shape(x)[1]] * 3) + K.sum(x[:, K.shape(x)[1] - 1])
    grad = run([K.gradients(loss, [x])[0]], {x: XG})[0]
    expected = np.zeros_like(XG)
    expected[:, 1:] = 3
    expected[:, -1] += 1
    np.testing.assert_array_equal(grad, expected)


@pytest.mark.parametrize("key,error,message", [
    (lambda x: x[K.constant([0.5])], TypeError, "integers"),
    (lambda x: x[[0, 1], [0, 1]], TypeError, "at most one"),
    (lambda x: x[0, 0, 0, 0], IndexError, "too many indices"),
    (lambda x: x[:K.shape(x)[0]:-1], ValueError, "positive step"),
    (lambda x: x["a"], TypeError, "unsupported index"),
])
def test_bad_indices_raise_when_built(key, error, message):
    with pytest.raises(error, match=message):
        key(K.placeholder((None, None, 4)))


@pytest.mark.parametrize("fn,ref", [(K.maximum, np.maximum), (K.minimum, np.minimum),
                                    (K.equal, np.equal), (K.greater_equal, np.greater_equal),
                                    (K.not_equal, np.not_equal), (K.less, np.less)])
def test_binary_functions_take_arrays_and_numbers_on_either_side(fn, ref):
    a = np.array([1.0, 2.0, 3.0], np.float32)
    b = np.array([3.0, 2.0, 1.0], np.float32)
    cases = [((a, b), (a, b)), ((K.variable(a), b), (a, b)), ((a, K.variable(b)), (a, b)),
             ((a, 2.0), (a, 2.0)), ((2.0, K.variable(b)), (2.0, b))]
    for (x, y), (x_ref, y_ref) in cases:
        out = fn(x, y)
        assert isinstance(out, K.Tensor)
        np.testing.assert_array_equal(K.eval(out), ref(x_ref, y_ref))


@pytest.mark.parametrize("build", [lambda b: -b, lambda b: b - b, lambda b: K.sign(b)])
def test_bool_arithmetic_without_numbers_raises_when_built(build):
    flags = K.greater(K.variable(X), 0)
    with pytest.raises(TypeError, match=r"op '(neg|sub|sign)' on inputs \(bool\[2, 3, 4\]"):
        build(flags)


@pytest.mark.parametrize("fn", [K.sigmoid, K.softmax, K.softplus, K.softsign, K.elu,
                                K.hard_sigmoid, K.logsumexp, K.l2_normalize, K.tanh, K.exp])
@pytest.mark.parametrize("dtype", ["bool", "int32"])
def test_float_functions_compute_integer_and_bool_inputs_in_floatx(fn, dtype):
    values = (X > 0) if dtype == "bool" else (X * 3).astype(np.int32)
    out = fn(K.constant(values, dtype=dtype))
    assert out.dtype == "float32"
    reference = K.eval(fn(K.constant(values.astype(np.float32))))
    np.testing.assert_allclose(K.eval(out), reference, rtol=1e-6)


def test_one_hot_accepts_float_and_bool_indices():
    np.testing.assert_array_equal(K.eval(K.one_hot(K.constant([2.0, 0.0]), 3)),
                                  np.eye(3)[[2, 0]])
    np.testing.assert_array_equal(K.eval(K.one_hot(K.constant([True, False], "bool"), 2)),
                                  np.eye(2)[[1, 0]])


@pytest.mark.parametrize("start,size,ref", [
    (lambda n: [0, 1, 0], lambda n: [-1, 2, 3], lambda a: a[:, 1:3, :3]),
    (lambda n: [0, n[1] - 2, 1], lambda n: [n[0], 2, -1], lambda a: a[:, 1:, 1:]),
    (lambda n: K.constant([1, 0, 2], dtype="int32"),
     lambda n: K.constant([1, 2, 2], dtype="int32"), lambda a: a[1:2, 0:2, 2:4]),
])
def test_slice_with_int_or_tensor_starts_and_sizes(start, size, ref):
    x = K.placeholder((None, None, 4))
    n = K.shape(x)
    np.testing.assert_array_equal(run([K.slice(x, start(n), size(n))], {x: X})[0], ref(X))


def test_slice_needs_one_entry_per_axis():
    with pytest.raises(ValueError, match=r"slice: expected 3"):
        K.slice(K.placeholder((None, None, 4)), [0, 0], [1, 1])


def test_zeros_and_ones_with_tensor_shapes_are_tensors():
    x = K.placeholder((None, None, 4))
    zeros, ones = K.zeros((K.shape(x)[0], 5)), K.ones(K.shape(x), dtype="int32")
    assert not isinstance(zeros, K.Variable) and K.int_shape(zeros) == (None, 5)
    z, o = run([zeros, ones], {x: X})
    np.testing.assert_array_equal(z, np.zeros((2, 5), np.float32))
    assert o.dtype == np.int32 and o.shape == X.shape and (o == 1).all()
    assert isinstance(K.zeros((2, 3)), K.Variable)


def test_pow_keeps_integer_powers_and_takes_float_exponents_in_floatx():
    ints = K.constant([1, 4, 9], dtype="int32")
    assert K.pow(ints, 2).dtype == "int32"
    root = K.pow(ints, 0.5)
    assert root.dtype == "float32"
    np.testing.assert_allclose(K.eval(root), [1, 2, 3])
    np.testing.assert_allclose(K.eval(K.pow(np.array([2.0, 3.0]), 2)), [4, 9])
