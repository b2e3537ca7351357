"""Matrix products and contractions: matmul/mm/bmm/mv/dot/outer/tensordot, the add* family
(with the deprecated positional overloads), cross, trace and kron.

Every BLAS-shaped op is one Function calling ``xp.matmul``/``xp.dot``/``xp.tensordot`` on
arrays, never a broadcast multiply-and-sum, and its backward is again GEMMs. Einsum, norms,
decompositions and complex views live in their own modules beside this one.
"""
import math
import operator

import numpy as np   # dtype constants only; compute goes through xp

from ..backend import xp
from ..autograd.function import Function
from .._dtype import _FROM_NP, to_dtype
from ..tensor import Tensor, _wrap_dim
from .. import return_types
from .._warnings import warn_user
from ._registry import register

from ._linalg_util import (_INF, _tn, _cn, _c, _mT, _mH, _real_dtype, _tensor, _check_expand, _broadcast_batch, _prod, _scale, _diag_embed, _safe_div)  # noqa: F401

# ----------------------------------------------------------------------------- products

class Dot(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return xp.asarray(xp.dot(a, b))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        need = ctx.needs_input_grad
        return (g * _c(b) if need[0] else None), (g * _c(a) if need[1] else None)


class Vdot(Function):
    """sum(conj(a) * b)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return xp.asarray(xp.vdot(a, b))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        need = ctx.needs_input_grad
        return (_c(g) * b if need[0] else None), (g * a if need[1] else None)


class Mv(Function):
    @staticmethod
    def forward(ctx, m, v):
        ctx.save_for_backward(m, v)
        return xp.matmul(m, v)

    @staticmethod
    def backward(ctx, g):
        m, v = ctx.saved_arrays
        need = ctx.needs_input_grad
        gm = g[:, None] * _c(v)[None, :] if need[0] else None
        gv = xp.matmul(_mH(m), g) if need[1] else None
        return gm, gv


class VecMat(Function):
    """1-d @ 2-d (PyTorch records the squeeze of a 1 x n matrix product)."""
    node_name = "SqueezeBackward4"

    @staticmethod
    def forward(ctx, v, m):
        ctx.save_for_backward(v, m)
        return xp.matmul(v, m)

    @staticmethod
    def backward(ctx, g):
        v, m = ctx.saved_arrays
        need = ctx.needs_input_grad
        gv = xp.matmul(_c(m), g) if need[0] else None
        gm = _c(v)[:, None] * g[None, :] if need[1] else None
        return gv, gm


class Mm(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return xp.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        need = ctx.needs_input_grad
        return (xp.matmul(g, _mH(b)) if need[0] else None), \
               (xp.matmul(_mH(a), g) if need[1] else None)


class Bmm(Mm):
    pass


class Matmul(Function):
    """matmul with a batch dimension on either side (PyTorch's folded/batched paths)."""
    node_name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        if b.ndim <= 2 and a.ndim > 2:   # fold the batch of a into one GEMM
            out = xp.matmul(a.reshape(-1, a.shape[-1]), b)
            return out.reshape(a.shape[:-1] + b.shape[1:])
        return xp.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        need = ctx.needs_input_grad
        a1 = a[None, :] if a.ndim == 1 else a
        b1 = b[:, None] if b.ndim == 1 else b
        if a.ndim == 1:
            g = g[..., None, :]
        elif b.ndim == 1:
            g = g[..., None]
        ga = gb = None
        if need[0]:
            if a1.ndim == 2 and g.ndim > 2:     # a was shared by the whole batch: one GEMM
                ax = list(range(g.ndim - 2)) + [g.ndim - 1]
                ga = xp.tensordot(g, _c(b1), axes=(ax, ax))
            else:
                ga = xp.matmul(g, _mH(b1))
            if a.ndim == 1:
                ga = ga.reshape(-1, ga.shape[-1]).sum(0) if ga.ndim > 2 else ga.reshape(-1)
        if need[1]:
            if b1.ndim == 2 and g.ndim > 2:
                k = a1.shape[-1]
                a2 = xp.broadcast_to(a1, g.shape[:-2] + a1.shape[-2:]).reshape(-1, k)
                gb = xp.matmul(_c(a2).T, g.reshape(-1, g.shape[-1]))
            else:
                gb = xp.matmul(_mH(a1), g)
            if b.ndim == 1:
                gb = gb.reshape(-1)
        return ga, gb


class MatmulClone(Matmul):
    """Same op; PyTorch transposes a folded result back (a contiguous clone) in these cases."""
    node_name = "CloneBackward0"


class MatmulTranspose(Matmul):
    """... and the transpose alone when it is already contiguous (a size-1 or empty result)."""
    node_name = "TransposeBackward0"


def _check_mm_dtypes(a, b):
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_cn(a)} != "
                           f"{_cn(b)}")
    if a.dtype.kind == "b":
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")


def _check_mm(a, b):
    _check_mm_dtypes(a, b)
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} "
                           f"and {b.shape[0]}x{b.shape[1]})")


def _check_dot(a, b):
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.dtype != b.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {_tn(a)} "
                           f"and {_tn(b)}")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                           f"[{b.shape[0]}] to have the same number of elements, but got "
                           f"{a.shape[0]} and {b.shape[0]} elements respectively")
    if a.dtype.kind == "b":
        raise NotImplementedError("\"dot\" not implemented for 'Bool'")


def _check_mv(m, v):
    if m.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {m.ndim}, {v.ndim}")
    if m.shape[1] != v.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({m.shape[0]}), mat ({m.shape[0]}x"
                           f"{m.shape[1]}), vec ({v.shape[0]})")
    if m.dtype != v.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_tn(v)}, "
                           f"{_tn(m)}, and {_tn(v)}")
    if m.dtype.kind == "b":
        raise NotImplementedError("\"addmv_impl_cpu\" not implemented for 'Bool'")


@register(dunder="__matmul__", rdunder="__rmatmul__")
def matmul(input, other):
    """Matrix product with NumPy/PyTorch broadcasting: 1-d operands are vectors, >2-d ones
    stacks of matrices."""
    a = _tensor(input, "matmul", "input", 1)
    b = _tensor(other, "matmul", "other", 2)
    na, nb = a.ndim, b.ndim
    if na == 2 and nb == 2:
        _check_mm(a, b)
        return Mm.apply(input, other)
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D "
                           f"and {nb}D")
    if na == 1 and nb == 1:
        _check_dot(a, b)
        return Dot.apply(input, other)
    if na == 2 and nb == 1:
        _check_mv(a, b)
        return Mv.apply(input, other)
    if na == 1 and nb == 2:
        _check_mm_dtypes(a, b)
        if a.shape[0] != b.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied (1x{a.shape[0]} and "
                               f"{b.shape[0]}x{b.shape[1]})")
        return VecMat.apply(input, other)
    # a stack of matrices on at least one side
    k = a.shape[-1]
    kb = b.shape[0] if nb == 1 else b.shape[-2]
    if nb <= 2:      # PyTorch folds a's batch into the rows of one matrix product
        _check_mm_dtypes(a, b)
        if k != kb:
            rows = _prod(a.shape[:-1])
            if nb == 1:
                raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{k}), vec "
                                   f"({kb})")
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k} and "
                               f"{kb}x{b.shape[-1]})")
        return Matmul.apply(input, other)
    batch = _broadcast_batch(a.shape[:-2], b.shape[:-2])
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_tn(a)} but found {_tn(b)}")
    if a.dtype.kind == "b":
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    if k != kb:
        nbat = _prod(batch)
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{nbat}, {k}] but got: [{nbat}, {kb}].")
    if input._rg and (na == 2 or (na == 3 and nb == 3 and a.shape[0] == 1 and b.shape[0] != 1)):
        if a.shape[-2] == 1 or b.shape[-1] == 1 or 0 in batch:
            return MatmulTranspose.apply(input, other)
        return MatmulClone.apply(input, other)
    return Matmul.apply(input, other)


@register()
def mm(input, mat2):
    """Product of two matrices (no broadcasting)."""
    a = _tensor(input, "mm", "input", 1)
    b = _tensor(mat2, "mm", "mat2", 2)
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_mm(a, b)
    return Mm.apply(input, mat2)


def _check_bmm(a, b, first="batch1"):
    if a.ndim != 3:
        raise RuntimeError(f"{first} must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")


@register()
def bmm(input, mat2):
    """Batched matrix product of (b, n, k) and (b, k, m) tensors."""
    a = _tensor(input, "bmm", "input", 1)
    b = _tensor(mat2, "bmm", "mat2", 2)
    _check_bmm(a, b)
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_tn(a)} but found {_tn(b)}")
    if a.dtype.kind == "b":
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    return Bmm.apply(input, mat2)


@register()
def mv(input, vec):
    """Matrix-vector product."""
    a = _tensor(input, "mv", "input", 1)
    b = _tensor(vec, "mv", "vec", 2)
    _check_mv(a, b)
    return Mv.apply(input, vec)


@register()
def dot(input, other):
    """Dot product of two 1-d tensors of one dtype."""
    _check_dot(_tensor(input, "dot", "input", 1), _tensor(other, "dot", "tensor", 2))
    return Dot.apply(input, other)


@register()
def vdot(input, other):
    """Dot product conjugating the first argument."""
    a = _tensor(input, "vdot", "input", 1)
    b = _tensor(other, "vdot", "other", 2)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.dtype != b.dtype:
        raise RuntimeError(f"vdot : expected both vectors to have same dtype, but found "
                           f"{_tn(a)} and {_tn(b)}")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                           f"[{b.shape[0]}] to have the same number of elements, but got "
                           f"{a.shape[0]} and {b.shape[0]} elements respectively")
    return Vdot.apply(input, other)


class Outer(Function):
    node_name = "MulBackward0"
    promote = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a[:, None] * b[None, :]

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        need = ctx.needs_input_grad
        return (xp.matmul(g, _c(b)) if need[0] else None), \
               (xp.matmul(_c(a), g) if need[1] else None)


@register(aliases=("ger",))
def outer(input, vec2):
    """Outer product of two vectors (dtypes promote)."""
    a = _tensor(input, "outer", "input", 1)
    b = _tensor(vec2, "outer", "vec2", 2)
    if a.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {a.ndim}-D")
    if b.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument vec2, but got {b.ndim}-D")
    return Outer.apply(input, vec2)


class Tensordot(Function):
    node_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, a, b, ax_a, ax_b):
        ctx.save_for_backward(a, b)
        ctx.axes = (ax_a, ax_b)
        return xp.tensordot(a, b, axes=(ax_a, ax_b))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        ax_a, ax_b = ctx.axes
        need = ctx.needs_input_grad
        fa = [i for i in range(a.ndim) if i not in ax_a]
        fb = [i for i in range(b.ndim) if i not in ax_b]
        ga = gb = None
        if need[0]:
            # g (fa..., fb...) . b over fb -> (fa..., contracted in ax_a order)
            # tensordot leaves b's contracted axes in increasing order: map them to a's axes
            r = xp.tensordot(g, _c(b), axes=(list(range(len(fa), g.ndim)), fb))
            tail = [ax_a[ax_b.index(q)] for q in sorted(ax_b)]
            ga = r.transpose(_argsort(fa + tail))
        if need[1]:
            r = xp.tensordot(_c(a), g, axes=(fa, list(range(len(fa)))))
            head = [ax_b[ax_a.index(q)] for q in sorted(ax_a)]
            gb = r.transpose(_argsort(head + fb))
        return ga, gb, None, None


def _argsort(seq):
    return sorted(range(len(seq)), key=seq.__getitem__)


class InnerScalar(Function):
    """inner() with a 0-d operand: a plain product."""
    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        need = ctx.needs_input_grad
        return (g * _c(b) if need[0] else None), (g * _c(a) if need[1] else None)


@register()
def inner(input, other):
    """Sum product over the last dimension of both tensors."""
    a = _tensor(input, "inner", "input", 1)
    b = _tensor(other, "inner", "other", 2)
    if a.dtype != b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    if a.ndim == 0 or b.ndim == 0:
        return InnerScalar.apply(input, other)
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got "
                           f"shapes {list(a.shape)} and {list(b.shape)}")
    return Tensordot.apply(input, other, (a.ndim - 1,), (b.ndim - 1,))


@register(method=False)
def tensordot(a, b, dims=2):
    """Contract ``dims`` trailing dims of ``a`` with leading dims of ``b``, or the dims named by
    a pair of lists."""
    x = _tensor(a, "tensordot", "a", 1)
    y = _tensor(b, "tensordot", "b", 2)
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (list, tuple)):
        if len(dims) != 2:
            raise RuntimeError("tensordot expects dims to be a pair of lists")
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
        shown_a, shown_b = da, db
    else:
        n = operator.index(dims)
        if n < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={n}")
        if n > x.ndim or n > y.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={n}")
        da = list(range(x.ndim - n, x.ndim))
        db = list(range(n))
        shown_a, shown_b = [d - x.ndim for d in da], db
    ax_a = tuple(_wrap_dim(d, x.ndim) for d in da)
    ax_b = tuple(_wrap_dim(d, y.ndim) for d in db)
    for i, (p, q) in enumerate(zip(ax_a, ax_b)):
        if x.shape[p] != y.shape[q]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{x.shape[p]} in dim {shown_a[i]} and second has size "
                               f"{y.shape[q]} in dim {shown_b[i]}")
    if x.dtype != y.dtype:
        raise RuntimeError("both inputs should have same dtype")
    return Tensordot.apply(a, b, ax_a, ax_b)


# ----------------------------------------------------------------------------- add* family

_ADD_ARGS = {"addmm": ("mat1", "mat2"), "addmv": ("mat", "vec"), "addr": ("vec1", "vec2"),
             "addbmm": ("batch1", "batch2"), "baddbmm": ("batch1", "batch2")}


def _is_num(x):
    return isinstance(x, (int, float, complex)) or (hasattr(x, "dtype") and
                                                    not isinstance(x, Tensor) and
                                                    getattr(x, "ndim", 1) == 0)


def _legacy(name, args, beta, alpha):
    """Decode the deprecated positional overloads ``name(beta, input, [alpha,] m1, m2)`` and
    ``input.name(beta, [alpha,] m1, m2)`` that PyTorch still accepts, with its warning."""
    n1, n2 = _ADD_ARGS[name]
    sig = None
    if len(args) in (4, 5) and _is_num(args[0]) and isinstance(args[1], Tensor):
        if len(args) == 5 and _is_num(args[2]):
            b_, input, a_, m1, m2 = args
            sig = (f"{name}(Number beta, Tensor input, Number alpha, Tensor {n1}, Tensor {n2}, *, "
                   "Tensor out = None)")
        elif len(args) == 4:
            b_, input, m1, m2 = args
            a_ = 1
            sig = (f"{name}(Number beta, Tensor input, Tensor {n1}, Tensor {n2}, *, Tensor out = "
                   "None)")
        new = (f"{name}(Tensor input, Tensor {n1}, Tensor {n2}, *, Number beta = 1, Number alpha "
               "= 1, Tensor out = None)")
        if name in ("addmm", "baddbmm"):
            new += (f"\n\t{name}(Tensor input, Tensor {n1}, Tensor {n2}, torch.dtype out_dtype, *, "
                    "Number beta = 1, Number alpha = 1, Tensor out = None)")
    elif len(args) in (4, 5) and isinstance(args[0], Tensor) and _is_num(args[1]):
        if len(args) == 5 and _is_num(args[2]):
            input, b_, a_, m1, m2 = args
            sig = f"{name}(Number beta, Number alpha, Tensor {n1}, Tensor {n2})"
        elif len(args) == 4:
            input, b_, m1, m2 = args
            a_ = 1
            sig = f"{name}(Number beta, Tensor {n1}, Tensor {n2})"
        new = f"{name}(Tensor {n1}, Tensor {n2}, *, Number beta = 1, Number alpha = 1)"
    if sig is None or beta is not None or alpha is not None or \
            not (isinstance(m1, Tensor) and isinstance(m2, Tensor)):
        got = ", ".join(type(x).__name__ if not isinstance(x, Tensor) else "Tensor" for x in args)
        kw = "".join(f", {k}={type(v).__name__}" for k, v in (("beta", beta), ("alpha", alpha))
                     if v is not None)
        raise TypeError(f"{name}() received an invalid combination of arguments - got ({got}{kw}), "
                        f"but expected one of:\n * (Tensor input, Tensor {n1}, Tensor {n2}, *, "
                        "Number beta = 1, Number alpha = 1, Tensor out = None)\n")
    # PyTorch warns about deprecated overloads once per process, whichever op comes first
    warn_user(f"This overload of {name} is deprecated:\n\t{sig}\nConsider using one of the "
              f"following signatures instead:\n\t{new}", once="deprecated overload")
    return input, m1, m2, b_, a_


def _axpby(out, c, beta, alpha):
    """alpha * out + beta * c, written into ``out`` (a fresh product). beta == 0 ignores c,
    NaNs included, as PyTorch does; integer results truncate."""
    if out.dtype.kind in "iub":        # scalars take the integer type first (0.5 -> 0)
        beta, alpha = (int(beta), int(alpha)) if out.dtype.kind != "b" else \
            (bool(beta), bool(alpha))
    if alpha != 1:
        xp.multiply(out, alpha, out=out, casting="unsafe")
    if beta != 0:
        xp.add(out, c if beta == 1 else c * beta, out=out, casting="unsafe")
    return out


class _AddBase(Function):
    @staticmethod
    def _input_grad(ctx, g):
        return _scale(g, ctx.beta) if ctx.needs_input_grad[0] else None


class Addmm(_AddBase):
    @staticmethod
    def forward(ctx, c, a, b, beta, alpha):
        ctx.save_for_backward(a, b)
        ctx.beta, ctx.alpha = beta, alpha
        return _axpby(xp.matmul(a, b), c, beta, alpha)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        need = ctx.needs_input_grad
        ga_ = _scale(g, ctx.alpha)
        return (_AddBase._input_grad(ctx, g), xp.matmul(ga_, _mH(b)) if need[1] else None,
                xp.matmul(_mH(a), ga_) if need[2] else None, None, None)


class Addmv(_AddBase):
    @staticmethod
    def forward(ctx, c, m, v, beta, alpha):
        ctx.save_for_backward(m, v)
        ctx.beta, ctx.alpha = beta, alpha
        return _axpby(xp.matmul(m, v), c, beta, alpha)

    @staticmethod
    def backward(ctx, g):
        m, v = ctx.saved_arrays
        need = ctx.needs_input_grad
        ga_ = _scale(g, ctx.alpha)
        return (_AddBase._input_grad(ctx, g), ga_[:, None] * _c(v)[None, :] if need[1] else None,
                xp.matmul(_mH(m), ga_) if need[2] else None, None, None)


class Addr(_AddBase):
    @staticmethod
    def forward(ctx, c, u, v, beta, alpha, npdt):
        c, u, v = (x if x.dtype == npdt else x.astype(npdt) for x in (c, u, v))
        ctx.save_for_backward(u, v)
        ctx.beta, ctx.alpha = beta, alpha
        return _axpby(u[:, None] * v[None, :], c, beta, alpha)

    @staticmethod
    def backward(ctx, g):
        u, v = ctx.saved_arrays
        need = ctx.needs_input_grad
        ga_ = _scale(g, ctx.alpha)
        return (_AddBase._input_grad(ctx, g), xp.matmul(ga_, _c(v)) if need[1] else None,
                xp.matmul(_c(u), ga_) if need[2] else None, None, None, None)


class Addbmm(_AddBase):
    @staticmethod
    def forward(ctx, c, b1, b2, beta, alpha):
        ctx.save_for_backward(b1, b2)
        ctx.beta, ctx.alpha = beta, alpha
        nb, n, k = b1.shape
        # sum_b b1[b] @ b2[b] as one GEMM: (n, B*k) @ (B*k, m)
        prod = xp.matmul(b1.transpose(1, 0, 2).reshape(n, nb * k), b2.reshape(nb * k, -1))
        return _axpby(prod, c, beta, alpha)

    @staticmethod
    def backward(ctx, g):
        b1, b2 = ctx.saved_arrays
        need = ctx.needs_input_grad
        ga_ = _scale(g, ctx.alpha)
        return (_AddBase._input_grad(ctx, g), xp.matmul(ga_, _mH(b2)) if need[1] else None,
                xp.matmul(_mH(b1), ga_) if need[2] else None, None, None)


class Baddbmm(Addmm):
    pass


def _add_args(name, input, m1, m2, rest, beta, alpha):
    if rest or not isinstance(input, Tensor) or not isinstance(m1, Tensor):
        input, m1, m2, beta, alpha = _legacy(name, (input, m1, m2) + rest, beta, alpha)
    n1, n2 = _ADD_ARGS[name]
    c = _tensor(input, name, "input", 1)
    a = _tensor(m1, name, n1, 2)
    b = _tensor(m2, name, n2, 3)
    return input, m1, m2, c, a, b, (1 if beta is None else beta), (1 if alpha is None else alpha)


@register(inplace=True)
def addmm(input, mat1, mat2, *rest, beta=None, alpha=None):
    """beta * input + alpha * (mat1 @ mat2)."""
    input, mat1, mat2, c, a, b, beta, alpha = _add_args("addmm", input, mat1, mat2, rest, beta,
                                                        alpha)
    if a.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {a.ndim}-D tensor")
    if b.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {b.ndim}-D tensor")
    if c.dtype != b.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_tn(c)} and "
                           f"{_tn(b)}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_tn(a)} and "
                           f"{_tn(b)}")
    _check_mm(a, b)
    _check_expand(c.shape, (a.shape[0], b.shape[1]))
    return Addmm.apply(input, mat1, mat2, beta, alpha)


@register(inplace=True)
def addmv(input, mat, vec, *rest, beta=None, alpha=None):
    """beta * input + alpha * (mat @ vec)."""
    input, mat, vec, c, m, v, beta, alpha = _add_args("addmv", input, mat, vec, rest, beta, alpha)
    if m.ndim != 2 or v.ndim != 1 or c.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {c.ndim}, {m.ndim}, {v.ndim}")
    if m.shape[1] != v.shape[0] or (c.ndim == 1 and c.shape[0] not in (1, m.shape[0])):
        cs = c.shape[0] if c.ndim else 1
        raise RuntimeError(f"size mismatch, got input ({cs}), mat ({m.shape[0]}x{m.shape[1]}), "
                           f"vec ({v.shape[0]})")
    if not c.dtype == m.dtype == v.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_tn(c)}, "
                           f"{_tn(m)}, and {_tn(v)}")
    return Addmv.apply(input, mat, vec, beta, alpha)


@register(inplace=True)
def addr(input, vec1, vec2, *rest, beta=None, alpha=None):
    """beta * input + alpha * outer(vec1, vec2) (dtypes promote)."""
    input, vec1, vec2, c, u, v, beta, alpha = _add_args("addr", input, vec1, vec2, rest, beta,
                                                        alpha)
    if u.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1, but got {u.ndim}-D")
    if v.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec2, but got {v.ndim}-D")
    _check_expand(c.shape, (u.shape[0], v.shape[0]))
    from .._dtype import result_type
    npdt = result_type(input, vec1, vec2).np
    return Addr.apply(input, vec1, vec2, beta, alpha, npdt)


@register(inplace=True)
def addbmm(input, batch1, batch2, *rest, beta=None, alpha=None):
    """beta * input + alpha * sum over the batch of batch1[i] @ batch2[i]."""
    input, batch1, batch2, c, a, b, beta, alpha = _add_args("addbmm", input, batch1, batch2, rest,
                                                            beta, alpha)
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                           f"{a.shape[0]} and {b.shape[0]}")
    if a.shape[2] != b.shape[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({a.shape[1]}x{a.shape[2]} and "
                           f"{b.shape[1]}x{b.shape[2]})")
    if c.dtype != b.dtype or a.dtype != b.dtype:
        x = c if c.dtype != b.dtype else a
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_tn(x)} and "
                           f"{_tn(b)}")
    _check_expand(c.shape, (a.shape[1], b.shape[2]))
    return Addbmm.apply(input, batch1, batch2, beta, alpha)


@register(inplace=True)
def baddbmm(input, batch1, batch2, *rest, beta=None, alpha=None):
    """beta * input + alpha * (batch1 @ batch2), batch by batch."""
    input, batch1, batch2, c, a, b, beta, alpha = _add_args("baddbmm", input, batch1, batch2,
                                                            rest, beta, alpha)
    _check_bmm(a, b)
    if not c.dtype == a.dtype == b.dtype:
        raise RuntimeError(f"Input dtypes must be the same, got: input {_cn(c)}, batch1: "
                           f"{_cn(a)}, batch2: {_cn(b)}")
    _check_expand(c.shape, (a.shape[0], a.shape[1], b.shape[2]))
    return Baddbmm.apply(input, batch1, batch2, beta, alpha)


# ----------------------------------------------------------------------------- cross, trace, kron

class Cross(Function):
    node_name = "LinalgCrossBackward0"

    @staticmethod
    def forward(ctx, a, b, dim):
        if a.shape != b.shape:
            a, b = xp.broadcast_arrays(a, b)
        ctx.save_for_backward(a, b)
        ctx.dim = dim
        return xp.cross(a, b, axis=dim)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        need = ctx.needs_input_grad
        d = ctx.dim
        return (xp.cross(_c(b), g, axis=d) if need[0] else None), \
               (xp.cross(g, _c(a), axis=d) if need[1] else None), None


_CROSS_WARNING = ("Using torch.cross without specifying the dim arg is deprecated.\nPlease either "
                  "pass the dim explicitly or simply use torch.linalg.cross.\nThe default value of "
                  "dim will change to agree with that of linalg.cross in a future release.")


def _cross(input, other, dim, name):
    a = _tensor(input, name, "input", 1)
    b = _tensor(other, name, "other", 2)
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_tn(a)} but found {_tn(b)}")
    shape = _broadcast_batch(a.shape, b.shape)
    nd = len(shape)
    if dim is None:
        warn_user(_CROSS_WARNING, once="cross without dim")
        for i, s in enumerate(shape):
            if s == 3:
                dim = i
                break
        else:
            raise RuntimeError("no dimension of size 3 in input")
    d = _wrap_dim(dim, nd)
    sa = ((1,) * (nd - a.ndim) + a.shape)[d]
    sb = ((1,) * (nd - b.ndim) + b.shape)[d]
    if sa != 3 or sb != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {sa} "
                           f"and {sb}")
    return Cross.apply(input, other, d)


@register()
def cross(input, other, dim=None):
    """Cross product of 3-vectors along ``dim`` (None: the first dim of size 3, deprecated)."""
    return _cross(input, other, dim, "cross")


def linalg_cross(input, other, *, dim=-1):
    """``ember.linalg.cross``: cross product along ``dim`` (default the last)."""
    return _cross(input, other, dim, "linalg_cross")


class Trace(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.shape = a.shape
        return xp.asarray(xp.trace(a))

    @staticmethod
    def backward(ctx, g):
        m, n = ctx.shape
        z = xp.zeros((m, n), g.dtype)
        k = min(m, n)
        z.reshape(-1)[:k * (n + 1):n + 1] = g
        return z


@register()
def trace(input):
    """Sum of the main diagonal of a matrix (integers sum as int64)."""
    a = _tensor(input, "trace", "input", 1)
    if a.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {a.ndim}")
    if a.dtype.kind == "b":
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return Trace.apply(input)


class Kron(Function):
    node_name = "UnsafeViewBackward0"
    promote = True

    @staticmethod
    def forward(ctx, a, b):
        nd = max(a.ndim, b.ndim)
        a2 = a.reshape((1,) * (nd - a.ndim) + a.shape)
        b2 = b.reshape((1,) * (nd - b.ndim) + b.shape)
        ctx.save_for_backward(a2, b2)
        ctx.shapes = (a.shape, b.shape)
        # out viewed as (a0, b0, a1, b1, ...) is the outer product of a and b
        ea = a2.reshape(sum(((s, 1) for s in a2.shape), ()))
        eb = b2.reshape(sum(((1, s) for s in b2.shape), ()))
        return (ea * eb).reshape(tuple(x * y for x, y in zip(a2.shape, b2.shape)))

    @staticmethod
    def backward(ctx, g):
        a2, b2 = ctx.saved_arrays
        sa, sb = ctx.shapes
        nd = a2.ndim
        need = ctx.needs_input_grad
        gr = g.reshape(sum(((x, y) for x, y in zip(a2.shape, b2.shape)), ()))
        even, odd = list(range(0, 2 * nd, 2)), list(range(1, 2 * nd, 2))
        ga = xp.tensordot(gr, _c(b2), axes=(odd, list(range(nd)))).reshape(sa) \
            if need[0] else None
        gb = xp.tensordot(_c(a2), gr, axes=(list(range(nd)), even)).reshape(sb) \
            if need[1] else None
        return ga, gb


@register()
def kron(input, other):
    """Kronecker product (dtypes promote; the smaller operand gets leading 1-dims)."""
    _tensor(input, "kron", "input", 1)
    _tensor(other, "kron", "other", 2)
    return Kron.apply(input, other)
