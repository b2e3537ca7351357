"""Array module per device. "cpu" is NumPy; "cuda" (CuPy) will plug in here later.

Ops call ``xp`` functions on raw arrays and never import numpy directly for compute, so a
second backend changes this module only.
"""
import numpy as xp

from . import memory  # noqa: F401,E402  (allocator policy for large arrays, applied once)

__all__ = ["xp", "get_array_module"]


def get_array_module(arr=None):
    """The array module that owns ``arr`` (NumPy for every CPU array)."""
    return xp
