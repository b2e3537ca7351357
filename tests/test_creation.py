"""Creation functions: tensor/as_tensor/from_numpy, legacy constructors, filled tensors,
ranges. Values are hand-checked here; tests/oracle/test_creation_oracle.py compares with torch."""
import warnings

import numpy as np
import pytest

import ember


# ----------------------------------------------------------------------------- tensor()

@pytest.mark.parametrize("data, dtype, shape", [
    ([1.0, 2.0], ember.float32, (2,)),
    ([1, 2], ember.int64, (2,)),
    ([True, False], ember.bool, (2,)),
    ([1, 2.5], ember.float32, (2,)),
    ([True, 2], ember.int64, (2,)),
    ([True, 2.0], ember.float32, (2,)),
    ([[1, 2], [3, 4.0]], ember.float32, (2, 2)),
    (3.5, ember.float32, ()),
    (3, ember.int64, ()),
    (False, ember.bool, ()),
    ([], ember.float32, (0,)),
    ([[]], ember.float32, (1, 0)),
    ((1, 2), ember.int64, (2,)),
    ([1 + 2j], ember.complex64, (1,)),
])
def test_tensor_infers_pytorch_dtypes(data, dtype, shape):
    t = ember.tensor(data)
    assert t.dtype is dtype
    assert t.shape == shape
    assert not t.requires_grad and t.is_leaf


def test_tensor_values_and_copy():
    t = ember.tensor([[1, 2], [3, 4]])
    assert t.tolist() == [[1, 2], [3, 4]]
    a = np.zeros(3)
    t = ember.tensor(a)
    a[0] = 5
    assert t.tolist() == [0.0, 0.0, 0.0]          # tensor() copies


def test_tensor_from_numpy_keeps_dtype():
    assert ember.tensor(np.array([1.0, 2.0])).dtype is ember.float64
    assert ember.tensor(np.array([1, 2], dtype=np.int32)).dtype is ember.int32
    assert ember.tensor(np.ones(2, np.float16)).dtype is ember.float16
    assert ember.tensor(np.float64(2.5)).dtype is ember.float64
    assert ember.tensor(np.int32(3)).dtype is ember.int32
    assert ember.tensor(np.bool_(True)).dtype is ember.bool
    assert ember.tensor([np.float64(2.5), np.float64(1.0)]).dtype is ember.float64
    assert ember.tensor([np.float32(1.0)]).dtype is ember.float32
    assert ember.tensor([np.zeros(2), np.ones(2)]).dtype is ember.float64
    # a non-contiguous array is copied with its values in logical order
    a = np.arange(6.0).reshape(2, 3)
    assert ember.tensor(a.T).tolist() == a.T.tolist()


def test_tensor_dtype_argument_and_casting():
    assert ember.tensor([1, 2], dtype=ember.float64).dtype is ember.float64
    assert ember.tensor([1.7, -1.7], dtype=ember.int64).tolist() == [1, -1]
    assert ember.tensor([-1, 255], dtype=ember.uint8).tolist() == [255, 255]   # wraps
    with pytest.raises(RuntimeError, match="cannot be converted to type uint8 without overflow"):
        ember.tensor([300], dtype=ember.uint8)
    with pytest.raises(RuntimeError, match="type int8 without overflow"):
        ember.tensor(1e10, dtype=ember.int8)
    assert ember.tensor([1e300], dtype=ember.float32).tolist() == [float("inf")]
    assert ember.tensor([1, 0, 2], dtype=ember.bool).tolist() == [True, False, True]
    assert ember.tensor(2, dtype=float).dtype is ember.float64
    assert ember.tensor(range(3)).tolist() == [0, 1, 2]


def test_tensor_from_tensors():
    with pytest.warns(UserWarning, match="clone"):
        t = ember.tensor(ember.ones(2, requires_grad=True) * 2)
    assert not t.requires_grad and t.is_leaf and t.tolist() == [2.0, 2.0]
    t = ember.tensor([ember.tensor(1.0), ember.tensor(2.0)])
    assert t.dtype is ember.float32 and t.tolist() == [1.0, 2.0]
    assert ember.tensor([ember.tensor(1.0, dtype=ember.float64)]).dtype is ember.float64
    with pytest.raises(ValueError, match="only one element tensors"):
        ember.tensor([ember.ones(2), ember.ones(2)])


def test_tensor_requires_grad():
    t = ember.tensor([1.0, 2.0], requires_grad=True)
    assert t.requires_grad and t.is_leaf and t.grad is None
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        ember.tensor([1, 2], requires_grad=True)


@pytest.mark.parametrize("data, exc, msg", [
    ([[1, 2], [3]], ValueError, r"expected sequence of length 2 at dim 1 \(got 1\)"),
    (None, RuntimeError, "Could not infer dtype of NoneType"),
    ("abc", TypeError, "invalid data type 'str'"),
    (["abc"], ValueError, "too many dimensions 'str'"),
    ([2 ** 63], ValueError, "Overflow"),
    (object(), RuntimeError, "Could not infer dtype of object"),
])
def test_tensor_errors(data, exc, msg):
    with pytest.raises(exc, match=msg):
        ember.tensor(data)


def test_as_tensor_shares_with_numpy_when_possible():
    a = np.zeros(3)
    t = ember.as_tensor(a)
    a[1] = 7
    assert t.tolist() == [0.0, 7.0, 0.0]
    t2 = ember.as_tensor(a, dtype=ember.float32)   # a cast has to copy
    a[2] = 9
    assert t2.tolist() == [0.0, 7.0, 0.0] and t2.dtype is ember.float32
    x = ember.ones(2)
    assert ember.as_tensor(x) is x
    assert ember.as_tensor(x, dtype=ember.float64).dtype is ember.float64
    assert ember.as_tensor([1, 2]).dtype is ember.int64
    assert ember.asarray([1.5]).dtype is ember.float32


def test_from_numpy_shares_memory_both_ways():
    a = np.arange(4.0)
    t = ember.from_numpy(a)
    assert t.dtype is ember.float64
    a[0] = 10
    assert t.tolist()[0] == 10
    t.numpy()[1] = 20
    assert a[1] == 20
    z = ember.from_numpy(np.array(3.0))
    assert z.shape == () and z.item() == 3.0
    nc = np.arange(6.0).reshape(2, 3)[:, ::2]
    assert ember.from_numpy(nc).tolist() == nc.tolist()
    with pytest.raises(TypeError, match="expected np.ndarray"):
        ember.from_numpy([1, 2])
    with pytest.raises(TypeError, match="can't convert np.ndarray of type"):
        ember.from_numpy(np.array(["a"]))


# ----------------------------------------------------------------------------- legacy

def test_legacy_tensor_constructors():
    t = ember.Tensor([1])
    assert t.dtype is ember.float32 and t.tolist() == [1.0]
    u = ember.Tensor(2, 3)
    assert u.shape == (2, 3) and u.dtype is ember.float32
    e = ember.Tensor()
    assert e.shape == (0,) and e.dtype is ember.float32
    assert ember.Tensor(ember.Size([2, 4])).shape == (2, 4)
    assert ember.Tensor((1, 2)).tolist() == [1.0, 2.0]
    assert ember.Tensor(np.array([1, 2])).dtype is ember.float32
    assert type(t) is ember.Tensor
    with pytest.raises(TypeError, match="must be a sequence"):
        ember.Tensor(3.5)


@pytest.mark.parametrize("cls, dtype", [
    (ember.FloatTensor, ember.float32), (ember.DoubleTensor, ember.float64),
    (ember.HalfTensor, ember.float16), (ember.LongTensor, ember.int64),
    (ember.IntTensor, ember.int32), (ember.ShortTensor, ember.int16),
    (ember.CharTensor, ember.int8), (ember.ByteTensor, ember.uint8),
    (ember.BoolTensor, ember.bool)])
def test_typed_legacy_constructors(cls, dtype):
    t = cls([1, 0])
    assert t.dtype is dtype and t.shape == (2,)
    assert type(t) is ember.Tensor
    assert isinstance(t, cls)
    assert cls().shape == (0,) and cls().dtype is dtype
    assert cls(2, 3).shape == (2, 3)


def test_legacy_isinstance_checks_dtype():
    assert isinstance(ember.ones(2), ember.FloatTensor)
    assert not isinstance(ember.ones(2), ember.LongTensor)
    assert isinstance(ember.ones(2, dtype=ember.int64), ember.LongTensor)
    assert not isinstance(np.ones(2), ember.FloatTensor)
    assert ember.LongTensor([1.7, 2.2]).tolist() == [1, 2]
    assert ember.ByteTensor([-1]).tolist() == [255]


def test_variable_returns_plain_tensor():
    x = ember.ones(2)
    v = ember.autograd.Variable(x, requires_grad=True)
    assert type(v) is ember.Tensor and v.requires_grad and v.is_leaf
    v.numpy(force=True)[0] = 5            # shares x's memory, as torch
    assert x.tolist() == [5.0, 1.0]
    w = ember.autograd.Variable(x)
    assert not w.requires_grad


# ----------------------------------------------------------------------------- filled

@pytest.mark.parametrize("fn, value", [(ember.zeros, 0), (ember.ones, 1)])
def test_zeros_ones(fn, value):
    for args in [(2, 3), ((2, 3),), ([2, 3],), (ember.Size([2, 3]),)]:
        t = fn(*args)
        assert t.shape == (2, 3) and t.dtype is ember.float32
        assert (t.numpy() == value).all()
    assert fn(()).shape == () and fn([]).shape == ()
    assert fn(0).shape == (0,)
    assert fn(2, dtype=ember.int64).dtype is ember.int64
    assert fn(np.int64(2)).shape == (2,)
    assert fn(2, requires_grad=True).requires_grad


def test_size_errors():
    with pytest.raises(RuntimeError, match="non-negative|negative dimension"):
        ember.zeros(-1)
    with pytest.raises(RuntimeError, match=r"negative dimension -3: \[2, -3\]"):
        ember.ones(2, -3)
    with pytest.raises(TypeError, match="tuple of ints"):
        ember.zeros(2.5)
    with pytest.raises(TypeError, match="tuple of ints"):
        ember.empty((2, "a"))


def test_empty_and_likes():
    e = ember.empty(2, 3)
    assert e.shape == (2, 3) and e.dtype is ember.float32
    src = ember.tensor([[1, 2], [3, 4]], dtype=ember.int32)
    for like in (ember.zeros_like, ember.ones_like, ember.empty_like):
        t = like(src)
        assert t.shape == (2, 2) and t.dtype is ember.int32
        assert like(src, dtype=ember.float64).dtype is ember.float64
    assert ember.zeros_like(src).tolist() == [[0, 0], [0, 0]]
    assert ember.ones_like(src).tolist() == [[1, 1], [1, 1]]
    f = ember.full_like(src, 2.7)
    assert f.dtype is ember.int32 and f.tolist() == [[2, 2], [2, 2]]
    f = ember.full_like(ember.ones(2), 2.5)
    assert f.dtype is ember.float32 and f.tolist() == [2.5, 2.5]
    r = ember.ones_like(ember.ones(2), requires_grad=True)
    assert r.requires_grad


def test_full_dtype_follows_value():
    t = ember.full((3, 3), 0.42)
    assert t.dtype is ember.float32 and t.shape == (3, 3)
    assert t.tolist()[0][0] == pytest.approx(0.42)
    assert ember.full((3,), 7).dtype is ember.int64
    assert ember.full((3,), True).dtype is ember.bool
    assert ember.full([2], 1.5).tolist() == [1.5, 1.5]
    assert ember.full((2,), 3, dtype=ember.float64).dtype is ember.float64
    assert ember.full((2,), ember.tensor(1.5)).tolist() == [1.5, 1.5]
    assert ember.full((2,), 1.0, requires_grad=True).requires_grad


def test_eye():
    assert ember.eye(3).tolist() == np.eye(3).tolist()
    assert ember.eye(2, 4).tolist() == np.eye(2, 4).tolist()
    assert ember.eye(3, dtype=ember.int64).dtype is ember.int64
    assert ember.eye(0).shape == (0, 0)
    with pytest.raises(RuntimeError, match="n must be greater or equal to 0, got -1"):
        ember.eye(-1)
    with pytest.raises(RuntimeError, match="m must be greater or equal to 0, got -2"):
        ember.eye(2, -2)


def test_scalar_tensor():
    t = ember.scalar_tensor(3)
    assert t.shape == () and t.dtype is ember.float32 and t.item() == 3.0


# ----------------------------------------------------------------------------- ranges

def test_arange_dtypes_and_values():
    assert ember.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert ember.arange(5).dtype is ember.int64
    assert ember.arange(1, 10, step=2).tolist() == [1, 3, 5, 7, 9]
    assert ember.arange(10, 1, -3).tolist() == [10, 7, 4]
    t = ember.arange(0, 5, 0.5)
    assert t.dtype is ember.float32 and t.shape == (10,)
    assert ember.arange(0.0, 3).dtype is ember.float32
    assert ember.arange(5, dtype=ember.float64).dtype is ember.float64
    assert ember.arange(ember.tensor(4)).tolist() == [0, 1, 2, 3]
    assert ember.arange(np.int64(3)).dtype is ember.int64
    assert ember.arange(0, 0).shape == (0,)
    assert ember.arange(1, 1, -1).shape == (0,)
    # float bounds with an integer dtype: int64 truncates the bounds first, as torch
    assert ember.arange(0.0, 5.5, 1.5, dtype=ember.int64).tolist() == [0, 1, 2, 3, 4]
    assert ember.arange(0.0, 5.5, 1.5, dtype=ember.int32).tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(ember.arange(-1.5, 3.7, 0.3).numpy(),
                               np.arange(-1.5, 3.7, 0.3), atol=1e-6)


@pytest.mark.parametrize("args, exc, msg", [
    ((0, 5, 0), RuntimeError, "step must be nonzero"),
    ((0, 5, -1), RuntimeError, "upper bound and lower bound inconsistent with step sign"),
    ((5, 0, 1), RuntimeError, "upper bound and lower bound inconsistent with step sign"),
    ((0, float("inf")), RuntimeError, "unsupported range"),
])
def test_arange_errors(args, exc, msg):
    with pytest.raises(exc, match=msg):
        ember.arange(*args)


def test_linspace_values():
    t = ember.linspace(0, 20, steps=5)
    assert t.dtype is ember.float32 and t.tolist() == [0.0, 5.0, 10.0, 15.0, 20.0]
    t = ember.linspace(-1, 1, 10)
    np.testing.assert_allclose(t.numpy(), np.linspace(-1, 1, 10), rtol=1e-6)
    # PyTorch counts the second half down from ``end`` in float32
    step = np.float32(2) / np.float32(9)
    assert t.numpy()[4] == np.float32(np.float64(-1) + np.float64(step) * 4)
    assert t.numpy()[5] == np.float32(np.float64(1) - np.float64(step) * 4)
    assert t.numpy()[0] == -1 and t.numpy()[-1] == 1
    assert ember.linspace(0, 1, 1).tolist() == [0.0]
    assert ember.linspace(0, 1, 0).shape == (0,)
    assert ember.linspace(0, 10, 4, dtype=ember.int64).tolist() == [0, 3, 6, 10]
    assert ember.linspace(ember.tensor(0.0), ember.tensor(1.0), 3).tolist() == [0, 0.5, 1]
    assert ember.linspace(0, 1, 5, dtype=ember.float64).dtype is ember.float64
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        ember.linspace(0, 1, -1)
    with pytest.raises(TypeError):
        ember.linspace(0, 1, 2.5)


def test_logspace_values():
    t = ember.logspace(-3, 3, steps=4)
    assert t.dtype is ember.float32
    np.testing.assert_allclose(t.numpy(), [1e-3, 1e-1, 1e1, 1e3], rtol=1e-6)
    np.testing.assert_allclose(ember.logspace(0, 3, 4, base=2).numpy(), [1, 2, 4, 8])
    assert ember.logspace(2, 2, 1).tolist() == [100.0]
    assert ember.logspace(0, 1, 0).shape == (0,)
    assert ember.logspace(0, 2, 3, dtype=ember.int64).tolist() == [1, 10, 100]


def test_range_is_deprecated_and_inclusive():
    with pytest.warns(UserWarning, match="deprecated"):
        t = ember.range(1, 4)
    assert t.tolist() == [1.0, 2.0, 3.0, 4.0] and t.dtype is ember.float32


def test_complex_and_polar():
    c = ember.complex(ember.ones(2), ember.zeros(2))
    assert c.dtype is ember.complex64 and c.tolist() == [1 + 0j, 1 + 0j]
    c = ember.complex(ember.ones(2, dtype=ember.float64), ember.ones(2, dtype=ember.float64))
    assert c.dtype is ember.complex128
    p = ember.polar(ember.ones(1), ember.zeros(1))
    assert p.dtype is ember.complex64 and p.tolist() == [1 + 0j]


def test_creation_never_warns_for_plain_data():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.tensor([[1.0, 2.0]])
        ember.zeros(2)
        ember.arange(3)
        ember.linspace(0, 1, 3)


def test_out_argument():
    o = ember.zeros(1, dtype=ember.float64)
    r = ember.arange(4, out=o)
    assert r is o and o.tolist() == [0.0, 1.0, 2.0, 3.0] and o.dtype is ember.float64
    v = o._version_counter
    ember.zeros(2, 2, out=o)
    assert o.shape == (2, 2) and o.tolist() == [[0, 0], [0, 0]] and o._version_counter > v
    ember.full((3,), 2, out=o)
    assert o.tolist() == [2.0, 2.0, 2.0]
    i = ember.zeros(3, dtype=ember.int64)
    ember.randint(5, 7, (3,), out=i)
    assert set(i.tolist()) <= {5, 6}
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic"):
        ember.zeros(2, out=ember.zeros(2, requires_grad=True))


def test_tensor_from_array_likes_such_as_a_pandas_series():
    pd = pytest.importorskip("pandas")
    t = ember.tensor(pd.Series([1.5, 2.5]))                  # a Series is not a Sequence
    assert t.dtype == ember.float64 and t.tolist() == [1.5, 2.5]
    assert ember.tensor(pd.Series([1, 2])).dtype == ember.int64
    assert ember.tensor(pd.Series([1, 2]), dtype=ember.float32).tolist() == [1., 2.]
    assert ember.as_tensor(pd.Series([True, False])).tolist() == [True, False]
    mixed = pd.Series([1, 2.5], dtype=object)                 # object values: inferred per item
    assert ember.tensor(mixed).dtype == ember.float32
