"""Anomaly detection: ``ember.autograd.detect_anomaly()`` / ``set_detect_anomaly(True)``.

While anomaly mode is on (and only then — nothing is added to the normal hot path):

- every op run through ``Function.apply`` is checked in forward: the first op whose floating
  output holds NaN or infinity while all of its tensor inputs were finite is remembered, with
  the user's source line that called it (``nonfinite_op()`` returns that record; the fit loop
  puts it in its "loss is nan" error);
- every graph node recorded keeps the user's source line of its forward, and its backward is
  checked: a NaN gradient raises PyTorch's
  ``RuntimeError: Function 'LogBackward0' returned nan values in its 0th output.``
  after a warning naming the user's line whose forward created the node (as PyTorch).

The checks are installed by swapping ``Function.apply`` for a checking wrapper while the mode
is on (restored when it ends) and by giving each recorded node a checking ``_fn`` of its own;
the engine itself is unchanged. Ops of user ``autograd.Function`` subclasses are checked in
forward only.
"""
import sys
import threading
import traceback
import warnings

import numpy as np

from .function import Function, Node

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "nonfinite_op", "AnomalyRecord"]

_lock = threading.Lock()
_state = {"depth": 0, "check_nan": True, "first": None}
_orig_apply = Function.__dict__["apply"]        # the classmethod object
_orig_apply_fn = _orig_apply.__func__


class AnomalyRecord:
    """The first op that produced a non-finite value from finite inputs."""

    __slots__ = ("op", "node_name", "kind", "where")

    def __init__(self, op, node_name, kind, where):
        self.op = op                # the Function class name, e.g. "Log"
        self.node_name = node_name  # its grad_fn name, e.g. "LogBackward0"
        self.kind = kind            # "nan" or "inf"
        self.where = where          # 'File "x.py", line 3, in f: code' or ""

    def __str__(self):
        s = f"op '{self.node_name}' ({self.op}) produced {self.kind} values from finite inputs"
        return s + (f" at {self.where}" if self.where else "")

    __repr__ = __str__


def _user_frame():
    """The innermost stack frame outside ember (the user's line that ran the op)."""
    f = sys._getframe(2)
    pkg = __name__.rsplit(".", 2)[0] + "."
    while f is not None:
        mod = f.f_globals.get("__name__", "")
        if not (mod == pkg[:-1] or mod.startswith(pkg)):
            fs = traceback.FrameSummary(f.f_code.co_filename, f.f_lineno, f.f_code.co_name)
            code = (fs.line or "").strip()
            where = f'File "{fs.filename}", line {fs.lineno}, in {fs.name}'
            return where + (f": {code}" if code else "")
        f = f.f_back
    return ""


def _bad(a):
    """'nan', 'inf' or None for one array."""
    if not isinstance(a, np.ndarray) or a.dtype.kind not in "fc":
        return None
    if np.isfinite(a).all():
        return None
    return "nan" if np.isnan(a).any() else "inf"


class _CheckedBackward:
    """Stands in for a node's Function: runs its backward and checks the gradients."""

    __slots__ = ("fn", "where")

    def __init__(self, fn, where):
        self.fn = fn
        self.where = where

    def backward(self, ctx, *grads):
        res = self.fn.backward(ctx, *grads)
        if _state["check_nan"]:
            outs = res if type(res) is tuple else (res,)
            for i, g in enumerate(outs):
                if g is not None and np.asarray(g).dtype.kind in "fc" and np.isnan(g).any():
                    name = type(ctx).__name__
                    if self.where:
                        warnings.warn(f"Error detected in {name}. Traceback of forward call that "
                                      f"caused the error:\n  {self.where}", UserWarning,
                                      stacklevel=2)
                    raise RuntimeError(f"Function '{name}' returned nan values in its {i}th "
                                       "output.")
        return res


def _checking_apply(cls, *args):
    from ..tensor import Tensor
    out = _orig_apply_fn(cls, *args)
    if not _state["depth"]:
        return out
    outs = out if type(out) is tuple else (out,)
    where = None
    node = None
    for o in outs:
        if isinstance(o, Tensor) and o.grad_fn is not None:
            node = o.grad_fn
            break
    if node is not None and isinstance(node, Node) and not node._user \
            and "_fn" not in node.__dict__:
        where = _user_frame()
        node._fn = _CheckedBackward(type(node)._fn, where)
    if _state["first"] is None:
        kind = None
        for o in outs:
            if isinstance(o, Tensor):
                kind = _bad(o._data)
                if kind:
                    break
        if kind and all(_bad(a._data) is None for a in args if isinstance(a, Tensor)):
            name = type(node).__name__ if node is not None else cls._node_cls.__name__
            _state["first"] = AnomalyRecord(cls.__name__, name, kind,
                                            where if where is not None else _user_frame())
    return out


def _enter(check_nan):
    with _lock:
        if _state["depth"] == 0:
            _state["first"] = None
            Function.apply = classmethod(_checking_apply)
        _state["depth"] += 1
        prev = _state["check_nan"]
        _state["check_nan"] = check_nan
    return prev


def _exit(prev_check_nan):
    with _lock:
        if _state["depth"] == 0:   # already switched off by set_detect_anomaly(False)
            return
        _state["depth"] -= 1
        _state["check_nan"] = prev_check_nan
        if _state["depth"] == 0:
            Function.apply = _orig_apply


def is_anomaly_enabled():
    """True while anomaly detection is on."""
    return _state["depth"] > 0


def is_anomaly_check_nan_enabled():
    return _state["depth"] > 0 and _state["check_nan"]


def nonfinite_op():
    """The first op that turned finite inputs into NaN/inf since anomaly mode was turned on
    (an ``AnomalyRecord``), or None."""
    return _state["first"]


class detect_anomaly:
    """Context manager (or decorator) turning on anomaly detection for autograd.

    >>> with ember.autograd.detect_anomaly():
    ...     loss = model(x).sum(); loss.backward()   # a NaN gradient names its op
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        self._prev = None
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self):
        self._prev = _enter(self.check_nan)
        return self

    def __exit__(self, *exc):
        _exit(self._prev)
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*a, **k):
            with detect_anomaly(self.check_nan):
                return fn(*a, **k)
        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off; usable as a function or as a context manager
    (which restores the previous setting on exit)."""

    def __init__(self, mode, check_nan=True):
        self._was = is_anomaly_enabled()
        self._prev_nan = _state["check_nan"]
        self._on = bool(mode)
        if self._on and not self._was:
            _enter(check_nan)
        elif not self._on and self._was:
            self._saved_depth = _state["depth"]
            while _state["depth"]:
                _exit(self._prev_nan)
        elif self._on:
            _state["check_nan"] = check_nan

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._on and not self._was:
            _exit(self._prev_nan)
        elif not self._on and self._was:
            for _ in range(self._saved_depth):
                _enter(self._prev_nan)
        else:
            _state["check_nan"] = self._prev_nan
        return False
