"""ember.utils.data against torch.utils.data 2.13: collation results (structure, dtypes,
values), batches and lengths of DataLoader over the same data, random_split lengths, error cases,
and the speed of a TensorDataset pass (acceptance: at most 1.2x PyTorch's time)."""
import collections
import os
import time

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember
import ember.utils.data as ed

pytestmark = pytest.mark.oracle
torch = pytest.importorskip("torch")
td = torch.utils.data

Pair = collections.namedtuple("Pair", "a b")


def norm(x):
    """A framework-neutral picture of a (nested) batch: tensors as (dtype, shape, values)."""
    if isinstance(x, (ember.Tensor, torch.Tensor)):
        return ("T", str(x.dtype).split(".")[-1], tuple(x.shape), x.numpy().tolist())
    if isinstance(x, Pair):
        return ("Pair", [norm(v) for v in x])
    if isinstance(x, dict):
        return (type(x).__name__, {k: norm(v) for k, v in x.items()})
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [norm(v) for v in x])
    return ("V", type(x).__name__, x)


def to_torch(x):
    """The same sample with ember tensors replaced by torch tensors."""
    if isinstance(x, ember.Tensor):
        return torch.from_numpy(x.numpy().copy())
    if isinstance(x, Pair):
        return Pair(*(to_torch(v) for v in x))
    if isinstance(x, dict):
        return {k: to_torch(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(to_torch(v) for v in x)
    return x


def sample(i):
    return [
        ember.tensor([float(i), -1.0]),
        np.arange(3, dtype=np.int16) + i,
        np.float32(i) / 2,
        float(i),
        i,
        i % 2 == 0,
        f"s{i}",
        {"k": i, "v": np.array([i], dtype=np.float64)},
        Pair(i, [i, 2 * i]),
        (i, "t"),
    ][i % 10]


@pytest.mark.parametrize("kind", range(10))
def test_default_collate_matches(kind):
    batch = [sample(kind + 10 * j) for j in range(3)]
    e = ed.default_collate(batch)
    t = td.default_collate([to_torch(b) for b in batch])
    assert norm(e) == norm(t)


@pytest.mark.parametrize("kind", range(10))
def test_default_convert_matches(kind):
    s = sample(kind)
    assert norm(ed.default_convert(s)) == norm(td.default_convert(to_torch(s)))


class Gen:
    """A generic map-style dataset built for either framework."""

    def __init__(self, n, lib):
        self.n, self.lib = n, lib

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        x = self.lib.arange(3, dtype=self.lib.float32) * i
        return {"x": x, "i": i, "f": np.float64(i) / 4, "name": f"n{i}"}


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 23), bs=st.one_of(st.none(), st.integers(1, 7)), drop=st.booleans())
def test_dataloader_batches_match(n, bs, drop):
    if bs is None:
        drop = False
    x = np.random.default_rng(n).standard_normal((n, 2)).astype(np.float32)
    y = np.arange(n)
    e = ed.DataLoader(ed.TensorDataset(ember.from_numpy(x), ember.from_numpy(y)),
                      batch_size=bs, drop_last=drop)
    t = td.DataLoader(td.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
                      batch_size=bs, drop_last=drop)
    assert len(e) == len(t)
    assert [norm(b) for b in e] == [norm(b) for b in t]
    eg = ed.DataLoader(Gen(n, ember), batch_size=bs, drop_last=drop)
    tg = td.DataLoader(Gen(n, torch), batch_size=bs, drop_last=drop)
    assert [norm(b) for b in eg] == [norm(b) for b in tg]


def test_samplers_and_batch_sampler_match():
    for n, bs, drop in [(10, 3, False), (10, 3, True), (9, 3, True), (1, 5, False)]:
        e = list(ed.BatchSampler(ed.SequentialSampler(range(n)), bs, drop))
        t = list(td.BatchSampler(td.SequentialSampler(range(n)), bs, drop))
        assert e == t
        assert len(ed.BatchSampler(range(n), bs, drop)) == len(td.BatchSampler(range(n), bs, drop))
    sampler = [4, 0, 3]
    assert [norm(b) for b in ed.DataLoader(Gen(5, ember), batch_size=2, sampler=sampler)] == \
        [norm(b) for b in td.DataLoader(Gen(5, torch), batch_size=2, sampler=sampler)]
    bsmp = [[1, 2], [0], [4, 3]]
    assert [norm(b) for b in ed.DataLoader(Gen(5, ember), batch_sampler=bsmp)] == \
        [norm(b) for b in td.DataLoader(Gen(5, torch), batch_sampler=bsmp)]


@pytest.mark.parametrize("n,reps,drop", [(10, 3, False), (10, 3, True), (2, 5, False),
                                          (12, 4, True), (7, 2, False)])
def test_distributed_sampler_matches_without_shuffle(n, reps, drop):
    for r in range(reps):
        e = ed.DistributedSampler(range(n), reps, r, shuffle=False, drop_last=drop)
        t = td.DistributedSampler(range(n), reps, r, shuffle=False, drop_last=drop)
        assert list(e) == list(t) and len(e) == len(t)
    both_raise(lambda: ed.DistributedSampler(range(4), 2, 2),
               lambda: td.DistributedSampler(range(4), 2, 2))


class Stream:
    """IterableDataset body shared by both frameworks: shard by worker, values as tensors."""

    def __init__(self, n, lib):
        self.n, self.lib = n, lib

    def __iter__(self):
        info = (ed if self.lib is ember else td).get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        for i in range(start, self.n, step):
            yield self.lib.tensor([i, i * i])

    def __len__(self):
        return self.n


class EStream(Stream, ed.IterableDataset):
    pass


class TStream(Stream, td.IterableDataset):
    pass


@pytest.mark.filterwarnings("ignore:This DataLoader will create")
@pytest.mark.parametrize("workers,bs,drop", [(0, 3, False), (2, 3, False), (2, 3, True),
                                             (2, None, False), (3, 4, False)])
def test_iterable_dataset_batches_match_with_workers(workers, bs, drop):
    if workers and not hasattr(os, "fork"):
        pytest.skip("needs fork")
    kw = dict(batch_size=bs, drop_last=drop, num_workers=workers)
    if workers:
        kw["multiprocessing_context"] = "fork"
    e = ed.DataLoader(EStream(13, ember), **kw)
    t = td.DataLoader(TStream(13, torch), **kw)
    assert len(e) == len(t)
    assert [norm(b) for b in e] == [norm(b) for b in t]


@pytest.mark.parametrize("n,fracs", [(10, [0.3, 0.7]), (11, [0.5, 0.5]), (30, [0.3, 0.3, 0.4]),
                                     (7, [0.2, 0.2, 0.2, 0.2, 0.2]), (100, [0.8, 0.2])])
def test_random_split_lengths_match(n, fracs):
    e = ed.random_split(range(n), fracs, generator=ember.Generator().manual_seed(0))
    t = td.random_split(range(n), fracs, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in e] == [len(s) for s in t]


def both_raise(fe, ft):
    with pytest.raises(Exception) as ee:
        fe()
    with pytest.raises(Exception) as et:
        ft()
    assert type(ee.value) is type(et.value)
    assert str(ee.value) == str(et.value)


@pytest.mark.parametrize("kw", [
    dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2),
    dict(persistent_workers=True), dict(sampler=[0, 1], shuffle=True),
    dict(batch_sampler=[[0]], batch_size=2), dict(batch_sampler=[[0]], shuffle=True),
    dict(batch_size=None, drop_last=True), dict(multiprocessing_context="fork"),
    dict(num_workers=1, multiprocessing_context="bogus"), dict(batch_size=0),
    dict(batch_size=2, drop_last=1),
])
def test_dataloader_argument_errors_match(kw):
    both_raise(lambda: ed.DataLoader(Gen(4, ember), **kw),
               lambda: td.DataLoader(Gen(4, torch), **kw))


def test_other_errors_match():
    both_raise(lambda: ed.DataLoader(EStream(3, ember), shuffle=True),
               lambda: td.DataLoader(TStream(3, torch), shuffle=True))
    both_raise(lambda: ed.random_split(range(5), [2, 2]), lambda: td.random_split(range(5), [2, 2]))
    both_raise(lambda: ed.random_split(range(5), [1.2, -0.2]),
               lambda: td.random_split(range(5), [1.2, -0.2]))
    both_raise(lambda: ed.TensorDataset(ember.zeros(2), ember.zeros(3)),
               lambda: td.TensorDataset(torch.zeros(2), torch.zeros(3)))
    both_raise(lambda: ed.RandomSampler(range(3), num_samples=-1),
               lambda: td.RandomSampler(range(3), num_samples=-1))
    both_raise(lambda: ed.RandomSampler(range(3), replacement="yes"),
               lambda: td.RandomSampler(range(3), replacement="yes"))
    both_raise(lambda: ed.WeightedRandomSampler([[1.0]], 2),
               lambda: td.WeightedRandomSampler([[1.0]], 2))
    both_raise(lambda: ed.default_collate([object()]), lambda: td.default_collate([object()]))
    both_raise(lambda: ed.default_collate([[1], [1, 2]]), lambda: td.default_collate([[1], [1, 2]]))
    both_raise(lambda: ed.ConcatDataset([]), lambda: td.ConcatDataset([]))
    both_raise(lambda: iter(ed.DataLoader(Gen(2, ember), timeout=1)),
               lambda: iter(td.DataLoader(Gen(2, torch), timeout=1)))
    dl_e, dl_t = ed.DataLoader(Gen(2, ember)), td.DataLoader(Gen(2, torch))
    both_raise(lambda: setattr(dl_e, "batch_size", 3), lambda: setattr(dl_t, "batch_size", 3))


def test_tensor_dataset_pass_speed_vs_torch():
    """Acceptance: a 50,000-sample pass, batch 64, costs at most 1.2x PyTorch's DataLoader
    (same data, both measured here, interleaved, best of repeats)."""
    n = 50_000
    rng = np.random.default_rng(0)
    x = rng.random((n, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, n)
    eds = ed.TensorDataset(ember.from_numpy(x), ember.from_numpy(y))
    tds = td.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))

    def run(loader):
        t0 = time.perf_counter()
        count = 0
        for xb, yb in loader:
            count += xb.shape[0]
        assert count == n
        return time.perf_counter() - t0

    for shuffle in (False, True):
        te, tt = [], []
        for _ in range(3):
            tt.append(run(td.DataLoader(tds, batch_size=64, shuffle=shuffle)))
            te.append(run(ed.DataLoader(eds, batch_size=64, shuffle=shuffle)))
        ratio = min(te) / min(tt)
        print(f"shuffle={shuffle}: ember {min(te):.4f}s torch {min(tt):.4f}s ratio {ratio:.3f}")
        assert ratio <= 1.2
