"""Decompositions and solvers (inv, det, slogdet, solve, eig, eigh, svd, qr, cholesky, pinv,
lstsq, matrix_power), one Function each with PyTorch's backward formulas, and the legacy
torch-level entry points; ``ember.linalg`` wraps them with PyTorch's signatures."""
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
from .linalg import matmul

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
