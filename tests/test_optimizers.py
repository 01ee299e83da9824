"""Optimizers: update rules without fixtures (NumPy transcriptions fed the same gradients),
argument aliases, clipping, constraints, state layouts and configs.

The Keras 2 fixture replays of SGD ... Nadam live in tests/fixtures/test_optimizers_zoo.py.
"""
import numpy as np
import pytest

from graphkeras import backend as K
from graphkeras import constraints, optimizers

RNG = np.random.RandomState(0)
X = RNG.normal(size=(8, 4)).astype("float32")
Y = RNG.normal(size=(8, 2)).astype("float32")
W0 = RNG.normal(size=(4, 2)).astype("float32")
B0 = RNG.normal(size=(2,)).astype("float32")


def _problem(optimizer, constraint=None):
    """Dense(2) + mse as backend variables; returns (train function, w, b)."""
    w = K.variable(W0, constraint=constraint)
    b = K.variable(B0)
    loss = K.mean(K.square(K.dot(K.constant(X), w) + b - K.constant(Y)))
    grads = K.gradients(loss, [w, b])
    # The reference executor: these tests are about update rules; the fixture replays in
    # tests/fixtures run both executors.
    train = K.function([], [loss] + grads, updates=optimizer.get_updates(loss, [w, b]),
                       mode="reference")
    return train, w, b


def _replay(optimizer, numpy_rule, steps=3):
    """Run `steps` steps; `numpy_rule(params, grads, t, state)` must give the same weights."""
    train, w, b = _problem(optimizer)
    params = [W0.astype("float64"), B0.astype("float64")]
    state = {}
    for t in range(1, steps + 1):
        _, grad_w, grad_b = train([])
        params = numpy_rule(params, [grad_w.astype("float64"), grad_b.astype("float64")], t,
                            state)
        np.testing.assert_allclose(K.get_value(w), params[0], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(K.get_value(b), params[1], rtol=1e-5, atol=1e-6)


def _slots(state, key, params, value=0.0):
    return state.setdefault(key, [np.full_like(p, value) for p in params])


def test_adamw_decoupled_weight_decay():
    lr, wd, b1, b2, eps = 0.01, 0.1, 0.9, 0.999, 1e-7

    def rule(params, grads, t, state):
        m, v = _slots(state, "m", params), _slots(state, "v", params)
        out = []
        for i, (p, g) in enumerate(zip(params, grads)):
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            out.append(p - lr * wd * p - alpha * m[i] / (np.sqrt(v[i]) + eps))
        return out

    _replay(optimizers.AdamW(learning_rate=lr, weight_decay=wd), rule)


def test_ftrl_matches_tensorflow_rule():
    lr, power, l1, l2, shrink, beta = 0.1, -0.5, 0.01, 0.02, 0.03, 0.1

    def rule(params, grads, t, state):
        accum = _slots(state, "accum", params, 0.1)
        linear = _slots(state, "linear", params)
        out = []
        l2_adjusted = l2 + beta / (2 * lr)
        for i, (p, g) in enumerate(zip(params, grads)):
            new_accum = accum[i] + g * g
            linear[i] = (linear[i] + g + 2 * shrink * p
                         - (new_accum ** -power - accum[i] ** -power) / lr * p)
            quadratic = new_accum ** -power / lr + 2 * l2_adjusted
            new_p = (np.sign(linear[i]) * l1 - linear[i]) / quadratic
            out.append(np.where(np.abs(linear[i]) > l1, new_p, 0.0))
            accum[i] = new_accum
        return out

    _replay(optimizers.Ftrl(learning_rate=lr, l1_regularization_strength=l1,
                            l2_regularization_strength=l2,
                            l2_shrinkage_regularization_strength=shrink, beta=beta), rule)


def test_adafactor_factored_and_unfactored_moments():
    lr, decay, eps1, eps2, clip = 0.05, -0.8, 1e-30, 1e-3, 1.0

    def rms(x):
        return np.sqrt(np.mean(x * x))

    def rule(params, grads, t, state):
        r = state.setdefault("r", np.zeros(4))
        c = state.setdefault("c", np.zeros(2))
        v = _slots(state, "v", params)
        lr_t = min(lr, 1 / np.sqrt(t))
        rho = min(lr_t, 1 / np.sqrt(t))
        beta2 = 1 - t ** decay
        out = []
        for i, (p, g) in enumerate(zip(params, grads)):
            alpha = max(eps2, rms(p)) * rho
            sq = g * g + eps1
            if p.ndim == 2:
                r[:] = beta2 * r + (1 - beta2) * sq.mean(-1)
                c[:] = beta2 * c + (1 - beta2) * sq.mean(-2)
                v[i] = (r / r.mean())[:, None] * c[None, :]
            else:
                v[i] = beta2 * v[i] + (1 - beta2) * sq
            u = g / np.sqrt(v[i])
            u = u / max(1.0, rms(u) / clip)
            out.append(p - alpha * u)
        return out

    _replay(optimizers.Adafactor(learning_rate=lr), rule)


@pytest.mark.parametrize("momentum,centered", [(0.5, False), (0.0, True), (0.5, True)])
def test_rmsprop_tf_keras_momentum_and_centered(momentum, centered):
    lr, rho, eps = 0.01, 0.9, 1e-7

    def rule(params, grads, t, state):
        ms, mg, mom = (_slots(state, k, params) for k in ("ms", "mg", "mom"))
        out = []
        for i, (p, g) in enumerate(zip(params, grads)):
            ms[i] = rho * ms[i] + (1 - rho) * g * g
            denominator = ms[i]
            if centered:
                mg[i] = rho * mg[i] + (1 - rho) * g
                denominator = ms[i] - mg[i] ** 2
            if momentum:
                mom[i] = momentum * mom[i] + lr * g / np.sqrt(denominator + eps)
                out.append(p - mom[i])
            else:
                out.append(p - lr * g / (np.sqrt(denominator) + eps))
        return out

    _replay(optimizers.RMSprop(learning_rate=lr, momentum=momentum, centered=centered), rule)


def test_clipnorm_clips_the_global_norm_and_clipvalue_each_entry():
    def rule_for(clip):
        def rule(params, grads, t, state):
            grads = clip(grads)
            return [p - 0.1 * g for p, g in zip(params, grads)]
        return rule

    def global_norm(grads):
        norm = np.sqrt(sum((g * g).sum() for g in grads))
        return [g * 0.5 / max(norm, 0.5) for g in grads]

    _replay(optimizers.SGD(lr=0.1, clipnorm=0.5), rule_for(global_norm))
    _replay(optimizers.SGD(lr=0.1, global_clipnorm=0.5), rule_for(global_norm))
    _replay(optimizers.SGD(lr=0.1, clipvalue=0.05),
            rule_for(lambda grads: [np.clip(g, -0.05, 0.05) for g in grads]))


def test_lr_and_learning_rate_are_the_same_variable():
    a = optimizers.Adam(lr=0.05)
    b = optimizers.Adam(learning_rate=0.05)
    assert a.get_config() == b.get_config()
    assert a.learning_rate is a.lr
    a.learning_rate = 0.2
    np.testing.assert_allclose(K.get_value(a.lr), 0.2)
    assert optimizers.SGD(0.3).get_config()["learning_rate"] == pytest.approx(0.3)


def test_changing_lr_between_steps_changes_the_step():
    optimizer = optimizers.SGD(lr=0.1)
    train, w, _ = _problem(optimizer)
    _, grad_w, _ = train([])
    after_first = K.get_value(w)
    K.set_value(optimizer.lr, 0.0)
    train([])
    np.testing.assert_array_equal(K.get_value(w), after_first)
    np.testing.assert_allclose(after_first, W0 - 0.1 * grad_w, rtol=1e-6)
    assert K.get_value(optimizer.iterations) == 2


def test_constraint_is_applied_after_the_update():
    train, w, _ = _problem(optimizers.SGD(lr=1.0), constraint=constraints.NonNeg())
    train([])
    assert np.all(K.get_value(w) >= 0)


def test_every_optimizer_reduces_a_least_squares_loss():
    for optimizer in (optimizers.SGD(0.05, momentum=0.9, nesterov=True), optimizers.RMSprop(0.01),
                      optimizers.Adagrad(0.1), optimizers.Adadelta(1.0), optimizers.Adam(0.05),
                      optimizers.Adamax(0.05), optimizers.Nadam(0.05), optimizers.AdamW(0.05),
                      optimizers.Ftrl(0.5), optimizers.Adafactor(0.05)):
        train, _, _ = _problem(optimizer)
        losses = [float(train([])[0]) for _ in range(30)]
        assert losses[-1] < 0.95 * losses[0], type(optimizer).__name__


@pytest.mark.parametrize("optimizer", [
    optimizers.SGD(0.1, momentum=0.5, decay=0.01, nesterov=True, clipnorm=1.0),
    optimizers.RMSprop(0.01, rho=0.8, epsilon=1e-4), optimizers.Adagrad(0.1, epsilon=1e-3),
    optimizers.Adadelta(0.5, rho=0.9), optimizers.Adam(0.01, amsgrad=True, clipvalue=0.5),
    optimizers.Adamax(0.02), optimizers.Nadam(0.02, schedule_decay=0.01),
    optimizers.AdamW(0.01, weight_decay=0.1), optimizers.Ftrl(0.1, beta=0.5),
    optimizers.Adafactor(0.01, relative_step=False),
], ids=lambda o: type(o).__name__)
def test_config_round_trip(optimizer):
    config = optimizers.serialize(optimizer)
    again = optimizers.deserialize(config)
    assert type(again) is type(optimizer)
    assert again.get_config() == optimizer.get_config()


def test_get_by_name_and_tf_keras_config():
    assert isinstance(optimizers.get("adam"), optimizers.Adam)
    assert isinstance(optimizers.get("RMSprop"), optimizers.RMSprop)
    assert isinstance(optimizers.get("sgd"), optimizers.SGD)
    stored = {"class_name": "Nadam", "config": {"name": "Nadam", "learning_rate": 0.02,
                                                 "decay": 0.004, "beta_1": 0.9,
                                                 "beta_2": 0.999, "epsilon": 1e-07}}
    nadam = optimizers.get(stored)
    assert nadam.schedule_decay == 0.004
    np.testing.assert_allclose(K.get_value(nadam.lr), 0.02)
    with pytest.raises(TypeError, match="Unexpected keyword argument passed to optimizer"):
        optimizers.Adam(momentum=0.9)
    with pytest.raises(ValueError, match="Unknown optimizer: nope"):
        optimizers.get("nope")


def test_set_weights_accepts_keras22_layouts():
    # RMSprop in Keras 2.2.4 stored only the accumulators (no iteration count).
    rmsprop = optimizers.RMSprop()
    _problem(rmsprop)
    accumulators = [np.full((4, 2), 0.5, "float32"), np.full((2,), 0.25, "float32")]
    rmsprop.set_weights(accumulators)
    assert K.get_value(rmsprop.iterations) == 0
    np.testing.assert_array_equal(rmsprop.get_weights()[1], accumulators[0])
    # Adam in Keras 2.2 stored a (1,)-shaped vhat per parameter without amsgrad.
    adam = optimizers.Adam()
    _problem(adam)
    m = [np.ones((4, 2), "float32"), np.ones(2, "float32")]
    v = [2 * np.ones((4, 2), "float32"), 2 * np.ones(2, "float32")]
    vhat = [np.zeros(1, "float32"), np.zeros(1, "float32")]
    adam.set_weights([np.array(5, "int64")] + m + v + vhat)
    assert K.get_value(adam.iterations) == 5
    np.testing.assert_array_equal(adam.get_weights()[3], v[0])
    with pytest.raises(ValueError, match="weight list has 1 arrays"):
        adam.set_weights([np.zeros(3)])
    # SGD in Keras 2.2 stored (unused) moments even with momentum 0.
    sgd = optimizers.SGD()
    _problem(sgd)
    sgd.set_weights([np.array(7, "int64"), np.ones((4, 2), "float32"), np.ones(2, "float32")])
    assert len(sgd.weights) == 1 and K.get_value(sgd.iterations) == 7


def test_weight_order_is_iterations_then_slots_by_kind():
    adam = optimizers.Adam(amsgrad=True, name="Adam")
    with K.name_scope("dense"):
        w = K.variable(W0, name="kernel")
        b = K.variable(B0, name="bias")
    loss = K.mean(K.square(K.dot(K.constant(X), w) + b - K.constant(Y)))
    adam.get_updates(loss, [w, b])
    assert [v.name for v in adam.weights] == [
        "Adam/iter:0", "Adam/dense/kernel/m:0", "Adam/dense/bias/m:0", "Adam/dense/kernel/v:0",
        "Adam/dense/bias/v:0", "Adam/dense/kernel/vhat:0", "Adam/dense/bias/vhat:0"]


def test_from_config_skips_newer_tf_keras_keys_and_rejects_schedules():
    config = {"name": "Adam", "weight_decay": None, "clipnorm": None, "global_clipnorm": None,
              "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
              "ema_overwrite_frequency": None, "jit_compile": False,
              "is_legacy_optimizer": False, "learning_rate": 0.001, "beta_1": 0.9,
              "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}
    adam = optimizers.deserialize({"class_name": "Adam", "config": config})
    np.testing.assert_allclose(K.get_value(adam.lr), 0.001)
    assert adam.clipnorm is None
    schedule = dict(config, learning_rate={"class_name": "ExponentialDecay", "config": {}})
    with pytest.raises(ValueError, match="learning-rate schedules"):
        optimizers.Adam.from_config(schedule)
