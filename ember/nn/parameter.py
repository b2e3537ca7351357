"""``nn.Parameter``: a leaf tensor that a Module registers as a learnable weight."""
import numpy as np

from ..tensor import Tensor, _new_tensor

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    """A tensor that requires grad (by default) and is registered when assigned to a Module."""

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            arr = np.empty((0,), np.float32)
        elif isinstance(data, Tensor):
            arr = data._data
        else:
            arr = np.asarray(data)
        t = _new_tensor(arr, cls)
        if requires_grad:
            t.requires_grad = True
        return t

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self._data, self._rg))

    def __deepcopy__(self, memo):
        t = Parameter(self._data.copy(), self._rg)
        if self.grad is not None:
            t.grad = _new_tensor(self.grad._data.copy())
        memo[id(self)] = t
        return t


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)


class Buffer(Tensor):
    """Marks a tensor to be registered as a Module buffer when assigned (``nn.Buffer``)."""

    __slots__ = ()

    def __new__(cls, data=None, *, persistent=True):
        t = _new_tensor(data._data if isinstance(data, Tensor) else np.asarray(data), cls)
        t.__dict__["persistent"] = persistent
        return t
