"""Classification metrics on predicted labels, drop-in for ``sklearn.metrics``.

``accuracy_score``, ``confusion_matrix``, the precision/recall/F family with scikit-learn's
``average=`` and ``zero_division=`` rules, ``matthews_corrcoef``, ``log_loss`` and
``classification_report``. Inputs may be ember tensors, NumPy arrays or lists; results are
Python floats or NumPy arrays, as scikit-learn returns them.
"""
import math
import numbers
import warnings

import numpy as np

from ._base import (UndefinedMetricWarning, InvalidParameterError, _asarray, _average,
                    _nanaverage, _check_param, check_array, check_consistent_length,
                    check_sample_weight, column_or_1d, _target_type, unique_labels)

__all__ = ["accuracy_score", "confusion_matrix", "multilabel_confusion_matrix",
           "precision_recall_fscore_support", "precision_score", "recall_score", "f1_score",
           "fbeta_score", "matthews_corrcoef", "log_loss", "classification_report"]


# ----- target checks ----------------------------------------------------------------------
def _check_targets(y_true, y_pred, sample_weight=None):
    """Both targets of one classification task: (type, labels, y_true, y_pred, weights).

    The type is 'binary', 'multiclass' or 'multilabel-indicator'; 1-d targets come back 1-d.
    """
    y_true, y_pred = _asarray(y_true), _asarray(y_pred)
    sw = None if sample_weight is None else _asarray(sample_weight)
    check_consistent_length(y_true, y_pred, sw)
    type_true, uniq_true = _target_type(y_true, input_name="y_true")
    type_pred, uniq_pred = _target_type(y_pred, input_name="y_pred")
    if y_true.shape[0] < 1 or y_pred.shape[0] < 1:
        raise ValueError("Found empty input array (e.g., `y_true` or `y_pred`) while a minimum "
                         "of 1 sample is required.")
    if sw is not None:
        sw = check_sample_weight(sw, y_true.shape[0], float_dtype=False)
    y_type = {type_true, type_pred}
    if y_type == {"binary", "multiclass"}:
        y_type = {"multiclass"}
    if len(y_type) > 1:
        raise ValueError(f"Classification metrics can't handle a mix of {type_true} and "
                         f"{type_pred} targets")
    y_type = y_type.pop()
    if y_type not in ("binary", "multiclass", "multilabel-indicator"):
        raise ValueError(f"{y_type} is not supported")
    if y_type in ("binary", "multiclass"):
        y_true, y_pred = column_or_1d(y_true), column_or_1d(y_pred)
    labels = unique_labels(y_true, y_pred, ys_types={y_type}, uniques=[uniq_true, uniq_pred])
    if y_type == "binary" and labels.shape[0] > 2:
        y_type = "multiclass"
    return y_type, labels, y_true, y_pred, sw


def _check_zero_division(zero_division, func=None):
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return 0.0
    elif isinstance(zero_division, numbers.Real):
        if zero_division in (0, 1):
            return float(zero_division)
        if math.isnan(zero_division):
            return math.nan
    of = f" of {func}" if func else ""
    raise InvalidParameterError(
        f"The 'zero_division' parameter{of} must be a float among {{0.0, 1.0}}, numpy.nan or a "
        f"str among {{'warn'}}. Got {zero_division!r} instead.")


def _label_indices(y, sorted_labels):
    """Index of each value of ``y`` in the sorted array ``sorted_labels``."""
    return np.searchsorted(sorted_labels, y)


def _indexed_pairs(y_true, y_pred, labels, sw):
    """Flat (true, pred) cell index of each sample whose labels are both in ``labels``
    (a repeated label counts at its last position, as scikit-learn's dict lookup)."""
    n = labels.size
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]

    def index(y):
        pos = np.searchsorted(sorted_labels, y, side="right") - 1
        ok = pos >= 0
        pos[~ok] = 0
        ok &= sorted_labels[pos] == y
        return order[pos], ok

    ti, tok = index(y_true)
    pi, pok = index(y_pred)
    keep = tok & pok
    return ti[keep] * n + pi[keep], sw[keep]


def _weighted_counts(flat, w, weight_dtype, size):
    """Weighted counts per cell: int64 for integer weights, float64 otherwise."""
    if weight_dtype.kind in "iub":
        if np.all(w == 1):
            return np.bincount(flat, minlength=size).astype(np.int64)
        return np.bincount(flat, weights=w.astype(np.float64), minlength=size).astype(np.int64)
    return np.bincount(flat, weights=w.astype(np.float64), minlength=size)


# ----- accuracy / confusion matrix --------------------------------------------------------
def accuracy_score(y_true, y_pred, *, normalize=True, sample_weight=None):
    """Fraction (or, with ``normalize=False``, number) of correctly classified samples;
    subset accuracy for multilabel indicator targets."""
    y_type, _, y_true, y_pred, sw = _check_targets(y_true, y_pred, sample_weight)
    if y_type == "multilabel-indicator":
        score = ~np.any(y_true != y_pred, axis=1)
    else:
        score = y_true == y_pred
    return float(_average(score, weights=sw, normalize=normalize))


def confusion_matrix(y_true, y_pred, *, labels=None, sample_weight=None, normalize=None):
    """C[i, j] = number of samples of true class i predicted as class j (rows: truth)."""
    _check_param("normalize", normalize, ("true", "pred", "all", None), "confusion_matrix")
    y_true = check_array(y_true, dtype=None, finite=False, ensure_min_samples=0)
    y_pred = check_array(y_pred, dtype=None, finite=False, ensure_min_samples=0)
    sw = None if sample_weight is None else _asarray(sample_weight)
    if sw is not None and len(sw) == 0:
        sw = None
    y_type, present, y_true, y_pred, sw = _check_targets(y_true, y_pred, sw)
    if y_type not in ("binary", "multiclass"):
        raise ValueError(f"{y_type} is not supported")
    if sw is None:
        sw = np.ones(y_true.shape[0], dtype=np.int64)
    if labels is None:
        labels = present
    else:
        labels = _asarray(labels)
        if labels.size == 0:
            raise ValueError("'labels' should contain at least one label.")
        if len(np.intersect1d(y_true, labels)) == 0:
            raise ValueError("At least one label specified must be in y_true")
    n = labels.size
    if (labels.dtype.kind in "iub" and np.array_equal(labels, np.arange(n))
            and y_true.dtype.kind in "iub" and y_pred.dtype.kind in "iub"
            and y_true.min() >= 0 and y_pred.min() >= 0):
        ti, pi = y_true.astype(np.intp), y_pred.astype(np.intp)   # labels are 0..n-1
        keep = (ti < n) & (pi < n)
        if keep.all():
            flat, w = ti * n + pi, sw
        else:
            flat, w = ti[keep] * n + pi[keep], sw[keep]
    else:
        flat, w = _indexed_pairs(y_true, y_pred, labels, sw)
    cm = _weighted_counts(flat, w, sw.dtype, n * n).reshape(n, n)
    if normalize is not None:
        with np.errstate(all="ignore"):
            if normalize == "true":
                cm = cm / cm.sum(axis=1, keepdims=True)
            elif normalize == "pred":
                cm = cm / cm.sum(axis=0, keepdims=True)
            else:
                cm = cm / cm.sum()
        cm = np.nan_to_num(cm)
    if cm.shape == (1, 1):
        warnings.warn("A single label was found in 'y_true' and 'y_pred'. For the confusion "
                      "matrix to have the correct shape, use the 'labels' parameter to pass "
                      "all known labels.", UserWarning, stacklevel=2)
    return cm


def multilabel_confusion_matrix(y_true, y_pred, *, sample_weight=None, labels=None,
                                samplewise=False):
    """One 2x2 matrix [[tn, fp], [fn, tp]] per label (one-vs-rest), or per sample."""
    y_type, present, y_true, y_pred, sw = _check_targets(y_true, y_pred, sample_weight)
    if labels is None:
        labels = present
        n_labels = None
    else:
        labels = _asarray(labels)
        n_labels = labels.shape[0]
        labels = np.concatenate([labels, np.setdiff1d(present, labels, assume_unique=True)])
    if y_true.ndim == 1:
        if samplewise:
            raise ValueError("Samplewise metrics are not available outside of multilabel "
                             "classification.")
        classes = np.unique(labels)   # holds every present label
        yt, yp = _label_indices(y_true, classes), _label_indices(y_pred, classes)
        tp = yt == yp
        tp_bins = yt[tp]
        k = classes.shape[0]
        if tp_bins.shape[0]:
            tp_sum = np.bincount(tp_bins, weights=None if sw is None else sw[tp], minlength=k)
        else:
            tp_sum = np.zeros(k)
        pred_sum = np.bincount(yp, weights=sw, minlength=k)
        true_sum = np.bincount(yt, weights=sw, minlength=k)
        idx = np.searchsorted(classes, labels[:n_labels])
        tp_sum, true_sum, pred_sum = tp_sum[idx], true_sum[idx], pred_sum[idx]
    else:
        axis = 1 if samplewise else 0
        if labels.shape != present.shape or np.any(labels != present):
            if np.max(labels) > np.max(present):
                raise ValueError("All labels must be in [0, n labels) for multilabel targets. "
                                 "Got %d > %d" % (np.max(labels), np.max(present)))
            if np.min(labels) < 0:
                raise ValueError("All labels must be in [0, n labels) for multilabel targets. "
                                 "Got %d < 0" % np.min(labels))
        if n_labels is not None:
            y_true, y_pred = y_true[:, labels[:n_labels]], y_pred[:, labels[:n_labels]]

        def count(x):   # as scikit-learn's sparse count_nonzero: weighted label sums are float
            nz = x != 0
            if sw is None:
                return nz.sum(axis=axis)
            if samplewise:
                return nz.sum(axis=1) * sw
            if not nz.any():   # np.bincount with empty weights gives int64
                return np.zeros(x.shape[1], dtype=np.int64)
            return nz.T.astype(np.float64) @ sw.astype(np.float64)

        tp_sum = count((y_true != 0) & (y_pred != 0))
        pred_sum = count(y_pred)
        true_sum = count(y_true)
    fp = pred_sum - tp_sum
    fn = true_sum - tp_sum
    tp = tp_sum
    if sw is not None and samplewise:
        tn = sw * y_true.shape[1] - tp - fp - fn
    elif sw is not None:
        tn = np.sum(sw) - tp - fp - fn
    elif samplewise:
        tn = y_true.shape[1] - tp - fp - fn
    else:
        tn = y_true.shape[0] - tp - fp - fn
    return np.stack([tn, fp, fn, tp]).T.reshape(-1, 2, 2)


# ----- precision / recall / F -------------------------------------------------------------
def _warn_prf(average, modifier, msg_start, result_size):
    axis0, axis1 = ("label", "sample") if average == "samples" else ("sample", "label")
    where = "due to" if result_size == 1 else f"in {axis1}s with"
    warnings.warn(f"{msg_start} ill-defined and being set to 0.0 {where} no {modifier} "
                  f"{axis0}s. Use `zero_division` parameter to control this behavior.",
                  UndefinedMetricWarning, stacklevel=6)


def _prf_divide(numerator, denominator, metric, modifier, average, warn_for, zero_division):
    """numerator / denominator with ``zero_division`` where the denominator is 0 (and
    scikit-learn's UndefinedMetricWarning when it is 'warn')."""
    mask = denominator == 0
    denom = np.array(denominator, dtype=np.float64)
    denom[mask] = 1
    result = np.asarray(numerator, dtype=np.float64) / denom
    if not np.any(mask):
        return result
    result[mask] = _check_zero_division(zero_division)
    if isinstance(zero_division, str) and zero_division == "warn" and metric in warn_for:
        _warn_prf(average, modifier, f"{metric.capitalize()} is", result.shape[0])
    return result


def _prf_from_sums(tp_sum, pred_sum, true_sum, beta, average, warn_for, zero_division,
                   sample_weight=None):
    """Precision, recall, F-beta and support from per-label (or per-sample) counts."""
    if average == "micro":
        tp_sum = np.reshape(np.sum(tp_sum), (1,))
        pred_sum = np.reshape(np.sum(pred_sum), (1,))
        true_sum = np.reshape(np.sum(true_sum), (1,))
    beta2 = beta ** 2
    precision = _prf_divide(tp_sum, pred_sum, "precision", "predicted", average, warn_for,
                            zero_division)
    recall = _prf_divide(tp_sum, true_sum, "recall", "true", average, warn_for, zero_division)
    if np.isposinf(beta):
        f_score = recall
    elif beta == 0:
        f_score = precision
    else:
        denom = beta2 * np.asarray(true_sum, np.float64) + np.asarray(pred_sum, np.float64)
        f_score = _prf_divide((1 + beta2) * np.asarray(tp_sum, np.float64), denom, "f-score",
                              "true nor predicted", average, warn_for, zero_division)
    if average == "weighted":
        weights = true_sum
    elif average == "samples":
        weights = sample_weight
    else:
        weights = None
    if average is not None:
        precision = float(_nanaverage(precision, weights=weights))
        recall = float(_nanaverage(recall, weights=weights))
        f_score = float(_nanaverage(f_score, weights=weights))
        true_sum = None
    return precision, recall, f_score, true_sum


_AVERAGES = (None, "micro", "macro", "weighted", "samples", "binary")


def _check_set_wise_labels(y_true, y_pred, average, labels, pos_label):
    """The labels to score: [pos_label] for average='binary' on binary targets."""
    y_type, present, y_true, y_pred, _ = _check_targets(y_true, y_pred)
    if average == "binary":
        if y_type == "binary":
            if pos_label not in present.tolist() and len(present) >= 2:
                raise ValueError(f"pos_label={pos_label} is not a valid label. It should be "
                                 f"one of {present}")
            labels = [pos_label]
        else:
            options = [None, "micro", "macro", "weighted", "samples"]
            if y_type == "multiclass":
                options.remove("samples")
            raise ValueError(f"Target is {y_type} but average='binary'. Please choose another "
                             f"average setting, one of {options!r}.")
    elif pos_label not in (None, 1):
        warnings.warn(f"Note that pos_label (set to {pos_label!r}) is ignored when average != "
                      f"'binary' (got {average!r}). You may use labels=[pos_label] to specify "
                      "a single positive class.", UserWarning, stacklevel=4)
    return labels


def precision_recall_fscore_support(y_true, y_pred, *, beta=1.0, labels=None, pos_label=1,
                                    average=None, warn_for=("precision", "recall", "f-score"),
                                    sample_weight=None, zero_division="warn"):
    """Precision, recall, F-beta and support per label, or averaged (``average=``)."""
    return _prfs(y_true, y_pred, beta, labels, pos_label, average, warn_for, sample_weight,
                 zero_division, "precision_recall_fscore_support")


def _prfs(y_true, y_pred, beta, labels, pos_label, average, warn_for, sample_weight,
          zero_division, func):
    _check_param("average", average, _AVERAGES, func)
    _check_zero_division(zero_division, func)
    if not (isinstance(beta, numbers.Real) and beta >= 0):
        raise InvalidParameterError(f"The 'beta' parameter of {func} must be a float in the "
                                    f"range [0.0, inf]. Got {beta!r} instead.")
    labels = _check_set_wise_labels(y_true, y_pred, average, labels, pos_label)
    samplewise = average == "samples"
    mcm = multilabel_confusion_matrix(y_true, y_pred, sample_weight=sample_weight,
                                      labels=labels, samplewise=samplewise)
    tp_sum = mcm[:, 1, 1]
    pred_sum = tp_sum + mcm[:, 0, 1]
    true_sum = tp_sum + mcm[:, 1, 0]
    sw = None if sample_weight is None else _asarray(sample_weight)
    return _prf_from_sums(tp_sum, pred_sum, true_sum, beta, average, warn_for, zero_division,
                          sw)


def fbeta_score(y_true, y_pred, *, beta, labels=None, pos_label=1, average="binary",
                sample_weight=None, zero_division="warn"):
    """Weighted harmonic mean of precision and recall (recall counts beta times as much)."""
    return _prfs(y_true, y_pred, beta, labels, pos_label, average, ("f-score",),
                 sample_weight, zero_division, "fbeta_score")[2]


def f1_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None,
             zero_division="warn"):
    """F1 = 2 * precision * recall / (precision + recall)."""
    return _prfs(y_true, y_pred, 1, labels, pos_label, average, ("f-score",),
                 sample_weight, zero_division, "f1_score")[2]


def precision_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                    sample_weight=None, zero_division="warn"):
    """tp / (tp + fp): the fraction of predicted positives that are right."""
    return _prfs(y_true, y_pred, 1.0, labels, pos_label, average, ("precision",),
                 sample_weight, zero_division, "precision_score")[0]


def recall_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                 sample_weight=None, zero_division="warn"):
    """tp / (tp + fn): the fraction of true positives that are found."""
    return _prfs(y_true, y_pred, 1.0, labels, pos_label, average, ("recall",),
                 sample_weight, zero_division, "recall_score")[1]


# ----- other label metrics ----------------------------------------------------------------
def matthews_corrcoef(y_true, y_pred, *, sample_weight=None):
    """Matthews correlation coefficient (binary and multiclass); 0.0 when undefined."""
    y_type, _, y_true, y_pred, sw = _check_targets(y_true, y_pred, sample_weight)
    if y_type not in ("binary", "multiclass"):
        raise ValueError(f"{y_type} is not supported")
    classes = np.unique(np.hstack([y_true, y_pred]))
    C = confusion_matrix(_label_indices(y_true, classes), _label_indices(y_pred, classes),
                         sample_weight=sw)
    t_sum = C.sum(axis=1, dtype=np.float64)
    p_sum = C.sum(axis=0, dtype=np.float64)
    n_correct = np.trace(C, dtype=np.float64)
    n_samples = p_sum.sum()
    cov_ytyp = n_correct * n_samples - np.dot(t_sum, p_sum)
    cov_ypyp = n_samples ** 2 - np.dot(p_sum, p_sum)
    cov_ytyt = n_samples ** 2 - np.dot(t_sum, t_sum)
    denom = cov_ypyp * cov_ytyt
    if denom == 0:
        return 0.0
    return float(cov_ytyp / np.sqrt(denom))


def log_loss(y_true, y_proba=None, *, normalize=True, sample_weight=None, labels=None,
             y_pred=None):
    """Cross-entropy of predicted class probabilities (``y_pred`` is the older name of
    ``y_proba``)."""
    if y_pred is not None:
        if y_proba is not None:
            raise ValueError("Cannot use both `y_pred` and `y_proba`. `y_pred` is deprecated, "
                             "use `y_proba` instead.")
        y_proba = y_pred
    y_proba = _asarray(y_proba)
    y_proba = check_array(y_proba, dtype=y_proba.dtype if y_proba.dtype in
                          (np.float32, np.float64) else np.float64)
    if y_proba.max() > 1:
        raise ValueError(f"y_prob contains values greater than 1: {y_proba.max()}")
    if y_proba.min() < 0:
        raise ValueError(f"y_prob contains values lower than 0: {y_proba.min()}")
    y_true = _asarray(y_true)
    sw = None if sample_weight is None else _asarray(sample_weight)
    check_consistent_length(y_proba, y_true, sw)
    if sw is not None:
        check_sample_weight(sw, y_proba.shape[0], float_dtype=False)
    if y_true.ndim != 1:
        y_true = column_or_1d(y_true)
    if labels is not None:
        given = labels
        labels = _asarray(labels)
        classes = np.unique(labels)
        if not np.all(classes == labels):
            warnings.warn(f"Labels passed were {given}. But this function assumes labels are "
                          "ordered lexicographically. Pass the ordered labels="
                          f"{classes.tolist()} and ensure that the columns of y_prob correspond "
                          "to this ordering.", UserWarning, stacklevel=2)
        if not np.all(np.isin(y_true, labels)):
            raise ValueError(f"y_true contains values {set(y_true.tolist()) - set(labels.tolist())}"
                             f" not belonging to the passed labels {given}.")
    else:
        classes = np.unique(y_true)
    if classes.shape[0] == 1:
        if labels is None:
            raise ValueError(f"y_true contains only one label ({classes[0]}). Please provide the "
                             "list of all expected class labels explicitly through the labels "
                             "argument.")
        raise ValueError(f"The labels array needs to contain at least two labels, got {classes}.")
    onehot = (y_true[:, None] == classes[None, :])
    if y_proba.ndim == 1:
        y_proba = y_proba[:, None]
    if y_proba.shape[1] == 1:
        y_proba = np.concatenate([1 - y_proba, y_proba], axis=1)
    eps = np.finfo(y_proba.dtype).eps
    if not np.all(np.isclose(y_proba.sum(axis=1), 1, rtol=np.sqrt(eps))):
        warnings.warn("The y_prob values do not sum to one. Make sure to pass probabilities.",
                      UserWarning, stacklevel=2)
    if classes.shape[0] != y_proba.shape[1]:
        if labels is None:
            raise ValueError("y_true and y_prob contain different number of classes: "
                             f"{classes.shape[0]} vs {y_proba.shape[1]}. Please provide the "
                             "true labels explicitly through the labels argument. Classes "
                             f"found in y_true: {classes}")
        raise ValueError("The number of classes in labels is different from that in y_prob. "
                         f"Classes found in labels: {classes}")
    y_proba = np.clip(y_proba, eps, 1 - eps)
    t = onehot.astype(y_proba.dtype)
    loss = -np.sum(np.where(t == 0, 0, t * np.log(y_proba)), axis=1)
    return float(_average(loss, weights=sw, normalize=normalize))


def classification_report(y_true, y_pred, *, labels=None, target_names=None,
                          sample_weight=None, digits=2, output_dict=False,
                          zero_division="warn"):
    """Text (or dict) summary of precision, recall, F1 and support per class, with the
    accuracy / micro, macro and weighted averages (scikit-learn's layout)."""
    y_type, present, y_true, y_pred, sample_weight = _check_targets(y_true, y_pred,
                                                                    sample_weight)
    if labels is None:
        labels = present
        labels_given = False
    else:
        labels = _asarray(labels)
        labels_given = True
    micro_is_accuracy = y_type in ("multiclass", "binary") and (
        not labels_given or set(labels.tolist()) >= set(present.tolist()))
    if target_names is not None and len(labels) != len(target_names):
        if labels_given:
            warnings.warn(f"labels size, {len(labels)}, does not match size of target_names, "
                          f"{len(target_names)}", UserWarning, stacklevel=2)
        else:
            raise ValueError(f"Number of classes, {len(labels)}, does not match size of "
                             f"target_names, {len(target_names)}. Try specifying the labels "
                             "parameter")
    if target_names is None:
        target_names = ["%s" % label for label in labels.tolist()]
    headers = ["precision", "recall", "f1-score", "support"]
    p, r, f1, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=None,
                                                  sample_weight=sample_weight,
                                                  zero_division=zero_division)
    rows = list(zip(target_names, p, r, f1, s))
    average_options = ("micro", "macro", "weighted")
    if y_type.startswith("multilabel"):
        average_options += ("samples",)
    if output_dict:
        report = {row[0]: dict(zip(headers, [float(v) for v in row[1:]])) for row in rows}
    else:
        width = max(max(len(cn) for cn in target_names), len("weighted avg"), digits)
        report = ("{:>{width}s} " + " {:>9}" * len(headers)).format("", *headers, width=width)
        report += "\n\n"
        row_fmt = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}\n"
        for row in rows:
            report += row_fmt.format(*row, width=width, digits=digits)
        report += "\n"
    for average in average_options:
        heading = "accuracy" if average == "micro" and micro_is_accuracy else average + " avg"
        avg_p, avg_r, avg_f1, _ = precision_recall_fscore_support(
            y_true, y_pred, labels=labels, average=average, sample_weight=sample_weight,
            zero_division=zero_division)
        avg = [avg_p, avg_r, avg_f1, np.sum(s)]
        if output_dict:
            report[heading] = dict(zip(headers, [float(v) for v in avg]))
        elif heading == "accuracy":
            fmt = "{:>{width}s} " + " {:>9.{digits}}" * 2 + " {:>9.{digits}f}" + " {:>9}\n"
            report += fmt.format(heading, "", "", *avg[2:], width=width, digits=digits)
        else:
            report += row_fmt.format(heading, *avg, width=width, digits=digits)
    if output_dict and "accuracy" in report:
        report["accuracy"] = report["accuracy"]["precision"]
    return report
