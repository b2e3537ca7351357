"""Warnings as PyTorch gives them: attributed to the user's line (the first frame outside
ember), and optionally only once per process, like PyTorch's TORCH_WARN_ONCE."""
import os
import sys
import warnings

__all__ = ["warn_user"]

_ROOT = os.path.dirname(os.path.abspath(__file__)) + os.sep
_ONCE = set()        # keys already warned about; tests clear it to see a warning again


def warn_user(message, category=UserWarning, once=None):
    """Warn at the first caller outside the ember package; with ``once`` (a key), only the
    first time in the process."""
    if once is not None:
        if once in _ONCE:
            return
        _ONCE.add(once)
    level, f = 2, sys._getframe(1)       # stacklevel 2 = warn_user's caller
    while f is not None and f.f_code.co_filename.startswith(_ROOT):
        f = f.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
