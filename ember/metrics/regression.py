"""Regression metrics, drop-in for ``sklearn.metrics``: MSE, RMSE, MAE, MAPE and R^2, with
``sample_weight`` and ``multioutput`` ('raw_values', 'uniform_average', weights)."""
import warnings

import numpy as np

from ._base import (UndefinedMetricWarning, InvalidParameterError, _asarray, check_array,
                    check_consistent_length, check_sample_weight, column_or_1d)

__all__ = ["mean_squared_error", "root_mean_squared_error", "mean_absolute_error",
           "mean_absolute_percentage_error", "r2_score"]


def _float_dtype(*arrays):
    """The widest floating dtype among the inputs that are float arrays, else float64."""
    floats = [a.dtype for a in arrays if a is not None and a.dtype.kind == "f"]
    return np.result_type(*floats) if floats else np.dtype(np.float64)


def _check_reg_targets(y_true, y_pred, sample_weight, multioutput, func,
                       allowed=("raw_values", "uniform_average")):
    """Targets as 2-d float arrays (n_samples, n_outputs) of one common float dtype."""
    # lists carry no dtype: only arrays and tensors take part in choosing the float type
    typed = [_asarray(a) for a in (y_true, y_pred, sample_weight)
             if a is not None and not isinstance(a, (list, tuple))]
    dtype = _float_dtype(*typed)
    y_true, y_pred = _asarray(y_true), _asarray(y_pred)
    sw = None if sample_weight is None else _asarray(sample_weight)
    check_consistent_length(y_true, y_pred, sw)
    y_true = check_array(y_true, dtype=dtype)
    y_pred = check_array(y_pred, dtype=dtype)
    if sw is not None:
        sw = check_sample_weight(sw, y_true.shape[0], dtype=dtype)
    if y_true.ndim == 1:
        y_true = y_true.reshape(-1, 1)
    if y_pred.ndim == 1:
        y_pred = y_pred.reshape(-1, 1)
    if y_true.shape[1] != y_pred.shape[1]:
        raise ValueError(f"y_true and y_pred have different number of output "
                         f"({y_true.shape[1]}!={y_pred.shape[1]})")
    n_outputs = y_true.shape[1]
    if isinstance(multioutput, str):
        if multioutput not in allowed:
            raise InvalidParameterError(
                f"The 'multioutput' parameter of {func} must be a str among "
                f"{{{', '.join(repr(a) for a in sorted(allowed))}}} or an array-like. "
                f"Got {multioutput!r} instead.")
    elif multioutput is not None:
        multioutput = check_array(multioutput)
        if n_outputs == 1:
            raise ValueError("Custom weights are useful only in multi-output cases.")
        if n_outputs != multioutput.shape[0]:
            raise ValueError(f"There must be equally many custom weights "
                             f"({multioutput.shape[0]}) as outputs ({n_outputs}).")
    return y_true, y_pred, sw, multioutput


def _reduce_outputs(output_errors, multioutput):
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return output_errors
        multioutput = None
    return float(np.average(output_errors, weights=multioutput))


def mean_squared_error(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"):
    """Mean of (y_true - y_pred)**2 (per output, then averaged over outputs)."""
    y_true, y_pred, sw, multioutput = _check_reg_targets(y_true, y_pred, sample_weight,
                                                         multioutput, "mean_squared_error")
    errors = np.average((y_true - y_pred) ** 2, axis=0, weights=sw)
    return _reduce_outputs(errors, multioutput)


def root_mean_squared_error(y_true, y_pred, *, sample_weight=None,
                            multioutput="uniform_average"):
    """Square root of the mean squared error (per output, then averaged over outputs)."""
    allowed = ("raw_values", "uniform_average")
    if isinstance(multioutput, str) and multioutput not in allowed:
        raise InvalidParameterError(
            "The 'multioutput' parameter of root_mean_squared_error must be a str among "
            f"{{'raw_values', 'uniform_average'}} or an array-like. Got {multioutput!r} instead.")
    # as scikit-learn: per-output MSE first; custom output weights are checked by np.average
    errors = np.sqrt(mean_squared_error(y_true, y_pred, sample_weight=sample_weight,
                                        multioutput="raw_values"))
    return _reduce_outputs(errors, multioutput)


def mean_absolute_error(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"):
    """Mean of |y_true - y_pred| (per output, then averaged over outputs)."""
    y_true, y_pred, sw, multioutput = _check_reg_targets(y_true, y_pred, sample_weight,
                                                         multioutput, "mean_absolute_error")
    errors = np.average(np.abs(y_pred - y_true), axis=0, weights=sw)
    return _reduce_outputs(errors, multioutput)


def mean_absolute_percentage_error(y_true, y_pred, *, sample_weight=None,
                                   multioutput="uniform_average"):
    """Mean of |y_true - y_pred| / max(|y_true|, eps): a relative error, not in percent; huge
    (not infinite) where y_true is 0."""
    y_true, y_pred, sw, multioutput = _check_reg_targets(
        y_true, y_pred, sample_weight, multioutput, "mean_absolute_percentage_error")
    eps = np.asarray(np.finfo(np.float64).eps, dtype=y_true.dtype)
    mape = np.abs(y_pred - y_true) / np.maximum(np.abs(y_true), eps)
    errors = np.average(mape, axis=0, weights=sw)
    return _reduce_outputs(errors, multioutput)


def r2_score(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average",
             force_finite=True):
    """Coefficient of determination 1 - SS_res / SS_tot; with ``force_finite`` a constant
    y_true gives 1.0 (perfect fit) or 0.0 instead of nan / -inf."""
    y_true, y_pred, sw, multioutput = _check_reg_targets(
        y_true, y_pred, sample_weight, multioutput, "r2_score",
        allowed=("raw_values", "uniform_average", "variance_weighted"))
    if y_pred.shape[0] < 2:
        warnings.warn("R^2 score is not well-defined with less than two samples.",
                      UndefinedMetricWarning, stacklevel=2)
        return float("nan")
    weight = 1.0 if sw is None else column_or_1d(sw)[:, None]
    numerator = np.sum(weight * (y_true - y_pred) ** 2, axis=0)
    denominator = np.sum(weight * (y_true - np.average(y_true, axis=0, weights=sw)) ** 2,
                         axis=0)
    nonzero_den = denominator != 0
    if not force_finite:
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = 1 - numerator / denominator
    else:
        nonzero_num = numerator != 0
        scores = np.ones(y_true.shape[1], dtype=numerator.dtype)
        valid = nonzero_den & nonzero_num
        scores[valid] = 1 - numerator[valid] / denominator[valid]
        scores[nonzero_num & ~nonzero_den] = 0.0
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return scores
        if multioutput == "uniform_average":
            weights = None
        else:   # variance_weighted
            weights = denominator if np.any(nonzero_den) else None
    else:
        weights = multioutput
    result = np.average(scores, weights=weights)
    return float(result)
