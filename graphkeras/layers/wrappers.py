"""Layers that wrap another layer, as in Keras 2.2's keras/layers/wrappers.py.

`Wrapper` delegates weights, losses and updates to the wrapped layer; `TimeDistributed`
applies a layer (or a model) to every timestep; `Bidirectional` runs a recurrent layer forwards
and a copy of it backwards and merges the two. Bidirectional is written against the Keras 2.2
RNN interface: `return_sequences`, `return_state`, `go_backwards` in the config, `states`, and
`call(inputs, mask=None, training=None, initial_state=None, constants=None)`.
"""
from .. import backend as K
from ..engine.base_layer import InputSpec, Layer
from ..engine.input_spec import shape_text
from ..utils.generic_utils import has_arg, object_list_uid, to_list

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


class Wrapper(Layer):
    """Abstract wrapper base class: a layer that holds another layer and exposes its state.

    # Arguments
        layer: the wrapped layer instance.
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"{type(self).__name__} wraps a Layer instance, got {layer!r}.")
        self.layer = layer
        # Wrapper input uid -> the tensors the inner layer saw, so that updates and masks the
        # inner layer keyed on its own inputs are found from the wrapper's inputs.
        self._input_map = {}
        trainable = kwargs.pop("trainable", layer.trainable)
        super().__init__(**kwargs)
        self.trainable = trainable

    def build(self, input_shape=None):
        self.built = True

    @property
    def activity_regularizer(self):
        return getattr(self.layer, "activity_regularizer", None)

    @property
    def trainable(self):
        return self.layer.trainable

    @trainable.setter
    def trainable(self, value):
        self.layer.trainable = value

    @property
    def trainable_weights(self):
        return self.layer.trainable_weights

    @property
    def non_trainable_weights(self):
        return self.layer.non_trainable_weights

    @property
    def updates(self):
        return self.layer.updates + self._updates

    @property
    def losses(self):
        return self.layer.losses + self._losses

    def get_updates_for(self, inputs=None):
        inner_inputs = inputs
        if inputs is not None:
            inner_inputs = self._input_map.get(object_list_uid(inputs), inputs)
        return self.layer.get_updates_for(inner_inputs) + super().get_updates_for(inputs)

    def get_losses_for(self, inputs=None):
        if inputs is None:
            return self.layer.get_losses_for(None) + super().get_losses_for(None)
        return super().get_losses_for(inputs)

    def get_config(self):
        config = {"layer": {"class_name": type(self.layer).__name__,
                            "config": self.layer.get_config()}}
        return dict(super().get_config(), **config)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from .serialization import deserialize
        config = dict(config)
        layer = deserialize(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)


def _shape_with_dynamic(prefix, tensor, start, static=None):
    """`prefix + shape[start:]`, with each unknown size read from the tensor at run time."""
    if static is None:
        static = K.int_shape(tensor)[start:]
    if all(static):
        return tuple(prefix) + tuple(static)
    dynamic = K.shape(tensor)
    sizes = [size if size else dynamic[start + i] for i, size in enumerate(static)]
    return tuple(prefix) + tuple(sizes)


class TimeDistributed(Wrapper):
    """Applies a layer to every temporal slice of an input.

    The input should be at least 3D; dimension 1 is the time axis. The same weights serve every
    timestep. The wrapped layer may be a `Model`.

    # Arguments
        layer: a layer (or model) instance.

    # Input shape
        `(batch, timesteps, ...)` where `(batch, ...)` suits the wrapped layer.

    # Output shape
        `(batch, timesteps) + output_shape[1:]` of the wrapped layer.

    # Example
        model = Sequential()
        model.add(TimeDistributed(Dense(8), input_shape=(10, 16)))   # (None, 10, 8)
    """

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _check_rank(self, input_shape):
        if input_shape is None or len(input_shape) < 3:
            raise ValueError(f"TimeDistributed '{self.name}' expects inputs of rank >= 3 "
                             "(batch, timesteps, ...), got shape "
                             f"{shape_text(input_shape) if input_shape else input_shape}.")

    def build(self, input_shape):
        self._check_rank(input_shape)
        self.input_spec = InputSpec(shape=(None,) + tuple(input_shape[1:]))
        if not self.layer.built:
            self.layer.build((input_shape[0],) + tuple(input_shape[2:]))
            self.layer.built = True
        self.built = True

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        child_shape = self.layer.compute_output_shape((input_shape[0],) +
                                                      tuple(input_shape[2:]))
        return (child_shape[0], input_shape[1]) + tuple(child_shape[1:])

    def _flatten_time(self, tensor):
        """(batch, time, ...) -> (batch * time, ...)."""
        return K.reshape(tensor, _shape_with_dynamic((-1,), tensor, 2))

    def call(self, inputs, training=None, mask=None):
        kwargs = {}
        if has_arg(self.layer.call, "training"):
            kwargs["training"] = training
        input_shape = K.int_shape(inputs)
        timesteps = input_shape[1] or K.shape(inputs)[1]
        inner_inputs = self._flatten_time(inputs)
        self._input_map[object_list_uid(inputs)] = inner_inputs
        if mask is not None and has_arg(self.layer.call, "mask"):
            kwargs["mask"] = self._flatten_time(mask)
        y = self.layer.call(inner_inputs, **kwargs)
        output_shape = self.compute_output_shape(input_shape)
        y = K.reshape(y, _shape_with_dynamic((-1, timesteps), y, 1, output_shape[2:]))
        if getattr(y, "_uses_learning_phase", False) or has_arg(self.layer.call, "training"):
            y._uses_learning_phase = True
        return y

    def compute_mask(self, inputs, mask=None):
        """The inner layer's per-step mask regrouped by timestep; else the input mask reduced
        to (batch, timesteps); None when neither exists (Keras 2.2.4's rule)."""
        inner_mask = None if mask is None else self._flatten_time(mask)
        inner_inputs = self._input_map.get(object_list_uid(inputs))
        if inner_inputs is None:
            inner_inputs = self._flatten_time(inputs)
        output_mask = self.layer.compute_mask(inner_inputs, inner_mask)
        if output_mask is None:
            if mask is None:
                return None
            output_mask = mask
            for _ in range(2, K.ndim(mask)):
                output_mask = K.any(output_mask, axis=-1)
            return output_mask
        timesteps = K.int_shape(inputs)[1] or K.shape(inputs)[1]
        return K.reshape(output_mask, _shape_with_dynamic((-1, timesteps), output_mask, 1))


class Bidirectional(Wrapper):
    """Bidirectional wrapper for RNNs.

    Runs a copy of the layer forwards (`forward_<name>`) and one backwards
    (`backward_<name>`, `go_backwards` flipped) and merges their outputs. With
    `return_sequences` the backward outputs are reversed back into time order first.

    # Arguments
        layer: a recurrent layer instance (`LSTM`, `GRU`, `SimpleRNN`, `RNN`...).
        merge_mode: how the outputs are combined: 'sum', 'mul', 'concat', 'ave' or None (a
            list of the two outputs).
        weights: initial weights, forward then backward.
        backward_layer: optional recurrent layer used backwards (tf.keras); it must have
            `go_backwards` set opposite to `layer`'s.

    # Raises
        ValueError: for an unknown `merge_mode` or a layer that is not recurrent.

    # Example
        model = Sequential()
        model.add(Bidirectional(LSTM(10, return_sequences=True), input_shape=(5, 10)))
        model.add(Bidirectional(LSTM(10)))
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode {merge_mode!r} for Bidirectional. Merge mode "
                             "should be one of {'sum', 'mul', 'ave', 'concat', None}.")
        config = layer.get_config() if isinstance(layer, Layer) else {}
        if "go_backwards" not in config or not hasattr(layer, "return_sequences"):
            raise ValueError(f"Bidirectional wraps a recurrent layer (with `go_backwards` and "
                             f"`return_sequences`), got {layer!r}.")
        self.forward_layer = _recreate(layer, "forward_" + layer.name, config["go_backwards"])
        self._custom_backward = backward_layer is not None
        if backward_layer is None:
            backward_layer = _recreate(layer, "backward_" + layer.name,
                                       not config["go_backwards"])
        elif backward_layer.get_config().get("go_backwards") == config["go_backwards"]:
            raise ValueError("Bidirectional: backward_layer.go_backwards must be the opposite of "
                             "layer.go_backwards.")
        self.backward_layer = backward_layer
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = getattr(layer, "return_state", False)
        self._num_constants = None
        super().__init__(layer, weights=weights, **kwargs)
        self.stateful = getattr(layer, "stateful", False)
        self.supports_masking = True
        self.input_spec = layer.input_spec

    @property
    def trainable(self):
        return self.forward_layer.trainable

    @trainable.setter
    def trainable(self, value):
        self.layer.trainable = value
        self.forward_layer.trainable = value
        self.backward_layer.trainable = value

    @property
    def trainable_weights(self):
        return self.forward_layer.trainable_weights + self.backward_layer.trainable_weights

    @property
    def non_trainable_weights(self):
        return (self.forward_layer.non_trainable_weights
                + self.backward_layer.non_trainable_weights)

    @property
    def weights(self):
        """Forward weights then backward weights (the Keras 2 h5 order)."""
        return self.forward_layer.weights + self.backward_layer.weights

    @property
    def updates(self):
        return self.forward_layer.updates + self.backward_layer.updates + self._updates

    @property
    def losses(self):
        return self.forward_layer.losses + self.backward_layer.losses + self._losses

    def get_updates_for(self, inputs=None):
        return (self.forward_layer.get_updates_for(inputs)
                + self.backward_layer.get_updates_for(inputs)
                + Layer.get_updates_for(self, inputs))

    def get_losses_for(self, inputs=None):
        return (self.forward_layer.get_losses_for(inputs)
                + self.backward_layer.get_losses_for(inputs)
                + Layer.get_losses_for(self, inputs))

    def build(self, input_shape):
        with K.name_scope(self.forward_layer.name):
            self.forward_layer.build(input_shape)
            self.forward_layer.built = True
        with K.name_scope(self.backward_layer.name):
            self.backward_layer.build(input_shape)
            self.backward_layer.built = True
        self.built = True

    def compute_output_shape(self, input_shape):
        output_shape = self.forward_layer.compute_output_shape(input_shape)
        state_shapes = []
        if self.return_state:
            state_shapes = list(output_shape[1:])
            output_shape = output_shape[0]
        output_shape = tuple(output_shape)
        if self.merge_mode == "concat":
            last = output_shape[-1] * 2 if output_shape[-1] is not None else None
            output_shape = output_shape[:-1] + (last,)
        outputs = [output_shape, output_shape] if self.merge_mode is None else [output_shape]
        if self.return_state:
            return outputs + [tuple(s) for s in state_shapes] * 2
        return outputs[0] if len(outputs) == 1 else outputs

    def __call__(self, inputs, initial_state=None, constants=None, **kwargs):
        """Calls the layer; `initial_state` (forward states then backward states) and
        `constants` become extra inputs of the call so the model graph records them."""
        if isinstance(inputs, list) and initial_state is None and constants is None:
            if len(inputs) > 1:
                num_constants = self._num_constants or 0
                rest = inputs[1:len(inputs) - num_constants]
                initial_state = rest or None
                constants = inputs[len(inputs) - num_constants:] if num_constants else None
            inputs = inputs[0]
        if initial_state is None and constants is None:
            return super().__call__(inputs, **kwargs)
        extra_inputs = []
        extra_specs = []
        if initial_state is not None:
            initial_state = to_list(initial_state)
            if len(initial_state) % 2:
                raise ValueError("Bidirectional: initial_state must hold the forward states "
                                 "then the backward states (an even number), got "
                                 f"{len(initial_state)} tensors.")
            kwargs["initial_state"] = initial_state
            extra_inputs += initial_state
            extra_specs += [InputSpec(shape=K.int_shape(s)) for s in initial_state]
        if constants is not None:
            constants = to_list(constants)
            kwargs["constants"] = constants
            extra_inputs += constants
            extra_specs += [InputSpec(shape=K.int_shape(c)) for c in constants]
            self._num_constants = len(constants)
            self.forward_layer._num_constants = self._num_constants
            self.backward_layer._num_constants = self._num_constants
        original_spec = self.input_spec
        self.input_spec = to_list(original_spec) + extra_specs if original_spec else None
        try:
            return super().__call__([inputs] + extra_inputs, **kwargs)
        finally:
            self.input_spec = original_spec

    def call(self, inputs, mask=None, training=None, initial_state=None, constants=None):
        kwargs = {}
        if has_arg(self.layer.call, "training"):
            kwargs["training"] = training
        if has_arg(self.layer.call, "mask"):
            kwargs["mask"] = mask[0] if isinstance(mask, list) else mask
        if constants is not None and has_arg(self.layer.call, "constants"):
            kwargs["constants"] = constants
        sequence = inputs[0] if isinstance(inputs, list) else inputs
        if initial_state is not None and has_arg(self.layer.call, "initial_state"):
            half = len(initial_state) // 2
            y = self.forward_layer.call(sequence, initial_state=initial_state[:half], **kwargs)
            y_rev = self.backward_layer.call(sequence, initial_state=initial_state[half:],
                                             **kwargs)
        else:
            y = self.forward_layer.call(sequence, **kwargs)
            y_rev = self.backward_layer.call(sequence, **kwargs)

        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = K.reverse(y_rev, 1)
        output = _merge(self.merge_mode, y, y_rev)
        uses_learning_phase = (getattr(y, "_uses_learning_phase", False)
                               or getattr(y_rev, "_uses_learning_phase", False))
        if uses_learning_phase:
            for out in to_list(output):
                out._uses_learning_phase = True
        if self.return_state:
            return to_list(output) + states
        return output

    def reset_states(self, states=None):
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, list):
            mask = mask[0]
        sequence_mask = mask if self.return_sequences else None
        output_mask = [sequence_mask, sequence_mask] if self.merge_mode is None \
            else [sequence_mask]
        if self.return_state:
            state_count = len(to_list(self.forward_layer.states))
            return output_mask + [None] * (2 * state_count)
        return output_mask if self.merge_mode is None else output_mask[0]

    def get_config(self):
        config = {"merge_mode": self.merge_mode}
        if self._num_constants is not None:
            config["num_constants"] = self._num_constants
        if self._custom_backward:
            config["backward_layer"] = {"class_name": type(self.backward_layer).__name__,
                                        "config": self.backward_layer.get_config()}
        return dict(super().get_config(), **config)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from .serialization import deserialize
        config = dict(config)
        layer = deserialize(config.pop("layer"), custom_objects=custom_objects)
        num_constants = config.pop("num_constants", None)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            backward = deserialize(backward, custom_objects=custom_objects)
        bidirectional = cls(layer, backward_layer=backward, **config)
        bidirectional._num_constants = num_constants
        return bidirectional


def _recreate(layer, name, go_backwards):
    """A fresh copy of a recurrent layer from its config, renamed, with `go_backwards`."""
    config = dict(layer.get_config(), name=name, go_backwards=go_backwards)
    return type(layer).from_config(config)


def _merge(merge_mode, y, y_rev):
    """Combine the forward and (time-ordered) backward outputs."""
    if merge_mode == "concat":
        return K.concatenate([y, y_rev])
    if merge_mode == "sum":
        return y + y_rev
    if merge_mode == "ave":
        return (y + y_rev) / 2
    if merge_mode == "mul":
        return y * y_rev
    return [y, y_rev]
