"""Norms and distances: vector/matrix norms, ``norm``, ``dist``, ``renorm``, ``cdist``."""
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

# ----------------------------------------------------------------------------- norms, distances

def _sgn(x):
    """sign(x) for real arrays, x / |x| (0 at 0) for complex ones."""
    return xp.sign(x)


def _vnorm(x, p, axes, keepdims=False):
    """Vector p-norm over ``axes`` (None: all), in x's real dtype."""
    if p == 2:
        if x.dtype.kind == "c":
            ax = xp.abs(x)
            return xp.sqrt(xp.sum(ax * ax, axis=axes, keepdims=keepdims))
        return xp.sqrt(xp.sum(x * x, axis=axes, keepdims=keepdims))
    ax = xp.abs(x)
    if p == _INF:
        return xp.max(ax, axis=axes, keepdims=keepdims)
    if p == -_INF:
        return xp.min(ax, axis=axes, keepdims=keepdims)
    if p == 0:
        return xp.sum(x != 0, axis=axes, keepdims=keepdims).astype(ax.dtype)
    if p == 1:
        return xp.sum(ax, axis=axes, keepdims=keepdims)
    return xp.sum(ax ** p, axis=axes, keepdims=keepdims) ** (1.0 / p)


def _vnorm_grad(x, r, g, p, axes):
    """d(norm)/dx * g with ``r`` (the norm) and ``g`` broadcastable against x (keepdims)."""
    if p == 2:
        return x * _safe_div(g, r)
    if p == 0:
        return xp.zeros(x.shape, g.dtype)
    if p == 1:
        return _sgn(x) * g
    ax = xp.abs(x)
    if p == _INF or p == -_INF:      # the gradient splits evenly among the extreme entries
        mask = ax == r
        cnt = xp.sum(mask, axis=axes, keepdims=True).astype(g.dtype)
        return _sgn(x) * mask * (g / cnt)
    pw = xp.zeros(ax.shape, ax.dtype)
    xp.power(ax, p - 1, out=pw, where=ax != 0)
    return _sgn(x) * pw * _safe_div(g, r ** (p - 1))


def _keepdims(g, shape, axes, keepdim):
    """Reshape a reduction's gradient to the keepdim shape so it broadcasts against the input."""
    if keepdim:
        return g
    if axes is None:
        return g.reshape((1,) * len(shape))
    return g.reshape(tuple(1 if i in axes else s for i, s in enumerate(shape)))


class VectorNorm(Function):
    node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, p, axes, keepdim):
        r = _vnorm(x, p, axes, keepdim)
        ctx.save_for_backward(x, r)
        ctx.args = (p, axes, keepdim)
        return r

    @staticmethod
    def backward(ctx, g):
        x, r = ctx.saved_arrays
        p, axes, keepdim = ctx.args
        r = _keepdims(r, x.shape, axes, keepdim)
        g = _keepdims(g, x.shape, axes, keepdim)
        return _vnorm_grad(x, r, g, p, axes), None, None, None


def _norm_axes(dim, ndim, name):
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return None
        out = []
        for d in dim:
            w = _wrap_dim(operator.index(d), ndim)
            if w in out:
                raise RuntimeError(f"dim {w} appears multiple times in the list of dims")
            out.append(w)
        return tuple(out)
    return (_wrap_dim(operator.index(dim), ndim),)


def _float_input(input, name, dtype=None):
    """Cast to ``dtype`` if given; reject integer and bool inputs as PyTorch's linalg does."""
    if dtype is not None:
        dt = to_dtype(dtype)
        if not (dt.is_floating_point or dt.is_complex):
            raise RuntimeError(f"{name}: dtype should be floating point or complex, but got "
                               f"{dt._tensor_type[:-6]}")
        if input._data.dtype.kind not in "fc":
            raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                               f"Got {_tn(input._data)}")
        if input._data.dtype != dt.np:
            input = input.to(dt)
    elif input._data.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_tn(input._data)}")
    return input


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """``ember.linalg.vector_norm``: the ord-norm of x flattened over ``dim`` (None: all)."""
    _tensor(x, "linalg_vector_norm", "input", 1)
    if isinstance(ord, str) or not isinstance(ord, (int, float)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' must be Number, not "
                        f"{type(ord).__name__}")
    x = _float_input(x, "linalg.vector_norm", dtype)
    axes = _norm_axes(dim, x._data.ndim, "linalg.vector_norm")
    if x._data.size == 0 and ord in (_INF, -_INF) and (axes is None or any(
            x._data.shape[a] == 0 for a in axes)):
        raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty tensor "
                           "because the operation does not have an identity")
    if x._data.ndim == 0:
        axes = None
    r = VectorNorm.apply(x, ord, axes, bool(keepdim))
    return r if out is None else _out(out, r, "linalg_vector_norm")


def _out(out, r, name):
    from ._registry import _write_out
    return _write_out(out, r, name)


class MatrixNorm(Function):
    """nuc, +-2 (singular values) and +-1, +-inf (column/row sums) matrix norms over the last
    two axes of the moved input."""
    node_name = "AmaxBackward0"

    @staticmethod
    def forward(ctx, x, ord, dims, keepdim):
        xm = xp.moveaxis(x, dims, (-2, -1))
        if ord in ("nuc", 2, -2):
            if ctx.needs_input_grad[0]:
                u, s, vh = xp.linalg.svd(xm, full_matrices=False)
                ctx.save_for_backward(u, s, vh)
            else:
                s = xp.linalg.svd(xm, compute_uv=False)
            r = s.sum(-1) if ord == "nuc" else s.max(-1) if ord == 2 else s.min(-1)
        else:
            sums = xp.abs(xm).sum(-2 if ord in (1, -1) else -1)
            r = sums.max(-1) if ord > 0 else sums.min(-1)
            ctx.save_for_backward(xm, sums)
        ctx.args = (ord, dims, keepdim)
        if keepdim:
            r = xp.expand_dims(r, tuple(sorted(dims)))
        return r

    @staticmethod
    def backward(ctx, g):
        ord, dims, keepdim = ctx.args
        if keepdim:
            g = g.reshape([s for i, s in enumerate(g.shape) if i not in dims])
        if ord in ("nuc", 2, -2):
            u, s, vh = ctx.saved_arrays
            if ord == "nuc":
                gm = (u @ vh) * g[..., None, None]
            else:
                ext = s.max(-1, keepdims=True) if ord == 2 else s.min(-1, keepdims=True)
                w = (s == ext).astype(g.dtype)
                w = w / w.sum(-1, keepdims=True) * g[..., None]
                gm = xp.matmul(u * w[..., None, :].astype(u.dtype), vh)
        else:
            xm, sums = ctx.saved_arrays
            ext = sums.max(-1, keepdims=True) if ord > 0 else sums.min(-1, keepdims=True)
            w = (sums == ext).astype(g.dtype)
            w = w / w.sum(-1, keepdims=True) * g[..., None]
            w = w[..., None, :] if ord in (1, -1) else w[..., :, None]
            gm = _sgn(xm) * w
        return xp.moveaxis(gm, (-2, -1), dims), None, None, None


class MatrixNormSum(MatrixNorm):
    node_name = "SumBackward1"


class MatrixNormMin(MatrixNorm):
    node_name = "AminBackward0"


def _fmt_ord(o):
    if isinstance(o, float) and o.is_integer():
        return str(int(o))
    return str(o)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """``ember.linalg.matrix_norm``: Frobenius, nuclear, 1, -1, 2, -2, inf or -inf norm of the
    matrices spanned by ``dim``."""
    a = _tensor(A, "linalg_matrix_norm", "input", 1)
    if a.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    A = _float_input(A, "linalg.matrix_norm", dtype)
    if isinstance(dim, int) or len(dim) != 2:
        shown = " ".join(str(d) for d in ((dim,) if isinstance(dim, int) else dim))
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {shown}")
    dims = (_wrap_dim(operator.index(dim[0]), a.ndim), _wrap_dim(operator.index(dim[1]), a.ndim))
    if dims[0] == dims[1]:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dims[0]}, "
                           f"{dims[1]})")
    if ord == "fro":
        r = VectorNorm.apply(A, 2, dims, bool(keepdim))
    elif ord == "nuc":
        r = MatrixNormSum.apply(A, "nuc", dims, bool(keepdim))
    elif not isinstance(ord, str) and ord in (1, -1, 2, -2, _INF, -_INF):
        cls = MatrixNorm if ord > 0 else MatrixNormMin
        r = cls.apply(A, ord, dims, bool(keepdim))
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {_fmt_ord(ord)} not supported.")
    return r if out is None else _out(out, r, "linalg_matrix_norm")


def linalg_norm(A, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):
    """``ember.linalg.norm``: a vector norm, or a matrix norm when ``dim`` names two dims (or the
    input is 2-D and ``ord`` is given)."""
    a = _tensor(A, "linalg_norm", "input", 1)
    if dim is not None:
        dim = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dim) == 1:
            if isinstance(ord, str):
                return matrix_norm(A, ord, dim, keepdim, dtype=dtype, out=out)
            return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)
        if len(dim) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype,
                               out=out)
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got "
                           f"{list(dim)}")
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype, out=out)
    if a.ndim == 2 or (a.ndim == 1 and isinstance(ord, str)):
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype, out=out)
    if a.ndim == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype, out=out)
    raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D "
                       f"or 2D. Got {a.ndim}D.")


@register()
def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """``torch.norm``: p a number (vector norm over ``dim``, all dims by default), "fro" or
    "nuc"."""
    _tensor(input, "norm", "input", 1)
    if isinstance(p, str):
        if p == "fro" and (dim is None or isinstance(dim, int) or len(dim) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype)
        if dim is None:
            dim = tuple(range(input._data.ndim)) if p == "nuc" else (-2, -1)
        return matrix_norm(input, p, dim, keepdim, dtype=dtype)
    return vector_norm(input, 2 if p is None else p, dim, keepdim, dtype=dtype)


class Dist(Function):
    promote = True

    @staticmethod
    def forward(ctx, a, b, p):
        d = a - b
        r = _vnorm(d, p, None)
        ctx.save_for_backward(d, r)
        ctx.p = p
        return r

    @staticmethod
    def backward(ctx, g):
        d, r = ctx.saved_arrays
        gd = _vnorm_grad(d, r, g, ctx.p, None)
        need = ctx.needs_input_grad
        return (gd if need[0] else None), (-gd if need[1] else None), None


@register()
def dist(input, other, p=2):
    """The p-norm of input - other (broadcasting)."""
    a = _tensor(input, "dist", "input", 1)
    b = _tensor(other, "dist", "other", 2)
    for x in (a, b):
        if x.dtype.kind not in "fc":
            raise RuntimeError(f"norm(): input dtype should be either floating point or complex. "
                               f"Got {_tn(x)} instead.")
    return Dist.apply(input, other, float(p))


class Renorm(Function):
    @staticmethod
    def forward(ctx, x, p, dim, maxnorm):
        axes = tuple(i for i in range(x.ndim) if i != dim)
        nrm = _vnorm(x, p, axes, True)
        factor = xp.where(nrm > maxnorm, maxnorm / (nrm + 1e-7), 1).astype(nrm.dtype)
        ctx.save_for_backward(x, nrm)
        ctx.args = (p, axes, maxnorm)
        return x * factor

    @staticmethod
    def backward(ctx, g):
        x, nrm = ctx.saved_arrays
        p, axes, maxnorm = ctx.args
        gsum = xp.sum(_c(x) * g, axis=axes, keepdims=True)
        nb = _vnorm_grad(x, nrm, gsum, p, axes)
        inv = 1 / (nrm + 1e-7)
        return xp.where(nrm > maxnorm, (inv * maxnorm) * g - (maxnorm * inv * inv) * nb, g), \
            None, None, None


@register(inplace=True)
def renorm(input, p, dim, maxnorm):
    """Rescale each slice along ``dim`` whose p-norm exceeds ``maxnorm`` to norm ``maxnorm``."""
    a = _tensor(input, "renorm", "input", 1)
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {_fmt_ord(maxnorm)}")
    d = _wrap_dim(operator.index(dim), a.ndim)
    if a.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_tn(a)}")
    return Renorm.apply(input, float(p), d, maxnorm)


class Cdist(Function):
    @staticmethod
    def forward(ctx, x1, x2, p, use_mm):
        if p == 2 and use_mm:
            n1 = xp.sum(x1 * x1, axis=-1)[..., :, None]
            n2 = xp.sum(x2 * x2, axis=-1)[..., None, :]
            d2 = n1 + n2 - 2 * xp.matmul(x1, _mT(x2))
            r = xp.sqrt(xp.maximum(d2, 0, out=d2))
        else:
            r = _vnorm(x1[..., :, None, :] - x2[..., None, :, :], p, -1)
        ctx.save_for_backward(x1, x2, r)
        ctx.p = p
        return r

    @staticmethod
    def backward(ctx, g):
        x1, x2, r = ctx.saved_arrays
        p = ctx.p
        need = ctx.needs_input_grad
        if p == 2:
            q = _safe_div(g, r)
            g1 = x1 * q.sum(-1)[..., None] - xp.matmul(q, x2) if need[0] else None
            g2 = x2 * q.sum(-2)[..., None] - xp.matmul(_mT(q), x1) if need[1] else None
            return g1, g2, None, None
        diff = x1[..., :, None, :] - x2[..., None, :, :]
        gd = _vnorm_grad(diff, r[..., None], g[..., None], p, (-1,))
        return (gd.sum(-2) if need[0] else None), (-gd.sum(-3) if need[1] else None), None, None


@register(method=False)
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """Pairwise p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M)."""
    a = _tensor(x1, "cdist", "x1", 1)
    b = _tensor(x2, "cdist", "x2", 2)
    if a.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {a.ndim}D")
    if b.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {b.ndim}D")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} "
                           f"X2: {b.shape[-1]}")
    if a.dtype.kind != "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: {_tn(a)}")
    if b.dtype.kind != "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X2 got: {_tn(b)}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_tn(a)} but found {_tn(b)}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    _broadcast_batch(a.shape[:-2], b.shape[:-2])
    modes = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
             "donot_use_mm_for_euclid_dist", None)
    if compute_mode not in modes:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    use_mm = compute_mode == "use_mm_for_euclid_dist" or (
        compute_mode in (None, modes[0]) and (a.shape[-2] > 25 or b.shape[-2] > 25))
    return Cdist.apply(x1, x2, float(p), use_mm)
