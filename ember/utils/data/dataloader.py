"""``DataLoader``: batches from a dataset through a sampler and a collate function, in the main
process (``num_workers=0``) or in worker processes, with PyTorch's semantics.

Workers: each one gets a copy of the dataset, is seeded with ``base_seed + worker_id`` (ember's
and Python's RNG; NumPy's from a hash of both), and answers index batches sent round-robin;
results come back in sampler order. Each worker talks to the main process over its own pipes,
and the main process waits on those pipes together with the workers' process sentinels, so a
worker that raises gives its exception (naming the worker and the dataset index, with the
original traceback text) and a worker that dies gives an error at once, never a hang.
"""
import itertools
import math
import os
import signal
import warnings

from . import _worker
from ._collate import default_collate, default_convert
from ._fetch import _IterableDatasetFetcher, _MapDatasetFetcher
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, _draw_seed

__all__ = ["DataLoader", "get_worker_info", "default_collate", "default_convert"]

get_worker_info = _worker.get_worker_info


class _DatasetKind:
    Map = 0
    Iterable = 1

    @staticmethod
    def create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last):
        cls = _MapDatasetFetcher if kind == _DatasetKind.Map else _IterableDatasetFetcher
        return cls(dataset, auto_collation, collate_fn, drop_last)


class _InfiniteConstantSampler(Sampler):
    """``None`` forever: the sampler of an IterableDataset (the dataset decides when to end)."""

    def __iter__(self):
        while True:
            yield None


_FROZEN_AFTER_INIT = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                      "persistent_workers")


class DataLoader:
    """Iterate over ``dataset`` in batches.

    ``DataLoader(dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
    num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
    worker_init_fn=None, multiprocessing_context=None, generator=None, *, prefetch_factor=None,
    persistent_workers=False, pin_memory_device='', in_order=True)`` — the arguments mean what
    they mean in PyTorch; ``generator`` (an ``ember.Generator``) makes shuffling and worker seeds
    reproducible.
    """

    _DataLoader__initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; "
                             "use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        elif num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            if shuffle not in {False, None}:
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            elif batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _DatasetKind.Map

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None:
            if drop_last:
                raise ValueError("batch_size=None option disables auto-batching and is mutually "
                                 "exclusive with drop_last")

        if sampler is None:
            if self._dataset_kind == _DatasetKind.Iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self.__initialized = True
        self._IterableDataset_len_called = None
        self._iterator = None
        self.check_worker_number_rationality()

    # ----- configuration -------------------------------------------------------------------
    @property
    def multiprocessing_context(self):
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, multiprocessing_context):
        if multiprocessing_context is not None:
            if self.num_workers > 0:
                import multiprocessing
                import multiprocessing.context
                if isinstance(multiprocessing_context, str):
                    valid = multiprocessing.get_all_start_methods()
                    if multiprocessing_context not in valid:
                        raise ValueError("multiprocessing_context option should specify a valid "
                                         f"start method in {valid!r}, but got "
                                         f"multiprocessing_context={multiprocessing_context!r}")
                    multiprocessing_context = multiprocessing.get_context(
                        multiprocessing_context)
                if not isinstance(multiprocessing_context,
                                  multiprocessing.context.BaseContext):
                    raise TypeError("multiprocessing_context option should be a valid context "
                                    "object or a string specifying the start method, but got "
                                    f"multiprocessing_context={multiprocessing_context}")
            else:
                raise ValueError("multiprocessing_context can only be used with multi-process "
                                 "loading (num_workers > 0), but got "
                                 f"num_workers={self.num_workers}")
        self.__multiprocessing_context = multiprocessing_context

    def __setattr__(self, attr, val):
        if self.__initialized and attr in _FROZEN_AFTER_INIT:
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{self.__class__.__name__} is initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def check_worker_number_rationality(self):
        if not self.num_workers:
            return
        try:
            suggest = len(os.sched_getaffinity(0))
            cpuset_checked = True
        except (AttributeError, OSError):
            suggest = os.cpu_count()
            cpuset_checked = False
        if suggest is None or self.num_workers > suggest:
            if suggest is not None:
                note = "" if cpuset_checked else " (`cpuset` is not taken into account)"
                detail = ("Our suggested max number of worker in current system is "
                          f"{suggest}{note}, which is smaller than what this DataLoader is going "
                          "to create.")
            else:
                detail = ("DataLoader is not able to compute a suggested max number of worker "
                          "in current system.")
            warnings.warn(f"This DataLoader will create {self.num_workers} worker processes in "
                          f"total. {detail} Please be aware that excessive worker creation might "
                          "get DataLoader running slow or even freeze, lower the worker number to "
                          "avoid potential slowness/freeze if necessary.", stacklevel=2)

    # ----- iteration -----------------------------------------------------------------------
    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    def __iter__(self):
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    def __len__(self):
        if self._dataset_kind == _DatasetKind.Iterable:
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else \
                    math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)


class _BaseDataLoaderIter:
    def __init__(self, loader):
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        if loader.pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", stacklevel=3)
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = _draw_seed(loader.generator)
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter=False):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)

    def _next_data(self):
        raise NotImplementedError

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if (self._dataset_kind == _DatasetKind.Iterable
                and self._IterableDataset_len_called is not None
                and self._num_yielded > self._IterableDataset_len_called):
            msg = (f"Length of IterableDataset {self._dataset} was reported to be "
                   f"{self._IterableDataset_len_called}(when accessing len(dataloader)), but "
                   f"{self._num_yielded} samples have been fetched. ")
            if self._num_workers > 0:
                msg += ("For multiprocessing data-loading, this could be caused by not properly "
                        "configuring the IterableDataset replica at each worker. Please see "
                        "the IterableDataset docstring for examples.")
            warnings.warn(msg, stacklevel=2)
        return data

    def __len__(self):
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError(f"{self.__class__.__name__} cannot be pickled")


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader):
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        self._dataset_fetcher = _DatasetKind.create_fetcher(
            self._dataset_kind, self._dataset, self._auto_collation, self._collate_fn,
            self._drop_last)

    def _next_data(self):
        index = next(self._sampler_iter)
        return self._dataset_fetcher.fetch(index)

    def __next__(self):   # the common case without the IterableDataset length bookkeeping
        if self._dataset_kind == _DatasetKind.Map:
            data = self._dataset_fetcher.fetch(next(self._sampler_iter))
            self._num_yielded += 1
            return data
        return _BaseDataLoaderIter.__next__(self)


def _signal_name(signum):
    try:
        return signal.strsignal(signum) or f"signal {signum}"
    except (ValueError, AttributeError):
        return f"signal {signum}"


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader):
        super().__init__(loader)
        import multiprocessing
        from multiprocessing.connection import wait
        self._wait = wait
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        if self._prefetch_factor <= 0:
            raise AssertionError("prefetch_factor must be greater than 0 for "
                                 "MultiProcessingDataLoaderIter")
        ctx = loader.multiprocessing_context or multiprocessing.get_context()
        self._shutdown = False
        self._workers, self._index_conns, self._result_conns = [], [], []
        done_event = ctx.Event()
        self._workers_done_event = done_event
        try:
            for i in range(self._num_workers):
                idx_recv, idx_send = ctx.Pipe(duplex=False)
                res_recv, res_send = ctx.Pipe(duplex=False)
                w = ctx.Process(
                    target=_worker_entry,
                    args=(self._dataset_kind, self._dataset, idx_recv, res_send, done_event,
                          self._auto_collation, self._collate_fn, self._drop_last,
                          self._base_seed, loader.worker_init_fn, i, self._num_workers,
                          self._persistent_workers),
                    daemon=True)
                w.start()
                # the worker holds these ends now; closing ours lets a dead worker show as EOF
                idx_recv.close()
                res_send.close()
                self._workers.append(w)
                self._index_conns.append(idx_send)
                self._result_conns.append(res_recv)
        except BaseException:
            self._shutdown_workers()
            raise
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        self._send_idx = 0
        self._rcvd_idx = 0
        self._task_info = {}   # task idx -> (worker_id, index) or (worker_id, index, data)
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._workers_num_tasks = [0] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            for idx in range(self._num_workers):
                self._index_conns[idx].send(_worker._ResumeIteration())
            remaining = self._num_workers
            while remaining > 0:
                return_idx, _ = self._get_data()
                if isinstance(return_idx, _worker._ResumeIteration):
                    remaining -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    # ----- receiving -----------------------------------------------------------------------
    def _dead_worker_error(self, worker_id):
        w = self._workers[worker_id]
        w.join(timeout=0.1)
        code = w.exitcode
        if code is not None and code < 0:
            how = f"is killed by signal: {_signal_name(-code)}."
            if -code == signal.SIGKILL:
                how += (" It may have run out of memory (the system's out-of-memory killer "
                        "sends SIGKILL).")
        else:
            how = f"exited unexpectedly with exit code {code}."
        pending = [info[1] for t, info in sorted(self._task_info.items())
                   if info[0] == worker_id and len(info) == 2]
        what = (f" It was fetching dataset indices {pending[0]}." if pending and
                pending[0] is not None and self._dataset_kind == _DatasetKind.Map else "")
        return RuntimeError(f"DataLoader worker {worker_id} (pid {w.pid}) {how}{what} "
                            "Run with num_workers=0 to see the failure in the main process.")

    def _get_data(self):
        """The next message from any worker: ``(task_idx, data)``."""
        import time
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        conns = self._result_conns
        while True:
            live = [i for i in range(self._num_workers) if self._workers_status[i]
                    or self._workers_num_tasks[i] or self._persistent_workers]
            watch = [conns[i] for i in live] + [self._workers[i].sentinel for i in live]
            wait_s = _worker.MP_STATUS_CHECK_INTERVAL * 4
            if deadline is not None:
                wait_s = min(wait_s, max(0.0, deadline - time.monotonic()))
            ready = self._wait(watch, timeout=wait_s)
            for i in live:
                if conns[i] in ready:
                    try:
                        return conns[i].recv()
                    except (EOFError, OSError):
                        self._workers_status[i] = False
                        raise self._dead_worker_error(i) from None
            for i in live:
                if self._workers[i].sentinel in ready:
                    self._workers_status[i] = False
                    raise self._dead_worker_error(i)
            if deadline is not None and time.monotonic() >= deadline:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")

    def _next_data(self):
        while True:
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info:
                    worker_id = info[0]
                    if len(info) == 3 or self._workers_status[worker_id]:
                        break
                    del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration

            if len(self._task_info[self._rcvd_idx]) == 3:
                worker_id, _, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if self._dataset_kind == _DatasetKind.Iterable and \
                    isinstance(data, _worker._IterableDatasetStopIteration):
                self._workers_status[data.worker_id] = False
                self._workers_num_tasks[data.worker_id] -= 1
                self._task_info.pop(idx, None)
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                if not self._in_order:
                    worker_id = self._task_info.pop(idx)[0]
                    return self._process_data(data, worker_id)
                self._task_info[idx] += (data,)
            else:
                worker_id = self._task_info.pop(idx)[0]
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

    def _try_put_index(self):
        max_tasks = self._prefetch_factor * self._num_workers
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):   # the next active worker, if any
            worker_queue_idx = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_queue_idx]:
                if self._in_order:
                    break
                if self._workers_num_tasks[worker_queue_idx] < max_tasks // sum(
                        self._workers_status):
                    break
        else:
            return
        try:
            self._index_conns[worker_queue_idx].send((self._send_idx, index))
        except OSError:
            self._workers_status[worker_queue_idx] = False
            raise self._dead_worker_error(worker_queue_idx) from None
        self._task_info[self._send_idx] = (worker_queue_idx, index)
        self._workers_num_tasks[worker_queue_idx] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _process_data(self, data, worker_idx):
        self._workers_num_tasks[worker_idx] -= 1
        self._try_put_index()
        if isinstance(data, _worker.ExceptionWrapper):
            data.reraise()
        return data

    # ----- shutdown ------------------------------------------------------------------------
    def _shutdown_workers(self):
        if getattr(self, "_shutdown", True):
            return
        self._shutdown = True
        try:
            self._workers_done_event.set()
            for c in self._index_conns:
                try:
                    c.send(None)
                except (OSError, ValueError):
                    pass
            # a worker may be blocked sending a result nobody will read: drain its pipe until
            # it has seen the stop message and exited
            import time
            deadline = time.monotonic() + 2.0
            pending = list(range(len(self._workers)))
            while pending and time.monotonic() < deadline:
                watch = [self._result_conns[i] for i in pending] + \
                    [self._workers[i].sentinel for i in pending]
                ready = self._wait(watch, timeout=0.1)
                for i in list(pending):
                    if self._result_conns[i] in ready:
                        try:
                            self._result_conns[i].recv()
                        except (EOFError, OSError):
                            pass
                    if self._workers[i].sentinel in ready or not self._workers[i].is_alive():
                        pending.remove(i)
            for w in self._workers:
                w.join(timeout=0.1)
        finally:
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=1.0)
            for c in self._index_conns + self._result_conns:
                try:
                    c.close()
                except OSError:
                    pass

    def __del__(self):
        try:
            self._shutdown_workers()
        except Exception:
            pass


def _worker_entry(dataset_kind, dataset, index_conn, result_conn, done_event, *args):
    """Adapt the worker loop's queue interface to this worker's two pipes."""
    _worker._worker_loop(dataset_kind, dataset, _ConnQueue(index_conn), _ConnQueue(result_conn),
                         done_event, *args)


class _ConnQueue:
    """``get(timeout=)`` / ``put`` over one end of a pipe (one reader, one writer)."""
    __slots__ = ("conn",)

    def __init__(self, conn):
        self.conn = conn

    def get(self, timeout=None):
        import queue
        if not self.conn.poll(timeout):
            raise queue.Empty
        try:
            return self.conn.recv()
        except EOFError:
            return None   # the main process closed its end: stop

    def put(self, obj):
        try:
            self.conn.send(obj)
        except (BrokenPipeError, OSError):
            pass   # the main process is gone

    def cancel_join_thread(self):
        pass

    def close(self):
        self.conn.close()
