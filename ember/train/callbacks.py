"""Callbacks for ``ember.train.fit``: a small protocol, and the usual implementations.

The protocol
------------
A callback is any object with some of these methods (``Callback`` gives no-op defaults);
``fit`` calls them in this order::

    set_trainer(trainer)              once, before training: ``self.trainer`` is the running
                                      loop (see below), ``self.model`` the model
    on_train_begin(logs)
      on_epoch_begin(epoch, logs)     epoch is 0-based; logs = {"start_batch": k} when a run
                                      resumes mid-epoch (batches 0..k-1 were trained before)
        on_batch_begin(batch, logs)   batch is the 0-based index within the epoch
        on_batch_end(batch, logs)     logs = {"loss": float, "size": batch size}
      on_epoch_end(epoch, logs)       logs = {"loss", "val_loss", "<metric>", "val_<metric>",
                                      "lr"}; a callback may add keys (later ones see them)
    on_train_end(logs)

``trainer`` exposes ``model``, ``optimizer``, ``scheduler``, ``epochs``, ``epoch``, ``step``
(batches trained so far, all epochs), ``num_batches`` (per epoch, or None when unknown),
``history`` (the ``History``), ``stop_training`` (set it to True to stop after this epoch)
and ``save_checkpoint(path)`` (a resumable checkpoint of the whole run).

A callback whose decisions depend on past epochs can define ``state_dict()`` and
``load_state_dict(state)`` (plain data, tensors allowed): fit stores them in its checkpoints
and restores them on ``resume_from``. Callbacks run in the order given, then ``History``
(which records the logs as the earlier callbacks left them), then ``ProgressBar`` (added when
``verbose > 0`` if none was given).
"""
import csv
import math
import os
import sys
import time
import warnings

import numpy as np

__all__ = ["Callback", "EarlyStopping", "ModelCheckpoint", "ProgressBar", "CSVLogger",
           "LearningRateMonitor", "LambdaCallback"]


class Callback:
    """Base class with every hook of the protocol as a no-op."""

    trainer = None
    model = None

    def set_trainer(self, trainer):
        self.trainer = trainer
        self.model = trainer.model

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass


_MAX_WORDS = ("acc", "auc", "auroc", "f1", "fbeta", "precision", "recall", "r2", "ap",
              "average_precision", "matthews")


def _resolve_mode(mode, monitor):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode != "auto":
        return mode
    name = monitor[4:] if monitor.startswith("val_") else monitor
    name = name.lower()
    return "max" if any(name == w or name.startswith(w) or name.endswith("_" + w)
                        or w + "_" in name for w in _MAX_WORDS) else "min"


class _Monitor:
    """Tracks the best value of a logged quantity (min or max, with ``min_delta``)."""

    def _init_monitor(self, monitor, mode, min_delta):
        self.monitor = monitor
        self.mode = _resolve_mode(mode, monitor)
        self.min_delta = abs(float(min_delta))
        self.best = math.inf if self.mode == "min" else -math.inf

    def _improved(self, value):
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def _value(self, logs):
        v = (logs or {}).get(self.monitor)
        if v is None:
            warnings.warn(f"{type(self).__name__}: monitored quantity {self.monitor!r} is not "
                          f"in the logs (available: {', '.join(sorted(logs or {}))})",
                          RuntimeWarning, stacklevel=3)
            return None
        return float(v)


def _copy_state(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


class EarlyStopping(_Monitor, Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience``
    epochs; with ``restore_best_weights`` the model ends with the weights of its best epoch."""

    def __init__(self, monitor="val_loss", patience=0, min_delta=0.0, mode="auto",
                 restore_best_weights=False, verbose=0):
        self._init_monitor(monitor, mode, min_delta)
        self.patience = int(patience)
        self.restore_best_weights = restore_best_weights
        self.verbose = verbose
        self._reset()

    def _reset(self):
        self.best = math.inf if self.mode == "min" else -math.inf
        self.wait = 0
        self.best_epoch = None
        self.stopped_epoch = None
        self.best_weights = None

    def on_train_begin(self, logs=None):
        if self.trainer is None or not getattr(self.trainer, "resumed", False):
            self._reset()

    def on_epoch_end(self, epoch, logs=None):
        value = self._value(logs)
        if value is None:
            return
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = _copy_state(self.model)
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.trainer.stop_training = True
            if self.verbose:
                print(f"Epoch {epoch + 1}: early stopping ({self.monitor} best "
                      f"{self.best:.6g} at epoch {self.best_epoch + 1})")

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self.best_weights is not None:
            self.model.load_state_dict(self.best_weights)

    def state_dict(self):
        return {"best": self.best, "wait": self.wait, "best_epoch": self.best_epoch,
                "stopped_epoch": self.stopped_epoch, "best_weights": self.best_weights}

    def load_state_dict(self, state):
        for k, v in state.items():
            setattr(self, k, v)


class ModelCheckpoint(_Monitor, Callback):
    """Write a resumable checkpoint (``fit(resume_from=...)``) into ``dirpath`` at the end of
    each epoch, or only when ``monitor`` improves with ``save_best_only``.

    ``filename`` is formatted with ``epoch`` (1-based) and the epoch's logs, e.g.
    ``"epoch{epoch:03d}-{val_loss:.4f}.pt"``; default ``best.pt`` with ``save_best_only``,
    else ``epoch{epoch:03d}.pt``. ``best_model_path`` and ``last_model_path`` name the files.
    """

    def __init__(self, dirpath, monitor="val_loss", save_best_only=False, filename=None,
                 mode="auto", min_delta=0.0):
        self._init_monitor(monitor, mode, min_delta)
        self.dirpath = os.fspath(dirpath)
        self.save_best_only = save_best_only
        self.filename = filename or ("best.pt" if save_best_only else "epoch{epoch:03d}.pt")
        self.best_model_path = None
        self.last_model_path = None

    def on_train_begin(self, logs=None):
        os.makedirs(self.dirpath, exist_ok=True)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        value = self._value(logs) if self.save_best_only or self.monitor in logs else None
        improved = value is not None and self._improved(value)
        if self.save_best_only and not improved:
            return
        path = os.path.join(self.dirpath, self.filename.format(epoch=epoch + 1, **logs))
        if improved:
            self.best = value
            self.best_model_path = path
        self.trainer.save_checkpoint(path, best=self.best if value is not None else None)
        self.last_model_path = path

    def state_dict(self):
        return {"best": self.best, "best_model_path": self.best_model_path,
                "last_model_path": self.last_model_path}

    def load_state_dict(self, state):
        for k, v in state.items():
            setattr(self, k, v)


def _fmt(logs):
    parts = []
    for k, v in logs.items():
        if isinstance(v, (float, int, np.floating, np.integer)) and not isinstance(v, bool):
            parts.append(f"{k}: {float(v):.4g}" if k == "lr" else f"{k}: {float(v):.4f}")
    return " - ".join(parts)


class ProgressBar(Callback):
    """A tqdm bar per epoch (batches, running loss, rate) and a summary line per epoch.

    On a terminal with tqdm installed the bar is drawn on ``file`` (stderr by default); when
    ``file`` is not a terminal only the per-epoch lines are printed; ``verbose=0`` prints
    nothing. Without tqdm, a one-line hint is printed once and the per-epoch lines remain.
    Extra keywords go to ``tqdm`` (``mininterval=``, ``ascii=``...).
    """

    def __init__(self, verbose=1, file=None, **tqdm_kwargs):
        self.verbose = verbose
        self.file = file
        self.tqdm_kwargs = tqdm_kwargs
        self._bar = None
        self._tqdm = None

    def _out(self):
        return self.file if self.file is not None else sys.stderr

    def on_train_begin(self, logs=None):
        self._tqdm = None
        if not self.verbose:
            return
        out = self._out()
        if not (hasattr(out, "isatty") and out.isatty()):
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:
            print("ember: install tqdm for a per-batch progress bar "
                  "(pip install 'ember[book]')", file=out)
            return
        self._tqdm = tqdm

    def on_epoch_begin(self, epoch, logs=None):
        self._t0 = time.perf_counter()
        self._loss = 0.0
        self._n = 0
        if self._tqdm is not None:
            self._bar = self._tqdm(total=self.trainer.num_batches, file=self._out(),
                                   desc=f"Epoch {epoch + 1}/{self.trainer.epochs}",
                                   unit="batch", leave=False, dynamic_ncols=True,
                                   **self.tqdm_kwargs)
            start = getattr(self.trainer, "start_batch", 0)
            if start:
                self._bar.update(start)

    def on_batch_end(self, batch, logs=None):
        if self._bar is None:
            return
        logs = logs or {}
        size = logs.get("size", 1)
        self._loss += logs.get("loss", 0.0) * size
        self._n += size
        self._bar.update(1)
        if self._n:
            self._bar.set_postfix(loss=f"{self._loss / self._n:.4f}", refresh=False)

    def on_epoch_end(self, epoch, logs=None):
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if not self.verbose:
            return
        dt = time.perf_counter() - self._t0
        print(f"Epoch {epoch + 1}/{self.trainer.epochs} - {dt:.1f}s - {_fmt(logs or {})}",
              file=self._out(), flush=True)

    def on_train_end(self, logs=None):
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class CSVLogger(Callback):
    """One CSV row per epoch: ``epoch`` (1-based) and every logged value. With ``append``
    (and always when fit resumes from a checkpoint) rows are added to an existing file."""

    def __init__(self, filename, separator=",", append=False):
        self.filename = os.fspath(filename)
        self.separator = separator
        self.append = append
        self._keys = None

    def on_train_begin(self, logs=None):
        self._keys = None
        append = self.append or getattr(self.trainer, "resumed", False)
        if append and os.path.exists(self.filename) and os.path.getsize(self.filename):
            with open(self.filename, newline="") as f:
                header = next(csv.reader(f, delimiter=self.separator), None)
            if header:
                self._keys = header[1:]
        elif not append and os.path.exists(self.filename):
            os.remove(self.filename)

    def on_epoch_end(self, epoch, logs=None):
        logs = {k: v for k, v in (logs or {}).items() if np.ndim(v) == 0}
        new = self._keys is None
        if new:
            self._keys = list(logs)
        with open(self.filename, "a", newline="") as f:
            w = csv.writer(f, delimiter=self.separator)
            if new:
                w.writerow(["epoch"] + self._keys)
            w.writerow([epoch + 1] + [_csv_value(logs.get(k, "")) for k in self._keys])


def _csv_value(v):
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    return v


class LearningRateMonitor(Callback):
    """Record the learning rate of every param group, per ``"epoch"`` or per ``"step"``, in
    ``self.lrs`` (a list of lists) and in the epoch's logs as ``lr`` / ``lr_group<i>``."""

    def __init__(self, logging_interval="epoch"):
        if logging_interval not in ("epoch", "step"):
            raise ValueError("logging_interval must be 'epoch' or 'step'")
        self.logging_interval = logging_interval
        self.lrs = []

    def _current(self):
        return [float(g["lr"]) for g in self.trainer.optimizer.param_groups]

    def on_batch_begin(self, batch, logs=None):
        if self.logging_interval == "step":
            self.lrs.append(self._current())

    def on_epoch_begin(self, epoch, logs=None):
        if (logs or {}).get("start_batch"):   # resumed mid-epoch: the state holds this epoch
            return
        self._epoch_lrs = self._current()
        if self.logging_interval == "epoch":
            self.lrs.append(self._epoch_lrs)

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        lrs = self._epoch_lrs
        logs.setdefault("lr", lrs[0])
        if len(lrs) > 1:
            for i, lr in enumerate(lrs):
                logs[f"lr_group{i}"] = lr

    def state_dict(self):
        return {"lrs": [list(x) for x in self.lrs],
                "epoch_lrs": list(getattr(self, "_epoch_lrs", []))}

    def load_state_dict(self, state):
        self.lrs = [list(x) for x in state["lrs"]]
        self._epoch_lrs = list(state.get("epoch_lrs", []))


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda e, logs: ...)``;
    each argument takes the signature of the hook of the same name."""

    _HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
              "on_batch_begin", "on_batch_end")

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None,
                 on_batch_end=None, on_train_begin=None, on_train_end=None):
        given = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_batch_begin=on_batch_begin, on_batch_end=on_batch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end)
        for name, fn in given.items():
            if fn is not None:
                if not callable(fn):
                    raise TypeError(f"{name} must be callable, got {type(fn).__name__}")
                setattr(self, name, fn)
