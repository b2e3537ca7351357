"""Fetchers: turn one index (or index batch) from the sampler into collated data, in the main
process or in a worker. A ``TensorDataset`` (possibly under ``Subset``s) with the default collate
is batched by one fancy index per tensor instead of stacking per-sample rows."""
import numpy as np

from ...tensor import Tensor, _new_tensor
from ._collate import default_collate
from .dataset import Subset, TensorDataset


class _MapDatasetFetcher:
    __slots__ = ("dataset", "auto_collation", "collate_fn", "drop_last", "failed_index",
                 "_rows")

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.failed_index = None
        self._rows = _tensor_rows(dataset) if (auto_collation
                                               and collate_fn is default_collate) else None

    def fetch(self, possibly_batched_index):
        if self.auto_collation:
            rows = self._rows
            if rows is not None and len(possibly_batched_index):
                arrays, base = rows
                try:
                    idx = np.asarray(possibly_batched_index, dtype=np.intp)
                    if base is not None:
                        idx = base[idx]
                    return [_new_tensor(a[idx]) for a in arrays]
                except (IndexError, TypeError, ValueError):
                    pass   # the per-sample path below raises ember's own error for the culprit
            dataset = self.dataset
            getitems = getattr(dataset, "__getitems__", None)
            if getitems:
                try:
                    data = getitems(possibly_batched_index)
                except Exception:
                    self.failed_index = possibly_batched_index
                    raise
            else:
                data = []
                i = None
                try:
                    for i in possibly_batched_index:
                        data.append(dataset[i])
                except Exception:
                    self.failed_index = i
                    raise
        else:
            try:
                data = self.dataset[possibly_batched_index]
            except Exception:
                self.failed_index = possibly_batched_index
                raise
        self.failed_index = None
        return self.collate_fn(data)


class _IterableDatasetFetcher:
    __slots__ = ("dataset", "auto_collation", "collate_fn", "drop_last", "dataset_iter",
                 "ended", "failed_index", "_count")

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.dataset_iter = iter(dataset)
        self.ended = False
        self.failed_index = None
        self._count = 0   # items drawn from this iterator so far (for error messages)

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        it = self.dataset_iter
        if self.auto_collation:
            data = []
            for _ in possibly_batched_index:
                try:
                    data.append(next(it))
                except StopIteration:
                    self.ended = True
                    break
                except Exception:
                    self.failed_index = f"item {self._count} of the stream"
                    raise
                self._count += 1
            if len(data) == 0 or (self.drop_last and len(data) < len(possibly_batched_index)):
                raise StopIteration
        else:
            try:
                data = next(it)
            except StopIteration:
                raise
            except Exception:
                self.failed_index = f"item {self._count} of the stream"
                raise
            self._count += 1
        return self.collate_fn(data)


def _tensor_rows(dataset):
    """``(arrays, base)`` when ``dataset[i]`` is ``tuple(a[base[i]] for a in arrays)`` — a plain
    ``TensorDataset``, possibly under plain ``Subset``s, of tensors that need no grad; else None."""
    chain = []
    d = dataset
    while not isinstance(d, TensorDataset):
        if (isinstance(d, Subset) and type(d).__getitem__ is Subset.__getitem__
                and type(d).__getitems__ is Subset.__getitems__):
            chain.append(d.indices)
            d = d.dataset
        else:
            return None
    if type(d).__getitem__ is not TensorDataset.__getitem__ or hasattr(d, "__getitems__"):
        return None
    tensors = d.tensors
    if not tensors or not all(type(t) is Tensor and not t._rg for t in tensors):
        return None
    base = None
    try:
        for indices in reversed(chain):   # innermost Subset first
            a = np.asarray(getattr(indices, "_data", indices))
            if a.ndim != 1 or (a.size and a.dtype.kind not in "iu"):
                return None
            a = a.astype(np.intp, copy=False)
            base = a if base is None else base[a]
    except Exception:
        return None
    return [t._data for t in tensors], base
