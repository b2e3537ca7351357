"""Losses against PyTorch 2.13: values and input (and target) gradients across reductions,
class weights, ignore_index, label smoothing, N-d inputs, probability targets and pos_weight;
grad_fn names, result dtypes, legacy size_average/reduce, warnings, module reprs and errors."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

import ember  # noqa: E402
import ember.nn as enn  # noqa: E402
from helpers import compare_with_torch  # noqa: E402

pytestmark = [pytest.mark.oracle, pytest.mark.filterwarnings("ignore::RuntimeWarning")]

REDUCTIONS = ["mean", "sum", "none"]
FLOATS = st.sampled_from([np.float32, np.float64])
SEEDS = st.integers(0, 2 ** 32 - 1)
FEW = settings(max_examples=4, deadline=None)
SHAPES = st.sampled_from([(), (5,), (4, 3), (2, 3, 2)])


def F(m):
    return m.nn.functional


def check(fn, *arrays, name=True, **kw):
    e, t = compare_with_torch(lambda *a: fn(ember, *a), lambda *a: fn(torch, *a), *arrays, **kw)
    if name:
        assert type(e[0].grad_fn).__name__ == type(t[0].grad_fn).__name__
    return e, t


def const(m, a):
    return None if a is None else m.tensor(a)


# ----------------------------------------------------------------------------- regression losses

POINTWISE = [
    ("mse_loss", lambda m, x, y, r: F(m).mse_loss(x, y, reduction=r)),
    ("l1_loss", lambda m, x, y, r: F(m).l1_loss(x, y, reduction=r)),
    ("smooth_l1_loss", lambda m, x, y, r: F(m).smooth_l1_loss(x, y, reduction=r)),
    ("smooth_l1_beta", lambda m, x, y, r: F(m).smooth_l1_loss(x, y, reduction=r, beta=0.3)),
    ("smooth_l1_beta0", lambda m, x, y, r: F(m).smooth_l1_loss(x, y, reduction=r, beta=0.0)),
    ("huber_loss", lambda m, x, y, r: F(m).huber_loss(x, y, reduction=r)),
    ("huber_delta", lambda m, x, y, r: F(m).huber_loss(x, y, reduction=r, delta=0.4)),
    ("kl_div", lambda m, x, y, r: F(m).kl_div(x, y.abs() + 0.1, reduction=r)),
    ("kl_div_log", lambda m, x, y, r: F(m).kl_div(x, y, reduction=r, log_target=True)),
    ("poisson", lambda m, x, y, r: F(m).poisson_nll_loss(x, y.abs(), reduction=r)),
    ("poisson_lin", lambda m, x, y, r: F(m).poisson_nll_loss(x.abs() + 0.1, y.abs(), False,
                                                            reduction=r)),
    ("poisson_full", lambda m, x, y, r: F(m).poisson_nll_loss(x, y.abs() * 3, full=True,
                                                             reduction=r)),
    ("gaussian", lambda m, x, y, r: F(m).gaussian_nll_loss(x, y, x.abs() + 0.5, reduction=r)),
]


@pytest.mark.parametrize("name,fn", POINTWISE, ids=[p[0] for p in POINTWISE])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@FEW
@given(shape=SHAPES, dtype=FLOATS, seed=SEEDS)
def test_pointwise_losses(name, fn, reduction, shape, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(dtype)
    y = x + rng.choice([-1, 1], shape) * rng.uniform(0.05, 2, shape).astype(dtype)
    y = np.asarray(y, dtype=dtype)
    x = np.asarray(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda m, a, b: fn(m, a, b, reduction), x, y)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_weighted_regression_losses(name, reduction):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    w = rng.uniform(0.1, 2, (4, 3))
    check(lambda m, a, b: getattr(F(m), name)(a, b, reduction=reduction, weight=m.tensor(w)),
          x, y, name=False)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_broadcast_target_warns_like_torch(name):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((3, 1)), rng.standard_normal(3)
    msgs = []
    for m in (torch, ember):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            getattr(F(m), name)(m.tensor(x), m.tensor(y))
        msgs.append([str(i.message).replace("torch.", "ember.") for i in w])
    assert msgs[0] == msgs[1] and len(msgs[0]) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda m, a, b: getattr(F(m), name)(a, b), x, y)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
                                  "soft_margin_loss", "hinge_embedding_loss"])
def test_mixed_dtype_results(name):
    rng = np.random.default_rng(1)
    x32 = rng.standard_normal((4, 3)).astype(np.float32)
    for y in (np.sign(rng.standard_normal((4, 3))), np.sign(rng.standard_normal((4, 3))).astype(
            np.int64)):
        e, t = check(lambda m, a, b: getattr(F(m), name)(a, b), x32, y, grad=False, name=False)
        assert str(e[0].dtype) == str(t[0].dtype).replace("torch", "ember")


# ----------------------------------------------------------------------------- binary losses


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@FEW
@given(shape=SHAPES, dtype=FLOATS, seed=SEEDS)
def test_binary_cross_entropy(reduction, weighted, shape, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.02, 0.98, shape).astype(dtype)
    y = rng.uniform(0, 1, shape).astype(dtype)
    w = rng.uniform(0.1, 2, shape[-1:]).astype(dtype) if weighted else None
    check(lambda m, a, b: F(m).binary_cross_entropy(a, b, const(m, w), reduction=reduction), x, y)


def test_binary_cross_entropy_saturates_like_torch():
    x = np.array([0.0, 1e-30, 0.5, 1 - 1e-7, 1.0], np.float32)
    y = np.array([1.0, 0.0, 1.0, 0.0, 0.0], np.float32)
    for r in REDUCTIONS:
        check(lambda m, a: F(m).binary_cross_entropy(a, m.tensor(y), reduction=r), x,
              rtol=1e-4)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weights", ["none", "weight", "pos_weight", "both"])
@FEW
@given(shape=st.sampled_from([(5,), (4, 3), (2, 3, 3)]), dtype=FLOATS, seed=SEEDS)
def test_bce_with_logits(reduction, weights, shape, dtype, seed):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 4).astype(dtype)
    y = rng.uniform(0, 1, shape).astype(dtype)
    w = rng.uniform(0.1, 2, shape[-1:]).astype(dtype) if weights in ("weight", "both") else None
    pw = rng.uniform(0.1, 3, shape[-1:]).astype(dtype) if weights in ("pos_weight", "both") \
        else None
    check(lambda m, a, b: F(m).binary_cross_entropy_with_logits(
        a, b, const(m, w), reduction=reduction, pos_weight=const(m, pw)), x, y)


def test_bce_with_logits_extreme_logits():
    x = np.array([-200.0, -30.0, 0.0, 30.0, 200.0], np.float32)
    y = np.array([1.0, 0.0, 0.5, 1.0, 0.0], np.float32)
    check(lambda m, a, b: F(m).binary_cross_entropy_with_logits(a, b, reduction="none"), x, y)
    check(lambda m, a, b: F(m).binary_cross_entropy_with_logits(
        a, b, pos_weight=m.tensor([2.0] * 5)), x, y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_losses(reduction):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 3)) * 2
    s = np.sign(rng.standard_normal((4, 3)))
    x = np.where(np.abs(1 - x) < 0.05, x + 0.1, x)
    sv = np.sign(rng.standard_normal(4))
    check(lambda m, a: F(m).soft_margin_loss(a, m.tensor(s), reduction=reduction), x)
    for margin in (1.0, 0.5):
        check(lambda m, a: F(m).hinge_embedding_loss(a, m.tensor(s), margin, reduction=reduction),
              x)
    check(lambda m, a: F(m).hinge_embedding_loss(a, m.tensor(s * 2), reduction=reduction), x)
    x2 = rng.standard_normal((4, 3))
    for margin in (0.0, 0.3):
        check(lambda m, a, b, c: F(m).margin_ranking_loss(a, b, c, margin, reduction=reduction),
              x, x2, s)
        check(lambda m, a, b: F(m).cosine_embedding_loss(a, b, m.tensor(sv), margin,
                                                         reduction=reduction), x, x2)
    check(lambda m, a, b: F(m).cosine_embedding_loss(a, b, m.tensor(1.0), reduction=reduction),
          x[0], x2[0])
    t = np.array([[0, 2, -1], [1, -1, 0], [2, 1, 0], [-1, 0, 0]])
    check(lambda m, a: F(m).multilabel_margin_loss(a, m.tensor(t), reduction=reduction), x)
    check(lambda m, a: F(m).multilabel_margin_loss(a, m.tensor(t[0]), reduction=reduction), x[0])
    y01 = (s > 0).astype(np.float64)
    check(lambda m, a: F(m).multilabel_soft_margin_loss(a, m.tensor(y01), reduction=reduction),
          x, name=False)
    check(lambda m, a: F(m).multilabel_soft_margin_loss(a, m.tensor(y01), m.tensor([1., 2., .5]),
                                                       reduction=reduction), x, name=False)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_loss(reduction, p):
    rng = np.random.default_rng(p)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    t = np.array([0, 3, 1, 1, 2])
    w = rng.uniform(0.5, 2, 4).astype(np.float32)
    for weight in (None, w):
        for margin in (1.0, 0.5):
            check(lambda m, a: F(m).multi_margin_loss(a, m.tensor(t), p, margin,
                                                      const(m, weight), reduction=reduction), x)
    check(lambda m, a: F(m).multi_margin_loss(a, m.tensor(2), p, reduction=reduction), x[0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_triplet_losses(reduction):
    rng = np.random.default_rng(5)
    a, p, n = (rng.standard_normal((4, 3)) for _ in range(3))
    for swap in (False, True):
        check(lambda m, x, y, z: F(m).triplet_margin_loss(x, y, z, swap=swap, reduction=reduction),
              a, p, n, name=False)
        check(lambda m, x, y, z: F(m).triplet_margin_with_distance_loss(
            x, y, z, swap=swap, reduction=reduction), a, p, n, name=False)


# ----------------------------------------------------------------------------- class losses

CE_SHAPES = [((4, 3), (4,)), ((3,), ()), ((2, 3, 4), (2, 4)), ((2, 3, 2, 2), (2, 2, 2)),
             ((2, 3, 2, 1, 2), (2, 2, 1, 2))]


def _targets(rng, tshape, c, ignore=None):
    t = rng.integers(0, c, tshape)
    if ignore is not None and t.size > 1:
        flat = t.reshape(-1)
        flat[:: 2] = ignore
    return t


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("xshape,tshape", CE_SHAPES, ids=[str(s[0]) for s in CE_SHAPES])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore", [None, 1, -100])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_class_targets(reduction, xshape, tshape, weighted, ignore, smoothing):
    rng = np.random.default_rng(len(xshape) * 7 + (ignore or 0) % 5)
    c = xshape[0] if len(xshape) == 1 else xshape[1]
    x = (rng.standard_normal(xshape) * 3).astype(np.float32)
    t = _targets(rng, tshape, c, ignore)
    w = rng.uniform(0.2, 2, c).astype(np.float32) if weighted else None
    ii = -100 if ignore is None else ignore
    e, _ = check(lambda m, a: F(m).cross_entropy(a, m.tensor(t), const(m, w), ignore_index=ii,
                                                 reduction=reduction,
                                                 label_smoothing=smoothing), x)
    assert e[0].dtype == ember.float32
    if smoothing == 0.0:
        check(lambda m, a: F(m).nll_loss(F(m).log_softmax(a, 0 if a.dim() == 1 else 1),
                                         m.tensor(t), const(m, w), ignore_index=ii,
                                         reduction=reduction), x)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("xshape", [(4, 3), (3,), (2, 3, 4), (2, 3, 2, 2)])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_probability_targets(reduction, xshape, weighted, smoothing):
    rng = np.random.default_rng(len(xshape))
    c = xshape[0] if len(xshape) == 1 else xshape[1]
    x = rng.standard_normal(xshape)
    y = rng.uniform(0, 1, xshape)
    y = y / y.sum(0 if len(xshape) == 1 else 1, keepdims=True)
    w = rng.uniform(0.2, 2, c) if weighted else None
    # gradients with respect to the probability targets are checked too
    check(lambda m, a, b: F(m).cross_entropy(a, b, const(m, w), reduction=reduction,
                                             label_smoothing=smoothing), x, y)


@FEW
@given(n=st.integers(1, 6), c=st.integers(1, 6), dtype=FLOATS, seed=SEEDS,
       reduction=st.sampled_from(REDUCTIONS))
def test_cross_entropy_hypothesis(n, c, dtype, seed, reduction):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((n, c)) * 5).astype(dtype)
    t = rng.integers(0, c, n)
    check(lambda m, a: F(m).cross_entropy(a, m.tensor(t), reduction=reduction), x)
    check(lambda m, a: F(m).nll_loss(a, m.tensor(t), reduction=reduction), x)


def test_cross_entropy_edge_cases():
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    # every target ignored: mean is nan in both, sum is 0
    for r in REDUCTIONS:
        check(lambda m, a: F(m).cross_entropy(a, m.tensor([-100] * 4), reduction=r), x)
    # a target equal to C is allowed when it is the ignore_index
    check(lambda m, a: F(m).nll_loss(a, m.tensor([0, 3, 1, 3]), ignore_index=3), x)
    # uint8 targets are accepted
    check(lambda m, a: F(m).cross_entropy(a, m.tensor([0, 2, 1, 1], dtype=m.uint8)), x)
    # empty batch
    e = F(ember).cross_entropy(ember.zeros(0, 3), ember.zeros(0, dtype=ember.int64))
    t = F(torch).cross_entropy(torch.zeros(0, 3), torch.zeros(0, dtype=torch.int64))
    assert np.isnan(e.item()) and np.isnan(t.item())
    # float64 input keeps float64
    e, _ = check(lambda m, a: F(m).cross_entropy(a, m.tensor([0, 2, 1, 1])), x.astype(np.float64))
    assert e[0].dtype == ember.float64


def _same_error(fn):
    with pytest.raises(Exception) as te:
        fn(torch)
    with pytest.raises(Exception) as ee:
        fn(ember)
    assert type(ee.value) is type(te.value), (ee.value, te.value)
    assert str(ee.value) == str(te.value).replace("torch.", "ember."), (ee.value, te.value)


X43 = lambda m: m.ones(4, 3)  # noqa: E731
T4 = lambda m: m.tensor([0, 2, 1, 1])  # noqa: E731
ERRORS = [
    lambda m: F(m).cross_entropy(X43(m), m.tensor([0.0, 2, 1, 1])),
    lambda m: F(m).cross_entropy(X43(m), T4(m).int()),
    lambda m: F(m).cross_entropy(X43(m), T4(m).short()),
    lambda m: F(m).cross_entropy(X43(m), T4(m).bool()),
    lambda m: F(m).cross_entropy(X43(m), m.zeros(4, 3, dtype=m.int64)),
    lambda m: F(m).cross_entropy(X43(m), m.ones(4, 3), ignore_index=1),
    lambda m: F(m).cross_entropy(X43(m), m.tensor([0, 3, 1, 1])),
    lambda m: F(m).cross_entropy(X43(m), m.tensor([0, -1, 1, 1])),
    lambda m: F(m).cross_entropy(m.ones(2, 3, 2, 2), m.full((2, 2, 2), 5)),
    lambda m: F(m).cross_entropy(m.ones(2, 3, 4), m.full((2, 4), 7)),
    lambda m: F(m).cross_entropy(X43(m), m.tensor([0, 2, 1])),
    lambda m: F(m).cross_entropy(m.ones(2, 3, 4), m.zeros(2, 5, dtype=m.int64)),
    lambda m: F(m).cross_entropy(m.ones(2, 3, 4, 4), m.zeros(2, 4, 5, dtype=m.int64)),
    lambda m: F(m).cross_entropy(m.ones(2, 3, 4, 4), m.zeros(2, 4, dtype=m.int64)),
    lambda m: F(m).cross_entropy(X43(m), m.zeros(4, 1, dtype=m.int64)),
    lambda m: F(m).cross_entropy(m.tensor(1.0), m.tensor(0)),
    lambda m: F(m).cross_entropy(X43(m), T4(m), label_smoothing=1.5),
    lambda m: F(m).cross_entropy(X43(m), m.ones(4, 3), label_smoothing=1.5),
    lambda m: F(m).cross_entropy(X43(m), T4(m), weight=m.ones(4)),
    lambda m: F(m).cross_entropy(X43(m), m.ones(4, 3), weight=m.ones(4)),
    lambda m: F(m).cross_entropy(X43(m), T4(m), reduction="avg"),
    lambda m: F(m).cross_entropy(m.ones(4, 3, dtype=m.int64), T4(m)),
    lambda m: F(m).cross_entropy(X43(m).double(), T4(m), weight=m.ones(3)),
    lambda m: F(m).nll_loss(X43(m), m.tensor([[0, 2, 1, 1]])),
    lambda m: F(m).nll_loss(X43(m), m.tensor([0.0, 2, 1, 1])),
    lambda m: F(m).nll_loss(X43(m), T4(m).int()),
    lambda m: F(m).nll_loss(X43(m), m.zeros(3, dtype=m.int32)),
    lambda m: F(m).nll_loss(m.tensor(1.0), m.tensor(0)),
    lambda m: F(m).binary_cross_entropy(m.rand(3, 1), m.rand(3)),
    lambda m: F(m).binary_cross_entropy(m.tensor([1.5]), m.rand(1)),
    lambda m: F(m).binary_cross_entropy(m.tensor([float("nan")]), m.rand(1)),
    lambda m: F(m).binary_cross_entropy(m.rand(3), m.tensor([0, 1, 1])),
    lambda m: F(m).binary_cross_entropy(m.rand(3), m.rand(3).double()),
    lambda m: F(m).binary_cross_entropy(m.rand(3, 2), m.rand(3, 2), weight=m.rand(3)),
    lambda m: F(m).binary_cross_entropy(m.rand(3), m.rand(3), reduction="avg"),
    lambda m: F(m).binary_cross_entropy_with_logits(m.rand(3, 1), m.rand(3)),
    lambda m: F(m).binary_cross_entropy_with_logits(m.rand(3), m.tensor([0, 1, 1])),
    lambda m: F(m).mse_loss(m.rand(3, 2), m.rand(3)),
    lambda m: F(m).mse_loss(m.rand(3), m.rand(3), reduction="avg"),
    lambda m: F(m).mse_loss(m.tensor([1, 2]), m.tensor([0, 1])),
    lambda m: F(m).l1_loss(m.rand(3), m.rand(3), weight=m.rand(2)),
    lambda m: F(m).huber_loss(m.rand(3), m.rand(3), delta=0.0),
    lambda m: F(m).smooth_l1_loss(m.rand(3), m.rand(3), beta=-1.0),
    lambda m: F(m).kl_div(m.rand(3), m.ones(3, dtype=m.int64), reduction="sum"),
    lambda m: F(m).multi_margin_loss(X43(m), m.tensor([0.0, 1, 1, 1])),
    lambda m: F(m).multi_margin_loss(X43(m), m.tensor([0, 3, 1, 1])),
    lambda m: F(m).multi_margin_loss(X43(m), m.tensor([0, 1, 1])),
    lambda m: F(m).multi_margin_loss(m.ones(2, 3, 4), m.tensor([0, 1])),
    lambda m: F(m).multi_margin_loss(X43(m), T4(m), p=3),
    lambda m: F(m).multi_margin_loss(X43(m), T4(m), weight=m.ones(2)),
    lambda m: F(m).multi_margin_loss(X43(m), T4(m), weight=m.ones(3).double()),
    lambda m: F(m).cosine_embedding_loss(m.ones(2, 3, 4), m.ones(2, 3, 4), m.ones(2)),
    lambda m: F(m).cosine_embedding_loss(X43(m), X43(m), m.ones(4, 1)),
    lambda m: F(m).cosine_embedding_loss(X43(m), X43(m), m.tensor(1.0)),
    lambda m: F(m).margin_ranking_loss(X43(m), X43(m), m.ones(4)),
    lambda m: F(m).triplet_margin_loss(X43(m), X43(m), X43(m), margin=0.0),
    lambda m: F(m).gaussian_nll_loss(X43(m), X43(m), -m.ones(4, 3)),
    lambda m: F(m).gaussian_nll_loss(X43(m), X43(m), m.ones(4, 2)),
    lambda m: F(m).poisson_nll_loss(X43(m), X43(m), reduction="avg"),
    lambda m: m.nn.MultiMarginLoss(p=3),
    lambda m: m.nn.MultiMarginLoss(weight=m.ones(2, 2)),
    lambda m: m.nn.TripletMarginLoss(margin=-1.0),
    lambda m: m.nn.HuberLoss(delta="1"),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_match_torch(k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same_error(ERRORS[k])


def test_legacy_reduction_args_warn_like_torch():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0.1, 0.9, (4, 3)), rng.uniform(0, 1, (4, 3))
    t = np.array([0, 2, 1, 1])
    cases = [
        (lambda m: m.nn.MSELoss(size_average=False), (x, y)),
        (lambda m: m.nn.MSELoss(reduce=False), (x, y)),
        (lambda m: m.nn.BCELoss(size_average=True, reduce=True), (x, y)),
        (lambda m: m.nn.CrossEntropyLoss(size_average=False), (x, t)),
        (lambda m: m.nn.L1Loss(reduce=False, size_average=False), (x, y)),
    ]
    for make, (a, b) in cases:
        out, msgs = [], []
        for m in (torch, ember):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                mod = make(m)
            msgs.append([str(i.message) for i in w])
            out.append(np.asarray(mod(m.tensor(a), m.tensor(b)).detach().numpy()))
        assert msgs[0] == msgs[1] and len(msgs[0]) == 1
        np.testing.assert_allclose(out[1], out[0], rtol=1e-6)
    # functional forms too
    for name, args in [("mse_loss", (x, y)), ("nll_loss", (np.log(x), t)),
                       ("binary_cross_entropy", (x, y)), ("kl_div", (x, y)),
                       ("hinge_embedding_loss", (x, np.sign(y - 0.5)))]:
        vals = []
        for m in (torch, ember):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                v = getattr(F(m), name)(*(m.tensor(a) for a in args), size_average=False)
            assert any("reduction='sum'" in str(i.message) for i in w)
            vals.append(v.item())
        np.testing.assert_allclose(vals[1], vals[0], rtol=1e-6)


def test_kl_div_reductions_and_warning():
    rng = np.random.default_rng(0)
    x = np.log(rng.dirichlet(np.ones(3), 4))
    y = rng.dirichlet(np.ones(3), 4)
    for r in ("batchmean", "sum", "none"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            check(lambda m, a, b: F(m).kl_div(a, b, reduction=r), x, y)
    for m in (torch, ember):
        with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
            F(m).kl_div(m.tensor(x), m.tensor(y))
    check(lambda m, a, b: F(m).kl_div(a, b, reduction="batchmean"), np.asarray(x[0, 0]),
          np.asarray(y[0, 0]))
    # zero target probabilities contribute 0 (xlogy)
    y0 = y.copy()
    y0[0, 1] = 0.0
    check(lambda m, a, b: F(m).kl_div(a, b, reduction="sum"), x, y0)


LOSS_MODULES = [
    "BCELoss()", "BCELoss(weight=W)", "BCEWithLogitsLoss()", "BCEWithLogitsLoss(pos_weight=W)",
    "CrossEntropyLoss()", "CrossEntropyLoss(weight=W, label_smoothing=0.1, ignore_index=3)",
    "NLLLoss()", "NLLLoss(weight=W)", "MSELoss()", "MSELoss(reduction='sum')", "L1Loss()",
    "SmoothL1Loss()", "SmoothL1Loss(beta=0.5)", "HuberLoss()", "HuberLoss(delta=2.0)",
    "HingeEmbeddingLoss()", "MultiMarginLoss()", "KLDivLoss()", "KLDivLoss(log_target=True)",
    "SoftMarginLoss()", "CosineEmbeddingLoss()", "MarginRankingLoss()", "PoissonNLLLoss()",
    "GaussianNLLLoss()", "MultiLabelSoftMarginLoss()", "MultiLabelMarginLoss()",
    "TripletMarginLoss()"]


@pytest.mark.parametrize("spec", LOSS_MODULES)
def test_loss_module_repr_and_buffers(spec):
    mt = eval("torch.nn." + spec, {"torch": torch, "W": torch.tensor([1.0, 2.0, 0.5])})
    me = eval("enn." + spec, {"enn": enn, "W": ember.tensor([1.0, 2.0, 0.5])})
    assert repr(me) == repr(mt)
    assert list(me.state_dict()) == list(mt.state_dict())
    assert me.reduction == mt.reduction


def test_loss_modules_forward_like_torch():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    p = rng.uniform(0.05, 0.95, (4, 3)).astype(np.float32)
    t = np.array([0, 2, 1, 1])
    w = np.array([1.0, 2.0, 0.5], np.float32)
    for spec, tgt, inp in [("BCELoss(weight=W)", p, p[::-1].copy()),
                           ("BCEWithLogitsLoss(pos_weight=W)", p, x),
                           ("CrossEntropyLoss(weight=W, label_smoothing=0.1)", t, x),
                           ("CrossEntropyLoss(reduction='none')", t, x),
                           ("NLLLoss(weight=W, ignore_index=2)", t, x),
                           ("MSELoss(reduction='sum')", p, x), ("L1Loss()", p, x),
                           ("SmoothL1Loss(beta=0.5)", p, x), ("HuberLoss(delta=0.3)", p, x),
                           ("KLDivLoss(reduction='batchmean')", p, x),
                           ("MultiMarginLoss(p=2, margin=0.5, weight=W)", t, x),
                           ("SoftMarginLoss()", np.sign(p - 0.5), x),
                           ("HingeEmbeddingLoss(margin=0.5)", np.sign(p - 0.5), x)]:
        mt = eval("torch.nn." + spec, {"torch": torch, "W": torch.tensor(w)})
        me = eval("enn." + spec, {"enn": enn, "W": ember.tensor(w)})
        compare_with_torch(lambda a: me(a, ember.tensor(tgt)), lambda a: mt(a, torch.tensor(tgt)),
                           inp)
