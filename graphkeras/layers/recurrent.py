"""Recurrent layers, as in Keras 2.2.4's keras/layers/recurrent.py: the `RNN` base layer and
SimpleRNN, GRU and LSTM. The cells they loop are in recurrent_cells.py (re-exported here).

`RNN.call` runs its cell with `K.rnn`, one scan node in the IR (or one copy of the step per
time step with `unroll=True`). Following tf.keras, the cell of SimpleRNN / GRU / LSTM is named
`simple_rnn_cell` / `gru_cell` / `lstm_cell` and its weights are built in the cell's name scope,
so weights are named `lstm/lstm_cell/kernel:0` as in tf_keras HDF5 files. tf.keras's
`time_major` argument is accepted: inputs (and outputs with `return_sequences`) are then
`(timesteps, batch, ...)`.
"""
import numpy as np

from .. import regularizers
from .. import backend as K
from ..engine.base_layer import InputSpec, Layer
from ..utils.generic_utils import has_arg, to_list
from .recurrent_cells import (GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells,  # noqa: F401
                              deserialize_cell, state_sizes)


def _standardize_args(inputs, initial_state, constants, num_constants):
    """Split a list `[inputs, *initial_state, *constants]` into its three parts."""
    if isinstance(inputs, list):
        if initial_state is not None or constants is not None:
            raise ValueError("RNN: pass the initial state and constants either in the input "
                             "list or as keyword arguments, not both.")
        if num_constants is not None:
            constants = inputs[-num_constants:]
            inputs = inputs[:-num_constants]
        if len(inputs) > 1:
            initial_state = inputs[1:]
        inputs = inputs[0]

    def to_list_or_none(x):
        if x is None or isinstance(x, list):
            return x
        if isinstance(x, tuple):
            return list(x)
        return [x]

    return inputs, to_list_or_none(initial_state), to_list_or_none(constants)


class RNN(Layer):
    """Base class for recurrent layers: loops a cell over the time axis.

    # Arguments
        cell: an RNN cell (a layer with `call(inputs, states)` and `state_size`), or a list
            of cells, stacked with `StackedRNNCells`.
        return_sequences: return the whole output sequence, not only the last output.
        return_state: also return the final states.
        go_backwards: process the input sequence backwards and return the reversed sequence.
        stateful: the last state of sample i in a batch is the initial state of sample i in
            the next batch (needs a fixed batch size; see `reset_states`).
        unroll: build one copy of the step per time step instead of a loop (needs a fixed
            number of time steps).
        time_major: tf.keras argument: inputs and sequence outputs are `(timesteps, batch,
            ...)`.

    # Input shape
        3D tensor `(batch_size, timesteps, input_dim)`.

    # Output shape
        `(batch_size, timesteps, units)` with `return_sequences`, else `(batch_size, units)`;
        with `return_state`, a list of that and one `(batch_size, units)` tensor per state.

    # Masking
        An input mask (e.g. from `Embedding(mask_zero=True)` or `Masking`) marks padded
        steps: there the states are carried over.

    # Example
    ```python
        cell = SimpleRNNCell(32)
        y = RNN(cell, return_sequences=True)(Input((None, 8)))
        z = RNN([LSTMCell(16), LSTMCell(8)])(y)
    ```
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, time_major=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(list(cell))
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError(f"RNN: `cell` should have a `call` method and a `state_size` "
                             f"attribute, got {cell!r}")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.time_major = time_major
        self.supports_masking = True
        self.input_spec = [InputSpec(ndim=3)]
        self.state_spec = None
        self._states = None
        self._batch_size = None
        self.constants_spec = None
        self._num_constants = None

    @property
    def states(self):
        if self._states is None:
            return [None] * len(state_sizes(self.cell))
        return self._states

    @states.setter
    def states(self, states):
        self._states = states

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        batch, steps = input_shape[0], input_shape[1]
        if self.time_major:
            batch, steps = steps, batch
        output_dim = state_sizes(self.cell)[0]
        if self.return_sequences:
            output_shape = (steps, batch, output_dim) if self.time_major else (
                batch, steps, output_dim)
        else:
            output_shape = (batch, output_dim)
        if self.return_state:
            return [output_shape] + [(batch, dim) for dim in state_sizes(self.cell)]
        return output_shape

    def compute_mask(self, inputs, mask):
        if isinstance(mask, list):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None for _ in self.states]
        return output_mask

    def build(self, input_shape):
        constants_shape = None
        if self._num_constants is not None:
            constants_shape = input_shape[-self._num_constants:]
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        batch_axis = 1 if self.time_major else 0
        batch_size = input_shape[batch_axis] if self.stateful else None
        self._batch_size = batch_size
        spec_shape = [None] * len(input_shape)
        spec_shape[batch_axis] = batch_size
        spec_shape[2:] = input_shape[2:]
        self.input_spec[0] = InputSpec(shape=tuple(spec_shape))
        if isinstance(self.cell, Layer) and not self.cell.built:
            step_input_shape = (input_shape[batch_axis],) + tuple(input_shape[2:])
            with K.name_scope(self.cell.name):
                if constants_shape is not None:
                    self.cell.build([step_input_shape] + list(constants_shape))
                else:
                    self.cell.build(step_input_shape)
            self.cell.built = True
        state_size = state_sizes(self.cell)
        if self.state_spec is not None:
            given = [spec.shape[-1] for spec in self.state_spec]
            if given != state_size:
                raise ValueError(f"{type(self).__name__} '{self.name}': an initial_state was "
                                 f"passed that is not compatible with `cell.state_size`: "
                                 f"states have last dimensions {given}, the cell expects "
                                 f"{state_size}.")
        else:
            self.state_spec = [InputSpec(shape=(None, dim)) for dim in state_size]
        if self.stateful:
            self.reset_states()
        self.built = True

    def get_initial_state(self, inputs):
        """Zero states `(samples, dim)`, one per state, made from `inputs` (batch-major)."""
        initial_state = K.zeros_like(inputs)
        initial_state = K.sum(initial_state, axis=(1, 2))
        initial_state = K.expand_dims(initial_state)
        return [K.tile(initial_state, [1, dim]) for dim in state_sizes(self.cell)]

    def __call__(self, inputs, initial_state=None, constants=None, **kwargs):
        inputs, initial_state, constants = _standardize_args(
            inputs, initial_state, constants, self._num_constants)
        if initial_state is None and constants is None:
            return super().__call__(inputs, **kwargs)
        additional_inputs, additional_specs = [], []
        if initial_state is not None:
            additional_inputs += initial_state
            self.state_spec = [InputSpec(shape=K.int_shape(state)) for state in initial_state]
            additional_specs += self.state_spec
        if constants is not None:
            additional_inputs += constants
            self.constants_spec = [InputSpec(shape=K.int_shape(c)) for c in constants]
            self._num_constants = len(constants)
            additional_specs += self.constants_spec
        is_keras_tensor = hasattr(additional_inputs[0], "_keras_history")
        for tensor in additional_inputs:
            if hasattr(tensor, "_keras_history") != is_keras_tensor:
                raise ValueError(f"{type(self).__name__} '{self.name}': the initial state or "
                                 "constants of an RNN layer cannot be a mix of Keras tensors "
                                 "and non-Keras tensors.")
        if is_keras_tensor:
            full_input = [inputs] + additional_inputs
            original_input_spec = self.input_spec
            self.input_spec = self.input_spec + additional_specs
            try:
                output = super().__call__(full_input, **kwargs)
            finally:
                original_input_spec[0] = self.input_spec[0]
                self.input_spec = original_input_spec
            return output
        if initial_state is not None:
            kwargs["initial_state"] = initial_state
        if constants is not None:
            kwargs["constants"] = constants
        return super().__call__(inputs, **kwargs)

    def call(self, inputs, mask=None, training=None, initial_state=None, constants=None):
        if isinstance(inputs, list):
            if self._num_constants is None:
                initial_state = inputs[1:]
            else:
                initial_state = inputs[1:-self._num_constants]
                constants = inputs[-self._num_constants:]
            if not initial_state:
                initial_state = None
            inputs = inputs[0]
        if isinstance(mask, list):
            mask = mask[0]
        layer_input = inputs
        if self.time_major:
            inputs = K.permute_dimensions(inputs, (1, 0) + tuple(range(2, K.ndim(inputs))))
            if mask is not None:
                mask = K.permute_dimensions(mask, (1, 0) + tuple(range(2, K.ndim(mask))))
        if initial_state is None:
            initial_state = self.states if self.stateful else self.get_initial_state(inputs)
        if len(initial_state) != len(self.states):
            raise ValueError(f"{type(self).__name__} '{self.name}' expects "
                             f"{len(self.states)} states, but it received "
                             f"{len(initial_state)} initial states.")
        timesteps = K.int_shape(inputs)[1]
        if self.unroll and timesteps is None:
            raise ValueError(f"{type(self).__name__} '{self.name}': cannot unroll a RNN if the "
                             "time dimension is undefined; give the number of timesteps in "
                             "the input shape (`input_shape` or `batch_input_shape`), or use "
                             "unroll=False.")
        if hasattr(self.cell, "reset_dropout_masks"):
            self.cell.reset_dropout_masks()
        step = self._step_function(training, constants)
        last_output, outputs, states = K.rnn(step, inputs, initial_state, constants=constants,
                                             go_backwards=self.go_backwards, mask=mask,
                                             unroll=self.unroll, input_length=timesteps)
        if self.stateful:
            updates = [(self.states[i], states[i]) for i in range(len(states))]
            self.add_update(updates, layer_input)
        if self.return_sequences:
            output = outputs
            if self.time_major:
                output = K.permute_dimensions(output, (1, 0) + tuple(range(2, K.ndim(output))))
        else:
            output = last_output
        if getattr(last_output, "_uses_learning_phase", False):
            output._uses_learning_phase = True
            for state in states:
                state._uses_learning_phase = True
        if self.return_state:
            return [output] + list(states)
        return output

    def _step_function(self, training, constants):
        """`step(inputs, states)` for K.rnn; constants come after the states."""
        kwargs = {}
        if has_arg(self.cell.call, "training"):
            kwargs["training"] = training
        if not constants:
            def step(inputs, states):
                return self.cell.call(inputs, states, **kwargs)
            return step
        if not has_arg(self.cell.call, "constants"):
            raise ValueError(f"{type(self).__name__} '{self.name}': the cell "
                             f"{type(self.cell).__name__} does not support constants (its "
                             "`call` has no `constants` argument).")
        count = len(constants)

        def step_with_constants(inputs, states):
            return self.cell.call(inputs, states[:-count], constants=states[-count:], **kwargs)
        return step_with_constants

    def reset_states(self, states=None):
        """Set the states of a stateful RNN to zeros, or to the given NumPy arrays.

        # Raises
            AttributeError: if the layer is not stateful.
            ValueError: if the batch size is unknown, or the arrays have the wrong shapes.
        """
        if not self.stateful:
            raise AttributeError(f"{type(self).__name__} '{self.name}': reset_states needs a "
                                 "stateful layer (stateful=True).")
        batch_size = self._batch_size
        if not batch_size:
            raise ValueError(f"{type(self).__name__} '{self.name}': a stateful RNN needs to "
                             "know its batch size. Give `batch_input_shape=(batch, timesteps, "
                             "features)` to the first layer (Sequential), or `batch_shape` to "
                             "`Input` (functional model).")
        sizes = state_sizes(self.cell)
        if self._states is None:
            self._states = [K.zeros((batch_size, dim)) for dim in sizes]
            return
        if states is None:
            for state, dim in zip(self._states, sizes):
                K.set_value(state, np.zeros((batch_size, dim)))
            return
        states = to_list(states)
        if len(states) != len(self._states):
            raise ValueError(f"{type(self).__name__} '{self.name}' expects {len(self._states)} "
                             f"states, but it received {len(states)} state values.")
        for index, (value, state) in enumerate(zip(states, self._states)):
            expected = (batch_size, sizes[index])
            if tuple(np.shape(value)) != expected:
                raise ValueError(f"{type(self).__name__} '{self.name}': state {index} is "
                                 f"incompatible with the layer: expected shape {expected}, "
                                 f"got {tuple(np.shape(value))}.")
            K.set_value(state, value)

    def get_config(self):
        config = {"return_sequences": self.return_sequences,
                  "return_state": self.return_state,
                  "go_backwards": self.go_backwards,
                  "stateful": self.stateful,
                  "unroll": self.unroll}
        if self.time_major:
            config["time_major"] = True
        if self._num_constants is not None:
            config["num_constants"] = self._num_constants
        config["cell"] = {"class_name": type(self.cell).__name__,
                          "config": self.cell.get_config()}
        return dict(super().get_config(), **config)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cell = deserialize_cell(config.pop("cell"), custom_objects=custom_objects)
        num_constants = config.pop("num_constants", None)
        layer = cls(cell, **config)
        layer._num_constants = num_constants
        return layer

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        if isinstance(self.cell, Layer):
            return self.cell.trainable_weights
        return []

    @property
    def non_trainable_weights(self):
        if isinstance(self.cell, Layer):
            if not self.trainable:
                return self.cell.weights
            return self.cell.non_trainable_weights
        return []

    @property
    def losses(self):
        if isinstance(self.cell, Layer):
            return self.cell.losses + self._losses
        return self._losses

    def get_losses_for(self, inputs=None):
        if isinstance(self.cell, Layer):
            return self.cell.get_losses_for(inputs) + super().get_losses_for(inputs)
        return super().get_losses_for(inputs)


# Keyword arguments of the RNN base layer (the rest go to the cell).
_RNN_KWARGS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
               "time_major")
# Keyword arguments of the base Layer, which the layer keeps and the cell does not get.
_LAYER_KWARGS = ("input_shape", "batch_input_shape", "batch_size", "input_dim", "name",
                 "trainable", "weights", "input_dtype")


class _CellLayer(RNN):
    """An RNN over one cell it builds from its own arguments (SimpleRNN, GRU, LSTM).

    Every cell argument is a layer argument too, readable as an attribute (`layer.units`),
    and the layer's config is the cell's config with the RNN arguments, without `cell`.
    """

    cell_class = None
    cell_name = None

    def __init__(self, units, activity_regularizer=None, **kwargs):
        rnn_kwargs = {key: kwargs.pop(key) for key in _RNN_KWARGS if key in kwargs}
        layer_kwargs = {key: kwargs.pop(key) for key in _LAYER_KWARGS if key in kwargs}
        if "dtype" in kwargs:
            layer_kwargs["dtype"] = kwargs.pop("dtype")
        if kwargs.get("implementation") == 0:
            kwargs["implementation"] = 1   # Keras 2.2: implementation 0 means 1
        cell = self.cell_class(units, name=self.cell_name, dtype=layer_kwargs.get("dtype"),
                               trainable=layer_kwargs.get("trainable", True), **kwargs)
        super().__init__(cell, **rnn_kwargs, **layer_kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)

    def __getattr__(self, name):
        # Cell settings (`units`, `dropout`, ...) read through the layer, as in Keras 2.2.
        if name.startswith("_") or name == "cell" or "cell" not in self.__dict__:
            raise AttributeError(name)
        return getattr(self.__dict__["cell"], name)

    def get_config(self):
        config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            config.pop(key, None)
        config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        base_config = super().get_config()
        del base_config["cell"]
        return dict(base_config, **config)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if config.get("implementation") == 0:
            config["implementation"] = 1
        return cls(**config)


class SimpleRNN(_CellLayer):
    """Fully-connected RNN where the output is fed back to the input.

    # Arguments
        units: positive integer, dimensionality of the output space.
        activation, use_bias, *_initializer, *_regularizer, *_constraint, dropout,
            recurrent_dropout: as in `SimpleRNNCell`.
        activity_regularizer: regularizer applied to the output of the layer.
        return_sequences, return_state, go_backwards, stateful, unroll, time_major: as in
            `RNN`.

    # Input shape
        3D tensor `(batch_size, timesteps, input_dim)`.

    # Output shape
        As in `RNN`.

    # Example
    ```python
        model = Sequential([SimpleRNN(32, input_shape=(10, 8))])
    ```
    """

    cell_class = SimpleRNNCell
    cell_name = "simple_rnn_cell"


class GRU(_CellLayer):
    """Gated Recurrent Unit - Cho et al. 2014.

    Keras 2.2 defaults: `recurrent_activation='hard_sigmoid'`, `reset_after=False`,
    `implementation=1`; tf.keras configs state `sigmoid`, `True` and `2`. With `reset_after`
    the bias has shape `(2, 3 * units)`.

    # Arguments
        units: positive integer, dimensionality of the output space.
        activation, recurrent_activation, use_bias, *_initializer, *_regularizer,
            *_constraint, dropout, recurrent_dropout, implementation, reset_after: as in
            `GRUCell`.
        activity_regularizer: regularizer applied to the output of the layer.
        return_sequences, return_state, go_backwards, stateful, unroll, time_major: as in
            `RNN`.

    # Input shape
        3D tensor `(batch_size, timesteps, input_dim)`.

    # Output shape
        As in `RNN`.
    """

    cell_class = GRUCell
    cell_name = "gru_cell"


class LSTM(_CellLayer):
    """Long Short-Term Memory layer - Hochreiter 1997.

    Keras 2.2 defaults: `recurrent_activation='hard_sigmoid'`, `implementation=1`; tf.keras
    configs state `sigmoid` and `2`.

    # Arguments
        units: positive integer, dimensionality of the output space.
        activation, recurrent_activation, use_bias, *_initializer, unit_forget_bias,
            *_regularizer, *_constraint, dropout, recurrent_dropout, implementation: as in
            `LSTMCell`.
        activity_regularizer: regularizer applied to the output of the layer.
        return_sequences, return_state, go_backwards, stateful, unroll, time_major: as in
            `RNN`.

    # Input shape
        3D tensor `(batch_size, timesteps, input_dim)`.

    # Output shape
        As in `RNN`; `return_state` gives `[output, h, c]`.

    # Example
    ```python
        model = Sequential([Embedding(1000, 64, input_length=10), LSTM(32)])
    ```
    """

    cell_class = LSTMCell
    cell_name = "lstm_cell"
