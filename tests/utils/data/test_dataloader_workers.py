"""DataLoader with worker processes: same batches as in-process loading, per-worker seeding,
get_worker_info, IterableDataset sharding, persistent workers, and clear errors (never a hang)
when a worker raises, dies, or is too slow."""
import os
import random
import signal
import time

import numpy as np
import pytest

import ember
from ember.utils.data import (DataLoader, Dataset, IterableDataset, TensorDataset,
                              get_worker_info)

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


class Rows(Dataset):
    def __init__(self, n):
        self.x = ember.arange(n * 2, dtype=ember.float32).reshape(n, 2)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], i


class Info(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        w = get_worker_info()
        return {"i": i, "id": w.id, "n": w.num_workers, "seed": w.seed, "pid": os.getpid(),
                "ember": ember.rand(1).item(), "numpy": float(np.random.rand()),
                "py": random.random(), "same_ds": w.dataset is not None}


class Shard(IterableDataset):
    def __init__(self, n, shard=True):
        self.n, self.shard = n, shard

    def __iter__(self):
        w = get_worker_info()
        if w is None or not self.shard:
            return iter(range(self.n))
        return iter(range(w.id, self.n, w.num_workers))


class Fails(Dataset):
    def __init__(self, bad=13, how="raise"):
        self.bad, self.how = bad, how

    def __len__(self):
        return 40

    def __getitem__(self, i):
        if i == self.bad:
            if self.how == "raise":
                raise ValueError(f"bad sample {i}")
            if self.how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if self.how == "exit":
                os._exit(3)
            if self.how == "sleep":
                time.sleep(3)
        return i


def flat(batches):
    out = []
    for b in batches:
        out.append([t.tolist() if isinstance(t, ember.Tensor) else t for t in b])
    return out


@pytest.mark.parametrize("shuffle", [False, True])
def test_two_workers_give_the_same_batches_as_none(shuffle):
    ds = TensorDataset(ember.randn(50, 3), ember.arange(50))
    runs = []
    for nw in (0, 2):
        g = ember.Generator().manual_seed(123)
        runs.append(flat(DataLoader(ds, batch_size=6, shuffle=shuffle, num_workers=nw,
                                    generator=g, drop_last=True)))
    assert runs[0] == runs[1] and len(runs[0]) == 8
    generic = [flat(DataLoader(Rows(23), batch_size=4, num_workers=nw, shuffle=True,
                               generator=ember.Generator().manual_seed(1))) for nw in (0, 2)]
    assert generic[0] == generic[1]


def test_worker_info_and_seeding():
    assert get_worker_info() is None
    g = ember.Generator().manual_seed(9)
    out = [b for b in DataLoader(Info(), batch_size=None, num_workers=2, generator=g)]
    assert [o["i"] for o in out] == list(range(8))
    assert [o["id"] for o in out] == [0, 1] * 4           # round-robin, results in order
    assert all(o["n"] == 2 and o["same_ds"] for o in out)
    seeds = {o["id"]: o["seed"] for o in out}
    assert seeds[1] == seeds[0] + 1
    assert len({o["pid"] for o in out}) == 2 and os.getpid() not in {o["pid"] for o in out}
    # first draws of each worker differ across workers, for ember, numpy and random
    w0, w1 = out[0], out[1]
    assert w0["ember"] != w1["ember"] and w0["numpy"] != w1["numpy"] and w0["py"] != w1["py"]
    # ember's RNG in a worker is seeded with base_seed + worker_id
    ember.manual_seed(seeds[0])
    assert ember.rand(1).item() == pytest.approx(w0["ember"])
    # the same generator seed reproduces every worker's random stream
    again = list(DataLoader(Info(), batch_size=None, num_workers=2,
                            generator=ember.Generator().manual_seed(9)))
    assert [(o["ember"], o["numpy"], o["py"]) for o in again] == \
        [(o["ember"], o["numpy"], o["py"]) for o in out]


def test_worker_info_is_read_only():
    class Probe(Dataset):
        def __len__(self):
            return 1

        def __getitem__(self, i):
            try:
                get_worker_info().id = 5
            except RuntimeError as e:
                return str(e)
            return "assigned"

    msg = next(iter(DataLoader(Probe(), batch_size=None, num_workers=1)))
    assert msg == "Cannot assign attributes to WorkerInfo objects"


def test_iterable_dataset_sharding_and_duplication():
    got = sorted(sum((b.tolist() for b in DataLoader(Shard(11), batch_size=3, num_workers=2)), []))
    assert got == list(range(11))
    dup = sorted(sum((b.tolist() for b in DataLoader(Shard(5, shard=False), batch_size=2,
                                                     num_workers=2)), []))
    assert dup == sorted(list(range(5)) * 2)        # each worker iterates its own copy
    batches = [b.tolist() for b in DataLoader(Shard(10), batch_size=3, num_workers=2,
                                              drop_last=True)]
    assert batches == [[0, 2, 4], [1, 3, 5]]         # each worker drops its own short tail


def test_worker_exception_names_worker_and_index_fast():
    t0 = time.monotonic()
    got = []
    with pytest.raises(ValueError) as info:
        for b in DataLoader(Fails(13), batch_size=4, num_workers=2):
            got.append(b.tolist())
    assert time.monotonic() - t0 < 10
    msg = str(info.value)
    assert "Caught ValueError in DataLoader worker process 1" in msg
    assert "dataset index 13" in msg
    assert "Original Traceback" in msg and "bad sample 13" in msg and "__getitem__" in msg
    assert got == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]


def test_iterable_worker_exception_names_item():
    class BadStream(IterableDataset):
        def __iter__(self):
            yield 0
            raise OSError("disk went away")

    with pytest.raises(OSError, match=r"worker process 0 while fetching item 1 of the stream"):
        list(DataLoader(BadStream(), batch_size=2, num_workers=1))


def test_collate_error_in_worker_names_batch():
    def collate(batch):
        raise TypeError("cannot collate")

    with pytest.raises(TypeError, match=r"while collating the batch of dataset indices \[0, 1\]"):
        list(DataLoader(Fails(-1), batch_size=2, num_workers=1, collate_fn=collate))


@pytest.mark.parametrize("how,pattern", [("kill", "killed by signal: Killed"),
                                         ("exit", "exited unexpectedly with exit code 3")])
def test_dead_worker_gives_error_not_hang(how, pattern):
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match=pattern) as info:
        list(DataLoader(Fails(9, how), batch_size=4, num_workers=2))
    assert time.monotonic() - t0 < 10
    assert "DataLoader worker 0" in str(info.value)
    assert "[8, 9, 10, 11]" in str(info.value)


def test_timeout():
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.5 seconds"):
        list(DataLoader(Fails(0, "sleep"), batch_size=2, num_workers=1, timeout=0.5))
    assert time.monotonic() - t0 < 3


def test_worker_init_fn_runs_and_its_errors_are_reported(tmp_path):
    def init(worker_id):
        open(os.path.join(tmp_path, f"w{worker_id}"), "w").close()

    list(DataLoader(Fails(-1), batch_size=8, num_workers=2, worker_init_fn=init))
    assert sorted(os.listdir(tmp_path)) == ["w0", "w1"]

    def bad_init(worker_id):
        raise RuntimeError("init failed")

    with pytest.raises(RuntimeError, match="worker process 0 while starting"):
        list(DataLoader(Fails(-1), batch_size=8, num_workers=2, worker_init_fn=bad_init))


def test_persistent_workers_reuse_processes_across_epochs():
    class Pid(Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            return i, os.getpid()

    dl = DataLoader(Pid(), batch_size=2, num_workers=2, persistent_workers=True)
    epochs = [flat(dl) for _ in range(3)]
    assert all([b[0] for b in e] == [[0, 1], [2, 3], [4, 5]] for e in epochs)
    pids = [{p for b in e for p in b[1]} for e in epochs]
    assert pids[0] == pids[1] == pids[2] and len(pids[0]) == 2
    it = iter(dl)
    next(it)                                    # abandon an epoch half way
    assert [b[0] for b in flat(dl)] == [[0, 1], [2, 3], [4, 5]]


def test_in_order_false_and_prefetch_factor():
    out = list(DataLoader(Fails(-1), batch_size=5, num_workers=2, in_order=False,
                          prefetch_factor=3))
    assert sorted(sum((b.tolist() for b in out), [])) == list(range(40))


def test_multiprocessing_context_by_name():
    out = list(DataLoader(Fails(-1), batch_size=20, num_workers=1,
                          multiprocessing_context="fork"))
    assert [b.tolist() for b in out] == [list(range(20)), list(range(20, 40))]


def test_too_many_workers_warns(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    with pytest.warns(UserWarning, match="This DataLoader will create 2 worker processes"):
        DataLoader(Fails(), num_workers=2)
