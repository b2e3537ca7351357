"""Samplers: iterables of dataset indices (or of index batches) that ``DataLoader`` draws from.

The random ones draw from an ``ember.Generator`` (``generator=``), or, when none is given, from a
fresh generator seeded by one draw of the global RNG at the start of each pass (as PyTorch).
"""
import itertools
from typing import Generic, TypeVar

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]

T_co = TypeVar("T_co", covariant=True)


def _draw_seed(generator=None):
    """One int64 draw from ``generator`` (the global one when None), as ``random_()`` does."""
    from ..._creation import empty
    from ..._dtype import int64
    return int(empty((), dtype=int64).random_(generator=generator).item())


def _pass_generator(generator):
    if generator is not None:
        return generator
    from ...random import Generator
    return Generator().manual_seed(_draw_seed())


class Sampler(Generic[T_co]):
    """Base class: subclasses define ``__iter__`` (indices, or lists of indices for a batch
    sampler) and usually ``__len__``."""

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)

    def _index_array(self):
        import numpy as np
        return np.arange(len(self.data_source))


class RandomSampler(Sampler):
    """A random permutation of the indices (repeated and cut to ``num_samples``), or
    ``num_samples`` independent uniform draws when ``replacement=True``."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError("replacement should be a boolean value, but got "
                            f"replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self):
        if self._num_samples is None:
            return len(self.data_source)
        return self._num_samples

    def _index_array(self):
        """All indices of one pass as an int64 array (what ``__iter__`` yields)."""
        import numpy as np
        from ..._creation import randint, randperm
        n = len(self.data_source)
        generator = _pass_generator(self.generator)
        ns = self.num_samples
        if self.replacement:
            return randint(0, n, (ns,), generator=generator)._data
        parts = [randperm(n, generator=generator)._data for _ in range(ns // n)]
        if ns % n:
            parts.append(randperm(n, generator=generator)._data[:ns % n])
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def __iter__(self):
        yield from self._index_array().tolist()

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order, without replacement."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        from ..._creation import randperm
        for i in randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probabilities proportional to ``weights``."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if (not isinstance(num_samples, int) or isinstance(num_samples, bool)
                or num_samples <= 0):
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError("replacement should be a boolean value, but got "
                             f"replacement={replacement}")
        from ..._creation import as_tensor
        from ..._dtype import double
        weights_tensor = as_tensor(weights, dtype=double)
        if len(weights_tensor.shape) != 1:
            raise ValueError("weights should be a 1d sequence but given weights have shape "
                             f"{tuple(weights_tensor.shape)}")
        self.weights = weights_tensor
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        from ... import multinomial
        rand_tensor = multinomial(self.weights, self.num_samples, self.replacement,
                                  generator=self.generator)
        yield from iter(rand_tensor.tolist())

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size`` (the last one shorter
    unless ``drop_last``)."""

    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError("batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        bs = self.batch_size
        if type(self.sampler) in _ARRAY_SAMPLERS:
            # whole pass as one array, cut into lists: same indices, no per-index Python loop
            arr = self.sampler._index_array()
            n = len(arr) - len(arr) % bs if self.drop_last else len(arr)
            for i in range(0, n, bs):
                yield arr[i:i + bs].tolist()
            return
        sampler_iter = iter(self.sampler)
        if self.drop_last:
            args = [sampler_iter] * bs
            for batch in zip(*args):
                yield [*batch]
        else:
            batch = [*itertools.islice(sampler_iter, bs)]
            while batch:
                yield batch
                batch = [*itertools.islice(sampler_iter, bs)]

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size


_ARRAY_SAMPLERS = (SequentialSampler, RandomSampler)
