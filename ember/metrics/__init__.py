"""Metrics for evaluating models: drop-in replacements for ``sklearn.metrics`` functions
(same names, arguments and return types; inputs may be ember tensors, NumPy arrays or lists)
and batch-accumulating metric objects for training loops (``Accuracy``, ``F1``, ``AUROC``...).

Only NumPy is needed; scikit-learn is not imported. ``import ember.metrics`` to use them.
"""
from ._base import UndefinedMetricWarning, InvalidParameterError  # noqa: F401
from .classification import (accuracy_score, confusion_matrix,  # noqa: F401
                             multilabel_confusion_matrix, precision_recall_fscore_support,
                             precision_score, recall_score, f1_score, fbeta_score,
                             matthews_corrcoef, log_loss, classification_report)
from .ranking import (auc, roc_curve, roc_auc_score, precision_recall_curve,  # noqa: F401
                      average_precision_score)
from .regression import (mean_squared_error, root_mean_squared_error,  # noqa: F401
                         mean_absolute_error, mean_absolute_percentage_error, r2_score)
from .stateful import Metric, Accuracy, Precision, Recall, F1, FBeta, AUROC, MSE, MAE  # noqa

__all__ = [
    "UndefinedMetricWarning", "InvalidParameterError",
    "accuracy_score", "confusion_matrix", "multilabel_confusion_matrix",
    "precision_recall_fscore_support", "precision_score", "recall_score", "f1_score",
    "fbeta_score", "matthews_corrcoef", "log_loss", "classification_report",
    "auc", "roc_curve", "roc_auc_score", "precision_recall_curve", "average_precision_score",
    "mean_squared_error", "root_mean_squared_error", "mean_absolute_error",
    "mean_absolute_percentage_error", "r2_score",
    "Metric", "Accuracy", "Precision", "Recall", "F1", "FBeta", "AUROC", "MSE", "MAE",
]
