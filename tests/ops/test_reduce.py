"""Reductions and order statistics (ember/ops/reduce.py): values on hand-checkable inputs,
dtype rules, dim handling, errors, and float64 gradient checks."""
import numpy as np
import pytest

import ember
from helpers import check_grad

R = np.random.default_rng(0)


def T(a, dtype=None, rg=False):
    return ember.tensor(a, dtype=dtype, requires_grad=rg)


def distinct(*shape):
    """Random float64 values far apart from each other (stable order under perturbation)."""
    n = int(np.prod(shape))
    return (R.permutation(n) + R.uniform(0.1, 0.4, n)).reshape(shape) / 3


X = [[1., 3., 3., 2.], [0., 5., -1., 2.]]

# ----------------------------------------------------------------------------- sum / mean


def test_sum_values_and_dims():
    x = T(X)
    assert x.sum().item() == 15.
    assert x.sum(1).tolist() == [9., 6.]
    assert x.sum(-1, keepdim=True).tolist() == [[9.], [6.]]
    assert x.sum((0, 1)).item() == 15.
    assert x.sum([]).item() == 15.
    assert x.sum(None, True).shape == (1, 1)
    assert ember.sum(x, dim=0).tolist() == [1., 8., 2., 4.]
    assert x.sum(axis=0, keepdims=True).shape == (1, 4)
    assert T(2.5).sum(0).item() == 2.5


def test_sum_dtypes():
    assert T([True, False, True]).sum().dtype == ember.int64
    assert T([1, 2], dtype=ember.int32).sum().dtype == ember.int64
    assert T([1, 2], dtype=ember.uint8).sum(0).dtype == ember.int64
    assert T([1, 2]).sum(dtype=ember.float32).dtype == ember.float32
    assert T([1.5, 2.5]).sum(dtype=ember.float64).dtype == ember.float64
    assert T([1., 2.]).sum().dtype == ember.float32
    assert T([[1., 2.]]).sum(1).dtype == ember.float32
    assert T([[1, 2]], dtype=ember.int16).sum(1, dtype=ember.int16).dtype == ember.int16


def test_sum_grad_fn_names():
    x = T(X, rg=True)
    assert type(x.sum().grad_fn).__name__ == "SumBackward0"
    assert type(x.sum(dtype=ember.float64).grad_fn).__name__ == "SumBackward0"
    assert type(x.sum(1).grad_fn).__name__ == "SumBackward1"
    assert type(x.sum(None).grad_fn).__name__ == "SumBackward1"


def test_sum_backward_float32_owned():
    h = T(np.arange(8, dtype=np.float32), rg=True)
    h.sum().backward()
    assert h.grad.dtype == ember.float32 and h.grad.tolist() == [1.] * 8
    h.sum().backward()
    assert h.grad.tolist() == [2.] * 8


@pytest.mark.parametrize("dim", [5, -3, (0, 2)])
def test_sum_dim_out_of_range(dim):
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of "
                                         r"\[-2, 1\], but got"):
        T(X).sum(dim)


def test_duplicate_dims():
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times"):
        T(X).sum((0, -2))
    with pytest.raises(TypeError):
        T(X).sum(1.0)


def test_mean():
    x = T(X)
    assert x.mean().item() == 15 / 8
    assert x.mean(1).tolist() == [2.25, 1.5]
    assert x.mean((0, 1), keepdim=True).shape == (1, 1)
    assert x.mean().dtype == ember.float32
    assert T([1, 2]).mean(dtype=ember.float64).item() == 1.5
    assert np.isnan(ember.empty(0).mean().item())
    x = T(X, rg=True)
    assert type(x.mean().grad_fn).__name__ == "MeanBackward0"
    assert type(x.mean(0).grad_fn).__name__ == "MeanBackward1"


@pytest.mark.parametrize("dt,name", [(ember.int64, "Long"), (ember.bool, "Bool"),
                                     (ember.int32, "Int")])
def test_mean_int_error(dt, name):
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype. Input "
                       "dtype must be either a floating point or complex dtype. Got: " + name):
        T([1, 0], dtype=dt).mean()


def test_nansum_nanmean():
    x = T([1., float("nan"), 3.])
    assert x.nansum().item() == 4.
    assert x.nanmean().item() == 2.
    assert T([[1, 2]]).nansum().dtype == ember.int64
    assert T([float("nan")]).nansum().item() == 0.
    assert np.isnan(T([float("nan")]).nanmean().item())
    with pytest.raises(RuntimeError, match="nanmean\\(\\): expected input to have floating"):
        T([1, 2]).nanmean()
    xg = T([1., float("nan"), 3.], rg=True)
    y = xg.nanmean()
    assert type(y.grad_fn).__name__ == "DivBackward0"
    y.backward()
    assert xg.grad.tolist() == [0.5, 0., 0.5]
    xg.grad = None
    xg.nansum().backward()
    assert xg.grad.tolist() == [1., 0., 1.]


# ----------------------------------------------------------------------------- std / var


def test_var_std_values():
    a = np.array(X)
    x = T(X)
    np.testing.assert_allclose(x.var().item(), a.var(ddof=1), rtol=1e-6)
    np.testing.assert_allclose(x.std(1).numpy(), a.std(1, ddof=1), rtol=1e-6)
    np.testing.assert_allclose(x.std(1, unbiased=False).numpy(), a.std(1), rtol=1e-6)
    np.testing.assert_allclose(x.var(0, correction=0).numpy(), a.var(0), rtol=1e-6)
    np.testing.assert_allclose(x.var(True).item(), a.var(ddof=1), rtol=1e-6)   # var(unbiased)
    np.testing.assert_allclose(x.var(False).item(), a.var(), rtol=1e-6)
    assert x.std(1, True, True).shape == (2, 1)
    np.testing.assert_allclose(T([1., 2.]).std(0, correction=0.5).item(), np.sqrt(0.5 / 1.5),
                               rtol=1e-6)
    assert np.isnan(T([1.]).std().item())
    assert T([1., 2., 3.]).var(0, correction=5).item() == np.inf
    assert x.var().dtype == ember.float32


def test_var_mean_std_mean():
    x = T(X, rg=True)
    v, m = ember.var_mean(x, 1)
    np.testing.assert_allclose(v.detach().numpy(), np.var(X, 1, ddof=1), rtol=1e-6)
    assert m.tolist() == [2.25, 1.5]
    s, m = ember.std_mean(x, dim=1, keepdim=True, correction=0)
    np.testing.assert_allclose(s.detach().numpy(), np.std(X, 1, keepdims=True), rtol=1e-6)
    assert type(s.grad_fn).__name__ == "StdMeanBackward0"
    assert type(v.grad_fn).__name__ == "VarMeanBackward0"
    assert not hasattr(ember.Tensor, "std_mean")


def test_var_errors():
    with pytest.raises(RuntimeError, match="std and var only support floating point"):
        T([1, 2]).std()
    with pytest.raises(TypeError):
        T([1., 2.]).var(0, unbiased=True, correction=1)


def test_std_grad_zero_spread():
    x = T([1., 1., 1.], rg=True)
    x.std().backward()
    assert x.grad.tolist() == [0., 0., 0.]


# ----------------------------------------------------------------------------- prod


def test_prod():
    x = T(X)
    assert x.prod().item() == 0.
    assert x.prod(1).tolist() == [18., 0.]
    assert x.prod(1, keepdim=True).shape == (2, 1)
    assert T([[1, 2], [3, 4]]).prod(1).dtype == ember.int64
    assert T([True, False]).prod().dtype == ember.int64
    assert ember.empty(0).prod().item() == 1.
    with pytest.raises(TypeError):
        x.prod((0, 1))
    xg = T(X, rg=True)
    assert type(xg.prod().grad_fn).__name__ == "ProdBackward0"
    assert type(xg.prod(0).grad_fn).__name__ == "ProdBackward1"


@pytest.mark.parametrize("data,expected", [([2., 0., 3., 4.], [0., 24., 0., 0.]),
                                           ([1., 0., 3., 0.], [0., 0., 0., 0.]),
                                           ([2., 3., 4.], [12., 8., 6.])])
def test_prod_grad_with_zeros(data, expected):
    x = T(data, dtype=ember.float64, rg=True)
    x.prod().backward()
    assert x.grad.tolist() == expected


# ----------------------------------------------------------------------------- max / min


def test_max_min_full_and_dim():
    x = T(X)
    assert x.max().item() == 5. and x.min().item() == -1.
    r = x.max(1)
    assert isinstance(r, tuple) and isinstance(r, ember.return_types.max)
    assert r.values.tolist() == [3., 5.] and r.indices.tolist() == [1, 1]
    v, i = x.min(dim=1, keepdim=True)
    assert v.tolist() == [[1.], [-1.]] and i.tolist() == [[0], [2]]
    assert i.dtype == ember.int64
    assert repr(r).startswith("ember.return_types.max(\nvalues=tensor(")
    s = T(2.5).max(0)
    assert s.values.item() == 2.5 and s.indices.item() == 0 and s.indices.shape == ()
    assert T([1, 7, 3], dtype=ember.int32).max().dtype == ember.int32


def test_max_nan_propagates():
    x = T([1., float("nan"), 3.])
    assert np.isnan(x.max().item())
    assert x.max(0).indices.item() == 1
    assert x.argmax().item() == 1 and x.argmin().item() == 1


def test_max_errors():
    with pytest.raises(RuntimeError, match="max\\(\\): Expected reduction dim to be specified"):
        ember.empty(0).max()
    with pytest.raises(IndexError, match="max\\(\\): Expected reduction dim 0 to have non-zero"):
        ember.empty(0, 3).max(0)
    assert ember.empty(0, 3).max(1).values.shape == (0,)
    with pytest.raises(IndexError, match="Dimension out of range"):
        T(X).max(2)
    with pytest.raises(RuntimeError, match="amax\\(\\): Expected reduction dim to be"):
        ember.empty(0).amax()
    with pytest.raises(IndexError, match="amin\\(\\): Expected reduction dim 0 to have"):
        ember.empty(0, 3).amin(0)


def test_max_binary_is_maximum():
    a, b = T([1., 5., 2.]), T([3., 4., 2.5])
    assert ember.max(a, b).tolist() == [3., 5., 2.5]
    assert ember.min(a, other=b).tolist() == [1., 4., 2.]


def test_max_grad_ties_and_names():
    x = T([[1., 3., 3., 2.]], dtype=ember.float64, rg=True)
    y = x.max()
    assert type(y.grad_fn).__name__ == "MaxBackward1"
    y.backward()
    assert x.grad.tolist() == [[0., 0.5, 0.5, 0.]]
    x.grad = None
    v = x.max(1).values
    assert type(v.grad_fn).__name__ == "MaxBackward0"
    v.sum().backward()
    assert x.grad.tolist() == [[0., 1., 0., 0.]]
    x.grad = None
    y = x.amax(1)
    assert type(y.grad_fn).__name__ == "AmaxBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [[0., 0.5, 0.5, 0.]]
    assert type(x.amin().grad_fn).__name__ == "AminBackward0"
    assert type(x.min().grad_fn).__name__ == "MinBackward1"
    assert type(x.min(0).values.grad_fn).__name__ == "MinBackward0"


def test_amax_dims():
    x = T(X)
    assert x.amax().item() == 5.
    assert x.amax((0, 1)).item() == 5.
    assert x.amax(0).tolist() == [1., 5., 3., 2.]
    assert x.amin(1, keepdim=True).tolist() == [[1.], [-1.]]
    assert T([[1, 2]]).amax(1, True).dtype == ember.int64


def test_aminmax():
    x = T(X, rg=True)
    r = ember.aminmax(x)
    assert isinstance(r, ember.return_types.aminmax)
    assert r.min.item() == -1. and r.max.item() == 5.
    r = x.aminmax(dim=1, keepdim=True)
    assert r.min.tolist() == [[1.], [-1.]] and r.max.tolist() == [[3.], [5.]]
    assert type(r.max.grad_fn).__name__ == "AminmaxBackward0"
    with pytest.raises(RuntimeError, match="aminmax\\(\\): cannot compute aminmax over an empty"):
        ember.aminmax(ember.empty(0))


def test_argmax_argmin():
    x = T(X)
    assert x.argmax().item() == 5
    assert x.argmin(1).tolist() == [0, 2]
    assert x.argmax(1, keepdim=True).shape == (2, 1)
    assert x.argmax(keepdim=True).shape == (1, 1)
    assert T([1., 3., 3.]).argmax().item() == 1      # first among ties
    assert x.argmax().dtype == ember.int64
    with pytest.raises(RuntimeError, match="argmax\\(\\): does not support bool input"):
        T([True, False]).argmax()
    with pytest.raises(IndexError, match="argmin\\(\\): Expected reduction dim to be specified"):
        ember.empty(0).argmin()


# ----------------------------------------------------------------------------- cumulative


def test_cumsum_cumprod():
    x = T(X)
    assert x.cumsum(1).tolist() == [[1., 4., 7., 9.], [0., 5., 4., 6.]]
    assert x.cumsum(0).tolist() == [[1., 3., 3., 2.], [1., 8., 2., 4.]]
    assert x.cumprod(-1).tolist()[0] == [1., 3., 9., 18.]
    assert T([True, False, True]).cumsum(0).tolist() == [1, 1, 2]
    assert T([1, 2], dtype=ember.int8).cumsum(0).dtype == ember.int64
    assert T([1., 2.]).cumsum(0, dtype=ember.float64).dtype == ember.float64
    assert T(2.).cumsum(0).item() == 2.
    y = T([1, 2, 3], dtype=ember.int32)
    y.cumsum_(0)
    assert y.tolist() == [1, 3, 6] and y.dtype == ember.int32
    with pytest.raises(TypeError):
        x.cumsum()
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.cumsum(2)
    xg = T(X, rg=True)
    assert type(xg.cumsum(0).grad_fn).__name__ == "CumsumBackward0"
    assert type(xg.cumprod(0).grad_fn).__name__ == "CumprodBackward0"


def test_cumprod_grad_with_zeros():
    x = T([2., 0., 3., 0., 4.], dtype=ember.float64, rg=True)
    x.cumprod(0).sum().backward()
    assert x.grad.tolist() == [1., 8., 0., 0., 0.]


# ----------------------------------------------------------------------------- logsumexp


def test_logsumexp():
    x = T([[0., np.log(3.)], [1000., 1000.]], dtype=ember.float64)
    np.testing.assert_allclose(x.logsumexp(1).numpy(), [np.log(4.), 1000. + np.log(2.)])
    assert T([[1, 2]]).logsumexp(1).dtype == ember.float32
    assert T([-np.inf, -np.inf]).logsumexp(0).item() == -np.inf
    assert T([np.inf, 1.]).logsumexp(0).item() == np.inf
    assert ember.empty(0, 2).logsumexp(0).tolist() == [-np.inf, -np.inf]
    assert x.logsumexp((0, 1), keepdim=True).shape == (1, 1)
    with pytest.raises(TypeError):
        ember.logsumexp(x)
    xg = T(X, rg=True)
    assert type(xg.logsumexp(1).grad_fn).__name__ == "LogsumexpBackward0"


# ----------------------------------------------------------------------------- any / all / count


def test_any_all():
    x = T([[1., 0.], [0., 0.]])
    assert x.any().item() is True and x.all().item() is False
    assert x.any(1).tolist() == [True, False]
    assert x.all(0, keepdim=True).tolist() == [[False, False]]
    assert x.any((0, 1)).item() is True
    assert x.any().dtype == ember.bool and x.any().shape == ()
    assert x.any(()).tolist() == [[True, False], [False, False]]
    u = T([1, 0, 2], dtype=ember.uint8)
    assert u.any().dtype == ember.uint8 and u.all().item() == 0
    assert ember.empty(0).all().item() is True and ember.empty(0).any().item() is False


def test_count_nonzero():
    x = T([[1., 0., 2.], [0., 0., 3.]])
    assert x.count_nonzero().item() == 3
    assert x.count_nonzero(0).tolist() == [1, 0, 2]
    assert ember.count_nonzero(x, dim=(0, 1)).item() == 3
    assert x.count_nonzero().dtype == ember.int64
    with pytest.raises(RuntimeError, match="appears multiple times"):
        x.count_nonzero((0, 0))


# ----------------------------------------------------------------------------- sorting


def test_sort_stable_and_descending():
    t = T([1., 3., 3., 2., 3., 1.])
    v, i = t.sort()
    assert v.tolist() == [1., 1., 2., 3., 3., 3.] and i.tolist() == [0, 5, 3, 1, 2, 4]
    v, i = t.sort(descending=True)
    assert v.tolist() == [3., 3., 3., 2., 1., 1.] and i.tolist() == [1, 2, 4, 3, 0, 5]
    assert t.argsort(descending=True).tolist() == [1, 2, 4, 3, 0, 5]
    n = T([1., float("nan"), 3., 2.])
    assert n.sort().indices.tolist() == [0, 3, 2, 1]
    assert n.sort(descending=True).indices.tolist() == [1, 2, 3, 0]
    x = T(X)
    assert x.sort(0).values.tolist() == [[0., 3., -1., 2.], [1., 5., 3., 2.]]
    assert ember.argsort(x, 1).tolist() == [[0, 3, 1, 2], [2, 0, 3, 1]]
    assert T([True, False]).sort().values.tolist() == [False, True]
    xg = T(X, rg=True)
    assert type(xg.sort().values.grad_fn).__name__ == "SortBackward0"
    assert type(xg.sort(stable=True).values.grad_fn).__name__ == "SortBackward1"


def test_topk():
    t = T([1., 5., 3., 2., 4.])
    v, i = t.topk(2)
    assert v.tolist() == [5., 4.] and i.tolist() == [1, 4]
    v, i = t.topk(3, largest=False)
    assert v.tolist() == [1., 2., 3.] and i.tolist() == [0, 3, 2]
    assert T(X).topk(1, dim=0).indices.tolist() == [[0, 1, 0, 0]]
    assert t.topk(0).values.shape == (0,)
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        t.topk(6)
    with pytest.raises(TypeError):
        t.topk(1.0)


def test_kthvalue_median_mode():
    t = T([1., 3., 3., 2., 3., 1.])
    assert t.kthvalue(3).values.item() == 2. and t.kthvalue(3).indices.item() == 3
    assert t.median().item() == 2.                       # lower median of 6 values
    r = t.median(0)
    assert r.values.item() == 2. and r.indices.item() == 3
    m = t.mode()
    assert m.values.item() == 3. and m.indices.item() == 4   # last occurrence
    m = T([[2., 1., 2., 1., 3.], [5., 5., 4., 4., 4.]]).mode()
    assert m.values.tolist() == [1., 4.] and m.indices.tolist() == [3, 4]
    assert np.isnan(T([1., float("nan"), 3.]).median().item())
    assert T([1., float("nan"), 3.]).median(0).indices.item() == 1
    assert np.isnan(ember.empty(0).median().item())
    with pytest.raises(RuntimeError, match="kthvalue\\(\\): selected number k out of range"):
        t.kthvalue(7)
    with pytest.raises(IndexError, match="mode\\(\\): Expected reduction dim 0 to have"):
        ember.empty(0).mode()
    assert T(X).median(1, keepdim=True).values.shape == (2, 1)


def test_median_grad_split_among_ties():
    x = T([1., 3., 3., 2., 3.], dtype=ember.float64, rg=True)
    y = x.median()
    assert type(y.grad_fn).__name__ == "MedianBackward0"
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [0, 1 / 3, 1 / 3, 0, 1 / 3])
    x.grad = None
    v = x.median(0).values
    assert type(v.grad_fn).__name__ == "MedianBackward1"
    v.backward()
    assert x.grad.tolist() == [0., 1., 0., 0., 0.]


# ----------------------------------------------------------------------------- unique


def test_unique():
    x = T([3, 1, 3, 2])
    assert ember.unique(x).tolist() == [1, 2, 3]
    u, inv, cnt = x.unique(return_inverse=True, return_counts=True)
    assert inv.tolist() == [2, 0, 2, 1] and cnt.tolist() == [1, 1, 2]
    assert inv.dtype == ember.int64
    u, cnt = x.unique(return_counts=True)
    assert cnt.tolist() == [1, 1, 2]
    m = T([[1, 2], [1, 2], [0, 5]])
    u, inv, cnt = ember.unique(m, dim=0, return_inverse=True, return_counts=True)
    assert u.tolist() == [[0, 5], [1, 2]] and inv.tolist() == [1, 1, 0] and cnt.tolist() == [1, 2]
    assert ember.unique(m, dim=1).tolist() == [[1, 2], [1, 2], [0, 5]]
    u, inv = ember.unique(T(3), return_inverse=True)
    assert u.tolist() == [3] and inv.shape == ()
    assert ember.unique(T([[2., 1.], [1., 2.]]), return_inverse=True)[1].tolist() == [[1, 0],
                                                                                       [0, 1]]
    with pytest.raises(IndexError):
        T(3).unique(dim=0)


def test_unique_backward_not_implemented():
    x = T([1., 2., 1.], rg=True)
    u = x.unique()
    assert type(u.grad_fn).__name__ == "Unique2Backward0"
    with pytest.raises(NotImplementedError, match="derivative for '_unique2' is not"):
        u.sum().backward()


def test_out_argument_with_namedtuple():
    x = T(X)
    v, i = ember.empty(0), ember.empty(0, dtype=ember.int64)
    ember.max(x, 1, out=(v, i))
    assert v.tolist() == [3., 5.] and i.tolist() == [1, 1]
    o = ember.empty(0)
    ember.sum(x, 0, out=o)
    assert o.tolist() == [1., 8., 2., 4.]


# ----------------------------------------------------------------------------- gradient checks

SHAPES = [(), (5,), (2, 3, 4)]


def _dims_for(shape):
    """(dim, keepdim) cases that are valid for ``shape``."""
    if not shape:
        return [(0, False), (-1, True)]
    return [(0, False), (-1, True), (tuple(range(len(shape))), False)] + \
        ([((0, 2), True)] if len(shape) == 3 else [])


def _single_dims(shape):
    return [(0, False), (-1, True)] + ([(1, False)] if len(shape) > 1 else [])


@pytest.mark.parametrize("shape", SHAPES)
def test_grad_full_reductions(shape):
    a = distinct(*shape)
    for fn in (lambda x: x.sum(), lambda x: x.mean(), lambda x: x.nansum(),
               lambda x: x.nanmean(), lambda x: x.prod(), lambda x: x.max(), lambda x: x.min(),
               lambda x: x.amax(), lambda x: x.amin(), lambda x: x.median(),
               lambda x: x.logsumexp(tuple(range(x.dim()))),
               lambda x: ember.aminmax(x)[0] * 2 + ember.aminmax(x)[1],
               lambda x: x.sum(dtype=ember.float64)):
        check_grad(fn, a)
    if a.size > 1:
        for fn in (lambda x: x.std(), lambda x: x.var(), lambda x: x.var(correction=0),
                   lambda x: ember.std_mean(x)[0] + ember.std_mean(x)[1],
                   lambda x: ember.var_mean(x)[0] * ember.var_mean(x)[1]):
            check_grad(fn, a)


@pytest.mark.parametrize("shape", SHAPES)
def test_grad_dim_reductions(shape):
    a = distinct(*shape)
    for dim, keep in _dims_for(shape):
        check_grad(lambda x: x.sum(dim, keep), a)
        check_grad(lambda x: x.mean(dim, keep), a)
        check_grad(lambda x: x.nansum(dim, keep), a)
        check_grad(lambda x: x.nanmean(dim, keep), a)
        check_grad(lambda x: x.amax(dim, keep), a)
        check_grad(lambda x: x.amin(dim, keep), a)
        check_grad(lambda x: x.logsumexp(dim, keep), a)
        if a.size > 1 and shape:
            check_grad(lambda x: x.std(dim, keepdim=keep), a)
            check_grad(lambda x: x.var(dim, keepdim=keep, correction=0), a)
            check_grad(lambda x: ember.var_mean(x, dim, keepdim=keep)[0], a)
            check_grad(lambda x: ember.std_mean(x, dim, keepdim=keep)[1], a)


@pytest.mark.parametrize("shape", SHAPES)
def test_grad_single_dim_ops(shape):
    a = distinct(*shape)
    for dim, keep in _single_dims(shape):
        check_grad(lambda x: x.prod(dim, keep), a)
        check_grad(lambda x: x.max(dim, keep).values, a)
        check_grad(lambda x: x.min(dim, keep)[0], a)
        check_grad(lambda x: x.median(dim, keep).values, a)
        check_grad(lambda x: x.kthvalue(1, dim, keep).values, a)
        check_grad(lambda x: x.mode(dim, keep).values, a)
        check_grad(lambda x: ember.aminmax(x, dim=dim, keepdim=keep).max, a)
        check_grad(lambda x: x.cumsum(dim), a)
        check_grad(lambda x: x.cumprod(dim), a)
        check_grad(lambda x: x.sort(dim).values, a)
        check_grad(lambda x: x.sort(dim, descending=True).values, a)
        check_grad(lambda x: x.topk(1, dim).values, a)


def test_grad_with_zeros_and_ties():
    z = np.array([[2., 0., 3., 0.5], [0., 1.5, 0., 4.], [1., 2., 3., 0.]])
    check_grad(lambda x: x.prod(1), z)
    check_grad(lambda x: x.prod(0, keepdim=True), z)
    check_grad(lambda x: x.cumprod(1), z)
    check_grad(lambda x: x.cumprod(0), z)
    check_grad(lambda x: x.topk(2, 1).values, distinct(3, 5))


def test_keepdim_result_broadcasts_in_graph():
    a = distinct(3, 4)
    check_grad(lambda x: x - x.mean(1, keepdim=True), a)
    check_grad(lambda x: x - x.logsumexp(1, keepdim=True), a)
    check_grad(lambda x: (x - x.amax(0, keepdim=True)) / x.std(0, keepdim=True), a)


def _stable_order(a, descending):
    """Reference: stable sort order along the last axis, NaN largest, ties by index."""
    key = np.where(np.isnan(a), np.inf, a) if a.dtype.kind == "f" else a
    rank = np.isnan(a) if a.dtype.kind == "f" else np.zeros(a.shape, bool)
    if descending:
        return np.lexsort((np.broadcast_to(np.arange(a.shape[-1]), a.shape), -key, ~rank))
    return np.lexsort((np.broadcast_to(np.arange(a.shape[-1]), a.shape), key, rank))


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("kind", ["ties", "distinct", "nan"])
def test_topk_partition_path_matches_stable_sort(largest, kind):
    rng = np.random.default_rng(5)
    if kind == "ties":
        a = rng.integers(0, 4, (6, 70)).astype(np.float64)
    elif kind == "distinct":
        a = distinct(6, 70)
    else:
        a = rng.integers(0, 4, (6, 70)).astype(np.float64)
        a[rng.random(a.shape) < 0.1] = np.nan
        a[0, :] = np.nan
    ref = _stable_order(a, largest)[:, :5]
    v, i = T(a).topk(5, largest=largest)
    np.testing.assert_array_equal(i.numpy(), ref)
    np.testing.assert_array_equal(v.numpy(), np.take_along_axis(a, ref, 1))
    v, i = T(a.T.copy()).topk(5, dim=0, largest=largest)     # along a non-last dim
    np.testing.assert_array_equal(i.numpy(), ref.T)


@pytest.mark.parametrize("k", [1, 17, 35, 70])
def test_kthvalue_and_median_partition_path(k):
    rng = np.random.default_rng(k)
    a = rng.integers(0, 5, (5, 70)).astype(np.float64)
    a[1, 3] = np.nan
    ref = _stable_order(a, False)
    r = T(a).kthvalue(k)
    np.testing.assert_array_equal(r.indices.numpy(), ref[:, k - 1])
    m = T(a[:, :k]).median(1)
    mref = _stable_order(a[:, :k], False)[:, (k - 1) // 2]
    if k > 3:
        mref[1] = 3                                            # a NaN: its index
    np.testing.assert_array_equal(m.indices.numpy(), mref)
    check_grad(lambda x: x.kthvalue(k, 1).values, distinct(3, 70))
    check_grad(lambda x: x.topk(3, 1).values, distinct(3, 70))
    check_grad(lambda x: x.topk(3, 0, largest=False).values, distinct(70, 2))
