"""Reductions and order statistics: sum, mean, std/var, prod, max/min, cumulative ops,
logsumexp, any/all, sort/topk, median/mode/kthvalue, unique, count_nonzero.

Each op is one Function on arrays with PyTorch's ``dim``/``keepdim`` semantics: ``dim`` is an
int, a sequence of ints or None (all dims), negative dims count from the end. Backward passes
expand the output gradient back over the reduced dims; ops that pick elements (max with dim,
sort, median ...) send it to the picked indices, full-tensor max/min/median split it evenly
among ties, as PyTorch does.
"""
import builtins as _b
import operator

import numpy as np

from ..backend import xp
from ..autograd.function import Function
from .._dtype import to_dtype, get_default_dtype, _FROM_NP
from ..tensor import Tensor, _new_tensor, _wrap_dim
from .. import return_types
from . import elementwise as _ew
from ._registry import register

_I64 = np.dtype(np.int64)
_U8 = np.dtype(np.uint8)
_NODIM = object()     # "dim not given" (torch names the no-dim and dim=None nodes differently)


# ----------------------------------------------------------------------------- dim helpers

def _index(d, name, what="dim"):
    try:
        return operator.index(d)
    except TypeError:
        raise TypeError(f"{name}(): argument '{what}' must be int, not {type(d).__name__}") \
            from None


def _dims(dim, ndim, name="reduction", empty_all=True):
    """``dim`` as a tuple of non-negative axes, or None for every dim. An empty sequence means
    every dim (``empty_all``) or none. A 0-d tensor accepts dims 0 and -1 and reduces nothing."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        if not dim:
            return None if empty_all else ()
        out = []
        for d in dim:
            w = _wrap_dim(_index(d, name), ndim)
            if w in out:
                raise RuntimeError(f"dim {w} appears multiple times in the list of dims")
            out.append(w)
    else:
        if type(dim) is float:
            raise TypeError(f"{name}(): argument 'dim' must be tuple of ints, not float")
        out = [_wrap_dim(_index(dim, name), ndim)]
    return tuple(out) if ndim else ()


def _dim1(dim, ndim, name):
    """A single dim, wrapped (0 for a 0-d tensor)."""
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    return _wrap_dim(_index(dim, name), ndim)


def _kshape(shape, axes):
    """Shape of the reduction with keepdim=True."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _oshape(shape, axes, keepdim):
    if keepdim:
        return _kshape(shape, axes)
    if axes is None:
        return ()
    return tuple(s for i, s in enumerate(shape) if i not in axes)


def _count(shape, axes):
    n = 1
    for i, s in enumerate(shape):
        if axes is None or i in axes:
            n *= s
    return n


def _expand(g, shape, axes, keepdim):
    """The gradient of a reduction's output spread over its input's shape (a new array)."""
    if not keepdim and axes:
        g = g.reshape(_kshape(shape, axes))
    r = xp.empty(shape, g.dtype)
    r[...] = g
    return r


def _keep(g, shape, axes, keepdim):
    """The output gradient reshaped to keepdim form (broadcastable against the input)."""
    if keepdim or not shape:
        return g
    return g.reshape(_kshape(shape, axes))


def _np_dtype(dtype):
    return None if dtype is None else to_dtype(dtype).np


def _type_name(npdt):
    return _FROM_NP[npdt]._tensor_type[:-6]


def _nonempty(a, d, name, sep="()"):
    if a.ndim and a.shape[d] == 0:
        raise IndexError(f"{name}{sep}: Expected reduction dim {d} to have non-zero size.")


def _alias(dim, keepdim, axis, keepdims):
    """numpy-style ``axis=``/``keepdims=`` spellings, which PyTorch accepts too."""
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return dim, keepdim


# ----------------------------------------------------------------------------- sum, mean


class Sum(Function):
    """``x.sum()`` (and ``x.sum(dtype=...)``): the lean no-dim path."""

    @staticmethod
    def forward(ctx, a, dt=None):
        if dt is not None:
            return a.astype(dt, copy=False).sum(dtype=dt)
        if a.dtype.kind in "biu":
            return a.sum(dtype=_I64)
        return xp.add.reduce(a, axis=None)

    @staticmethod
    def backward(ctx, g):
        r = xp.empty(ctx.next[0][2], g.dtype)
        r[...] = g
        return r


class SumDim(Function):
    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx, a, axes, keepdim, dt):
        if dt is not None:
            a = a.astype(dt, copy=False)
        elif a.dtype.kind in "biu":
            dt = _I64
        ctx.axes, ctx.keepdim = axes, keepdim
        return a.sum(axis=axes, keepdims=keepdim, dtype=dt)

    @staticmethod
    def backward(ctx, g):
        return _expand(g, ctx.next[0][2], ctx.axes, ctx.keepdim)


@register()
def sum(input, dim=_NODIM, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    """Sum of all elements, or over ``dim``. bool and integer tensors sum to int64."""
    if dim is _NODIM:
        if axis is None and not keepdim and keepdims is None:
            if dtype is None:
                return Sum.apply(input)
            return Sum.apply(input, to_dtype(dtype).np)
        dim = None
    dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    return SumDim.apply(input, _dims(dim, input._data.ndim, "sum"), bool(keepdim),
                        _np_dtype(dtype))


class Nansum(Function):
    @staticmethod
    def forward(ctx, a, axes, keepdim, dt):
        if dt is not None:
            a = a.astype(dt, copy=False)
        elif a.dtype.kind in "biu":
            dt = _I64
        ctx.axes, ctx.keepdim = axes, keepdim
        if a.dtype.kind in "fc":
            ctx.save_for_backward(a)
            return xp.nansum(a, axis=axes, keepdims=keepdim)
        return a.sum(axis=axes, keepdims=keepdim, dtype=dt)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return _keep(g, a.shape, ctx.axes, ctx.keepdim) * ~xp.isnan(a)


@register()
def nansum(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    """Sum treating NaN as zero."""
    dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    return Nansum.apply(input, _dims(dim, input._data.ndim, "nansum"), bool(keepdim),
                        _np_dtype(dtype))


class Mean(Function):
    @staticmethod
    def forward(ctx, a, axes, keepdim, dt):
        if dt is not None:
            a = a.astype(dt, copy=False)
        n = _count(a.shape, axes)
        ctx.axes, ctx.keepdim, ctx.n = axes, keepdim, n
        if n == 0:
            return xp.full(_oshape(a.shape, axes, keepdim), xp.nan, a.dtype)
        return a.mean(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        shape = ctx.next[0][2]
        if ctx.n == 0:
            return xp.zeros(shape, g.dtype)
        return _expand(g / ctx.n, shape, ctx.axes, ctx.keepdim)


class MeanDim(Mean):
    node_name = "MeanBackward1"


@register()
def mean(input, dim=_NODIM, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    """Arithmetic mean; floating (or complex) inputs only unless ``dtype`` is given."""
    a = input._data
    if dtype is None and a.dtype.kind not in "fc":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {_type_name(a.dtype)}")
    dt = _np_dtype(dtype)
    if dim is _NODIM:
        if axis is None and not keepdim and keepdims is None:
            return Mean.apply(input, None, False, dt)
        dim = None
    dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    return MeanDim.apply(input, _dims(dim, a.ndim, "mean"), bool(keepdim), dt)


class Nanmean(Function):
    node_name = "DivBackward0"   # PyTorch composes nanmean as nansum / count

    @staticmethod
    def forward(ctx, a, axes, keepdim, dt):
        if dt is not None:
            a = a.astype(dt, copy=False)
        ok = ~xp.isnan(a)
        cnt = ok.sum(axis=axes, keepdims=True).astype(a.dtype)
        s = xp.where(ok, a, 0).sum(axis=axes, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = s / cnt
        ctx.axes, ctx.keepdim = axes, keepdim
        ctx.save_for_backward(ok, cnt)
        return out if keepdim else out.reshape(_oshape(a.shape, axes, False))

    @staticmethod
    def backward(ctx, g):
        ok, cnt = ctx.saved_arrays
        return ok * (_keep(g, ok.shape, ctx.axes, ctx.keepdim) / cnt)


@register()
def nanmean(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    """Mean of the non-NaN elements."""
    a = input._data
    if dtype is None and a.dtype.kind not in "fc":
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {_type_name(a.dtype)}")
    dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    return Nanmean.apply(input, _dims(dim, a.ndim, "nanmean"), bool(keepdim), _np_dtype(dtype))


# ----------------------------------------------------------------------------- var, std


def _moments(a, axes, correction):
    """(variance and mean in keepdim form, deviations x - mean, N - correction). The variance
    divides by max(0, N - correction); the gradient, as PyTorch's, by N - correction itself."""
    n = _count(a.shape, axes)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = a.sum(axis=axes, keepdims=True) / n if n else \
            xp.full(_kshape(a.shape, axes), xp.nan, a.dtype)
        d = a - m
        sq = d * d if a.dtype.kind != "c" else (d.real * d.real + d.imag * d.imag)
        var = sq.sum(axis=axes, keepdims=True) / _b.max(0, n - correction)
    return var, m, d, n - correction


def _var_grad(g_k, d, dof):
    f = 2.0 / dof if dof else np.inf
    with np.errstate(invalid="ignore"):
        return d * (g_k * f)


def _std_grad(g_k, d, std, dof):
    with np.errstate(divide="ignore", invalid="ignore"):
        s = xp.where(std == 0, 0, g_k / std)     # d std = d var / (2 std), 0 where std == 0
    return _var_grad(s * 0.5, d, dof)


class Var(Function):
    @staticmethod
    def forward(ctx, a, axes, keepdim, correction):
        var, m, d, dof = _moments(a, axes, correction)
        ctx.axes, ctx.keepdim, ctx.dof = axes, keepdim, dof
        ctx.save_for_backward(d)
        return var if keepdim else var.reshape(_oshape(a.shape, axes, False))

    @staticmethod
    def backward(ctx, g):
        d, = ctx.saved_arrays
        return _var_grad(_keep(g, d.shape, ctx.axes, ctx.keepdim), d, ctx.dof)


class Std(Function):
    @staticmethod
    def forward(ctx, a, axes, keepdim, correction):
        var, m, d, dof = _moments(a, axes, correction)
        std = xp.sqrt(var)
        ctx.axes, ctx.keepdim, ctx.dof = axes, keepdim, dof
        ctx.save_for_backward(d, std)
        return std if keepdim else std.reshape(_oshape(a.shape, axes, False))

    @staticmethod
    def backward(ctx, g):
        d, std = ctx.saved_arrays
        return _std_grad(_keep(g, d.shape, ctx.axes, ctx.keepdim), d, std, ctx.dof)


class VarMean(Function):
    @staticmethod
    def forward(ctx, a, axes, keepdim, correction):
        var, m, d, dof = _moments(a, axes, correction)
        ctx.axes, ctx.keepdim, ctx.dof = axes, keepdim, dof
        ctx.n = _count(a.shape, axes)
        ctx.save_for_backward(d)
        if keepdim:
            return var, m
        o = _oshape(a.shape, axes, False)
        return var.reshape(o), m.reshape(o)

    @staticmethod
    def backward(ctx, gv, gm):
        d, = ctx.saved_arrays
        r = None
        if gv is not None:
            r = _var_grad(_keep(gv, d.shape, ctx.axes, ctx.keepdim), d, ctx.dof)
        if gm is not None:
            t = _expand(gm / ctx.n, d.shape, ctx.axes, ctx.keepdim) if ctx.n else None
            if t is not None:
                r = t if r is None else r + t
        return r


class StdMean(Function):
    @staticmethod
    def forward(ctx, a, axes, keepdim, correction):
        var, m, d, dof = _moments(a, axes, correction)
        std = xp.sqrt(var)
        ctx.axes, ctx.keepdim, ctx.dof = axes, keepdim, dof
        ctx.n = _count(a.shape, axes)
        ctx.save_for_backward(d, std)
        if keepdim:
            return std, m
        o = _oshape(a.shape, axes, False)
        return std.reshape(o), m.reshape(o)

    @staticmethod
    def backward(ctx, gs, gm):
        d, std = ctx.saved_arrays
        r = None
        if gs is not None:
            r = _std_grad(_keep(gs, d.shape, ctx.axes, ctx.keepdim), d, std, ctx.dof)
        if gm is not None and ctx.n:
            t = _expand(gm / ctx.n, d.shape, ctx.axes, ctx.keepdim)
            r = t if r is None else r + t
        return r


def _var_args(input, dim, unbiased, keepdim, correction, axis, keepdims):
    if type(dim) is bool:            # std(input, unbiased)
        if unbiased is not None:
            raise TypeError("std/var(): got the bool 'unbiased' twice (as dim and unbiased)")
        dim, unbiased = None, dim
    dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    if unbiased is not None and correction is not None:
        raise TypeError("std/var(): pass either 'unbiased' or 'correction', not both")
    c = 1 if correction is None else correction
    if unbiased is not None:
        c = int(bool(unbiased))
    a = input._data
    if a.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    return _dims(dim, a.ndim, "std"), bool(keepdim), c


@register()
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
        keepdims=None):
    """Variance over ``dim`` with divisor N - correction (1 by default: Bessel's correction)."""
    return Var.apply(input, *_var_args(input, dim, unbiased, keepdim, correction, axis,
                                       keepdims))


@register()
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
        keepdims=None):
    """Standard deviation: sqrt of :func:`var` with the same arguments."""
    return Std.apply(input, *_var_args(input, dim, unbiased, keepdim, correction, axis,
                                       keepdims))


@register(method=False)
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
             keepdims=None):
    """(var, mean) computed in one pass over the data."""
    return VarMean.apply(input, *_var_args(input, dim, unbiased, keepdim, correction, axis,
                                           keepdims))


@register(method=False)
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None,
             keepdims=None):
    """(std, mean) computed in one pass over the data."""
    return StdMean.apply(input, *_var_args(input, dim, unbiased, keepdim, correction, axis,
                                           keepdims))


# ----------------------------------------------------------------------------- prod


class Prod(Function):
    @staticmethod
    def forward(ctx, a, axes, keepdim, dt):
        if dt is not None:
            a = a.astype(dt, copy=False)
        elif a.dtype.kind in "biu":
            dt = _I64
        y = a.prod(axis=axes, keepdims=True, dtype=dt)
        ctx.axes, ctx.keepdim = axes, keepdim
        ctx.save_for_backward(a, y)
        return y if keepdim else y.reshape(_oshape(a.shape, axes, False))

    @staticmethod
    def backward(ctx, g):
        a, y = ctx.saved_arrays
        axes = ctx.axes
        gk = _keep(g, a.shape, axes, ctx.keepdim)
        zero = a == 0
        if not zero.any():
            return gk * (y / a)
        # with zeros: the product of the others is nonzero only at a slice's single zero
        nz = zero.sum(axis=axes, keepdims=True)
        safe = xp.where(zero, 1, a)
        p = safe.prod(axis=axes, keepdims=True)
        r = xp.where(nz == 0, y / safe, xp.where(zero & (nz == 1), p, 0))
        return gk * r


class ProdDim(Prod):
    node_name = "ProdBackward1"


@register()
def prod(input, dim=_NODIM, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    """Product of all elements, or along one ``dim``. bool and integer inputs give int64."""
    dt = _np_dtype(dtype)
    if dim is _NODIM and axis is None:
        return Prod.apply(input, None, False, dt)
    dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    ndim = input._data.ndim
    d = _dim1(dim, ndim, "prod")
    return ProdDim.apply(input, (d,) if ndim else (), bool(keepdim), dt)


# ----------------------------------------------------------------------------- max, min


def _evenly(g, a, v, axes, keepdim, nan_equal=False):
    """Gradient of a value picked from ``a`` (amax, amin, median ...), split evenly among the
    elements equal to it. With ``nan_equal`` (full max/min/median) a NaN result sends it to the
    NaNs; otherwise (amax/amin/aminmax, as PyTorch) a NaN slice gets NaN gradients."""
    mask = a == v
    if nan_equal and a.dtype.kind in "fc":
        vn = xp.isnan(v)
        if vn.any():
            mask |= xp.isnan(a) & vn
    cnt = mask.sum(axis=axes, keepdims=True).astype(g.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        return mask * (_keep(g, a.shape, axes, keepdim) / cnt)


class Amax(Function):
    @staticmethod
    def forward(ctx, a, axes=None, keepdim=False):
        v = a.max(axis=axes, keepdims=True)
        ctx.axes, ctx.keepdim = axes, keepdim
        ctx.save_for_backward(a, v)
        return v if keepdim else v.reshape(_oshape(a.shape, axes, False))

    @staticmethod
    def backward(ctx, g):
        a, v = ctx.saved_arrays
        return _evenly(g, a, v, ctx.axes, ctx.keepdim)


class Amin(Amax):
    @staticmethod
    def forward(ctx, a, axes=None, keepdim=False):
        v = a.min(axis=axes, keepdims=True)
        ctx.axes, ctx.keepdim = axes, keepdim
        ctx.save_for_backward(a, v)
        return v if keepdim else v.reshape(_oshape(a.shape, axes, False))


def _evenly_all(ctx, g):
    a, v = ctx.saved_arrays
    return _evenly(g, a, v, None, False, nan_equal=True)


class MaxAll(Amax):
    node_name = "MaxBackward1"
    backward = staticmethod(_evenly_all)


class MinAll(Amin):
    node_name = "MinBackward1"
    backward = staticmethod(_evenly_all)


class _Picked(Function):
    """Ops whose outputs are elements picked along ``ctx.dim`` at saved indices: the gradient
    goes back to those positions."""

    @staticmethod
    def backward(ctx, g, gi=None):
        if g is None:
            return None
        shape = ctx.next[0][2]
        if not shape:
            return g.reshape(())
        idx, = ctx.saved_arrays
        d = ctx.dim
        if not ctx.keepdim:
            g = xp.expand_dims(g, d)
        out = xp.zeros(shape, g.dtype)
        xp.put_along_axis(out, idx, g, axis=d)
        return out


def _picked(ctx, a, idx_k, d, keepdim):
    """Values of ``a`` at ``idx_k`` (keepdim form) along ``d``; saves what backward needs."""
    v = xp.take_along_axis(a, idx_k, axis=d)
    ctx.dim, ctx.keepdim = d, keepdim
    ctx.save_for_backward(idx_k)
    if keepdim:
        return v, idx_k
    return v.squeeze(d), idx_k.squeeze(d)


def _scalar_pick(a):
    return a.copy(), xp.zeros((), _I64)


class MaxDim(_Picked):
    node_name = "MaxBackward0"

    @staticmethod
    def forward(ctx, a, d, keepdim):
        if a.ndim == 0:
            return _scalar_pick(a)
        return _picked(ctx, a, xp.argmax(a, axis=d, keepdims=True), d, keepdim)


class MinDim(_Picked):
    node_name = "MinBackward0"

    @staticmethod
    def forward(ctx, a, d, keepdim):
        if a.ndim == 0:
            return _scalar_pick(a)
        return _picked(ctx, a, xp.argmin(a, axis=d, keepdims=True), d, keepdim)


def _extreme(name, all_cls, dim_cls, rtype, binary, input, dim, keepdim, other, axis, keepdims):
    if other is not None:
        return getattr(_ew, binary)(input, other)
    if isinstance(dim, Tensor):
        return getattr(_ew, binary)(input, dim)
    dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    a = input._data
    if dim is None:
        if a.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        return all_cls.apply(input)
    d = _dim1(dim, a.ndim, name)
    _nonempty(a, d, name)
    return rtype(*dim_cls.apply(input, d, bool(keepdim)))


@register()
def max(input, dim=None, keepdim=False, *, other=None, axis=None, keepdims=None):
    """Largest element; with ``dim`` a (values, indices) tuple; ``max(a, b)`` is
    :func:`maximum`. NaN propagates."""
    return _extreme("max", MaxAll, MaxDim, return_types.max, "maximum", input, dim, keepdim,
                    other, axis, keepdims)


@register()
def min(input, dim=None, keepdim=False, *, other=None, axis=None, keepdims=None):
    """Smallest element; with ``dim`` a (values, indices) tuple; ``min(a, b)`` is
    :func:`minimum`. NaN propagates."""
    return _extreme("min", MinAll, MinDim, return_types.min, "minimum", input, dim, keepdim,
                    other, axis, keepdims)


def _amax_args(name, input, dim, keepdim, axis, keepdims):
    dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    a = input._data
    axes = _dims(dim, a.ndim, name)
    if a.size == 0:
        if axes is None:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        for d in axes:
            _nonempty(a, d, name)
    return axes, bool(keepdim)


@register()
def amax(input, dim=(), keepdim=False, *, axis=None, keepdims=None):
    """Largest value over ``dim`` (all dims by default); the gradient is split among ties."""
    return Amax.apply(input, *_amax_args("amax", input, dim, keepdim, axis, keepdims))


@register()
def amin(input, dim=(), keepdim=False, *, axis=None, keepdims=None):
    """Smallest value over ``dim`` (all dims by default); the gradient is split among ties."""
    return Amin.apply(input, *_amax_args("amin", input, dim, keepdim, axis, keepdims))


class Aminmax(Function):
    @staticmethod
    def forward(ctx, a, axes, keepdim):
        lo = a.min(axis=axes, keepdims=True)
        hi = a.max(axis=axes, keepdims=True)
        ctx.axes, ctx.keepdim = axes, keepdim
        ctx.save_for_backward(a, lo, hi)
        if keepdim:
            return lo, hi
        o = _oshape(a.shape, axes, False)
        return lo.reshape(o), hi.reshape(o)

    @staticmethod
    def backward(ctx, glo, ghi):
        a, lo, hi = ctx.saved_arrays
        r = None
        if glo is not None:
            r = _evenly(glo, a, lo, ctx.axes, ctx.keepdim)
        if ghi is not None:
            t = _evenly(ghi, a, hi, ctx.axes, ctx.keepdim)
            r = t if r is None else r + t
        return r


@register()
def aminmax(input, *, dim=None, keepdim=False):
    """(min, max) in one call, over ``dim`` or the whole tensor."""
    a = input._data
    if dim is None:
        if a.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity.")
        axes = None
    else:
        d = _dim1(dim, a.ndim, "aminmax")
        _nonempty(a, d, "aminmax", "")
        axes = (d,) if a.ndim else ()
    return return_types.aminmax(*Aminmax.apply(input, axes, bool(keepdim)))


def _arg_extreme(name, fn, input, dim, keepdim, axis, keepdims):
    dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    a = input._data
    if a.dtype.kind == "b":
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        if a.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        r = xp.asarray(fn(a), dtype=_I64)
        if keepdim:
            r = r.reshape((1,) * a.ndim)
        return _new_tensor(r)
    d = _dim1(dim, a.ndim, name)
    if a.ndim == 0:
        return _new_tensor(xp.zeros((), _I64))
    _nonempty(a, d, name)
    return _new_tensor(fn(a, axis=d, keepdims=bool(keepdim)).astype(_I64, copy=False))


@register()
def argmax(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Index of the largest element (of the flattened tensor when ``dim`` is None); the first
    one among ties, a NaN's if there is one."""
    return _arg_extreme("argmax", xp.argmax, input, dim, keepdim, axis, keepdims)


@register()
def argmin(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Index of the smallest element (of the flattened tensor when ``dim`` is None)."""
    return _arg_extreme("argmin", xp.argmin, input, dim, keepdim, axis, keepdims)


# ----------------------------------------------------------------------------- cumulative


class Cumsum(Function):
    @staticmethod
    def forward(ctx, a, d, dt):
        if dt is None and a.dtype.kind in "biu":
            dt = _I64
        if dt is not None:
            a = a.astype(dt, copy=False)
        if a.ndim == 0:
            return a.copy()
        ctx.dim = d
        return xp.cumsum(a, axis=d)

    @staticmethod
    def backward(ctx, g):
        if g.ndim == 0:
            return g
        d = ctx.dim
        return xp.flip(xp.cumsum(xp.flip(g, d), axis=d), d)


class Cumprod(Function):
    @staticmethod
    def forward(ctx, a, d, dt):
        if dt is None and a.dtype.kind in "biu":
            dt = _I64
        if dt is not None:
            a = a.astype(dt, copy=False)
        if a.ndim == 0:
            return a.copy()
        y = xp.cumprod(a, axis=d)
        ctx.dim = d
        ctx.save_for_backward(a, y)
        return y

    @staticmethod
    def backward(ctx, g):
        if g.ndim == 0:
            return g
        a, y = ctx.saved_arrays
        d = ctx.dim
        if not (a == 0).any():
            return xp.flip(xp.cumsum(xp.flip(g * y, d), axis=d), d) / a
        # zeros present: dy_j/dx_k = prod(x[:k]) * prod(x[k+1:j+1]), accumulated backwards as
        # S_k = g_k + x_{k+1} S_{k+1}; grad_k = prod(x[:k]) * S_k (no division by zero)
        am, gm, ym = (xp.moveaxis(t, d, -1) for t in (a, g, y))
        n = am.shape[-1]
        out = xp.empty(am.shape, g.dtype)
        s = gm[..., n - 1]
        out[..., n - 1] = s * ym[..., n - 2] if n > 1 else s
        for k in range(n - 2, -1, -1):
            s = gm[..., k] + am[..., k + 1] * s
            out[..., k] = s * ym[..., k - 1] if k else s
        return xp.moveaxis(out, -1, d)


@register(inplace=True)
def cumsum(input, dim=None, *, dtype=None, axis=None):
    """Running sums along ``dim``; bool and integer inputs accumulate in int64."""
    if axis is not None:
        dim = axis
    if dim is None:
        raise TypeError("cumsum() missing 1 required positional arguments: \"dim\"")
    return Cumsum.apply(input, _dim1(dim, input._data.ndim, "cumsum"), _np_dtype(dtype))


@register(inplace=True)
def cumprod(input, dim=None, *, dtype=None, axis=None):
    """Running products along ``dim``; the gradient is exact even with zeros in the input."""
    if axis is not None:
        dim = axis
    if dim is None:
        raise TypeError("cumprod() missing 1 required positional arguments: \"dim\"")
    return Cumprod.apply(input, _dim1(dim, input._data.ndim, "cumprod"), _np_dtype(dtype))


# ----------------------------------------------------------------------------- logsumexp


class Logsumexp(Function):
    @staticmethod
    def forward(ctx, a, axes, keepdim):
        if a.dtype.kind in "biu":
            a = a.astype(get_default_dtype().np)
        m = a.max(axis=axes, keepdims=True, initial=-np.inf)
        m = xp.where(xp.isinf(m), 0, m)     # all -inf (or +inf) slices: keep them finite
        with np.errstate(divide="ignore"):
            out = xp.log(xp.exp(a - m).sum(axis=axes, keepdims=True)) + m
        ctx.axes, ctx.keepdim = axes, keepdim
        ctx.save_for_backward(a, out)
        return out if keepdim else out.reshape(_oshape(a.shape, axes, False))

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_arrays
        with np.errstate(invalid="ignore"):
            return _keep(g, a.shape, ctx.axes, ctx.keepdim) * xp.exp(a - out)


@register()
def logsumexp(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """log(sum(exp(input))) over ``dim``, computed without overflow."""
    dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    if dim is None:
        raise TypeError("logsumexp() missing 1 required positional arguments: \"dim\"")
    return Logsumexp.apply(input, _dims(dim, input._data.ndim, "logsumexp"), bool(keepdim))


# ----------------------------------------------------------------------------- any, all, count


def _logical(fn, name, input, dim, keepdim, axis, keepdims):
    dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    a = input._data
    r = xp.asarray(fn(a, axis=_dims(dim, a.ndim, name, empty_all=False),
                      keepdims=bool(keepdim)))
    if a.dtype == _U8:
        r = r.astype(_U8)
    return _new_tensor(r)


@register()
def any(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Whether any element (over ``dim``) is nonzero; bool result (uint8 for uint8 input)."""
    return _logical(xp.any, "any", input, dim, keepdim, axis, keepdims)


@register()
def all(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Whether every element (over ``dim``) is nonzero; bool result (uint8 for uint8 input)."""
    return _logical(xp.all, "all", input, dim, keepdim, axis, keepdims)


@register()
def count_nonzero(input, dim=None):
    """Number of nonzero elements over ``dim`` (all by default), as int64."""
    a = input._data
    return _new_tensor(xp.asarray((a != 0).sum(axis=_dims(dim, a.ndim, "count_nonzero"),
                                               dtype=_I64)))


# ----------------------------------------------------------------------------- sorting


def _argsort(a, d, descending):
    """Stable argsort along ``d``; descending keeps equal elements in index order and puts
    NaN first, as PyTorch."""
    if not descending:
        return xp.argsort(a, axis=d, kind="stable")
    i = xp.flip(xp.argsort(xp.flip(a, d), axis=d, kind="stable"), d)
    return (a.shape[d] - 1) - i


class Sort(_Picked):
    @staticmethod
    def forward(ctx, a, d, descending):
        if a.ndim == 0:
            return _scalar_pick(a)
        return _picked(ctx, a, _argsort(a, d, descending), d, True)


class SortStable(Sort):
    node_name = "SortBackward1"


@register()
def sort(input, dim=-1, descending=False, stable=None, *, axis=None):
    """(values, indices) sorted along ``dim``. The sort is always stable (ties keep index
    order); passing ``stable=`` only selects PyTorch's other overload."""
    if axis is not None:
        dim = axis
    d = _dim1(dim, input._data.ndim, "sort")
    cls = Sort if stable is None else SortStable
    return return_types.sort(*cls.apply(input, d, bool(descending)))


@register()
def argsort(input, dim=-1, descending=False, stable=False, *, axis=None):
    """Indices that sort ``input`` along ``dim`` (stable)."""
    if axis is not None:
        dim = axis
    a = input._data
    d = _dim1(dim, a.ndim, "argsort")
    if a.ndim == 0:
        return _new_tensor(xp.zeros((), _I64))
    return _new_tensor(_argsort(a, d, bool(descending)).astype(_I64, copy=False))


def _first(idx, d, k):
    sl = [slice(None)] * idx.ndim
    sl[d] = slice(0, k)
    return xp.ascontiguousarray(idx[tuple(sl)])


def _order_masks(a, t, largest):
    """Masks of the elements of ``a`` that come strictly before the threshold ``t`` (keepdim
    form) in ascending order (descending when ``largest``), NaN being the largest value, and of
    the elements equal to it."""
    if a.dtype.kind not in "fc" or not xp.isnan(a).any():
        return (a > t if largest else a < t), a == t
    an, tn = xp.isnan(a), xp.isnan(t)
    eq = (a == t) | (an & tn)
    if largest:
        return ((a > t) | an) & ~tn, eq
    return (a < t) | (~an & tn), eq


def _kth_index(a, d, k0):
    """Index along ``d`` of the element at 0-based position ``k0`` of a stable ascending sort
    (NaN last), found with a partition instead of a full sort."""
    t = xp.take(xp.partition(a, k0, axis=d), [k0], axis=d)
    before, eq = _order_masks(a, t, False)
    r = k0 - before.sum(axis=d, keepdims=True)          # rank of the wanted one among equals
    if not r.any():
        return xp.argmax(eq, axis=d, keepdims=True)
    return xp.argmax(xp.cumsum(eq, axis=d) > r, axis=d, keepdims=True)


def _topk_index(a, d, k, largest):
    """Indices of the ``k`` first elements of a stable sort along ``d`` (descending when
    ``largest``): a partition picks them, then only those k are sorted."""
    n = a.shape[d]
    if k == 0 or k * 8 >= n:
        return _first(_argsort(a, d, largest), d, k)
    k0 = n - k if largest else k - 1
    t = xp.take(xp.partition(a, k0, axis=d), [k0], axis=d)
    before, eq = _order_masks(a, t, largest)
    sel = before | eq
    if not (xp.count_nonzero(sel, axis=d) == k).all():   # ties at the threshold: take the
        need = k - before.sum(axis=d, keepdims=True)      # lowest-index equals
        sel = before | (eq & (xp.cumsum(eq, axis=d) <= need))
    m = xp.ascontiguousarray(xp.moveaxis(sel, d, -1))
    pos = xp.flatnonzero(m) % n                          # exactly k per slice, in index order
    idx = xp.moveaxis(pos.reshape(m.shape[:-1] + (k,)), -1, d)
    order = _argsort(xp.take_along_axis(a, idx, axis=d), d, largest)
    return xp.take_along_axis(idx, order, axis=d)


class Topk(_Picked):
    @staticmethod
    def forward(ctx, a, k, d, largest):
        if a.ndim == 0:
            return _scalar_pick(a)
        return _picked(ctx, a, _topk_index(a, d, k, largest), d, True)


@register()
def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices, in sorted
    order (NaN counts as largest; equal elements in index order)."""
    k = _index(k, "topk", "k")
    a = input._data
    d = _dim1(dim, a.ndim, "topk")
    n = a.shape[d] if a.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if a.dtype.kind == "b":
        raise RuntimeError("topk does not support bool dtypes on CPU")
    return return_types.topk(*Topk.apply(input, k, d, bool(largest)))


class Kthvalue(_Picked):
    @staticmethod
    def forward(ctx, a, k, d, keepdim):
        if a.ndim == 0:
            return _scalar_pick(a)
        return _picked(ctx, a, _kth_index(a, d, k - 1), d, keepdim)


@register()
def kthvalue(input, k, dim=-1, keepdim=False):
    """The k-th smallest element along ``dim`` (1-based) and its index."""
    k = _index(k, "kthvalue", "k")
    a = input._data
    d = _dim1(dim, a.ndim, "kthvalue")
    if a.dtype.kind == "b":
        raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
    _nonempty(a, d, "kthvalue")
    n = a.shape[d] if a.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return return_types.kthvalue(*Kthvalue.apply(input, k, d, bool(keepdim)))


class MedianAll(Function):
    node_name = "MedianBackward0"

    @staticmethod
    def forward(ctx, a):
        flat = a.reshape(-1)
        n = flat.size
        if n == 0 or (a.dtype.kind in "fc" and xp.isnan(flat).any()):
            v = xp.full((), xp.nan, a.dtype)
        else:
            v = xp.partition(flat, (n - 1) // 2)[(n - 1) // 2]
        v = xp.asarray(v).reshape((1,) * a.ndim)
        ctx.save_for_backward(a, v)
        return v.reshape(())

    backward = staticmethod(_evenly_all)


class MedianDim(_Picked):
    node_name = "MedianBackward1"

    @staticmethod
    def forward(ctx, a, d, keepdim):
        if a.ndim == 0:
            return _scalar_pick(a)
        n = a.shape[d]
        idx = _kth_index(a, d, (n - 1) // 2)
        if a.dtype.kind in "fc":
            isn = xp.isnan(a)
            has = isn.any(axis=d, keepdims=True)
            if has.any():
                idx = xp.where(has, xp.argmax(isn, axis=d, keepdims=True), idx)
        return _picked(ctx, a, idx, d, keepdim)


@register()
def median(input, dim=None, keepdim=False):
    """The lower median (of all elements, or along ``dim`` with its index); NaN if any
    element is NaN."""
    a = input._data
    if a.dtype.kind == "b":
        raise NotImplementedError("\"median_cpu\" not implemented for 'Bool'")
    if dim is None:
        return MedianAll.apply(input)
    d = _dim1(dim, a.ndim, "median")
    _nonempty(a, d, "median")
    return return_types.median(*MedianDim.apply(input, d, bool(keepdim)))


class Mode(_Picked):
    @staticmethod
    def forward(ctx, a, d, keepdim):
        if a.ndim == 0:
            return _scalar_pick(a)
        am = xp.moveaxis(a, d, -1)
        n = am.shape[-1]
        rows = am.reshape(-1, n)
        r = rows.shape[0]
        if r == 0:
            idx = xp.zeros(am.shape[:-1], _I64)
        else:
            s = xp.sort(rows, axis=1)
            starts = xp.ones((r, n), bool)
            starts[:, 1:] = s[:, 1:] != s[:, :-1]
            run = xp.cumsum(starts.ravel()) - 1
            cnt = xp.bincount(run)[run].reshape(r, n)
            pos = xp.argmax(cnt, axis=1)               # first longest run: the smallest value
            val = s[xp.arange(r), pos]
            eq = rows == val[:, None]
            idx = (n - 1) - xp.argmax(eq[:, ::-1], axis=1)   # its last occurrence
            idx = idx.reshape(am.shape[:-1])
        return _picked(ctx, a, xp.expand_dims(idx.astype(_I64, copy=False), d), d, keepdim)


@register()
def mode(input, dim=-1, keepdim=False):
    """The most frequent value along ``dim`` (the smallest among equally frequent ones) and the
    index of its last occurrence."""
    a = input._data
    d = _dim1(dim, a.ndim, "mode")
    _nonempty(a, d, "mode")
    return return_types.mode(*Mode.apply(input, d, bool(keepdim)))


# ----------------------------------------------------------------------------- unique


class Unique2(Function):
    @staticmethod
    def forward(ctx, a):
        flat = a.reshape(-1)
        n = flat.size
        order = xp.argsort(flat)
        s = flat[order]
        starts = xp.empty(n, bool)
        if n:
            starts[0] = True
            starts[1:] = s[1:] != s[:-1]
        inv = xp.empty(n, _I64)
        inv[order] = xp.cumsum(starts) - 1
        pos = xp.flatnonzero(starts)
        cnt = xp.diff(xp.append(pos, n)).astype(_I64, copy=False)
        return s[starts], inv.reshape(a.shape), cnt

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("the derivative for '_unique2' is not implemented.")


class UniqueDim(Function):
    @staticmethod
    def forward(ctx, a, d):
        m = xp.moveaxis(a, d, 0)
        n = m.shape[0]
        flat = m.reshape(n, -1)
        if n == 0:
            return a.copy(), xp.zeros(0, _I64), xp.zeros(0, _I64)
        order = xp.lexsort(flat.T[::-1])        # rows in lexicographic order, stable
        s = flat[order]
        starts = xp.empty(n, bool)
        starts[0] = True
        starts[1:] = (s[1:] != s[:-1]).any(axis=1)
        inv = xp.empty(n, _I64)
        inv[order] = xp.cumsum(starts) - 1
        cnt = xp.diff(xp.append(xp.flatnonzero(starts), n)).astype(_I64, copy=False)
        u = s[starts].reshape((-1,) + m.shape[1:])
        return xp.ascontiguousarray(xp.moveaxis(u, 0, d)), inv, cnt

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("the derivative for 'unique_dim' is not implemented.")


@register()
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements (or slices along ``dim``) in ascending order; optionally the
    index of each input element in them and their counts."""
    a = input._data
    if dim is None:
        out, inv, cnt = Unique2.apply(input)
    else:
        if a.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        d = _dim1(dim, a.ndim, "unique")
        if a.size == 0 and a.shape[d] != 0:
            raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so "
                               "unique cannot be applied")
        out, inv, cnt = UniqueDim.apply(input, d)
    if not return_inverse and not return_counts:
        return out
    res = (out,)
    if return_inverse:
        res += (inv,)
    if return_counts:
        res += (cnt,)
    return res
