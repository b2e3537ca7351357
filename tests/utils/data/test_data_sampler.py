"""Samplers: sequential, random (with/without replacement), subset, weighted, batch."""
import collections

import pytest

import ember
from ember.utils.data import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                              SubsetRandomSampler, WeightedRandomSampler)


def gen(seed=0):
    return ember.Generator().manual_seed(seed)


def test_sequential():
    s = SequentialSampler(range(5))
    assert list(s) == [0, 1, 2, 3, 4] and len(s) == 5


def test_random_permutation_reproducible_and_changes_per_pass():
    s = RandomSampler(range(50), generator=gen(3))
    first, second = list(s), list(s)
    assert sorted(first) == list(range(50)) and sorted(second) == list(range(50))
    assert first != second                        # the generator advances between passes
    assert list(RandomSampler(range(50), generator=gen(3))) == first
    assert len(s) == 50


def test_random_num_samples_without_replacement_repeats_permutations():
    out = list(RandomSampler(range(4), num_samples=10, generator=gen()))
    assert len(out) == 10
    assert sorted(out[:4]) == sorted(out[4:8]) == [0, 1, 2, 3]
    assert len(set(out[8:])) == 2


def test_random_with_replacement():
    out = list(RandomSampler(range(3), replacement=True, num_samples=200, generator=gen()))
    assert len(out) == 200 and set(out) == {0, 1, 2}


def test_random_global_rng_seeding():
    ember.manual_seed(11)
    a = list(RandomSampler(range(30)))
    ember.manual_seed(11)
    assert list(RandomSampler(range(30))) == a


def test_random_errors():
    with pytest.raises(TypeError, match="replacement should be a boolean value"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        RandomSampler([])


def test_subset_random():
    idx = [10, 20, 30, 40]
    s = SubsetRandomSampler(idx, generator=gen(5))
    out = list(s)
    assert sorted(out) == idx and len(s) == 4
    assert list(SubsetRandomSampler(idx, generator=gen(5))) == out


def test_weighted_random():
    w = [0.0, 1.0, 3.0, 0.0]
    out = list(WeightedRandomSampler(w, 4000, generator=gen()))
    c = collections.Counter(out)
    assert set(c) == {1, 2}
    assert 0.70 < c[2] / 4000 < 0.80
    no_rep = list(WeightedRandomSampler([1, 1, 1, 1, 1], 5, replacement=False, generator=gen()))
    assert sorted(no_rep) == [0, 1, 2, 3, 4]
    s = WeightedRandomSampler(w, 7)
    assert len(s) == 7 and s.weights.dtype == ember.float64


def test_weighted_random_errors():
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        WeightedRandomSampler([1.0], 0)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        WeightedRandomSampler([1.0], True)
    with pytest.raises(ValueError, match="replacement should be a boolean value"):
        WeightedRandomSampler([1.0], 1, replacement=0)
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        WeightedRandomSampler([[1.0, 2.0]], 1)


def test_batch_sampler_lists_and_len():
    assert list(BatchSampler(SequentialSampler(range(10)), 3, False)) == \
        [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert list(BatchSampler(SequentialSampler(range(10)), 3, True)) == \
        [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert len(BatchSampler(range(10), 3, False)) == 4
    assert len(BatchSampler(range(10), 3, True)) == 3
    assert list(BatchSampler(iter(range(5)), 2, False)) == [[0, 1], [2, 3], [4]]
    b = next(iter(BatchSampler(SequentialSampler(range(4)), 4, False)))
    assert all(type(i) is int for i in b)


@pytest.mark.parametrize("drop_last", [False, True])
def test_batch_sampler_array_path_equals_generic_path(drop_last):
    class Plain(Sampler):     # same indices through the generic (per-index) path
        def __init__(self, inner):
            self.inner = inner

        def __iter__(self):
            return iter(list(self.inner))

        def __len__(self):
            return len(self.inner)

    fast = list(BatchSampler(RandomSampler(range(23), generator=gen(9)), 5, drop_last))
    slow = list(BatchSampler(Plain(RandomSampler(range(23), generator=gen(9))), 5, drop_last))
    assert fast == slow


def test_batch_sampler_errors():
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        BatchSampler(range(3), True, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value"):
        BatchSampler(range(3), 2, 1)


def test_distributed_sampler_shares():
    from ember.utils.data import DistributedSampler
    shares = [list(DistributedSampler(range(10), num_replicas=3, rank=r, shuffle=False))
              for r in range(3)]
    assert shares == [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]     # padded by repetition
    cut = [list(DistributedSampler(range(10), 3, r, shuffle=False, drop_last=True))
           for r in range(3)]
    assert cut == [[0, 3, 6], [1, 4, 7], [2, 5, 8]]
    s = DistributedSampler(range(20), 2, 0, seed=1)
    e0 = list(s)
    assert list(s) == e0 and len(s) == 10
    s.set_epoch(1)
    assert list(s) != e0
    both = sorted(list(DistributedSampler(range(20), 2, 0, seed=1)) +
                  list(DistributedSampler(range(20), 2, 1, seed=1)))
    assert both == list(range(20))
    with pytest.raises(ValueError, match=r"Invalid rank 3, rank should be in the interval"):
        DistributedSampler(range(4), 2, 3)
    with pytest.raises(RuntimeError, match="Requires distributed package"):
        DistributedSampler(range(4))
