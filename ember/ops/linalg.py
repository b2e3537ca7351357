"""Linear algebra: matrix products, contractions, norms and distances, decompositions, and
the complex views (real, imag, angle, conj).

Every BLAS-shaped op is one Function calling ``xp.matmul``/``xp.dot``/``xp.tensordot`` on
arrays, never a broadcast multiply-and-sum, and its backward is again GEMMs. Decompositions
(inv, det, solve, eigh, svd, qr, cholesky, pinv ...) are one Function each with PyTorch's
backward formulas; the ``ember.linalg`` package gives them PyTorch's signatures and checks.
"""
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
    warnings.warn(f"This overload of {name} is deprecated:\n\t{sig}\nConsider using one of the "
                  f"following signatures instead:\n\t{new}", UserWarning, stacklevel=4)
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
        warnings.warn(_CROSS_WARNING, UserWarning, stacklevel=3)
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


# ----------------------------------------------------------------------------- einsum

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _einsum_parse(eq, shapes):
    """Expand ellipses into letters, work out the output subscripts and check sizes."""
    eq = eq.replace(" ", "")
    lhs, arrow, out = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(shapes):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    for i, ch in enumerate(eq):
        if ch not in _LETTERS and ch not in ",.->":
            raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation "
                               "string, subscripts must be in [a-zA-Z]")
    free = [c for c in _LETTERS if c not in eq]
    parts, n_ell = [], 0
    for i, (t, shp) in enumerate(zip(terms, shapes)):
        pre, dots, post = t.partition("...")
        if "." in pre or "." in post:
            raise RuntimeError(f"einsum(): found '.' for operand {i} that is not part of any "
                               "ellipsis")
        if dots:
            n = len(shp) - len(pre) - len(post)
            if n < 0:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                                   f"({len(pre) + len(post)}) is more than the number of "
                                   f"dimensions ({len(shp)}) for operand {i}")
            n_ell = max(n_ell, n)
            parts.append((pre, n, post))
        else:
            if len(t) != len(shp):
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(t)}) "
                                   f"does not match the number of dimensions ({len(shp)}) for "
                                   f"operand {i} and no ellipsis was given")
            parts.append((t, None, ""))
    ell = "".join(free[:n_ell])
    terms = [pre if n is None else pre + ell[n_ell - n:] + post for pre, n, post in parts]
    letters = "".join(p[0] + p[2] for p in parts)
    if not arrow:
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    else:
        pre, dots, post = out.partition("...")
        if "." in pre or "." in post:
            raise RuntimeError("einsum(): found '.' for output that is not part of any ellipsis")
        out = pre + ell + post
        for i, c in enumerate(out):
            if c not in letters and c not in ell:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   "equation for any input operand")
            if c in out[:i]:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the "
                                   "output")
    sizes = {}
    for i, (t, shp) in enumerate(zip(terms, shapes)):
        seen = {}
        for c, s in zip(t, shp):
            if c in seen and seen[c] != s:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the "
                                   f"sizes don't match, {seen[c]} != {s}")
            seen[c] = s
            prev = sizes.get(c)
            if prev is None or prev == 1:
                sizes[c] = s
            elif s != 1 and s != prev:
                raise RuntimeError(f"einsum(): subscript {c} has size {s} for operand {i} which "
                                   f"does not broadcast with previously seen size {prev}")
    return terms, out


def _contract2(a, sa, b, sb, keep):
    """Contract two operands (subscripts without repeats) as one batched GEMM: batch letters
    (in both, kept), contracted letters (in both, not kept), left and right free letters."""
    batch = [c for c in sa if c in sb and c in keep]
    contr = [c for c in sa if c in sb and c not in keep]
    left = [c for c in sa if c not in sb]
    right = [c for c in sb if c not in sa]
    for c in contr:          # a size-1 dim broadcast against a contracted one: sum the other
        i, j = sa.index(c), sb.index(c)
        if a.shape[i] != b.shape[j]:
            if a.shape[i] == 1:
                b = b.sum(axis=j, keepdims=True)
            else:
                a = a.sum(axis=i, keepdims=True)
    A = a.transpose([sa.index(c) for c in batch + left + contr])
    B = b.transpose([sb.index(c) for c in batch + contr + right])
    nb, nl, nc = len(batch), len(left), len(contr)
    lsh, rsh = A.shape[nb:nb + nl], B.shape[nb + nc:]
    L, R, C = _prod(lsh), _prod(rsh), _prod(A.shape[nb + nl:])
    if nc == 0:     # nothing summed: an outer/elementwise product
        out = A.reshape(A.shape[:nb] + (L, 1)) * B.reshape(B.shape[:nb] + (1, R))
    else:
        out = xp.matmul(A.reshape(A.shape[:nb] + (L, C)), B.reshape(B.shape[:nb] + (C, R)))
    return out.reshape(out.shape[:nb] + lsh + rsh), "".join(batch + left + right)


def _einsum_arrays(terms, out, arrays):
    """Evaluate a parsed einsum: per-operand diagonals and sums first, then pairwise GEMM
    contractions from left to right, then the output permutation."""
    n = len(arrays)
    ops = []
    for i in range(n):
        t, a = terms[i], arrays[i]
        others = set(out).union(*(terms[j] for j in range(n) if j != i))
        keep = "".join(dict.fromkeys(c for c in t if c in others))
        if keep != t:
            a = xp.einsum(f"{t}->{keep}", a)
            t = keep
        ops.append((t, a))
    t, a = ops[0]
    for j in range(1, n):
        later = set(out).union(*(ops[k][0] for k in range(j + 1, n)))
        a, t = _contract2(a, t, ops[j][1], ops[j][0], later)
    if t != out:
        a = a.transpose([t.index(c) for c in out])
    return a


class Einsum(Function):
    node_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, spec, *arrays):
        terms, out = spec
        ctx.save_for_backward(*arrays)
        ctx.spec = spec
        r = _einsum_arrays(terms, out, arrays)
        if len(arrays) == 1 and not r.flags.owndata:
            r = r.copy()
        return r

    @staticmethod
    def backward(ctx, g):
        terms, out = ctx.spec
        arrays = ctx.saved_arrays
        need = ctx.needs_input_grad
        grads = [None]
        for i, a in enumerate(arrays):
            if not need[i + 1]:
                grads.append(None)
                continue
            t = terms[i]
            uniq = "".join(dict.fromkeys(t))
            o_terms = [out] + [terms[j] for j in range(len(arrays)) if j != i]
            o_arrays = [g] + [_c(arrays[j]) for j in range(len(arrays)) if j != i]
            avail = set("".join(o_terms))
            present = "".join(c for c in uniq if c in avail)
            gi = _einsum_arrays(o_terms, present, o_arrays)
            size = {c: a.shape[t.index(c)] for c in uniq}
            for k, c in enumerate(present):     # operand dims of size 1 that were broadcast
                if gi.shape[k] != size[c] and size[c] == 1:
                    gi = gi.sum(axis=k, keepdims=True)
            full = tuple(size[c] for c in uniq)
            if present != uniq or gi.shape != full:
                # letters summed away inside this operand, or broadcast from size 1 elsewhere
                gi = xp.broadcast_to(gi.reshape([gi.shape[present.index(c)] if c in present
                                                 else 1 for c in uniq]), full)
            if uniq != t:                       # repeated letters: the gradient sits on a diagonal
                z = xp.zeros(a.shape, gi.dtype)
                xp.einsum(f"{t}->{uniq}", z)[...] = gi
                gi = z
            grads.append(gi)
        return tuple(grads)


class EinsumMul(Einsum):
    node_name = "MulBackward0"


class EinsumSum(Einsum):
    node_name = "SumBackward1"


class EinsumPermute(Einsum):
    node_name = "PermuteBackward0"


def _sublist_equation(args):
    def sub(lst):
        s = ""
        for x in lst:
            if x is Ellipsis:
                s += "..."
            else:
                x = operator.index(x)
                if not 0 <= x < 52:
                    raise RuntimeError(f"einsum(): subscript in subscript list is not within the "
                                       f"valid range [0, 52), got {x}")
                s += _LETTERS[x]
        return s
    ops = list(args[0::2])
    subs = list(args[1::2])
    if len(args) % 2:
        out = ops.pop()
        return ",".join(sub(s) for s in subs) + "->" + sub(out), ops
    return ",".join(sub(s) for s in subs), ops


@register(method=False)
def einsum(*args):
    """Einstein summation: ``einsum("ij,jk->ik", a, b)`` (operands may also come as one list, or
    in the sublist format ``einsum(a, [0, 1], b, [1, 2], [0, 2])``)."""
    if not args:
        raise RuntimeError("einsum(): must specify the equation string and at least one operand, "
                           "or at least one operand and its subscripts list")
    if isinstance(args[0], str):
        eq, ops = args[0], args[1:]
        if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
            ops = tuple(ops[0])
    else:
        eq, ops = _sublist_equation(args)
    arrays = [_tensor(o, "einsum", "operands", 2) for o in ops]
    terms, out = _einsum_parse(eq, [a.shape for a in arrays])
    for a in arrays[1:]:
        if a.dtype != arrays[0].dtype:
            raise RuntimeError(f"expected scalar type {_tn(arrays[0])} but found {_tn(a)}")
    summed = any(c not in out for t in terms for c in t)
    if len(ops) == 1:
        cls = EinsumSum if summed else EinsumPermute
    else:
        cls = Einsum if summed else EinsumMul
    return cls.apply((terms, out), *ops)


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


def _safe_div(num, den):
    """num / den with 0 where den == 0 (PyTorch masks the norm gradient at a zero norm)."""
    shape = xp.broadcast_shapes(num.shape, den.shape)
    out = xp.zeros(shape, xp.result_type(num, den))
    return xp.divide(num, den, out=out, where=den != 0)


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


# ----------------------------------------------------------------------------- decompositions

class LinAlgError(RuntimeError):
    """A linear-algebra routine failed on its input: a singular matrix, or one that is not
    positive-definite (``ember.linalg.LinAlgError``, like ``torch.linalg.LinAlgError``)."""


def _check_matrix(a, name, square=True):
    """PyTorch's input checks of the linalg routines: >= 2 dims, floating, square."""
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if a.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_tn(a)}")
    if a.dtype == np.float16:
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got Half")
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")


def _zero_pivot(m):
    """1-based index of the first zero pivot of an LU factorisation with partial pivoting (for
    the error message of a singular matrix), 0 if there is none."""
    m = m.astype(np.complex128 if m.dtype.kind == "c" else np.float64)
    n = m.shape[0]
    for j in range(n):
        p = j + int(xp.argmax(xp.abs(m[j:, j])))
        if m[p, j] == 0:
            return j + 1
        if p != j:
            m[[j, p]] = m[[p, j]]
        m[j + 1:, j:] -= xp.outer(m[j + 1:, j] / m[j, j], m[j, j:])
    return n


def _singular(a, name):
    mats = a.reshape((-1,) + a.shape[-2:])
    for i, m in enumerate(mats):
        try:
            xp.linalg.inv(m)
        except xp.linalg.LinAlgError:
            pre = f"(Batch element {i}): " if a.ndim > 2 else ""
            return LinAlgError(f"{name}: {pre}The diagonal element {_zero_pivot(m)} is zero, the "
                               "inversion could not be completed because the input matrix is "
                               "singular.")
    return LinAlgError(f"{name}: The input matrix is singular.")


def _not_pd(a, name):
    mats = a.reshape((-1,) + a.shape[-2:])
    for i, m in enumerate(mats):
        for k in range(1, m.shape[-1] + 1):
            try:
                xp.linalg.cholesky(m[:k, :k])
            except xp.linalg.LinAlgError:
                pre = f"(Batch element {i}): " if a.ndim > 2 else ""
                return LinAlgError(f"{name}: {pre}The factorization could not be completed "
                                   "because the input is not positive-definite (the leading minor "
                                   f"of order {k} is not positive-definite).")
    return LinAlgError(f"{name}: The factorization could not be completed because the input is "
                       "not positive-definite.")


def _inv_where_regular(a, singular):
    """inv(a) with the singular matrices of the batch replaced by the identity first."""
    if singular.any():
        eye = xp.eye(a.shape[-1], dtype=a.dtype)
        a = xp.where(singular[..., None, None], eye, a)
    return xp.linalg.inv(a)


class Inv(Function):
    node_name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx, a):
        try:
            r = xp.linalg.inv(a)
        except xp.linalg.LinAlgError:
            raise _singular(a, "linalg.inv") from None
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        r, = ctx.saved_arrays
        rh = _mH(r)
        return -xp.matmul(rh, xp.matmul(g, rh))


class Det(Function):
    node_name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx, a):
        d = xp.asarray(xp.linalg.det(a))
        ctx.save_for_backward(a, d)
        return d

    @staticmethod
    def backward(ctx, g):
        # det(A) A^{-H} g; PyTorch's LU path gives 0 for an exactly singular matrix
        a, d = ctx.saved_arrays
        sing = d == 0
        ga = (g * _c(d))[..., None, None] * _mH(_inv_where_regular(a, sing))
        return xp.where(sing[..., None, None], 0, ga) if sing.any() else ga


class Slogdet(Function):
    node_name = "LinalgSlogdetBackward0"

    @staticmethod
    def forward(ctx, a):
        sign, logabs = xp.linalg.slogdet(a)
        sign, logabs = xp.asarray(sign), xp.asarray(logabs)
        ctx.save_for_backward(a, sign)
        if a.dtype.kind != "c":
            ctx.mark_non_differentiable(sign)
        return sign, logabs

    @staticmethod
    def backward(ctx, gsign, glog):
        if glog is None:
            return None
        a, sign = ctx.saved_arrays
        sing = sign == 0
        ga = glog[..., None, None] * _mH(_inv_where_regular(a, sing))
        return xp.where(sing[..., None, None], 0, ga) if sing.any() else ga


class Logdet(Function):
    node_name = "WhereBackward0"

    @staticmethod
    def forward(ctx, a):
        sign, logabs = xp.linalg.slogdet(a)
        if a.dtype.kind == "c":
            r = xp.log(sign) + logabs
        else:
            r = xp.where(sign < 0, xp.nan, logabs).astype(logabs.dtype)
        ctx.save_for_backward(a, xp.asarray(sign))
        return xp.asarray(r)

    @staticmethod
    def backward(ctx, g):
        a, sign = ctx.saved_arrays
        bad = (sign == 0) if a.dtype.kind == "c" else (sign <= 0)   # -inf / NaN results
        ga = g[..., None, None] * _mH(_inv_where_regular(a, sign == 0))
        return xp.where(bad[..., None, None], 0, ga) if bad.any() else ga


class Solve(Function):
    """X with A X = B (``left``) or X A = B; ``vec`` marks B as a (batch of) vector(s)."""
    node_name = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx, a, b, left, vec):
        a_ = a if left else _mT(a)
        b_ = b[..., None] if vec else (b if left else _mT(b))
        try:
            x_ = xp.linalg.solve(a_, b_)
        except xp.linalg.LinAlgError:
            raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is "
                              "singular.") from None
        ctx.save_for_backward(a_, x_)
        ctx.args = (left, vec)
        return x_[..., 0] if vec else (x_ if left else _mT(x_))

    @staticmethod
    def backward(ctx, g):
        a_, x_ = ctx.saved_arrays
        left, vec = ctx.args
        need = ctx.needs_input_grad
        g_ = g[..., None] if vec else (g if left else _mT(g))
        gb_ = xp.linalg.solve(_mH(a_), g_)
        ga = None
        if need[0]:
            ga = -xp.matmul(gb_, _mH(x_))
            ga = ga if left else _mT(ga)
        gb = None
        if need[1]:
            gb = gb_[..., 0] if vec else (gb_ if left else _mT(gb_))
        return ga, gb, None, None


class Eigh(Function):
    node_name = "LinalgEighBackward0"

    @staticmethod
    def forward(ctx, a, uplo, vectors):
        if vectors or ctx.needs_input_grad[0]:
            w, v = xp.linalg.eigh(a, UPLO=uplo)
        else:
            w, v = xp.linalg.eigvalsh(a, UPLO=uplo), xp.zeros((0,), a.dtype)
        ctx.save_for_backward(w, v)
        return w, v

    @staticmethod
    def backward(ctx, gw, gv):
        w, v = ctx.saved_arrays
        n = w.shape[-1]
        r = xp.arange(n)
        if gv is not None:
            vhgv = xp.matmul(_mH(v), gv)
            e = w[..., None, :] - w[..., :, None]
            e[..., r, r] = 1
            inner = 0.5 * (vhgv - _mH(vhgv)) / e
        else:
            inner = xp.zeros(w.shape + (n,), v.dtype)
        if gw is not None:
            inner[..., r, r] = gw
        return xp.matmul(v, xp.matmul(inner, _mH(v))), None, None


class Eig(Function):
    node_name = "LinalgEigBackward0"

    @staticmethod
    def forward(ctx, a):
        w, v = xp.linalg.eig(a)
        cdt = np.complex64 if a.dtype in (np.float32, np.complex64) else np.complex128
        w, v = w.astype(cdt), v.astype(cdt)
        ctx.save_for_backward(w, v)
        ctx.real_input = a.dtype.kind != "c"
        return w, v

    @staticmethod
    def backward(ctx, gw, gv):
        w, v = ctx.saved_arrays
        n = w.shape[-1]
        r = xp.arange(n)
        vh = _mH(v)
        if gv is None:
            ga = _diag_embed(gw)
        else:
            vhgv = xp.matmul(vh, gv)
            d = vhgv[..., r, r]
            vhgv = vhgv - xp.matmul(vh, v * d.real[..., None, :])
            e = w.conj()[..., None, :] - w.conj()[..., :, None]
            e[..., r, r] = 1
            ga = vhgv / e
            if gw is not None:
                ga[..., r, r] = gw
        ga = xp.linalg.solve(vh, xp.matmul(ga, vh))
        return ga.real if ctx.real_input else ga


def _svd_back(gu, gs, gvh, u, s, vh, full):
    """PyTorch's svd_backward (real and complex without the phase term)."""
    k = s.shape[-1]
    if full:
        u, vh = u[..., :, :k], vh[..., :k, :]
        gu = None if gu is None else gu[..., :, :k]
        gvh = None if gvh is None else gvh[..., :k, :]
    m, n = u.shape[-2], vh.shape[-1]
    if gu is None and gvh is None:
        if gs is None:
            return None
        return xp.matmul(u * gs[..., None, :].astype(u.dtype), vh)
    s2 = s * s
    e = s2[..., None, :] - s2[..., :, None]
    r = xp.arange(k)
    e[..., r, r] = 1
    if gu is not None:
        uhgu = xp.matmul(_mH(u), gu)
        uhgu = uhgu - _mH(uhgu)
    if gvh is not None:
        vhgv = xp.matmul(vh, _mH(gvh))
        vhgv = vhgv - _mH(vhgv)
    if gu is not None and gvh is not None:
        ret = (uhgu * s[..., None, :] + s[..., :, None] * vhgv) / e
    elif gu is not None:
        ret = (uhgu / e) * s[..., None, :]
    else:
        ret = s[..., :, None] * (vhgv / e)
    if gs is not None:
        ret = ret + _diag_embed(gs.astype(ret.dtype))
    if m > k and gu is not None:
        ga = xp.matmul(u, ret)
        gusinv = gu / s[..., None, :]
        ga = ga + gusinv - xp.matmul(u, xp.matmul(_mH(u), gusinv))
        return xp.matmul(ga, vh)
    if n > k and gvh is not None:
        ga = xp.matmul(ret, vh)
        sinvgvh = gvh / s[..., :, None]
        ga = ga + sinvgvh - xp.matmul(xp.matmul(sinvgvh, _mH(vh)), vh)
        return xp.matmul(u, ga)
    return xp.matmul(u, xp.matmul(ret, vh))


class Svd(Function):
    node_name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx, a, full_matrices):
        u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
        ctx.save_for_backward(u, s, vh)
        ctx.full = full_matrices
        return u, s, vh

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        u, s, vh = ctx.saved_arrays
        return _svd_back(gu, gs, gvh, u, s, vh, ctx.full), None


class Svdvals(Function):
    node_name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx, a):
        if ctx.needs_input_grad[0]:
            u, s, vh = xp.linalg.svd(a, full_matrices=False)
            ctx.save_for_backward(u, vh)
            return s
        return xp.linalg.svd(a, compute_uv=False)

    @staticmethod
    def backward(ctx, g):
        u, vh = ctx.saved_arrays
        return xp.matmul(u * g[..., None, :].astype(u.dtype), vh)


class Adjoint(Function):
    """The conjugate transpose of the last two dims, as a view (torch.svd's V)."""
    node_name = "TransposeBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, a):
        return _mH(a)

    @staticmethod
    def backward(ctx, g):
        return _mH(g)


def _qr_back_square(q, r, gq, gr):
    """Gradient of A = QR for m >= n: (gQ + Q copyltu(M)) R^{-H}, M = R gR^H - gQ^H Q."""
    mm = xp.matmul(r, _mH(gr)) - xp.matmul(_mH(gq), q)
    low = xp.tril(mm, -1)
    n = mm.shape[-1]
    idx = xp.arange(n)
    sym = low + _mH(low)
    sym[..., idx, idx] = mm[..., idx, idx].real if mm.dtype.kind == "c" else mm[..., idx, idx]
    b = gq + xp.matmul(q, sym)
    return _mH(xp.linalg.solve(r, _mH(b)))


class Qr(Function):
    node_name = "LinalgQrBackward0"

    @staticmethod
    def forward(ctx, a, mode):
        if mode == "r":
            r = xp.linalg.qr(a, mode="r")
            q = xp.zeros((0,), a.dtype)
        else:
            q, r = xp.linalg.qr(a, mode=mode)
        ctx.save_for_backward(q, r)
        ctx.mode = mode
        return q, r

    @staticmethod
    def backward(ctx, gq, gr):
        q, r = ctx.saved_arrays
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you are "
                               "going to differentiate through linalg.qr.")
        m, n = q.shape[-2], r.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        gq = xp.zeros_like(q) if gq is None else gq
        gr = xp.zeros_like(r) if gr is None else gr
        if m >= n:
            return _qr_back_square(q, r, gq, gr), None
        # wide A = [X | Y] = Q [U | V]: Y = Q V contributes through gV
        u, v = r[..., :, :m], r[..., :, m:]
        gu, gv = gr[..., :, :m], gr[..., :, m:]
        y = xp.matmul(q, v)
        gx = _qr_back_square(q, u, gq + xp.matmul(y, _mH(gv)), gu)
        return xp.concatenate([gx, xp.matmul(q, gv)], axis=-1), None


class Cholesky(Function):
    node_name = "LinalgCholeskyExBackward0"

    @staticmethod
    def forward(ctx, a, upper):
        try:
            low = xp.linalg.cholesky(a)
        except xp.linalg.LinAlgError:
            raise _not_pd(a, "linalg.cholesky") from None
        ctx.save_for_backward(low)
        ctx.upper = upper
        return xp.ascontiguousarray(_mH(low)) if upper else low

    @staticmethod
    def backward(ctx, g):
        low, = ctx.saved_arrays
        gl = _mH(g) if ctx.upper else g
        m = xp.tril(xp.matmul(_mH(low), gl))
        s = 0.5 * (m + _mH(xp.tril(m, -1)))
        linv = xp.linalg.inv(low)
        return xp.matmul(_mH(linv), xp.matmul(s, linv)), None


class CholeskyLegacy(Cholesky):
    node_name = "CholeskyBackward0"


def _pinv_array(a, atol, rtol, hermitian):
    """Pseudo-inverse dropping singular values (|eigenvalues|) <= max(atol, rtol * largest)."""
    if hermitian:
        w, v = xp.linalg.eigh(a)
        aw = xp.abs(w)
        mx = aw.max(-1, keepdims=True) if w.shape[-1] else aw
        winv = _safe_div(xp.ones_like(w), w) * (aw > xp.maximum(atol, rtol * mx))
        return xp.matmul(v * winv[..., None, :].astype(v.dtype), _mH(v))
    u, s, vh = xp.linalg.svd(a, full_matrices=False)
    mx = s[..., :1]
    sinv = _safe_div(xp.ones_like(s), s) * (s > xp.maximum(atol, rtol * mx))
    return xp.matmul(_mH(vh) * sinv[..., None, :].astype(u.dtype), _mH(u))


def _pinv_back(g, p, a):
    """PyTorch's pinv_backward: the gradient of pinv(A) at constant rank."""
    m, n = a.shape[-2], a.shape[-1]
    ph, gh = _mH(p), _mH(g)
    if m <= n:
        k = xp.matmul(gh, p)
        kph = xp.matmul(k, ph)
        return (-_mH(xp.matmul(p, k)) + kph - xp.matmul(xp.matmul(a, p), kph)
                + xp.matmul(xp.matmul(ph, p), gh - xp.matmul(k, a)))
    k = xp.matmul(p, gh)
    phk = xp.matmul(ph, k)
    return (-_mH(xp.matmul(k, p)) + phk - xp.matmul(phk, xp.matmul(p, a))
            + xp.matmul(gh - xp.matmul(a, k), xp.matmul(p, ph)))


class Pinv(Function):
    node_name = "LinalgPinvBackward0"

    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        p = _pinv_array(a, atol, rtol, hermitian)
        ctx.save_for_backward(a, p)
        return p

    @staticmethod
    def backward(ctx, g):
        a, p = ctx.saved_arrays
        return _pinv_back(g, p, a), None, None, None


class Lstsq(Function):
    node_name = "LinalgLstsqBackward0"

    @staticmethod
    def forward(ctx, a, b, rcond, vec):
        p = _pinv_array(a, 0.0, rcond, False)
        b_ = b[..., None] if vec else b
        x = xp.matmul(p, b_)
        ctx.save_for_backward(a, b_, p)
        ctx.vec = vec
        return x[..., 0] if vec else x

    @staticmethod
    def backward(ctx, g):
        a, b_, p = ctx.saved_arrays
        need = ctx.needs_input_grad
        g_ = g[..., None] if ctx.vec else g
        ga = _pinv_back(xp.matmul(g_, _mH(b_)), p, a) if need[0] else None
        gb = None
        if need[1]:
            gb = xp.matmul(_mH(p), g_)
            gb = gb[..., 0] if ctx.vec else gb
        return ga, gb, None, None


class MatrixPowerZero(Function):
    """A^0: identities shaped like A (PyTorch records a copy)."""
    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, a):
        return xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape).copy()

    @staticmethod
    def backward(ctx, g):
        return xp.zeros_like(g)


class View(Function):
    """A reshape recorded as PyTorch's view (multi_dot's result)."""
    node_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return a.reshape(shape).copy()

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape), None


_linalg_slogdet = return_types._make("linalg_slogdet", ("sign", "logabsdet"))
_slogdet_rt = return_types._make("slogdet", ("sign", "logabsdet"))
_svd_rt = return_types._make("svd", ("U", "S", "V"))


def _square_input(A, name, fname):
    a = _tensor(A, fname, "input", 1)
    _check_matrix(a, name)
    return a


@register()
def inverse(input):
    """Inverse of a square matrix (or a batch of them)."""
    _square_input(input, "linalg.inv", "inverse")
    return Inv.apply(input)


@register()
def det(input):
    """Determinant of square matrices."""
    _square_input(input, "linalg.det", "det")
    return Det.apply(input)


@register()
def logdet(input):
    """log(det(input)); NaN for a negative determinant, -inf for a singular matrix."""
    _square_input(input, "linalg.det", "logdet")
    return Logdet.apply(input)


def _slogdet(input, rt):
    _square_input(input, "linalg.slogdet", "slogdet")
    return rt(*Slogdet.apply(input))


@register()
def slogdet(input):
    """(sign, log|det|) of square matrices."""
    return _slogdet(input, _slogdet_rt)


@register()
def svd(input, some=True, compute_uv=True):
    """The old SVD API: (U, S, V) with A = U diag(S) V^H; ``some`` gives the reduced form."""
    a = _tensor(input, "svd", "input", 1)
    _check_matrix(a, "linalg.svd", square=False)
    if not compute_uv:
        s = Svdvals.apply(input)
        m, n = a.shape[-2:]
        from ..tensor import _new_tensor
        return _svd_rt(_new_tensor(xp.zeros(a.shape[:-2] + (m, m), a.dtype)), s,
                       _new_tensor(xp.zeros(a.shape[:-2] + (n, n), a.dtype)))
    u, s, vh = Svd.apply(input, not some)
    return _svd_rt(u, s, Adjoint.apply(vh))


def _pinv(input, atol, rtol, hermitian, fname):
    a = _tensor(input, fname, "input", 1)
    _check_matrix(a, "linalg.pinv", square=hermitian)
    if rtol is None:
        rtol = 0.0 if (atol is not None and atol > 0) else \
            float(np.finfo(a.dtype).eps) * max(a.shape[-2:])
    atol = 0.0 if atol is None else atol
    if isinstance(atol, Tensor):
        atol = atol._data[..., None]
    if isinstance(rtol, Tensor):
        rtol = rtol._data[..., None]
    return Pinv.apply(input, atol, rtol, bool(hermitian))


@register()
def pinverse(input, rcond=1e-15):
    """Moore-Penrose pseudo-inverse (singular values below rcond * largest are dropped)."""
    return _pinv(input, None, rcond, False, "pinverse")


def _cholesky(input, upper, cls, name):
    a = _tensor(input, name, "input", 1)
    _check_matrix(a, "linalg.cholesky")
    return cls.apply(input, bool(upper))


_CHOLESKY_WARNING = (
    "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
    "future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\nL = "
    "torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be replaced with\n"
    "U = torch.linalg.cholesky(A).mH\nThis transform will produce equivalent results for all "
    "valid (symmetric positive definite) inputs.")


@register()
def cholesky(input, upper=False):
    """Deprecated: use ``ember.linalg.cholesky``."""
    warnings.warn(_CHOLESKY_WARNING, UserWarning, stacklevel=3)
    return _cholesky(input, upper, CholeskyLegacy, "cholesky")


@register()
def matrix_power(input, n):
    """input @ input @ ... (n times); n = 0 gives identities, n < 0 powers of the inverse."""
    a = _tensor(input, "matrix_power", "input", 1)
    if a.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 "
                           "dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they "
                           f"are {a.shape[-2]} by {a.shape[-1]} matrices")
    n = operator.index(n)
    if n == 0:
        return MatrixPowerZero.apply(input)
    if n < 0:
        _check_matrix(a, "linalg.inv")
        input = Inv.apply(input)
        n = -n
    if n == 1:
        return input.clone()
    # binary powering: z holds input^(2^i), result the product of the chosen powers
    result, z = None, input
    while True:
        if n & 1:
            result = z if result is None else matmul(result, z)
        n >>= 1
        if not n:
            return result
        z = matmul(z, z)


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


# ----------------------------------------------------------------------------- legacy entry points

_qr_rt = return_types._make("qr", ("Q", "R"))

_QR_WARNING = ("torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
               "PyTorch release.\nThe boolean parameter 'some' has been replaced with a string "
               "parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\nQ, R = "
               "torch.linalg.qr(A, 'reduced' if some else 'complete')")


@register()
def qr(input, some=True):
    """Deprecated: ``ember.linalg.qr(A, "reduced" if some else "complete")``."""
    a = _tensor(input, "qr", "input", 1)
    _check_matrix(a, "linalg.qr", square=False)
    warnings.warn(_QR_WARNING, UserWarning, stacklevel=3)
    return _qr_rt(*Qr.apply(input, "reduced" if some else "complete"))


@register(method=False)
def chain_matmul(*matrices, out=None):
    """Deprecated: ``ember.linalg.multi_dot(list_of_matrices)``."""
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch "
                  "release. Use torch.linalg.multi_dot instead, which accepts a list of two or "
                  "more tensors rather than multiple parameters.", UserWarning, stacklevel=3)
    from .. import linalg
    if len(matrices) == 1:
        return matrices[0].clone()
    return linalg.multi_dot(matrices, out=out)


_REMOVED = "This function was deprecated since version 1.9 and is now removed."
_REMOVED_TEXT = {
    "eig": (" `torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather "
            "than real tensors mimicking complex tensors.\n\nL, _ = torch.eig(A) should be "
            "replaced with:\nL_complex = torch.linalg.eigvals(A)\n\nand\n\nL, V = torch.eig(A, "
            "eigenvectors=True) should be replaced with:\nL_complex, V_complex = "
            "torch.linalg.eig(A)"),
    "symeig": (" The default behavior has changed from using the upper triangular portion of the "
               "matrix by default to using the lower triangular portion.\n\nL, _ = "
               "torch.symeig(A, upper=upper) should be replaced with:\nL = torch.linalg.eigvalsh("
               "A, UPLO='U' if upper else 'L')\n\nand\n\nL, V = torch.symeig(A, eigenvectors="
               "True) should be replaced with:\nL, V = torch.linalg.eigh(A, UPLO='U' if upper "
               "else 'L')"),
    "matrix_rank": ("\nPlease use the `torch.linalg.matrix_rank` function instead. The parameter "
                    "'symmetric' was renamed in `torch.linalg.matrix_rank()` to 'hermitian'."),
    "solve": (" `torch.solve` is deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` "
              "has its arguments reversed and does not return the LU factorization.\n\nTo get "
              "the LU factorization see `torch.lu`, which can be used with `torch.lu_solve` or "
              "`torch.lu_unpack`.\nX = torch.solve(B, A).solution should be replaced with:\nX = "
              "torch.linalg.solve(A, B)"),
    "lstsq": (" `torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n"
              "`torch.linalg.lstsq` has reversed arguments and does not return the QR "
              "decomposition in the returned tuple (although it returns other information "
              "about the problem).\n\nTo get the QR decomposition consider using "
              "`torch.linalg.qr`.\n\nThe returned solution in "
              "`torch.lstsq` stored the residuals of the solution in the last m - n columns of "
              "the returned value whenever m > n. In torch.linalg.lstsq, the residuals are in the "
              "field 'residuals' of the returned named tuple.\n\nThe unpacking of the solution, "
              "as in\nX, _ = torch.lstsq(B, A).solution[:A.size(1)]\nshould be replaced with:\nX "
              "= torch.linalg.lstsq(A, B).solution"),
}


def _removed(fname):
    def fn(*args, **kwargs):
        raise RuntimeError(_REMOVED + _REMOVED_TEXT[fname])
    fn.__name__ = fn.__qualname__ = fname
    fn.__doc__ = (f"Removed in PyTorch 1.9+: raises, naming the ``ember.linalg`` function to use "
                  "instead.")
    return fn


for _name in _REMOVED_TEXT:
    register(_name)(_removed(_name))
