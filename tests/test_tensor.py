"""Tensor basics: Size, shape queries, Python conversions, NumPy interop, autograd state,
copying and pickling."""
import copy
import pickle

import numpy as np
import pytest

import ember


# ----------------------------------------------------------------------------- Size / shape

def test_size_is_a_tuple_that_prints_like_torch():
    t = ember.zeros(2, 3)
    assert isinstance(t.shape, ember.Size) and isinstance(t.size(), tuple)
    assert repr(t.shape) == "ember.Size([2, 3])" and str(t.size()) == "ember.Size([2, 3])"
    assert t.shape == (2, 3) and t.size() == t.shape
    assert repr(ember.zeros(()).shape) == "ember.Size([])"
    s = ember.zeros(2, 3, 4).shape
    assert isinstance(s[1:], ember.Size) and s[1:] == (3, 4)
    assert s[0] == 2 and type(s[0]) is int
    assert s.numel() == 24
    assert repr(s + (5,)) == "ember.Size([2, 3, 4, 5])"
    assert repr((1,) + s) == "ember.Size([1, 2, 3, 4])"
    assert repr(ember.Size([1, 2]) * 2) == "ember.Size([1, 2, 1, 2])"
    assert ember.Size([2, 3]) == ember.Size((2, 3))


def test_size_dim_numel_queries():
    t = ember.zeros(2, 3)
    assert t.size(0) == 2 and t.size(1) == 3 and t.size(-1) == 3 and t.size(-2) == 2
    with pytest.raises(IndexError, match=r"expected to be in range of \[-2, 1\], but got 2"):
        t.size(2)
    with pytest.raises(IndexError, match="has no dimensions"):
        ember.zeros(()).size(0)
    assert t.dim() == 2 and t.ndim == 2 and t.ndimension() == 2
    assert t.numel() == 6 and t.nelement() == 6 and ember.numel(t) == 6
    assert ember.zeros(()).dim() == 0 and ember.zeros(()).numel() == 1
    assert ember.zeros(0, 4).numel() == 0
    assert t.element_size() == 4 and t.stride() == (3, 1)
    assert str(t.device) == "cpu" and not t.is_cuda
    assert t.is_floating_point() and not ember.zeros(1, dtype=ember.int64).is_floating_point()
    assert ember.is_tensor(t) and not ember.is_tensor(np.zeros(1))


# ----------------------------------------------------------------------------- Python values

def test_item_tolist():
    assert ember.tensor(0.42).item() == 0.41999998688697815     # float32 rounding shows
    assert ember.tensor(0.42, dtype=ember.float64).item() == 0.42
    assert ember.tensor([[0.42]]).item() == 0.41999998688697815
    assert type(ember.tensor(3).item()) is int
    assert type(ember.tensor(True).item()) is bool
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted"):
        ember.tensor([1.0, 2.0]).item()
    assert ember.tensor([[1.5, 2]]).tolist() == [[1.5, 2.0]]
    assert ember.tensor(1.5).tolist() == 1.5
    assert ember.tensor([1, 2]).tolist() == [1, 2] and type(ember.tensor([1]).tolist()[0]) is int


def test_numpy_interop():
    t = ember.ones(2)
    a = t.numpy()
    a[0] = 5                                          # numpy() shares memory
    assert t.tolist() == [5.0, 1.0]
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        ember.ones(2, requires_grad=True).numpy()
    assert ember.ones(2, requires_grad=True).detach().numpy().tolist() == [1.0, 1.0]
    x = ember.tensor([0.2, 0.7])
    assert np.where(x > 0.5, 1, 0).tolist() == [0, 1]
    assert np.asarray(x).dtype == np.float32
    assert np.array(ember.tensor([1, 2]), dtype=np.float32).dtype == np.float32
    with pytest.raises(RuntimeError, match="requires grad"):
        np.asarray(ember.ones(2, requires_grad=True))


def test_len_and_iteration():
    t = ember.tensor([[1, 2], [3, 4], [5, 6]])
    assert len(t) == 3
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(ember.tensor(1.0))
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(ember.tensor(1.0))
    if not hasattr(ember.Tensor, "unbind"):
        pytest.skip("iteration needs Tensor.unbind (shape ops)")
    rows = list(t)
    assert [r.tolist() for r in rows] == [[1, 2], [3, 4], [5, 6]]
    assert all(r.shape == (2,) for r in rows)
    a, b = ember.tensor([1.0, 2.0])
    assert a.shape == () and b.item() == 2.0


def test_bool_and_ambiguity():
    assert bool(ember.tensor([1.0])) is True
    assert bool(ember.tensor(0.0)) is False
    assert bool(ember.tensor([[3]])) is True
    with pytest.raises(RuntimeError, match="more than one value is ambiguous"):
        bool(ember.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="no values is ambiguous"):
        bool(ember.tensor([]))
    assert (1 if ember.tensor(2) else 0) == 1


def test_format_index_int_float():
    assert format(ember.tensor(3.14159), ".2f") == "3.14"
    assert f"{ember.tensor(2.5)}" == "2.5"
    assert f"{ember.tensor(7):03d}" == "007"
    with pytest.raises(TypeError):
        format(ember.tensor([3.14159]), ".2f")
    assert [10, 20, 30][ember.tensor(1)] == 20
    assert list(range(ember.tensor(3))) == [0, 1, 2]
    with pytest.raises(TypeError, match="only integer tensors of a single element"):
        [10, 20][ember.tensor(1.0)]
    assert int(ember.tensor(2.7)) == 2 and int(ember.tensor(-2.7)) == -2
    assert float(ember.tensor(2)) == 2.0 and float(ember.tensor([[2]])) == 2.0
    with pytest.raises(ValueError, match="only one element tensors"):
        int(ember.tensor([2.7, 1.0]))
    with pytest.raises(ValueError, match="only one element tensors"):
        float(ember.tensor([2.7, 1.0]))


# ----------------------------------------------------------------------------- autograd state

def test_requires_grad_flags():
    t = ember.ones(2)
    assert not t.requires_grad and t.grad is None and t.grad_fn is None and t.is_leaf
    assert t.requires_grad_() is t and t.requires_grad
    t.requires_grad_(False)
    assert not t.requires_grad
    t.requires_grad = True
    assert t.requires_grad
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype"):
        ember.ones(2, dtype=ember.int64).requires_grad_()
    y = t * 2
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    assert y.requires_grad_(True) is y
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf"):
        y.requires_grad_(False)
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf"):
        y.requires_grad = False
    assert (ember.ones(2) * 2).is_leaf          # results of ops on constants are leaves


def test_detach_shares_memory_and_leaves_graph():
    x = ember.ones(2, requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    d.numpy()[0] = 7
    assert y.detach().tolist() == [7.0, 2.0]
    assert y.requires_grad                    # detach() leaves y alone
    z = x * 3
    assert z.detach_() is z
    assert not z.requires_grad and z.is_leaf and z.grad_fn is None


def test_data_attribute():
    x = ember.ones(2, requires_grad=True)
    y = x * 2
    assert not y.data.requires_grad and y.data.is_leaf
    y.data.numpy()[0] = 9                      # .data shares memory
    assert y.detach().tolist() == [9.0, 2.0]
    x.data = ember.zeros(3)
    assert x.detach().tolist() == [0.0, 0.0, 0.0] and x.requires_grad and x.is_leaf


def test_grad_fn_and_next_functions():
    x = ember.ones(2, requires_grad=True)
    c = ember.ones(2)
    y = x * c
    assert type(y.grad_fn).__name__ == "MulBackward0"
    assert y.grad_fn.name() == "MulBackward0"
    nf = y.grad_fn.next_functions
    assert type(nf[0][0]).__name__ == "AccumulateGrad" and nf[0][1] == 0
    assert nf[1] == (None, 0)
    assert nf[0][0].variable is x
    assert type((x + 1).grad_fn).__name__ == "AddBackward0"
    assert type((x / 2).grad_fn).__name__ == "DivBackward0"
    assert type((x - 2).grad_fn).__name__ == "SubBackward0"
    assert type((2 - x).grad_fn).__name__ == "RsubBackward1"


def test_chapter4_printing():
    x, y, z = ember.Tensor([1]), ember.Tensor([-2]), ember.Tensor([3])
    x.requires_grad = True
    y.requires_grad = True
    z.requires_grad = True
    f = z * (x + y)
    assert str(f) == "tensor([-3.], grad_fn=<MulBackward0>)"
    assert repr(x) == "tensor([1.], requires_grad=True)"


# ----------------------------------------------------------------------------- copies

def test_deepcopy():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    x.grad = ember.tensor([0.5, 0.5])
    y = copy.deepcopy(x)
    assert y is not x and y.requires_grad and y.is_leaf and y.tolist() == [1.0, 2.0]
    assert y.grad.tolist() == [0.5, 0.5] and y.grad is not x.grad
    y.detach().numpy()[0] = 9
    assert x.detach().tolist() == [1.0, 2.0]      # independent memory
    pair = copy.deepcopy([x, x])
    assert pair[0] is pair[1]                     # memo keeps shared tensors shared
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(x * 2)
    i = copy.deepcopy(ember.tensor([1, 2], dtype=ember.int32))
    assert i.dtype is ember.int32


def test_pickle_roundtrip():
    for t in [ember.tensor([1, 2], dtype=ember.int32), ember.randn(2, 3),
              ember.tensor(1.5, dtype=ember.float64), ember.tensor([True])]:
        u = pickle.loads(pickle.dumps(t))
        assert u.dtype is t.dtype and u.shape == t.shape and u.tolist() == t.tolist()
        assert not u.requires_grad
    r = pickle.loads(pickle.dumps(ember.ones(2, requires_grad=True)))
    assert r.requires_grad and r.is_leaf


def test_hash_and_identity():
    a, b = ember.ones(2), ember.ones(2)
    d = {a: 1, b: 2}
    assert d[a] == 1 and d[b] == 2
    assert len({a, b}) == 2


def test_in_operator():
    t = ember.tensor([[1, 2], [3, 4]])
    assert 3 in t and 5 not in t and 2.0 in t
    assert ember.tensor(4) in t and ember.tensor([9, 4]) in t   # any element matching
    with pytest.raises(RuntimeError, match="Tensor.__contains__ only supports Tensor or scalar, "
                                           "but you passed in a <class 'str'>."):
        "a" in t   # noqa: B015
