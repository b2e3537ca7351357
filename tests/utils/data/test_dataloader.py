"""DataLoader in the main process: ordering, shuffling, drop_last, collate, samplers, argument
checks, IterableDataset batching, and the TensorDataset fast path."""
import warnings

import numpy as np
import pytest

import ember
from ember.utils.data import (BatchSampler, DataLoader, Dataset, IterableDataset,
                              RandomSampler, SequentialSampler, Subset, SubsetRandomSampler,
                              TensorDataset, default_collate, random_split)


class Rows(Dataset):
    """The same rows as a TensorDataset, served one by one (the generic path)."""

    def __init__(self, *tensors):
        self.tensors = tensors

    def __len__(self):
        return len(self.tensors[0])

    def __getitem__(self, i):
        return tuple(t[i] for t in self.tensors)


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def data(n=10):
    x = ember.arange(n * 3, dtype=ember.float32).reshape(n, 3)
    y = ember.arange(n)
    return x, y


def labels(loader):
    return [b[1].tolist() for b in loader]


def test_sequential_order_and_shapes():
    x, y = data(10)
    batches = list(DataLoader(TensorDataset(x, y), batch_size=4))
    assert [b[0].shape for b in batches] == [(4, 3), (4, 3), (2, 3)]
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert isinstance(batches[0], list)
    assert batches[0][0].dtype == ember.float32 and batches[0][1].dtype == ember.int64
    assert np.array_equal(batches[2][0].numpy(), x.numpy()[8:])


def test_default_batch_size_is_one():
    x, y = data(3)
    out = list(DataLoader(TensorDataset(x, y)))
    assert len(out) == 3 and out[1][0].shape == (1, 3)


def test_drop_last_and_len():
    x, y = data(10)
    ds = TensorDataset(x, y)
    assert len(DataLoader(ds, batch_size=4)) == 3
    dl = DataLoader(ds, batch_size=4, drop_last=True)
    assert len(dl) == 2 and labels(dl) == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_shuffle_reproducible_with_generator_and_covers_all():
    x, y = data(30)
    ds = TensorDataset(x, y)
    def seeded(seed):
        return labels(DataLoader(ds, batch_size=7, shuffle=True,
                                 generator=ember.Generator().manual_seed(seed)))

    a, b, c = seeded(5), seeded(5), seeded(6)
    assert a == b and a != c
    assert sorted(sum(a, [])) == list(range(30))
    dl = DataLoader(ds, batch_size=7, shuffle=True, generator=ember.Generator().manual_seed(5))
    assert labels(dl) != labels(dl)          # a new order every epoch


def test_shuffle_follows_global_seed():
    x, y = data(20)
    ds = TensorDataset(x, y)
    ember.manual_seed(3)
    a = labels(DataLoader(ds, batch_size=5, shuffle=True))
    ember.manual_seed(3)
    assert labels(DataLoader(ds, batch_size=5, shuffle=True)) == a


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("drop_last", [False, True])
def test_fast_path_equals_generic_path(shuffle, drop_last):
    x = ember.randn(37, 2, 3)
    y = ember.randint(0, 5, (37,))
    w = ember.rand(37) > 0.5
    kw = dict(batch_size=8, shuffle=shuffle, drop_last=drop_last)
    fast = list(DataLoader(TensorDataset(x, y, w), generator=ember.Generator().manual_seed(1),
                           **kw))
    slow = list(DataLoader(Rows(x, y, w), generator=ember.Generator().manual_seed(1), **kw))
    assert len(fast) == len(slow)
    for f, s in zip(fast, slow):
        assert len(f) == len(s) == 3
        for a, b in zip(f, s):
            assert a.dtype == b.dtype and a.shape == b.shape
            assert np.array_equal(a.numpy(), b.numpy())


def test_fast_path_copies_and_through_subsets():
    x, y = data(20)
    ds = TensorDataset(x, y)
    parts = random_split(ds, [12, 8], generator=ember.Generator().manual_seed(0))
    nested = Subset(parts[0], [11, 0, 5])
    got = labels(DataLoader(nested, batch_size=2))
    want = [[parts[0].indices[11], parts[0].indices[0]], [parts[0].indices[5]]]
    assert got == want
    b = next(iter(DataLoader(ds, batch_size=4)))
    b[0][0, 0] = 100.0                        # batches never alias the dataset
    assert x[0, 0].item() == 0.0


def test_requires_grad_tensors_keep_graph():
    x = ember.randn(6, 2, requires_grad=True)
    b = next(iter(DataLoader(TensorDataset(x), batch_size=3)))[0]
    assert b.requires_grad
    b.sum().backward()
    assert x.grad[:3].tolist() == [[1.0, 1.0]] * 3 and x.grad[3:].abs().sum().item() == 0


def test_out_of_range_subset_reports_index():
    x, y = data(5)
    with pytest.raises(IndexError, match="index 9 is out of bounds"):
        list(DataLoader(Subset(TensorDataset(x, y), [0, 9]), batch_size=2))


def test_custom_collate_and_generic_dataset():
    class Words(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"id": i, "word": "w" * (i + 1), "v": np.full(2, i, dtype=np.float32)}

    out = list(DataLoader(Words(), batch_size=2))
    assert out[0]["id"].tolist() == [0, 1] and out[0]["word"] == ["w", "ww"]
    assert out[0]["v"].dtype == ember.float32 and out[2]["v"].shape == (1, 2)
    lengths = list(DataLoader(Words(), batch_size=3,
                              collate_fn=lambda b: [len(s["word"]) for s in b]))
    assert lengths == [[1, 2, 3], [4, 5]]


def test_sampler_and_batch_sampler_arguments():
    x, y = data(10)
    ds = TensorDataset(x, y)
    assert labels(DataLoader(ds, batch_size=3, sampler=[9, 8, 7, 0])) == [[9, 8, 7], [0]]
    sub = SubsetRandomSampler([1, 3, 5], generator=ember.Generator().manual_seed(2))
    assert sorted(sum(labels(DataLoader(ds, batch_size=2, sampler=sub)), [])) == [1, 3, 5]
    bs = BatchSampler(SequentialSampler(range(6)), 4, False)
    dl = DataLoader(ds, batch_sampler=bs)
    assert labels(dl) == [[0, 1, 2, 3], [4, 5]] and len(dl) == 2
    assert labels(DataLoader(ds, batch_sampler=[[5, 1], [2]])) == [[5, 1], [2]]
    assert dl.batch_size is None and dl.drop_last is False


def test_batch_size_none_converts_samples():
    arr = [np.array([i, i], dtype=np.int16) for i in range(3)]
    out = list(DataLoader(arr, batch_size=None))
    assert [t.tolist() for t in out] == [[0, 0], [1, 1], [2, 2]] and out[0].dtype == ember.int16
    out = list(DataLoader([(1, 2.0)] * 2, batch_size=None))
    assert out[0] == [1, 2.0]


def test_argument_errors():
    ds = TensorDataset(*data(4))
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(ds, num_workers=-1)
    with pytest.raises(ValueError, match="timeout option should be non-negative"):
        DataLoader(ds, timeout=-1)
    with pytest.raises(ValueError, match="prefetch_factor option could only be specified"):
        DataLoader(ds, prefetch_factor=2)
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader(ds, persistent_workers=True)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_sampler=[[0]], batch_size=2)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_sampler=[[0]], drop_last=True)
    with pytest.raises(ValueError, match="disables auto-batching"):
        DataLoader(ds, batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(Stream(3), shuffle=True)
    with pytest.raises(ValueError, match="expected unspecified sampler option"):
        DataLoader(Stream(3), sampler=[0])
    with pytest.raises(ValueError, match="multiprocessing_context can only be used"):
        DataLoader(ds, multiprocessing_context="fork")
    with pytest.raises(ValueError, match="should specify a valid start method"):
        DataLoader(ds, num_workers=1, multiprocessing_context="nope")
    with pytest.raises(TypeError, match="should be a valid context"):
        DataLoader(ds, num_workers=1, multiprocessing_context=3)
    with pytest.raises(AssertionError, match="requires timeout == 0"):
        iter(DataLoader(ds, timeout=1))


def test_frozen_attributes():
    dl = DataLoader(TensorDataset(*data(4)), batch_size=2)
    for attr in ("batch_size", "sampler", "drop_last", "dataset"):
        with pytest.raises(ValueError, match=f"{attr} attribute should not be set after"):
            setattr(dl, attr, 1)
    dl.num_workers = 0    # not frozen


def test_pin_memory_warns_without_accelerator():
    with pytest.warns(UserWarning, match="no accelerator is found"):
        list(DataLoader(TensorDataset(*data(2)), pin_memory=True))


def test_iterable_dataset_batches_and_len():
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3, drop_last=True)] == \
        [[0, 1, 2], [3, 4, 5]]
    assert len(DataLoader(Stream(7), batch_size=3)) == 3
    assert len(DataLoader(Stream(7), batch_size=3, drop_last=True)) == 2
    assert list(DataLoader(Stream(3), batch_size=None)) == [0, 1, 2]   # ints stay ints


def test_iterable_dataset_longer_than_its_len_warns():
    class Liar(Stream):
        def __len__(self):
            return 2

    dl = DataLoader(Liar(4), batch_size=1)
    len(dl)
    with pytest.warns(UserWarning, match="was reported to be 2"):
        list(dl)


def test_exceptions_surface_unchanged_in_main_process():
    class Bad(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            raise KeyError(f"missing {i}")

    with pytest.raises(KeyError, match="missing 0"):
        next(iter(DataLoader(Bad(), batch_size=2)))


def test_random_sampler_in_loader_uses_loader_generator():
    x, y = data(12)
    g = ember.Generator().manual_seed(4)
    dl = DataLoader(TensorDataset(x, y), batch_size=12,
                    sampler=RandomSampler(range(12), generator=g))
    assert sorted(labels(dl)[0]) == list(range(12))


def test_default_collate_is_exported_function():
    assert DataLoader(TensorDataset(*data(2)), batch_size=2).collate_fn is default_collate
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        list(DataLoader(TensorDataset(*data(2)), batch_size=2))
