"""TimeDistributed and Bidirectional: layer_test, NumPy references, masks, weight names,
training vs inference, and Bidirectional over a minimal Keras 2.2-interface RNN and LSTM."""
import numpy as np
import pytest

from graphkeras.saving import load_model
from graphkeras import backend as K
from graphkeras.engine.base_layer import InputSpec, Layer
from graphkeras.layers import Dense, Dropout, Input, Masking
from graphkeras.layers.normalization import BatchNormalization
from graphkeras.layers.recurrent import LSTM
from graphkeras.layers.wrappers import Bidirectional, TimeDistributed
from graphkeras.models import Model, Sequential
from graphkeras.utils.generic_utils import custom_object_scope

from .layer_test import layer_test


class MinimalRNN(Layer):
    """h_t = tanh(x_t W + h_{t-1} U): the smallest layer with Keras 2.2's RNN interface."""

    def __init__(self, units, return_sequences=False, return_state=False, go_backwards=False,
                 **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.supports_masking = True
        self.input_spec = [InputSpec(ndim=3)]
        self.states = [None]

    def build(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                name="recurrent_kernel")
        self.built = True

    def call(self, inputs, mask=None, training=None, initial_state=None):
        if initial_state is None:
            initial_state = [K.dot(inputs[:, 0, :] * 0.0, self.kernel)]

        def step(x_t, states):
            h = K.tanh(K.dot(x_t, self.kernel) + K.dot(states[0], self.recurrent_kernel))
            return h, [h]

        last, outputs, states = K.rnn(step, inputs, initial_state, mask=mask,
                                      go_backwards=self.go_backwards)
        output = outputs if self.return_sequences else last
        return [output] + states if self.return_state else output

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        if self.return_sequences:
            output_shape = (input_shape[0], input_shape[1], self.units)
        else:
            output_shape = (input_shape[0], self.units)
        if self.return_state:
            return [output_shape, (input_shape[0], self.units)]
        return output_shape

    def compute_mask(self, inputs, mask=None):
        output_mask = mask if self.return_sequences else None
        return [output_mask, None] if self.return_state else output_mask

    def get_config(self):
        config = {"units": self.units, "return_sequences": self.return_sequences,
                  "return_state": self.return_state, "go_backwards": self.go_backwards}
        return dict(super().get_config(), **config)


CUSTOM = {"TimeDistributed": TimeDistributed, "Bidirectional": Bidirectional,
          "MinimalRNN": MinimalRNN, "BatchNormalization": BatchNormalization, "LSTM": LSTM}


def numpy_rnn(x, kernel, recurrent_kernel, backwards=False):
    """All hidden states of MinimalRNN, in the order the steps were taken."""
    h = np.zeros((x.shape[0], kernel.shape[1]), dtype=np.float64)
    outputs = []
    steps = range(x.shape[1] - 1, -1, -1) if backwards else range(x.shape[1])
    for t in steps:
        h = np.tanh(x[:, t] @ kernel + h @ recurrent_kernel)
        outputs.append(h)
    return np.stack(outputs, axis=1)


# ------------------------------------------------------------------------ TimeDistributed

@pytest.mark.parametrize("input_shape", [(None, 3, 4), (None, None, 4), (2, 3, 4)])
def test_time_distributed_dense_passes_layer_test(input_shape):
    with custom_object_scope(CUSTOM):
        layer_test(TimeDistributed, kwargs={"layer": Dense(2)}, input_shape=input_shape)


def test_time_distributed_dense_matches_numpy_and_names_weights():
    inputs = Input(shape=(3, 4), name="x")
    layer = TimeDistributed(Dense(2), name="time_distributed")
    model = Model(inputs, layer(inputs))
    assert [w.name for w in layer.weights] == ["time_distributed/kernel:0",
                                               "time_distributed/bias:0"]
    kernel, bias = layer.get_weights()
    bias = np.array([0.5, -1.0], dtype="float32")
    layer.set_weights([kernel, bias])
    x = np.random.RandomState(0).normal(size=(2, 3, 4)).astype("float32")
    np.testing.assert_allclose(model.predict(x), x @ kernel + bias, rtol=1e-5, atol=1e-6)


def test_time_distributed_wraps_a_model():
    inner_input = Input(shape=(4,))
    hidden = Dense(5, activation="tanh")(inner_input)
    inner = Model(inner_input, Dense(2)(hidden))
    inputs = Input(shape=(3, 4))
    layer = TimeDistributed(inner)
    model = Model(inputs, layer(inputs))
    assert K.int_shape(model.output) == (None, 3, 2)
    assert len(layer.trainable_weights) == 4
    x = np.random.RandomState(1).normal(size=(2, 3, 4)).astype("float32")
    expected = inner.predict(x.reshape(6, 4)).reshape(2, 3, 2)
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-5, atol=1e-6)
    with custom_object_scope(CUSTOM):
        rebuilt = Model.from_config(model.get_config())
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_allclose(rebuilt.predict(x), expected, rtol=1e-5, atol=1e-6)


def _output_mask(tensor):
    layer, node_index, tensor_index = tensor._keras_history
    return layer._inbound_nodes[node_index].output_masks[tensor_index]


def test_time_distributed_passes_mask_through_and_regroups_inner_masks():
    x = np.ones((2, 4, 3), dtype="float32")
    x[0, 1] = 0.0
    x[1, 3] = 0.0
    inputs = Input(shape=(4, 3))
    masked = Masking()(inputs)
    dense_out = TimeDistributed(Dense(2))(masked)
    inner_masking = TimeDistributed(Masking())(inputs)
    run = K.function([inputs], [_output_mask(dense_out), _output_mask(inner_masking)])
    expected = np.any(x != 0, axis=-1)
    for mask in run([x]):
        np.testing.assert_array_equal(mask, expected)
    assert _output_mask(TimeDistributed(Dense(2))(inputs)) is None


def test_time_distributed_dropout_is_identity_at_inference_only():
    inputs = Input(shape=(3, 50))
    output = TimeDistributed(Dropout(0.5))(inputs)
    x = np.ones((2, 3, 50), dtype="float32")
    run = K.function([inputs, K.learning_phase()], [output])
    np.testing.assert_array_equal(run([x, 0])[0], x)
    trained = run([x, 1])[0]
    assert set(np.unique(trained)) <= {0.0, 2.0}
    assert 0 < np.count_nonzero(trained) < trained.size


def test_time_distributed_batchnorm_updates_reach_the_model():
    model = Sequential([TimeDistributed(BatchNormalization(momentum=0.5), input_shape=(3, 2))])
    assert len(model.updates) == 2
    model.compile("sgd", "mse")
    x = np.random.RandomState(2).normal(size=(4, 3, 2)).astype("float32")
    model.train_on_batch(x, x)
    moving_mean = model.layers[0].get_weights()[2]
    np.testing.assert_allclose(moving_mean, 0.5 * x.reshape(-1, 2).mean(axis=0), rtol=1e-5,
                               atol=1e-6)


def test_time_distributed_refuses_inputs_without_time_axis():
    with pytest.raises(ValueError, match="rank >= 3"):
        TimeDistributed(Dense(2))(Input(shape=(4,)))


# -------------------------------------------------------------------------- Bidirectional

@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_minimal_rnn_matches_numpy(merge_mode, return_sequences):
    inputs = Input(shape=(4, 3))
    layer = Bidirectional(MinimalRNN(2, return_sequences=return_sequences),
                          merge_mode=merge_mode)
    model = Model(inputs, layer(inputs))
    x = np.random.RandomState(3).normal(size=(2, 4, 3)).astype("float32")
    kf, uf, kb, ub = layer.get_weights()
    forward = numpy_rnn(x, kf, uf)
    backward = numpy_rnn(x, kb, ub, backwards=True)
    if return_sequences:
        y, y_rev = forward, backward[:, ::-1]
    else:
        y, y_rev = forward[:, -1], backward[:, -1]
    expected = {"concat": np.concatenate([y, y_rev], axis=-1), "sum": y + y_rev,
                "mul": y * y_rev, "ave": (y + y_rev) / 2}[merge_mode]
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("merge_mode", ["concat", "ave"])
def test_bidirectional_minimal_rnn_passes_layer_test(merge_mode):
    with custom_object_scope(CUSTOM):
        layer_test(Bidirectional, kwargs={"layer": MinimalRNN(3, return_sequences=True),
                                          "merge_mode": merge_mode},
                   input_shape=(None, 4, 2))


def test_bidirectional_lstm_passes_layer_test():
    with custom_object_scope(CUSTOM):
        layer_test(Bidirectional, kwargs={"layer": LSTM(3)}, input_shape=(None, 4, 2))


def test_bidirectional_merge_none_returns_both_directions():
    inputs = Input(shape=(4, 3))
    layer = Bidirectional(MinimalRNN(2), merge_mode=None)
    outputs = layer(inputs)
    assert isinstance(outputs, list) and len(outputs) == 2
    model = Model(inputs, outputs)
    x = np.random.RandomState(4).normal(size=(2, 4, 3)).astype("float32")
    kf, uf, kb, ub = layer.get_weights()
    forward, backward = model.predict(x)
    np.testing.assert_allclose(forward, numpy_rnn(x, kf, uf)[:, -1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(backward, numpy_rnn(x, kb, ub, True)[:, -1], rtol=1e-5,
                               atol=1e-6)


def test_bidirectional_lstm_weight_names_and_equivalence_to_two_lstms():
    inputs = Input(shape=(5, 3))
    layer = Bidirectional(LSTM(4, return_sequences=True, name="lstm"), name="bidirectional")
    model = Model(inputs, layer(inputs))
    names = [w.name for w in layer.weights]
    assert names[0] == "bidirectional/forward_lstm/lstm_cell/kernel:0"
    assert names[3] == "bidirectional/backward_lstm/lstm_cell/kernel:0"
    assert len(names) == 6 and len(layer.trainable_weights) == 6
    forward, backward = LSTM(4, return_sequences=True), LSTM(4, return_sequences=True,
                                                             go_backwards=True)
    separate = Model(inputs, [forward(inputs), backward(inputs)])
    weights = layer.get_weights()
    forward.set_weights(weights[:3])
    backward.set_weights(weights[3:])
    x = np.random.RandomState(5).normal(size=(2, 5, 3)).astype("float32")
    y, y_rev = separate.predict(x)
    expected = np.concatenate([y, y_rev[:, ::-1]], axis=-1)
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-5, atol=1e-6)


def test_bidirectional_return_state_gives_forward_then_backward_states():
    inputs = Input(shape=(5, 3))
    layer = Bidirectional(LSTM(4, return_state=True))
    outputs = layer(inputs)
    assert [K.int_shape(o) for o in outputs] == [(None, 8)] + [(None, 4)] * 4
    assert layer.compute_output_shape((None, 5, 3)) == [(None, 8)] + [(None, 4)] * 4
    model = Model(inputs, outputs)
    x = np.random.RandomState(6).normal(size=(2, 5, 3)).astype("float32")
    merged, h_f, _, h_b, _ = model.predict(x)
    np.testing.assert_allclose(merged, np.concatenate([h_f, h_b], axis=-1), rtol=1e-6)


def test_bidirectional_initial_state_becomes_model_inputs():
    inputs = Input(shape=(5, 3))
    states = [Input(shape=(2,)) for _ in range(2)]
    layer = Bidirectional(MinimalRNN(2), merge_mode=None)
    outputs = layer(inputs, initial_state=states)
    model = Model([inputs] + states, outputs)
    rng = np.random.RandomState(7)
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    h0 = [rng.normal(size=(2, 2)).astype("float32") for _ in range(2)]
    kf, uf, kb, ub = layer.get_weights()
    forward, backward = model.predict([x] + h0)
    h = h0[0].astype(np.float64)
    for t in range(5):
        h = np.tanh(x[:, t] @ kf + h @ uf)
    np.testing.assert_allclose(forward, h, rtol=1e-5, atol=1e-6)
    h = h0[1].astype(np.float64)
    for t in reversed(range(5)):
        h = np.tanh(x[:, t] @ kb + h @ ub)
    np.testing.assert_allclose(backward, h, rtol=1e-5, atol=1e-6)


def test_bidirectional_keeps_the_sequence_mask():
    x = np.ones((2, 4, 3), dtype="float32")
    x[0, 3] = 0.0
    inputs = Input(shape=(4, 3))
    masked = Masking()(inputs)
    sequences = Bidirectional(MinimalRNN(2, return_sequences=True))(masked)
    last = Bidirectional(MinimalRNN(2))(masked)
    assert _output_mask(last) is None
    run = K.function([inputs], [_output_mask(sequences), last])
    mask, _ = run([x])
    np.testing.assert_array_equal(mask, np.any(x != 0, axis=-1))


def test_bidirectional_trainable_flag_reaches_both_directions():
    layer = Bidirectional(MinimalRNN(2))
    layer(Input(shape=(4, 3)))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4
    assert not layer.forward_layer.trainable and not layer.backward_layer.trainable


def test_bidirectional_rejects_bad_merge_mode_and_non_recurrent_layers():
    with pytest.raises(ValueError, match="merge mode"):
        Bidirectional(MinimalRNN(2), merge_mode="max")
    with pytest.raises(ValueError, match="recurrent layer"):
        Bidirectional(Dense(2))


def test_bidirectional_reads_a_tf_keras_layer_entry():
    lstm_config = LSTM(3, name="lstm").get_config()
    config = {"name": "bidirectional", "trainable": True, "dtype": "float32",
              "merge_mode": "sum",
              "layer": {"module": "keras.layers", "class_name": "LSTM", "config": lstm_config,
                        "registered_name": None, "build_config": {"input_shape": [None, 4, 2]}}}
    with custom_object_scope(CUSTOM):
        layer = Bidirectional.from_config(config)
    assert layer.merge_mode == "sum"
    assert (layer.forward_layer.name, layer.backward_layer.name) == ("forward_lstm",
                                                                      "backward_lstm")
    assert layer.backward_layer.go_backwards and not layer.forward_layer.go_backwards
    assert K.int_shape(layer(Input(shape=(4, 2)))) == (None, 3)


def test_wrapped_model_saves_and_loads_from_hdf5(tmp_path):
    inputs = Input(shape=(4, 3))
    hidden = TimeDistributed(Dense(5), name="time_distributed")(inputs)
    outputs = Bidirectional(LSTM(2, name="lstm"), name="bidirectional")(hidden)
    model = Model(inputs, outputs)
    model.compile("sgd", "mse")
    x = np.random.RandomState(8).normal(size=(2, 4, 3)).astype("float32")
    expected = model.predict(x)
    path = str(tmp_path / "model.h5")
    model.save(path)
    loaded = load_model(path, custom_objects=CUSTOM)
    assert [w.name for w in loaded.weights] == [w.name for w in model.weights]
    np.testing.assert_allclose(loaded.predict(x), expected, rtol=1e-6, atol=1e-7)


def test_time_distributed_counts_the_inner_activity_regularizer_once():
    inputs = Input(shape=(3, 4))
    layer = TimeDistributed(Dense(2, activity_regularizer="l1"))
    output = layer(inputs)
    model = Model(inputs, output)
    assert len(model.losses) == 1
    x = np.random.RandomState(9).normal(size=(2, 3, 4)).astype("float32")
    run = K.function([inputs], [model.losses[0], output])
    penalty, y = run([x])
    np.testing.assert_allclose(penalty, 0.01 * np.abs(y).sum(), rtol=1e-5)
