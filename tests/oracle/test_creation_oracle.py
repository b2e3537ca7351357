"""Creation functions against PyTorch 2.13: inferred dtypes, values (ranges bit for bit in
float32), legacy constructors, sampler shapes/dtypes and errors."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember

pytestmark = pytest.mark.oracle
torch = pytest.importorskip("torch")


def same(e, t, exact=True, rtol=0.0, atol=1e-300):
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], (e.dtype, t.dtype)
    assert tuple(e.shape) == tuple(t.shape), (e.shape, t.shape)
    ev, tv = e.detach().numpy(), t.detach().numpy()
    if exact:
        np.testing.assert_array_equal(ev, tv)
    else:
        np.testing.assert_allclose(ev, tv, rtol=rtol, atol=atol)


def both(fn):
    """fn(module) in torch and ember: both return equal tensors or both raise the same type."""
    try:
        t = fn(torch)
    except Exception as ex:       # noqa: BLE001 - the exception type itself is compared
        with pytest.raises(type(ex)):
            fn(ember)
        return None, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e = fn(ember)
    if isinstance(t, torch.Tensor):
        same(e, t)
    return e, t


DATA = [
    [1.0, 2.0], [1, 2], [True, False], [1, 2.5], [True, 2], [True, 2.0],
    [[1, 2], [3, 4.0]], 3.5, 3, True, [], [[]], (1, 2), [1 + 2j], [[1.5], [2]],
    np.array([1.0, 2.0]), np.array([1, 2], dtype=np.int32), np.ones(2, np.float16),
    np.array(2.5), np.float64(2.5), np.int32(3), np.bool_(True), [np.float64(2.5)],
    [np.float32(1.0), np.float32(2.0)], [np.zeros(2), np.ones(2)], [np.int16(1)],
    np.arange(6.0).reshape(2, 3).T, np.array([[1, 2]], dtype=np.uint8),
]


@pytest.mark.parametrize("data", DATA, ids=range(len(DATA)))
def test_tensor_dtype_inference(data):
    both(lambda m: m.tensor(data))
    both(lambda m: m.as_tensor(data))


@pytest.mark.parametrize("data, dtype", [
    ([1.7, -1.7], "int64"), ([-1, 300], "uint8"), ([1, 0, 2], "bool"), (3, "float64"),
    ([0.5, 1.5], "float16"), ([True], "int32"), ([1, 2], "complex64")])
def test_tensor_with_dtype(data, dtype):
    both(lambda m: m.tensor(data, dtype=getattr(m, dtype)))


@pytest.mark.parametrize("data", [[[1, 2], [3]], None, "abc", [2 ** 63], object()])
def test_tensor_errors(data):
    both(lambda m: m.tensor(data))


def test_tensor_of_tensors():
    both(lambda m: m.tensor([m.tensor(1.0), m.tensor(2.0)]))
    both(lambda m: m.tensor([m.tensor(1.0, dtype=m.float64)]))
    both(lambda m: m.tensor([m.ones(2), m.ones(2)]))
    both(lambda m: m.tensor(m.ones(2, requires_grad=True) * 2))
    both(lambda m: m.tensor([1, 2], requires_grad=True))


@pytest.mark.parametrize("make", [
    lambda m: m.Tensor([1]), lambda m: m.Tensor(2, 3) * 0, lambda m: m.Tensor(),
    lambda m: m.Tensor(m.Size([2, 3])) * 0, lambda m: m.Tensor((1, 2)),
    lambda m: m.Tensor(np.array([1, 2])), lambda m: m.Tensor(3.5),
    lambda m: m.FloatTensor([1, 2]), lambda m: m.LongTensor([1, 2]), lambda m: m.LongTensor(),
    lambda m: m.ByteTensor([1, 2]), lambda m: m.LongTensor(2, 3) * 0,
    lambda m: m.DoubleTensor([1]), lambda m: m.BoolTensor([1, 0]), lambda m: m.IntTensor(2) * 0,
    lambda m: m.LongTensor([1.7, 2.2]), lambda m: m.ByteTensor([-1]),
    lambda m: m.autograd.Variable(m.ones(2), requires_grad=True),
])
def test_legacy_constructors(make):
    both(make)


def test_legacy_isinstance():
    for m in (torch, ember):
        assert isinstance(m.ones(2), m.FloatTensor)
        assert not isinstance(m.ones(2), m.LongTensor)
        assert isinstance(m.ones(2, dtype=m.int64), m.LongTensor)
        assert type(m.LongTensor([1])).__name__ == "Tensor"


@pytest.mark.parametrize("make", [
    lambda m: m.zeros(2, 3), lambda m: m.zeros((2, 3)), lambda m: m.zeros([2, 3]),
    lambda m: m.zeros(m.Size([2, 3])), lambda m: m.zeros(()), lambda m: m.ones(0, 3),
    lambda m: m.ones(2, dtype=m.int64), lambda m: m.empty(2, 3) * 0,
    lambda m: m.full((3, 3), 0.42), lambda m: m.full((3,), 7), lambda m: m.full((3,), True),
    lambda m: m.full([2], 1.5), lambda m: m.full((2,), 3, dtype=m.float64),
    lambda m: m.zeros_like(m.tensor([1, 2])), lambda m: m.ones_like(m.ones(2), dtype=m.int32),
    lambda m: m.full_like(m.tensor([1, 2]), 2.7), lambda m: m.full_like(m.ones(2), 2.7),
    lambda m: m.empty_like(m.ones(2, dtype=m.int16)) * 0,
    lambda m: m.eye(3), lambda m: m.eye(2, 4), lambda m: m.eye(3, dtype=m.int64),
    lambda m: m.eye(0), lambda m: m.scalar_tensor(2), lambda m: m.zeros(-1),
    lambda m: m.ones(2, -3), lambda m: m.zeros(2.5), lambda m: m.eye(-1), lambda m: m.eye(2, -1),
    lambda m: m.zeros(2, requires_grad=True), lambda m: m.zeros(2, dtype=m.int64,
                                                                  requires_grad=True),
])
def test_filled(make):
    both(make)


def test_from_numpy_and_as_tensor_share_memory():
    for m in (torch, ember):
        a = np.zeros(3)
        t = m.from_numpy(a)
        a[0] = 1
        t.numpy()[1] = 2
        assert a.tolist() == [1.0, 2.0, 0.0] == t.tolist()
        b = np.zeros(2, dtype=np.float32)
        u = m.as_tensor(b)
        b[1] = 3
        assert u.tolist() == [0.0, 3.0]
        assert m.from_numpy(np.array(3.0)).shape == ()
    both(lambda m: m.from_numpy(np.array(3.0)))
    both(lambda m: m.from_numpy(np.arange(6.0).reshape(2, 3)[:, ::2]))
    both(lambda m: m.from_numpy([1, 2]))


# ----------------------------------------------------------------------------- ranges

@pytest.mark.parametrize("args, kw", [
    ((5,), {}), ((0.0, 1.0, 0.1), {}), ((1, 10), {"step": 2}), ((10, 1, -3), {}),
    ((0, 5, 0.5), {}), ((5,), {"dtype": "float32"}), ((0, 1, 0.1), {"dtype": "float64"}),
    ((-1.5, 3.7, 0.3), {}), ((0.0, 5.5, 1.5), {"dtype": "int64"}),
    ((0.0, 5.5, 1.5), {"dtype": "int32"}), ((0.5, 5.5, 1.5), {"dtype": "uint8"}),
    ((-2.7, 3.2, 0.9), {"dtype": "int32"}), ((-2.7, 3.2, 0.9), {"dtype": "int64"}),
    ((0, 5, 0), {}), ((0, 5, -1), {}), ((5, 0, 1), {}), ((0, 0), {}), ((1, 1, -1), {}),
    ((0.0, 100.0, 0.37), {}), ((0.0, 1000.0, 0.1), {}), ((-3.0, 7.0, 0.01), {}),
])
def test_arange(args, kw):
    both(lambda m: m.arange(*args, **{k: getattr(m, v) for k, v in kw.items()}
                            if "dtype" in kw else kw))
    both(lambda m: m.arange(m.tensor(args[0]), *args[1:]) if len(args) > 1 else
         m.arange(m.tensor(args[0])))


finite = st.floats(-100, 100, allow_nan=False).map(lambda v: round(v, 3))


@given(finite, finite, st.floats(0.001, 3).map(lambda v: round(v, 4)),
       st.sampled_from(["float32", "float64", None]))
@settings(max_examples=150, deadline=None)
def test_arange_hypothesis(a, b, step, dtype):
    step = step if b >= a else -step
    kw = {} if dtype is None else {"dtype": dtype}
    if abs((b - a) / step) <= 32768:      # one thread's chunk in torch's parallel kernel
        both(lambda m: m.arange(a, b, step, **{k: getattr(m, v) for k, v in kw.items()}))
    else:   # torch splits longer ranges over its threads: equal within rounding
        same(ember.arange(a, b, step, **{k: getattr(ember, v) for k, v in kw.items()}),
             torch.arange(a, b, step, **{k: getattr(torch, v) for k, v in kw.items()}),
             exact=False, rtol=3e-7, atol=1.2e-7 * max(abs(a), abs(b)))


@given(st.integers(-200, 200), st.integers(-200, 200), st.integers(1, 9))
@settings(max_examples=80, deadline=None)
def test_arange_int_hypothesis(a, b, step):
    step = step if b >= a else -step
    both(lambda m: m.arange(a, b, step))


@pytest.mark.parametrize("args", [
    (-1, 1, 10), (0, 20, 5), (3, 10, 5), (0, 1, 7), (0, 1, 1), (0, 1, 0), (0.1, 0.9, 13),
    (-1, 1, 11), (1, -1, 100), (0, 1, -1), (0, 1, 1000), (-5.5, 7.25, 33)])
def test_linspace(args):
    both(lambda m: m.linspace(*args))
    both(lambda m: m.linspace(*args, dtype=m.int64))


@given(finite, finite, st.integers(0, 300),
       st.sampled_from(["float32", "int64", "int32", "float64"]))
@settings(max_examples=150, deadline=None)
def test_linspace_hypothesis(a, b, steps, dtype):
    if dtype.startswith("int"):
        a, b = int(a), int(b)
    both(lambda m: m.linspace(a, b, steps, dtype=getattr(m, dtype)))


@pytest.mark.parametrize("args, kw", [
    ((-3, 3), {"steps": 4}), ((0, 1, 5), {"base": 2}), ((-10, 10, 5), {}),
    ((0.1, 1.0, 7), {}), ((2, 2, 1), {}), ((0, 1, 0), {}), ((0, 2, 3), {"dtype": "int64"}),
    ((-2, 3, 7), {"base": 2, "dtype": "int64"})])
def test_logspace(args, kw):
    both(lambda m: m.logspace(*args, **{k: (getattr(m, v) if k == "dtype" else v)
                                        for k, v in kw.items()}))


@given(st.floats(-4, 4).map(lambda v: round(v, 3)), st.floats(-4, 4).map(lambda v: round(v, 3)),
       st.integers(0, 200), st.sampled_from([10.0, 2.0, np.e, 1.5]))
@settings(max_examples=100, deadline=None)
def test_logspace_hypothesis(a, b, steps, base):
    both(lambda m: m.logspace(a, b, steps, base=base))
    same(ember.logspace(a, b, steps, base=base, dtype=ember.float64),
         torch.logspace(a, b, steps, base=base, dtype=torch.float64), exact=False, rtol=1e-15)


# ----------------------------------------------------------------------------- samplers

def shape_dtype(make):
    out = []
    for m in (torch, ember):
        try:
            r = make(m)
            out.append((tuple(r.shape), str(r.dtype).split(".")[-1], r.requires_grad))
        except Exception as ex:   # noqa: BLE001
            out.append(type(ex))
    assert out[0] == out[1]


@pytest.mark.parametrize("make", [
    lambda m: m.rand(2, 3), lambda m: m.rand((2, 3)), lambda m: m.rand(2, dtype=m.float64),
    lambda m: m.rand(2, dtype=m.int64), lambda m: m.rand(2, requires_grad=True),
    lambda m: m.randn(4), lambda m: m.randn(()), lambda m: m.randn(2, dtype=m.int64),
    lambda m: m.randn(2, dtype=m.complex64), lambda m: m.rand(2, dtype=m.complex64),
    lambda m: m.randint(0, 10, (3,)), lambda m: m.randint(10, (3,)),
    lambda m: m.randint(3, 10, size=(3,)), lambda m: m.randint(high=10, size=(3,)),
    lambda m: m.randint(0, 10, (3,), dtype=m.float32), lambda m: m.randint(5, 2, (3,)),
    lambda m: m.randint(0, 10, 3), lambda m: m.randint(0, 5.5, (2,)),
    lambda m: m.randint_like(m.zeros(2, 2), 10), lambda m: m.randint_like(m.zeros(2), 3, 10),
    lambda m: m.randperm(5), lambda m: m.randperm(5, dtype=m.float32), lambda m: m.randperm(-1),
    lambda m: m.normal(m.zeros(3), m.ones(3)), lambda m: m.normal(m.zeros(3, 2), 1.0),
    lambda m: m.normal(0.0, m.ones(3)), lambda m: m.normal(0.0, 1.0, size=(2, 2)),
    lambda m: m.normal(2, 3, (5,)), lambda m: m.normal(m.zeros(3, 1), m.ones(1, 4)),
    lambda m: m.normal(m.zeros(3, dtype=m.float64), m.ones(3)),
    lambda m: m.normal(m.zeros(3), -m.ones(3)), lambda m: m.normal(0.0, -1.0, (3,)),
    lambda m: m.normal(0.0, 1.0), lambda m: m.normal(m.zeros(2, dtype=m.int64), 1.0),
    lambda m: m.normal(m.zeros(2, requires_grad=True), 1.0),
    lambda m: m.bernoulli(m.full((3,), 0.5)), lambda m: m.bernoulli(m.zeros(3), p=1.0),
    lambda m: m.bernoulli(m.full((3,), 0.5, dtype=m.float64)),
    lambda m: m.bernoulli(m.tensor([1.5])), lambda m: m.bernoulli(m.ones(2, dtype=m.int64)),
    lambda m: m.bernoulli(m.full((2,), 0.5, requires_grad=True)),
    lambda m: m.full((3,), 0.5).bernoulli(), lambda m: m.full((3,), 0.5).bernoulli_(0.3),
    lambda m: m.multinomial(m.tensor([0.2, 0.8]), 4, replacement=True),
    lambda m: m.multinomial(m.tensor([[0.2, 0.8, 0.0], [1, 1, 1]]), 2),
    lambda m: m.multinomial(m.tensor([0.2, 0.8]), 3),
    lambda m: m.multinomial(m.tensor([-1.0, 1.0]), 1),
    lambda m: m.multinomial(m.tensor([0.0, 0.0]), 1),
    lambda m: m.multinomial(m.ones(2, 2, 2), 1), lambda m: m.multinomial(m.tensor([1, 2]), 1),
    lambda m: m.multinomial(m.tensor([1.0, 2.0]), 0), lambda m: m.tensor([1.0, 2]).multinomial(1),
    lambda m: m.rand_like(m.zeros(2, dtype=m.float64)),
    lambda m: m.rand_like(m.zeros(2, dtype=m.int64)), lambda m: m.randn_like(m.zeros(2, 3)),
    lambda m: m.zeros(3).uniform_(-1, 1), lambda m: m.zeros(3).normal_(0, 1),
    lambda m: m.zeros(3).random_(0, 10), lambda m: m.zeros(3, dtype=m.int64).random_(),
    lambda m: m.zeros(3).exponential_(), lambda m: m.zeros(3).geometric_(0.5),
    lambda m: m.zeros(3).log_normal_(), lambda m: m.zeros(3).cauchy_(),
    lambda m: m.ones(2, requires_grad=True).uniform_(),
])
def test_sampler_shapes_dtypes_and_errors(make):
    shape_dtype(make)


def test_sampler_grad_fn_names():
    for make in [lambda m, p: m.normal(p, 1.0), lambda m, p: m.normal(0.0, p.abs()),
                 lambda m, p: m.normal(p, p.abs()), lambda m, p: m.bernoulli(p.sigmoid()),
                 lambda m, p: (p * 1).uniform_(), lambda m, p: (p * 1).normal_(),
                 lambda m, p: (p * 1).random_(3), lambda m, p: (p * 1).exponential_(),
                 lambda m, p: (p * 1).bernoulli_(0.5)]:
        names = []
        grads = []
        for m in (torch, ember):
            p = m.full((3,), 0.5, requires_grad=True)
            y = make(m, p)
            names.append(type(y.grad_fn).__name__.replace("Backward0", "").replace(
                "Backward1", "").replace("Backward2", "").replace("Backward3", ""))
            y.backward(m.ones(3))
            grads.append(p.grad.tolist())
        assert grads[0] == grads[1]
        assert names[0] == names[1] or names[0] in ("Abs", "Sigmoid"), names


@pytest.mark.parametrize("call", [
    lambda m, o: m.zeros(2, 3, out=o), lambda m, o: m.ones(2, out=o),
    lambda m, o: m.full((2,), 7, out=o), lambda m, o: m.eye(2, out=o),
    lambda m, o: m.arange(5, out=o), lambda m, o: m.linspace(0, 1, 3, out=o),
    lambda m, o: m.logspace(0, 2, 3, out=o), lambda m, o: m.bernoulli(m.ones(3), out=o),
    lambda m, o: m.rand(4, out=o) * 0, lambda m, o: m.randint(0, 3, (4,), out=o) * 0,
    lambda m, o: m.randperm(4, out=o).sort()[0] if hasattr(m.Tensor, "sort") else o * 0,
    lambda m, o: m.normal(0.0, 1.0, (3,), out=o) * 0, lambda m, o: m.empty(3, out=o) * 0,
])
def test_out_argument_writes_into_out(call):
    outs = []
    for m in (torch, ember):
        o = m.zeros(1, dtype=m.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = call(m, o)
        outs.append((r, o))
    (tr, to), (er, eo) = outs
    same(er, tr)
    if tr is to:
        same(eo, to)
    assert (er is eo) == (tr is to)
