"""Text datasets and batch iterators, as torchtext's legacy ``data`` module:
``Example``, ``Dataset`` (``split``), ``TabularDataset`` (CSV / TSV / JSON lines),
``Iterator`` and ``BucketIterator`` yielding ``Batch`` objects with one attribute per field.

``from ember.text import data`` then ``data.Field``, ``data.TabularDataset.splits(...)``,
``data.BucketIterator.splits(...)`` reads like the book's chapter 7. Shuffling draws from
ember's generator (``ember.manual_seed`` before building an iterator makes it reproducible)."""
import csv
import io
import json
import math
import os
import random as _pyrandom
import sys
from functools import partial, reduce

import numpy as np

from ..utils.data import Dataset as _TorchDataset
from .field import Field, LabelField, RawField  # noqa: F401
from .tokenizers import get_tokenizer  # noqa: F401

__all__ = ["Example", "Dataset", "TabularDataset", "Batch", "Iterator", "BucketIterator",
           "RandomShuffler", "batch", "pool", "Field", "LabelField", "RawField",
           "get_tokenizer"]


# ----- examples ----------------------------------------------------------------------------
class Example:
    """One row: an attribute per field, holding the field's preprocessed value."""

    @classmethod
    def fromJSON(cls, data, fields):
        ex = cls()
        obj = json.loads(data)
        for key, vals in fields.items():
            if vals is None:
                continue
            if not isinstance(vals, list):
                vals = [vals]
            for name, field in vals:
                def reducer(o, k):
                    if isinstance(o, list):
                        out = []
                        for item in o:
                            if k not in item:
                                raise ValueError(f"Specified key {k} was not found in the "
                                                 "input data")
                            out.append(item[k])
                        return out
                    if k not in o:
                        raise ValueError(f"Specified key {k} was not found in the input data")
                    return o[k]
                setattr(ex, name, field.preprocess(reduce(reducer, key.split("."), obj)))
        return ex

    @classmethod
    def fromdict(cls, data, fields):
        ex = cls()
        for key, vals in fields.items():
            if key not in data:
                raise ValueError(f"Specified key {key} was not found in the input data")
            if vals is None:
                continue
            if not isinstance(vals, list):
                vals = [vals]
            for name, field in vals:
                setattr(ex, name, field.preprocess(data[key]))
        return ex

    @classmethod
    def fromCSV(cls, data, fields, field_to_index=None):
        if field_to_index is None:
            return cls.fromlist(data, fields)
        return cls.fromdict({f: data[i] for f, i in field_to_index.items()}, fields)

    @classmethod
    def fromlist(cls, data, fields):
        ex = cls()
        for spec, val in zip(fields, data):
            if spec is None:
                continue
            name, field = spec
            if field is None:
                continue
            if isinstance(val, str):
                val = val.rstrip("\n")
            if isinstance(name, tuple):
                for n, f in zip(name, field):
                    setattr(ex, n, f.preprocess(val))
            else:
                setattr(ex, name, field.preprocess(val))
        return ex

    def __repr__(self):
        return f"Example({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"


# ----- shuffling ---------------------------------------------------------------------------
class RandomShuffler:
    """Random permutations from its own state. ``random_state`` may be None (seeded from
    ember's global generator), an int seed, or a ``random.getstate()`` tuple (then Python's
    ``random.sample`` is used, as torchtext did)."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    @property
    def random_state(self):
        if self._py is not None:
            return self._py.getstate()
        return self._np.bit_generator.state

    @random_state.setter
    def random_state(self, state):
        self._py = None
        if state is None:
            from ..random import _rng
            state = int(_rng().integers(0, 2 ** 63 - 1))
        if isinstance(state, tuple):
            self._py = _pyrandom.Random()
            self._py.setstate(state)
            self._np = None
        elif isinstance(state, dict):
            self._np = np.random.default_rng()
            self._np.bit_generator.state = state
        else:
            self._np = np.random.default_rng(int(state))

    def __call__(self, data):
        data = list(data)
        if self._py is not None:
            return self._py.sample(data, len(data))
        return [data[i] for i in self._np.permutation(len(data))]


# ----- datasets ----------------------------------------------------------------------------
def _check_split_ratio(split_ratio):
    valid_ratio = 0.0
    if isinstance(split_ratio, float):
        if not 0.0 < split_ratio < 1.0:
            raise AssertionError(f"Split ratio {split_ratio} not between 0 and 1")
        return split_ratio, 1.0 - split_ratio, valid_ratio
    if isinstance(split_ratio, (list, tuple)):
        split_ratio = list(split_ratio)
        if len(split_ratio) not in (2, 3):
            raise AssertionError(f"Length of split ratio list should be 2 or 3, got "
                                 f"{split_ratio}")
        total = sum(split_ratio)
        if total != 1.0:
            split_ratio = [float(r) / total for r in split_ratio]
        if len(split_ratio) == 2:
            return tuple(split_ratio + [valid_ratio])
        return tuple(split_ratio)
    raise ValueError(f"Split ratio must be float or a list, got {type(split_ratio)}")


def _rationed_split(examples, train_ratio, test_ratio, val_ratio, rnd):
    n = len(examples)
    perm = rnd(range(n))
    train_len = int(round(train_ratio * n))
    test_len = n - train_len if not val_ratio else int(round(test_ratio * n))
    idx = (perm[:train_len], perm[train_len:train_len + test_len],
           perm[train_len + test_len:])
    return tuple([examples[i] for i in part] for part in idx)


class Dataset(_TorchDataset):
    """A list of ``Example`` objects and the ``fields`` (name -> Field) that made them.
    ``dataset.text`` iterates over that column of every example."""

    sort_key = None

    def __init__(self, examples, fields, filter_pred=None):
        if filter_pred is not None:
            make_list = isinstance(examples, list)
            examples = filter(filter_pred, examples)
            if make_list:
                examples = list(examples)
        self.examples = examples
        fields = dict(f for f in fields if f is not None) if isinstance(fields, (list, tuple)) \
            else dict(fields)
        for n, f in list(fields.items()):
            if isinstance(n, tuple):
                fields.update(zip(n, f))
                del fields[n]
        self.fields = fields

    @classmethod
    def splits(cls, path=None, root=".data", train=None, validation=None, test=None,
               **kwargs):
        """One dataset per given file name (``train``, ``validation``, ``test``) in ``path``."""
        if path is None:
            raise ValueError(f"{cls.__name__}.splits needs path= (the folder of the files)")
        out = tuple(None if name is None else cls(os.path.join(path, name), **kwargs)
                    for name in (train, validation, test))
        return tuple(d for d in out if d is not None)

    def split(self, split_ratio=0.7, stratified=False, strata_field="label", random_state=None):
        """Random (optionally stratified) split into (train, [valid,] test) datasets: a float
        is the train fraction; a list gives relative sizes of train, test[, valid]. Returns
        (train, test) or (train, valid, test)."""
        train_ratio, test_ratio, val_ratio = _check_split_ratio(split_ratio)
        rnd = RandomShuffler(random_state)
        if not stratified:
            train, test, val = _rationed_split(self.examples, train_ratio, test_ratio,
                                               val_ratio, rnd)
        else:
            if strata_field not in self.fields:
                raise ValueError(f"Invalid field name for strata_field {strata_field}")
            strata = {}
            for ex in self.examples:
                strata.setdefault(getattr(ex, strata_field), []).append(ex)
            train, test, val = [], [], []
            for group in strata.values():
                g_train, g_test, g_val = _rationed_split(group, train_ratio, test_ratio,
                                                         val_ratio, rnd)
                train += g_train
                test += g_test
                val += g_val
        splits = tuple(Dataset(d, self.fields) for d in (train, val, test) if d)
        if self.sort_key:
            for s in splits:
                s.sort_key = self.sort_key
        return splits

    def __getitem__(self, i):
        return self.examples[i]

    def __len__(self):
        try:
            return len(self.examples)
        except TypeError:
            return 2 ** 32

    def __iter__(self):
        yield from self.examples

    def __getattr__(self, attr):
        fields = self.__dict__.get("fields")
        if fields is not None and attr in fields:
            return (getattr(x, attr) for x in self.examples)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {attr!r}")

    def filter_examples(self, field_names):
        """Drop examples whose listed fields are empty."""
        for name in field_names:
            self.examples = [ex for ex in self.examples if getattr(ex, name)]


def _csv_reader(f, **params):
    limit = sys.maxsize
    while True:                     # long fields (reviews) exceed csv's default limit
        try:
            csv.field_size_limit(limit)
            break
        except OverflowError:
            limit = int(limit / 10)
    return csv.reader(f, **params)


class TabularDataset(Dataset):
    """Rows of a CSV, TSV or JSON-lines file. ``fields`` is a list of ``(name, Field)`` in
    column order (``(name, None)`` skips a column), or for JSON / a CSV with a header a dict
    ``{column: (name, Field)}``. ``skip_header`` skips the first line of a CSV/TSV."""

    def __init__(self, path, format, fields, skip_header=False, csv_reader_params=None,
                 encoding="utf8", **kwargs):
        fmt = format.lower()
        makers = {"json": Example.fromJSON, "dict": Example.fromdict, "tsv": Example.fromCSV,
                  "csv": Example.fromCSV}
        if fmt not in makers:
            raise ValueError(f"format must be one of csv, tsv, json, got {format!r}")
        make_example = makers[fmt]
        params = dict(csv_reader_params or {})
        with io.open(os.path.expanduser(path), encoding=encoding, newline="" if fmt in (
                "csv", "tsv") else None) as f:
            if fmt == "csv":
                reader = _csv_reader(f, **params)
            elif fmt == "tsv":
                reader = _csv_reader(f, delimiter="\t", **params)
            else:
                reader = f
            if fmt in ("csv", "tsv") and isinstance(fields, dict):
                if skip_header:
                    raise ValueError(f"When using a dict to specify fields with a {fmt} file, "
                                     "skip_header must be False and the file must have a "
                                     "header.")
                header = next(reader)
                try:
                    field_to_index = {f: header.index(f) for f in fields.keys()}
                except ValueError as e:
                    raise ValueError(f"{path}: {e} (header is {header})") from None
                make_example = partial(make_example, field_to_index=field_to_index)
            if skip_header:
                next(reader, None)
            examples = [make_example(line, fields) for line in reader
                        if not (fmt == "json" and not line.strip())]
        if isinstance(fields, dict):
            flat = []
            for field in fields.values():
                if isinstance(field, list):
                    flat.extend(field)
                elif field is not None:
                    flat.append(field)
            fields = flat
        super().__init__(examples, fields, **kwargs)


# ----- batches -----------------------------------------------------------------------------
def _short_str(t):
    if hasattr(t, "shape") and hasattr(t, "type"):
        size = "x".join(str(s) for s in t.shape)
        return f"[{t.type()} of size {size}]"
    if isinstance(t, tuple):
        return str(tuple(_short_str(x) for x in t))
    return str(t)


class Batch:
    """One minibatch: an attribute per field (``batch.text``, ``batch.label``) holding the
    field's processed tensor; ``len(batch)`` is the number of examples."""

    def __init__(self, data=None, dataset=None, device=None):
        if data is None:
            return
        self.batch_size = len(data)
        self.dataset = dataset
        self.fields = dataset.fields.keys()
        self.input_fields = [k for k, v in dataset.fields.items()
                             if v is not None and not v.is_target]
        self.target_fields = [k for k, v in dataset.fields.items()
                              if v is not None and v.is_target]
        for name, field in dataset.fields.items():
            if field is not None:
                setattr(self, name, field.process([getattr(x, name) for x in data],
                                                  device=device))

    @classmethod
    def fromvars(cls, dataset, batch_size, train=None, **kwargs):
        b = cls()
        b.batch_size = batch_size
        b.dataset = dataset
        b.fields = dataset.fields.keys()
        for k, v in kwargs.items():
            setattr(b, k, v)
        return b

    def __len__(self):
        return self.batch_size

    def _get_field_values(self, fields):
        if len(fields) == 0:
            return None
        if len(fields) == 1:
            return getattr(self, fields[0])
        return tuple(getattr(self, f) for f in fields)

    def __iter__(self):
        yield self._get_field_values(self.input_fields)
        yield self._get_field_values(self.target_fields)

    def __str__(self):
        if not self.__dict__:
            return "Empty Batch instance"
        names = [n for n in self.fields if n is not None and hasattr(self, n)]
        var_strs = "\n".join(f"\t[.{n}]:{_short_str(getattr(self, n))}" for n in names)
        return f"\n[Batch of size {self.batch_size}]\n{var_strs}"

    __repr__ = __str__


# ----- iterators ---------------------------------------------------------------------------
def batch(data, batch_size, batch_size_fn=None):
    """Consecutive chunks of ``batch_size`` examples (or of ``batch_size_fn`` total size)."""
    if batch_size_fn is None:
        def batch_size_fn(new, count, sofar):
            return count
    minibatch, size_so_far = [], 0
    for ex in data:
        minibatch.append(ex)
        size_so_far = batch_size_fn(ex, len(minibatch), size_so_far)
        if size_so_far == batch_size:
            yield minibatch
            minibatch, size_so_far = [], 0
        elif size_so_far > batch_size:
            yield minibatch[:-1]
            minibatch, size_so_far = minibatch[-1:], batch_size_fn(ex, 1, 0)
    if minibatch:
        yield minibatch


def pool(data, batch_size, key, batch_size_fn=lambda new, count, sofar: count,
         random_shuffler=None, shuffle=False, sort_within_batch=False):
    """torchtext's bucketing: take chunks of 100 batches, sort each chunk by ``key`` when
    ``sort_within_batch``, cut it into batches, and shuffle the batches of the chunk."""
    if random_shuffler is None:
        random_shuffler = RandomShuffler()
    for p in batch(data, batch_size * 100, batch_size_fn):
        p_batch = batch(sorted(p, key=key), batch_size, batch_size_fn) \
            if sort_within_batch else batch(p, batch_size, batch_size_fn)
        if shuffle:
            yield from random_shuffler(list(p_batch))
        else:
            yield from list(p_batch)


class Iterator:
    """Batches of a ``Dataset``: shuffled each epoch when training (``train=True`` is the
    default; ``shuffle`` overrides), sorted by ``sort_key`` when ``sort`` (the default for
    evaluation), and within each batch sorted longest first when ``sort_within_batch`` — the
    order ``pack_padded_sequence`` needs. ``repeat=False`` stops after one epoch."""

    def __init__(self, dataset, batch_size, sort_key=None, device=None, batch_size_fn=None,
                 train=True, repeat=False, shuffle=None, sort=None, sort_within_batch=None):
        self.batch_size, self.train, self.dataset = batch_size, train, dataset
        self.batch_size_fn = batch_size_fn
        self.iterations = 0
        self.repeat = repeat
        self.shuffle = train if shuffle is None else shuffle
        self.sort = (not train) if sort is None else sort
        self.sort_within_batch = self.sort if sort_within_batch is None else sort_within_batch
        self.sort_key = dataset.sort_key if sort_key is None else sort_key
        self.device = device
        self.random_shuffler = RandomShuffler()
        self._iterations_this_epoch = 0
        self._random_state_this_epoch = None
        self._restored_from_state = False

    @classmethod
    def splits(cls, datasets, batch_sizes=None, **kwargs):
        """One iterator per dataset; the first is the training one (``train=True``)."""
        if batch_sizes is None:
            batch_sizes = [kwargs.pop("batch_size")] * len(datasets)
        return tuple(cls(datasets[i], batch_size=batch_sizes[i], train=(i == 0), **kwargs)
                     for i in range(len(datasets)))

    def _need_key(self):
        if self.sort_key is None:
            raise ValueError(f"{type(self).__name__} sorts (sort={self.sort}, sort_within_batch="
                             f"{self.sort_within_batch}) but has no sort_key: pass e.g. "
                             "sort_key=lambda x: len(x.text)")

    def data(self):
        if self.sort or self.sort_within_batch:
            self._need_key()
        if self.sort:
            return sorted(self.dataset, key=self.sort_key)
        if self.shuffle:
            return [self.dataset[i] for i in self.random_shuffler(range(len(self.dataset)))]
        return self.dataset

    def init_epoch(self):
        if self._restored_from_state:
            self.random_shuffler.random_state = self._random_state_this_epoch
        else:
            self._random_state_this_epoch = self.random_shuffler.random_state
        self.create_batches()
        if self._restored_from_state:
            self._restored_from_state = False
        else:
            self._iterations_this_epoch = 0
        if not self.repeat:
            self.iterations = 0

    def create_batches(self):
        self.batches = batch(self.data(), self.batch_size, self.batch_size_fn)

    @property
    def epoch(self):
        return math.floor(self.iterations / len(self))

    def __len__(self):
        if self.batch_size_fn is not None:
            raise NotImplementedError
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        while True:
            self.init_epoch()
            for idx, minibatch in enumerate(self.batches):
                if self._iterations_this_epoch > idx:
                    continue
                self.iterations += 1
                self._iterations_this_epoch += 1
                if self.sort_within_batch:
                    if self.sort:
                        minibatch.reverse()
                    else:
                        minibatch.sort(key=self.sort_key, reverse=True)
                yield Batch(minibatch, self.dataset, self.device)
            if not self.repeat:
                return

    def state_dict(self):
        return {"iterations": self.iterations,
                "iterations_this_epoch": self._iterations_this_epoch,
                "random_state_this_epoch": self._random_state_this_epoch}

    def load_state_dict(self, state_dict):
        self.iterations = state_dict["iterations"]
        self._iterations_this_epoch = state_dict["iterations_this_epoch"]
        self._random_state_this_epoch = state_dict["random_state_this_epoch"]
        self._restored_from_state = True


class BucketIterator(Iterator):
    """An ``Iterator`` that, when not sorting globally, draws batches of examples of similar
    ``sort_key`` (torchtext's ``pool``): with ``sort_within_batch`` each chunk of 100 batches
    is sorted by length before it is cut, and batches are shuffled when training."""

    def create_batches(self):
        if self.sort:
            self.batches = batch(self.data(), self.batch_size, self.batch_size_fn)
        else:
            self.batches = pool(self.data(), self.batch_size, self.sort_key,
                                self.batch_size_fn, random_shuffler=self.random_shuffler,
                                shuffle=self.shuffle,
                                sort_within_batch=self.sort_within_batch)
