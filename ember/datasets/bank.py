"""The Universal Bank marketing-campaign table (5,000 customers; target ``Personal Loan``: 480
accepted, 4,520 did not), read from ``dmba/csvFiles/UniversalBank.csv.gz`` inside the ``dmba``
package, with the book's chapter 5 preprocessing steps as helpers.

The chapter's pipeline, step by step (pandas, as in Listings 5-2..5-8)::

    df = load_bank()                                   # DataFrame, 5000 x 14
    df = df.drop(columns=["ID", "ZIP Code"])
    df = yes_no_flags(df)                              # two-valued text columns -> 1 / 0
    df = one_hot(df, columns=["Education"])            # like pd.get_dummies
    X = df.drop(columns=["Personal Loan"]).to_numpy(dtype="float32")
    y = df["Personal Loan"].to_numpy(dtype="float32").reshape(-1, 1)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=2020)

or in one call, with no pandas needed: ``bank_split(seed=2020)``.
"""
import csv
import gzip
from collections import namedtuple

import numpy as np

from ._resources import package_file, require_pandas

__all__ = ["load_bank", "yes_no_flags", "one_hot", "train_test_split", "bank_split",
           "BankSplit", "BANK_ROWS", "BANK_TARGET"]

BANK_ROWS = 5000
BANK_TARGET = "Personal Loan"
_RELPATH = "csvFiles/UniversalBank.csv.gz"

BankSplit = namedtuple("BankSplit", "X_train X_test y_train y_test feature_names")


def _read_columns():
    path = package_file("dmba", _RELPATH, "load_bank")
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    cols = {}
    for j, name in enumerate(header):
        values = [r[j] for r in body]
        try:
            arr = np.array([int(v) for v in values], dtype=np.int64)
        except ValueError:
            try:
                arr = np.array([float(v) for v in values], dtype=np.float64)
            except ValueError:
                arr = np.array(values, dtype=object)
        cols[name] = arr
    return cols


def load_bank(as_frame=True):
    """The raw table: a pandas DataFrame (``as_frame=True``, needs pandas), or a dict of
    column name -> NumPy array (``as_frame=False``, no pandas needed). Columns: ID, Age,
    Experience, Income, ZIP Code, Family, CCAvg, Education (1-3), Mortgage, Personal Loan,
    Securities Account, CD Account, Online, CreditCard."""
    cols = _read_columns()
    if not as_frame:
        return cols
    pd = require_pandas("load_bank")
    return pd.DataFrame(cols)


def _is_frame(table):
    return hasattr(table, "columns") and hasattr(table, "assign")


def _column_names(table):
    return list(table.columns) if _is_frame(table) else list(table)


def _values(table, name):
    return table[name].to_numpy() if _is_frame(table) else np.asarray(table[name])


def _is_text(values):
    return values.dtype.kind in "OUS"


def yes_no_flags(table, columns=None):
    """Two-valued text columns (or ``columns``) become int64 flags: 1 where the value is "yes"
    (any case), else 0. Returns a new table of the same kind (DataFrame or dict)."""
    if columns is None:
        columns = [c for c in _column_names(table)
                   if _is_text(_values(table, c)) and len(set(_values(table, c))) == 2]
    new = {c: np.array([str(v).strip().lower() == "yes" for v in _values(table, c)],
                       dtype=np.int64) for c in columns}
    if _is_frame(table):
        return table.assign(**new)
    out = dict(table)
    out.update(new)
    return out


def one_hot(table, columns=None, prefix_sep="_", dtype=bool):
    """One indicator column per category, as ``pd.get_dummies(df, columns=...)``: the encoded
    columns (default: every text column) are replaced by ``<name><sep><category>`` columns
    (categories sorted), appended after the remaining columns."""
    names = _column_names(table)
    if columns is None:
        columns = [c for c in names if _is_text(_values(table, c))]
    columns = list(columns)
    out = {c: _values(table, c) for c in names if c not in columns}
    for c in columns:
        values = _values(table, c)
        cats = sorted(set(values.tolist()))
        for cat in cats:
            out[f"{c}{prefix_sep}{cat}"] = (values == cat).astype(dtype)
    if _is_frame(table):
        import pandas as pd
        return pd.DataFrame(out, index=table.index)
    return out


def train_test_split(*arrays, test_size=0.2, seed=0, shuffle=True):
    """Split equally long arrays into train and test parts (``test_size`` a fraction or a
    count; the test part is ``ceil(test_size * n)`` rows, as scikit-learn). Returns
    ``a_train, a_test, b_train, b_test, ...``; the same ``seed`` gives the same split."""
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise ValueError("train_test_split: all arrays must have the same length")
    n_test = int(np.ceil(test_size * n)) if isinstance(test_size, float) else int(test_size)
    if not 0 < n_test < n:
        raise ValueError(f"test_size={test_size} leaves an empty train or test set of {n} rows")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    test, train = order[:n_test], order[n_test:]
    out = []
    for a in arrays:
        a = a.to_numpy() if hasattr(a, "to_numpy") else np.asarray(a)
        out += [a[train], a[test]]
    return out


def bank_split(seed=2020, test_size=0.2, dtype=np.float32):
    """The whole chapter 5 pipeline without pandas: drop ID and ZIP Code, flags for yes/no
    columns, one-hot ``Education``, float32, seeded 80/20 split. Returns ``BankSplit(X_train,
    X_test, y_train, y_test, feature_names)``: X ``(4000, 13)`` / ``(1000, 13)``, y ``(n, 1)``."""
    cols = load_bank(as_frame=False)
    for c in ("ID", "ZIP Code"):
        cols.pop(c)
    cols = one_hot(yes_no_flags(cols), columns=["Education"])
    features = [c for c in cols if c != BANK_TARGET]
    X = np.stack([np.asarray(cols[c], dtype=dtype) for c in features], axis=1)
    y = np.asarray(cols[BANK_TARGET], dtype=dtype).reshape(-1, 1)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, seed=seed)
    return BankSplit(X_train, X_test, y_train, y_test, features)
