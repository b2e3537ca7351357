"""ember.linalg: PyTorch's ``torch.linalg`` — norms, inverses and solves, decompositions
(eig, eigh, svd, qr, cholesky), pseudo-inverses and least squares, matrix powers and chains.

The ops themselves (one Function each, with PyTorch's gradients) live in ``ember.ops.linalg``;
this module gives them torch.linalg's signatures, checks, error messages and named results.
"""
import math
import operator

import numpy as np

from ..backend import xp
from ..tensor import _new_tensor
from .. import return_types as _rt
from ..ops import linalg_decomp as _ops
from ..ops.linalg import mm as _mm, linalg_cross as cross  # noqa: F401
from ..ops.einsum import einsum as _einsum
from ..ops._linalg_util import _real_dtype, _tensor, _tn, _cn
from ..ops.linalg_norms import (vector_norm, matrix_norm, linalg_norm as norm,  # noqa: F401
                                _out)
from ..ops.linalg_decomp import (LinAlgError, matrix_power as _matrix_power,  # noqa: F401
                                 _check_matrix)
from ..ops._registry import FUNCTIONS as _FUNCTIONS

matmul = _FUNCTIONS["matmul"]

__all__ = ["LinAlgError", "norm", "vector_norm", "matrix_norm", "inv", "inv_ex", "det",
           "slogdet", "solve", "eig", "eigvals", "eigh", "eigvalsh", "svd", "svdvals", "qr",
           "cholesky", "cholesky_ex", "pinv", "matrix_rank", "lstsq", "matrix_power",
           "multi_dot", "cross", "matmul"]

linalg_inv_ex = _rt._make("linalg_inv_ex", ("inverse", "info"))
linalg_slogdet = _rt._make("linalg_slogdet", ("sign", "logabsdet"))
linalg_eig = _rt._make("linalg_eig", ("eigenvalues", "eigenvectors"))
linalg_eigh = _rt._make("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_svd = _rt._make("linalg_svd", ("U", "S", "Vh"))
linalg_qr = _rt._make("linalg_qr", ("Q", "R"))
linalg_cholesky_ex = _rt._make("linalg_cholesky_ex", ("L", "info"))
linalg_lstsq = _rt._make("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))


def _square(A, name, fname):
    a = _tensor(A, fname, "A", 1)
    _check_matrix(a, name)
    return a


def _done(r, out, name):
    return r if out is None else _out(out, r, name)


def inv(A, *, out=None):
    """Inverse of a square matrix (or batch); raises LinAlgError for a singular one."""
    _square(A, "linalg.inv", "linalg_inv")
    return _done(_ops.Inv.apply(A), out, "linalg_inv")


def inv_ex(A, *, check_errors=False, out=None):
    """(inverse, info): info is 0, or the 1-based index of the zero pivot of a singular input
    (whose inverse is then NaN), unless ``check_errors`` raises instead."""
    a = _square(A, "linalg.inv", "linalg_inv_ex")
    try:
        r = _ops.Inv.apply(A)
        info = xp.zeros(a.shape[:-2], np.int32)
    except LinAlgError:
        if check_errors:
            raise
        mats = a.reshape((-1,) + a.shape[-2:])
        info = np.array([_ops._zero_pivot(m) if _is_singular(m) else 0 for m in mats],
                        np.int32).reshape(a.shape[:-2])
        inv_a = xp.full(a.shape, xp.nan, a.dtype)
        ok = info == 0
        if ok.any():
            inv_a[ok] = xp.linalg.inv(a[ok]) if a.ndim > 2 else xp.linalg.inv(a)
        r = _new_tensor(inv_a)
    return _done(linalg_inv_ex(r, _new_tensor(xp.asarray(info))), out, "linalg_inv_ex")


def _is_singular(m):
    try:
        xp.linalg.inv(m)
        return False
    except xp.linalg.LinAlgError:
        return True


def det(A, *, out=None):
    """Determinant of square matrices."""
    _square(A, "linalg.det", "linalg_det")
    return _done(_ops.Det.apply(A), out, "linalg_det")


def slogdet(A, *, out=None):
    """(sign, logabsdet) with det(A) = sign * exp(logabsdet)."""
    _square(A, "linalg.slogdet", "linalg_slogdet")
    return _done(linalg_slogdet(*_ops.Slogdet.apply(A)), out, "linalg_slogdet")


def solve(A, B, *, left=True, out=None):
    """X with A X = B (``left=False``: X A = B). B may be a vector or a batch of vectors."""
    a = _square(A, "linalg.solve", "linalg_solve")
    b = _tensor(B, "linalg_solve", "B", 2)
    if a.dtype != b.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A "
                           f"of type {_tn(a)} and B of type {_tn(b)} instead")
    vec = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    n = a.shape[-1]
    rows = b.shape[-1] if vec else (b.shape[-2] if left else b.shape[-1])
    if rows != n:
        bshape = f"{b.shape[-1]}x1" if vec else f"{b.shape[-2]}x{b.shape[-1]}"
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {bshape})")
    return _done(_ops.Solve.apply(A, B, bool(left), vec), out, "linalg_solve")


def eig(A, *, out=None):
    """Eigenvalues and eigenvectors of a general square matrix, as complex tensors
    (complex64 for float32 input, complex128 for float64)."""
    _square(A, "linalg.eig", "linalg_eig")
    return _done(linalg_eig(*_ops.Eig.apply(A)), out, "linalg_eig")


def eigvals(A, *, out=None):
    """Eigenvalues of a general square matrix (complex)."""
    _square(A, "linalg.eigvals", "linalg_eigvals")
    return _done(_ops.Eig.apply(A)[0], out, "linalg_eigvals")


def _uplo(UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO


def eigh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric/Hermitian matrix,
    read from its lower (``UPLO="L"``) or upper triangle."""
    _square(A, "linalg.eigh", "linalg_eigh")
    return _done(linalg_eigh(*_ops.Eigh.apply(A, _uplo(UPLO), True)), out, "linalg_eigh")


def eigvalsh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) of a symmetric/Hermitian matrix."""
    _square(A, "linalg.eigvalsh", "linalg_eigvalsh")
    return _done(_ops.Eigh.apply(A, _uplo(UPLO), False)[0], out, "linalg_eigvalsh")


def svd(A, full_matrices=True, *, driver=None, out=None):
    """A = U diag(S) Vh; ``full_matrices=False`` gives the reduced factors."""
    _check_matrix(_tensor(A, "linalg_svd", "A", 1), "linalg.svd", square=False)
    return _done(linalg_svd(*_ops.Svd.apply(A, bool(full_matrices))), out, "linalg_svd")


def svdvals(A, *, driver=None, out=None):
    """Singular values, descending."""
    _check_matrix(_tensor(A, "linalg_svdvals", "A", 1), "linalg.svdvals", square=False)
    return _done(_ops.Svdvals.apply(A), out, "linalg_svdvals")


def qr(A, mode="reduced", *, out=None):
    """A = QR with orthonormal Q and upper-triangular R; mode "reduced", "complete" or "r"
    (R only; Q is empty)."""
    _check_matrix(_tensor(A, "linalg_qr", "A", 1), "linalg.qr", square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    return _done(linalg_qr(*_ops.Qr.apply(A, mode)), out, "linalg_qr")


def cholesky(A, *, upper=False, out=None):
    """Lower-triangular L with A = L L^H (``upper=True``: U = L^H)."""
    return _done(_ops._cholesky(A, upper, _ops.Cholesky, "linalg_cholesky"), out,
                 "linalg_cholesky")


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """(L, info): info is 0, or the order of the leading minor that is not positive-definite."""
    a = _square(A, "linalg.cholesky", "linalg_cholesky_ex")
    try:
        r = _ops.Cholesky.apply(A, bool(upper))
        info = xp.zeros(a.shape[:-2], np.int32)
    except LinAlgError:
        if check_errors:
            raise
        mats = a.reshape((-1,) + a.shape[-2:])
        info = np.array([_minor_order(m) for m in mats], np.int32).reshape(a.shape[:-2])
        r = _new_tensor(xp.zeros(a.shape, a.dtype))
    return _done(linalg_cholesky_ex(r, _new_tensor(xp.asarray(info))), out, "linalg_cholesky_ex")


def _minor_order(m):
    for k in range(1, m.shape[-1] + 1):
        try:
            xp.linalg.cholesky(m[:k, :k])
        except xp.linalg.LinAlgError:
            return k
    return 0


def pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """Moore-Penrose pseudo-inverse; singular values <= max(atol, rtol * largest) count as 0
    (``rcond`` is the older name of ``rtol``)."""
    if rcond is not None:
        rtol = rcond
    return _done(_ops._pinv(A, atol, rtol, hermitian, "linalg_pinv"), out, "linalg_pinv")


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """Number of singular values (|eigenvalues| when ``hermitian``) above
    max(atol, rtol * largest); ``tol`` is the older name of ``atol``."""
    a = _tensor(A, "linalg_matrix_rank", "input", 1)
    _check_matrix(a, "linalg.matrix_rank", square=hermitian)
    if tol is not None:
        atol, rtol = tol, 0.0
    if rtol is None:
        rtol = 0.0 if (atol is not None and atol > 0) else \
            float(np.finfo(a.dtype).eps) * max(a.shape[-2:])
    atol = 0.0 if atol is None else atol
    s = xp.abs(xp.linalg.eigvalsh(a)) if hermitian else xp.linalg.svd(a, compute_uv=False)
    mx = s.max(-1, keepdims=True) if s.shape[-1] else xp.zeros(s.shape[:-1] + (1,), s.dtype)
    rank = xp.sum(s > xp.maximum(atol, rtol * mx), axis=-1).astype(np.int64)
    return _done(_new_tensor(xp.asarray(rank)), out, "linalg_matrix_rank")


def lstsq(A, B, rcond=None, *, driver=None):
    """Least-squares solution of A X = B (minimum norm when A is rank deficient), as
    (solution, residuals, rank, singular_values) following the LAPACK driver's conventions."""
    a = _tensor(A, "linalg_lstsq", "input", 1)
    b = _tensor(B, "linalg_lstsq", "b", 2)
    if a.ndim < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    if a.dtype.kind not in "fc":
        raise RuntimeError(f"torch.linalg.lstsq: Expected input to be of floating point or "
                           f"complex type, but got {_tn(a)}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, "
                           f"but got input's dtype {_tn(a)} and other's dtype {_tn(b)}")
    drivers = (None, "gels", "gelsy", "gelsd", "gelss")
    if driver not in drivers:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, "
                           "gelsd, gelss)")
    driver = driver or "gelsy"
    if not (a.ndim >= b.ndim and a.ndim - b.ndim <= 1):
        raise RuntimeError("torch.linalg.lstsq: input.dim() must be greater or equal to "
                           "other.dim() and (input.dim() - other.dim()) <= 1")
    vec = b.ndim == a.ndim - 1
    m, n = a.shape[-2:]
    rows = b.shape[-1] if vec else b.shape[-2]
    if rows != m:
        which = "other.size(-1)" if vec else "other.size(-2)"
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match {which}")
    if rcond is None:
        rcond = float(np.finfo(a.dtype).eps) * max(m, n)
    x = _ops.Lstsq.apply(A, B, float(rcond), vec)
    rdt = _real_dtype(a.dtype)
    s = xp.linalg.svd(a, compute_uv=False)
    mx = s[..., :1]
    rank_arr = xp.sum(s > rcond * mx, axis=-1).astype(np.int64)
    rank = _new_tensor(xp.zeros((0,), np.int64)) if driver == "gels" else \
        _new_tensor(xp.asarray(rank_arr))
    sv = _new_tensor(s if driver in ("gelsd", "gelss") else xp.zeros((0,), rdt))
    res = xp.zeros((0,), rdt)
    if m > n and driver != "gelsy" and bool(xp.all(rank_arr == n)):
        xd = x._data[..., None] if vec else x._data
        bd = b[..., None] if vec else b
        res = xp.sum(xp.abs(xp.matmul(a, xd) - bd) ** 2, axis=-2)
        res = res[..., 0] if vec else res
    return linalg_lstsq(x, _new_tensor(xp.asarray(res, rdt)), rank, sv)


def matrix_power(A, n, *, out=None):
    """A @ A @ ... (n times); n = 0 gives identities, n < 0 powers of the inverse."""
    return _done(_matrix_power(A, n), out, "linalg_matrix_power")


def _chain_order(dims):
    """Matrix-chain DP: split[i][j] = best split of the product of matrices i..j."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def multi_dot(tensors, *, out=None):
    """Product of a chain of matrices in the cheapest order; the first and last may be vectors."""
    tensors = list(tensors)
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    arrays = [_tensor(t, "multi_dot", "tensors", 1) for t in tensors]
    if arrays[0].ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got "
                           f"{arrays[0].ndim}D")
    if arrays[-1].ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got "
                           f"{arrays[-1].ndim}D")
    for i in range(1, n - 1):
        if arrays[i].ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {arrays[i].ndim}D")
    for i in range(1, n):
        if arrays[i].dtype != arrays[0].dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor "
                               f"0 is {_cn(arrays[0])} and tensor {i} {_cn(arrays[i])}")
    first_vec, last_vec = arrays[0].ndim == 1, arrays[-1].ndim == 1
    mats = list(tensors)
    if first_vec:
        mats[0] = _ops.View.apply(tensors[0], (1, arrays[0].shape[0]))
    if last_vec:
        mats[-1] = _ops.View.apply(tensors[-1], (arrays[-1].shape[0], 1))
    shapes = [m._data.shape for m in mats]
    for i in range(1, n):
        if shapes[i - 1][1] != shapes[i][0]:
            raise RuntimeError(f"multi_dot(): tensors {i - 1} and {i} with shapes "
                               f"{list(arrays[i - 1].shape)} and {list(arrays[i].shape)} cannot "
                               "be multiplied")
    split = _chain_order([s[0] for s in shapes] + [shapes[-1][1]])

    def product(i, j):
        if i == j:
            return mats[i]
        k = split[i][j]
        return _mm(product(i, k), product(k + 1, j))

    r = product(0, n - 1)
    shape = ((() if first_vec else (shapes[0][0],)) + (() if last_vec else (shapes[-1][1],)))
    return _done(_ops.View.apply(r, shape), out, "linalg_multi_dot")


def vecdot(x, y, *, dim=-1, out=None):
    """sum(conj(x) * y) over ``dim`` (broadcasting), as a contraction."""
    a = _tensor(x, "linalg_vecdot", "x", 1)
    b = _tensor(y, "linalg_vecdot", "y", 2)
    nd = max(a.ndim, b.ndim)
    d = operator.index(dim)
    d = d + nd if d < 0 else d
    letters = "abcdefghijklmnopqrstuvwxyz"[:nd]
    out_l = letters[:d] + letters[d + 1:]
    xa = x.conj() if a.dtype.kind == "c" else x
    eq = f"{letters[nd - a.ndim:]},{letters[nd - b.ndim:]}->{out_l}"
    return _done(_einsum(eq, xa, y), out, "linalg_vecdot")
