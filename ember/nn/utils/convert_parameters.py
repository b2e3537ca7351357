"""Flatten parameters into one vector and back."""
import numpy as np

from ...tensor import _new_tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    """All parameters, flattened and concatenated into one 1-d tensor (a copy)."""
    params = list(parameters)
    return _new_tensor(np.concatenate([p._data.reshape(-1) for p in params]))


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of ``vec`` into the parameters, in place."""
    from ...tensor import Tensor
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    v = vec._data
    ptr = 0
    for p in parameters:
        n = p._data.size
        p._data[...] = v[ptr:ptr + n].reshape(p._data.shape)
        p._version[0] += 1
        ptr += n
