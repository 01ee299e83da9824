"""`MeanIoU`: mean intersection-over-union from a running confusion matrix."""
import numpy as np

from graphkeras import backend as K
from graphkeras.losses import align_sample_weight
from graphkeras.metrics.metric import Metric, divide_no_nan


class MeanIoU(Metric):
    """Mean intersection-over-union over classes, from a running confusion matrix.

    `y_true` and `y_pred` hold class ids (predictions are not arg-maxed, as in tf.keras).

    # Arguments
        num_classes: the number of classes.
    """

    def __init__(self, num_classes, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.num_classes = num_classes
        self.total_cm = self.add_weight("total_confusion_matrix",
                                        shape=(num_classes, num_classes))

    def state_after(self, y_true, y_pred, sample_weight=None):
        dtype = self.dtype
        true_ids = K.cast(K.flatten(K.cast(y_true, dtype)), "int32")
        pred_ids = K.cast(K.flatten(K.cast(y_pred, dtype)), "int32")
        true_hot = K.cast(K.one_hot(true_ids, self.num_classes), dtype)
        pred_hot = K.cast(K.one_hot(pred_ids, self.num_classes), dtype)
        if sample_weight is not None:
            weights = K.flatten(align_sample_weight(sample_weight, y_pred)
                                * K.ones_like(K.cast(y_pred, dtype)))
            true_hot = true_hot * K.expand_dims(weights, -1)
        return [self.total_cm + K.dot(K.transpose(true_hot), pred_hot)]

    def result_from(self, totals):
        cm = totals[0]
        predicted_per_class = K.sum(cm, axis=0)
        true_per_class = K.sum(cm, axis=1)
        diagonal = K.sum(cm * K.constant(np.eye(self.num_classes), dtype=self.dtype), axis=1)
        denominator = predicted_per_class + true_per_class - diagonal
        valid = K.sum(K.cast(K.not_equal(denominator, 0.0), self.dtype))
        iou = divide_no_nan(diagonal, denominator)
        return divide_no_nan(K.sum(iou), valid)

    def get_config(self):
        config = {"num_classes": self.num_classes}
        config.update(Metric.get_config(self))
        return config
