"""Backend functions against independent NumPy formulas, their gradients against finite
differences in float64, and K.function's update semantics."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from graphkeras import backend as K

R = np.random.RandomState(0)


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_cce(t, o):
    o = o / o.sum(-1, keepdims=True)
    o = np.clip(o, 1e-7, 1 - 1e-7)
    return -(t * np.log(o)).sum(-1)


def np_bce(t, o):
    o = np.clip(o, 1e-7, 1 - 1e-7)
    return -(t * np.log(o) + (1 - t) * np.log(1 - o))


def np_keras_dot(x, y):
    return np.tensordot(x, y, axes=([x.ndim - 1], [y.ndim - 2]))


X = R.randn(3, 4).astype(np.float32)
Y = R.randn(3, 4).astype(np.float32)
P = np_softmax(R.randn(3, 4)).astype(np.float32)
T = np_softmax(R.randn(3, 4)).astype(np.float32)
B = R.rand(3, 4).astype(np.float32)

# (name, K expression over tensors, NumPy expression over arrays, inputs)
CASES = [
    ("softmax", lambda x: K.softmax(x), np_softmax, [X]),
    ("softmax_axis0", lambda x: K.softmax(x, axis=0), lambda x: np_softmax(x, 0), [X]),
    ("relu", K.relu, lambda x: np.maximum(x, 0), [X]),
    ("relu_all", lambda x: K.relu(x, alpha=0.1, max_value=1.0, threshold=0.2),
     lambda x: np.where(x > 0.2, np.minimum(x, 1.0), 0) - 0.1 * np.maximum(0.2 - x, 0), [X]),
    ("elu", lambda x: K.elu(x, 0.5), lambda x: np.where(x > 0, x, 0.5 * (np.exp(x) - 1)), [X]),
    ("softplus", K.softplus, lambda x: np.log1p(np.exp(x)), [X]),
    ("softsign", K.softsign, lambda x: x / (1 + np.abs(x)), [X]),
    ("sigmoid", K.sigmoid, np_sigmoid, [X]),
    ("hard_sigmoid", K.hard_sigmoid, lambda x: np.clip(0.2 * x + 0.5, 0, 1), [X]),
    ("tanh", K.tanh, np.tanh, [X]),
    ("cce", K.categorical_crossentropy, np_cce, [T, P]),
    ("cce_logits", lambda t, o: K.categorical_crossentropy(t, o, from_logits=True),
     lambda t, o: -(t * np.log(np_softmax(o))).sum(-1), [T, X]),
    ("scce", lambda t, o: K.sparse_categorical_crossentropy(t, o),
     lambda t, o: -np.log(np.clip(o[np.arange(3), t.astype(int)], 1e-7, 1)),
     [np.array([0, 3, 1], np.float32), P]),
    ("bce", K.binary_crossentropy, np_bce, [B, P]),
    ("bce_logits", lambda t, o: K.binary_crossentropy(t, o, from_logits=True),
     lambda t, o: np_bce(t, np_sigmoid(o)), [B, X]),
    ("logsumexp", lambda x: K.logsumexp(x, axis=1), lambda x: np.log(np.exp(x).sum(1)), [X]),
    ("l2_normalize", lambda x: K.l2_normalize(x, axis=1),
     lambda x: x / np.sqrt((x * x).sum(1, keepdims=True)), [X]),
    ("mean", lambda x: K.mean(x, axis=0, keepdims=True), lambda x: x.mean(0, keepdims=True), [X]),
    ("var", lambda x: K.var(x, axis=1), lambda x: x.var(1), [X]),
    ("std", lambda x: K.std(x), lambda x: x.std(), [X]),
    ("max", lambda x: K.max(x, axis=-1), lambda x: x.max(-1), [X]),
    ("min", lambda x: K.min(x, 0), lambda x: x.min(0), [X]),
    ("prod", lambda x: K.prod(x, 1), lambda x: x.prod(1), [X]),
    ("cumsum", lambda x: K.cumsum(x, 1), lambda x: x.cumsum(1), [X]),
    ("cumprod", lambda x: K.cumprod(x, 0), lambda x: x.cumprod(0), [X]),
    ("square", K.square, np.square, [X]),
    ("sqrt", K.sqrt, lambda x: np.sqrt(np.maximum(x, 0)), [X]),
    ("pow", lambda x: K.pow(x, 3), lambda x: x ** 3, [X]),
    ("clip", lambda x: K.clip(x, -0.5, 0.5), lambda x: np.clip(x, -0.5, 0.5), [X]),
    ("maximum", K.maximum, np.maximum, [X, Y]),
    ("minimum", K.minimum, np.minimum, [X, Y]),
    ("dot2d", lambda x, y: K.dot(x, K.transpose(y)), lambda x, y: x @ y.T, [X, Y]),
    ("dot3d", lambda x, y: K.dot(x, y), np_keras_dot,
     [R.randn(2, 3, 4).astype(np.float32), R.randn(5, 4, 2).astype(np.float32)]),
    ("batch_dot", lambda x, y: K.batch_dot(x, y, axes=(2, 1)),
     lambda x, y: np.einsum("bij,bjk->bik", x, y),
     [R.randn(2, 3, 4).astype(np.float32), R.randn(2, 4, 5).astype(np.float32)]),
    ("batch_dot_vec", lambda x, y: K.batch_dot(x, y, axes=1),
     lambda x, y: (x * y).sum(1, keepdims=True), [X, Y]),
    ("concatenate", lambda x, y: K.concatenate([x, y], axis=0),
     lambda x, y: np.concatenate([x, y], 0), [X, Y]),
    ("reshape", lambda x: K.reshape(x, (2, -1)), lambda x: x.reshape(2, -1), [X]),
    ("permute", lambda x: K.permute_dimensions(x, (1, 0)), lambda x: x.T, [X]),
    ("repeat_elements", lambda x: K.repeat_elements(x, 2, 1), lambda x: np.repeat(x, 2, 1), [X]),
    ("repeat", lambda x: K.repeat(x, 3), lambda x: np.repeat(x[:, None], 3, 1), [X]),
    ("tile", lambda x: K.tile(x, (2, 1)), lambda x: np.tile(x, (2, 1)), [X]),
    ("flatten", K.flatten, lambda x: x.ravel(), [X]),
    ("batch_flatten", K.batch_flatten, lambda x: x.reshape(2, -1),
     [R.randn(2, 3, 4).astype(np.float32)]),
    ("expand_squeeze", lambda x: K.squeeze(K.expand_dims(x, 1), 1), lambda x: x, [X]),
    ("temporal_padding", lambda x: K.temporal_padding(x, (1, 2)),
     lambda x: np.pad(x, ((0, 0), (1, 2), (0, 0))), [R.randn(2, 3, 4).astype(np.float32)]),
    ("spatial_2d_padding", lambda x: K.spatial_2d_padding(x, ((1, 0), (0, 2))),
     lambda x: np.pad(x, ((0, 0), (1, 0), (0, 2), (0, 0))),
     [R.randn(2, 3, 3, 2).astype(np.float32)]),
    ("stack", lambda x, y: K.stack([x, y], axis=1), lambda x, y: np.stack([x, y], 1), [X, Y]),
    ("one_hot", lambda i: K.one_hot(i, 5), lambda i: np.eye(5)[i],
     [np.array([0, 4, 2], np.int32)]),
    ("reverse", lambda x: K.reverse(x, 1), lambda x: x[:, ::-1], [X]),
    ("slice", lambda x: K.slice(x, (1, 0), (2, -1)), lambda x: x[1:3, 0:], [X]),
    ("indexing", lambda x: x[:, 1], lambda x: x[:, 1], [X]),
    ("indexing_newaxis", lambda x: x[1:, None, ::2], lambda x: x[1:, None, ::2], [X]),
    ("gather", lambda x: K.gather(x, K.constant([2, 0], dtype="int32")), lambda x: x[[2, 0]],
     [X]),
    ("switch", lambda x, y: K.switch(K.greater(x, 0), x, y), lambda x, y: np.where(x > 0, x, y),
     [X, Y]),
    ("resize_images", lambda x: K.resize_images(x, 2, 3, "channels_last"),
     lambda x: np.repeat(np.repeat(x, 2, 1), 3, 2), [R.randn(1, 2, 2, 1).astype(np.float32)]),
    ("bias_add_cf", lambda x, b: K.bias_add(x, b, "channels_first"),
     lambda x, b: x + b[None, :, None], [R.randn(2, 3, 4).astype(np.float32),
                                          R.randn(3).astype(np.float32)]),
    ("operators", lambda x, y: (x + 1) * y - x / 2 + (-y) ** 2,
     lambda x, y: (x + 1) * y - x / 2 + (-y) ** 2, [X, Y]),
]


def _run(fn, arrays, dtype=None):
    tensors = [K.placeholder(shape=a.shape, dtype=dtype if a.dtype.kind == "f" and dtype
                             else a.dtype.name) for a in arrays]
    out = fn(*tensors)
    return K.function(tensors, [out], mode="reference")(arrays)[0], tensors, out


@pytest.mark.parametrize("name,fn,ref,arrays", CASES, ids=[c[0] for c in CASES])
def test_backend_matches_numpy(name, fn, ref, arrays):
    value, _, out = _run(fn, arrays)
    expected = ref(*[a.astype(np.float64) if a.dtype.kind == "f" else a for a in arrays])
    assert value.shape == np.shape(expected)
    assert tuple(d for d in K.int_shape(out)) == value.shape
    np.testing.assert_allclose(value, expected, rtol=2e-5, atol=2e-6)


GRADIENT_CASES = [c for c in CASES if c[0] not in (
    "one_hot", "switch", "relu_all", "clip", "maximum", "minimum", "max", "min", "scce", "sqrt",
    "hard_sigmoid", "relu")]


@pytest.mark.parametrize("name,fn,ref,arrays", GRADIENT_CASES, ids=[c[0] for c in GRADIENT_CASES])
def test_backend_gradient_matches_finite_differences(name, fn, ref, arrays):
    from tests.gradcheck import numeric_gradient
    arrays = [a.astype(np.float64) if a.dtype.kind == "f" else a for a in arrays]
    inputs = [K.placeholder(shape=a.shape, dtype=a.dtype.name) for a in arrays]
    out = fn(*inputs)
    weights = np.random.RandomState(1).randn(*K.int_shape(out))
    loss = K.sum(out * K.constant(weights, dtype="float64"))
    floats = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    grads = K.gradients(loss, [inputs[i] for i in floats])
    f = K.function(inputs, grads, mode="reference")
    loss_f = K.function(inputs, [loss], mode="reference")
    for i, g in zip(floats, f(arrays)):
        expected = numeric_gradient(lambda a: float(loss_f(a)[0]), arrays, i)
        np.testing.assert_allclose(g, expected, rtol=1e-5, atol=1e-6, err_msg=name)


def test_float64_mode_makes_float64_graphs():
    K.set_floatx("float64")
    x = K.placeholder(shape=(None, 3))
    v = K.variable(np.ones((3, 2)))
    y = K.softmax(K.dot(x, v))
    assert x.dtype == "float64" and v.dtype == "float64" and y.dtype == "float64"
    out = K.function([x], [y], mode="reference")([np.ones((2, 3))])[0]
    assert out.dtype == np.float64


def test_updates_read_values_from_before_the_call():
    a = K.variable(1.0)
    b = K.variable(10.0)
    f = K.function([], [a + b], updates=[K.update(a, b), K.update(b, a)], mode="reference")
    out = f([])[0]
    assert out == 11.0
    assert K.get_value(a) == 10.0 and K.get_value(b) == 1.0


def test_moving_average_update():
    m = K.variable(np.zeros(2))
    f = K.function([], [], updates=[K.moving_average_update(m, K.constant([1.0, 2.0]), 0.9)],
                   mode="reference")
    f([])
    np.testing.assert_allclose(K.get_value(m), [0.1, 0.2], rtol=1e-6)


def test_learning_phase_switch():
    x = K.placeholder(shape=(2,))
    y = K.in_train_phase(x * 2, x * 3)
    assert y._uses_learning_phase
    f = K.function([x, K.learning_phase()], [y], mode="reference")
    np.testing.assert_allclose(f([np.ones(2), 1])[0], [2, 2])
    np.testing.assert_allclose(f([np.ones(2), 0])[0], [3, 3])
    g = K.function([x], [y], mode="reference")
    np.testing.assert_allclose(g([np.ones(2)])[0], [3, 3])
    K.set_learning_phase(1)
    assert K.in_train_phase(1, 2) == 1


def test_gradient_of_gradient_gives_hessian_vector_product():
    x = K.variable(np.array([0.5, -1.0, 2.0]))
    loss = K.sum(K.tanh(x) * x)
    g = K.gradients(loss, [x])[0]
    v = np.array([1.0, 2.0, 3.0], np.float32)
    hv = K.gradients(K.sum(g * K.constant(v)), [x])[0]
    xv = K.get_value(x).astype(np.float64)
    t = np.tanh(xv)
    hessian_diag = 2 * (1 - t * t) - 2 * xv * t * (1 - t * t)
    np.testing.assert_allclose(K.eval(hv), hessian_diag * v, rtol=1e-5)


def test_disconnected_variable_gets_zeros_and_integers_get_none():
    a, b = K.variable(np.ones(3)), K.variable(np.ones(2))
    i = K.variable(np.ones(2), dtype="int32")
    ga, gb, gi = K.gradients(K.sum(a * 2), [a, b, i])
    np.testing.assert_array_equal(K.eval(gb), np.zeros(2))
    np.testing.assert_array_equal(K.eval(ga), 2 * np.ones(3))
    assert gi is None


def test_stop_gradient_is_honoured():
    a = K.variable(np.ones(2))
    g = K.gradients(K.sum(a * K.stop_gradient(a * 3)), [a])[0]
    np.testing.assert_allclose(K.eval(g), [3, 3])


def test_relu_gradient_is_zero_at_zero_like_tensorflow():
    a = K.variable(np.array([0.0, 1.0, -1.0]))
    g = K.gradients(K.sum(K.relu(a)), [a])[0]
    np.testing.assert_array_equal(K.eval(g), [0, 1, 0])


def test_shape_mismatch_raises_at_build_time_naming_op_and_shapes():
    x = K.placeholder(shape=(None, 3))
    w = K.variable(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"matmul.*\(None, 3\).*\(4, 2\)"):
        K.dot(x, w)
    with pytest.raises(ValueError, match="add.*cannot be broadcast"):
        x + K.placeholder(shape=(None, 4))


def test_feeding_a_wrong_shape_names_the_input():
    x = K.placeholder(shape=(None, 3), name="features")
    f = K.function([x], [x * 2], mode="reference")
    with pytest.raises(ValueError, match="features.*expected shape"):
        f([np.ones((2, 4))])


def test_random_ops_have_their_distribution():
    u = K.eval(K.random_uniform((2000,), -1, 1, seed=1))
    n = K.eval(K.random_normal((2000,), 2.0, 0.5, seed=2))
    t = K.eval(K.truncated_normal((2000,), 0.0, 1.0, seed=3))
    b = K.eval(K.random_binomial((2000,), 0.3, seed=4))
    assert -1 <= u.min() and u.max() <= 1 and abs(u.mean()) < 0.1
    assert abs(n.mean() - 2) < 0.05 and abs(n.std() - 0.5) < 0.05
    assert np.abs(t).max() <= 2
    assert abs(b.mean() - 0.3) < 0.05


def test_dropout_scales_kept_values_and_follows_noise_shape():
    x = K.placeholder(shape=(None, 4))
    y = K.dropout(x, 0.5, noise_shape=(None, 1), seed=3)
    out = K.function([x], [y], mode="reference")([np.ones((50, 4))])[0]
    assert set(np.unique(out)) <= {0.0, 2.0}
    assert (out == out[:, :1]).all()


def test_dynamic_shapes_reshape_with_batch_tensor():
    x = K.placeholder(shape=(None, 2, 3))
    y = K.reshape(x, (K.shape(x)[0], -1))
    assert K.int_shape(y) == (None, None)
    out = K.function([x], [y], mode="reference")([np.ones((5, 2, 3))])[0]
    assert out.shape == (5, 6)


def test_values_and_counts():
    v = K.variable(np.arange(6).reshape(2, 3), name="v")
    assert K.count_params(v) == 6
    K.set_value(v, np.ones((2, 3)))
    assert K.batch_get_value([v])[0].sum() == 6
    assert K.int_shape(v) == (2, 3) and K.ndim(v) == 2 and K.dtype(v) == "float32"
    assert K.is_keras_tensor(K.placeholder((2,))) is False
    with K.name_scope("dense_1"):
        w = K.variable(1.0, name="kernel")
    assert w.name == "dense_1/kernel:0"


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4))
def test_in_top_k_counts_strictly_better_scores(b, c, k):
    rng = np.random.RandomState(b * 16 + c)
    p = rng.randn(b, c).astype(np.float32)
    t = rng.randint(0, c, b)
    out = K.eval(K.in_top_k(K.constant(p), K.constant(t, dtype="int32"), k))
    expected = [(p[i] > p[i, t[i]]).sum() < k for i in range(b)]
    np.testing.assert_array_equal(out, expected)
