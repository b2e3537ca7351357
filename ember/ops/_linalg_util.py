"""Shared helpers of the linear-algebra op modules (transposes, checks, batch shapes)."""
import math
import operator
import warnings

import numpy as np   # dtype constants only; compute goes through xp

from ..backend import xp
from ..autograd.function import Function
from .._dtype import _FROM_NP, to_dtype
from ..tensor import Tensor, _wrap_dim
from .. import return_types
from ._registry import register


_INF = math.inf

# ----------------------------------------------------------------------------- helpers

_CPP = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
        "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
        "bool": "bool", "complex64": "c10::complex<float>",
        "complex128": "c10::complex<double>"}


def _tn(a):
    """PyTorch's scalar type name of an array's dtype ("Float", "Long", "ComplexFloat")."""
    return _FROM_NP[a.dtype]._tensor_type[:-6]


def _cn(a):
    """The C++ name PyTorch's BLAS checks print ("float", "long int")."""
    return _CPP[a.dtype.name]


def _c(x):
    """Complex conjugate of complex arrays; real arrays are returned as they are."""
    return x.conj() if x.dtype.kind == "c" else x


def _mT(x):
    return x.swapaxes(-1, -2)


def _mH(x):
    x = x.swapaxes(-1, -2)
    return x.conj() if x.dtype.kind == "c" else x


def _real_dtype(dt):
    return np.dtype(np.float32) if dt == np.complex64 else \
        np.dtype(np.float64) if dt == np.complex128 else dt


def _tensor(x, fname, arg, pos):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")
    return x._data


def _check_expand(shape, target):
    """PyTorch's error when ``shape`` does not broadcast to ``target`` (the beta * input term
    of the add* ops)."""
    if len(shape) > len(target):
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(shape)}}}, size={list(target)}): "
                           f"the number of sizes provided ({len(target)}) must be greater or "
                           f"equal to the number of dimensions in the tensor ({len(shape)})")
    off = len(target) - len(shape)
    for i, s in enumerate(shape):
        t = target[i + off]
        if s != 1 and s != t:
            raise RuntimeError(f"The expanded size of the tensor ({t}) must match the existing "
                               f"size ({s}) at non-singleton dimension {i + off}.  Target sizes: "
                               f"{list(target)}.  Tensor sizes: {list(shape)}")


def _broadcast_batch(sa, sb):
    """Broadcast two batch shapes with PyTorch's message on a mismatch."""
    n = max(len(sa), len(sb))
    pa = (1,) * (n - len(sa)) + tuple(sa)
    pb = (1,) * (n - len(sb)) + tuple(sb)
    out = []
    for i, (x, y) in enumerate(zip(pa, pb)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) "
                               f"at non-singleton dimension {i}")
        out.append(y if x == 1 else x)
    return tuple(out)


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _scale(g, s):
    if s == 1:
        return g
    if s == 0:
        return xp.zeros_like(g)
    return g * s


def _diag_embed(d):
    """Square matrices with ``d`` (..., n) on the diagonal."""
    n = d.shape[-1]
    out = xp.zeros(d.shape + (n,), d.dtype)
    r = xp.arange(n)
    out[..., r, r] = d
    return out


def _safe_div(num, den):
    """num / den with 0 where den == 0 (PyTorch masks the norm gradient at a zero norm)."""
    shape = xp.broadcast_shapes(num.shape, den.shape)
    out = xp.zeros(shape, xp.result_type(num, den))
    return xp.divide(num, den, out=out, where=den != 0)
