"""Complex views and parts: ``real``, ``imag`` (write-through views), ``angle``, ``conj``,
``view_as_real``, ``view_as_complex``."""
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

from ._linalg_util import (_INF, _tn, _cn, _c, _mT, _mH, _real_dtype, _tensor, _check_expand, _broadcast_batch, _prod, _scale, _diag_embed, _safe_div)  # noqa: F401

# ----------------------------------------------------------------------------- complex views

class Real(Function):
    node_name = "SelectBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, a):
        return a.real

    @staticmethod
    def backward(ctx, g):
        return g


class Imag(Real):
    @staticmethod
    def forward(ctx, a):
        return a.imag

    @staticmethod
    def backward(ctx, g):
        return g * 1j


@register(method=False)
def real(input):
    """The real part of a complex tensor, as a view (a real tensor is returned as it is)."""
    a = _tensor(input, "real", "input", 1)
    if a.dtype.kind != "c":
        return input
    return Real.apply(input)


@register(method=False)
def imag(input):
    """The imaginary part of a complex tensor, as a view."""
    a = _tensor(input, "imag", "input", 1)
    if a.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return Imag.apply(input)


def _set_part(self, value, part):
    target = part(self)
    v = value._data if isinstance(value, Tensor) else value
    target._data[...] = v
    self._version[0] += 1


Tensor.real = property(real, lambda self, v: _set_part(self, v, real),
                       doc="The real part (a view for complex tensors; writes show through).")
Tensor.imag = property(imag, lambda self, v: _set_part(self, v, imag),
                       doc="The imaginary part of a complex tensor (a view).")


class Angle(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        if a.dtype.kind == "c":
            return xp.angle(a)
        r = xp.where(a < 0, math.pi, 0).astype(a.dtype)
        return xp.where(xp.isnan(a), a, r)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        if a.dtype.kind != "c":
            return xp.zeros_like(g)
        return _safe_div(g * a, (a * a.conj()).real) * 1j


@register()
def angle(input):
    """Element-wise argument (phase) in radians; 0 or pi for real inputs."""
    return Angle.apply(input)


class Conj(Function):
    @staticmethod
    def forward(ctx, a):
        return xp.conj(a)

    @staticmethod
    def backward(ctx, g):
        return _c(g)


class ConjPhysical(Conj):
    pass


@register()
def conj(input):
    """Complex conjugate (real tensors are returned as they are). ember materialises it: writes
    to the result do not show through to ``input``."""
    if _tensor(input, "conj", "input", 1).dtype.kind != "c":
        return input
    return Conj.apply(input)


@register(inplace=True)
def conj_physical(input):
    """Complex conjugate, computed."""
    if _tensor(input, "conj_physical", "input", 1).dtype.kind != "c":
        return input
    return ConjPhysical.apply(input)


@register()
def resolve_conj(input):
    """ember never holds lazy conjugates: the tensor itself."""
    return input


@register()
def resolve_neg(input):
    """ember never holds lazy negations: the tensor itself."""
    return input


@register()
def is_conj(input):
    return False


@register()
def is_neg(input):
    return False


class ViewAsReal(Function):
    is_view = True

    @staticmethod
    def forward(ctx, a):
        return a[..., None].view(_real_dtype(a.dtype))

    @staticmethod
    def backward(ctx, g):
        return g[..., 0] + 1j * g[..., 1]


class ViewAsComplex(Function):
    is_view = True

    @staticmethod
    def forward(ctx, a):
        cdt = np.complex64 if a.dtype == np.float32 else np.complex128
        return a.view(cdt)[..., 0]

    @staticmethod
    def backward(ctx, g):
        return g[..., None].view(_real_dtype(g.dtype))


@register(method=False)
def view_as_real(input):
    """A real view (..., 2) of a complex tensor: [..., 0] real, [..., 1] imaginary parts."""
    a = _tensor(input, "view_as_real", "input", 1)
    if a.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return ViewAsReal.apply(input)


@register(method=False)
def view_as_complex(input):
    """A complex view of a float tensor whose last dimension holds (real, imaginary) pairs."""
    a = _tensor(input, "view_as_complex", "input", 1)
    if a.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"view_as_complex is only supported for float and double tensors, but "
                           f"got a tensor of scalar type: {_tn(a)}")
    if a.ndim == 0 or a.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if a.strides[-1] != a.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    return ViewAsComplex.apply(input)
