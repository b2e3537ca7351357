"""Training checkpoints: everything needed to continue a run bit-for-bit.

A checkpoint is one ``ember.save`` file (so it is written atomically — temporary file, fsync,
rename — and loads without running code) holding a dict::

    {"format": "ember.train/1", "model": state_dict, "optimizer": state_dict | None,
     "scheduler": state_dict | None, "epoch": int, "batch": int, "best": float | None,
     "rng": {"ember": ..., "numpy": ..., "python": ..., "generators": [...]},
     "extra": {...}}

``epoch`` is the 0-based epoch in progress and ``batch`` the number of its batches already
trained (0 at an epoch boundary). ``extra`` carries what the fit loop needs besides
(history, the epoch's running sums, the RNG states at the start of the epoch).
"""
import random

import numpy as np

from .. import random as _random
from ..serialization import save as _save, load as _load
from ..tensor import Tensor, _new_tensor

__all__ = ["save_checkpoint", "load_checkpoint", "get_rng_state", "set_rng_state"]

FORMAT = "ember.train/1"


def get_rng_state(generators=()):
    """The states of ember's global generator, NumPy's global RNG, Python's ``random`` and of
    each ``ember.Generator`` in ``generators``, as plain data ``ember.save`` can write."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    return {"ember": _random.default_generator.get_state(),
            "numpy": (name, _new_tensor(keys.astype(np.int64)), int(pos), int(has_gauss),
                      float(cached)),
            "python": random.getstate(),
            "generators": [g.get_state() for g in generators]}


def set_rng_state(state, generators=()):
    """Restore states from ``get_rng_state`` (``generators`` in the same order)."""
    _random.default_generator.set_state(state["ember"])
    name, keys, pos, has_gauss, cached = state["numpy"]
    keys = keys._data if isinstance(keys, Tensor) else np.asarray(keys)
    np.random.set_state((name, keys.astype(np.uint32), int(pos), int(has_gauss), float(cached)))
    py = state["python"]
    random.setstate((py[0], tuple(py[1]), py[2]))
    saved = state.get("generators", [])
    if len(saved) != len(generators):
        raise RuntimeError(f"the checkpoint holds {len(saved)} generator states but "
                           f"{len(generators)} generators were given")
    for g, s in zip(generators, saved):
        g.set_state(s)


def save_checkpoint(path, model, optimizer=None, scheduler=None, epoch=0, batch=0, best=None,
                    rng=None, extra=None):
    """Write a training checkpoint to ``path`` atomically (a reader sees the old file or the
    new one, never a partial one). ``rng`` defaults to the current global RNG states."""
    if best is not None:
        best = float(best)
    ckpt = {"format": FORMAT,
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict() if optimizer is not None else None,
            "scheduler": _scheduler_state(scheduler),
            "epoch": int(epoch), "batch": int(batch), "best": best,
            "rng": rng if rng is not None else get_rng_state(),
            "extra": extra if extra is not None else {}}
    _save(ckpt, path)


def _scheduler_state(scheduler):
    if scheduler is None:
        return None
    sd = scheduler.state_dict()
    return {k: v for k, v in sd.items() if not callable(v)}


def load_checkpoint(path, model=None, optimizer=None, scheduler=None, restore_rng=False,
                    generators=()):
    """Read a checkpoint; load its states into the given model/optimizer/scheduler (and the
    global RNGs when ``restore_rng``). Returns the checkpoint dict."""
    ckpt = _load(path)
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise RuntimeError(f"{path} is not an ember training checkpoint (saved by "
                           "ember.train.save_checkpoint or fit(checkpoint_every=...))")
    if model is not None:
        model.load_state_dict(ckpt["model"])
    if optimizer is not None:
        if ckpt["optimizer"] is None:
            raise RuntimeError(f"{path} holds no optimizer state")
        optimizer.load_state_dict(ckpt["optimizer"])
    if scheduler is not None and ckpt["scheduler"] is not None:
        scheduler.load_state_dict(ckpt["scheduler"])
    if restore_rng:
        set_rng_state(ckpt["rng"], generators)
    b = ckpt.get("best")
    ckpt["best"] = None if b is None else float(b)
    return ckpt
