"""Input checks shared by the metrics: array conversion, target types, sample weights.

They follow scikit-learn's validation rules (same target types, same error messages) so that
``ember.metrics`` behaves as a drop-in for ``sklearn.metrics`` on NumPy alone.
"""
import numbers
from collections.abc import Sequence
from itertools import chain

import numpy as np

from ..tensor import Tensor


class UndefinedMetricWarning(UserWarning):
    """Warning used when a metric is ill-defined (no positives, one class, ...)."""


class InvalidParameterError(ValueError, TypeError):
    """Raised when a parameter has a value outside its allowed set (as scikit-learn's)."""


def _asarray(x):
    """An ember tensor (detached, no copy), NumPy array, list or other array-like as ndarray."""
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (list, tuple)) and any(isinstance(e, Tensor) for e in x):
        x = [e._data if isinstance(e, Tensor) else e for e in x]
    try:
        return np.asarray(x)
    except ValueError:   # ragged sequences
        return np.asarray(x, dtype=object)


def _is_array_like(x):
    return (isinstance(x, (Sequence, np.ndarray, Tensor)) or hasattr(x, "__array__")) \
        and not isinstance(x, str)


def _check_param(name, value, allowed, func):
    """``value`` must be one of ``allowed`` (None allowed when listed)."""
    for a in allowed:
        if value is a or (isinstance(value, str) and isinstance(a, str) and value == a):
            return
    strs = sorted(repr(a) for a in allowed if isinstance(a, str))
    tail = " or None" if None in allowed else ""
    raise InvalidParameterError(
        f"The {name!r} parameter of {func} must be a str among {{{', '.join(strs)}}}{tail}. "
        f"Got {value!r} instead.")


def _num_samples(x):
    if x.ndim == 0:
        raise TypeError(f"Singleton array {x!r} cannot be considered a valid collection.")
    return x.shape[0]


def check_consistent_length(*arrays):
    """All non-None arrays have the same number of samples."""
    lengths = [_num_samples(a) for a in arrays if a is not None]
    if len(set(lengths)) > 1:
        raise ValueError("Found input variables with inconsistent numbers of samples: %r"
                         % [int(n) for n in lengths])


def column_or_1d(y):
    """A 1-d array from a 1-d array or a column vector."""
    y = _asarray(y)
    if y.ndim == 1:
        return y
    if y.ndim == 2 and y.shape[1] == 1:
        return y.reshape(-1)
    raise ValueError(f"y should be a 1d array, got an array of shape {y.shape} instead.")


def assert_all_finite(a, input_name=""):
    """Raise scikit-learn's ValueError when a float array holds NaN or infinity."""
    if a.dtype.kind not in "fc" or np.isfinite(a.sum()):
        return
    name = input_name + " " if input_name else ""
    if np.isnan(a).any():
        raise ValueError(f"Input {name}contains NaN.")
    if np.isinf(a).any():
        raise ValueError(f"Input {name}contains infinity or a value too large for {a.dtype!r}.")


def check_array(a, input_name="", ensure_2d=False, dtype="numeric", ensure_min_samples=1,
                allow_nd=False, finite=True):
    """scikit-learn's ``check_array`` for dense inputs: dtype, dimensions, samples, finiteness."""
    a = _asarray(a)
    if a.dtype.kind == "c":
        raise ValueError(f"Complex data not supported\n{a}\n")
    if dtype == "numeric":
        if a.dtype.kind in "OUS":
            a = a.astype(np.float64)
    elif dtype is not None and a.dtype != dtype:
        a = a.astype(dtype)
    if ensure_2d and a.ndim != 2:
        if a.ndim == 0:
            raise ValueError(f"Expected 2D array, got scalar array instead:\narray={a}.\n"
                             "Reshape your data either using array.reshape(-1, 1) if your data "
                             "has a single feature or array.reshape(1, -1) if it contains a "
                             "single sample.")
        if a.ndim == 1:
            raise ValueError(f"Expected 2D array, got 1D array instead:\narray={a}.\n"
                             "Reshape your data either using array.reshape(-1, 1) if your data "
                             "has a single feature or array.reshape(1, -1) if it contains a "
                             "single sample.")
    if not allow_nd and a.ndim >= 3:
        raise ValueError(f"Found array with dim {a.ndim}, while dim <= 2 is required.")
    if finite:
        assert_all_finite(a, input_name)
    if ensure_min_samples > 0 and a.ndim > 0:
        n = a.shape[0]
        if n < ensure_min_samples:
            raise ValueError(f"Found array with {n} sample(s) (shape={a.shape}) while a "
                             f"minimum of {ensure_min_samples} is required.")
    return a


def check_sample_weight(sample_weight, n_samples, dtype=None, float_dtype=True):
    """Validate ``sample_weight`` against ``n_samples`` (1-d, right length, not all zero)."""
    if isinstance(sample_weight, numbers.Number):
        sw = np.full(n_samples, sample_weight, dtype=dtype if dtype is not None else np.float64)
    else:
        sw = _asarray(sample_weight)
        if float_dtype:
            if dtype is None:
                dtype = sw.dtype if sw.dtype in (np.float64, np.float32) else np.float64
            sw = sw.astype(dtype, copy=False)
        elif sw.dtype.kind in "OUS":
            sw = sw.astype(np.float64)
        assert_all_finite(sw, "sample_weight")
        if sw.ndim != 1:
            raise ValueError(f"Sample weights must be 1D array or scalar, got {sw.ndim}D array. "
                             f"Expected either a scalar value or a 1D array of length "
                             f"{n_samples}.")
        if sw.shape != (n_samples,):
            raise ValueError(f"sample_weight.shape == {sw.shape}, expected {(n_samples,)}!")
    if np.all(sw == 0):
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return sw


def unique(y):
    """np.unique(y), by counting for integer arrays of a small range (much faster)."""
    if y.dtype.kind in "iu" and y.size > 256:
        lo, hi = int(y.min()), int(y.max())
        if hi - lo <= max(4 * y.size, 1 << 16) and hi < 2 ** 63:
            present = np.flatnonzero(np.bincount(y.ravel().astype(np.int64) - lo))
            return (present + lo).astype(y.dtype)
    return np.unique(y)


def _is_integral_float(y):
    return y.dtype.kind == "f" and bool(np.all(y.astype(np.int64).astype(y.dtype) == y))


def is_multilabel(y):
    """True for a 2-d indicator matrix: several columns, at most two distinct integer values."""
    y = _asarray(y)
    if not (y.ndim == 2 and y.shape[1] > 1):
        return False
    if y.dtype.kind in "biu":
        return unique(y).shape[0] < 3
    if y.dtype.kind == "f":
        labels = np.unique(y)
        with np.errstate(invalid="ignore"):
            return labels.shape[0] < 3 and _is_integral_float(labels)
    return False


def type_of_target(y, input_name=""):
    """The type of a target, as scikit-learn names it: 'binary', 'multiclass',
    'multilabel-indicator', 'continuous', 'multiclass-multioutput', 'continuous-multioutput'
    or 'unknown'."""
    return _target_type(y, input_name)[0]


def _target_type(y, input_name=""):
    """(type_of_target(y), its unique values when they were computed, else None)."""
    if not _is_array_like(y):
        raise ValueError("Expected array-like (array or non-string sequence), got %r" % (y,))
    y = _asarray(y)
    if is_multilabel(y):
        return "multilabel-indicator", None
    if y.dtype.kind == "c":
        raise ValueError(f"Complex data not supported\n{y}\n")
    if y.ndim >= 1 and y.shape[0] > 0:
        first = y[0]
        if isinstance(first, bytes):
            raise TypeError("Support for labels represented as bytes is not supported. Convert "
                            "the labels to a string or integer format.")
        if y.dtype == object and isinstance(first, (list, tuple)):
            raise ValueError("You appear to be using a legacy multi-label data representation. "
                             "Sequence of sequences are no longer supported; use a binary array"
                             " or sparse matrix instead - the MultiLabelBinarizer transformer "
                             "can convert to this format.")
    if y.ndim not in (1, 2):
        return "unknown", None
    if not min(y.shape):
        return ("binary" if y.ndim == 1 else "unknown"), None
    if y.dtype == object and not isinstance(y.flat[0], str):
        return "unknown", None
    suffix = "-multioutput" if y.ndim == 2 and y.shape[1] > 1 else ""
    if y.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            integral = y.astype(np.int64).astype(y.dtype)
        if np.any(y != integral):
            assert_all_finite(y, input_name)
            return "continuous" + suffix, None
    uniq = unique(y)
    if uniq.shape[0] > 2 or (y.ndim == 2 and len(y[0]) > 1):
        return "multiclass" + suffix, uniq
    return "binary", uniq


def unique_labels(*ys, ys_types=None, uniques=None):
    """The sorted union of the labels of ``ys`` (column indices for indicator matrices);
    ``uniques`` may give the unique values of each y, already computed."""
    ys = [_asarray(y) for y in ys]
    if not ys:
        raise ValueError("No argument has been passed.")
    if ys_types is None:
        ys_types = {type_of_target(y) for y in ys}
        if ys_types == {"binary", "multiclass"}:
            ys_types = {"multiclass"}
    ys_types = set(ys_types)
    if len(ys_types) > 1:
        raise ValueError("Mix type of y not allowed, got types %s" % ys_types)
    label_type = ys_types.pop()
    if label_type == "multilabel-indicator":
        if len({y.shape[1] for y in ys}) > 1:
            raise ValueError("Multi-label binary indicator input with different numbers of "
                             "labels")
        return np.arange(ys[0].shape[1])
    if label_type not in ("binary", "multiclass"):
        raise ValueError("Unknown label type: %s" % repr(ys))
    uniques = [unique(y) if u is None else u
               for y, u in zip(ys, uniques or [None] * len(ys))]
    labels = set(chain.from_iterable(uniques))
    if len({isinstance(label, str) for label in labels}) > 1:
        raise ValueError("Mix of label input types (string and number); Got "
                         + " and ".join(f"{u}" for u in uniques) + ".")
    return np.asarray(sorted(labels))


def _average(a, axis=None, weights=None, normalize=True):
    """np.average, or the weighted sum when not normalising (scikit-learn's ``_average``)."""
    if normalize:
        return np.average(a, axis=axis, weights=weights)
    if axis is None and weights is not None:
        return np.dot(a, weights)
    return np.sum(np.asarray(a, dtype=np.float64), axis=axis)


def _nanaverage(a, weights=None):
    """Average ignoring NaN entries; equal weights when the remaining weights sum to zero."""
    if a.shape[0] == 0:
        return np.nan
    mask = np.isnan(a)
    if np.all(mask):
        return np.nan
    if weights is None:
        return np.mean(a[~mask])
    weights = np.asarray(weights)
    a, weights = a[~mask], weights[~mask]
    try:
        return np.average(a, weights=weights)
    except ZeroDivisionError:
        return np.average(a)
