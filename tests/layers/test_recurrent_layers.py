"""SimpleRNN, GRU, LSTM, RNN and StackedRNNCells: layer_test, values against NumPy loops written
from Keras 2.2.4's equations, and the RNN options (return_sequences, return_state,
go_backwards, masking, stateful, unroll, initial_state, constants, dropout, time_major)."""
import numpy as np
import pytest

from graphkeras import backend as K
from graphkeras.layers import Dense, Input, Masking
from graphkeras.layers.embeddings import Embedding
from graphkeras.layers.recurrent import (GRU, LSTM, RNN, GRUCell, LSTMCell, SimpleRNN,
                                         SimpleRNNCell, StackedRNNCells)
from graphkeras.models import Model, Sequential

from .layer_test import layer_test

CUSTOM_OBJECTS = {cls.__name__: cls for cls in (SimpleRNN, GRU, LSTM, RNN, SimpleRNNCell,
                                                 GRUCell, LSTMCell, StackedRNNCells)}


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0, 1)


ACTIVATIONS = {"sigmoid": sigmoid, "hard_sigmoid": hard_sigmoid}


def simple_rnn_step(weights, x, states, config):
    kernel, recurrent, bias = weights
    h = np.tanh(x @ kernel + states[0] @ recurrent + bias)
    return h, [h]


def gru_step(weights, x, states, config):
    """GRU with gates z, r, h; `reset_after` uses the (2, 3 * units) bias."""
    kernel, recurrent, bias = weights
    gate = ACTIVATIONS[config["recurrent_activation"]]
    u = recurrent.shape[0]
    h_tm1 = states[0]
    input_bias, recurrent_bias = (bias[0], bias[1]) if bias.ndim == 2 else (bias, None)
    x_proj = x @ kernel + input_bias
    if recurrent_bias is not None:
        inner = h_tm1 @ recurrent + recurrent_bias
        z = gate(x_proj[:, :u] + inner[:, :u])
        r = gate(x_proj[:, u:2 * u] + inner[:, u:2 * u])
        hh = np.tanh(x_proj[:, 2 * u:] + r * inner[:, 2 * u:])
    else:
        inner = h_tm1 @ recurrent[:, :2 * u]
        z = gate(x_proj[:, :u] + inner[:, :u])
        r = gate(x_proj[:, u:2 * u] + inner[:, u:2 * u])
        hh = np.tanh(x_proj[:, 2 * u:] + (r * h_tm1) @ recurrent[:, 2 * u:])
    h = z * h_tm1 + (1 - z) * hh
    return h, [h]


def lstm_step(weights, x, states, config):
    kernel, recurrent, bias = weights
    gate = ACTIVATIONS[config["recurrent_activation"]]
    u = recurrent.shape[0]
    h_tm1, c_tm1 = states
    z = x @ kernel + h_tm1 @ recurrent + bias
    i, f, o = gate(z[:, :u]), gate(z[:, u:2 * u]), gate(z[:, 3 * u:])
    c = f * c_tm1 + i * np.tanh(z[:, 2 * u:3 * u])
    h = o * np.tanh(c)
    return h, [h, c]


def numpy_rnn(step, weights, x, states, config, mask=None, go_backwards=False):
    """Keras 2.2's loop: masked steps keep the states and output states[0]."""
    outputs = []
    order = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    for t in order:
        output, new_states = step(weights, x[:, t], states, config)
        if mask is not None:
            keep = mask[:, t, None]
            output = np.where(keep, output, states[0])
            new_states = [np.where(keep, new, old) for new, old in zip(new_states, states)]
        outputs.append(output)
        states = new_states
    return np.stack(outputs, axis=1), states


STEPS = {SimpleRNN: simple_rnn_step, GRU: gru_step, LSTM: lstm_step}
LAYER_CONFIGS = [
    (SimpleRNN, {}),
    (GRU, {"recurrent_activation": "hard_sigmoid", "implementation": 1}),
    (GRU, {"recurrent_activation": "sigmoid", "implementation": 2}),
    (GRU, {"recurrent_activation": "sigmoid", "reset_after": True, "implementation": 1}),
    (GRU, {"recurrent_activation": "hard_sigmoid", "reset_after": True, "implementation": 2}),
    (LSTM, {"recurrent_activation": "hard_sigmoid", "implementation": 1}),
    (LSTM, {"recurrent_activation": "sigmoid", "implementation": 2}),
]
IDS = [f"{cls.__name__}-{'-'.join(str(v) for v in kw.values())}" for cls, kw in LAYER_CONFIGS]


def random_weights(layer, rng):
    return [rng.uniform(-0.6, 0.6, size=w.shape).astype(np.float32)
            for w in layer.get_weights()]


def initial_states(layer, batch):
    sizes = layer.cell.state_size
    sizes = list(sizes) if hasattr(sizes, "__len__") else [sizes]
    return [np.zeros((batch, size), np.float32) for size in sizes]


@pytest.mark.parametrize("cls, kwargs", LAYER_CONFIGS, ids=IDS)
def test_layer_test_passes(cls, kwargs):
    layer_test(cls, kwargs=dict(kwargs, units=3), input_shape=(None, 4, 2),
               custom_objects=CUSTOM_OBJECTS)
    layer_test(cls, kwargs=dict(kwargs, units=3, return_sequences=True),
               input_shape=(None, 4, 2), custom_objects=CUSTOM_OBJECTS)


@pytest.mark.parametrize("cls, kwargs", LAYER_CONFIGS, ids=IDS)
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("unroll", [False, True])
def test_values_match_numpy_loop(cls, kwargs, go_backwards, unroll):
    rng = np.random.RandomState(0)
    layer = cls(3, return_sequences=True, go_backwards=go_backwards, unroll=unroll, **kwargs)
    inputs = Input((5, 2))
    model = Model(inputs, layer(inputs))
    weights = random_weights(layer, rng)
    layer.set_weights(weights)
    x = rng.standard_normal((4, 5, 2)).astype(np.float32)
    expected, _ = numpy_rnn(STEPS[cls], weights, x, initial_states(layer, 4),
                            layer.get_config(), go_backwards=go_backwards)
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-5, atol=1e-6)


def test_return_state_gives_final_states():
    rng = np.random.RandomState(1)
    inputs = Input((6, 3))
    layer = LSTM(4, return_state=True, recurrent_activation="sigmoid")
    outputs = layer(inputs)
    assert [K.int_shape(t) for t in outputs] == [(None, 4)] * 3
    assert layer.compute_output_shape((None, 6, 3)) == [(None, 4)] * 3
    model = Model(inputs, outputs)
    weights = random_weights(layer, rng)
    layer.set_weights(weights)
    x = rng.standard_normal((2, 6, 3)).astype(np.float32)
    output, h, c = model.predict(x)
    sequence, (want_h, want_c) = numpy_rnn(lstm_step, weights, x, initial_states(layer, 2),
                                           layer.get_config())
    np.testing.assert_allclose(output, sequence[:, -1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h, want_h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c, want_c, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("unroll", [False, True])
def test_masked_steps_keep_the_states(unroll):
    """Embedding(mask_zero) -> GRU: padded steps carry the state, as in Keras 2.2."""
    rng = np.random.RandomState(2)
    inputs = Input((5,))
    embedded = Embedding(10, 3, mask_zero=True)(inputs)
    layer = GRU(4, return_sequences=True, unroll=unroll, recurrent_activation="sigmoid")
    model = Model(inputs, layer(embedded))
    assert layer.compute_mask(embedded, K.placeholder((None, 5), dtype="bool")) is not None
    weights = random_weights(layer, rng)
    layer.set_weights(weights)
    indices = np.array([[3, 4, 0, 0, 0], [1, 0, 2, 5, 0]], np.float32)
    embeddings = model.layers[1].get_weights()[0]
    expected, _ = numpy_rnn(gru_step, weights, embeddings[indices.astype(int)],
                            initial_states(layer, 2), layer.get_config(), mask=indices != 0)
    actual = model.predict(indices)
    if unroll:
        # Unrolled, Keras 2.2 outputs the previous output at a masked step (zero at step 0).
        np.testing.assert_allclose(actual[:, :2], expected[:, :2], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(actual[:, -1], expected[:, -1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(actual[0, 1:], np.repeat(actual[0, 1:2], 4, axis=0), rtol=1e-6)


def test_masking_layer_then_lstm_ignores_padded_steps():
    model = Sequential([Masking(0.0, input_shape=(4, 2)), LSTM(3)])
    x = np.random.RandomState(3).standard_normal((2, 4, 2)).astype(np.float32)
    padded = x.copy()
    padded[:, 2:] = 0.0
    short = Sequential([LSTM(3, input_shape=(2, 2))])
    short.set_weights(model.get_weights())
    np.testing.assert_allclose(model.predict(padded), short.predict(x[:, :2]), rtol=1e-5,
                               atol=1e-6)


def test_stateful_layer_carries_states_between_batches_until_reset():
    rng = np.random.RandomState(4)
    model = Sequential([SimpleRNN(3, stateful=True, batch_input_shape=(2, 4, 2))])
    layer = model.layers[0]
    x = rng.standard_normal((2, 8, 2)).astype(np.float32)
    first = model.predict(x[:, :4], batch_size=2)
    second = model.predict(x[:, 4:], batch_size=2)
    _, (state,) = numpy_rnn(simple_rnn_step, layer.get_weights(), x,
                            initial_states(layer, 2), layer.get_config())
    np.testing.assert_allclose(second, state, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(K.get_value(layer.states[0]), state, rtol=1e-5, atol=1e-6)
    model.reset_states()
    np.testing.assert_array_equal(K.get_value(layer.states[0]), np.zeros((2, 3)))
    np.testing.assert_allclose(model.predict(x[:, :4], batch_size=2), first, rtol=1e-6)
    layer.reset_states([np.ones((2, 3), np.float32)])
    np.testing.assert_array_equal(K.get_value(layer.states[0]), np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"expected shape \(2, 3\)"):
        layer.reset_states([np.ones((3, 3))])


def test_stateful_without_batch_size_is_refused():
    with pytest.raises(ValueError, match="needs to know its batch size"):
        Sequential([LSTM(3, stateful=True, input_shape=(4, 2))])


def test_initial_state_is_used():
    rng = np.random.RandomState(5)
    inputs = Input((3, 2))
    h0, c0 = Input((4,)), Input((4,))
    layer = LSTM(4, recurrent_activation="sigmoid")
    model = Model([inputs, h0, c0], layer(inputs, initial_state=[h0, c0]))
    weights = random_weights(layer, rng)
    layer.set_weights(weights)
    values = [rng.standard_normal(s).astype(np.float32) for s in ((2, 3, 2), (2, 4), (2, 4))]
    expected, _ = numpy_rnn(lstm_step, weights, values[0], values[1:], layer.get_config())
    np.testing.assert_allclose(model.predict(values), expected[:, -1], rtol=1e-5, atol=1e-6)
    rebuilt = Model.from_config(model.get_config(), custom_objects=CUSTOM_OBJECTS)
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_allclose(rebuilt.predict(values), expected[:, -1], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="not compatible with `cell.state_size`"):
        LSTM(3)(inputs, initial_state=[h0, c0])


class ConstantCell(SimpleRNNCell):
    """A SimpleRNN cell whose step adds a constant vector to its output."""

    def build(self, input_shape):
        super().build(input_shape[0])

    def call(self, inputs, states, constants=None, training=None):
        output, _ = super().call(inputs, states, training=training)
        output = output + constants[0]
        return output, [output]


def test_constants_reach_every_step_and_survive_serialization():
    rng = np.random.RandomState(6)
    inputs, constant = Input((3, 2)), Input((4,))
    layer = RNN(ConstantCell(4))
    model = Model([inputs, constant], layer(inputs, constants=[constant]))
    weights = random_weights(layer, rng)
    layer.set_weights(weights)
    values = [rng.standard_normal((2, 3, 2)).astype(np.float32),
              rng.standard_normal((2, 4)).astype(np.float32)]

    def step(w, x, states, config):
        h = np.tanh(x @ w[0] + states[0] @ w[1] + w[2]) + values[1]
        return h, [h]

    expected, _ = numpy_rnn(step, weights, values[0], [np.zeros((2, 4), np.float32)], {})
    np.testing.assert_allclose(model.predict(values), expected[:, -1], rtol=1e-5, atol=1e-6)
    assert layer.get_config()["num_constants"] == 1
    custom = dict(CUSTOM_OBJECTS, ConstantCell=ConstantCell)
    rebuilt = Model.from_config(model.get_config(), custom_objects=custom)
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_allclose(rebuilt.predict(values), expected[:, -1], rtol=1e-5, atol=1e-6)


def test_stacked_cells_equal_two_layers():
    rng = np.random.RandomState(7)
    layer_test(RNN, kwargs={"cell": [SimpleRNNCell(3), LSTMCell(2)]},
               input_shape=(None, 4, 2), custom_objects=CUSTOM_OBJECTS)
    inputs = Input((4, 2))
    stacked = RNN([SimpleRNNCell(3), LSTMCell(2, recurrent_activation="sigmoid")])
    model = Model(inputs, stacked(inputs))
    assert stacked.cell.state_size == (2, 2, 3)
    assert len(stacked.trainable_weights) == 6
    two = Sequential([SimpleRNN(3, return_sequences=True, input_shape=(4, 2)),
                      LSTM(2, recurrent_activation="sigmoid")])
    weights = random_weights(stacked, rng)
    stacked.set_weights(weights)
    two.set_weights(weights)
    x = rng.standard_normal((3, 4, 2)).astype(np.float32)
    np.testing.assert_allclose(model.predict(x), two.predict(x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls", [SimpleRNN, GRU, LSTM])
def test_dropout_is_on_in_training_only(cls):
    x = np.random.RandomState(11).standard_normal((8, 5, 6)).astype(np.float32)
    inputs = Input((5, 6))
    layer = cls(4, dropout=0.5, recurrent_dropout=0.3, return_sequences=True)
    outputs = layer(inputs)
    assert outputs._uses_learning_phase
    plain = cls(4, return_sequences=True)
    model, reference = Model(inputs, outputs), Model(inputs, plain(inputs))
    plain.set_weights(layer.get_weights())
    np.testing.assert_allclose(model.predict(x), reference.predict(x), rtol=1e-6)
    masks = K.function([inputs, K.learning_phase()], layer.cell._dropout_mask
                       if cls is not SimpleRNN else [layer.cell._dropout_mask])([x, 1])
    for mask in masks:
        assert set(np.unique(mask)) <= {0.0, 2.0} and 0 < (mask == 0).sum() < mask.size
    train = K.function([inputs, K.learning_phase()], [outputs])([x, 1])[0]
    assert not np.allclose(train, reference.predict(x))


def test_dropout_mask_is_fixed_across_time():
    """Keras 2.2 draws one input dropout mask per batch: with no recurrence and a constant
    input, every step of a training call gives the same output."""
    x = np.ones((6, 5, 20), np.float32)
    inputs = Input((5, 20))
    layer = SimpleRNN(10, dropout=0.5, activation=None, recurrent_initializer="zeros",
                      return_sequences=True)
    train = K.function([inputs, K.learning_phase()], [layer(inputs)])([x, 1])[0]
    for t in range(1, 5):
        np.testing.assert_allclose(train[:, t], train[:, 0], rtol=1e-6)
    inference = x[:, 0] @ layer.get_weights()[0]
    assert not np.allclose(train[:, 0], inference)


@pytest.mark.parametrize("cls", [SimpleRNN, GRU, LSTM])
def test_gradients_of_loop_equal_unrolled(cls):
    rng = np.random.RandomState(8)
    x = rng.standard_normal((3, 4, 2)).astype(np.float32)
    results = []
    for unroll in (False, True):
        inputs = Input((4, 2))
        layer = cls(3, unroll=unroll, go_backwards=True)
        output = layer(inputs)
        if not results:
            weights = random_weights(layer, rng)
        layer.set_weights(weights)
        grads = K.gradients(K.sum(output * output), layer.trainable_weights)
        results.append(K.function([inputs], grads)([x]))
    for looped, unrolled in zip(*results):
        np.testing.assert_allclose(looped, unrolled, rtol=1e-4, atol=1e-6)


def test_time_major_inputs_and_outputs():
    rng = np.random.RandomState(9)
    inputs = Input(batch_shape=(5, None, 2))
    layer = SimpleRNN(3, time_major=True, return_sequences=True)
    outputs = layer(inputs)
    assert K.int_shape(outputs) == (5, None, 3)
    assert layer.get_config()["time_major"] is True
    model = Model(inputs, outputs)
    x = rng.standard_normal((2, 5, 2)).astype(np.float32)
    expected, _ = numpy_rnn(simple_rnn_step, layer.get_weights(), x,
                            initial_states(layer, 2), {})
    actual = K.function([inputs], [outputs])([np.transpose(x, (1, 0, 2))])[0]
    np.testing.assert_allclose(actual, np.transpose(expected, (1, 0, 2)), rtol=1e-5,
                               atol=1e-6)
    assert "time_major" not in SimpleRNN(3).get_config()


def test_tf_keras_config_values_are_taken_from_the_config():
    config = GRU(4, reset_after=True, recurrent_activation="sigmoid", implementation=2,
                 name="gru").get_config()
    layer = GRU.from_config(config)
    assert layer.get_config() == config
    layer(Input((3, 2)))
    assert K.int_shape(layer.cell.bias) == (2, 12)
    assert [w.name for w in layer.weights] == ["gru/gru_cell/kernel:0",
                                               "gru/gru_cell/recurrent_kernel:0",
                                               "gru/gru_cell/bias:0"]
    keras22 = LSTM(2).get_config()
    assert keras22["recurrent_activation"] == "hard_sigmoid"
    assert keras22["implementation"] == 1
    assert LSTM.from_config(dict(keras22, implementation=0)).implementation == 1
    assert GRU(2).reset_after is False


def test_lstm_forget_bias_starts_at_one():
    layer = LSTM(3)
    layer(Input((2, 4)))
    bias = K.get_value(layer.cell.bias)
    np.testing.assert_array_equal(bias, np.r_[np.zeros(3), np.ones(3), np.zeros(6)])


def test_errors_name_the_layer():
    with pytest.raises(ValueError, match="cannot unroll"):
        SimpleRNN(2, unroll=True)(Input((None, 3)))
    with pytest.raises(ValueError, match="expected ndim=3|ndim"):
        LSTM(2)(Input((3,)))
    with pytest.raises(AttributeError, match="stateful"):
        SimpleRNN(2).reset_states()
    with pytest.raises(ValueError, match="state_size"):
        RNN(object())


def test_recurrent_layer_then_dense_trains():
    rng = np.random.RandomState(10)
    model = Sequential([Embedding(20, 4, input_length=6), LSTM(5, return_sequences=True),
                        GRU(3, reset_after=True), Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy")
    x = rng.randint(0, 20, (8, 6)).astype(np.float32)
    y = (x.sum(axis=1, keepdims=True) > 60).astype(np.float32)
    first = model.train_on_batch(x, y)
    for _ in range(5):
        last = model.train_on_batch(x, y)
    assert np.isfinite(last) and last < first


def _body_products(output):
    """The matrix products inside the forward loop that computes `output`."""
    from graphkeras.ir.graph import topological_order
    scans = [n for n in topological_order([output.node]) if n.op == "scan"]
    assert len(scans) == 1
    body = scans[0].attrs["body"]
    return [n for n in topological_order(body.roots) if n.op == "matmul"]


@pytest.mark.parametrize("layer_class, gates", [(LSTM, 4), (GRU, 3)])
def test_implementation_1_without_recurrent_dropout_runs_one_recurrent_product(layer_class,
                                                                               gates):
    # The input products are moved out of the loop; the recurrent ones are one product
    # over all gates (a GRU keeps its separate candidate product r * h).
    x = Input((5, 3))
    plain = _body_products(layer_class(4, implementation=1)(x))
    assert len(plain) == (1 if layer_class is LSTM else 2)
    dropped = _body_products(layer_class(4, implementation=1, recurrent_dropout=0.3)(x))
    assert len(dropped) == gates


@pytest.mark.parametrize("layer_class", [LSTM, GRU])
def test_implementations_1_and_2_give_the_same_values(layer_class):
    data = np.random.default_rng(3).standard_normal((2, 5, 3)).astype(np.float32)
    outputs = []
    for implementation in (1, 2):
        model = Sequential([layer_class(4, implementation=implementation,
                                        input_shape=(5, 3))])
        if outputs:
            model.set_weights(weights)
        weights = model.get_weights()
        outputs.append(model.predict(data))
    np.testing.assert_allclose(outputs[0], outputs[1], rtol=1e-5, atol=1e-6)
