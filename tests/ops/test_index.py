"""Indexing ops (ember/ops/index.py): ``x[idx]`` and ``x[idx] = v`` (views, copies, autograd,
errors) and the gather/scatter family, on hand-checkable inputs, with float64 gradient
checks."""
import warnings

import numpy as np
import pytest

import ember
from helpers import check_grad

R = np.random.default_rng(0)


def A(*shape):
    return R.standard_normal(shape)


def T(a, dtype=None, rg=False):
    return ember.tensor(a, dtype=dtype, requires_grad=rg)


def ar(*shape):
    return ember.tensor(np.arange(float(np.prod(shape))).reshape(shape), dtype=ember.float32)


def L(*v):
    return ember.tensor(list(v))


def name(t):
    return type(t.grad_fn).__name__


# ----------------------------------------------------------------------------- getitem


def test_basic_indexing_values_and_views():
    x = ar(3, 4)
    assert x[1].tolist() == [4, 5, 6, 7]
    assert x[-1, :].tolist() == [8, 9, 10, 11]
    assert x[:, 1].tolist() == [1, 5, 9]
    assert x[1:, ::2].tolist() == [[4, 6], [8, 10]]
    assert x[0][1].dim() == 0 and x[0][1].item() == 1.
    assert x[2, 3].item() == 11.
    assert x[None].shape == (1, 3, 4)
    assert x[..., None].shape == (3, 4, 1)
    assert x[..., 0].tolist() == [0, 4, 8]
    assert x[1, ..., 2].item() == 6.
    assert x[T(1)].tolist() == [4, 5, 6, 7]                    # 0-d int tensor = int
    assert x[np.int64(2), 0].item() == 8.
    assert x[T(1):T(3), 0].tolist() == [4, 8]
    assert x[10:].shape == (0, 4)
    assert T(5.)[()].item() == 5. and T(5.)[None].shape == (1,)
    v = x[1]
    assert v._base is x and v._version is x._version
    v[0] = 100.
    assert x[1, 0].item() == 100.


def test_hidden_state_slice_is_a_view_and_fast_path():
    h = ar(2, 3, 4)
    last = h[-1, :, :]
    assert last.shape == (3, 4) and last._base is h
    assert last.tolist() == h[1].tolist()


def test_advanced_indexing_values():
    x = ar(3, 4)
    assert x[[0, 2]].tolist() == [[0, 1, 2, 3], [8, 9, 10, 11]]
    assert x[L(2, 2, 0)].shape == (3, 4)
    assert x[[0, 1], [1, 2]].tolist() == [1., 6.]
    assert x[:, [0, 3]].tolist() == [[0, 3], [4, 7], [8, 11]]
    assert x[x > 8].tolist() == [9., 10., 11.]
    assert x[x[:, 0] > 0].shape == (2, 4)
    assert x[T([[0, 1], [2, 0]])].shape == (2, 2, 4)
    assert x[[]].shape == (0, 4)
    assert x[True].shape == (1, 3, 4)
    y = ar(2, 3, 4)
    assert y[0, :, [1, 2]].shape == (3, 2)                     # PyTorch: ints are selects
    assert y[:, [0, 1], 0].shape == (2, 2)
    assert y[[0, 1], :, [1, 2]].shape == (2, 3)
    c = x[[0]]
    c[0, 0] = -5.
    assert x[0, 0].item() == 0.                                # advanced indexing copies
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert x[T([1, 0, 1], dtype=ember.uint8)].shape == (2, 4)
    assert "uint8" in str(w[0].message)


def test_indexing_keeps_dtype():
    assert T([1, 2, 3])[1:].dtype == ember.int64
    assert T([True, False])[[1]].dtype == ember.bool
    assert T([1, 2], dtype=ember.int32)[0].dtype == ember.int32


def test_getitem_grad_fn_names():
    x = T(A(3, 4, 5), rg=True)
    assert name(x[0]) == "SelectBackward0"
    assert name(x[:]) == "SliceBackward0"
    assert name(x[:, :]) == "AliasBackward0"
    assert name(x[...]) == "AliasBackward0"
    assert name(x[None]) == "UnsqueezeBackward0"
    assert name(x[0, 1:3]) == "SliceBackward0"
    assert name(x[1:3, 0]) == "SelectBackward0"
    assert name(x[-1, :, :]) == "SelectBackward0"
    assert name(x[-3:, :]) == "SliceBackward0"
    assert name(x[[0, 1]]) == "IndexBackward0"
    assert name(x[x > 0]) == "IndexBackward0"


def test_getitem_backward_accumulates_repeats():
    x = T(A(4, 2), rg=True)
    x[[0, 0, 3, 0]].sum().backward()
    assert x.grad.tolist() == [[3, 3], [0, 0], [0, 0], [1, 1]]
    x.grad = None
    (x[x > 0] * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2. * (x.detach().numpy() > 0))
    y = T(A(3), rg=True)
    (y[0] + y[0] * 2 + y[1:].sum()).backward()
    assert y.grad.tolist() == [3, 1, 1]


def test_getitem_errors():
    x = ember.zeros(3, 4)
    with pytest.raises(ValueError, match="step must be greater than zero"):
        x[::-1]
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        x[5]
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 2"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match="tensors used as indices must be long, int, byte or "
                                         "bool tensors"):
        x[T([0.])]
    with pytest.raises(IndexError, match=r"The shape of the mask \[2\] at index 0 does not "
                                         r"match the shape of the indexed tensor \[3, 4\]"):
        x[T([True, False])]
    with pytest.raises(IndexError, match="only integers, slices"):
        x[1.5]
    with pytest.raises(IndexError, match="invalid index of a 0-dim tensor"):
        T(1.)[0]
    with pytest.raises(IndexError, match="index 7 is out of bounds for dimension 0"):
        x[[7]]


# ----------------------------------------------------------------------------- setitem


def test_setitem_values_and_broadcast():
    x = ember.zeros(3, 4)
    x[0] = 1.
    x[1, 1:3] = T([2., 3.])
    x[:, 3] = T([7., 8., 9.])
    x[x == 0] = -1.
    x[[2, 2], [0, 1]] = T(5.)
    assert x.tolist() == [[1, 1, 1, 7], [-1, 2, 3, 8], [5, 5, -1, 9]]
    x[...] = T([[1., 2., 3., 4.]])              # leading size-1 dims broadcast away
    assert x[2].tolist() == [1, 2, 3, 4]
    y = ar(2, 3, 4)
    y[0, :, [1, 2]] = T([[10., 20.]] * 3)       # slot shape follows PyTorch: (3, 2)
    assert y[0, 0].tolist() == [0, 10, 20, 3]
    i = ember.zeros(3, dtype=ember.int64)
    i[0] = 2.7
    assert i.tolist() == [2, 0, 0]


def test_setitem_versions_and_views():
    x = ember.zeros(2, 3)
    row = x[1]
    x[1, 2] = 4.
    assert row[2].item() == 4. and x._version_counter == 1 and row._version_counter == 1
    row[0] = 5.
    assert x[1, 0].item() == 5.


def test_setitem_autograd():
    x = T(A(3, 4), rg=True)
    v = T(A(4), rg=True)
    h = x * 2
    h[1] = v
    assert name(h) == "CopySlices"
    (h * T(np.arange(12.).reshape(3, 4))).sum().backward()
    g = np.full((3, 4), 2.) * np.arange(12.).reshape(3, 4)
    g[1] = 0
    np.testing.assert_allclose(x.grad.numpy(), g)
    np.testing.assert_allclose(v.grad.numpy(), np.arange(4., 8.))
    z = ember.zeros(3)
    s = T(2., rg=True)
    z[[0, 2]] = s
    assert name(z) == "IndexPutBackward0" and z.requires_grad
    z.sum().backward()
    assert s.grad.item() == 2.


def test_setitem_leaf_and_saved_tensor_errors():
    x = T(A(3), rg=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0] = 1.
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x[[0]] = 1.
    with ember.no_grad():
        x[0] = 3.
    assert x[0].item() == 3.
    h = x.exp()
    h[1] = 0.
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        h.sum().backward()


def test_setitem_shape_mismatch():
    x = ember.zeros(3)
    with pytest.raises(RuntimeError, match="shape mismatch"):
        x[:] = T([1., 2.])
    with pytest.raises(RuntimeError):
        x[0] = T([1., 2.])


# ----------------------------------------------------------------------------- gather family


def test_index_select_take_gather_values():
    x = ar(3, 4)
    assert x.index_select(0, L(2, 0)).tolist() == [[8, 9, 10, 11], [0, 1, 2, 3]]
    assert ember.index_select(x, 1, T([3, 3], dtype=ember.int32)).tolist() == \
        [[3, 3], [7, 7], [11, 11]]
    assert x.take(T([[0, 11], [-1, 5]])).tolist() == [[0, 11], [11, 5]]
    assert x.gather(1, T([[0, 0], [1, 0], [3, 2]])).tolist() == [[0, 0], [5, 4], [11, 10]]
    assert ember.gather(x, 0, T([[2, 1, 0, 0]])).tolist() == [[8, 5, 2, 3]]
    assert ember.take_along_dim(x, T([[0], [1], [2]]), 1).tolist() == [[0], [5], [10]]
    assert ember.take_along_dim(x, T([[1]]), dim=1).tolist() == [[1], [5], [9]]
    assert ember.take_along_dim(x, T([5, 0])).tolist() == [5, 0]
    with pytest.raises(RuntimeError, match="Expected dtype int32 or int64 for index"):
        x.index_select(0, T([0.]))
    with pytest.raises(IndexError, match="Index is supposed to be a vector"):
        x.index_select(0, T([[0]]))
    with pytest.raises(RuntimeError, match="index 9 is out of bounds for dimension 1 with size"):
        x.gather(1, T([[9]]))
    with pytest.raises(IndexError, match="out of range: tried to access index 12 on a tensor of "
                                         "12 elements"):
        x.take(T([12]))


def test_masked_ops_values():
    x = ar(2, 3)
    m = x > 2
    assert x.masked_select(m).tolist() == [3, 4, 5]
    assert ember.masked_select(x, T([True, False, True])).tolist() == [0, 2, 3, 5]
    assert x.masked_fill(m, -1.).tolist() == [[0, 1, 2], [-1, -1, -1]]
    assert x.masked_fill(T([False, True, False]), T(9.)).tolist() == [[0, 9, 2], [3, 9, 5]]
    assert T([1, 2]).masked_fill(T([True, False]), 2.7).tolist() == [2, 2]
    assert ember.masked_fill(T([1., 2.]), T([[True], [False]]), 0.).shape == (2, 2)
    y = x.clone()
    assert y.masked_fill_(m, 0.) is y and y.sum().item() == 3.
    assert x.masked_scatter(m, T([10., 20., 30., 40.])).tolist() == [[0, 1, 2], [10, 20, 30]]
    with pytest.raises(RuntimeError, match="masked_select: expected BoolTensor for mask"):
        x.masked_select(m.to(ember.uint8))
    with pytest.raises(RuntimeError, match="masked_fill_ only supports boolean masks, but got "
                                           "mask with dtype unsigned char"):
        x.masked_fill(m.byte(), 1.)
    with pytest.raises(RuntimeError, match="only supports a 0-dimensional value tensor"):
        x.masked_fill(m, T([1.]))
    with pytest.raises(RuntimeError, match="Number of elements of source < number of ones"):
        x.masked_scatter(m, T([1.]))


def test_where_values_and_dtypes():
    c = T([True, False, True])
    assert ember.where(c, T([1., 2., 3.]), T([-1., -2., -3.])).tolist() == [1, -2, 3]
    assert ember.where(c, 1., 0).dtype == ember.float32
    assert ember.where(c, 1, 0).dtype == ember.int64
    assert ember.where(c, T([1, 2, 3]), 0.5).tolist() == [1, 0.5, 3]
    assert ember.where(c, T([1., 2., 3.]), T([[0.], [1.]])).shape == (2, 3)
    assert T([1., 2., 3.]).where(c, 0.).tolist() == [1, 0, 3]
    r = ember.where(T([[1, 0], [0, 2]]) > 0)
    assert [t.tolist() for t in r] == [[0, 1], [0, 1]]
    with pytest.raises(RuntimeError, match="where expected condition to be a boolean tensor"):
        ember.where(T([1., 0.]), 1., 2.)


def test_scatter_family_values():
    x = ember.zeros(2, 4)
    idx = T([[1, 3], [0, 0]])
    src = T([[1., 2.], [3., 4.]])
    assert x.scatter(1, idx, src).tolist() == [[0, 1, 0, 2], [3, 0, 0, 0]] or \
        x.scatter(1, idx, src)[1, 0].item() in (3., 4.)
    assert x.scatter(1, idx, 5.).tolist() == [[0, 5, 0, 5], [5, 0, 0, 0]]
    assert ember.scatter(x, 1, idx, value=-1.).sum().item() == -3.
    assert x.scatter_add(1, idx, src).tolist() == [[0, 1, 0, 2], [7, 0, 0, 0]]
    y = x.clone()
    y.scatter_add_(0, T([[1, 1, 1, 1]]), T([[1., 1., 1., 1.]]))
    assert y.tolist() == [[0, 0, 0, 0], [1, 1, 1, 1]]
    y.scatter_(1, T([[0], [0]]), 9.)
    assert y[:, 0].tolist() == [9, 9]
    with pytest.raises(RuntimeError, match="Expected self.dtype to be equal to src.dtype"):
        x.scatter(1, idx, T([[1, 2], [3, 4]]))
    with pytest.raises(RuntimeError, match="index 5 is out of bounds for dimension 0"):
        x.scatter(0, T([[5]]), 1.)


def test_index_add_fill_copy_values():
    x = ember.zeros(3, 2)
    src = T([[1., 2.], [3., 4.], [5., 6.]])
    assert x.index_add(0, L(0, 0, 2), src).tolist() == [[4, 6], [0, 0], [5, 6]]
    assert ember.index_add(x, 0, L(1, 1, 1), src, alpha=2).tolist() == [[0, 0], [18, 24], [0, 0]]
    assert x.index_fill(1, L(1), 7.).tolist() == [[0, 7], [0, 7], [0, 7]]
    assert x.index_fill(0, T(2), T(3.))[2].tolist() == [3, 3]
    assert x.index_copy(0, L(2, 0, 1), src).tolist() == [[3, 4], [5, 6], [1, 2]]
    y = x.clone()
    y.index_add_(1, L(0), T([[1.], [1.], [1.]]))
    y.index_fill_(0, L(0), -1.)
    y.index_copy_(0, L(2), T([[8., 9.]]))
    assert y.tolist() == [[-1, -1], [1, 0], [8, 9]]
    with pytest.raises(RuntimeError, match="must have the same scalar type"):
        x.index_add(0, L(0), T([[1., 2.]], dtype=ember.float64))
    with pytest.raises(RuntimeError, match="Number of indices \\(2\\) should be equal to "
                                           "source.size\\(dim\\): \\(1\\)"):
        x.index_add(0, L(0, 1), T([[1., 2.]]))


def test_index_put():
    x = ember.zeros(3, 2)
    assert x.index_put((L(0, 0),), T(1.), accumulate=True).tolist() == [[2, 2], [0, 0], [0, 0]]
    assert ember.index_put(x, (L(0, 2), L(1, 0)), T([5., 6.])).tolist() == \
        [[0, 5], [0, 0], [6, 0]]
    y = x.clone()
    assert y.index_put_((T([True, False, True]),), T(1.)) is y
    assert y.tolist() == [[1, 1], [0, 0], [1, 1]]
    with pytest.raises(RuntimeError, match="Index put requires the source and destination "
                                           "dtypes match"):
        x.index_put((L(0),), T(1., dtype=ember.float64))
    v = T(A(2).astype(np.float32), rg=True)
    z = x.index_put((L(1, 1),), v, accumulate=True)
    assert name(z) == "IndexPutBackward0"
    z.sum().backward()
    assert v.grad.tolist() == [2., 2.]


def test_nonzero_argwhere():
    x = T([[0, 1], [2, 0]])
    assert ember.nonzero(x).tolist() == [[0, 1], [1, 0]]
    assert x.nonzero().dtype == ember.int64
    assert [t.tolist() for t in x.nonzero(as_tuple=True)] == [[0, 1], [1, 0]]
    assert ember.argwhere(x).tolist() == [[0, 1], [1, 0]]
    assert ember.nonzero(T(5)).shape == (1, 0)
    assert [t.tolist() for t in ember.nonzero(T(5), as_tuple=True)] == [[0]]
    assert ember.nonzero(ember.zeros(2, 3)).shape == (0, 2)


def test_inplace_on_leaf_raises():
    x = T(A(3), rg=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.masked_fill_(x > 0, 0.)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.index_fill_(0, L(0), 0.)


def test_index_grad_fn_names():
    x = T(A(3, 4), rg=True)
    v = T(A(4), rg=True)
    cases = {
        "IndexSelectBackward0": x.index_select(1, L(0)),
        "MaskedSelectBackward0": x.masked_select(x > 0),
        "MaskedFillBackward0": x.masked_fill(x > 0, 1.),
        "MaskedFillBackward1": x.masked_fill(x > 0, v[0]),
        "MaskedScatterBackward0": x.masked_scatter(x > 0, ember.zeros(12, dtype=x.dtype)),
        "WhereBackward0": ember.where(x > 0, x, 0.),
        "GatherBackward0": x.gather(1, T([[0], [1], [2]])),
        "ScatterBackward0": x.scatter(1, T([[0]]), v[:1, None]),
        "ScatterBackward1": x.scatter(1, T([[0]]), 2.),
        "ScatterAddBackward0": x.scatter_add(1, T([[0]]), v[:1, None]),
        "IndexAddBackward0": x.index_add(0, L(0), v[None]),
        "IndexFillBackward0": x.index_fill(1, L(0), 1.),
        "IndexFillBackward1": x.index_fill(1, L(0), v[0]),
        "IndexCopyBackward0": x.index_copy(0, L(0), v[None]),
        "TakeBackward0": x.take(L(0, 5)),
    }
    for n, t in cases.items():
        assert name(t) == n


# ----------------------------------------------------------------------------- gradients

I = ember.tensor


GRADS = {
    "getitem_int": (lambda x: x[1], [(3, 2), (2,), (2, 1, 3)]),
    "getitem_slices": (lambda x: x[1:, ::2], [(3, 4), (4, 3), (2, 5, 1)]),
    "getitem_none_ellipsis": (lambda x: x[None, ..., 0], [(3, 2), (2,), (1, 2, 3)]),
    "getitem_alias_0d": (lambda x: x[...] * x[None], [(), (2,), (2, 2)]),
    "getitem_int_list": (lambda x: x[[0, 0, -1]], [(3, 2), (2,), (2, 2, 2)]),
    "getitem_tensor_2d": (lambda x: x[I([[0, 1], [1, 1]])], [(3,), (2, 3), (2, 1, 2)]),
    "getitem_mask": (lambda x: x[I(np.array([True, False, True])[:x.shape[0]])],
                     [(3,), (3, 2), (2, 3)]),
    "getitem_mixed": (lambda x: x[0, :, [1, 1]], [(2, 3, 2), (1, 2, 2), (3, 1, 3)]),
    "getitem_pairs": (lambda x: x[[0, 1, 0], [1, 1, 1]], [(2, 2), (3, 2), (2, 3, 2)]),
    "setitem_basic": (lambda x, v: _set(x * 1, (slice(None), 0), v),
                      [((3, 2), (3,)), ((3, 2), ()), ((2, 2, 2), (1, 2))]),
    "setitem_adv": (lambda x, v: _set(x * 1, ([1, 0],), v),
                    [((3, 2), (2, 2)), ((2,), ()), ((2, 3, 1), (3, 1))]),
    "setitem_mask": (lambda x, v: _set(x * 1, (x > 0,), v), [((3, 2), ()), ((4,), ()),
                                                             ((2, 2), ())]),
    "index_select": (lambda x: x.index_select(-1, I([1, 0, 1])), [(2, 3), (2,), (1, 2, 2)]),
    "index_select_0d": (lambda x: x.index_select(0, I([0])), [(), (1,), (2, 1)]),
    "masked_select": (lambda x: x.masked_select(I([True, False])), [(3, 2), (2,), (1,)]),
    "masked_fill": (lambda x: x.masked_fill(I([[True], [False]]), 1.5),
                    [(2, 3), (2, 1), (1,)]),
    "masked_fill_0d": (lambda x: x.masked_fill(I(True), 0.), [(), (2,), (2, 2)]),
    "masked_fill_value": (lambda x, v: x.masked_fill(I([True, False, True]), v),
                          [((3,), ()), ((2, 3), ()), ((1, 3), ())]),
    "masked_scatter": (lambda x, s: x.masked_scatter(I([True, False]), s),
                       [((2,), (3,)), ((3, 2), (2, 2)), ((1, 2), (1,))]),
    "where": (lambda x, y: ember.where(I([True, False]), x, y),
              [((2,), (2,)), ((3, 1), ()), ((), (2, 2))]),
    "where_scalar": (lambda x: ember.where(x > 0, x, 0.5), [(2, 3), (), (4,)]),
    "gather": (lambda x: x.gather(-1, _last_first(x.shape)), [(2, 3), (3,), (2, 1, 2)]),
    "take": (lambda x: x.take(I([[0, -1], [0, 0]])), [(2, 3), (), (4,)]),
    "take_along_dim": (lambda x: ember.take_along_dim(x, I([[1], [0]]), 1),
                       [(2, 3), (1, 2), (2, 4)]),
    "take_along_dim_flat": (lambda x: ember.take_along_dim(x, I([0, 0, 1])), [(2, 3), (2,),
                                                                              (1, 1, 3)]),
    "scatter": (lambda x, s: x.scatter(0, I([[1, 0]]), s), [((2, 2), (1, 2)),
                                                            ((3, 3), (2, 2)),
                                                            ((2, 2), (1, 3))]),
    "scatter_value": (lambda x: x.scatter(-1, I([[0], [0]]), 2.), [(2, 3), (2, 1), (2, 2)]),
    "scatter_add": (lambda x, s: x.scatter_add(1, I([[0, 0, 1]]), s),
                    [((1, 2), (1, 3)), ((2, 3), (1, 3)), ((1, 4), (2, 4))]),
    "index_add": (lambda x, s: x.index_add(0, I([0, 0]), s, alpha=1.5),
                  [((2, 3), (2, 3)), ((2,), (2,)), ((3, 1, 2), (2, 1, 2))]),
    "index_fill": (lambda x: x.index_fill(-1, I([0, 0]), -1.), [(2, 3), (2,), (1, 2, 2)]),
    "index_fill_value": (lambda x, v: x.index_fill(0, I([1, 1]), v),
                         [((2, 3), ()), ((3,), ()), ((2, 1, 2), ())]),
    "index_put": (lambda x, v: x.index_put((I([0, 0, 1]),), v, accumulate=True),
                  [((3, 2), (2,)), ((2,), ()), ((2, 2, 1), (3, 1, 1))]),
    "index_put_overwrite": (lambda x, v: x.index_put((I([1]), I([0])), v),
                            [((3, 2), ()), ((2, 2), (1,)), ((2, 2, 2), (2,))]),
    "index_copy": (lambda x, s: x.index_copy(0, I([1]), s),
                   [((2, 3), (1, 3)), ((2,), (1,)), ((3, 1, 2), (1, 1, 2))]),
}


def _last_first(shape):
    """Index picking [last, first, first] along the last dim."""
    i = np.zeros(tuple(shape[:-1]) + (3,), np.int64)
    i[..., 0] = shape[-1] - 1
    return I(i)


def _set(y, idx, v):
    y[idx] = v
    return y


@pytest.mark.parametrize("op", sorted(GRADS))
def test_gradcheck(op):
    fn, cases = GRADS[op]
    for shapes in cases:
        if all(isinstance(s, int) for s in shapes):
            shapes = (shapes,)
        check_grad(fn, *(A(*s) for s in shapes))
