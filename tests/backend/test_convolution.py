"""Backend convolution and pooling (K.conv2d ... K.local_conv2d) against direct loops written
here, their data formats and paddings, the Numba kernels against the ops' references, and two
Keras 2 fixtures recomputed from their weights."""
import itertools
import json
import os

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from graphkeras import backend as K
from graphkeras import ir
from graphkeras.ir.ops import nn as NN
from graphkeras.runtime.kernels import conv as conv_kernels
from graphkeras.runtime.kernels import pool as pool_kernels

FIXTURES = "/work/shared/fixtures/keras2"
SETTINGS = settings(max_examples=12, deadline=None)


def evaluate(build, *arrays):
    holders = [K.placeholder(shape=a.shape, dtype=a.dtype.name) for a in arrays]
    return K.function(holders, [build(*holders)])(list(arrays))[0]


# Direct-loop references, channels_last, Keras' 'same' written out by hand.

def same_pads(size, k, s, d):
    out = -(-size // s)
    total = max(0, (out - 1) * s + (k - 1) * d + 1 - size)
    return total // 2, total - total // 2


def loop_conv(x, w, strides, padding, dilation):
    sizes, window = x.shape[1:-1], w.shape[:-2]
    pads = [same_pads(*a) if padding == "same" else (0, 0)
            for a in zip(sizes, window, strides, dilation)]
    outs = [(n + b + a - (k - 1) * d - 1) // s + 1
            for n, (b, a), k, s, d in zip(sizes, pads, window, strides, dilation)]
    y = np.zeros((x.shape[0], *outs, w.shape[-1]))
    for o in itertools.product(*map(range, outs)):
        for k in itertools.product(*map(range, window)):
            p = [oi * s + ki * d - b for oi, ki, s, d, (b, _) in zip(o, k, strides, dilation, pads)]
            if all(0 <= pi < n for pi, n in zip(p, sizes)):
                y[(slice(None), *o)] += x[(slice(None), *p)] @ w[k]
    return y


def loop_pool(x, size, strides, padding, mode):
    sizes = x.shape[1:-1]
    pads = [same_pads(n, k, s, 1) if padding == "same" else (0, 0)
            for n, k, s in zip(sizes, size, strides)]
    outs = [(n + b + a - k) // s + 1 for n, (b, a), k, s in zip(sizes, pads, size, strides)]
    y = np.zeros((x.shape[0], *outs, x.shape[-1]))
    for o in itertools.product(*map(range, outs)):
        cells = [x[(slice(None), *p)] for p in itertools.product(*[
            [oi * s + ki - b for ki in range(k) if 0 <= oi * s + ki - b < n]
            for oi, s, k, (b, _), n in zip(o, strides, size, pads, sizes)])]
        y[(slice(None), *o)] = np.max(cells, 0) if mode == "max" else np.mean(cells, 0)
    return y


def to_first(a):
    return np.moveaxis(a, -1, 1)


def to_last(a):
    return np.moveaxis(a, 1, -1)


def to_first_tensor(t):
    return K.permute_dimensions(t, (0, 3, 1, 2))


@st.composite
def conv_cases(draw, rank):
    k = tuple(draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank)))
    padding = draw(st.sampled_from(["same", "valid"]))
    if draw(st.booleans()):
        strides, dilation = tuple(draw(st.lists(st.integers(1, 2), min_size=rank,
                                                max_size=rank))), (1,) * rank
    else:
        strides, dilation = (1,) * rank, tuple(draw(st.lists(st.integers(1, 2), min_size=rank,
                                                             max_size=rank)))
    sizes = tuple(draw(st.integers((ki - 1) * d + 1, 6 - rank + (ki - 1) * d))
                  for ki, d in zip(k, dilation))
    rng = np.random.RandomState(draw(st.integers(0, 9999)))
    x = rng.randn(2, *sizes, draw(st.integers(1, 3))).astype("float32")
    w = rng.randn(*k, x.shape[-1], draw(st.integers(1, 3))).astype("float32")
    return x, w, strides, padding, dilation


FUNCTIONS = {1: K.conv1d, 2: K.conv2d, 3: K.conv3d}


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_conv_matches_direct_loops(rank, data_format):
    @SETTINGS
    @given(conv_cases(rank))
    def check(case):
        x, w, strides, padding, dilation = case
        expected = loop_conv(x, w, strides, padding, dilation)
        fed = to_first(x) if data_format == "channels_first" else x
        got = evaluate(lambda t: FUNCTIONS[rank](
            t, K.constant(w), strides=strides if rank > 1 else strides[0], padding=padding,
            data_format=data_format, dilation_rate=dilation if rank > 1 else dilation[0]), fed)
        if data_format == "channels_first":
            got = to_last(got)
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    check()


def test_conv1d_causal_pads_before_only():
    rng = np.random.RandomState(0)
    x = rng.randn(2, 7, 3).astype("float32")
    w = rng.randn(2, 3, 4).astype("float32")
    got = evaluate(lambda t: K.conv1d(t, K.constant(w), padding="causal", dilation_rate=3), x)
    padded = np.concatenate([np.zeros((2, 3, 3), "float32"), x], axis=1)
    np.testing.assert_allclose(got, loop_conv(padded, w, (1,), "valid", (3,)), rtol=1e-5,
                               atol=1e-5)
    changed = x.copy()
    changed[:, 4:] += 1
    later = evaluate(lambda t: K.conv1d(t, K.constant(w), padding="causal", dilation_rate=3),
                     changed)
    np.testing.assert_array_equal(later[:, :4], got[:, :4])


def test_conv1d_causal_rejects_channels_first():
    x = K.placeholder(shape=(None, 3, 7))
    with pytest.raises(ValueError, match="causal"):
        K.conv1d(x, K.constant(np.zeros((2, 3, 4))), padding="causal",
                 data_format="channels_first")


def test_conv2d_same_stride_two_pads_after():
    # 4 inputs, kernel 2, stride 2, 'same': no pad; 5 inputs: one pad, after.
    x = np.arange(5, dtype="float32").reshape(1, 5, 1, 1)
    w = np.ones((2, 1, 1, 1), "float32")
    got = evaluate(lambda t: K.conv2d(t, K.constant(w), strides=(2, 1), padding="same"), x)
    np.testing.assert_array_equal(got.ravel(), [1, 5, 4])


def test_conv_errors_name_the_function_and_shapes():
    with pytest.raises(ValueError, match=r"conv2d expects a 4D input.*\(None, 5, 3\)"):
        K.conv2d(K.placeholder(shape=(None, 5, 3)), K.constant(np.zeros((3, 3, 3, 2))))
    with pytest.raises(ValueError, match="padding"):
        K.conv2d(K.placeholder(shape=(None, 5, 5, 3)), K.constant(np.zeros((3, 3, 3, 2))),
                 padding="full")
    with pytest.raises(ValueError, match="data_format"):
        K.conv2d(K.placeholder(shape=(None, 5, 5, 3)), K.constant(np.zeros((3, 3, 3, 2))),
                 data_format="NCHW")


def test_depthwise_and_separable_conv2d():
    rng = np.random.RandomState(1)
    x = rng.randn(2, 6, 5, 3).astype("float32")
    depthwise = rng.randn(3, 3, 3, 2).astype("float32")
    pointwise = rng.randn(1, 1, 6, 4).astype("float32")
    per_channel = np.concatenate(
        [loop_conv(x[..., c:c + 1], depthwise[:, :, c:c + 1, :], (2, 1), "same", (1, 1))
         for c in range(3)], axis=-1)   # channel c * multiplier + m
    got = evaluate(lambda t: K.depthwise_conv2d(t, K.constant(depthwise), strides=(2, 1),
                                                padding="same"), x)
    np.testing.assert_allclose(got, per_channel, rtol=1e-5, atol=1e-5)
    separable = evaluate(lambda t: K.separable_conv2d(
        to_first_tensor(t), K.constant(depthwise), K.constant(pointwise), strides=(2, 1),
        padding="same", data_format="channels_first"), x)
    np.testing.assert_allclose(to_last(separable), per_channel @ pointwise[0, 0], rtol=1e-4,
                               atol=1e-4)


def test_separable_conv1d():
    rng = np.random.RandomState(2)
    x = rng.randn(2, 9, 2).astype("float32")
    depthwise = rng.randn(3, 2, 2).astype("float32")
    pointwise = rng.randn(1, 4, 3).astype("float32")
    depth = np.concatenate([loop_conv(x[..., c:c + 1], depthwise[:, c:c + 1], (2,), "valid",
                                      (1,)) for c in range(2)], axis=-1)
    got = evaluate(lambda t: K.separable_conv1d(t, K.constant(depthwise), K.constant(pointwise),
                                                strides=2), x)
    np.testing.assert_allclose(got, depth @ pointwise[0], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_conv2d_transpose_is_the_adjoint_of_conv2d(data_format):
    rng = np.random.RandomState(3)
    a = rng.randn(2, 7, 6, 3).astype("float32")
    w = rng.randn(3, 2, 3, 4).astype("float32")   # conv: 3 -> 4; transpose: 4 -> 3
    y = loop_conv(a, w, (2, 2), "same", (1, 1))
    b = rng.randn(*y.shape).astype("float32")
    first = data_format == "channels_first"
    shape = (None, 3, 7, 6) if first else (None, 7, 6, 3)
    got = evaluate(lambda t: K.conv2d_transpose(t, K.constant(w), shape, strides=(2, 2),
                                                padding="same", data_format=data_format),
                   to_first(b) if first else b)
    got = to_last(got) if first else got
    assert got.shape == a.shape
    np.testing.assert_allclose(np.sum(got * a), np.sum(y * b), rtol=1e-4)


def test_conv_transpose_with_run_time_sizes_and_gradient():
    rng = np.random.RandomState(4)
    x = K.placeholder(shape=(None, None, None, 2))
    w = K.variable(rng.randn(3, 3, 5, 2).astype("float32"))
    shape = K.shape(x)
    y = K.conv2d_transpose(x, w, (shape[0], shape[1] * 2, shape[2] * 2, 5), strides=(2, 2),
                           padding="same")
    assert K.int_shape(y) == (None, None, None, 5)
    loss = K.sum(y * y)
    grads = K.gradients(loss, [x, w])
    value = rng.randn(1, 3, 4, 2).astype("float32")
    out, gx, gw = K.function([x], [y] + grads)([value])
    assert out.shape == (1, 6, 8, 5) and gx.shape == value.shape and gw.shape == (3, 3, 5, 2)
    expected = NN.input_grad_reference(value.astype("float64"), w.numpy().astype("float64"),
                                       input_spatial=(6, 8), strides=(2, 2), dilation=(1, 1),
                                       pads="same", groups=1)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)


def test_conv3d_transpose_shape():
    x = K.placeholder(shape=(None, 4, 2, 3, 3))
    y = K.conv3d_transpose(x, K.constant(np.ones((2, 2, 2, 6, 4))), (None, 6, 4, 6, 6),
                           strides=(2, 2, 2), padding="valid", data_format="channels_first")
    assert K.int_shape(y) == (None, 6, 4, 6, 6)


# Pooling.

@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_pool_matches_direct_loops(mode, data_format):
    @SETTINGS
    @given(st.integers(2, 3), st.sampled_from(["same", "valid"]), st.integers(0, 9999))
    def check(rank, padding, seed):
        rng = np.random.RandomState(seed)
        size = tuple(rng.randint(1, 4, rank))
        strides = tuple(rng.randint(1, 4, rank))
        x = rng.randn(2, *(rng.randint(3, 6, rank)), 2).astype("float32")
        expected = loop_pool(x, size, strides, padding, mode)
        first = data_format == "channels_first"
        pool = K.pool2d if rank == 2 else K.pool3d
        got = evaluate(lambda t: pool(t, size, strides, padding, data_format, mode),
                       to_first(x) if first else x)
        np.testing.assert_allclose(to_last(got) if first else got, expected, rtol=1e-5,
                                   atol=1e-6)
    check()


def test_pool_rejects_unknown_mode():
    with pytest.raises(ValueError, match="pool2d.*pooling mode"):
        K.pool2d(K.placeholder(shape=(None, 4, 4, 1)), (2, 2), pool_mode="sum")


# Locally connected: the Keras 2.2 definition (slice, flatten, batch_dot) written out.

def keras_local_conv(x, kernel, kernel_size, strides, channels_first):
    """x channels_last; features flattened (k..., c) or, for channels_first, (c, k...)."""
    rank = len(kernel_size)
    outs = [(n - k) // s + 1 for n, k, s in zip(x.shape[1:-1], kernel_size, strides)]
    y = np.zeros((x.shape[0], *outs, kernel.shape[-1]))
    for position, o in enumerate(itertools.product(*map(range, outs))):
        window = x[(slice(None),) + tuple(slice(oi * s, oi * s + k)
                                          for oi, s, k in zip(o, strides, kernel_size))]
        if channels_first:
            window = np.moveaxis(window, -1, 1)
        y[(slice(None), *o)] = window.reshape(x.shape[0], -1) @ kernel[position]
    assert y.ndim == rank + 2
    return y


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_local_conv2d_matches_keras_definition(data_format):
    rng = np.random.RandomState(5)
    x = rng.randn(2, 6, 5, 3).astype("float32")
    kernel = rng.randn(2 * 2, 3 * 2 * 3, 4).astype("float32")
    first = data_format == "channels_first"
    got = evaluate(lambda t: K.local_conv2d(t, K.constant(kernel), (3, 2), (2, 2), (2, 2),
                                            data_format), to_first(x) if first else x)
    expected = keras_local_conv(x, kernel, (3, 2), (2, 2), first)
    np.testing.assert_allclose(to_last(got) if first else got, expected, rtol=1e-5, atol=1e-5)


def test_local_conv1d_matches_keras_definition_and_checks_kernel():
    rng = np.random.RandomState(6)
    x = rng.randn(3, 7, 2).astype("float32")
    kernel = rng.randn(3, 3 * 2, 5).astype("float32")
    got = evaluate(lambda t: K.local_conv1d(t, K.constant(kernel), (3,), (2,)), x)
    np.testing.assert_allclose(got, keras_local_conv(x, kernel, (3,), (2,), False), rtol=1e-5,
                               atol=1e-5)
    with pytest.raises(ValueError, match="local_conv1d.*output positions"):
        K.local_conv1d(K.placeholder(shape=(None, 9, 2)), K.constant(kernel), (3,), (2,))


# Numba kernels against the ops' NumPy references (both strategies, both float widths).

@st.composite
def kernel_cases(draw):
    rank = draw(st.integers(1, 3))
    k = tuple(draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank)))
    strides = tuple(draw(st.lists(st.integers(1, 2), min_size=rank, max_size=rank)))
    dilation = tuple(draw(st.lists(st.integers(1, 2), min_size=rank, max_size=rank)))
    sizes = tuple(draw(st.integers((ki - 1) * d + 1, (ki - 1) * d + 4))
                  for ki, d in zip(k, dilation))
    pads = draw(st.sampled_from(["same", ((0, 0),) * rank, ((1, 0),) * rank]))
    groups = draw(st.sampled_from([1, 2]))
    dtype = draw(st.sampled_from(["float32", "float64"]))
    rng = np.random.RandomState(draw(st.integers(0, 9999)))
    x = rng.randn(draw(st.integers(1, 3)), *sizes, groups * draw(st.integers(1, 2)))
    w = rng.randn(*k, x.shape[-1] // groups, groups * draw(st.integers(1, 3)))
    attrs = dict(strides=strides, dilation=dilation, pads=pads, groups=groups)
    return x.astype(dtype), w.astype(dtype), attrs


@settings(max_examples=25, deadline=None)
@given(kernel_cases())
def test_conv_kernels_match_references(case):
    x, w, attrs = case
    tol = 1e-4 if x.dtype == np.float32 else 1e-10
    expected = NN.conv_reference(x, w, **attrs)
    g = np.random.RandomState(0).randn(*expected.shape).astype(x.dtype)
    in_attrs = dict(attrs, input_spatial=x.shape[1:-1])
    filter_attrs = dict(attrs, window=w.shape[:-2])
    strategies = ["gemm"] + (["depthwise"] if w.shape[-2] == 1 else [])
    for strategy in strategies:
        y = conv_kernels.conv_forward(attrs, x, w, strategy=strategy)
        assert y.dtype == x.dtype
        np.testing.assert_allclose(y, expected, rtol=tol, atol=tol)
        dx = conv_kernels.conv_input_grad_kernel(in_attrs, g, w, strategy=strategy)
        np.testing.assert_allclose(dx, NN.input_grad_reference(g, w, **in_attrs), rtol=tol,
                                   atol=tol)
        dw = conv_kernels.conv_filter_grad_kernel(filter_attrs, x, g, strategy=strategy)
        np.testing.assert_allclose(dw, NN.filter_grad_reference(x, g, **filter_attrs),
                                   rtol=tol, atol=tol)


def test_conv_kernel_splits_large_batches_into_column_chunks(monkeypatch):
    rng = np.random.RandomState(7)
    x = rng.randn(5, 6, 6, 3)
    w = rng.randn(3, 3, 3, 4)
    attrs = dict(strides=(1, 1), dilation=(1, 1), pads="same", groups=1)
    monkeypatch.setattr(conv_kernels, "COLUMN_BYTES", 1)
    assert len(conv_kernels.batch_chunks(5, 100)) == 5
    g = rng.randn(5, 6, 6, 4)
    np.testing.assert_allclose(conv_kernels.conv_forward(attrs, x, w, strategy="gemm"),
                               NN.conv_reference(x, w, **attrs), rtol=1e-10)
    np.testing.assert_allclose(
        conv_kernels.conv_filter_grad_kernel(dict(attrs, window=(3, 3)), x, g, strategy="gemm"),
        NN.filter_grad_reference(x, g, window=(3, 3), **attrs), rtol=1e-10)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 3), st.sampled_from(["same", "valid"]),
       st.sampled_from(["float32", "float64"]), st.integers(0, 9999))
def test_pool_kernels_match_references(rank, padding, dtype, seed):
    rng = np.random.RandomState(seed)
    window = tuple(rng.randint(1, 4, rank))
    attrs = dict(window=window, strides=tuple(rng.randint(1, 4, rank)),
                 pads="same" if padding == "same" else ((0, 0),) * rank)
    x = rng.randn(2, *(np.array(window) + rng.randint(0, 3, rank)), 3)
    x = np.round(x, 1).astype(dtype)   # ties happen: the first maximum must win
    tol = 1e-5 if dtype == "float32" else 1e-12
    y = pool_kernels.max_pool_kernel(attrs, x)
    np.testing.assert_array_equal(y, NN.max_pool_reference(x, **attrs))
    np.testing.assert_allclose(pool_kernels.avg_pool_kernel(attrs, x),
                               NN.avg_pool_reference(x, **attrs), rtol=tol, atol=tol)
    g = rng.randn(*y.shape).astype(dtype)
    gx = rng.randn(*x.shape).astype(dtype)
    np.testing.assert_allclose(pool_kernels.max_pool_grad_kernel(attrs, x, g),
                               NN.max_pool_grad_reference(x, g, **attrs), rtol=tol, atol=tol)
    np.testing.assert_allclose(pool_kernels.max_pool_select_kernel(attrs, x, gx),
                               NN.max_pool_select_reference(x, gx, **attrs), rtol=tol, atol=tol)
    np.testing.assert_allclose(pool_kernels.avg_pool_grad_kernel(attrs, g, x),
                               NN.avg_pool_grad_reference(g, x, **attrs), rtol=tol, atol=tol)


# Keras 2 fixtures: the models recomputed layer by layer from their saved weights.

def load_case(case):
    import h5py
    folder = os.path.join(FIXTURES, case)
    weights = {}
    with h5py.File(os.path.join(folder, "weights.h5"), "r") as f:
        f.visititems(lambda name, obj: weights.__setitem__(name.split("/", 1)[1], obj[()])
                     if hasattr(obj, "shape") else None)
    return folder, {k: K.variable(v) for k, v in weights.items()}


def layer(w, name, x, conv, **kwargs):
    return K.relu(K.bias_add(conv(x, w[f"{name}/kernel:0"], **kwargs), w[f"{name}/bias:0"]))


def dense(w, x, name="dense"):
    return K.bias_add(K.dot(x, w[f"{name}/kernel:0"]), w[f"{name}/bias:0"])


def check_fixture(folder, x, t, y, loss, params):
    io = np.load(os.path.join(folder, "io.npz"))
    grads = np.load(os.path.join(folder, "grads.npz"))
    meta = json.load(open(os.path.join(folder, "meta.json")))
    tol = meta["tolerance"]
    names = meta["trainable_weights"]
    grad_tensors = K.gradients(loss, [params[n] for n in names])
    values = K.function([x, t], [y, loss] + grad_tensors)([io["x0"], grads["t0"]])
    np.testing.assert_allclose(values[0], io["y0"], **tol["outputs"])
    np.testing.assert_allclose(values[1], grads["loss"], **tol["loss"])
    for name, value in zip(names, values[2:]):
        np.testing.assert_allclose(value, grads[name], err_msg=name, **tol["grads"])


@pytest.mark.skipif(not os.path.isdir(FIXTURES), reason="Keras 2 fixtures not present")
def test_conv1d_seq_fixture_outputs_and_gradients():
    folder, w = load_case("conv1d_seq")
    x = K.placeholder(shape=(None, 20, 4))
    h = layer(w, "conv1d", x, K.conv1d, padding="valid")
    h = layer(w, "conv1d_1", h, K.conv1d, strides=2, padding="same")
    # MaxPooling1D is pool2d over an added axis, as in Keras 2.2.
    h = K.squeeze(K.pool2d(K.expand_dims(h, 2), (2, 1), (2, 1), "valid"), 2)
    h = layer(w, "conv1d_2", h, K.conv1d, padding="causal", dilation_rate=2)
    y = K.sigmoid(dense(w, K.mean(h, axis=1)))
    t = K.placeholder(shape=(None, 1))
    loss = K.mean(K.binary_crossentropy(t, y))
    check_fixture(folder, x, t, y, loss, w)


@pytest.mark.skipif(not os.path.isdir(FIXTURES), reason="Keras 2 fixtures not present")
def test_cnn_vgg_like_fixture_outputs_and_gradients():
    folder, w = load_case("cnn_vgg_like")
    x = K.placeholder(shape=(None, 16, 16, 3))
    h = layer(w, "conv2d", x, K.conv2d, padding="same")
    h = layer(w, "conv2d_1", h, K.conv2d, padding="valid")
    h = K.pool2d(h, (2, 2), (2, 2), "valid")
    h = layer(w, "conv2d_2", h, K.conv2d, strides=(2, 2), padding="same")
    h = K.pool2d(h, (2, 2), (1, 1), "same")
    y = K.softmax(dense(w, K.batch_flatten(h)))
    t = K.placeholder(shape=(None, 10))
    loss = K.mean(K.categorical_crossentropy(t, y))
    check_fixture(folder, x, t, y, loss, w)


@pytest.mark.parametrize("groups", [1, 2])
def test_pointwise_conv_kernels_skip_the_column_copy(groups):
    rng = np.random.RandomState(8)
    x = rng.randn(3, 4, 5, 4)
    w = rng.randn(1, 1, 4 // groups, 6)
    g = rng.randn(3, 4, 5, 6)
    attrs = dict(strides=(1, 1), dilation=(1, 1), pads="same", groups=groups)
    assert conv_kernels.Geometry.of(attrs, (4, 5), (1, 1)).is_pointwise()
    np.testing.assert_allclose(conv_kernels.conv_forward(attrs, x, w),
                               NN.conv_reference(x, w, **attrs), rtol=1e-12)
    in_attrs = dict(attrs, input_spatial=(4, 5))
    np.testing.assert_allclose(conv_kernels.conv_input_grad_kernel(in_attrs, g, w),
                               NN.input_grad_reference(g, w, **in_attrs), rtol=1e-12)
    filter_attrs = dict(attrs, window=(1, 1))
    np.testing.assert_allclose(conv_kernels.conv_filter_grad_kernel(filter_attrs, x, g),
                               NN.filter_grad_reference(x, g, **filter_attrs), rtol=1e-12)


def test_gradient_penalty_second_order_matches_finite_differences():
    # d/dw of |d loss / dx|^2 goes through every conv and pool gradient op, compiled.
    rng = np.random.RandomState(9)
    x_value = rng.randn(2, 5, 5, 2)
    w_value = rng.randn(3, 3, 2, 3)
    x = K.placeholder(shape=(None, 5, 5, 2), dtype="float64")
    w = K.variable(w_value, dtype="float64")

    def penalty(weights):
        h = K.conv2d(x, weights, strides=(2, 2), padding="same")
        h = K.pool2d(h, (2, 2), (1, 1), "same", pool_mode="max") + \
            K.pool2d(h, (2, 2), (1, 1), "same", pool_mode="avg")
        (dx,) = K.gradients(K.sum(K.square(h)), [x])
        return K.sum(K.square(dx))

    value = penalty(w)
    (dw,) = K.gradients(value, [w])
    analytic = K.function([x], [dw])([x_value])[0]
    f = K.function([x], [value])
    numeric = np.zeros_like(w_value)
    for i in np.ndindex(w_value.shape):
        for sign in (1, -1):
            shifted = w_value.copy()
            shifted[i] += sign * 1e-6
            K.set_value(w, shifted)
            numeric[i] += sign * f([x_value])[0] / 2e-6
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-5)
