"""Recurrent cells, as in Keras 2.2.4's keras/layers/recurrent.py: SimpleRNNCell, GRUCell,
LSTMCell and StackedRNNCells.

A cell is a layer with `state_size` and `call(inputs, states, training=None) -> (output,
new_states)` for one time step; the `RNN` layer (recurrent.py) loops it with `K.rnn`. Dropout
masks are drawn on a cell's first call, which `K.rnn` makes outside its loop, so one mask holds
for every time step of a batch (Keras 2.2's behaviour). Keras 2.2 and tf.keras differ in the
defaults of `recurrent_activation`, GRU `reset_after` and `implementation`; these cells keep
Keras 2.2's defaults, and a config always states the values it was saved with.
"""
import numpy as np

from .. import activations, constraints, initializers, regularizers
from .. import backend as K
from ..engine.base_layer import Layer
from ..utils.generic_utils import has_arg
from .serialization import set_weight_settings


def generate_dropout_mask(ones, rate, training=None, count=1):
    """`count` dropout masks shaped like `ones`: dropped in training, all ones at inference."""
    def dropped_inputs():
        return K.dropout(ones, rate)

    if count > 1:
        return [K.in_train_phase(dropped_inputs, ones, training=training) for _ in range(count)]
    return K.in_train_phase(dropped_inputs, ones, training=training)


def _mark_learning_phase(cell, output, training):
    """A cell with dropout makes outputs that depend on the learning phase (Keras 2.2)."""
    if 0 < cell.dropout + cell.recurrent_dropout and training is None:
        output._uses_learning_phase = True


class _DropoutCell(Layer):
    """What SimpleRNNCell, GRUCell and LSTMCell share: weight settings, dropout, config."""

    gate_count = 1

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0., recurrent_dropout=0., **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        set_weight_settings(self, locals(), names=("kernel", "recurrent", "bias"))
        self.dropout = min(1., max(0., dropout))
        self.recurrent_dropout = min(1., max(0., recurrent_dropout))
        self.state_size = units
        self.output_size = units
        self._dropout_mask = None
        self._recurrent_dropout_mask = None

    def reset_dropout_masks(self):
        """Forget the masks, so the next call (a new `RNN.call`) draws new ones."""
        self._dropout_mask = None
        self._recurrent_dropout_mask = None

    def _build_kernels(self, input_shape, bias_shape, bias_initializer=None):
        """The cell's `kernel`, `recurrent_kernel` and (with `use_bias`) `bias` weights."""
        width = self.units * self.gate_count
        self.kernel = self.add_weight(shape=(input_shape[-1], width), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, width),
                                                name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=bias_shape, name="bias",
                                        initializer=bias_initializer or self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def _dropout_masks(self, inputs, h_tm1, training):
        """The input and recurrent dropout masks (None when unused), drawn on the first call."""
        count = self.gate_count
        if 0 < self.dropout < 1 and self._dropout_mask is None:
            self._dropout_mask = generate_dropout_mask(K.ones_like(inputs), self.dropout,
                                                       training=training, count=count)
        if 0 < self.recurrent_dropout < 1 and self._recurrent_dropout_mask is None:
            self._recurrent_dropout_mask = generate_dropout_mask(
                K.ones_like(h_tm1), self.recurrent_dropout, training=training, count=count)
        return self._dropout_mask, self._recurrent_dropout_mask

    def _recurrent_products(self, h_tm1, rec_dp_mask, count):
        """`h_tm1 U_g` for the first `count` gates g. Without recurrent dropout every gate
        multiplies the same state, so one product over the gates' columns, sliced, gives the
        same values as one product per gate: in an LSTM step one (32, 128) x (128, 512)
        product instead of four (32, 128) x (128, 128) ones, and as many fewer in the
        backward loop (640 products per IMDB LSTM train step became 160)."""
        if rec_dp_mask is None:
            kernel = self.recurrent_kernel
            if count * self.units != K.int_shape(kernel)[1]:
                kernel = kernel[:, :count * self.units]
            product = K.dot(h_tm1, kernel)
            return [self._gate(product, index) for index in range(count)]
        return [K.dot(h_tm1 * rec_dp_mask[index], self._gate(self.recurrent_kernel, index))
                for index in range(count)]

    def _gate(self, tensor, index):
        """Columns `index * units` to `(index + 1) * units` of a stacked-gate matrix."""
        return tensor[:, index * self.units:(index + 1) * self.units]

    def get_config(self):
        config = {"units": self.units,
                  "activation": activations.serialize(self.activation),
                  "use_bias": self.use_bias,
                  "kernel_initializer": initializers.serialize(self.kernel_initializer),
                  "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                  "bias_initializer": initializers.serialize(self.bias_initializer),
                  "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                  "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
                  "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                  "kernel_constraint": constraints.serialize(self.kernel_constraint),
                  "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
                  "bias_constraint": constraints.serialize(self.bias_constraint),
                  "dropout": self.dropout,
                  "recurrent_dropout": self.recurrent_dropout}
        return dict(super().get_config(), **config)


class SimpleRNNCell(_DropoutCell):
    """Cell class for SimpleRNN: `h_t = activation(x_t W + h_{t-1} U + b)`.

    # Arguments
        units: positive integer, dimensionality of the output space.
        activation: activation function (default `tanh`).
        use_bias: whether the layer uses a bias vector.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers of the
            input kernel, the recurrent kernel and the bias.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: their regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint: their constraints.
        dropout: fraction of the input units to drop.
        recurrent_dropout: fraction of the recurrent state units to drop.

    # Input shape
        2D tensor `(batch, input_dim)` per step; the state is `(batch, units)`.
    """

    def build(self, input_shape):
        self._build_kernels(input_shape, (self.units,))
        self.built = True

    def call(self, inputs, states, training=None):
        prev_output = states[0]
        dp_mask, rec_dp_mask = self._dropout_masks(inputs, prev_output, training)
        if dp_mask is not None:
            inputs = inputs * dp_mask
        h = K.dot(inputs, self.kernel)
        if self.bias is not None:
            h = K.bias_add(h, self.bias)
        if rec_dp_mask is not None:
            prev_output = prev_output * rec_dp_mask
        output = h + K.dot(prev_output, self.recurrent_kernel)
        if self.activation is not None:
            output = self.activation(output)
        _mark_learning_phase(self, output, training)
        return output, [output]


class GRUCell(_DropoutCell):
    """Cell class for the GRU layer (gates z, r, h in that order in every weight).

    # Arguments
        units: positive integer, dimensionality of the output space.
        activation: activation of the candidate state (default `tanh`).
        recurrent_activation: activation of the gates (Keras 2.2 default `hard_sigmoid`;
            tf.keras uses `sigmoid` and writes it in its configs).
        use_bias, *_initializer, *_regularizer, *_constraint, dropout, recurrent_dropout: as
            in SimpleRNNCell.
        implementation: 1 computes each gate with its own products; 2 uses one product for
            all gates. Both give the same values.
        reset_after: apply the reset gate after the recurrent product (cuDNN convention,
            tf.keras default). The bias is then `(2, 3 * units)`: row 0 for the input
            projection, row 1 for the recurrent one.
    """

    gate_count = 3

    def __init__(self, units, activation="tanh", recurrent_activation="hard_sigmoid",
                 implementation=1, reset_after=False, **kwargs):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.implementation = implementation
        self.reset_after = reset_after

    def build(self, input_shape):
        bias_shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        self._build_kernels(input_shape, bias_shape)
        self.input_bias, self.recurrent_bias = self.bias, None
        if self.bias is not None and self.reset_after:
            self.input_bias = self.bias[0]
            self.recurrent_bias = self.bias[1]
        self.built = True

    def call(self, inputs, states, training=None):
        h_tm1 = states[0]
        dp_mask, rec_dp_mask = self._dropout_masks(inputs, h_tm1, training)
        if self.implementation == 1:
            h_tm1_out, z, hh = self._gates_separately(inputs, h_tm1, dp_mask, rec_dp_mask)
        else:
            h_tm1_out, z, hh = self._gates_together(inputs, h_tm1, dp_mask, rec_dp_mask)
        h = z * h_tm1_out + (1 - z) * hh
        _mark_learning_phase(self, h, training)
        return h, [h]

    def _gates_separately(self, inputs, h_tm1, dp_mask, rec_dp_mask):
        """Implementation 1: one product per gate, each with its own dropout mask."""
        x = [inputs * dp_mask[i] if dp_mask is not None else inputs for i in range(3)]
        x = [K.dot(x[i], self._gate(self.kernel, i)) for i in range(3)]
        if self.bias is not None:
            x = [K.bias_add(x[i], self._bias_gate(self.input_bias, i)) for i in range(3)]
        h_candidate = h_tm1 * rec_dp_mask[2] if rec_dp_mask is not None else h_tm1
        recurrent_z, recurrent_r = self._recurrent_products(h_tm1, rec_dp_mask, 2)
        if self.reset_after and self.bias is not None:
            recurrent_z = K.bias_add(recurrent_z, self._bias_gate(self.recurrent_bias, 0))
            recurrent_r = K.bias_add(recurrent_r, self._bias_gate(self.recurrent_bias, 1))
        z = self.recurrent_activation(x[0] + recurrent_z)
        r = self.recurrent_activation(x[1] + recurrent_r)
        if self.reset_after:
            recurrent_h = K.dot(h_candidate, self._gate(self.recurrent_kernel, 2))
            if self.bias is not None:
                recurrent_h = K.bias_add(recurrent_h, self._bias_gate(self.recurrent_bias, 2))
            recurrent_h = r * recurrent_h
        else:
            recurrent_h = K.dot(r * h_candidate, self._gate(self.recurrent_kernel, 2))
        return h_tm1, z, self.activation(x[2] + recurrent_h)

    def _gates_together(self, inputs, h_tm1, dp_mask, rec_dp_mask):
        """Implementation 2: one product for all gates; only the first masks are used.

        Keras 2.2.4 multiplies `h_tm1` by the recurrent dropout mask in place, so the dropped
        state also enters the final mix `z * h_tm1 + (1 - z) * hh`; kept here.
        """
        if dp_mask is not None:
            inputs = inputs * dp_mask[0]
        matrix_x = K.dot(inputs, self.kernel)
        if self.bias is not None:
            matrix_x = K.bias_add(matrix_x, self.input_bias)
        if rec_dp_mask is not None:
            h_tm1 = h_tm1 * rec_dp_mask[0]
        if self.reset_after:
            matrix_inner = K.dot(h_tm1, self.recurrent_kernel)
            if self.bias is not None:
                matrix_inner = K.bias_add(matrix_inner, self.recurrent_bias)
        else:
            matrix_inner = K.dot(h_tm1, self.recurrent_kernel[:, :2 * self.units])
        z = self.recurrent_activation(self._gate(matrix_x, 0) + self._gate(matrix_inner, 0))
        r = self.recurrent_activation(self._gate(matrix_x, 1) + self._gate(matrix_inner, 1))
        if self.reset_after:
            recurrent_h = r * self._gate(matrix_inner, 2)
        else:
            recurrent_h = K.dot(r * h_tm1, self._gate(self.recurrent_kernel, 2))
        return h_tm1, z, self.activation(self._gate(matrix_x, 2) + recurrent_h)

    def _bias_gate(self, bias, index):
        return bias[index * self.units:(index + 1) * self.units]

    def get_config(self):
        config = {"recurrent_activation": activations.serialize(self.recurrent_activation),
                  "implementation": self.implementation,
                  "reset_after": self.reset_after}
        return dict(super().get_config(), **config)


class LSTMCell(_DropoutCell):
    """Cell class for the LSTM layer (gates i, f, c, o in that order in every weight).

    # Arguments
        units: positive integer, dimensionality of the output space.
        activation: activation of the cell input and output (default `tanh`).
        recurrent_activation: activation of the gates (Keras 2.2 default `hard_sigmoid`;
            tf.keras uses `sigmoid` and writes it in its configs).
        unit_forget_bias: add 1 to the forget gate's bias at initialization (it forces
            `bias_initializer="zeros"` for that part, as Jozefowicz et al. recommend).
        use_bias, *_initializer, *_regularizer, *_constraint, dropout, recurrent_dropout: as
            in SimpleRNNCell.
        implementation: 1 computes each gate with its own products; 2 uses one product for
            all gates. Both give the same values.

    # Input shape
        2D tensor `(batch, input_dim)` per step; the states are `h` and `c`, `(batch, units)`.
    """

    gate_count = 4

    def __init__(self, units, activation="tanh", recurrent_activation="hard_sigmoid",
                 unit_forget_bias=True, implementation=1, **kwargs):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.implementation = implementation
        self.state_size = (units, units)

    def build(self, input_shape):
        bias_initializer = self._forget_bias_initializer if self.unit_forget_bias else None
        self._build_kernels(input_shape, (4 * self.units,), bias_initializer)
        self.built = True

    def _forget_bias_initializer(self, shape, dtype=None):
        """The bias initializer's values, with ones for the forget gate."""
        units = self.units
        return np.concatenate([
            np.asarray(self.bias_initializer((units,), dtype=dtype)),
            np.asarray(initializers.Ones()((units,), dtype=dtype)),
            np.asarray(self.bias_initializer((units * 2,), dtype=dtype))])

    def call(self, inputs, states, training=None):
        h_tm1, c_tm1 = states[0], states[1]
        dp_mask, rec_dp_mask = self._dropout_masks(inputs, h_tm1, training)
        if self.implementation == 1:
            z = self._preactivations_separately(inputs, h_tm1, dp_mask, rec_dp_mask)
        else:
            z = self._preactivations_together(inputs, h_tm1, dp_mask, rec_dp_mask)
        i = self.recurrent_activation(z[0])
        f = self.recurrent_activation(z[1])
        c = f * c_tm1 + i * self.activation(z[2])
        o = self.recurrent_activation(z[3])
        h = o * self.activation(c)
        _mark_learning_phase(self, h, training)
        return h, [h, c]

    def _preactivations_separately(self, inputs, h_tm1, dp_mask, rec_dp_mask):
        """Implementation 1: the four gate pre-activations, each from its own products."""
        recurrent = self._recurrent_products(h_tm1, rec_dp_mask, 4)
        z = []
        for index in range(4):
            x = inputs * dp_mask[index] if dp_mask is not None else inputs
            x = K.dot(x, self._gate(self.kernel, index))
            if self.bias is not None:
                x = K.bias_add(x, self.bias[index * self.units:(index + 1) * self.units])
            z.append(x + recurrent[index])
        return z

    def _preactivations_together(self, inputs, h_tm1, dp_mask, rec_dp_mask):
        """Implementation 2: one product for all gates; only the first masks are used."""
        if dp_mask is not None:
            inputs = inputs * dp_mask[0]
        z = K.dot(inputs, self.kernel)
        if rec_dp_mask is not None:
            h_tm1 = h_tm1 * rec_dp_mask[0]
        z = z + K.dot(h_tm1, self.recurrent_kernel)
        if self.bias is not None:
            z = K.bias_add(z, self.bias)
        return [self._gate(z, index) for index in range(4)]

    def get_config(self):
        config = {"recurrent_activation": activations.serialize(self.recurrent_activation),
                  "unit_forget_bias": self.unit_forget_bias,
                  "implementation": self.implementation}
        return dict(super().get_config(), **config)


def state_sizes(cell):
    """A cell's `state_size` as a list (an int is one state)."""
    if hasattr(cell.state_size, "__len__"):
        return list(cell.state_size)
    return [cell.state_size]


class StackedRNNCells(Layer):
    """Wrapper allowing a stack of RNN cells to behave as a single cell.

    The states are one flat list in reverse order of the stack, so that `state_size[0]` is
    the last cell's output size (Keras 2.2's convention).

    # Arguments
        cells: list of RNN cell instances.

    # Example
    ```python
        cells = [LSTMCell(32), LSTMCell(64)]
        lstm_layer = RNN(StackedRNNCells(cells))
    ```
    """

    def __init__(self, cells, **kwargs):
        for cell in cells:
            if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
                raise ValueError(f"StackedRNNCells: every cell needs a `call` method and a "
                                 f"`state_size` attribute, got {cell!r}")
        self.cells = cells
        super().__init__(**kwargs)

    @property
    def state_size(self):
        sizes = []
        for cell in self.cells[::-1]:
            sizes += state_sizes(cell)
        return tuple(sizes)

    def call(self, inputs, states, constants=None, **kwargs):
        states = list(states)
        nested_states = []
        for cell in self.cells[::-1]:
            count = len(state_sizes(cell))
            nested_states.append(states[:count])
            states = states[count:]
        nested_states = nested_states[::-1]
        new_nested_states = []
        for cell, cell_states in zip(self.cells, nested_states):
            if has_arg(cell.call, "constants"):
                inputs, cell_states = cell.call(inputs, cell_states, constants=constants,
                                                **kwargs)
            else:
                inputs, cell_states = cell.call(inputs, cell_states, **kwargs)
            new_nested_states.append(list(cell_states))
        flat = []
        for cell_states in new_nested_states[::-1]:
            flat += cell_states
        return inputs, flat

    def build(self, input_shape):
        constants_shape = []
        if isinstance(input_shape, list):
            constants_shape = input_shape[1:]
            input_shape = input_shape[0]
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                with K.name_scope(cell.name):
                    if has_arg(cell.call, "constants"):
                        cell.build([input_shape] + constants_shape)
                    else:
                        cell.build(input_shape)
                cell.built = True
            input_shape = (input_shape[0], state_sizes(cell)[0])
        self.built = True

    def reset_dropout_masks(self):
        for cell in self.cells:
            if hasattr(cell, "reset_dropout_masks"):
                cell.reset_dropout_masks()

    def get_config(self):
        cells = [{"class_name": type(cell).__name__, "config": cell.get_config()}
                 for cell in self.cells]
        return dict(super().get_config(), cells=cells)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [deserialize_cell(c, custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [w for cell in self.cells if isinstance(cell, Layer)
                for w in cell.trainable_weights]

    @property
    def non_trainable_weights(self):
        weights = [w for cell in self.cells if isinstance(cell, Layer)
                   for w in cell.non_trainable_weights]
        if not self.trainable:
            trainable = [w for cell in self.cells if isinstance(cell, Layer)
                         for w in cell.trainable_weights]
            return trainable + weights
        return weights

    @property
    def losses(self):
        return [loss for cell in self.cells if isinstance(cell, Layer)
                for loss in cell.losses] + self._losses

    def get_losses_for(self, inputs):
        return [loss for cell in self.cells if isinstance(cell, Layer)
                for loss in cell.get_losses_for(inputs)] + super().get_losses_for(inputs)


CELL_CLASSES = {cls.__name__: cls
                for cls in (SimpleRNNCell, GRUCell, LSTMCell, StackedRNNCells)}


def deserialize_cell(config, custom_objects=None):
    """A cell from `{'class_name', 'config'}`: the cells here, layers, or custom objects."""
    from .serialization import deserialize
    return deserialize(config, custom_objects=dict(CELL_CLASSES, **(custom_objects or {})))
