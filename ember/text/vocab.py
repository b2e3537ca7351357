"""``Vocab``: the token <-> index maps built from counted tokens (torchtext's legacy ``Vocab``,
with the newer ``build_vocab_from_iterator`` API on the same class), and pretrained vectors
aligned to it."""
from collections import Counter, OrderedDict

import numpy as np

from ..tensor import _new_tensor
from .vectors import FastText, GloVe, Vectors, pretrained_aliases  # noqa: F401

__all__ = ["Vocab", "build_vocab_from_iterator", "vocab", "Vectors", "GloVe", "FastText",
           "pretrained_aliases"]


class _Stoi(dict):
    """token -> index; an unknown token gives the default index (``<unk>``'s), as torchtext's
    ``defaultdict`` does (without adding the token to the map), or raises KeyError when the
    vocabulary has no default."""

    __slots__ = ("vocab",)

    def __missing__(self, token):
        idx = self.vocab.unk_index
        if idx is None:
            raise KeyError(token)
        return idx


class Vocab:
    """Tokens ordered as: ``specials`` first (``specials_first``), then the counted tokens by
    decreasing frequency, ties in alphabetical order, keeping at most ``max_size`` of them and
    only those seen ``min_freq`` times or more.

    ``freqs`` is the Counter the vocabulary was built from (``freqs.most_common(10)``), ``itos``
    the token list, ``stoi`` the token -> index map (unknown -> ``<unk>``'s index), ``vectors``
    the matrix from ``load_vectors`` (row i belongs to ``itos[i]``)."""

    UNK = "<unk>"

    def __init__(self, counter, max_size=None, min_freq=1, specials=("<unk>", "<pad>"),
                 vectors=None, unk_init=None, vectors_cache=None, specials_first=True):
        self.freqs = counter
        counter = counter.copy()
        min_freq = max(min_freq, 1)
        specials = list(specials)
        self.itos = []
        self.unk_index = None
        if specials_first:
            self.itos = list(specials)
            max_size = None if max_size is None else max_size + len(specials)
        for tok in specials:
            del counter[tok]
        words = sorted(counter.items(), key=lambda tup: tup[0])
        words.sort(key=lambda tup: tup[1], reverse=True)
        for word, freq in words:
            if freq < min_freq or len(self.itos) == max_size:
                break
            self.itos.append(word)
        if Vocab.UNK in specials:
            unk = specials.index(Vocab.UNK)
            self.unk_index = unk if specials_first else len(self.itos) + unk
        if not specials_first:
            self.itos.extend(specials)
        self._rebuild_stoi()
        self.vectors = None
        if vectors is not None:
            self.load_vectors(vectors, unk_init=unk_init, cache=vectors_cache)
        elif unk_init is not None or vectors_cache is not None:
            raise ValueError("unk_init and vectors_cache are only used with vectors=")

    def _rebuild_stoi(self):
        stoi = _Stoi()
        stoi.vocab = self
        stoi.update({tok: i for i, tok in enumerate(self.itos)})
        self.stoi = stoi

    # ----- lookups ---------------------------------------------------------------------------
    def __len__(self):
        return len(self.itos)

    def __contains__(self, token):
        return token in self.stoi

    def __getitem__(self, token):
        idx = self.stoi.get(token)
        if idx is None:
            idx = self.unk_index
            if idx is None:
                raise RuntimeError(f"Token {token} not found and default index is not set")
        return idx

    def __call__(self, tokens):
        return self.lookup_indices(tokens)

    def lookup_indices(self, tokens):
        """Indices of ``tokens`` (unknown ones get the default index)."""
        return [self[tok] for tok in tokens]

    def lookup_token(self, index):
        if not 0 <= index < len(self.itos):
            raise RuntimeError(f"Specified index {index} is out of bounds of the size of "
                               f"itos dictionary: {len(self.itos)}.")
        return self.itos[index]

    def lookup_tokens(self, indices):
        return [self.lookup_token(int(i)) for i in indices]

    def set_default_index(self, index):
        """Index returned for unknown tokens (None: unknown tokens raise)."""
        self.unk_index = index

    def get_default_index(self):
        return self.unk_index

    def get_stoi(self):
        return dict(self.stoi)

    def get_itos(self):
        return list(self.itos)

    def append_token(self, token):
        if token in self.stoi:
            raise RuntimeError(f"Token {token} already exists in the Vocab")
        self.stoi[token] = len(self.itos)
        self.itos.append(token)

    def insert_token(self, token, index):
        if token in self.stoi:
            raise RuntimeError(f"Token {token} already exists in the Vocab")
        if not 0 <= index <= len(self.itos):
            raise RuntimeError(f"Specified index {index} is out of bounds of the size of "
                               f"stoi dictionary: {len(self.itos)}.")
        self.itos.insert(index, token)
        if self.unk_index is not None and self.unk_index >= index:
            self.unk_index += 1
        self._rebuild_stoi()

    def extend(self, v, sort=False):
        """Append the tokens of vocabulary ``v`` that this one lacks."""
        words = sorted(v.itos) if sort else v.itos
        for w in words:
            if w not in self.stoi:
                self.itos.append(w)
                self.stoi[w] = len(self.itos) - 1

    def __eq__(self, other):
        if not isinstance(other, Vocab):
            return NotImplemented
        if self.freqs != other.freqs or self.stoi != other.stoi or self.itos != other.itos:
            return False
        if self.vectors is None or other.vectors is None:
            return self.vectors is other.vectors
        return bool(np.array_equal(self.vectors._data, other.vectors._data))

    def __getstate__(self):
        state = dict(self.__dict__)
        state["stoi"] = dict(self.stoi)
        return state

    def __setstate__(self, state):
        stoi = state.pop("stoi")
        self.__dict__.update(state)
        self._rebuild_stoi()
        self.stoi.update(stoi)

    def __repr__(self):
        return f"Vocab(size={len(self)}, unk_index={self.unk_index})"

    # ----- vectors ---------------------------------------------------------------------------
    def load_vectors(self, vectors, **kwargs):
        """Set ``self.vectors`` (float32 ``(len(self), total dim)``) from pretrained vectors:
        ``Vectors`` objects or alias names (``'glove.6B.100d'``, ``'fasttext.simple.300d'``,
        found in ``cache``); several are concatenated. A token with no vector gets
        ``unk_init`` of a fresh row (zeros by default)."""
        if not isinstance(vectors, list):
            vectors = [vectors]
        unk_init = kwargs.get("unk_init")
        loaded = []
        for v in vectors:
            if isinstance(v, str):
                if v not in pretrained_aliases:
                    raise ValueError(f"Got string input vector {v}, but allowed pretrained "
                                     f"vectors are {list(pretrained_aliases.keys())}")
                opts = {k: val for k, val in kwargs.items()
                        if k in ("unk_init", "cache", "max_vectors") and val is not None}
                v = pretrained_aliases[v](**opts)
            elif not isinstance(v, Vectors):
                raise ValueError(f"Got input vectors of type {type(v)}, expected str or "
                                 "Vectors object")
            loaded.append(v)
        tot = sum(v.dim for v in loaded)
        out = np.zeros((len(self), tot), np.float32)
        start = 0
        for v in loaded:
            init = unk_init if unk_init is not None else v.unk_init
            vec = v.vectors._data
            for i, token in enumerate(self.itos):
                j = v.stoi.get(token.strip())
                if j is not None:
                    out[i, start:start + v.dim] = vec[j]
                elif init is not None and getattr(init, "__name__", "") != "_zero_init":
                    row = init(_new_tensor(np.zeros(v.dim, np.float32)))
                    out[i, start:start + v.dim] = np.asarray(getattr(row, "_data", row))
            start += v.dim
        self.vectors = _new_tensor(out)

    def set_vectors(self, stoi, vectors, dim, unk_init=None):
        """Set ``self.vectors`` from a word -> row map and a ``(n, dim)`` matrix."""
        src = np.asarray(getattr(vectors, "_data", vectors), dtype=np.float32)
        out = np.zeros((len(self), dim), np.float32)
        for i, token in enumerate(self.itos):
            j = stoi.get(token)
            if j is not None:
                out[i] = src[j]
            elif unk_init is not None:
                row = unk_init(_new_tensor(np.zeros(dim, np.float32)))
                out[i] = np.asarray(getattr(row, "_data", row))
        self.vectors = _new_tensor(out)


def vocab(ordered_dict, min_freq=1, specials=None, special_first=True):
    """A Vocab of the tokens of ``ordered_dict`` (token -> count) in that order, keeping those
    with count >= ``min_freq``, with ``specials`` first or last (torchtext's ``vocab``).
    No default index is set."""
    specials = list(specials or [])
    tokens = [tok for tok, freq in ordered_dict.items()
              if freq >= min_freq and tok not in specials]
    v = Vocab.__new__(Vocab)
    v.freqs = Counter(ordered_dict)
    v.itos = specials + tokens if special_first else tokens + specials
    v.unk_index = None
    v.vectors = None
    v._rebuild_stoi()
    return v


def build_vocab_from_iterator(iterator, min_freq=1, specials=None, special_first=True,
                              max_tokens=None):
    """A Vocab from an iterator of token lists: decreasing frequency, ties alphabetical, at
    most ``max_tokens`` entries including ``specials``. Call ``set_default_index`` to map
    unknown tokens (e.g. ``v.set_default_index(v['<unk>'])``)."""
    counter = Counter()
    for tokens in iterator:
        counter.update(tokens)
    specials = list(specials or [])
    ordered = sorted(counter.items(), key=lambda x: (-x[1], x[0]))
    if max_tokens is not None:
        if len(specials) >= max_tokens:
            raise AssertionError("len(specials) >= max_tokens, so the vocab will be entirely "
                                 "special tokens.")
        ordered = ordered[:max_tokens - len(specials)]
    v = vocab(OrderedDict(ordered), min_freq=min_freq, specials=specials,
              special_first=special_first)
    v.freqs = counter
    return v
