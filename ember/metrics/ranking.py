"""Ranking metrics on scores: ROC and precision-recall curves, their areas, ``auc``.

Drop-in for the matching ``sklearn.metrics`` functions, with the same threshold order, tie
handling, ``drop_intermediate`` rules and degenerate-case warnings (one class only gives an
UndefinedMetricWarning and nan, as scikit-learn does).
"""
import warnings
from itertools import combinations

import numpy as np

from ._base import (UndefinedMetricWarning, _asarray, _check_param, assert_all_finite,
                    check_array, check_consistent_length, check_sample_weight, column_or_1d,
                    type_of_target, unique)

__all__ = ["auc", "roc_curve", "roc_auc_score", "precision_recall_curve",
           "average_precision_score"]

_trapezoid = getattr(np, "trapezoid", None) or np.trapz


def auc(x, y):
    """Area under the curve through the points (x, y) by the trapezoidal rule; x must be
    monotonic (increasing or decreasing)."""
    x, y = _asarray(x), _asarray(y)
    check_consistent_length(x, y)
    x, y = column_or_1d(x), column_or_1d(y)
    if x.shape[0] < 2:
        raise ValueError("At least 2 points are needed to compute area under curve, but "
                         "x.shape = %s" % x.shape)
    direction = 1
    dx = np.diff(x)
    if np.any(dx < 0):
        if np.all(dx <= 0):
            direction = -1
        else:
            raise ValueError(f"x is neither increasing nor decreasing : {x}.")
    return float(direction * _trapezoid(y, x))


def _check_pos_label_consistency(pos_label, y_true):
    """pos_label, defaulting to 1 when y_true takes values in {0, 1} or {-1, 1}."""
    if pos_label is None:
        classes = unique(y_true)
        if (classes.dtype.kind in "OUS" or classes.shape[0] > 2
                or not (np.all(classes == np.asarray([0, 1]))
                        or np.all(classes == np.asarray([-1, 1]))
                        or np.all(classes == np.asarray([0]))
                        or np.all(classes == np.asarray([-1]))
                        or np.all(classes == np.asarray([1])))):
            classes_repr = ", ".join(repr(c) for c in classes.tolist())
            raise ValueError(f"y_true takes value in {{{classes_repr}}} and pos_label is not "
                             "specified: either make y_true take value in {0, 1} or {-1, 1} "
                             "or pass pos_label explicitly.")
        pos_label = 1
    return pos_label


def _argsort_desc_stable(a):
    """Indices sorting ``a`` in decreasing order, ties kept in their original order."""
    n = a.shape[0]
    return (n - 1) - np.argsort(a[::-1], kind="stable")[::-1]


def _binary_clf_curve(y_true, y_score, pos_label=None, sample_weight=None):
    """Cumulative false and true positive counts at each distinct score (decreasing)."""
    y_true = _asarray(y_true)
    y_type = type_of_target(y_true, input_name="y_true")
    if not (y_type == "binary" or (y_type == "multiclass" and pos_label is not None)):
        raise ValueError(f"{y_type} format is not supported")
    pos_label = _check_pos_label_consistency(pos_label, y_true)
    y_true = (y_true == pos_label).astype(np.int32)
    y_score = _asarray(y_score)
    sw = None if sample_weight is None else _asarray(sample_weight)
    check_consistent_length(y_true, y_score, sw)
    y_true, y_score = column_or_1d(y_true), column_or_1d(y_score)
    assert_all_finite(y_score)
    if sw is not None:
        sw = check_sample_weight(column_or_1d(sw), y_true.shape[0])
        nonzero = sw != 0
        y_true, y_score, sw = y_true[nonzero], y_score[nonzero], sw[nonzero]
    order = _argsort_desc_stable(y_score)
    y_score, y_true = y_score[order], y_true[order]
    if sw is not None:
        sw = sw[order]
    distinct = np.nonzero(np.diff(y_score))[0]
    idx = np.concatenate([distinct, [y_true.shape[0] - 1]]).astype(np.intp)
    yt = y_true.astype(np.float64)
    if sw is None:
        tps = np.cumsum(yt, dtype=np.float64)[idx]
        fps = 1 + idx.astype(np.float64) - tps
    else:
        tps = np.cumsum(yt * sw, dtype=np.float64)[idx]
        fps = np.cumsum((1 - yt) * sw, dtype=np.float64)[idx]
    return fps, tps, y_score[idx]


def roc_curve(y_true, y_score, *, pos_label=None, sample_weight=None, drop_intermediate=True):
    """False and true positive rates at decreasing thresholds; thresholds[0] is +inf (the
    point (0, 0)). ``drop_intermediate`` drops points that lie on a straight segment."""
    fps, tps, thresholds = _binary_clf_curve(y_true, y_score, pos_label=pos_label,
                                             sample_weight=sample_weight)
    if drop_intermediate and fps.shape[0] > 2:
        keep = np.concatenate([[True], np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), [True]])
        keep = np.where(keep)[0]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    tps = np.concatenate([[0.0], tps])
    fps = np.concatenate([[0.0], fps])
    thresholds = np.concatenate([[np.inf], thresholds.astype(np.float64)])
    if fps[-1] <= 0:
        warnings.warn("No negative samples in y_true, false positive value should be "
                      "meaningless", UndefinedMetricWarning, stacklevel=2)
        fpr = np.full(fps.shape, np.nan)
    else:
        fpr = fps / fps[-1]
    if tps[-1] <= 0:
        warnings.warn("No positive samples in y_true, true positive value should be "
                      "meaningless", UndefinedMetricWarning, stacklevel=2)
        tpr = np.full(tps.shape, np.nan)
    else:
        tpr = tps / tps[-1]
    return fpr, tpr, thresholds


def precision_recall_curve(y_true, y_score, *, pos_label=None, sample_weight=None,
                           drop_intermediate=False):
    """Precision and recall at increasing thresholds, ending with the point (recall 0,
    precision 1) that has no threshold."""
    fps, tps, thresholds = _binary_clf_curve(y_true, y_score, pos_label=pos_label,
                                             sample_weight=sample_weight)
    if drop_intermediate and fps.shape[0] > 2:
        keep = np.concatenate([[True], np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:])),
                               [True]])
        keep = np.where(keep)[0]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    ps = tps + fps
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(ps != 0, tps / ps, 0.0)
    if tps[-1] == 0:
        warnings.warn("No positive class found in y_true, recall is set to one for all "
                      "thresholds.", UserWarning, stacklevel=2)
        recall = np.full(tps.shape, 1.0)
    else:
        recall = tps / tps[-1]
    return (np.concatenate([precision[::-1], [1.0]]), np.concatenate([recall[::-1], [0.0]]),
            thresholds[::-1].copy())


def _label_binarize(y, classes):
    """One column per class (a single column, for the larger class, with two classes)."""
    y = _asarray(y)
    if len(classes) == 1:
        return np.zeros((y.shape[0], 1), dtype=np.int64)
    if len(classes) == 2 and type_of_target(y) == "binary":
        return (y == classes[1]).astype(np.int64)[:, None]
    return (y[:, None] == np.asarray(classes)[None, :]).astype(np.int64)


def _average_binary_score(binary_metric, y_true, y_score, average, sample_weight=None):
    """A binary metric on binary targets, or averaged over the columns of a multilabel
    indicator (micro: all cells pooled; samples: over rows)."""
    options = (None, "micro", "macro", "weighted", "samples")
    if average not in options:
        raise ValueError(f"average has to be one of {options}")
    y_true = _asarray(y_true)
    y_type = type_of_target(y_true)
    if y_type not in ("binary", "multilabel-indicator"):
        raise ValueError(f"{y_type} format is not supported")
    if y_type == "binary":
        return binary_metric(y_true, y_score, sample_weight=sample_weight)
    y_score = _asarray(y_score)
    check_consistent_length(y_true, y_score, sample_weight)
    y_true = check_array(y_true, ensure_2d=True, dtype=None)
    y_score = check_array(y_score, ensure_2d=True)
    axis = 1
    score_weight = sample_weight
    average_weight = None
    if average == "micro":
        if score_weight is not None:
            score_weight = np.repeat(score_weight, y_true.shape[1])
        y_true, y_score = y_true.ravel(), y_score.ravel()
    elif average == "weighted":
        if score_weight is not None:
            average_weight = np.sum(y_true.astype(score_weight.dtype) * score_weight[:, None],
                                    axis=0)
        else:
            average_weight = np.sum(y_true, axis=0)
        if np.isclose(np.sum(average_weight), 0):
            return 0
    elif average == "samples":
        average_weight, score_weight = score_weight, None
        axis = 0
    if y_true.ndim == 1:
        y_true = y_true.reshape(-1, 1)
    if y_score.ndim == 1:
        y_score = y_score.reshape(-1, 1)
    n = y_score.shape[axis]
    score = np.zeros((n,))
    for c in range(n):
        yt = y_true[:, c] if axis == 1 else y_true[c]
        ys = y_score[:, c] if axis == 1 else y_score[c]
        score[c] = binary_metric(yt, ys, sample_weight=score_weight)
    if average is None:
        return score
    if average_weight is not None:
        score[average_weight == 0] = 0
    return float(np.average(score, weights=average_weight))


def _binary_roc_auc_score(y_true, y_score, sample_weight=None, max_fpr=None):
    if len(unique(_asarray(y_true))) != 2:
        warnings.warn("Only one class is present in y_true. ROC AUC score is not defined in "
                      "that case.", UndefinedMetricWarning, stacklevel=3)
        return np.nan
    fpr, tpr, _ = roc_curve(y_true, y_score, sample_weight=sample_weight)
    if max_fpr is None or max_fpr == 1:
        return auc(fpr, tpr)
    if max_fpr <= 0 or max_fpr > 1:
        raise ValueError(f"Expected max_fpr in range (0, 1], got: {max_fpr!r}")
    # McClish-corrected partial AUC up to max_fpr
    stop = np.searchsorted(fpr, max_fpr, "right")
    x_interp = [fpr[stop - 1], fpr[stop]]
    y_interp = [tpr[stop - 1], tpr[stop]]
    tpr = np.append(tpr[:stop], np.interp(max_fpr, x_interp, y_interp))
    fpr = np.append(fpr[:stop], max_fpr)
    partial_auc = auc(fpr, tpr)
    min_area = 0.5 * max_fpr ** 2
    max_area = max_fpr
    return float(0.5 * (1 + (partial_auc - min_area) / (max_area - min_area)))


def roc_auc_score(y_true, y_score, *, average="macro", sample_weight=None, max_fpr=None,
                  multi_class="raise", labels=None):
    """Area under the ROC curve: binary, multilabel (averaged over labels), and multiclass
    with ``multi_class='ovr'`` or ``'ovo'`` on class probabilities."""
    _check_param("average", average, ("micro", "macro", "samples", "weighted", None),
                 "roc_auc_score")
    _check_param("multi_class", multi_class, ("raise", "ovr", "ovo"), "roc_auc_score")
    y_true = _asarray(y_true)
    y_type = type_of_target(y_true, input_name="y_true")
    y_true = check_array(y_true, dtype=None)
    y_score = check_array(y_score)
    if sample_weight is not None:
        sample_weight = column_or_1d(sample_weight)
    if y_type == "multiclass" or (y_type == "binary" and y_score.ndim == 2
                                  and y_score.shape[1] > 2):
        if max_fpr is not None and max_fpr != 1.0:
            raise ValueError("Partial AUC computation not available in multiclass setting, "
                             "'max_fpr' must be set to `None`, received "
                             f"`max_fpr={max_fpr}` instead")
        if multi_class == "raise":
            raise ValueError("multi_class must be in ('ovo', 'ovr')")
        return _multiclass_roc_auc_score(y_true, y_score, labels, multi_class, average,
                                         sample_weight)

    def metric(yt, ys, sample_weight=None):
        return _binary_roc_auc_score(yt, ys, sample_weight=sample_weight, max_fpr=max_fpr)

    if y_type == "binary":
        y_true = _label_binarize(y_true, unique(y_true))[:, 0]
    return _average_binary_score(metric, y_true, y_score, average, sample_weight=sample_weight)


def _multiclass_roc_auc_score(y_true, y_score, labels, multi_class, average, sample_weight):
    if y_score.ndim != 2:
        raise ValueError("`y_score` needs to be of shape `(n_samples, n_classes)`, since "
                         f"`y_true` contains multiple classes. Got `y_score.shape="
                         f"{y_score.shape}`.")
    if not np.allclose(1, y_score.sum(axis=1)):
        raise ValueError("Target scores need to be probabilities for multiclass roc_auc, i.e. "
                         "they should sum up to 1.0 over classes")
    options = ("macro", "weighted", None)
    if multi_class == "ovr":
        options = ("micro",) + options
    if average not in options:
        raise ValueError(f"average must be one of {options} for multiclass problems")
    if average is None and multi_class == "ovo":
        raise NotImplementedError("average=None is not implemented for multi_class='ovo'.")
    if labels is not None:
        labels = column_or_1d(labels)
        classes = np.unique(labels)
        if len(classes) != len(labels):
            raise ValueError("Parameter 'labels' must be unique")
        if not np.array_equal(classes, labels):
            raise ValueError("Parameter 'labels' must be ordered")
        if len(classes) != y_score.shape[1]:
            raise ValueError(f"Number of given labels, {len(classes)}, not equal to the number "
                             f"of columns in 'y_score', {y_score.shape[1]}")
        if len(np.setdiff1d(y_true, classes)):
            raise ValueError("'y_true' contains labels not in parameter 'labels'")
    else:
        classes = np.unique(y_true)
        if len(classes) != y_score.shape[1]:
            raise ValueError("Number of classes in y_true not equal to the number of columns "
                             "in 'y_score'")
    if multi_class == "ovo":
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported for multiclass one-vs-one ROC AUC,"
                             " 'sample_weight' must be None in this case.")
        encoded = np.searchsorted(classes, y_true)
        return _average_multiclass_ovo_score(_binary_roc_auc_score, encoded, y_score, average)
    onehot = (y_true[:, None] == classes[None, :]).astype(np.int64)
    return _average_binary_score(_binary_roc_auc_score, onehot, y_score, average,
                                 sample_weight=sample_weight)


def _average_multiclass_ovo_score(binary_metric, y_true, y_score, average="macro"):
    """Mean over class pairs (a, b) of the two one-vs-one scores (Hand & Till)."""
    check_consistent_length(y_true, y_score)
    present = unique(y_true)
    n_pairs = len(present) * (len(present) - 1) // 2
    pair_scores = np.empty(n_pairs)
    weighted = average == "weighted"
    prevalence = np.empty(n_pairs) if weighted else None
    for i, (a, b) in enumerate(combinations(present, 2)):
        a_mask = y_true == a
        b_mask = y_true == b
        ab = a_mask | b_mask
        if weighted:
            prevalence[i] = np.average(ab)
        a_score = binary_metric(a_mask[ab], y_score[ab, a])
        b_score = binary_metric(b_mask[ab], y_score[ab, b])
        pair_scores[i] = (a_score + b_score) / 2
    return float(np.average(pair_scores, weights=prevalence))


def average_precision_score(y_true, y_score, *, average="macro", pos_label=1,
                            sample_weight=None):
    """Average precision: sum over thresholds of (R_n - R_{n-1}) * P_n (no interpolation)."""
    _check_param("average", average, ("micro", "samples", "weighted", "macro", None),
                 "average_precision_score")
    if sample_weight is not None:
        sample_weight = column_or_1d(sample_weight)

    def metric(yt, ys, sample_weight=None):
        precision, recall, _ = precision_recall_curve(yt, ys, pos_label=pos_label,
                                                      sample_weight=sample_weight)
        return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))

    y_true = _asarray(y_true)
    y_type = type_of_target(y_true, input_name="y_true")
    present = unique(y_true)
    if y_type == "binary":
        if present.shape[0] == 2 and pos_label not in present.tolist():
            raise ValueError(f"pos_label={pos_label} is not a valid label. It should be one of "
                             f"{present}")
    elif y_type == "multilabel-indicator" and pos_label != 1:
        raise ValueError("Parameter pos_label is fixed to 1 for multilabel-indicator y_true. "
                         "Do not set pos_label or set pos_label to 1.")
    elif y_type == "multiclass":
        if pos_label != 1:
            raise ValueError("Parameter pos_label is fixed to 1 for multiclass y_true. Do not "
                             "set pos_label or set pos_label to 1.")
        y_true = _label_binarize(y_true, present)
        y_score = _asarray(y_score)
        if y_score.shape != y_true.shape:
            raise ValueError("`y_score` needs to be of shape `(n_samples, n_classes)`, since "
                             "`y_true` contains multiple classes. Got "
                             f"`y_score.shape={y_score.shape}`.")
    return _average_binary_score(metric, y_true, y_score, average, sample_weight=sample_weight)
