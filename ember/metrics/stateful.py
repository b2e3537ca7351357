"""Batch-accumulating metric objects for training loops: ``update(preds, target)`` per batch,
``compute()`` at the end of an epoch, ``reset()`` before the next.

Each gives the value of the matching function over the concatenated batches. Classification
metrics keep per-class counts (not the samples); AUROC keeps the scores, since the area needs
them all. Predictions may be labels, probabilities (thresholded at ``threshold`` in the binary
and multilabel cases) or class scores of shape (N, C) (argmax over dim 1).
"""
import warnings

import numpy as np

from ._base import (_asarray, check_consistent_length, column_or_1d, type_of_target)
from .classification import _prf_from_sums
from .ranking import roc_auc_score
from .regression import _check_reg_targets

__all__ = ["Metric", "Accuracy", "Precision", "Recall", "F1", "FBeta", "AUROC", "MSE", "MAE"]


def _pred_labels(preds, target, threshold):
    """Predicted labels from labels, probabilities/scores or (N, C, ...) class scores."""
    p, t = _asarray(preds), _asarray(target)
    if p.ndim == t.ndim + 1 and p.ndim >= 2:
        if p.shape[1] == 1:
            p = p[:, 0]
        else:
            return p.argmax(axis=1)
    if p.dtype.kind == "f":
        return (p > threshold).astype(np.int64)
    return p


class Metric:
    """Base class: subclasses define ``reset``, ``update`` and ``compute``.

    Calling the metric (``metric(preds, target)``) adds the batch and returns the metric of
    that batch alone, as torchmetrics' forward does.
    """

    def __init__(self):
        self.reset()

    def reset(self):
        raise NotImplementedError

    def update(self, preds, target):
        raise NotImplementedError

    def compute(self):
        raise NotImplementedError

    def _config(self):
        return {}

    def __call__(self, preds, target):
        batch = type(self)(**self._config())
        batch.update(preds, target)
        self.update(preds, target)
        return batch.compute()

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._config().items())
        return f"{type(self).__name__}({args})"


def _empty_error():
    return ValueError("Found empty input array (e.g., `y_true` or `y_pred`) while a minimum "
                      "of 1 sample is required.")


class Accuracy(Metric):
    """Fraction of correct predictions (subset accuracy for multilabel targets);
    ``accuracy_score`` over all batches."""

    def __init__(self, threshold=0.5):
        self.threshold = threshold
        super().__init__()

    def _config(self):
        return {"threshold": self.threshold}

    def reset(self):
        self.correct = 0
        self.total = 0

    def update(self, preds, target):
        p = _pred_labels(preds, target, self.threshold)
        t = _asarray(target)
        check_consistent_length(t, p)
        if t.ndim == 2 and t.shape[1] > 1:   # multilabel indicator: every label must match
            if p.shape != t.shape:
                raise ValueError(f"preds of shape {p.shape} do not match target of shape "
                                 f"{t.shape}")
            hit = ~np.any(p != t, axis=1)
        else:
            hit = column_or_1d(p) == column_or_1d(t)
        self.correct += int(np.count_nonzero(hit))
        self.total += int(hit.shape[0])

    def compute(self):
        if self.total == 0:
            raise _empty_error()
        return self.correct / self.total


class _PRF(Metric):
    """Per-class counts of true positives, predictions and targets; the averaging and the
    zero-division rules are those of ``precision_recall_fscore_support``."""
    _index = 0
    _warn = ()

    def __init__(self, average="binary", pos_label=1, labels=None, zero_division="warn",
                 threshold=0.5, beta=1.0):
        options = (None, "micro", "macro", "weighted", "binary")
        if average not in options:
            raise ValueError(f"average has to be one of {options}")
        self.average = average
        self.pos_label = pos_label
        self.labels = labels
        self.zero_division = zero_division
        self.threshold = threshold
        self.beta = beta
        super().__init__()

    def _config(self):
        return {"average": self.average, "pos_label": self.pos_label, "labels": self.labels,
                "zero_division": self.zero_division, "threshold": self.threshold,
                "beta": self.beta}

    def reset(self):
        self.classes = None
        self.tp = self.pred = self.true = None
        self.n_samples = 0

    def update(self, preds, target):
        p = _pred_labels(preds, target, self.threshold)
        t = _asarray(target)
        check_consistent_length(t, p)
        for y, name in ((t, "y_true"), (p, "y_pred")):
            kind = type_of_target(y, input_name=name)
            if kind not in ("binary", "multiclass"):
                raise ValueError(f"{kind} is not supported")
        t, p = column_or_1d(t), column_or_1d(p)
        if t.shape[0] == 0:
            return
        classes = np.union1d(t, p)
        if self.classes is not None:
            if (self.classes.dtype.kind in "US") != (classes.dtype.kind in "US"):
                raise ValueError("Mix of label input types (string and number); Got "
                                 f"{self.classes} and {classes}.")
            classes = np.union1d(self.classes, classes)
        if self.classes is None or classes.shape != self.classes.shape:
            k = classes.shape[0]
            counts = [np.zeros(k, dtype=np.int64) for _ in range(3)]
            if self.classes is not None:
                where = np.searchsorted(classes, self.classes)
                for new, old in zip(counts, (self.tp, self.pred, self.true)):
                    new[where] = old
            self.classes = classes
            self.tp, self.pred, self.true = counts
        k = self.classes.shape[0]
        ti = np.searchsorted(self.classes, t)
        pi = np.searchsorted(self.classes, p)
        self.tp += np.bincount(ti[ti == pi], minlength=k)
        self.pred += np.bincount(pi, minlength=k)
        self.true += np.bincount(ti, minlength=k)
        self.n_samples += t.shape[0]

    def _compute_all(self):
        if self.n_samples == 0:
            raise _empty_error()
        classes = self.classes
        labels = self.labels
        if self.average == "binary":
            if classes.shape[0] > 2:
                raise ValueError("Target is multiclass but average='binary'. Please choose "
                                 "another average setting, one of "
                                 "[None, 'micro', 'macro', 'weighted'].")
            if self.pos_label not in classes.tolist() and len(classes) >= 2:
                raise ValueError(f"pos_label={self.pos_label} is not a valid label. It "
                                 f"should be one of {classes}")
            labels = [self.pos_label]
        elif self.pos_label not in (None, 1):
            warnings.warn(f"Note that pos_label (set to {self.pos_label!r}) is ignored when "
                          f"average != 'binary' (got {self.average!r}). You may use "
                          "labels=[pos_label] to specify a single positive class.", UserWarning,
                          stacklevel=3)
        if labels is None:
            tp, pred, true = self.tp, self.pred, self.true
        else:
            labels = _asarray(labels)
            pos = np.minimum(np.searchsorted(classes, labels), classes.shape[0] - 1)
            found = classes[pos] == labels
            tp, pred, true = (np.where(found, c[pos], 0) for c in (self.tp, self.pred,
                                                                   self.true))
        return _prf_from_sums(tp, pred, true, self.beta, self.average, self._warn,
                              self.zero_division)

    def compute(self):
        return self._compute_all()[self._index]


class Precision(_PRF):
    """tp / (tp + fp) over all batches, as ``precision_score``."""
    _index = 0
    _warn = ("precision",)

    def __init__(self, average="binary", pos_label=1, labels=None, zero_division="warn",
                 threshold=0.5):
        super().__init__(average, pos_label, labels, zero_division, threshold)

    def _config(self):
        c = super()._config()
        del c["beta"]
        return c


class Recall(Precision):
    """tp / (tp + fn) over all batches, as ``recall_score``."""
    _index = 1
    _warn = ("recall",)


class F1(Precision):
    """F1 over all batches, as ``f1_score``."""
    _index = 2
    _warn = ("f-score",)


class FBeta(_PRF):
    """F-beta over all batches, as ``fbeta_score``."""
    _index = 2
    _warn = ("f-score",)

    def __init__(self, beta, average="binary", pos_label=1, labels=None, zero_division="warn",
                 threshold=0.5):
        super().__init__(average, pos_label, labels, zero_division, threshold, beta)


class AUROC(Metric):
    """Area under the ROC curve over all batches, as ``roc_auc_score``.

    Binary: preds are scores for the positive class (shape (N,), or (N, 2) probabilities whose
    second column is used). Multiclass: (N, C) class probabilities, one-vs-rest by default.
    """

    def __init__(self, average="macro", max_fpr=None, multi_class="ovr", labels=None):
        self.average = average
        self.max_fpr = max_fpr
        self.multi_class = multi_class
        self.labels = labels
        super().__init__()

    def _config(self):
        return {"average": self.average, "max_fpr": self.max_fpr,
                "multi_class": self.multi_class, "labels": self.labels}

    def reset(self):
        self.scores = []
        self.targets = []

    def update(self, preds, target):
        p, t = np.array(_asarray(preds)), np.array(_asarray(target))   # copies: kept
        check_consistent_length(t, p)
        self.scores.append(p)
        self.targets.append(t)

    def compute(self):
        if not self.scores:
            raise _empty_error()
        p = np.concatenate(self.scores)
        t = np.concatenate(self.targets)
        if p.ndim == 2 and p.shape[1] == 2 and t.ndim == 1 and np.unique(t).shape[0] <= 2:
            p = p[:, 1]
        return roc_auc_score(t, p, average=self.average, max_fpr=self.max_fpr,
                             multi_class=self.multi_class, labels=self.labels)


class _MeanError(Metric):
    def reset(self):
        self.total = None
        self.n = 0

    def update(self, preds, target):
        if _asarray(target).size == 0 and _asarray(preds).size == 0:
            return   # an empty batch adds nothing
        t, p, _, _ = _check_reg_targets(target, preds, None, "uniform_average",
                                        type(self).__name__)
        err = self._error(t.astype(np.float64) - p.astype(np.float64))
        s = err.sum(axis=0)
        if self.total is None:
            self.total = s
        elif self.total.shape != s.shape:
            raise ValueError(f"y_true and y_pred have different number of output "
                             f"({self.total.shape[0]}!={s.shape[0]})")
        else:
            self.total = self.total + s
        self.n += t.shape[0]

    def _per_output(self):
        if self.n == 0:
            raise ValueError("Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 "
                             "is required.")
        return self.total / self.n


class MSE(_MeanError):
    """Mean squared error over all batches (``squared=False``: its root, per output),
    as ``mean_squared_error`` / ``root_mean_squared_error``."""

    def __init__(self, squared=True):
        self.squared = squared
        super().__init__()

    def _config(self):
        return {"squared": self.squared}

    @staticmethod
    def _error(d):
        return d * d

    def compute(self):
        e = self._per_output()
        return float(np.mean(e if self.squared else np.sqrt(e)))


class MAE(_MeanError):
    """Mean absolute error over all batches, as ``mean_absolute_error``."""

    @staticmethod
    def _error(d):
        return np.abs(d)

    def compute(self):
        return float(np.mean(self._per_output()))
