"""nn.functional activations, softmax family, dropout, linear maps, distances and padding
against PyTorch 2.13: values, input gradients, dtypes, grad_fn names, module reprs and errors."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

torch = pytest.importorskip("torch")

import ember  # noqa: E402
import ember.nn as enn  # noqa: E402
from helpers import compare_with_torch  # noqa: E402

pytestmark = [pytest.mark.oracle, pytest.mark.filterwarnings("ignore::RuntimeWarning")]

SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
SHAPES1 = hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4)
FLOATS = st.sampled_from([np.float32, np.float64])
SEEDS = st.integers(0, 2 ** 32 - 1)
FEW = settings(max_examples=5, deadline=None)


def F(m):
    return m.nn.functional


def away(rng, shape, kinks=(0.0,), lo=-4, hi=4):
    """Uniform values kept 0.05 away from the kinks of piecewise functions."""
    x = rng.uniform(lo, hi, shape)
    for k in kinks:
        near = np.abs(x - k) < 0.05
        x = np.where(near, x + 0.1, x)
    return x


ACTIVATIONS = [
    ("relu", lambda m, x: F(m).relu(x), (0,)),
    ("leaky_relu", lambda m, x: F(m).leaky_relu(x), (0,)),
    ("leaky_relu_big", lambda m, x: F(m).leaky_relu(x, 1.7), (0,)),
    ("leaky_relu_neg", lambda m, x: F(m).leaky_relu(x, -0.3), (0,)),
    ("elu", lambda m, x: F(m).elu(x), (0,)),
    ("elu_alpha", lambda m, x: F(m).elu(x, 0.4), (0,)),
    ("selu", lambda m, x: F(m).selu(x), (0,)),
    ("celu", lambda m, x: F(m).celu(x, 1.7), (0,)),
    ("gelu", lambda m, x: F(m).gelu(x), ()),
    ("gelu_tanh", lambda m, x: F(m).gelu(x, approximate="tanh"), ()),
    ("silu", lambda m, x: F(m).silu(x), ()),
    ("mish", lambda m, x: F(m).mish(x), ()),
    ("sigmoid", lambda m, x: F(m).sigmoid(x), ()),
    ("tanh", lambda m, x: F(m).tanh(x), ()),
    ("softplus", lambda m, x: F(m).softplus(x), ()),
    ("softplus_beta", lambda m, x: F(m).softplus(x, 2.0, 3.0), (1.5,)),
    ("softsign", lambda m, x: F(m).softsign(x), (0,)),
    ("hardtanh", lambda m, x: F(m).hardtanh(x), (-1, 1)),
    ("hardtanh_range", lambda m, x: F(m).hardtanh(x, -0.5, 2.0), (-0.5, 2)),
    ("relu6", lambda m, x: F(m).relu6(x * 3), (0, 2)),
    ("hardsigmoid", lambda m, x: F(m).hardsigmoid(x), (-3, 3)),
    ("hardswish", lambda m, x: F(m).hardswish(x), (-3, 3)),
    ("tanhshrink", lambda m, x: F(m).tanhshrink(x), ()),
    ("threshold", lambda m, x: F(m).threshold(x, 0.3, -2.0), (0.3,)),
    ("logsigmoid", lambda m, x: F(m).logsigmoid(x), ()),
    ("hardshrink", lambda m, x: F(m).hardshrink(x, 0.7), (-0.7, 0.7)),
    ("softshrink", lambda m, x: F(m).softshrink(x, 0.7), (-0.7, 0.7)),
    ("rrelu_eval", lambda m, x: F(m).rrelu(x), (0,)),
    ("softmax0", lambda m, x: F(m).softmax(x, 0), ()),
    ("softmax_last", lambda m, x: F(m).softmax(x, -1), ()),
    ("log_softmax0", lambda m, x: F(m).log_softmax(x, 0), ()),
    ("log_softmax_last", lambda m, x: F(m).log_softmax(x, -1), ()),
    ("softmin", lambda m, x: F(m).softmin(x, -1), ()),
    ("tensor_softmax", lambda m, x: x.softmax(-1), ()),
    ("tensor_log_softmax", lambda m, x: x.log_softmax(0), ()),
    ("torch_softmax", lambda m, x: m.softmax(x, 0), ()),
]


@pytest.mark.parametrize("name,fn,kinks", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
@FEW
@given(shape=SHAPES, dtype=FLOATS, seed=SEEDS)
def test_activation_matches_torch(name, fn, kinks, shape, dtype, seed):
    x = away(np.random.default_rng(seed), shape, kinks).astype(dtype)
    e, t = compare_with_torch(lambda a: fn(ember, a), lambda a: fn(torch, a), x)
    assert type(e[0].grad_fn).__name__ == type(t[0].grad_fn).__name__


@pytest.mark.parametrize("name,fn,kinks", ACTIVATIONS[:28], ids=[a[0] for a in ACTIVATIONS[:28]])
def test_activation_module_and_extremes(name, fn, kinks):
    # large magnitudes: no overflow, same saturation as torch
    x = np.array([-100.0, -30.0, -5.0, -0.5, 0.5, 5.0, 30.0, 100.0], np.float32)
    compare_with_torch(lambda a: fn(ember, a), lambda a: fn(torch, a), x)


INPLACE = [
    ("relu", lambda m, x: F(m).relu(x, inplace=True)),
    ("relu_", lambda m, x: F(m).relu_(x)),
    ("leaky_relu", lambda m, x: F(m).leaky_relu(x, 0.2, True)),
    ("elu", lambda m, x: F(m).elu(x, 1.0, True)),
    ("selu", lambda m, x: F(m).selu(x, True)),
    ("celu", lambda m, x: F(m).celu(x, 1.0, True)),
    ("hardtanh", lambda m, x: F(m).hardtanh(x, -1.0, 1.0, True)),
    ("relu6", lambda m, x: F(m).relu6(x, True)),
    ("threshold", lambda m, x: F(m).threshold(x, 0.1, 5.0, True)),
    ("silu", lambda m, x: F(m).silu(x, True)),
    ("mish", lambda m, x: F(m).mish(x, True)),
    ("hardswish", lambda m, x: F(m).hardswish(x, True)),
    ("hardsigmoid", lambda m, x: F(m).hardsigmoid(x, True)),
    ("rrelu", lambda m, x: F(m).rrelu(x, inplace=True)),
]


@pytest.mark.parametrize("name,fn", INPLACE, ids=[a[0] for a in INPLACE])
def test_inplace_forms(name, fn):
    x = away(np.random.default_rng(1), (3, 4), (0, 0.1, -1, 1, 3, -3)).astype(np.float32)

    def run(m, a):
        b = a * 1.0
        r = fn(m, b)
        assert r is b
        return r
    e, t = compare_with_torch(lambda a: run(ember, a), lambda a: run(torch, a), x)
    assert type(e[0].grad_fn).__name__ == type(t[0].grad_fn).__name__
    # on a leaf that requires grad both refuse
    for m in (ember, torch):
        leaf = m.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable"):
            fn(m, leaf)


def test_prelu_matches_torch():
    rng = np.random.default_rng(0)
    for shape, wn in [((4, 3), 3), ((4, 3), 1), ((2, 3, 5), 3), ((2, 3, 2, 2), 3), ((5,), 1),
                      ((), 1)]:
        x = away(rng, shape).astype(np.float32)
        w = rng.uniform(0.05, 0.5, wn).astype(np.float32)
        e, t = compare_with_torch(lambda a, b: F(ember).prelu(a, b),
                                  lambda a, b: F(torch).prelu(a, b), x, w)
        assert type(e[0].grad_fn).__name__ == type(t[0].grad_fn).__name__


@FEW
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3), seed=SEEDS,
       dtype=FLOATS)
def test_glu_matches_torch(shape, seed, dtype):
    shape = shape[:-1] + (2 * shape[-1],)
    x = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    for d in range(-len(shape), len(shape)):
        if shape[d] % 2 == 0:
            e, t = compare_with_torch(lambda a: F(ember).glu(a, d), lambda a: F(torch).glu(a, d),
                                      x)
            assert type(e[0].grad_fn).__name__ == "GluBackward0"


def test_softmax_dtype_argument_and_implicit_dim():
    rng = np.random.default_rng(3)
    for nd in range(0, 5):
        x = rng.standard_normal((2,) * nd).astype(np.float32)
        for name in ("softmax", "log_softmax", "softmin"):
            with warnings.catch_warnings(record=True) as we:
                warnings.simplefilter("always")
                compare_with_torch(lambda a: getattr(F(ember), name)(a),
                                   lambda a: getattr(F(torch), name)(a), x)
            assert any("Implicit dimension choice for " + name in str(w.message) for w in we)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    for name in ("softmax", "log_softmax", "softmin"):
        e, t = compare_with_torch(lambda a: getattr(F(ember), name)(a, 1, dtype=ember.float64),
                                  lambda a: getattr(F(torch), name)(a, 1, dtype=torch.float64),
                                  x)
        assert e[0].dtype == ember.float64
        assert type(e[0].grad_fn).__name__ == type(t[0].grad_fn).__name__
    # integer input with dtype= works, without it is an error in both
    xi = np.array([[1, 2], [3, 4]])
    compare_with_torch(lambda a: F(ember).softmax(a, 1, dtype=ember.float32),
                       lambda a: F(torch).softmax(a, 1, dtype=torch.float32), xi)


INT_OK = [("relu", lambda m, x: F(m).relu(x)), ("relu6", lambda m, x: F(m).relu6(x)),
          ("hardtanh", lambda m, x: F(m).hardtanh(x)),
          ("threshold", lambda m, x: F(m).threshold(x, 0, 7)),
          ("sigmoid", lambda m, x: F(m).sigmoid(x)), ("tanh", lambda m, x: F(m).tanh(x)),
          ("softsign", lambda m, x: F(m).softsign(x)),
          ("tanhshrink", lambda m, x: F(m).tanhshrink(x))]
INT_BAD = ["leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "softplus", "logsigmoid",
           "hardsigmoid", "hardswish", "hardshrink", "softshrink", "rrelu", "glu"]


@pytest.mark.parametrize("name,fn", INT_OK, ids=[a[0] for a in INT_OK])
def test_integer_inputs_dtype(name, fn):
    x = np.array([[-3, 0, 2], [5, 8, -1]], np.int64)
    e, t = compare_with_torch(lambda a: fn(ember, a), lambda a: fn(torch, a), x)
    assert str(e[0].dtype) == str(t[0].dtype).replace("torch", "ember")


@pytest.mark.parametrize("name", INT_BAD)
def test_integer_inputs_rejected(name):
    x = [[-1, 2], [3, 4]]
    with pytest.raises(NotImplementedError) as te:
        getattr(F(torch), name)(torch.tensor(x))
    with pytest.raises(NotImplementedError) as ee:
        getattr(F(ember), name)(ember.tensor(x))
    assert str(ee.value) == str(te.value)


def _same_error(fn, exc=Exception):
    with pytest.raises(exc) as te:
        fn(torch)
    with pytest.raises(exc) as ee:
        fn(ember)
    assert type(ee.value) is type(te.value), (ee.value, te.value)
    assert str(ee.value) == str(te.value).replace("torch.", "ember.")


ERRORS = [
    lambda m: F(m).softmax(m.ones(2, 3), 2),
    lambda m: F(m).log_softmax(m.ones(2, 3), -3),
    lambda m: F(m).softmax(m.ones(2, 3, dtype=m.int64), 1),
    lambda m: F(m).softmax(m.ones(2, 3, dtype=m.int64), 0),
    lambda m: F(m).log_softmax(m.ones(2, 3, dtype=m.int64), 1),
    lambda m: F(m).gelu(m.ones(2), approximate="fast"),
    lambda m: F(m).glu(m.ones(2, 3), 1),
    lambda m: F(m).glu(m.tensor(1.0)),
    lambda m: F(m).hardtanh(m.ones(2), 1.0, -1.0),
    lambda m: F(m).prelu(m.ones(4, 3), m.ones(2)),
    lambda m: F(m).prelu(m.ones(3), m.ones(3)),
    lambda m: F(m).prelu(m.ones(4, 3), m.ones(1, 1)),
    lambda m: F(m).celu(m.ones(2), 0.0),
    lambda m: F(m).dropout(m.ones(2), 1.5),
    lambda m: F(m).dropout(m.ones(2), -0.1),
    lambda m: F(m).alpha_dropout(m.ones(2), 2.0),
    lambda m: F(m).dropout1d(m.ones(1, 2, 3, 4)),
    lambda m: F(m).dropout2d(m.ones(3)),
    lambda m: m.nn.Dropout(1.2),
    lambda m: m.nn.Hardtanh(1.0, -1.0),
    lambda m: F(m).linear(m.ones(4, 3), m.ones(5, 4)),
    lambda m: F(m).linear(m.ones(2, 2, 4), m.ones(5, 3)),
    lambda m: F(m).linear(m.ones(4), m.ones(5, 3)),
    lambda m: F(m).linear(m.ones(4, 3), m.ones(5, 3, dtype=m.float64)),
    lambda m: F(m).linear(m.ones(4, 3), m.ones(5, 3), m.ones(5, dtype=m.float64)),
    lambda m: F(m).linear(m.tensor(1.0), m.ones(5, 3)),
    lambda m: F(m).linear(m.ones(2, 4), m.ones(5, 3, 4)),
    lambda m: F(m).bilinear(m.ones(2, 3), m.ones(2, 4), m.ones(6, 3, 5)),
    lambda m: F(m).bilinear(m.ones(2, 3), m.ones(3, 4), m.ones(6, 3, 4)),
    lambda m: F(m).one_hot(m.tensor([-1, 2])),
    lambda m: F(m).one_hot(m.tensor([1.0, 2.0])),
    lambda m: F(m).one_hot(m.tensor([1, 2], dtype=m.int32)),
    lambda m: F(m).one_hot(m.tensor([1, 2]), 2),
    lambda m: F(m).one_hot(m.tensor([], dtype=m.int64)),
    lambda m: F(m).pad(m.ones(2, 3), (1,)),
    lambda m: F(m).pad(m.ones(2, 3), (1, 1, 1, 1, 1, 1)),
    lambda m: F(m).normalize(m.ones(3)),
    lambda m: F(m).cosine_similarity(m.ones(2, 3), m.ones(4, 3)),
    lambda m: F(m).cosine_similarity(m.ones(3), m.ones(3)),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_match_torch(k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same_error(ERRORS[k])


def test_dropout_warnings_match_torch():
    for fn in (lambda m: F(m).dropout2d(m.ones(2, 3), 0.5),
               lambda m: F(m).dropout2d(m.ones(2, 3, 4), 0.5),
               lambda m: F(m).dropout2d(m.ones(1, 2, 3, 4, 5), 0.5),
               lambda m: F(m).dropout3d(m.ones(2, 3), 0.5)):
        msgs = []
        for m in (torch, ember):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                fn(m)
            msgs.append([str(i.message) for i in w])
        assert msgs[0] == msgs[1]


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_dropout_edge_cases_like_torch():
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    for m in (ember, torch):
        a = m.tensor(x, requires_grad=True)
        assert F(m).dropout(a, 0.0) is a
        assert F(m).dropout(a, 0.5, training=False) is a
        assert F(m).alpha_dropout(a, 0.5) is a          # training defaults to False
        assert F(m).dropout2d(a.reshape(1, 4, 5), 0.3, False).shape == (1, 4, 5)
    # p = 1 zeroes everything with gradient zero, recorded as a multiplication
    e, t = compare_with_torch(lambda a: F(ember).dropout(a, 1.0),
                              lambda a: F(torch).dropout(a, 1.0), x)
    assert type(e[0].grad_fn).__name__ == type(t[0].grad_fn).__name__ == "MulBackward0"
    for name in ("dropout", "dropout2d", "alpha_dropout"):
        ea = ember.tensor(x, requires_grad=True)
        ta = torch.tensor(x, requires_grad=True)
        kw = {"training": True}
        y_e = getattr(F(ember), name)(ea.reshape(2, 2, 5), 0.4, **kw)
        y_t = getattr(F(torch), name)(ta.reshape(2, 2, 5), 0.4, **kw)
        assert type(y_e.grad_fn).__name__ == type(y_t.grad_fn).__name__


def test_alpha_dropout_formula():
    # the kept elements follow x * a + b, the dropped ones are the SELU saturation a*(-alpha)+b
    ember.manual_seed(0)
    x = ember.ones(20000) * 0.5
    y = F(ember).alpha_dropout(x, 0.2, training=True).numpy()
    alpha = 1.7580993408473766
    a = 1.0 / np.sqrt((alpha ** 2 * 0.2 + 1) * 0.8)
    b = alpha * a * 0.2
    kept = np.isclose(y, 0.5 * a + b, rtol=1e-5)
    dropped = np.isclose(y, -alpha * a + b, rtol=1e-5)
    assert np.all(kept | dropped)
    assert abs(dropped.mean() - 0.2) < 0.02
    # torch agrees on the two values
    t = torch.nn.functional.alpha_dropout(torch.ones(20000) * 0.5, 0.2, True).numpy()
    assert np.allclose(np.unique(t.round(5)), np.unique(y.round(5)))


# ----------------------------------------------------------------------------- linear maps


@FEW
@given(lead=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3),
       io=st.tuples(st.integers(1, 5), st.integers(1, 5)), bias=st.booleans(), dtype=FLOATS,
       seed=SEEDS)
def test_linear_matches_torch(lead, io, bias, dtype, seed):
    rng = np.random.default_rng(seed)
    i, o = io
    x = rng.standard_normal(lead + (i,)).astype(dtype)
    w = rng.standard_normal((o, i)).astype(dtype)
    args = [x, w] + ([rng.standard_normal(o).astype(dtype)] if bias else [])
    e, t = compare_with_torch(lambda *a: F(ember).linear(*a), lambda *a: F(torch).linear(*a),
                              *args)
    assert type(e[0].grad_fn).__name__ == type(t[0].grad_fn).__name__
    assert e[0].dtype == ember.float32 if dtype == np.float32 else ember.float64


def test_linear_vector_weight_and_int():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((4, 3)), rng.standard_normal(3)
    compare_with_torch(lambda a, b: F(ember).linear(a, b), lambda a, b: F(torch).linear(a, b),
                       x, w)
    xi, wi = np.arange(6).reshape(2, 3), np.arange(15).reshape(5, 3)
    e, t = compare_with_torch(lambda a, b: F(ember).linear(a, b),
                              lambda a, b: F(torch).linear(a, b), xi, wi)
    assert e[0].dtype == ember.int64


@FEW
@given(lead=hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=3),
       sizes=st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)),
       bias=st.booleans(), seed=SEEDS)
def test_bilinear_matches_torch(lead, sizes, bias, seed):
    rng = np.random.default_rng(seed)
    i1, i2, o = sizes
    args = [rng.standard_normal(lead + (i1,)), rng.standard_normal(lead + (i2,)),
            rng.standard_normal((o, i1, i2))] + ([rng.standard_normal(o)] if bias else [])
    e, t = compare_with_torch(lambda *a: F(ember).bilinear(*a),
                              lambda *a: F(torch).bilinear(*a), *args)
    assert type(e[0].grad_fn).__name__ == type(t[0].grad_fn).__name__


# ----------------------------------------------------------------------------- norms, distances


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, float("inf")])
@FEW
@given(shape=SHAPES1, dtype=FLOATS, seed=SEEDS)
def test_normalize_matches_torch(p, shape, dtype, seed):
    x = np.random.default_rng(seed).uniform(0.2, 2, shape) * np.random.default_rng(
        seed + 1).choice([-1, 1], shape)
    x = x.astype(dtype)
    dim = len(shape) - 1 if len(shape) < 2 else 1
    e, t = compare_with_torch(lambda a: F(ember).normalize(a, p, dim),
                              lambda a: F(torch).normalize(a, p, dim), x)
    assert type(e[0].grad_fn).__name__ == type(t[0].grad_fn).__name__


def test_normalize_zero_rows_and_out():
    x = np.array([[0.0, 0.0, 0.0], [3.0, 4.0, 0.0]], np.float64)
    compare_with_torch(lambda a: F(ember).normalize(a), lambda a: F(torch).normalize(a), x)
    out_e, out_t = ember.empty(2, 3, dtype=ember.float64), torch.empty(2, 3, dtype=torch.float64)
    F(ember).normalize(ember.tensor(x), out=out_e)
    F(torch).normalize(torch.tensor(x), out=out_t)
    np.testing.assert_allclose(out_e.numpy(), out_t.numpy())


@FEW
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3,
                                                 max_side=4),
       dtype=FLOATS, seed=SEEDS)
def test_cosine_similarity_matches_torch(shapes, dtype, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shapes.input_shapes[0]).astype(dtype)
    b = rng.standard_normal(shapes.input_shapes[1]).astype(dtype)
    for dim in range(-len(shapes.result_shape), len(shapes.result_shape)):
        # where the similarity is constant (1-element vectors) both gradients are float32
        # rounding noise around 0, so the absolute tolerance is a few float32 ulps of 1
        e, t = compare_with_torch(lambda u, v: F(ember).cosine_similarity(u, v, dim),
                                  lambda u, v: F(torch).cosine_similarity(u, v, dim), a, b,
                                  atol=1e-4 if dtype == np.float32 else None)
        assert type(e[0].grad_fn).__name__ == type(t[0].grad_fn).__name__


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance_matches_torch(p, keepdim):
    rng = np.random.default_rng(7)
    for s1, s2 in [((4, 3), (4, 3)), ((4, 3), (3,)), ((3,), (3,)), ((2, 4, 3), (4, 3))]:
        a, b = rng.standard_normal(s1), rng.standard_normal(s2)
        e, t = compare_with_torch(lambda u, v: F(ember).pairwise_distance(u, v, p, 1e-6, keepdim),
                                  lambda u, v: F(torch).pairwise_distance(u, v, p, 1e-6, keepdim),
                                  a, b)
        assert type(e[0].grad_fn).__name__ == type(t[0].grad_fn).__name__


@pytest.mark.parametrize("pad", [(1, 2), (0, 1, 2, 0), (-1, 1), (2, -1, 1, 1), (1, 1, 1, 1, 1, 0)])
def test_pad_constant_matches_torch(pad):
    x = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)
    for value in (None, 2.5):
        e, t = compare_with_torch(lambda a: F(ember).pad(a, pad, value=value),
                                  lambda a: F(torch).pad(a, pad, value=value), x)
        assert type(e[0].grad_fn).__name__ == type(t[0].grad_fn).__name__
    xi = np.arange(6).reshape(2, 3)
    compare_with_torch(lambda a: F(ember).pad(a, (1, 1), value=7),
                       lambda a: F(torch).pad(a, (1, 1), value=7), xi)


def test_one_hot_matches_torch():
    for t, n in [([0, 2, 1], -1), ([[1, 0], [3, 3]], 5), (2, 4), ([], 3)]:
        a = F(ember).one_hot(ember.tensor(t, dtype=ember.int64), n)
        b = F(torch).one_hot(torch.tensor(t, dtype=torch.int64), n)
        assert a.dtype == ember.int64 and tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(a.numpy(), b.numpy())


# ----------------------------------------------------------------------------- modules

MODULES = ["ReLU()", "ReLU(inplace=True)", "LeakyReLU()", "LeakyReLU(0.2, True)", "PReLU()",
           "PReLU(3, 0.1)", "ELU()", "ELU(0.5, True)", "SELU()", "SELU(True)", "CELU()",
           "CELU(2.0)", "GELU()", "GELU('tanh')", "SiLU()", "SiLU(True)", "Mish()", "Mish(True)",
           "Sigmoid()", "Tanh()", "Softmax()", "Softmax(1)", "Softmax(dim=-1)", "LogSoftmax(1)",
           "LogSoftmax()", "Softmin(0)", "Softplus()", "Softplus(2, 10)", "Softsign()",
           "Hardtanh()", "Hardtanh(-2, 2, True)", "Hardtanh(-2.5, 0.5)", "ReLU6()", "ReLU6(True)",
           "Hardsigmoid()", "Hardsigmoid(True)", "Hardswish()", "Hardswish(True)", "Tanhshrink()",
           "Threshold(0.1, 20)", "Threshold(0.1, 20, True)", "LogSigmoid()", "GLU()", "GLU(0)",
           "Hardshrink()", "Softshrink(0.3)", "RReLU()", "RReLU(0.1, 0.3, True)", "Softmax2d()",
           "Dropout()", "Dropout(0.1)", "Dropout(0.2, True)", "Dropout1d()", "Dropout2d()",
           "Dropout3d(0.3)", "AlphaDropout()", "FeatureAlphaDropout(0.1)"]


@pytest.mark.parametrize("spec", MODULES)
def test_module_repr_state_and_eval_forward(spec):
    mt = eval("torch.nn." + spec)
    me = eval("enn." + spec)
    assert repr(me) == repr(mt)
    sd_t, sd_e = mt.state_dict(), me.state_dict()
    assert list(sd_t) == list(sd_e)
    for k in sd_t:
        np.testing.assert_allclose(sd_e[k].detach().numpy(), sd_t[k].detach().numpy())
    mt.eval()
    me.eval()
    shape = (2, 3, 4) if spec.startswith("Dropout1d") else (2, 3, 4, 2)
    x = away(np.random.default_rng(2), shape, (0, 0.1, -1, 1, 3, -3, 0.5, -0.5, 0.3, -0.3))
    x = x.astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e = me(ember.tensor(x.copy())).detach().numpy()
        t = mt(torch.tensor(x.copy())).detach().numpy()
    np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6)


TOP_LEVEL = [
    ("softmax", lambda m, x: m.softmax(x, 1)), ("log_softmax", lambda m, x: m.log_softmax(x, -1)),
    ("selu", lambda m, x: m.selu(x)), ("celu", lambda m, x: m.celu(x, 0.7)),
    ("threshold", lambda m, x: m.threshold(x, 0.2, -1.0)),
    ("prelu", lambda m, x: m.prelu(x, m.tensor([0.1, 0.2, 0.3]))),
    ("Tensor.prelu", lambda m, x: x.prelu(m.tensor([0.2]))),
    ("hardshrink", lambda m, x: m.hardshrink(x, 0.3)),
    ("Tensor.hardshrink", lambda m, x: x.hardshrink(0.3)),
    ("rrelu", lambda m, x: m.rrelu(x)),
    ("dropout_eval", lambda m, x: m.dropout(x, 0.5, False)),
    ("dropout_p1", lambda m, x: m.dropout(x, 1.0, True)),
    ("alpha_dropout_eval", lambda m, x: m.alpha_dropout(x, 0.5, False)),
    ("feature_dropout_eval", lambda m, x: m.feature_dropout(x, 0.5, False)),
    ("cosine_similarity", lambda m, x: m.cosine_similarity(x, x * x + 1, 1)),
    ("pairwise_distance", lambda m, x: m.pairwise_distance(x, x * 2 + 1)),
    ("bilinear", lambda m, x: m.bilinear(x, x, m.ones(2, 3, 3), m.tensor([0.5, -0.5]))),
    ("constant_pad_nd", lambda m, x: m.constant_pad_nd(x, (1, 2), 0.5)),
]


@pytest.mark.parametrize("name,fn", TOP_LEVEL, ids=[a[0] for a in TOP_LEVEL])
def test_torch_level_names(name, fn):
    x = away(np.random.default_rng(4), (4, 3), (0, 0.2, -0.3, 0.3)).astype(np.float32)
    e, t = compare_with_torch(lambda a: fn(ember, a), lambda a: fn(torch, a), x)
    if t[0].grad_fn is not None:
        assert type(e[0].grad_fn).__name__ == type(t[0].grad_fn).__name__
