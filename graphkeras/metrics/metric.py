"""The stateful `Metric` base class, the running sum and mean (`Reduce`, `Sum`, `Mean`) and
`MeanMetricWrapper`, which averages a metric function over batches."""
import numpy as np

from graphkeras import backend as K
from graphkeras.losses import align_sample_weight
from graphkeras.utils.generic_utils import snake_case


def divide_no_nan(numerator, denominator):
    """numerator / denominator, and 0 where the denominator is 0 (tf.math.divide_no_nan)."""
    is_zero = K.equal(denominator, 0.0)
    safe = K.switch(is_zero, K.ones_like(denominator), denominator)
    return K.switch(is_zero, K.zeros_like(numerator * safe), numerator / safe)


def as_float(x, dtype=None):
    """`x` (a tensor, or a Python or NumPy value) as a tensor of `dtype` (default floatx)."""
    if not K.is_tensor(x):
        x = K.constant(x, dtype=dtype or K.floatx())
    return K.cast(x, dtype or K.floatx())


class Metric:
    """Base class of stateful metrics, with tf.keras's interface.

    Subclasses declare their totals with `add_weight` in `__init__` and implement
    `state_after(y_true, y_pred, sample_weight)` (the new totals, in `weights` order) and
    `result_from(totals)` (the value, from a list of totals).

    # Arguments
        name: the metric's name (default: the class name in snake case).
        dtype: the dtype of the totals (default: floatx).
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or snake_case(type(self).__name__)
        self.dtype = dtype or K.floatx()
        self.stateful = True
        self.weights = []
        self.updates = []
        self._initial_values = []

    def add_weight(self, name, shape=(), initializer="zeros", dtype=None):
        """A new total, held in a non-trainable backend variable."""
        from graphkeras import initializers
        value = initializers.get(initializer)(shape, dtype or self.dtype)
        with K.name_scope(self.name):
            variable = K.variable(value, dtype=dtype or self.dtype, name=name)
        self.weights.append(variable)
        self._initial_values.append(np.array(value))
        return variable

    @property
    def variables(self):
        return list(self.weights)

    def state_after(self, y_true, y_pred, sample_weight=None):
        raise NotImplementedError(f"{type(self).__name__} must implement state_after")

    def result_from(self, totals):
        raise NotImplementedError(f"{type(self).__name__} must implement result_from")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """The update pairs that add one batch to the totals (also kept in `updates`)."""
        new_totals = self.state_after(y_true, y_pred, sample_weight)
        self.updates = [K.update(v, t) for v, t in zip(self.weights, new_totals)]
        return self.updates

    def result(self):
        """The metric's value from the current totals, as a tensor."""
        return self.result_from(self.weights)

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The value including this batch; the batch's update pairs go to `updates`."""
        updates = Metric.update_state(self, y_true, y_pred, sample_weight)
        return self.result_from([new_total for _, new_total in updates])

    def reset_states(self):
        """Set every total back to its initial value."""
        K.batch_set_value(list(zip(self.weights, self._initial_values)))

    reset_state = reset_states

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Reduce(Metric):
    """A running sum (`reduction='sum'`) or weighted mean (`'mean'`) of the given values."""

    def __init__(self, reduction, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reduction = reduction
        self.total = self.add_weight("total")
        if reduction != "sum":
            self.count = self.add_weight("count")

    def _values(self, y_true, y_pred):
        return y_true

    def state_after(self, y_true, y_pred=None, sample_weight=None):
        values = as_float(self._values(y_true, y_pred), self.dtype)
        if sample_weight is None:
            weighted_sum = K.sum(values)
            count = K.cast(K.prod(K.shape(values)), self.dtype)
        else:
            weights = align_sample_weight(sample_weight, values) * K.ones_like(values)
            weighted_sum = K.sum(values * weights)
            count = K.sum(weights)
        if self.reduction == "sum":
            return [self.total + weighted_sum]
        return [self.total + weighted_sum, self.count + count]

    def result_from(self, totals):
        if self.reduction == "sum":
            return K.identity(totals[0])
        return divide_no_nan(totals[0], totals[1])


class _ValueReduce(Reduce):
    """A Reduce fed the values themselves: `metric(values, sample_weight=None)`."""

    def __call__(self, values, sample_weight=None):
        return super().__call__(values, None, sample_weight)

    def update_state(self, values, sample_weight=None):
        return super().update_state(values, None, sample_weight)

    def get_config(self):
        return Metric.get_config(self)


class Sum(_ValueReduce):
    """The running (weighted) sum of the given values."""

    def __init__(self, name=None, dtype=None):
        super().__init__("sum", name=name, dtype=dtype)


class Mean(_ValueReduce):
    """The running (weighted) mean of the given values."""

    def __init__(self, name=None, dtype=None):
        super().__init__("mean", name=name, dtype=dtype)


class MeanMetricWrapper(Reduce):
    """The running mean of a per-sample function `fn(y_true, y_pred, **kwargs)`."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__("mean", name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def _values(self, y_true, y_pred):
        return self._fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = dict(self._fn_kwargs)
        config.update(Metric.get_config(self))
        return config


def wrapper_class(class_name, fn, default_name=None, doc="", **defaults):
    """A MeanMetricWrapper subclass for `fn`, taking `fn`'s keyword arguments."""
    def __init__(self, name=None, dtype=None, **kwargs):
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise TypeError(f"{class_name}: unexpected arguments {sorted(unknown)}; "
                            f"accepted: {sorted(defaults)}")
        MeanMetricWrapper.__init__(self, fn, name=name or default_name or snake_case(class_name),
                                   dtype=dtype, **dict(defaults, **kwargs))
    return type(class_name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": doc})
