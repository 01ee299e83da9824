"""K.rnn as one scan node (and unrolled), with BPTT; K.map_fn, K.foldl, K.foldr against NumPy."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from graphkeras import backend as K


def run(inputs, outputs, values, mode="reference"):
    return K.function(inputs, outputs, mode=mode)(values)


def scan_nodes(tensor):
    from graphkeras import ir
    return [n for n in ir.topological_order([tensor.node]) if n.op == "scan"]


class SimpleCell:
    """h_t = tanh(x_t W + h U + b), the output is h_t; weights are backend variables."""

    def __init__(self, n_in, units, dtype="float64", seed=0):
        rng = np.random.RandomState(seed)
        self.W = K.variable(rng.standard_normal((n_in, units)) * 0.5, dtype=dtype)
        self.U = K.variable(rng.standard_normal((units, units)) * 0.5, dtype=dtype)
        self.b = K.variable(rng.standard_normal(units) * 0.1, dtype=dtype)

    def step(self, x_t, states):
        h = K.tanh(K.dot(x_t, self.W) + K.dot(states[0], self.U) + self.b)
        return h, [h]

    def numpy(self, x, h0, mask=None, go_backwards=False, unrolled=False):
        """Masked steps output states[0] in the loop, the previous output (0 first) unrolled."""
        W, U, b = (K.get_value(v) for v in (self.W, self.U, self.b))
        h, outs = h0, []
        order = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
        for t in order:
            new = np.tanh(x[:, t] @ W + h @ U + b)
            if mask is not None:
                keep = mask[:, t, None]
                previous = (outs[-1] if outs else np.zeros_like(h)) if unrolled else h
                out = np.where(keep, new, previous)
                new = np.where(keep, new, h)
            else:
                out = new
            h = new
            outs.append(out)
        return np.stack(outs, axis=1), h


class LSTMCell:
    """Two states (h, c) and a constant added to the cell input."""

    def __init__(self, n_in, units, dtype="float64", seed=1):
        rng = np.random.RandomState(seed)
        self.kernel = K.variable(rng.standard_normal((n_in, 4 * units)) * 0.4, dtype=dtype)
        self.recurrent = K.variable(rng.standard_normal((units, 4 * units)) * 0.4, dtype=dtype)
        self.units = units

    def step(self, x_t, states):
        h, c, bias = states
        z = K.dot(x_t, self.kernel) + K.dot(h, self.recurrent) + bias
        u = self.units
        i = K.sigmoid(z[:, :u])
        f = K.sigmoid(z[:, u:2 * u])
        g = K.tanh(z[:, 2 * u:3 * u])
        o = K.sigmoid(z[:, 3 * u:])
        c_new = f * c + i * g
        h_new = o * K.tanh(c_new)
        return h_new, [h_new, c_new]

    def numpy(self, x, h, c, bias):
        kernel, recurrent = K.get_value(self.kernel), K.get_value(self.recurrent)
        u, outs = self.units, []
        sigmoid = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
        for t in range(x.shape[1]):
            z = x[:, t] @ kernel + h @ recurrent + bias
            c = sigmoid(z[:, u:2 * u]) * c + sigmoid(z[:, :u]) * np.tanh(z[:, 2 * u:3 * u])
            h = sigmoid(z[:, 3 * u:]) * np.tanh(c)
            outs.append(h)
        return np.stack(outs, axis=1), h, c


@settings(max_examples=10, deadline=None)
@given(batch=st.integers(1, 3), steps=st.integers(1, 5), units=st.integers(1, 4),
       go_backwards=st.booleans(), unroll=st.booleans(), masked=st.booleans())
def test_rnn_matches_numpy_loop(batch, steps, units, go_backwards, unroll, masked):
    cell = SimpleCell(3, units)
    x = K.placeholder((None, steps, 3), dtype="float64")
    h0 = K.placeholder((None, units), dtype="float64")
    mask = K.placeholder((None, steps), dtype="bool") if masked else None
    last, outputs, (h_final,) = K.rnn(cell.step, x, [h0], go_backwards=go_backwards,
                                      mask=mask, unroll=unroll)
    assert K.int_shape(outputs) == (None, steps, units)
    rng = np.random.RandomState(batch * 10 + steps)
    xv, hv = rng.standard_normal((batch, steps, 3)), rng.standard_normal((batch, units))
    mv = rng.rand(batch, steps) > 0.3
    inputs, values = [x, h0], [xv, hv]
    if masked:
        inputs.append(mask)
        values.append(mv)
    got = run(inputs, [last, outputs, h_final], values)
    want_outputs, want_h = cell.numpy(xv, hv, mv if masked else None, go_backwards, unroll)
    np.testing.assert_allclose(got[1], want_outputs, rtol=1e-10)
    np.testing.assert_allclose(got[0], want_outputs[:, -1], rtol=1e-10)
    np.testing.assert_allclose(got[2], want_h, rtol=1e-10)


def test_rnn_over_an_unknown_number_of_steps():
    cell = SimpleCell(3, 2)
    x = K.placeholder((None, None, 3), dtype="float64")
    h0 = K.placeholder((None, 2), dtype="float64")
    last, outputs, (h,) = K.rnn(cell.step, x, [h0])
    assert K.int_shape(outputs) == (None, None, 2)
    (g_w,) = K.gradients(K.sum(outputs) + K.sum(h), [cell.W])
    f = K.function([x, h0], [outputs, g_w], mode="reference")
    for steps in (1, 4):
        rng = np.random.RandomState(steps)
        xv, hv = rng.standard_normal((2, steps, 3)), rng.standard_normal((2, 2))
        got_outputs, got_g = f([xv, hv])
        np.testing.assert_allclose(got_outputs, cell.numpy(xv, hv)[0], rtol=1e-10)
        W = K.get_value(cell.W)
        expected = np.zeros_like(W)
        for i in np.ndindex(W.shape):
            for sign in (1, -1):
                shifted = W.copy()
                shifted[i] += sign * 1e-6
                K.set_value(cell.W, shifted)
                outs, h_last = cell.numpy(xv, hv)
                expected[i] += sign * (outs.sum() + h_last.sum()) / 2e-6
        K.set_value(cell.W, W)
        np.testing.assert_allclose(got_g, expected, rtol=1e-5, atol=1e-7)


def test_rnn_is_one_scan_node_unless_unrolled():
    cell = SimpleCell(3, 4)
    x = K.placeholder((None, 6, 3), dtype="float64")
    h0 = K.zeros_like(x[:, 0, :1]) * K.zeros((1, 4), dtype="float64")
    _, looped, _ = K.rnn(cell.step, x, [h0])
    _, unrolled, _ = K.rnn(cell.step, x, [h0], unroll=True)
    assert len(scan_nodes(looped)) == 1
    assert scan_nodes(unrolled) == []


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_rnn_gradient_of_scan_equals_unrolled_and_finite_differences(go_backwards, masked):
    cell = SimpleCell(2, 3)
    x = K.placeholder((2, 4, 2), dtype="float64")
    h0 = K.placeholder((2, 3), dtype="float64")
    mask = K.placeholder((2, 4), dtype="bool") if masked else None
    weights = [cell.W, cell.U, cell.b]
    target = K.constant(np.random.RandomState(2).standard_normal((2, 4, 3)), dtype="float64")
    losses, grads = [], []
    for unroll in (False, True):
        last, outputs, (h,) = K.rnn(cell.step, x, [h0], go_backwards=go_backwards, mask=mask,
                                    unroll=unroll)
        loss = K.sum(outputs * target) + K.sum(h * h) + K.sum(last)
        losses.append(loss)
        grads.append(K.gradients(loss, [x, h0] + weights))
    rng = np.random.RandomState(4)
    xv, hv = rng.standard_normal((2, 4, 2)), rng.standard_normal((2, 3))
    inputs, values = [x, h0], [xv, hv]
    if masked:
        inputs.append(mask)
        values.append(np.array([[1, 1, 0, 1], [1, 0, 0, 1]], bool))
    scan_grads = run(inputs, grads[0], values)
    unrolled_grads = run(inputs, grads[1], values)
    for a, b in zip(scan_grads, unrolled_grads):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    f = K.function(inputs, [losses[0]], mode="reference")

    def loss_at(position, array):
        if position < 2:
            current = list(values)
            current[position] = array
            return float(f(current)[0])
        variable = weights[position - 2]
        saved = K.get_value(variable)
        K.set_value(variable, array)
        out = float(f(values)[0])
        K.set_value(variable, saved)
        return out

    starts = [xv, hv] + [K.get_value(w) for w in weights]
    for position, (start, grad) in enumerate(zip(starts, scan_grads)):
        expected = np.zeros_like(start)
        for i in np.ndindex(start.shape):
            up, down = start.copy(), start.copy()
            up[i] += 1e-6
            down[i] -= 1e-6
            expected[i] = (loss_at(position, up) - loss_at(position, down)) / 2e-6
        np.testing.assert_allclose(grad, expected, rtol=1e-5, atol=1e-7)


def test_rnn_with_two_states_and_constants():
    cell = LSTMCell(3, 2)
    x = K.placeholder((None, 5, 3), dtype="float64")
    h0 = K.placeholder((None, 2), dtype="float64")
    c0 = K.placeholder((None, 2), dtype="float64")
    bias = K.placeholder((8,), dtype="float64")
    last, outputs, (h, c) = K.rnn(cell.step, x, [h0, c0], constants=[bias])
    rng = np.random.RandomState(7)
    values = [rng.standard_normal((3, 5, 3)), rng.standard_normal((3, 2)),
              rng.standard_normal((3, 2)), rng.standard_normal(8) * 0.3]
    got = run([x, h0, c0, bias], [last, outputs, h, c], values)
    want_outputs, want_h, want_c = cell.numpy(*values)
    np.testing.assert_allclose(got[1], want_outputs, rtol=1e-10)
    np.testing.assert_allclose(got[2], want_h, rtol=1e-10)
    np.testing.assert_allclose(got[3], want_c, rtol=1e-10)
    loss = K.sum(outputs) + K.sum(c)
    _, unrolled, (_, c_unrolled) = K.rnn(cell.step, x, [h0, c0], constants=[bias], unroll=True)
    loss_unrolled = K.sum(unrolled) + K.sum(c_unrolled)
    wrt = [x, h0, c0, bias, cell.kernel, cell.recurrent]
    a = run([x, h0, c0, bias], K.gradients(loss, wrt), values)
    b = run([x, h0, c0, bias], K.gradients(loss_unrolled, wrt), values)
    for ga, gb in zip(a, b):
        np.testing.assert_allclose(ga, gb, rtol=1e-10, atol=1e-12)


def test_masked_loop_outputs_states0_and_unrolled_outputs_previous_output():
    """Keras 2.2: a masked step outputs states[0] in the loop, the last output when unrolled."""
    x = K.placeholder((1, 3, 1), dtype="float64")
    h0 = K.placeholder((1, 1), dtype="float64")
    mask = K.placeholder((1, 3), dtype="bool")

    def step(x_t, states):
        return x_t * 10.0, [states[0] + x_t]

    values = [np.array([[[1.0], [2.0], [3.0]]]), np.array([[5.0]]),
              np.array([[False, True, False]])]
    _, looped, _ = K.rnn(step, x, [h0], mask=mask)
    _, unrolled, (h,) = K.rnn(step, x, [h0], mask=mask, unroll=True)
    got_loop, got_unrolled, got_h = run([x, h0, mask], [looped, unrolled, h], values)
    np.testing.assert_allclose(got_loop[0, :, 0], [5.0, 20.0, 7.0])
    np.testing.assert_allclose(got_unrolled[0, :, 0], [0.0, 20.0, 20.0])
    np.testing.assert_allclose(got_h, [[7.0]])


def test_step_called_once_outside_the_loop_keeps_a_dropout_mask_fixed():
    """A cell that draws its dropout mask on its first call gets one mask for every step."""
    class DropoutCell:
        mask = None

        def step(self, x_t, states):
            if self.mask is None:
                self.mask = K.dropout(K.ones_like(x_t), 0.5)
            out = x_t * self.mask
            return out, [states[0] + out]

    x = K.placeholder((None, 6, 20))
    h0 = K.placeholder((None, 20))
    _, outputs, _ = K.rnn(DropoutCell().step, x, [h0])
    got = run([x, h0], [outputs], [np.ones((2, 6, 20), np.float32),
                                   np.zeros((2, 20), np.float32)])[0]
    assert 0 < (got[:, 0] == 0).sum() < got[:, 0].size
    for t in range(1, 6):
        np.testing.assert_array_equal(got[:, t], got[:, 0])


def test_rnn_marks_outputs_that_use_the_learning_phase():
    x = K.placeholder((None, 3, 2))
    h0 = K.placeholder((None, 2))

    def step(x_t, states):
        out = K.in_train_phase(x_t * 2.0, x_t)
        return out, [out]

    last, outputs, _ = K.rnn(step, x, [h0])
    assert getattr(last, "_uses_learning_phase", False)
    phase = K.learning_phase()
    xv = np.ones((1, 3, 2), np.float32)
    train = run([x, h0, phase], [outputs], [xv, np.zeros((1, 2), np.float32), 1])[0]
    test = run([x, h0, phase], [outputs], [xv, np.zeros((1, 2), np.float32), 0])[0]
    np.testing.assert_allclose(train, 2 * test)


def test_rnn_loop_runs_the_same_in_the_default_mode():
    cell = SimpleCell(3, 4, dtype="float32")
    x = K.placeholder((None, 5, 3))
    h0 = K.placeholder((None, 4))
    _, outputs, (h,) = K.rnn(cell.step, x, [h0])
    (g_u,) = K.gradients(K.sum(outputs) + K.sum(h), [cell.U])
    rng = np.random.RandomState(0)
    values = [rng.standard_normal((2, 5, 3)).astype(np.float32),
              rng.standard_normal((2, 4)).astype(np.float32)]
    reference = run([x, h0], [outputs, g_u], values)
    default = K.function([x, h0], [outputs, g_u])(values)
    for a, b in zip(reference, default):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_compiled_function_runs_the_scan_and_its_gradient_like_the_reference():
    """Through the passes and the generated driver, with a learning-phase switch in the step."""
    cell = LSTMCell(3, 4, dtype="float32")
    x = K.placeholder((None, 6, 3))
    h0 = K.placeholder((None, 4))
    bias = K.placeholder((16,))

    def step(x_t, states):
        x_t = K.in_train_phase(x_t * 0.5, x_t)
        return cell.step(x_t, states)

    _, outputs, (h, c) = K.rnn(step, x, [h0, h0], constants=[bias], go_backwards=True)
    loss = K.sum(outputs * outputs) + K.sum(c)
    grads = K.gradients(loss, [x, h0, bias, cell.kernel, cell.recurrent])
    inputs = [x, h0, bias, K.learning_phase()]
    rng = np.random.RandomState(0)
    for phase in (0, 1):
        values = [rng.standard_normal((2, 6, 3)).astype(np.float32),
                  rng.standard_normal((2, 4)).astype(np.float32),
                  rng.standard_normal(16).astype(np.float32) * 0.3, phase]
        reference = run(inputs, [loss, outputs, c] + grads, values)
        compiled = run(inputs, [loss, outputs, c] + grads, values, mode="compiled")
        for a, b in zip(reference, compiled):
            np.testing.assert_allclose(a, b, rtol=2e-4, atol=1e-5)


def test_rnn_reproduces_the_keras2_lstm_fixture(keras2_fixtures):
    """Embedding -> LSTM(8) -> Dense(sigmoid) written with K.rnn: the predictions, the loss
    and the BPTT gradients of every weight match those tf_keras computed."""
    import h5py
    case = keras2_fixtures / "lstm_classifier"
    io, expected = np.load(case / "io.npz"), np.load(case / "grads.npz")
    names = {"embedding": "embedding/embedding/embeddings:0",
             "kernel": "lstm/lstm/lstm_cell/kernel:0",
             "recurrent": "lstm/lstm/lstm_cell/recurrent_kernel:0",
             "bias": "lstm/lstm/lstm_cell/bias:0",
             "dense_kernel": "dense/dense/kernel:0", "dense_bias": "dense/dense/bias:0"}
    with h5py.File(case / "weights.h5", "r") as f:
        w = {key: K.variable(f[path][()], dtype="float64") for key, path in names.items()}
    units = 8

    def step(x_t, states):
        h, c = states
        z = K.dot(x_t, w["kernel"]) + K.dot(h, w["recurrent"]) + w["bias"]
        i, f = K.sigmoid(z[:, :units]), K.sigmoid(z[:, units:2 * units])
        g, o = K.tanh(z[:, 2 * units:3 * units]), K.sigmoid(z[:, 3 * units:])
        c = f * c + i * g
        h = o * K.tanh(c)
        return h, [h, c]

    x = K.placeholder((None, 10), dtype="float64")
    target = K.placeholder((None, 1), dtype="float64")
    embedded = K.gather(w["embedding"], K.cast(x, "int32"))
    zeros = K.zeros_like(embedded[:, 0, :1]) * K.zeros((1, units), dtype="float64")
    last, _, _ = K.rnn(step, embedded, [zeros, zeros])
    y = K.sigmoid(K.dot(last, w["dense_kernel"]) + w["dense_bias"])
    loss = K.mean(K.binary_crossentropy(target, y))
    weights = list(w.values())
    f = K.function([x, target], [y, loss] + K.gradients(loss, weights), mode="reference")
    got = f([expected["x0"], expected["t0"]])
    np.testing.assert_allclose(f([io["x0"], expected["t0"]])[0], io["y0"], rtol=1e-5,
                               atol=1e-5)
    np.testing.assert_allclose(got[1], expected["loss"], rtol=1e-5, atol=1e-6)
    for key, grad in zip(w, got[2:]):
        want = expected[names[key].split("/", 1)[1]]
        np.testing.assert_allclose(grad, want, rtol=1e-4, atol=1e-5, err_msg=key)


def test_rnn_errors_name_the_problem():
    cell = SimpleCell(3, 2)
    h0 = K.placeholder((None, 2), dtype="float64")
    with pytest.raises(ValueError, match="at least 3D"):
        K.rnn(cell.step, K.placeholder((None, 3), dtype="float64"), [h0])
    with pytest.raises(ValueError, match="static, nonzero number of time steps"):
        K.rnn(cell.step, K.placeholder((None, None, 3), dtype="float64"), [h0], unroll=True)
    x = K.placeholder((None, 4, 3), dtype="float64")
    with pytest.raises(ValueError, match="returned 2 states, expected 1"):
        K.rnn(lambda x_t, s: (x_t, [s[0], s[0]]), x, [h0])
    with pytest.raises(ValueError, match=r"mask should have shape \(samples, time\)"):
        K.rnn(cell.step, x, [h0], mask=K.placeholder((None, 4, 2), dtype="bool"))


def test_map_fn_matches_numpy():
    x = K.placeholder((None, 3))
    y = K.map_fn(lambda row: K.sum(row * row), x)
    z = K.map_fn(lambda row: K.argmax(row, axis=-1), K.reshape(x, (-1, 3, 1)), dtype="int32")
    xv = np.random.RandomState(0).standard_normal((4, 3)).astype(np.float32)
    got_y, got_z = run([x], [y, z], [xv])
    np.testing.assert_allclose(got_y, (xv * xv).sum(axis=1), rtol=1e-6)
    assert got_z.dtype == np.int32 and got_z.shape == (4, 3)
    (gx,) = K.gradients(K.sum(y), [x])
    np.testing.assert_allclose(run([x], [gx], [xv])[0], 2 * xv, rtol=1e-6)


def test_foldl_and_foldr_match_numpy():
    x = K.placeholder((4, 2), dtype="float64")
    xv = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 4.0], [2.0, 1.0]])
    left = K.foldl(lambda acc, row: acc * 2.0 + row, x)
    right = K.foldr(lambda acc, row: acc * 2.0 + row, x)
    started = K.foldl(lambda acc, row: acc + K.sum(row), x, initializer=K.constant(10.0,
                                                                                   "float64"))
    got_left, got_right, got_started = run([x], [left, right, started], [xv])
    acc = xv[0]
    for row in xv[1:]:
        acc = acc * 2 + row
    np.testing.assert_allclose(got_left, acc)
    acc = xv[-1]
    for row in xv[-2::-1]:
        acc = acc * 2 + row
    np.testing.assert_allclose(got_right, acc)
    np.testing.assert_allclose(got_started, 10.0 + xv.sum())
    (gx,) = K.gradients(K.sum(left), [x])
    np.testing.assert_allclose(run([x], [gx], [xv])[0],
                               np.repeat([[8.0], [4.0], [2.0], [1.0]], 2, axis=1))
