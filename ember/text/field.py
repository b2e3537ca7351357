"""``Field``: how one column of a text dataset becomes a tensor — tokenize and lower-case each
example (``preprocess``), then pad a batch and map tokens to indices (``process``), as
torchtext's legacy ``Field``. ``LabelField`` is the non-sequential, no-``<unk>`` variant."""
from collections import Counter, OrderedDict
from itertools import chain

from .. import _dtype
from .._creation import tensor as _tensor
from .tokenizers import get_tokenizer
from .vocab import Vocab

__all__ = ["RawField", "Field", "LabelField"]


class RawField:
    """A column kept as it is: ``preprocessing`` on each example, ``postprocessing`` on each
    batch (a list), no tensor."""

    def __init__(self, preprocessing=None, postprocessing=None, is_target=False):
        self.preprocessing = preprocessing
        self.postprocessing = postprocessing
        self.is_target = is_target

    def preprocess(self, x):
        return self.preprocessing(x) if self.preprocessing is not None else x

    def process(self, batch, *args, **kwargs):
        return self.postprocessing(batch) if self.postprocessing is not None else batch


def _py_number(dtype):
    return float if dtype.is_floating_point else int


class Field(RawField):
    """A column numericalised into a tensor.

    ``sequential`` columns are tokenized (``tokenize``: None = whitespace split,
    ``'basic_english'``, ``'spacy'`` or a function), optionally lower-cased, padded with
    ``pad_token`` to the longest example of the batch (or ``fix_length``) with optional
    ``init_token`` / ``eos_token``, and mapped through ``vocab`` (built by ``build_vocab``).
    The batch tensor is ``(T, B)``, or ``(B, T)`` with ``batch_first``; ``include_lengths``
    makes it ``(tensor, lengths)``. Without ``use_vocab`` the values are numbers already
    (``"0"``/``"1"`` labels become ints of ``dtype``)."""

    vocab_cls = Vocab
    ignore = ["dtype", "tokenize"]

    def __init__(self, sequential=True, use_vocab=True, init_token=None, eos_token=None,
                 fix_length=None, dtype=_dtype.int64, preprocessing=None, postprocessing=None,
                 lower=False, tokenize=None, tokenizer_language="en", include_lengths=False,
                 batch_first=False, pad_token="<pad>", unk_token="<unk>", pad_first=False,
                 truncate_first=False, stop_words=None, is_target=False):
        self.sequential = sequential
        self.use_vocab = use_vocab
        self.init_token = init_token
        self.eos_token = eos_token
        self.unk_token = unk_token
        self.fix_length = fix_length
        self.dtype = dtype
        self.preprocessing = preprocessing
        self.postprocessing = postprocessing
        self.lower = lower
        self.tokenizer_args = (tokenize, tokenizer_language)
        self.tokenize = get_tokenizer(tokenize, tokenizer_language)
        self.include_lengths = include_lengths
        self.batch_first = batch_first
        self.pad_token = pad_token if self.sequential else None
        self.pad_first = pad_first
        self.truncate_first = truncate_first
        try:
            self.stop_words = set(stop_words) if stop_words is not None else None
        except TypeError:
            raise ValueError("Stop words must be convertible to a set") from None
        self.is_target = is_target

    def __getstate__(self):
        state = dict(self.__dict__)
        if self.tokenizer_args[0] is not None and not callable(self.tokenizer_args[0]):
            del state["tokenize"]            # rebuilt from tokenizer_args (spaCy objects)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if "tokenize" not in state:
            self.tokenize = get_tokenizer(*self.tokenizer_args)

    def __eq__(self, other):
        if not isinstance(other, RawField):
            return False
        return self.__dict__ == other.__dict__

    __hash__ = object.__hash__

    def preprocess(self, x):
        """Tokenize (sequential strings), lower-case, drop stop words, then ``preprocessing``."""
        if self.sequential and isinstance(x, str):
            x = self.tokenize(x.rstrip("\n"))
        if self.lower:
            x = [t.lower() for t in x] if isinstance(x, list) else x.lower()
        if self.sequential and self.use_vocab and self.stop_words is not None:
            x = [w for w in x if w not in self.stop_words]
        if self.preprocessing is not None:
            return self.preprocessing(x)
        return x

    def process(self, batch, device=None):
        """Pad and numericalise a list of preprocessed examples."""
        return self.numericalize(self.pad(batch), device=device)

    def pad(self, minibatch):
        """Pad every example to the batch's longest (or ``fix_length``); with
        ``include_lengths`` also return the lengths (counting init/eos tokens)."""
        minibatch = list(minibatch)
        if not self.sequential:
            return minibatch
        if self.fix_length is None:
            max_len = max(len(x) for x in minibatch)
        else:
            max_len = self.fix_length + (self.init_token, self.eos_token).count(None) - 2
        init = [] if self.init_token is None else [self.init_token]
        eos = [] if self.eos_token is None else [self.eos_token]
        padded, lengths = [], []
        for x in minibatch:
            body = list(x[-max_len:] if self.truncate_first else x[:max_len])
            npad = max(0, max_len - len(x))
            if self.pad_first:
                padded.append([self.pad_token] * npad + init + body + eos)
            else:
                padded.append(init + body + eos + [self.pad_token] * npad)
            lengths.append(len(padded[-1]) - npad)
        if self.include_lengths:
            return padded, lengths
        return padded

    def build_vocab(self, *args, **kwargs):
        """Count the tokens of the given datasets (this field's column) or token iterables and
        build ``self.vocab``; keyword arguments go to ``Vocab`` (``max_size``, ``min_freq``,
        ``vectors``, ``unk_init``, ``vectors_cache``, ``specials``)."""
        from .data import Dataset
        counter = Counter()
        sources = []
        for arg in args:
            if isinstance(arg, Dataset):
                sources += [getattr(arg, name) for name, field in arg.fields.items()
                            if field is self]
            else:
                sources.append(arg)
        for data in sources:
            for x in data:
                if not self.sequential:
                    x = [x]
                try:
                    counter.update(x)
                except TypeError:
                    counter.update(chain.from_iterable(x))
        specials = list(OrderedDict.fromkeys(
            tok for tok in [self.unk_token, self.pad_token, self.init_token, self.eos_token]
            + kwargs.pop("specials", []) if tok is not None))
        self.vocab = self.vocab_cls(counter, specials=specials, **kwargs)

    def numericalize(self, arr, device=None):
        """Padded examples -> int64 (``dtype``) tensor ``(T, B)`` / ``(B, T)``; with
        ``include_lengths``, ``arr`` is ``(examples, lengths)`` and so is the result."""
        if self.include_lengths and not isinstance(arr, tuple):
            raise ValueError("Field has include_lengths set to True, but input data is not a "
                             "tuple of (data batch, batch lengths).")
        lengths = None
        if isinstance(arr, tuple):
            arr, lengths = arr
            lengths = _tensor(lengths, dtype=self.dtype, device=device)
        if self.use_vocab:
            stoi = self.vocab.stoi
            if self.sequential:
                arr = [[stoi[x] for x in ex] for ex in arr]
            else:
                arr = [stoi[x] for x in arr]
            if self.postprocessing is not None:
                arr = self.postprocessing(arr, self.vocab)
        else:
            if self.dtype not in _NUMERIC:
                raise ValueError(f"Specified Field dtype {self.dtype} can not be used with "
                                 "use_vocab=False because we do not know how to numericalize "
                                 "it.")
            conv = _py_number(self.dtype)
            if not self.sequential:
                arr = [conv(x) if isinstance(x, str) else x for x in arr]
            if self.postprocessing is not None:
                arr = self.postprocessing(arr, None)
        var = _tensor(arr, dtype=self.dtype, device=device)
        if self.sequential and not self.batch_first:
            var = var.t().contiguous()
        if self.include_lengths:
            return var, lengths
        return var


_NUMERIC = (_dtype.float16, _dtype.float32, _dtype.float64, _dtype.uint8, _dtype.int8,
            _dtype.int16, _dtype.int32, _dtype.int64)


class LabelField(Field):
    """A class-label column: not sequential, no ``<unk>`` (every label gets its own index, in
    order of frequency)."""

    def __init__(self, **kwargs):
        kwargs["sequential"] = False
        kwargs["unk_token"] = None
        kwargs["is_target"] = True
        super().__init__(**kwargs)
