"""Datasets: TensorDataset, Subset, ConcatDataset, ChainDataset, StackDataset, random_split."""
import numpy as np
import pytest

import ember
from ember.utils.data import (ChainDataset, ConcatDataset, Dataset, IterableDataset,
                              StackDataset, Subset, TensorDataset, random_split)


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not -self.n <= i < self.n:
            raise IndexError(i)
        return (i % self.n) ** 2


class Count(IterableDataset):
    def __init__(self, a, b):
        self.a, self.b = a, b

    def __iter__(self):
        return iter(range(self.a, self.b))

    def __len__(self):
        return self.b - self.a


def test_tensor_dataset_rows_and_len():
    x = ember.arange(12).reshape(6, 2)
    y = ember.tensor([0, 1, 0, 1, 1, 0])
    ds = TensorDataset(x, y)
    assert len(ds) == 6
    xi, yi = ds[4]
    assert xi.tolist() == [8, 9] and yi.item() == 1
    assert ds[-1][0].tolist() == [10, 11]
    assert ds.tensors[0] is x
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(x, ember.zeros(5))


def test_subset_maps_indices():
    s = Subset(Squares(10), [7, 2, 5])
    assert len(s) == 3
    assert [s[i] for i in range(3)] == [49, 4, 25]
    assert s.__getitems__([2, 0]) == [25, 49]


def test_subset_forwards_getitems():
    class Batched(Squares):
        def __getitems__(self, idx):
            return [("b", i) for i in idx]
    assert Subset(Batched(10), [3, 4]).__getitems__([1, 0]) == [("b", 4), ("b", 3)]


def test_subset_subclass_must_override_getitems():
    class Bad(Subset):
        def __getitem__(self, i):
            return 0
    with pytest.raises(NotImplementedError, match="overrides __getitem__ but not __getitems__"):
        Bad(Squares(3), [0])


def test_concat_dataset_indexing():
    c = ConcatDataset([Squares(3), Squares(2)])
    assert len(c) == 5 and c.cumulative_sizes == [3, 5]
    assert [c[i] for i in range(5)] == [0, 1, 4, 0, 1]
    assert c[-1] == 1 and c[-5] == 0
    with pytest.raises(ValueError, match="absolute value of index"):
        c[-6]
    with pytest.raises(AssertionError, match="empty iterable"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        ConcatDataset([Count(0, 2)])
    d = Squares(2) + Squares(3)
    assert isinstance(d, ConcatDataset) and len(d) == 5


def test_chain_dataset():
    ch = ChainDataset([Count(0, 3), Count(10, 12)])
    assert list(ch) == [0, 1, 2, 10, 11] and len(ch) == 5
    assert list(Count(0, 2) + Count(5, 6)) == [0, 1, 5]
    with pytest.raises(AssertionError, match="only supports IterableDataset"):
        list(ChainDataset([Squares(2)]))


def test_stack_dataset_tuple_and_dict():
    s = StackDataset(Squares(4), Subset(Squares(9), [8, 7, 6, 5]))
    assert s[1] == (1, 49) and len(s) == 4
    assert s.__getitems__([0, 3]) == [(0, 64), (9, 25)]
    d = StackDataset(a=Squares(3), b=Squares(3))
    assert d[2] == {"a": 4, "b": 4}
    assert d.__getitems__([1, 2]) == [{"a": 1, "b": 1}, {"a": 4, "b": 4}]
    with pytest.raises(ValueError, match="Size mismatch"):
        StackDataset(Squares(2), Squares(3))
    with pytest.raises(ValueError, match="At least one dataset"):
        StackDataset()


def test_random_split_lengths_cover_disjoint_and_reproducible():
    ds = Squares(10)
    a, b = random_split(ds, [3, 7], generator=ember.Generator().manual_seed(42))
    assert (len(a), len(b)) == (3, 7)
    assert sorted(a.indices + b.indices) == list(range(10))
    a2, _ = random_split(ds, [3, 7], generator=ember.Generator().manual_seed(42))
    assert a.indices == a2.indices
    a3, _ = random_split(ds, [3, 7], generator=ember.Generator().manual_seed(43))
    assert a.indices != a3.indices
    assert [a[i] for i in range(3)] == [j * j for j in a.indices]


def test_random_split_fractions_round_robin_remainder():
    parts = random_split(range(30), [0.3, 0.3, 0.4])
    assert [len(p) for p in parts] == [9, 9, 12]
    parts = random_split(range(11), [0.5, 0.5])    # floor 5 + 5, remainder 1 to the first
    assert [len(p) for p in parts] == [6, 5]
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(2), [0.99, 0.01])


def test_random_split_errors():
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        random_split(range(10), [1.5, -0.5])


def test_random_split_uses_global_rng_when_no_generator():
    ember.manual_seed(7)
    a = random_split(range(20), [10, 10])[0].indices
    ember.manual_seed(7)
    assert random_split(range(20), [10, 10])[0].indices == a


def test_base_classes_raise():
    with pytest.raises(NotImplementedError):
        Dataset()[0]
    with pytest.raises(NotImplementedError):
        iter(IterableDataset())
    assert np.array_equal(np.arange(3), np.arange(3))
