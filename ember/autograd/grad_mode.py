"""Grad mode: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

The flag lives in a one-element list that the op hot path reads directly.
"""
import functools

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode"]

_enabled = [True]


def is_grad_enabled():
    return _enabled[0]


class _GradMode:
    """Base of the grad-mode switches: a context manager and a decorator."""
    _mode = True

    def __enter__(self):
        self._prev = _enabled[0]
        _enabled[0] = self._mode

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        return False

    def __call__(self, fn):
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = _enabled[0]
            _enabled[0] = mode
            try:
                return fn(*args, **kwargs)
            finally:
                _enabled[0] = prev
        return wrapper


class no_grad(_GradMode):
    """Record no graph inside the block (inference, optimizer updates)."""
    _mode = False

    def __init__(self, orig_func=None):
        if callable(orig_func):  # bare @no_grad without parentheses
            raise TypeError("use @ember.no_grad() with parentheses")


class enable_grad(_GradMode):
    """Turn recording back on inside a no_grad block."""
    _mode = True


class inference_mode(_GradMode):
    """Like no_grad (ember has no separate inference tensors)."""

    def __init__(self, mode=True):
        self._mode = not mode


class set_grad_enabled(_GradMode):
    """Set grad mode now; as a context manager, restore the previous mode on exit."""

    def __init__(self, mode):
        self._prev = _enabled[0]
        self._mode = bool(mode)
        _enabled[0] = self._mode

    def __enter__(self):
        pass

    def __call__(self, fn):
        _enabled[0] = self._prev  # used as a decorator: don't change the mode now
        return super().__call__(fn)

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        return False
