"""Layers that merge a list of inputs, as in Keras 2.2's keras/layers/merge.py.

Elementwise merges (Add, Subtract, Multiply, Average, Maximum, Minimum) broadcast their inputs
the way Keras 2.2 does: inputs of lower rank get size-1 axes inserted after the batch axis.
Concatenate and Dot have their own shape rules. Each class has a functional form
(`add([a, b])`, `concatenate([a, b], axis=1)`, ...).
"""
from .. import backend as K
from ..engine.base_layer import Layer


class _Merge(Layer):
    """Base class of the elementwise merge layers; subclasses define `_merge_function`."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _merge_function(self, inputs):
        raise NotImplementedError(f"{type(self).__name__} must define _merge_function")

    def _compute_elemwise_op_output_shape(self, shape1, shape2):
        """The broadcast of two sample shapes (no batch axis), aligned on their last axes."""
        if shape1 is None or shape2 is None:
            return None
        if len(shape1) < len(shape2):
            return self._compute_elemwise_op_output_shape(shape2, shape1)
        if not shape2:
            return tuple(shape1)
        output_shape = list(shape1[:len(shape1) - len(shape2)])
        for i, j in zip(shape1[len(shape1) - len(shape2):], shape2):
            if i is None or j is None:
                output_shape.append(None)
            elif i == 1:
                output_shape.append(j)
            elif j == 1 or i == j:
                output_shape.append(i)
            else:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': operands could not be broadcast "
                    f"together with shapes {tuple(shape1)} {tuple(shape2)}.")
        return tuple(output_shape)

    def _check_inputs(self, input_shape):
        if not isinstance(input_shape, list):
            raise ValueError(
                f"{type(self).__name__} '{self.name}' should be called on a list of at least 2 "
                f"inputs, got a single input of shape {input_shape}.")
        if len(input_shape) < 2:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' should be called on a list of at least 2 "
                f"inputs. Got {len(input_shape)} inputs.")
        batch_sizes = {s[0] for s in input_shape if s is not None} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' can not merge tensors with different batch "
                f"sizes. Got tensors with shapes: {[tuple(s) for s in input_shape]}")

    def _sample_shape(self, input_shape):
        """The broadcast sample shape of all inputs."""
        output_shape = None if input_shape[0] is None else tuple(input_shape[0][1:])
        for shape in input_shape[1:]:
            sample = None if shape is None else tuple(shape[1:])
            output_shape = self._compute_elemwise_op_output_shape(output_shape, sample)
        return output_shape

    def build(self, input_shape):
        self._check_inputs(input_shape)
        self._sample_shape(input_shape)
        ranks = {len(s) for s in input_shape if s is not None}
        self._reshape_required = None in input_shape or len(ranks) != 1
        self.built = True

    def call(self, inputs):
        if not self._reshape_required:
            return self._merge_function(inputs)
        # Keras 2.2: a lower-rank input gets new axes at position 1 until all ranks match.
        max_ndim = max(K.ndim(x) for x in inputs)
        reshaped = []
        for x in inputs:
            for _ in range(max_ndim - K.ndim(x)):
                x = K.expand_dims(x, 1)
            reshaped.append(x)
        return self._merge_function(reshaped)

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        output_shape = self._sample_shape(input_shape)
        if output_shape is None:
            return None
        batch_sizes = {s[0] for s in input_shape if s is not None} - {None}
        batch = batch_sizes.pop() if len(batch_sizes) == 1 else None
        return (batch,) + output_shape

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        _check_mask_list(self, inputs, mask)
        masks = [K.expand_dims(m, 0) for m in mask if m is not None]
        if not masks:
            return None
        return K.all(K.concatenate(masks, axis=0), axis=0, keepdims=False)


def _check_mask_list(layer, inputs, mask):
    if not isinstance(mask, list) or not isinstance(inputs, list):
        raise ValueError(f"{type(layer).__name__} '{layer.name}': `inputs` and `mask` should "
                         "be lists.")
    if len(mask) != len(inputs):
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': the lists `inputs` and `mask` should have "
            f"the same length, got {len(inputs)} inputs and {len(mask)} masks.")


class Add(_Merge):
    """Layer that adds a list of inputs.

    It takes as input a list of tensors, all of the same shape (or broadcastable), and returns
    a single tensor of that shape.

    # Example
        added = Add()([x1, x2])   # equivalent to add([x1, x2])
    """

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output


class Subtract(_Merge):
    """Layer that subtracts two inputs: `inputs[0] - inputs[1]`.

    # Example
        subtracted = Subtract()([x1, x2])   # equivalent to subtract([x1, x2])
    """

    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(
                f"Subtract '{self.name}' should be called on exactly 2 inputs, got "
                f"{len(input_shape)}.")

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError(
                f"Subtract '{self.name}' should be called on exactly 2 inputs, got "
                f"{len(inputs)}.")
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """Layer that multiplies (elementwise) a list of inputs.

    # Example
        product = Multiply()([x1, x2])
    """

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output * x
        return output


class Average(_Merge):
    """Layer that averages a list of inputs.

    # Example
        mean = Average()([x1, x2])
    """

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output / len(inputs)


class Maximum(_Merge):
    """Layer that computes the elementwise maximum of a list of inputs.

    # Example
        largest = Maximum()([x1, x2])
    """

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = K.maximum(output, x)
        return output


class Minimum(_Merge):
    """Layer that computes the elementwise minimum of a list of inputs.

    # Example
        smallest = Minimum()([x1, x2])
    """

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = K.minimum(output, x)
        return output


class Concatenate(_Merge):
    """Layer that concatenates a list of inputs along one axis.

    # Arguments
        axis: axis along which to concatenate (default -1, the features).

    # Input shape
        A list of tensors with the same shape except along `axis`.

    # Output shape
        That shape, with the sizes along `axis` summed.

    # Example
        merged = Concatenate(axis=1)([x1, x2])
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def _check_shapes(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(
                f"Concatenate '{self.name}' should be called on a list of at least 2 inputs.")
        if any(s is None for s in input_shape):
            return
        ranks = {len(s) for s in input_shape}
        if len(ranks) != 1:
            raise ValueError(self._shape_error(input_shape))
        rank = ranks.pop()
        if not -rank <= self.axis < rank:
            raise ValueError(
                f"Concatenate '{self.name}': axis {self.axis} is out of range for inputs of rank "
                f"{rank}.")
        axis = self.axis % rank
        reduced = {tuple(d for i, d in enumerate(s) if i != axis and i != 0)
                   for s in input_shape}
        if len(reduced) > 1 and not _match_with_unknowns(reduced):
            raise ValueError(self._shape_error(input_shape))

    def _shape_error(self, input_shape):
        return (f"Concatenate '{self.name}' requires inputs with matching shapes except for "
                f"the concat axis {self.axis}. Got inputs shapes: "
                f"{[tuple(s) for s in input_shape]}")

    def build(self, input_shape):
        self._check_shapes(input_shape)
        self.built = True

    def call(self, inputs):
        return K.concatenate(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        self._check_shapes(input_shape)
        output_shape = list(input_shape[0])
        axis = self.axis % len(output_shape)
        for shape in input_shape[1:]:
            if output_shape[axis] is None or shape[axis] is None:
                output_shape[axis] = None
                break
            output_shape[axis] += shape[axis]
        return tuple(output_shape)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        _check_mask_list(self, inputs, mask)
        if all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                masks.append(K.cast(K.ones_like(x), "bool"))
            elif K.ndim(m) < K.ndim(x):
                masks.append(K.expand_dims(m))
            else:
                masks.append(m)
        concatenated = K.concatenate(masks, axis=self.axis)
        return K.all(concatenated, axis=-1, keepdims=False)

    def get_config(self):
        return dict(super().get_config(), axis=self.axis)


def _match_with_unknowns(shapes):
    """True when shapes agree wherever both dimensions are known."""
    shapes = list(shapes)
    for dims in zip(*shapes):
        if len({d for d in dims if d is not None}) > 1:
            return False
    return True


class Dot(_Merge):
    """Layer that computes a dot product between samples in two tensors.

    For inputs of shapes `(batch, n)` the output has shape `(batch, 1)`: entry i is the dot
    product of `a[i]` and `b[i]`.

    # Arguments
        axes: integer or pair of integers, the axis or axes along which to take the product.
        normalize: whether to L2-normalize the samples along the product axes first; the
            output is then the cosine proximity.

    # Example
        similarity = Dot(axes=1, normalize=True)([x1, x2])
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)) or len(axes) != 2:
                raise ValueError(
                    f"Dot: axes must be an integer or a list of 2 integers, got {axes!r}.")
            if not all(isinstance(a, int) for a in axes):
                raise ValueError(f"Dot: axes must hold integers, got {axes!r}.")
            axes = list(axes)
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True

    def _resolve_axes(self, shape1, shape2):
        """Non-negative product axes for inputs of ranks len(shape1), len(shape2)."""
        axes = [self.axes, self.axes] if isinstance(self.axes, int) else self.axes
        return [axes[0] % len(shape1), axes[1] % len(shape2)]

    def _check(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise ValueError(f"Dot '{self.name}' should be called on a list of 2 inputs.")
        shape1, shape2 = input_shape
        if shape1 is None or shape2 is None:
            return
        axes = self._resolve_axes(shape1, shape2)
        if shape1[axes[0]] != shape2[axes[1]]:
            raise ValueError(
                f"Dot '{self.name}': dimension incompatibility {shape1[axes[0]]} != "
                f"{shape2[axes[1]]} along axes {axes}. Layer shapes: {tuple(shape1)}, "
                f"{tuple(shape2)}")

    def build(self, input_shape):
        self._check(input_shape)
        self.built = True

    def call(self, inputs):
        x1, x2 = inputs
        axes = self._resolve_axes(K.int_shape(x1), K.int_shape(x2))
        if self.normalize:
            x1 = K.l2_normalize(x1, axis=axes[0])
            x2 = K.l2_normalize(x2, axis=axes[1])
        return K.batch_dot(x1, x2, axes)

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        shape1 = list(input_shape[0])
        shape2 = list(input_shape[1])
        axes = self._resolve_axes(shape1, shape2)
        shape1.pop(axes[0])
        shape2.pop(axes[1])
        shape2.pop(0)
        output_shape = shape1 + shape2
        if len(output_shape) == 1:
            output_shape += [1]
        return tuple(output_shape)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        return dict(super().get_config(), axes=self.axes, normalize=self.normalize)


def add(inputs, **kwargs):
    """Functional interface to the `Add` layer: the sum of `inputs` (a list of tensors)."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional interface to the `Subtract` layer: `inputs[0] - inputs[1]`."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Functional interface to the `Multiply` layer: the elementwise product of `inputs`."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional interface to the `Average` layer: the mean of `inputs`."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Functional interface to the `Maximum` layer: the elementwise maximum of `inputs`."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional interface to the `Minimum` layer: the elementwise minimum of `inputs`."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional interface to the `Concatenate` layer: `inputs` joined along `axis`."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize=False, **kwargs):
    """Functional interface to the `Dot` layer: per-sample dot products of two inputs."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
