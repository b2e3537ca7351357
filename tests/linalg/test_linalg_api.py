"""ember.linalg (ember/linalg/__init__.py) and the torch-level decompositions (inverse, det,
svd, pinverse, cholesky, matrix_power): values, named results, errors, and float64 gradient
checks (on symmetric inputs where the routine reads one triangle)."""
import math
import warnings

import numpy as np
import pytest

import ember
from ember import linalg as LA
from helpers import check_grad

R = np.random.default_rng(1)


def T(a, dtype=None, rg=False):
    return ember.tensor(a, dtype=dtype, requires_grad=rg)


def rnd(*shape):
    return R.standard_normal(shape)


def wellcond(*shape):
    """Random square matrices with a dominant diagonal (far from singular)."""
    n = shape[-1]
    return rnd(*shape) + 3 * np.eye(n)


def sym(x):
    """x + x^T on the last two dims, inside the graph."""
    return x + ember.einsum("...ij->...ji", x)


def spd(x):
    """x x^T + n I: symmetric positive-definite, inside the graph."""
    n = x.shape[-1]
    return ember.einsum("...ij,...kj->...ik", x, x) + ember.tensor(n * np.eye(n))


def name(t):
    return type(t.grad_fn).__name__


# ----------------------------------------------------------------------------- inverse, det

def test_inv_values_names_and_errors():
    a = T([[2., 1.], [1., 1.]])
    assert LA.inv(a).tolist() == [[1., -1.], [-1., 2.]]
    assert ember.inverse(a).tolist() == a.inverse().tolist()
    assert LA.inv(T(np.ones((2, 2, 2)) + np.eye(2))).shape == (2, 2, 2)
    assert name(LA.inv(T(wellcond(2, 2), rg=True))) == "LinalgInvExBackward0"
    with pytest.raises(LA.LinAlgError, match="linalg.inv: The diagonal element 1 is zero, the "
                                             "inversion could not be completed because the "
                                             "input matrix is singular."):
        LA.inv(T(np.zeros((3, 3))))
    with pytest.raises(RuntimeError, match=r"linalg.inv: \(Batch element 1\): The diagonal "
                                           "element 2 is zero"):
        LA.inv(T(np.stack([np.eye(2), [[1., 1.], [1., 1.]]])))
    with pytest.raises(RuntimeError, match="linalg.inv: A must be batches of square matrices, "
                                           "but they are 3 by 4 matrices"):
        LA.inv(T(np.ones((3, 4))))
    with pytest.raises(RuntimeError, match="linalg.inv: Expected a floating point or complex "
                                           "tensor as input. Got Long"):
        LA.inv(T([[1, 0], [0, 1]]))
    with pytest.raises(RuntimeError, match="must have at least 2 dimensions"):
        LA.inv(T([1., 2.]))
    info = LA.inv_ex(T(np.zeros((2, 2)))).info
    assert info.item() == 1 and LA.inv_ex(a).info.item() == 0


def test_inv_det_grads():
    for shape in [(3, 3), (2, 2, 2), (1, 1)]:
        check_grad(LA.inv, wellcond(*shape))
        check_grad(LA.det, wellcond(*shape))
        check_grad(lambda a: LA.slogdet(a).logabsdet, wellcond(*shape))
    check_grad(ember.logdet, wellcond(2, 2))


def test_det_slogdet_logdet_values():
    a = T([[2., 1.], [1., 3.]])
    assert LA.det(a).item() == pytest.approx(5.)
    assert ember.det(a).item() == a.det().item()
    s = LA.slogdet(T([[0., 1.], [1., 0.]]))
    assert s.sign.item() == -1. and s.logabsdet.item() == pytest.approx(0.)
    assert ember.slogdet(a).logabsdet.item() == pytest.approx(math.log(5.))
    assert math.isnan(ember.logdet(T([[0., 1.], [1., 0.]])).item())
    assert LA.det(T(np.ones((0, 0)))).item() == 1.
    x = T([[1., 2.], [2., 4.]], rg=True)      # singular: PyTorch's gradient is 0 there
    LA.det(x).backward()
    assert x.grad.tolist() == [[0., 0.], [0., 0.]]
    assert name(LA.det(T(wellcond(2, 2), rg=True))) == "LinalgDetBackward0"
    sl = LA.slogdet(T(wellcond(2, 2), rg=True))
    assert not sl.sign.requires_grad and name(sl.logabsdet) == "LinalgSlogdetBackward0"


# ----------------------------------------------------------------------------- solve, lstsq

def test_solve_shapes_and_values():
    a = T([[3., 1.], [1., 2.]], dtype=ember.float64)
    b = T([9., 8.], dtype=ember.float64)
    np.testing.assert_allclose(LA.solve(a, b).numpy(), [2., 3.], rtol=1e-6)
    assert LA.solve(a, T(np.ones((2, 3)))).shape == (2, 3)
    ab = T(np.stack([np.eye(3)] * 2))
    assert LA.solve(ab, T(np.ones(3))).shape == (2, 3)
    assert LA.solve(ab, T(np.ones((2, 3)))).shape == (2, 3)
    assert LA.solve(ab, T(np.ones((3, 4)))).shape == (2, 3, 4)
    x = LA.solve(a, T([[9., 8.]], dtype=ember.float64), left=False)
    np.testing.assert_allclose((x @ a).numpy(), [[9., 8.]], rtol=1e-6)
    with pytest.raises(RuntimeError, match=r"linalg.solve: Incompatible shapes of A and B for the "
                                           r"equation AX = B \(3x3 and 4x1\)"):
        LA.solve(T(np.eye(3)), T(np.ones(4)))
    with pytest.raises(RuntimeError, match="Expected A and B to have the same dtype, but found A "
                                           "of type Float and B of type Double instead"):
        LA.solve(T(np.eye(3), dtype=ember.float32), T(np.ones(3)))
    with pytest.raises(LA.LinAlgError, match="The solver failed because the input matrix is "
                                             "singular"):
        LA.solve(T(np.zeros((2, 2))), T(np.ones(2)))


def test_solve_grads():
    check_grad(LA.solve, wellcond(3, 3), rnd(3))
    check_grad(LA.solve, wellcond(2, 2, 2), rnd(2, 3))
    check_grad(LA.solve, wellcond(2, 2, 2), rnd(2))
    check_grad(lambda a, b: LA.solve(a, b, left=False), wellcond(2, 2), rnd(3, 2))
    assert name(LA.solve(T(wellcond(2, 2), rg=True), T(np.ones(2)))) == "LinalgSolveExBackward0"


def test_lstsq():
    a, b = rnd(5, 3), rnd(5, 2)
    r = LA.lstsq(T(a), T(b))
    np.testing.assert_allclose(r.solution.numpy(), np.linalg.lstsq(a, b, rcond=None)[0],
                               rtol=1e-10)
    assert r.rank.item() == 3 and r.residuals.shape == (0,) and r.singular_values.shape == (0,)
    d = LA.lstsq(T(a), T(b), driver="gelsd")
    assert d.singular_values.shape == (3,) and d.residuals.shape == (2,)
    np.testing.assert_allclose(d.residuals.numpy(), np.linalg.lstsq(a, b, rcond=None)[1],
                               rtol=1e-10)
    assert LA.lstsq(T(a), T(b[:, 0])).solution.shape == (3,)
    wide = rnd(2, 4)
    np.testing.assert_allclose(LA.lstsq(T(wide), T(b[:2])).solution.numpy(),
                               np.linalg.pinv(wide) @ b[:2], rtol=1e-10)
    check_grad(lambda x, y: LA.lstsq(x, y).solution, rnd(4, 2), rnd(4, 2))
    check_grad(lambda x, y: LA.lstsq(x, y).solution, rnd(2, 3), rnd(2))
    check_grad(lambda x, y: LA.lstsq(x, y).solution, rnd(2, 3, 2), rnd(1, 3, 1))
    with pytest.raises(RuntimeError, match="input.dim\\(\\) must be greater or equal to "
                                           "other.dim\\(\\)"):
        LA.lstsq(T(rnd(2, 3, 2)), T(rnd(3)))


# ----------------------------------------------------------------------------- eigen, svd

def test_eig_complex_results():
    a = T([[2., 1., 0.], [1., 3., 1.], [0., 1., 4.]])
    w, v = LA.eig(a)
    assert w.dtype == ember.complex64 and v.dtype == ember.complex64
    ac = a.to(ember.complex64)
    for i in range(3):
        lhs = ember.mm(ac, v[:, i].reshape(3, 1)).numpy()[:, 0]
        np.testing.assert_allclose(lhs, w.numpy()[i] * v.numpy()[:, i], atol=1e-5)
    rot = LA.eigvals(T([[0., -1.], [1., 0.]], dtype=ember.float64))
    assert rot.dtype == ember.complex128
    assert sorted(rot.tolist(), key=lambda z: z.imag) == [-1j, 1j]
    with pytest.raises(RuntimeError, match="Expected a floating point or complex tensor"):
        LA.eig(T([[1, 0], [0, 1]]))


def test_eig_grad_of_real_spectrum_function():
    # eigenvalues of a matrix with a real spectrum: d(sum of eigenvalues)/dA = I (the trace)
    x = T(wellcond(3, 3), rg=True)
    LA.eigvals(x).real.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.eye(3), atol=1e-8)


def test_eigh_values_uplo_and_names():
    a = T([[2., 1.], [1., 2.]])
    w, v = LA.eigh(a)
    np.testing.assert_allclose(w.numpy(), [1., 3.], rtol=1e-6)
    np.testing.assert_allclose(np.abs(v.numpy()), np.full((2, 2), 2 ** -0.5), rtol=1e-6)
    up = LA.eigh(T([[2., 100.], [1., 2.]]), UPLO="U").eigenvalues
    np.testing.assert_allclose(up.numpy(), [-98., 102.], rtol=1e-6)
    assert LA.eigvalsh(a).tolist() == pytest.approx([1., 3.])
    r = LA.eigh(T(a.numpy(), rg=True))
    assert name(r.eigenvalues) == "LinalgEighBackward0" and name(r.eigenvectors) == \
        "LinalgEighBackward0"
    with pytest.raises(RuntimeError, match="Expected UPLO argument to be 'L' or 'U'"):
        LA.eigh(a, UPLO="X")


def test_eigh_grads():
    check_grad(lambda x: LA.eigvalsh(sym(x)), rnd(3, 3))
    check_grad(lambda x: LA.eigh(sym(x)).eigenvalues, rnd(2, 3, 3))
    check_grad(lambda x: LA.eigh(sym(x)).eigenvectors ** 2, rnd(3, 3))
    check_grad(lambda x: LA.eigh(sym(x)).eigenvectors.abs().sum(), rnd(2, 2))


def test_svd_shapes_values_old_api():
    a = rnd(4, 3)
    u, s, vh = LA.svd(T(a))
    assert u.shape == (4, 4) and s.shape == (3,) and vh.shape == (3, 3)
    u, s, vh = LA.svd(T(a), full_matrices=False)
    np.testing.assert_allclose(((u * s) @ vh).numpy(), a, atol=1e-10)
    np.testing.assert_allclose(LA.svdvals(T(a)).numpy(), np.linalg.svd(a, compute_uv=False))
    U, S, V = ember.svd(T(a))
    assert U.shape == (4, 3) and V.shape == (3, 3)
    np.testing.assert_allclose(((U * S) @ ember.einsum("ij->ji", V)).numpy(), a, atol=1e-10)
    assert [t.shape for t in ember.svd(T(a), some=False)] == [(4, 4), (3,), (3, 3)]
    z = ember.svd(T(np.ones((3, 2))), compute_uv=False)
    assert z.U.shape == (3, 3) and not z.U.numpy().any()
    r = ember.svd(T(a, rg=True))
    assert [name(t) for t in r] == ["LinalgSvdBackward0"] * 2 + ["TransposeBackward0"]


def test_svd_grads():
    check_grad(LA.svdvals, rnd(3, 2))
    check_grad(LA.svdvals, rnd(2, 2, 3))
    check_grad(lambda x: LA.svd(x, full_matrices=False).U ** 2, rnd(3, 2))
    check_grad(lambda x: LA.svd(x, full_matrices=False).Vh ** 2, rnd(2, 3))
    check_grad(lambda x: LA.svd(x).Vh[:2] ** 2 if x.shape[-1] > 2 else LA.svd(x).Vh ** 2,
               rnd(3, 3))
    check_grad(lambda x: ember.svd(x).V ** 2 + 0 * ember.svd(x).S.sum(), rnd(4, 2))


def test_qr():
    a = rnd(4, 3)
    q, r = LA.qr(T(a))
    np.testing.assert_allclose((q @ r).numpy(), a, atol=1e-12)
    assert q.shape == (4, 3) and r.shape == (3, 3)
    assert [t.shape for t in LA.qr(T(a), mode="complete")] == [(4, 4), (4, 3)]
    assert [t.shape for t in LA.qr(T(a), mode="r")] == [(0,), (3, 3)]
    check_grad(lambda x: LA.qr(x), rnd(3, 2))
    check_grad(lambda x: LA.qr(x), rnd(2, 3))
    check_grad(lambda x: LA.qr(x).Q, rnd(2, 2, 2))
    x = T(a, rg=True)
    with pytest.raises(RuntimeError, match="not differentiable when mode='complete' and nrows > "
                                           "ncols"):
        LA.qr(x, mode="complete").Q.sum().backward()
    with pytest.raises(RuntimeError, match="qr received unrecognized mode 'x'"):
        LA.qr(x, mode="x")


def test_cholesky():
    a = T([[4., 2.], [2., 3.]])
    low = LA.cholesky(a)
    np.testing.assert_allclose((low @ ember.einsum("ij->ji", low)).numpy(), a.numpy(), rtol=1e-6)
    assert low.numpy()[0, 1] == 0.
    up = LA.cholesky(a, upper=True)
    np.testing.assert_allclose(up.numpy(), low.numpy().T)
    with pytest.warns(UserWarning, match="torch.cholesky is deprecated in favor of "
                                         "torch.linalg.cholesky"):
        old = ember.cholesky(T(a.numpy(), rg=True))
    assert name(old) == "CholeskyBackward0"
    assert name(LA.cholesky(T(a.numpy(), rg=True))) == "LinalgCholeskyExBackward0"
    with pytest.raises(LA.LinAlgError, match=r"linalg.cholesky: The factorization could not be "
                                             r"completed because the input is not positive-"
                                             r"definite \(the leading minor of order 2 is not "
                                             r"positive-definite\)."):
        LA.cholesky(T([[1., 2.], [2., 1.]]))
    assert LA.cholesky_ex(T([[1., 2.], [2., 1.]])).info.item() == 2
    check_grad(lambda x: LA.cholesky(spd(x)), rnd(3, 3))
    check_grad(lambda x: LA.cholesky(spd(x), upper=True), rnd(2, 2, 2))
    check_grad(lambda x: LA.cholesky(spd(x)), rnd(1, 1))


def test_pinv_matrix_rank():
    a = rnd(4, 3)
    np.testing.assert_allclose(LA.pinv(T(a)).numpy(), np.linalg.pinv(a), rtol=1e-10)
    np.testing.assert_allclose(ember.pinverse(T(a.T)).numpy(), np.linalg.pinv(a.T), rtol=1e-10)
    ones = T(np.ones((3, 2)))
    np.testing.assert_allclose(LA.pinv(ones).numpy(), np.full((2, 3), 1 / 6), rtol=1e-12)
    np.testing.assert_allclose(LA.pinv(T(np.ones((3, 3))), hermitian=True).numpy(),
                               np.full((3, 3), 1 / 9), rtol=1e-12)
    assert LA.matrix_rank(T(np.ones((3, 3)))).item() == 1
    assert LA.matrix_rank(T(np.eye(3))).dtype == ember.int64
    assert LA.matrix_rank(T(np.stack([np.eye(3), np.ones((3, 3))]))).tolist() == [3, 1]
    assert LA.matrix_rank(T(np.diag([1., 0.1, 0.01])), atol=0.05).item() == 2
    assert LA.matrix_rank(T(np.diag([1., 0.1, 0.01])), hermitian=True, rtol=0.5).item() == 1
    check_grad(LA.pinv, rnd(3, 2))
    check_grad(LA.pinv, rnd(2, 3))
    check_grad(lambda x: LA.pinv(sym(x), hermitian=True), wellcond(2, 2))


# ----------------------------------------------------------------------------- powers, chains

def test_matrix_power():
    a = T([[1., 1.], [0., 1.]])
    assert LA.matrix_power(a, 3).tolist() == [[1., 3.], [0., 1.]]
    assert a.matrix_power(0).tolist() == [[1., 0.], [0., 1.]]
    np.testing.assert_allclose(ember.matrix_power(a, -2).numpy(), [[1., -2.], [0., 1.]])
    assert LA.matrix_power(T([[1, 1], [0, 1]]), 2).dtype == ember.int64
    x = T(wellcond(2, 2), rg=True)
    assert name(LA.matrix_power(x, 3)) == "MmBackward0"
    assert name(LA.matrix_power(x, 0)) == "CopyBackwards"
    assert name(LA.matrix_power(x, 1)) == "CloneBackward0"
    with pytest.raises(RuntimeError, match="A must be batches of square matrices, but they are 3 "
                                           "by 4 matrices"):
        LA.matrix_power(T(np.ones((3, 4))), 2)
    for n in (0, 1, 2, 5, -1, -3):
        check_grad(lambda m: LA.matrix_power(m, n), wellcond(2, 2))
    check_grad(lambda m: LA.matrix_power(m, 3), wellcond(2, 2, 2))


def test_multi_dot():
    a, b, c = rnd(3), rnd(3, 4), rnd(4, 2)
    np.testing.assert_allclose(LA.multi_dot([T(a), T(b), T(c)]).numpy(), a @ b @ c, rtol=1e-12)
    np.testing.assert_allclose(LA.multi_dot([T(b), T(c), T(c.T)]).numpy(), b @ c @ c.T,
                               rtol=1e-12)
    assert LA.multi_dot([T(a), T(a)]).shape == ()
    assert name(LA.multi_dot([T(b, rg=True), T(c)])) == "ViewBackward0"
    with pytest.raises(RuntimeError, match="multi_dot\\(\\): expected at least 2 tensors but got "
                                           "1"):
        LA.multi_dot([T(b)])
    with pytest.raises(RuntimeError, match=r"tensors 0 and 1 with shapes \[3, 3\] and \[4, 4\] "
                                           "cannot be multiplied"):
        LA.multi_dot([T(np.ones((3, 3))), T(np.ones((4, 4)))])
    with pytest.raises(RuntimeError, match="the first tensor must be 1D or 2D but got 3D"):
        LA.multi_dot([T(np.ones((2, 3, 3))), T(np.ones((3, 4)))])
    check_grad(lambda x, y, z: LA.multi_dot([x, y, z]), a, b, c)
    check_grad(lambda x, y, z, w: LA.multi_dot([x, y, z, w]), rnd(2, 3), rnd(3, 1), rnd(1, 3),
               rnd(3))


def test_vecdot_and_aliases():
    x, y = rnd(2, 3), rnd(3)
    np.testing.assert_allclose(LA.vecdot(T(x), T(y)).numpy(), x @ y, rtol=1e-12)
    assert LA.matmul is ember.matmul
    assert LA.norm(T([3., 4.])).item() == 5.
    check_grad(LA.vecdot, x, y)


def test_out_argument():
    out = ember.empty(2, 2)
    r = LA.inv(T([[2., 0.], [0., 4.]], dtype=ember.float32), out=out)
    assert r is out and out.tolist() == [[0.5, 0.], [0., 0.25]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LA.vector_norm(T([3., 4.]), out=ember.empty(()))


def test_legacy_entry_points():
    a = rnd(4, 3)
    with pytest.warns(UserWarning, match="torch.qr is deprecated in favor of torch.linalg.qr"):
        q, r = ember.qr(T(a))
    np.testing.assert_allclose((q @ r).numpy(), a, atol=1e-12)
    with pytest.warns(UserWarning, match="torch.chain_matmul is deprecated"):
        c = ember.chain_matmul(T(a), T(a.T), T(a))
    np.testing.assert_allclose(c.numpy(), a @ a.T @ a, rtol=1e-12)
    for fn in (ember.eig, ember.symeig, ember.matrix_rank, ember.solve, ember.lstsq):
        with pytest.raises(RuntimeError, match="This function was deprecated since version 1.9 "
                                               "and is now removed"):
            fn(T(np.eye(2)), T(np.eye(2)))
