"""The fit loop: ``fit`` trains a model for some epochs and returns a ``History``;
``evaluate`` gives the loss and metrics on a data set; ``predict`` the model's outputs.

Data is a ``DataLoader`` (or any iterable of ``(x, y)`` batches) or an ``(X, y)`` pair of
tensors/arrays, mini-batched here (shuffled each epoch from ember's global RNG), as the book's
``train_network`` does. Floating inputs are cast to the model's parameter dtype.

``fit(..., checkpoint_every=N, checkpoint_path=p)`` writes a resumable checkpoint every N
batches and at every epoch end; ``fit(..., resume_from=p)`` continues from it bit-for-bit:
weights, optimizer and scheduler state, history, callback state, the epoch's running sums
and every RNG (ember, NumPy, Python) are restored, and the interrupted epoch replays its
shuffling and skips the batches already trained.
"""
import copy
import math
import random

import numpy as np

from .. import random as _random
from ..autograd import anomaly
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor, _new_tensor
from . import checkpoint as ckpt_mod
from .callbacks import Callback, ProgressBar, _Monitor

__all__ = ["fit", "evaluate", "predict", "History"]


class History(Callback):
    """Per-epoch values: ``history.history["loss"]``, ``["val_loss"]``, ``["<metric>"]``,
    ``["val_<metric>"]``, ``["lr"]``; ``history.epoch`` lists the epochs (0-based)."""

    def __init__(self):
        self.history = {}
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)

    def state_dict(self):
        return {"history": {k: list(v) for k, v in self.history.items()},
                "epoch": list(self.epoch)}

    def load_state_dict(self, state):
        self.history = {k: list(v) for k, v in state["history"].items()}
        self.epoch = list(state["epoch"])

    def __repr__(self):
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


# ----- data --------------------------------------------------------------------------------
def _param_dtype(model):
    for p in model.parameters():
        if p._data.dtype.kind == "f":
            return p._data.dtype
    return None


def _as_array(a, fdtype):
    arr = a._data if isinstance(a, Tensor) else np.asarray(a)
    if fdtype is not None and arr.dtype.kind == "f" and arr.dtype != fdtype:
        arr = arr.astype(fdtype)
    return arr


class _ArrayData:
    """An (X, y) pair mini-batched in order or in a fresh random order each pass."""

    def __init__(self, data, batch_size, shuffle, fdtype):
        if len(data) != 2:
            raise ValueError("tensor data must be an (X, y) pair; got a tuple of "
                             f"{len(data)} items")
        self.x = _as_array(data[0], fdtype)
        self.y = _as_array(data[1], fdtype)
        if self.x.shape[0] != self.y.shape[0]:
            raise ValueError(f"X and y have different numbers of samples: {self.x.shape[0]} "
                             f"and {self.y.shape[0]}")
        self.n = self.x.shape[0]
        self.batch_size = int(batch_size)
        self.shuffle = shuffle

    def __len__(self):
        return -(-self.n // self.batch_size)

    def batches(self, skip=0):
        """An iterator over the batches from index ``skip``; the shuffle is drawn now."""
        order = None
        if self.shuffle:
            order = _random.default_generator.rng.permutation(self.n)
        return self._iter(order, skip)

    def _iter(self, order, skip):
        bs = self.batch_size
        for i in range(skip * bs, self.n, bs):
            if order is None:
                xb, yb = self.x[i:i + bs], self.y[i:i + bs]
            else:
                idx = order[i:i + bs]
                xb, yb = self.x[idx], self.y[idx]
            yield _new_tensor(xb), _new_tensor(yb)


class _IterData:
    """A DataLoader or any iterable of (x, y) batches."""

    def __init__(self, loader):
        self.loader = loader

    def __len__(self):
        return len(self.loader)

    def batches(self, skip=0):
        """An iterator over the batches from index ``skip`` (earlier ones are loaded and
        dropped, so shuffling and augmentation draws replay exactly)."""
        it = iter(self.loader)
        for _ in range(skip):
            next(it)
        return it

    def generators(self):
        """The ember.Generators shuffling draws from (their states go into checkpoints)."""
        gens = []
        for obj in (self.loader, getattr(self.loader, "sampler", None),
                    getattr(getattr(self.loader, "batch_sampler", None), "sampler", None)):
            g = getattr(obj, "generator", None)
            if g is not None and hasattr(g, "get_state") and all(g is not x for x in gens):
                gens.append(g)
        return gens


def _wrap_data(data, batch_size, shuffle, fdtype):
    if data is None:
        return None
    if isinstance(data, (tuple, list)):
        return _ArrayData(data, batch_size, shuffle, fdtype)
    if isinstance(data, dict) or not hasattr(data, "__iter__"):
        raise TypeError("data must be a DataLoader (or iterable of (x, y) batches) or an "
                        f"(X, y) tuple of tensors/arrays, got {type(data).__name__}")
    return _IterData(data)


def _num_batches(data):
    try:
        return len(data)
    except TypeError:
        return None


def _split(batch, device):
    if isinstance(batch, dict) or not isinstance(batch, (tuple, list)) or len(batch) < 2:
        raise TypeError("each batch must be an (inputs, target) pair")
    x, y = batch[0], batch[1]
    if device is not None:
        x = tuple(t.to(device) for t in x) if isinstance(x, (tuple, list)) else x.to(device)
        y = y.to(device)
    return x, y


def _forward(model, x):
    return model(*x) if isinstance(x, (tuple, list)) else model(x)


def _size(y):
    return int(y.shape[0]) if getattr(y, "ndim", 0) else 1


# ----- metrics -----------------------------------------------------------------------------
_RANK_FUNCS = {"roc_auc_score", "average_precision_score"}
_LABEL_FUNCS = {"accuracy_score", "precision_score", "recall_score", "f1_score", "fbeta_score",
                "matthews_corrcoef", "confusion_matrix", "balanced_accuracy_score",
                "jaccard_score", "cohen_kappa_score", "hamming_loss", "zero_one_loss"}


class _FunctionMetric:
    """Accumulates a whole pass of (target, prediction) and calls a metric function
    ``fn(y_true, y_pred)`` once on the concatenation (exact for any function)."""

    def __init__(self, fn):
        self.fn = fn
        name = getattr(fn, "__name__", "")
        self.labels = name in _LABEL_FUNCS
        self.ranks = name in _RANK_FUNCS
        self.reset()

    def reset(self):
        self.preds = []
        self.targets = []

    def update(self, preds, target):
        from ..metrics.stateful import _pred_labels
        p = preds._data if isinstance(preds, Tensor) else np.asarray(preds)
        t = target._data if isinstance(target, Tensor) else np.asarray(target)
        if self.labels:
            p = np.asarray(_pred_labels(p, t, 0.5))
        elif self.ranks and p.ndim == 2 and p.shape[1] == 2 and t.ndim == 1:
            p = p[:, 1] - p[:, 0]   # two-class scores: ranked by class 1's margin
        if p.shape != t.shape and p.size == t.size:
            p = p.reshape(t.shape)
        self.preds.append(np.array(p))
        self.targets.append(np.array(t))

    def compute(self):
        return self.fn(np.concatenate(self.targets), np.concatenate(self.preds))


def _make_metrics(metrics):
    if metrics is None:
        return {}
    if not isinstance(metrics, dict):
        raise TypeError("metrics must be a dict mapping names to metric objects (ember.metrics"
                        ".Accuracy()...) or functions (ember.metrics.accuracy_score...)")
    out = {}
    for name, m in metrics.items():
        if hasattr(m, "update") and hasattr(m, "compute"):
            m = copy.deepcopy(m)
            m.reset()
        elif callable(m):
            m = _FunctionMetric(m)
        else:
            raise TypeError(f"metric {name!r} is neither a metric object nor a function")
        out[name] = m
    return out


def _metric_value(v):
    if isinstance(v, Tensor):
        v = v._data
    if isinstance(v, np.ndarray) and v.ndim == 0 or isinstance(v, np.generic):
        return v.item()
    return v


def _pack(obj):
    """Metric state as data ``ember.save`` writes (arrays become tensors)."""
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fiubc" and obj.dtype.itemsize <= 16 and \
                obj.dtype not in (np.uint16, np.uint32, np.uint64):
            return {"__array__": _new_tensor(np.ascontiguousarray(obj))}
        return {"__list__": obj.tolist(), "dtype": obj.dtype.str}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        return {k: _pack(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_pack(v) for v in obj)
    return obj


def _unpack(obj):
    if isinstance(obj, dict):
        if "__array__" in obj and len(obj) == 1:
            return np.array(obj["__array__"]._data)
        if "__list__" in obj and len(obj) == 2:
            return np.array(obj["__list__"], dtype=np.dtype(obj["dtype"]))
        return {k: _unpack(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_unpack(v) for v in obj)
    return obj


def _metric_state(m):
    return _pack({k: v for k, v in vars(m).items() if not callable(v)})


# ----- the loop ----------------------------------------------------------------------------
def _is_per_batch(scheduler):
    return type(scheduler).__name__ in ("OneCycleLR", "CyclicLR")


def _is_plateau(scheduler):
    return hasattr(scheduler, "step") and type(scheduler).__name__ == "ReduceLROnPlateau"


class _Trainer:
    """One run of ``fit``; callbacks see it as ``self.trainer``."""

    def __init__(self, model, optimizer, scheduler, epochs, callbacks, history):
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.epochs = epochs
        self.callbacks = callbacks
        self.history = history
        self._epoch_logs = None
        self.epoch = 0
        self.step = 0
        self.start_batch = 0
        self.num_batches = None
        self.stop_training = False
        self.resumed = False
        self.best = None
        self._generators = []
        self._epoch_rng = None
        self._running = None
        self._metrics = {}

    def _callback_states(self):
        out = {}
        for i, cb in enumerate(self.callbacks):
            if hasattr(cb, "state_dict") and cb is not self.history:
                out[f"{i}:{type(cb).__name__}"] = cb.state_dict()
        return out

    def _best(self):
        """The best monitored value so far (of the first EarlyStopping/ModelCheckpoint)."""
        for cb in self.callbacks:
            b = getattr(cb, "best", None)
            if isinstance(cb, _Monitor) and b is not None and math.isfinite(b):
                return b
        return self.best

    def _history_state(self):
        """The history, including the epoch ending now when History has not recorded it yet
        (a callback saving a checkpoint from its on_epoch_end runs before History's)."""
        st = self.history.state_dict()
        logs = self._epoch_logs
        if logs is not None and (not st["epoch"] or st["epoch"][-1] != self.epoch):
            st["epoch"].append(self.epoch)
            for k, v in logs.items():
                st["history"].setdefault(k, []).append(v)
        return st

    def save_checkpoint(self, path, best=None, batch=0, epoch=None):
        """A resumable checkpoint: at an epoch end by default (continue with the next epoch),
        or mid-epoch after ``batch`` batches."""
        extra = {"step": self.step, "stop_training": bool(self.stop_training),
                 "callbacks": self._callback_states(),
                 "history": self._history_state(),
                 "epoch_rng": self._epoch_rng if batch else None,
                 "running": self._running if batch else None,
                 "metrics": {k: _metric_state(m) for k, m in self._metrics.items()}
                 if batch else None}
        ckpt_mod.save_checkpoint(path, self.model, self.optimizer, self.scheduler,
                                 epoch=self.epoch + 1 if epoch is None else epoch, batch=batch,
                                 best=best if best is not None else self._best(),
                                 rng=ckpt_mod.get_rng_state(self._generators), extra=extra)


def fit(model, train_data, val_data=None, loss_fn=None, optimizer=None, epochs=1, metrics=None,
        callbacks=None, scheduler=None, grad_clip=None, l1=0.0, device=None, batch_size=32,
        shuffle=True, seed=None, verbose=1, resume_from=None, checkpoint_every=None,
        checkpoint_path="checkpoint.pt"):
    """Train ``model`` on ``train_data`` for ``epochs`` epochs; returns a ``History``.

    ``loss_fn(output, target)`` gives the (mean) batch loss; ``optimizer`` updates the
    parameters. ``metrics`` maps names to ``ember.metrics`` objects or functions, computed on
    the training batches and on ``val_data`` (keys ``name`` and ``val_name``). ``scheduler``
    steps once per epoch (``ReduceLROnPlateau`` is fed ``val_loss``, or ``loss`` without
    validation data; ``OneCycleLR``/``CyclicLR`` step per batch). ``grad_clip`` clips the
    gradients' total 2-norm; ``l1`` adds ``l1 * sum(|p|)`` over all parameters to the loss
    being minimised (the logged ``loss`` is ``loss_fn``'s alone, comparable to ``val_loss``).
    ``seed`` seeds ember's, NumPy's and Python's global RNGs first. A non-finite loss stops
    training with a RuntimeError naming the epoch and step; inside
    ``ember.autograd.detect_anomaly()`` it also names the op that produced it.
    """
    if loss_fn is None or optimizer is None:
        raise TypeError("fit() needs loss_fn= and optimizer=")
    if device is not None:
        model.to(device)
    if seed is not None:
        _random.manual_seed(seed)
        np.random.seed(seed % 2 ** 32)
        random.seed(seed)
    fdtype = _param_dtype(model)
    train = _wrap_data(train_data, batch_size, shuffle, fdtype)
    val = _wrap_data(val_data, batch_size, False, fdtype)
    if train is None:
        raise TypeError("fit() needs train_data")
    history = History()
    cbs = [c for c in (callbacks or []) if not isinstance(c, ProgressBar)] + [history]
    bars = [c for c in (callbacks or []) if isinstance(c, ProgressBar)]
    cbs += bars or ([ProgressBar(verbose=verbose)] if verbose else [])
    tr = _Trainer(model, optimizer, scheduler, int(epochs), cbs, history)
    tr._generators = train.generators() if isinstance(train, _IterData) else []
    tr.num_batches = _num_batches(train)
    train_metrics = _make_metrics(metrics)
    val_metrics = {k: copy.deepcopy(m) for k, m in train_metrics.items()}
    tr._metrics = train_metrics
    params = [p for p in model.parameters() if p.requires_grad]
    if checkpoint_every is not None and int(checkpoint_every) <= 0:
        raise ValueError("checkpoint_every must be a positive number of batches")

    start_epoch, start_batch, resume = 0, 0, None
    if resume_from is not None:
        resume = ckpt_mod.load_checkpoint(resume_from, model, optimizer, scheduler)
        start_epoch, start_batch = resume["epoch"], resume["batch"]
        extra = resume["extra"]
        tr.step = extra.get("step", 0)
        tr.best = resume["best"]
        history.load_state_dict(extra["history"])
        states = extra.get("callbacks", {})
        for i, cb in enumerate(cbs):
            key = f"{i}:{type(cb).__name__}"
            if key in states and hasattr(cb, "load_state_dict"):
                cb.load_state_dict(states[key])
        tr.resumed = True
        if extra.get("stop_training"):   # saved as the run was stopping: nothing left to do
            start_epoch = tr.epochs
        if not start_batch:
            ckpt_mod.set_rng_state(resume["rng"], tr._generators)

    for cb in cbs:
        cb.set_trainer(tr)
    for cb in cbs:
        cb.on_train_begin({})
    anomaly_on = anomaly.is_anomaly_enabled

    for epoch in range(start_epoch, tr.epochs):
        tr.epoch = epoch
        tr.start_batch = start_batch if epoch == start_epoch else 0
        begin_logs = {"start_batch": tr.start_batch} if tr.start_batch else {}
        for cb in cbs:
            cb.on_epoch_begin(epoch, begin_logs)
        model.train()
        lr = float(optimizer.param_groups[0]["lr"])
        skip = tr.start_batch
        if skip:
            ckpt_mod.set_rng_state(resume["extra"]["epoch_rng"], tr._generators)
            tr._epoch_rng = resume["extra"]["epoch_rng"]
            tr._running = dict(resume["extra"]["running"])
            for k, m in train_metrics.items():
                m.__dict__.update(_unpack(resume["extra"]["metrics"][k]))
            lr = tr._running.get("lr", lr)
        else:
            tr._epoch_rng = ckpt_mod.get_rng_state(tr._generators)
            tr._running = {"loss_sum": 0.0, "count": 0, "lr": lr}
            for m in train_metrics.values():
                m.reset()
        batches = train.batches(skip)
        if skip:   # the shuffle was replayed above; continue from the saved RNG state
            ckpt_mod.set_rng_state(resume["rng"], tr._generators)
        run = tr._running
        for b, batch in enumerate(batches, start=skip):
            for cb in cbs:
                cb.on_batch_begin(b, {})
            x, y = _split(batch, device)
            optimizer.zero_grad()
            out = _forward(model, x)
            loss = loss_fn(out, y)
            value = float(loss.item())
            if not math.isfinite(value):
                msg = (f"Loss is {value} at epoch {epoch + 1}, step {b + 1} of the epoch "
                       f"(global step {tr.step + 1}): training stopped.")
                rec = anomaly.nonfinite_op() if anomaly_on() else None
                if rec is not None:
                    msg += f" Anomaly detection: {rec}."
                else:
                    msg += (" Run fit inside `with ember.autograd.detect_anomaly():` to name "
                            "the op that produced it.")
                raise RuntimeError(msg)
            total = loss
            if l1:
                total = loss + l1 * sum(p.abs().sum() for p in params)
            try:
                total.backward()
            except RuntimeError as e:
                if anomaly_on():
                    raise RuntimeError(f"{e}\n(at epoch {epoch + 1}, step {b + 1})") from e
                raise
            if grad_clip is not None:
                from ..nn.utils import clip_grad_norm_
                norm = float(clip_grad_norm_(params, grad_clip))
                if not math.isfinite(norm):
                    raise RuntimeError(f"Gradient norm is {norm} at epoch {epoch + 1}, step "
                                       f"{b + 1}: training stopped.")
            optimizer.step()
            if scheduler is not None and _is_per_batch(scheduler):
                scheduler.step()
            n = _size(y)
            run["loss_sum"] += value * n
            run["count"] += n
            if train_metrics:
                det = out.detach()
                for m in train_metrics.values():
                    m.update(det, y)
            tr.step += 1
            for cb in cbs:
                cb.on_batch_end(b, {"loss": value, "size": n})
            if checkpoint_every is not None and tr.step % int(checkpoint_every) == 0:
                tr.save_checkpoint(checkpoint_path, batch=b + 1, epoch=epoch)

        logs = {"loss": run["loss_sum"] / max(run["count"], 1)}
        for k, m in train_metrics.items():
            logs[k] = _metric_value(m.compute())
        if val is not None:
            res = _evaluate(model, val, loss_fn, val_metrics, device)
            logs.update({f"val_{k}": v for k, v in res.items()})
        logs["lr"] = run["lr"]
        if scheduler is not None and not _is_per_batch(scheduler):
            if _is_plateau(scheduler):
                scheduler.step(logs["val_loss" if "val_loss" in logs else "loss"])
            else:
                scheduler.step()
        tr._epoch_logs = logs
        for cb in cbs:
            cb.on_epoch_end(epoch, logs)
        tr._running = tr._epoch_logs = None
        if checkpoint_every is not None:
            tr.save_checkpoint(checkpoint_path)
        if tr.stop_training:
            break
    for cb in cbs:
        cb.on_train_end({})
    return history


def _evaluate(model, data, loss_fn, metrics, device):
    was = model.training
    model.eval()
    for m in metrics.values():
        m.reset()
    total, count = 0.0, 0
    try:
        with no_grad():
            for batch in data.batches():
                x, y = _split(batch, device)
                out = _forward(model, x)
                n = _size(y)
                if loss_fn is not None:
                    total += float(loss_fn(out, y).item()) * n
                count += n
                for m in metrics.values():
                    m.update(out, y)
    finally:
        model.train(was)
    res = {}
    if loss_fn is not None:
        res["loss"] = total / max(count, 1)
    for k, m in metrics.items():
        res[k] = _metric_value(m.compute())
    return res


def evaluate(model, data, loss_fn=None, metrics=None, batch_size=32, device=None):
    """The mean loss (``"loss"``, when ``loss_fn`` is given) and each metric over ``data``,
    in eval mode without gradients; returns a dict."""
    data = _wrap_data(data, batch_size, False, _param_dtype(model))
    return _evaluate(model, data, loss_fn, _make_metrics(metrics), device)


def predict(model, data, batch_size=32, device=None):
    """The model's outputs over ``data`` (a tensor/array of inputs, an (X, y) pair or a
    DataLoader), concatenated along dim 0, in eval mode without gradients."""
    fdtype = _param_dtype(model)
    if isinstance(data, (Tensor, np.ndarray)):
        x = _as_array(data, fdtype)
        batches = (_new_tensor(x[i:i + batch_size]) for i in range(0, x.shape[0], batch_size))
    elif isinstance(data, (tuple, list)):
        batches = (b[0] for b in _wrap_data(data, batch_size, False, fdtype).batches())
    else:
        batches = (b[0] if isinstance(b, (tuple, list)) else b for b in data)
    was = model.training
    model.eval()
    outs = []
    try:
        with no_grad():
            for xb in batches:
                if device is not None:
                    xb = tuple(t.to(device) for t in xb) if isinstance(xb, (tuple, list)) \
                        else xb.to(device)
                outs.append(_forward(model, xb)._data)
    finally:
        model.train(was)
    if not outs:
        raise ValueError("predict() got no data")
    return _new_tensor(np.concatenate(outs))
