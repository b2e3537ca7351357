"""Tabular data for the ch5-tabular recipe: the embedded bank table or any CSV turned into a
float32 design matrix the way chapter 5 does it (yes/no columns become 1/0 flags, other text
columns one-hot indicators, everything float32), plus the 80/20 split and the optional
standardisation of numeric columns. Needs NumPy only (the CSV is read with the ``csv`` module).

User mistakes raise ``RecipeError`` with one line: a missing file, an unknown target column, a
numeric column holding a non-numeric value (named with its row), a target that is not binary.
"""
import csv
import os

import numpy as np

from . import RecipeError

__all__ = ["read_csv", "bank_columns", "design_matrix", "split_and_scale", "Tabular"]

_MISSING = {"", "na", "nan", "null", "none", "?"}


def _number(text):
    try:
        return float(text)
    except ValueError:
        return None


def read_csv(path):
    """``{column: array}`` for a CSV with a header row: numeric columns as float64, text columns
    as object arrays. A column whose values are numbers except for a few is a user error that
    names the column, the row and the bad value."""
    if not os.path.isfile(path):
        raise RecipeError(f"--csv {path}: no such file")
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            sample = f.read(65536)
            f.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            rows = [r for r in csv.reader(f, dialect) if any(c.strip() for c in r)]
    except (UnicodeDecodeError, csv.Error) as e:
        raise RecipeError(f"--csv {path}: cannot be read as CSV text ({e})") from None
    if len(rows) < 2:
        raise RecipeError(f"--csv {path}: needs a header row and at least one data row")
    header = [h.strip() for h in rows[0]]
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        raise RecipeError(f"--csv {path}: duplicate column names {', '.join(map(repr, dup))}")
    body = rows[1:]
    for i, r in enumerate(body):
        if len(r) != len(header):
            raise RecipeError(f"--csv {path}: line {i + 2} has {len(r)} fields, "
                              f"the header has {len(header)}")
    cols = {}
    for j, name in enumerate(header):
        raw = [r[j].strip() for r in body]
        nums = [_number(v) for v in raw]
        good = sum(v is not None for v in nums)
        if good == len(raw):
            arr = np.array(nums, dtype=np.float64)
            bad = np.flatnonzero(~np.isfinite(arr))
            if bad.size:
                raise RecipeError(f"--csv {path}: numeric column {name!r} has a missing or "
                                  f"infinite value {raw[bad[0]]!r} at line {bad[0] + 2}")
            cols[name] = arr
            continue
        if good >= max(1, len(raw) // 2):   # mostly numbers: a numeric column with garbage
            i = next(k for k, v in enumerate(nums) if v is None)
            what = "a missing value" if raw[i].lower() in _MISSING else \
                f"non-numeric value {raw[i]!r}"
            raise RecipeError(f"--csv {path}: numeric column {name!r} has {what} "
                              f"at line {i + 2}")
        missing = [k for k, v in enumerate(raw) if v == ""]
        if missing:
            raise RecipeError(f"--csv {path}: text column {name!r} has a missing value "
                              f"at line {missing[0] + 2}")
        cols[name] = np.array(raw, dtype=object)
    return cols


def bank_columns():
    """The embedded bank table as ``({column: array}, categorical columns)``: ID and ZIP Code
    dropped, ``Education`` (coded 1-3) one-hot encoded as the chapter does."""
    from ..datasets import load_bank
    cols = load_bank(as_frame=False)
    for c in ("ID", "ZIP Code"):
        cols.pop(c, None)
    return cols, ["Education"]


def _is_text(a):
    return a.dtype.kind in "OUS"


def _yes_no(values):
    return {str(v).strip().lower() for v in values} <= {"yes", "no"}


def design_matrix(cols, target, categorical=(), source="the table"):
    """Chapter 5's preprocessing. Returns ``(X, y, feature_names, scale_mask, positive)``:
    ``X`` float32 ``(n, d)``, ``y`` float32 ``(n, 1)``, ``scale_mask`` marking the numeric
    columns that are not 0/1 flags (the ones standardisation touches), ``positive`` the target
    value mapped to 1."""
    if target not in cols:
        raise RecipeError(f"--target {target!r} is not a column of {source} "
                          f"(columns: {', '.join(cols)})")
    t = cols[target]
    values = sorted({str(v).strip() for v in t.tolist()}) if _is_text(t) else \
        sorted(set(t.tolist()))
    if len(values) != 2:
        raise RecipeError(f"--target {target!r} must have two values for a binary classifier, "
                          f"it has {len(values)}")
    if _is_text(t):
        positive = "yes" if _yes_no(values) else values[1]
        y = np.array([str(v).strip().lower() == str(positive).lower() for v in t.tolist()])
    else:
        positive = values[1]
        y = t == positive
    y = y.astype(np.float32).reshape(-1, 1)

    names, columns, scale = [], [], []
    onehot = []
    for name, a in cols.items():
        if name == target:
            continue
        if name in categorical or (_is_text(a) and not _yes_no(a.tolist())):
            onehot.append(name)
            continue
        if _is_text(a):                                   # yes/no -> 1/0 flag
            v = np.array([str(x).strip().lower() == "yes" for x in a.tolist()], np.float32)
            names.append(name), columns.append(v), scale.append(False)
            continue
        v = np.asarray(a, dtype=np.float32)
        names.append(name), columns.append(v)
        scale.append(not set(np.unique(v).tolist()) <= {0.0, 1.0})
    for name in onehot:                                   # appended after the rest, as get_dummies
        a = cols[name]
        keys = [str(x).strip() if _is_text(a) else x for x in a.tolist()]
        for cat in sorted(set(keys)):
            names.append(f"{name}_{cat}")
            columns.append(np.array([k == cat for k in keys], dtype=np.float32))
            scale.append(False)
    if not columns:
        raise RecipeError(f"{source} has no predictor columns besides {target!r}")
    X = np.stack(columns, axis=1).astype(np.float32)
    return X, y, names, np.array(scale, dtype=bool), positive


class Tabular:
    """The split, ready for training: ``X_train, X_val, y_train, y_val`` (float32 arrays),
    ``feature_names``, ``scaled`` (names of standardised columns), ``positive``, ``source``."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def split_and_scale(X, y, names, scale_mask, *, seed=2020, test_size=0.2, standardize=True,
                    positive=1, source="the table"):
    """80/20 split (``ember.datasets.train_test_split``); with ``standardize`` the numeric
    columns are centred and scaled with the training part's mean and standard deviation."""
    from ..datasets import train_test_split
    if len(X) < 10:
        raise RecipeError(f"{source} has {len(X)} rows; at least 10 are needed")
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=test_size, seed=seed)
    scaled = []
    if standardize and scale_mask.any():
        X_tr, X_va = X_tr.copy(), X_va.copy()
        mean = X_tr[:, scale_mask].mean(0, dtype=np.float64)
        std = X_tr[:, scale_mask].std(0, dtype=np.float64)
        std[std == 0] = 1.0
        X_tr[:, scale_mask] = ((X_tr[:, scale_mask] - mean) / std).astype(np.float32)
        X_va[:, scale_mask] = ((X_va[:, scale_mask] - mean) / std).astype(np.float32)
        scaled = [n for n, m in zip(names, scale_mask) if m]
    return Tabular(X_train=X_tr, X_val=X_va, y_train=y_tr, y_val=y_va, feature_names=names,
                   scaled=scaled, positive=positive, source=source)
