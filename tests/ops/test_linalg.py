"""Matrix products, contractions, norms, distances and complex views (ember/ops/linalg.py):
values on hand-checkable inputs, PyTorch's shape and dtype rules, deprecated overloads, errors,
and float64 gradient checks over plain, broadcast and 0-d cases."""
import math
import warnings

import numpy as np
import pytest

import ember
from helpers import check_grad

R = np.random.default_rng(0)


def T(a, dtype=None, rg=False):
    return ember.tensor(a, dtype=dtype, requires_grad=rg)


def rnd(*shape):
    return R.standard_normal(shape)


def name(t):
    return type(t.grad_fn).__name__


# ----------------------------------------------------------------------------- matmul family

def test_matmul_values_all_ranks():
    a = T([[1., 2.], [3., 4.]])
    v = T([1., 1.])
    assert (a @ a).tolist() == [[7., 10.], [15., 22.]]
    assert (a @ v).tolist() == [3., 7.]
    assert (v @ a).tolist() == [4., 6.]
    assert (v @ v).item() == 2. and (v @ v).shape == ()
    b = ember.stack([a, 2 * a]) if hasattr(ember, "stack") else T([[[1., 2.], [3., 4.]],
                                                                    [[2., 4.], [6., 8.]]])
    assert (b @ v).tolist() == [[3., 7.], [6., 14.]]
    assert (v @ b).tolist() == [[4., 6.], [8., 12.]]
    assert (b @ a).tolist()[1] == [[14., 20.], [30., 44.]]
    assert (a @ b).tolist()[1] == [[14., 20.], [30., 44.]]
    assert ember.matmul(T(np.ones((2, 1, 3, 4))), T(np.ones((5, 4, 2)))).shape == (2, 5, 3, 2)


def test_matmul_matches_numpy_on_broadcast_shapes():
    for sa, sb in [((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((2, 1, 2, 3), (4, 3, 2)),
                   ((3,), (2, 3, 4)), ((2, 4, 3), (3,))]:
        x, y = rnd(*sa), rnd(*sb)
        np.testing.assert_allclose(ember.matmul(T(x), T(y)).numpy(), np.matmul(x, y),
                                   rtol=1e-12)


def test_matmul_grad_fn_names():
    r = lambda *s: T(np.ones(s), rg=True)   # noqa: E731
    assert name(r(2, 3) @ r(3, 4)) == "MmBackward0"
    assert name(r(3) @ r(3)) == "DotBackward0"
    assert name(r(2, 3) @ r(3)) == "MvBackward0"
    assert name(r(3) @ r(3, 4)) == "SqueezeBackward4"
    assert name(r(5, 2, 3) @ r(5, 3, 4)) == "UnsafeViewBackward0"
    assert name(r(5, 2, 3) @ r(3, 4)) == "UnsafeViewBackward0"
    assert name(r(2, 3) @ r(5, 3, 4)) == "CloneBackward0"
    assert name(T(np.ones((2, 3))) @ r(5, 3, 4)) == "UnsafeViewBackward0"
    assert name(ember.bmm(r(5, 2, 3), r(5, 3, 4))) == "BmmBackward0"
    assert name(ember.mm(r(2, 3), r(3, 4))) == "MmBackward0"
    assert name(ember.outer(r(2), r(3))) == "MulBackward0"
    assert name(ember.addmm(r(2, 4), r(2, 3), r(3, 4))) == "AddmmBackward0"
    assert name(ember.addbmm(r(2, 4), r(5, 2, 3), r(5, 3, 4))) == "AddbmmBackward0"
    assert name(ember.baddbmm(r(5, 2, 4), r(5, 2, 3), r(5, 3, 4))) == "BaddbmmBackward0"
    assert name(ember.addmv(r(2), r(2, 3), r(3))) == "AddmvBackward0"
    assert name(ember.addr(r(2, 3), r(2), r(3))) == "AddrBackward0"


def test_matmul_dtypes_and_errors():
    i = T([[1, 2], [3, 4]])
    assert (i @ i).dtype == ember.int64 and (i @ i).tolist() == [[7, 10], [15, 22]]
    f, d = T(np.ones((2, 3), np.float32)), T(np.ones((3, 2)))
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype, but "
                                           "got: float != double"):
        f @ d
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied "
                                           r"\(2x3 and 2x3\)"):
        ember.mm(T(np.ones((2, 3))), T(np.ones((2, 3))))
    with pytest.raises(RuntimeError, match=r"inconsistent tensor size, expected tensor \[3\] and "
                                           r"src \[4\] to have the same number of elements, but "
                                           "got 3 and 4 elements respectively"):
        ember.dot(T([1., 2, 3]), T([1., 2, 3, 4]))
    with pytest.raises(RuntimeError, match=r"size mismatch, got input \(2\), mat \(2x3\), "
                                           r"vec \(4\)"):
        T(np.ones((2, 3))) @ T(np.ones(4))
    with pytest.raises(RuntimeError, match="both arguments to matmul need to be at least 1D"):
        T(1.) @ T([1.])
    with pytest.raises(RuntimeError, match="must match the size of tensor b"):
        T(np.ones((2, 5, 2, 3))) @ T(np.ones((3, 3, 2)))
    with pytest.raises(RuntimeError, match="self must be a matrix"):
        ember.mm(T(np.ones(3)), T(np.ones((3, 3))))
    with pytest.raises(RuntimeError, match="batch2 must be a 3D tensor"):
        ember.bmm(T(np.ones((2, 3, 3))), T(np.ones((3, 3))))
    with pytest.raises(RuntimeError, match="1D tensors expected, but got 2D and 1D tensors"):
        ember.dot(T(np.ones((3, 1))), T(np.ones(3)))
    with pytest.raises(TypeError, match="must be Tensor, not list"):
        ember.matmul(T(np.ones((2, 3))), [1, 2])
    with pytest.raises(NotImplementedError, match="Bool"):
        T([[True]]) @ T([[True]])


def test_complex_matmul():
    a = T([[1 + 1j, 2], [0, 1j]])
    v = T([[1j], [1]])
    assert ember.mm(a, v).tolist() == [[(-1 + 1j) + 2], [1j]]
    with pytest.raises(RuntimeError, match="c10::complex<float> != float"):
        ember.mm(a, T([[1.], [2.]]))


def test_outer_inner_vdot_values():
    assert ember.outer(T([1., 2.]), T([1., 2., 3.])).tolist() == [[1, 2, 3], [2, 4, 6]]
    assert ember.ger(T([1, 2]), T([1., 2.])).dtype == ember.float32
    assert ember.inner(T([[1., 2.], [3., 4.]]), T([1., 1.])).tolist() == [3., 7.]
    assert ember.inner(T(2.), T([1., 3.])).tolist() == [2., 6.]
    assert ember.vdot(T([1j, 2.]), T([1j, 1.])).item() == 3
    with pytest.raises(RuntimeError, match="outer: Expected 1-D argument self, but got 2-D"):
        ember.outer(T(np.ones((3, 1))), T(np.ones(3)))
    with pytest.raises(RuntimeError, match="both inputs should have same dtype"):
        ember.inner(T([1, 2]), T([1., 2.]))


def test_add_family_values():
    o = lambda *s: T(np.ones(s))   # noqa: E731
    assert ember.addmm(o(2, 2), o(2, 3), o(3, 2), beta=2, alpha=3).tolist() == [[11., 11.]] * 2
    assert ember.addmm(o(2), o(2, 3), o(3, 2)).tolist() == [[4., 4.]] * 2
    assert ember.addmv(o(2), o(2, 3), o(3), alpha=2).tolist() == [7., 7.]
    assert ember.addr(o(2, 2), o(2), o(2), beta=0).tolist() == [[1., 1.]] * 2
    nan = T(np.full((2, 2), np.nan))
    assert ember.addmm(nan, o(2, 2), o(2, 2), beta=0).tolist() == [[2., 2.]] * 2
    assert ember.addbmm(o(2, 2), o(3, 2, 2), o(3, 2, 2)).tolist() == [[7., 7.]] * 2
    assert ember.baddbmm(o(2), o(3, 2, 2), o(3, 2, 2)).shape == (3, 2, 2)
    ints = T([[1, 1], [1, 1]])
    assert ember.addmm(ints, ints, ints, beta=0.5).tolist() == [[2, 2], [2, 2]]
    assert ember.addr(ints, T([1, 1]), T([1., 1.])).dtype == ember.float32
    x = o(2, 2)
    x.addmm_(o(2, 2), o(2, 2), alpha=2)
    assert x.tolist() == [[5., 5.]] * 2


def test_add_family_deprecated_overloads():
    o = lambda *s: T(np.ones(s))   # noqa: E731
    cases = [
        (lambda: ember.addbmm(2, o(3, 3), 3, o(3, 3, 2), o(3, 2, 3)), 20., "addbmm",
         "addbmm(Number beta, Tensor input, Number alpha, Tensor batch1, Tensor batch2, *, "
         "Tensor out = None)"),
        (lambda: ember.addmm(2, o(2, 2), 3, o(2, 3), o(3, 2)), 11., "addmm",
         "addmm(Number beta, Tensor input, Number alpha, Tensor mat1, Tensor mat2, *, "
         "Tensor out = None)"),
        (lambda: ember.addmv(2, o(2), 3, o(2, 3), o(3)), 11., "addmv",
         "addmv(Number beta, Tensor input, Number alpha, Tensor mat, Tensor vec, *, "
         "Tensor out = None)"),
        (lambda: ember.addr(2, o(2, 2), 3, o(2), o(2)), 5., "addr", None),
        (lambda: ember.baddbmm(2, o(2, 2, 2), o(2, 2, 3), o(2, 3, 2)), 5., "baddbmm",
         "baddbmm(Number beta, Tensor input, Tensor batch1, Tensor batch2, *, Tensor out = None)"),
        (lambda: o(2, 2).addmm(2, 3, o(2, 3), o(3, 2)), 11., "addmm",
         "addmm(Number beta, Number alpha, Tensor mat1, Tensor mat2)"),
        (lambda: o(2, 2).addmm(2, o(2, 3), o(3, 2)), 5., "addmm",
         "addmm(Number beta, Tensor mat1, Tensor mat2)"),
    ]
    from ember import _warnings
    for fn, value, op, sig in cases:
        _warnings._ONCE.clear()                 # PyTorch warns once per process
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = fn()
        assert np.all(r.numpy() == value), (op, r)
        msg = str(w[0].message)
        assert w[0].category is UserWarning
        assert msg.startswith(f"This overload of {op} is deprecated:\n\t")
        assert "Consider using one of the following signatures instead:" in msg
        if sig:
            assert f"\t{sig}\n" in msg
    with pytest.raises(TypeError, match="received an invalid combination of arguments"):
        ember.addmm(2, o(2, 2), 3, o(2, 2), o(2, 2), beta=3)


def test_deprecation_warnings_once_per_process_at_the_callers_line():
    o = lambda *s: T(np.ones(s))   # noqa: E731
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ember.addmm(2, o(2, 2), 3, o(2, 3), o(3, 2))
        o(2, 2).addmm(2, 3, o(2, 3), o(3, 2))          # method form: one frame fewer
        ember.addmv(2, o(2), 3, o(2, 3), o(3))
        ember.cross(o(2, 3), o(2, 3))
        ember.cross(o(2, 3), o(2, 3))
    msgs = [str(x.message).split(":")[0] for x in w]
    assert msgs == ["This overload of addmm is deprecated",
                    "Using torch.cross without specifying the dim arg is deprecated.\nPlease "
                    "either pass the dim explicitly or simply use torch.linalg.cross.\nThe "
                    "default value of dim will change to agree with that of linalg.cross in a "
                    "future release."]
    assert all(x.filename == __file__ for x in w), [x.filename for x in w]
    _warnings = __import__("ember._warnings", fromlist=["_ONCE"])
    _warnings._ONCE.clear()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        o(2, 2).addmm(2, 3, o(2, 3), o(3, 2))
    assert len(w) == 1 and w[0].filename == __file__


def test_add_family_errors():
    o = lambda *s: T(np.ones(s))   # noqa: E731
    with pytest.raises(RuntimeError, match=r"The expanded size of the tensor \(2\) must match the "
                                           r"existing size \(3\) at non-singleton dimension 0"):
        ember.addmm(o(3, 2), o(2, 2), o(2, 2))
    with pytest.raises(RuntimeError, match="self and mat2 must have the same dtype, but got "
                                           "Double and Float"):
        ember.addmm(o(2, 2), T(np.ones((2, 2), np.float32)), T(np.ones((2, 2), np.float32)))
    with pytest.raises(RuntimeError, match="mat1 must be a matrix, got 1-D tensor"):
        ember.addmm(o(2, 2), o(2), o(2, 2))
    with pytest.raises(RuntimeError, match="batch1 and batch2 must have same number of batches, "
                                           "got 3 and 4"):
        ember.addbmm(o(2, 2), o(3, 2, 3), o(4, 3, 2))
    with pytest.raises(RuntimeError, match=r"size mismatch, got input \(3\), mat \(2x3\)"):
        ember.addmv(o(3), o(2, 3), o(3))
    with pytest.raises(RuntimeError, match="addr: Expected 1-D argument vec1, but got 2-D"):
        ember.addr(o(3, 3), o(3, 1), o(3))


@pytest.mark.parametrize("sa,sb", [((2, 3), (3, 4)), ((3,), (3,)), ((2, 3), (3,)),
                                   ((3,), (3, 2)), ((2, 2, 3), (2, 3, 2)), ((2, 2, 3), (3, 2)),
                                   ((2, 3), (2, 3, 2)), ((2, 1, 2, 3), (2, 3, 2)),
                                   ((3,), (2, 3, 2)), ((2, 2, 3), (3,))])
def test_matmul_grad(sa, sb):
    check_grad(ember.matmul, rnd(*sa), rnd(*sb))


def test_product_grads():
    check_grad(ember.mm, rnd(2, 3), rnd(3, 2))
    check_grad(ember.mm, rnd(1, 1), rnd(1, 3))
    check_grad(ember.bmm, rnd(2, 2, 3), rnd(2, 3, 2))
    check_grad(ember.mv, rnd(2, 3), rnd(3))
    check_grad(ember.dot, rnd(3), rnd(3))
    check_grad(ember.vdot, rnd(3), rnd(3))
    check_grad(ember.outer, rnd(2), rnd(3))
    check_grad(ember.inner, rnd(2, 3), rnd(3))
    check_grad(ember.inner, rnd(), rnd(2, 3))
    check_grad(ember.inner, rnd(2, 3), rnd(2, 2, 3))
    check_grad(ember.mm, rnd(2, 3), rnd(3, 2), grad_mask=[False, True])


@pytest.mark.parametrize("shape_c", [(2, 4), (4,), (), (1, 4)])
def test_add_family_grads(shape_c):
    kw = dict(beta=0.5, alpha=-2.)
    check_grad(lambda c, a, b: ember.addmm(c, a, b, **kw), rnd(*shape_c), rnd(2, 3), rnd(3, 4))
    check_grad(lambda c, a, b: ember.addr(c, a, b, **kw), rnd(*shape_c), rnd(2), rnd(4))
    check_grad(lambda c, a, b: ember.addbmm(c, a, b, **kw), rnd(*shape_c), rnd(3, 2, 2),
               rnd(3, 2, 4))
    check_grad(lambda c, a, b: ember.baddbmm(c, a, b, **kw), rnd(*shape_c), rnd(3, 2, 2),
               rnd(3, 2, 4))
    check_grad(lambda c, a, b: ember.addmv(c, a, b, **kw), rnd(*shape_c[:-1]), rnd(2, 3),
               rnd(3))


# ----------------------------------------------------------------------------- cross/trace/kron

def test_cross_values_and_dims():
    x, y = T([[1., 0, 0]]), T([[0., 1, 0]])
    assert ember.linalg.cross(x, y).tolist() == [[0., 0., 1.]]
    assert ember.cross(x, y, dim=1).tolist() == [[0., 0., 1.]]
    with pytest.warns(UserWarning, match="Using torch.cross without specifying the dim arg is "
                                         "deprecated"):
        r = ember.cross(T(np.eye(3)), T(np.roll(np.eye(3), 1, 0)))
    assert r.shape == (3, 3)
    assert ember.linalg.cross(T(np.ones((4, 3))), T(np.ones((1, 3)))).shape == (4, 3)
    assert ember.linalg.cross(T([1, 0, 0]), T([0, 1, 0])).dtype == ember.int64
    with pytest.raises(RuntimeError, match="linalg.cross: inputs dimension -1 must have length 3. "
                                           "Got 4 and 4"):
        ember.linalg.cross(T(np.ones((4, 4))), T(np.ones((4, 4))))
    with pytest.raises(RuntimeError, match="no dimension of size 3 in input"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ember.cross(T(np.ones((4, 4))), T(np.ones((4, 4))))


def test_cross_grad():
    check_grad(ember.linalg.cross, rnd(2, 3), rnd(2, 3))
    check_grad(ember.linalg.cross, rnd(2, 3), rnd(3))
    check_grad(lambda a, b: ember.cross(a, b, dim=0), rnd(3, 2), rnd(3, 1))


def test_trace():
    assert ember.trace(T([[1., 2], [3, 4]])).item() == 5.
    assert ember.trace(T([[1, 2, 0], [3, 4, 0]], dtype=ember.int32)).dtype == ember.int64
    assert T([[1., 2], [3, 4]]).trace().item() == 5.
    with pytest.raises(RuntimeError, match="trace: expected a matrix, but got tensor with dim 1"):
        ember.trace(T([1., 2.]))
    check_grad(ember.trace, rnd(3, 3))
    check_grad(ember.trace, rnd(2, 4))
    check_grad(ember.trace, rnd(4, 2))


def test_kron():
    a, b = T([[1., 2.], [3., 4.]]), T([[0., 1.], [1., 0.]])
    assert ember.kron(a, b).tolist() == np.kron(a.numpy(), b.numpy()).tolist()
    assert ember.kron(T([1, 2]), T([1., 1.])).dtype == ember.float32
    assert ember.kron(T(np.ones((2, 3))), T(np.ones(4))).shape == (2, 12)
    check_grad(ember.kron, rnd(2, 3), rnd(2, 2))
    check_grad(ember.kron, rnd(2), rnd(2, 3))
    check_grad(ember.kron, rnd(), rnd(3))


# ----------------------------------------------------------------------------- einsum/tensordot

EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("i,j->ij", [(3,), (2,)]), ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]), ("ji", [(2, 3)]), ("i,i", [(3,), (3,)]), ("ij,ij->ij", [(1, 3), (2, 3)]),
    ("ij,jk->ik", [(2, 1), (3, 2)]), ("...ij,...jk", [(2, 2, 3), (3, 2)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]), ("iij,jk->ik", [(2, 2, 3), (3, 2)]),
    ("i...->...", [(2, 3)]), (",i->i", [(), (3,)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM_CASES)
def test_einsum_matches_numpy_and_grad(eq, shapes):
    arrays = [rnd(*s) for s in shapes]
    if shapes[0] == (1, 3):       # size-1 dims broadcast like PyTorch's einsum
        ref = arrays[0] * arrays[1]
    elif shapes[0] == (2, 1):     # a broadcast contracted dim: the other side is summed
        ref = arrays[0] * arrays[1].sum(0, keepdims=True)
    else:
        ref = np.einsum(eq, *arrays)
    np.testing.assert_allclose(ember.einsum(eq, *[T(a) for a in arrays]).numpy(), ref,
                               rtol=1e-12, atol=1e-12)
    check_grad(lambda *xs: ember.einsum(eq, *xs), *arrays)


def test_einsum_forms_names_and_errors():
    a, b = T(np.ones((2, 3))), T(np.ones((3, 4)))
    assert ember.einsum("ij,jk", [a, b]).tolist() == [[3.] * 4] * 2
    assert ember.einsum(a, [0, 1], b, [1, 2], [0, 2]).shape == (2, 4)
    assert ember.einsum("i j , j k -> i k", a, b).shape == (2, 4)
    assert ember.einsum("bA", T(np.ones((2, 3)))).shape == (3, 2)
    r = lambda *s: T(np.ones(s), rg=True)   # noqa: E731
    assert name(ember.einsum("ij,jk->ik", r(2, 3), r(3, 4))) == "ViewBackward0"
    assert name(ember.einsum("ii->i", r(3, 3))) == "PermuteBackward0"
    assert name(ember.einsum("ij->", r(3, 3))) == "SumBackward1"
    assert name(ember.einsum("i,j->ij", r(3), r(3))) == "MulBackward0"
    x = T(np.ones((3, 3)))
    assert not np.shares_memory(ember.einsum("ii->i", x).numpy(), x.numpy())
    with pytest.raises(RuntimeError, match="einsum\\(\\): subscript j has size 2 for operand 1 "
                                           "which does not broadcast with previously seen size 3"):
        ember.einsum("ij,jk->ik", a, T(np.ones((2, 3))))
    with pytest.raises(RuntimeError, match="fewer operands"):
        ember.einsum("ij,jk->ik", a)
    with pytest.raises(RuntimeError, match="output subscript k does not appear"):
        ember.einsum("ij->ik", a)
    with pytest.raises(RuntimeError, match="does not match the number of dimensions"):
        ember.einsum("ijk", a)
    with pytest.raises(RuntimeError, match="expected scalar type Double but found Float"):
        ember.einsum("ij,jk", a, T(np.ones((3, 4), np.float32)))


def test_tensordot():
    a, b = rnd(2, 3, 4), rnd(4, 3, 5)
    np.testing.assert_allclose(ember.tensordot(T(a), T(b), dims=([1, 2], [1, 0])).numpy(),
                               np.tensordot(a, b, axes=([1, 2], [1, 0])), rtol=1e-12)
    assert ember.tensordot(T(np.ones((2, 3))), T(np.ones((3, 4))), dims=1).tolist() == \
        [[3.] * 4] * 2
    assert ember.tensordot(T(np.ones(2)), T(np.ones(3)), dims=0).shape == (2, 3)
    check_grad(lambda x, y: ember.tensordot(x, y, dims=([1, 2], [1, 0])), a[:, :2, :2],
               b[:2, :2, :2])
    check_grad(lambda x, y: ember.tensordot(x, y, dims=1), rnd(2, 3), rnd(3, 2))
    check_grad(lambda x, y: ember.tensordot(x, y, dims=0), rnd(2), rnd(3))
    with pytest.raises(RuntimeError, match="contracted dimensions need to match, but first has "
                                           "size 3 in dim -1 and second has size 2 in dim 0"):
        ember.tensordot(T(np.ones((2, 3))), T(np.ones((2, 3))), dims=1)
    with pytest.raises(RuntimeError, match="tensordot expects dims >= 0, but got dims=-1"):
        ember.tensordot(T(np.ones((2, 3))), T(np.ones((2, 3))), dims=-1)


# ----------------------------------------------------------------------------- norms

def test_norm_book_values():
    x = ember.ones(4)
    got = [round(ember.norm(x, p).item(), 4) for p in (1, 2, 3, 4, 5, math.inf)]
    assert got == [4., 2., 1.5874, 1.4142, 1.3195, 1.]
    assert ember.norm(x, 0).item() == 4. and ember.norm(x, -math.inf).item() == 1.
    assert ember.norm(x).item() == 2. and x.norm().dtype == ember.float32


def test_norm_dims_and_kinds():
    m = T([[3., 4.], [0., 0.]])
    assert ember.norm(m, dim=1).tolist() == [5., 0.]
    assert ember.norm(m, 2, 0, True).shape == (1, 2)
    assert ember.norm(m, p="fro").item() == 5.
    assert ember.norm(T(np.ones((3, 4))), p=2, dim=(0, 1)).item() == pytest.approx(math.sqrt(12))
    assert ember.norm(T(np.diag([3., 4.])), p="nuc").item() == pytest.approx(7.)
    assert ember.norm(m, dtype=ember.float64).dtype == ember.float64
    assert ember.norm(T([3 + 4j])).item() == 5. and ember.norm(T([3 + 4j])).dtype == ember.float32
    assert ember.norm(T([3 + 4j], dtype=ember.complex128)).dtype == ember.float64
    with pytest.raises(RuntimeError, match="linalg.vector_norm: Expected a floating point or "
                                           "complex tensor as input. Got Long"):
        ember.norm(T([1, 2]))
    with pytest.raises(RuntimeError, match="The input tensor A must have at least 2 dimensions"):
        ember.norm(T([1., 2.]), p="nuc")


def test_vector_and_matrix_norms():
    a = T([[1., -3.], [3., 0.]])
    assert ember.linalg.vector_norm(a, 1).item() == 7.
    assert ember.linalg.matrix_norm(a, 1).item() == 4.        # largest column sum
    assert ember.linalg.matrix_norm(a, -1).item() == 3.
    assert ember.linalg.matrix_norm(a, math.inf).item() == 4.  # largest row sum
    assert ember.linalg.matrix_norm(a, -math.inf).item() == 3.
    s = np.linalg.svd(a.numpy(), compute_uv=False)
    assert ember.linalg.matrix_norm(a, 2).item() == pytest.approx(s[0])
    assert ember.linalg.matrix_norm(a, -2).item() == pytest.approx(s[-1])
    assert ember.linalg.norm(a, 2).item() == pytest.approx(s[0])
    assert ember.linalg.norm(a).item() == pytest.approx(np.sqrt(19.))
    with pytest.raises(RuntimeError, match="linalg.matrix_norm: Order 3 not supported."):
        ember.linalg.matrix_norm(a, 3)
    with pytest.raises(RuntimeError, match="If dim is not specified but ord is, the input must "
                                           "be 1D or 2D. Got 3D."):
        ember.linalg.norm(T(np.ones((2, 2, 2))), 2)
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times in the list of dims"):
        ember.linalg.vector_norm(T(np.ones(3)), dim=(0, 0))


def test_norm_grad_ties_and_zero():
    x = T(np.ones(4), rg=True)
    ember.norm(x, math.inf).backward()
    assert x.grad.tolist() == [0.25] * 4
    z = T(np.zeros(3), rg=True)
    ember.norm(z).backward()
    assert z.grad.tolist() == [0., 0., 0.]


@pytest.mark.parametrize("p", [1, 2, 3, 0.5, math.inf, -math.inf])
def test_vector_norm_grad(p):
    check_grad(lambda x: ember.norm(x, p), rnd(2, 3))
    check_grad(lambda x: ember.norm(x, p, 1, True), rnd(2, 3))
    check_grad(lambda x: ember.linalg.vector_norm(x, p), rnd())


@pytest.mark.parametrize("o", ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf])
def test_matrix_norm_grad(o):
    check_grad(lambda x: ember.linalg.matrix_norm(x, o), rnd(3, 2))
    check_grad(lambda x: ember.linalg.matrix_norm(x, o, dim=(0, 2), keepdim=True), rnd(2, 2, 3))


def test_dist_renorm_cdist_values():
    assert ember.dist(T([0., 0.]), T([3., 4.])).item() == 5.
    assert ember.dist(T([0., 0.]), T([3., 4.]), 1).item() == 7.
    assert ember.dist(T([1., 2.], dtype=ember.float64), T([1., 2.])).dtype == ember.float64
    r = ember.renorm(T([[3., 4.], [0.3, 0.4]]), 2, 0, 1.)
    np.testing.assert_allclose(r.numpy(), [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)
    x = T([[3., 4.], [0.3, 0.4]])
    x.renorm_(2, 0, 1.)
    np.testing.assert_allclose(x.numpy(), r.numpy())
    c = ember.cdist(T([[0., 0.], [1., 1.]]), T([[3., 4.]]))
    np.testing.assert_allclose(c.numpy(), [[5.], [math.sqrt(13)]])
    assert ember.cdist(T([[0., 0.]]), T([[3., 4.]]), p=1).item() == 7.
    big = rnd(30, 3)
    np.testing.assert_allclose(ember.cdist(T(big), T(big[:4])).numpy(),
                               np.linalg.norm(big[:, None] - big[None, :4], axis=-1), atol=1e-7)
    with pytest.raises(RuntimeError, match="X1 and X2 must have the same number of columns"):
        ember.cdist(T(np.ones((3, 3))), T(np.ones((3, 4))))
    with pytest.raises(RuntimeError, match="cdist only supports floating-point dtypes, X1 got: "
                                           "Long"):
        ember.cdist(T([[1]]), T([[1]]))
    with pytest.raises(RuntimeError, match="renorm: non-positive-norm not supported"):
        ember.renorm(T(np.ones((2, 2))), 0, 0, 1.)


def test_dist_renorm_cdist_grads():
    check_grad(ember.dist, rnd(2, 3), rnd(3))
    check_grad(lambda a, b: ember.dist(a, b, 3), rnd(2, 3), rnd(2, 3))
    check_grad(lambda a, b: ember.dist(a, b, math.inf), rnd(), rnd(3))
    check_grad(lambda a: ember.renorm(a, 2, 0, 0.5), rnd(3, 2))
    check_grad(lambda a: ember.renorm(a, 1, 1, 0.7), rnd(2, 3))
    check_grad(lambda a: ember.renorm(a, 3, -1, 0.3), rnd(2, 2, 2))
    for p in (2, 1, 3, math.inf):
        check_grad(lambda a, b: ember.cdist(a, b, p), rnd(3, 2), rnd(2, 2))
    check_grad(lambda a, b: ember.cdist(a, b), rnd(2, 3, 2), rnd(2, 2))
    check_grad(lambda a, b: ember.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
               rnd(3, 2), rnd(2, 2))


# ----------------------------------------------------------------------------- complex

def test_real_imag_are_views():
    z = T([1 + 2j, 3 - 4j])
    assert z.real.tolist() == [1., 3.] and z.imag.tolist() == [2., -4.]
    assert z.real.dtype == ember.float32 and ember.real(z).tolist() == [1., 3.]
    assert T([1j], dtype=ember.complex128).imag.dtype == ember.float64
    z.real.numpy()[0] = 5.
    assert z.tolist()[0] == 5 + 2j
    z.imag = T([7., 8.])
    assert z.tolist() == [5 + 7j, 3 + 8j]
    x = T([1., 2.])
    assert x.real is x
    with pytest.raises(RuntimeError, match="imag is not implemented for tensors with non-complex "
                                           "dtypes."):
        x.imag


def test_angle_conj_abs_views():
    z = T([1j, -1., 3 + 4j])
    np.testing.assert_allclose(ember.angle(z).numpy(), [math.pi / 2, math.pi, math.atan2(4, 3)])
    assert ember.angle(T([-2., 0., 3.])).tolist() == [np.float32(math.pi), 0., 0.]
    assert ember.angle(T([-2, 1])).dtype == ember.float32
    assert z.conj().tolist() == [-1j, -1., 3 - 4j]
    assert z.abs().tolist() == [1., 1., 5.] and z.abs().dtype == ember.float32
    x = T([1., 2.])
    assert x.conj() is x and not x.is_conj() and z.resolve_conj() is z
    v = ember.view_as_real(z)
    assert v.shape == (3, 2) and v.tolist()[2] == [3., 4.]
    c = ember.view_as_complex(T([[1., 2.], [3., 4.]]))
    assert c.tolist() == [1 + 2j, 3 + 4j] and c.dtype == ember.complex64
    with pytest.raises(RuntimeError, match="view_as_real is only supported for complex tensors"):
        ember.view_as_real(x)
    with pytest.raises(RuntimeError, match="Tensor must have a last dimension of size 2"):
        ember.view_as_complex(T(np.ones((3, 3))))


def test_complex_view_grads():
    check_grad(lambda x: ember.view_as_complex(x).real, rnd(3, 2))
    check_grad(lambda x: ember.view_as_complex(x).imag * 2, rnd(3, 2))
    check_grad(lambda x: ember.angle(ember.view_as_complex(x)), rnd(3, 2))
    check_grad(lambda x: ember.view_as_real(ember.view_as_complex(x).conj()), rnd(2, 2))
    check_grad(lambda x: ember.view_as_real(ember.view_as_complex(x)), rnd(2))
    check_grad(ember.angle, rnd(3) + 0.5)
    check_grad(ember.angle, rnd())


def test_complex_abs_grad():
    check_grad(lambda x: ember.view_as_complex(x).abs(), rnd(3, 2))
