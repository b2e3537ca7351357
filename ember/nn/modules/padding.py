"""Padding layers: constant/zero, reflection, replication and circular, in 1, 2 and 3 dims.

``padding`` is stored as PyTorch stores it: an int becomes (left, right[, top, bottom[, front,
back]]). The kernels are ``F.pad``'s (``ember.ops.vision_ops``)."""
from .module import Module
from ...ops.vision_ops import _pad

__all__ = ["ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d",
           "ZeroPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]


def _ntuple(v, n):
    return tuple(v) if isinstance(v, (list, tuple)) else (v,) * n


class _PadNd(Module):
    _mode = "constant"
    _n = 2

    def __init__(self, padding):
        super().__init__()
        self.padding = _ntuple(padding, self._n)

    def forward(self, input):
        return _pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return _pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dimension with a constant."""
    _n = 2


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dimensions with a constant."""
    _n = 4


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dimensions with a constant."""
    _n = 6


class ZeroPad1d(ConstantPad1d):
    """Pad the last dimension with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dimensions with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pad the last three dimensions with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


def _make(name, mode, n, doc):
    return type(name, (_PadNd,), {"_mode": mode, "_n": n, "__doc__": doc,
                                  "__module__": __name__})


ReflectionPad1d = _make("ReflectionPad1d", "reflect", 2, "Pad the last dimension by mirroring.")
ReflectionPad2d = _make("ReflectionPad2d", "reflect", 4,
                        "Pad the last two dimensions by mirroring (edge not repeated).")
ReflectionPad3d = _make("ReflectionPad3d", "reflect", 6,
                        "Pad the last three dimensions by mirroring.")
ReplicationPad1d = _make("ReplicationPad1d", "replicate", 2,
                         "Pad the last dimension by repeating the edge value.")
ReplicationPad2d = _make("ReplicationPad2d", "replicate", 4,
                         "Pad the last two dimensions by repeating the edge values.")
ReplicationPad3d = _make("ReplicationPad3d", "replicate", 6,
                         "Pad the last three dimensions by repeating the edge values.")
CircularPad1d = _make("CircularPad1d", "circular", 2,
                      "Pad the last dimension by wrapping around.")
CircularPad2d = _make("CircularPad2d", "circular", 4,
                      "Pad the last two dimensions by wrapping around.")
CircularPad3d = _make("CircularPad3d", "circular", 6,
                      "Pad the last three dimensions by wrapping around.")
