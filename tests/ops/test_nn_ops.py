"""nn kernels (ember/ops/nn_ops.py): values on hand-checkable inputs, and a float64 gradient
check of every differentiable kernel on several shapes, including 0-d and broadcasting."""
import math

import numpy as np
import pytest

import ember
from ember.ops import nn_ops as k
from helpers import check_grad

T = ember.tensor
F = ember.nn.functional
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")   # kl_div's 'mean' notice


def vals(t):
    return np.asarray(t._data)


def close(t, expected, **kw):
    np.testing.assert_allclose(vals(t), np.asarray(expected, dtype=np.float64), **kw)


def away(shape, kinks=(0.0,), seed=0, lo=-3, hi=3):
    """Random values kept 0.1 away from the kinks of piecewise functions."""
    x = np.random.default_rng(seed).uniform(lo, hi, shape)
    for kk in kinks:
        x = np.where(np.abs(x - kk) < 0.1, x + 0.25, x)
    return np.asarray(x)


SHAPES = [(), (5,), (2, 3)]

# ----------------------------------------------------------------------------- values


def test_activation_values():
    x = T([-2.0, -0.5, 0.0, 0.5, 2.0])
    close(F.relu(x), [0, 0, 0, 0.5, 2])
    close(F.leaky_relu(x, 0.1), [-0.2, -0.05, 0, 0.5, 2])
    close(F.leaky_relu(x, 2.0), [-4, -1, 0, 0.5, 2])
    close(F.elu(x), [math.expm1(-2), math.expm1(-0.5), 0, 0.5, 2], rtol=1e-6)
    close(F.celu(x, 2.0), [2 * math.expm1(-1), 2 * math.expm1(-0.25), 0, 0.5, 2], rtol=1e-6)
    s, a = 1.0507009873554805, 1.6732632423543772
    close(F.selu(x), [s * a * math.expm1(-2), s * a * math.expm1(-0.5), 0, s * 0.5, s * 2],
          rtol=1e-6)
    close(F.hardtanh(x), [-1, -0.5, 0, 0.5, 1])
    close(F.relu6(T([-1.0, 3.0, 7.0])), [0, 3, 6])
    close(F.hardsigmoid(T([-4.0, 0.0, 1.5, 4.0])), [0, 0.5, 0.75, 1])
    close(F.hardswish(T([-4.0, 0.0, 1.5, 4.0])), [0, 0, 1.125, 4])
    close(F.threshold(x, 0.4, -9.0), [-9, -9, -9, 0.5, 2])
    close(F.hardshrink(x, 0.5), [-2, 0, 0, 0, 2])
    close(F.softshrink(x, 0.5), [-1.5, 0, 0, 0, 1.5])
    close(F.softsign(x), [-2 / 3, -1 / 3, 0, 1 / 3, 2 / 3], rtol=1e-6)
    close(F.tanhshrink(x), [v - math.tanh(v) for v in (-2, -0.5, 0, 0.5, 2)], rtol=1e-5,
          atol=1e-7)
    sig = [1 / (1 + math.exp(-v)) for v in (-2, -0.5, 0, 0.5, 2)]
    close(F.silu(x), [v * s_ for v, s_ in zip((-2, -0.5, 0, 0.5, 2), sig)], rtol=1e-6)
    close(F.logsigmoid(x), [math.log(s_) for s_ in sig], rtol=1e-6)
    close(F.softplus(x), [math.log1p(math.exp(v)) for v in (-2, -0.5, 0, 0.5, 2)], rtol=1e-6)
    close(F.softplus(T([30.0]), 1, 20), [30.0])
    close(F.gelu(T([0.0, 1.0])), [0, 0.5 * (1 + math.erf(1 / math.sqrt(2)))], rtol=1e-6)
    close(F.mish(T([1.0])), [math.tanh(math.log1p(math.e))], rtol=1e-6)
    close(F.glu(T([1.0, 2.0, 0.0, 3.0])), [0.5, 2 / (1 + math.exp(-3))], rtol=1e-6)
    close(F.prelu(x, T([0.25])), [-0.5, -0.125, 0, 0.5, 2])
    close(F.rrelu(x), [-2 * (1 / 8 + 1 / 3) / 2, -0.5 * (1 / 8 + 1 / 3) / 2, 0, 0.5, 2],
          rtol=1e-6)


def test_activations_stay_finite_at_extremes():
    x = T([-1e4, -100.0, 100.0, 1e4])
    for fn in (F.sigmoid, F.silu, F.logsigmoid, F.softplus, F.mish, F.elu, F.selu,
               lambda a: F.celu(a, 0.5), F.gelu, lambda a: F.gelu(a, approximate="tanh")):
        assert np.all(np.isfinite(vals(fn(x)))), fn
    close(F.logsigmoid(x), [-1e4, -100, 0, 0], atol=1e-6)
    close(F.softmax(x, 0), [0, 0, 0, 1])
    close(F.log_softmax(T([1e4, 0.0]), 0), [0, -1e4])


def test_softmax_values_and_dims():
    x = T([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
    e = np.exp([1, 2, 3])
    close(F.softmax(x, 1), [e / e.sum(), [1 / 3] * 3], rtol=1e-6)
    close(F.softmax(x, 0).sum(0), [1, 1, 1], rtol=1e-6)
    close(F.log_softmax(x, -1), np.log([e / e.sum(), [1 / 3] * 3]), rtol=1e-6)
    close(F.softmin(x, 1), [e[::-1] / e.sum(), [1 / 3] * 3], rtol=1e-6)
    close(x.softmax(1), vals(F.softmax(x, 1)))
    close(ember.log_softmax(x, 0), vals(F.log_softmax(x, 0)))
    close(F.softmax(T(5.0), 0), 1.0)
    close(F.log_softmax(T(5.0), -1), 0.0)
    assert F.softmax(ember.zeros(0, 3), 1).shape == (0, 3)
    assert F.softmax(x, 1, dtype=ember.float64).dtype is ember.float64
    assert F.softmax(T([1, 2]), 0, dtype=ember.float32).dtype is ember.float32
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.softmax(x, 2)
    with pytest.raises(NotImplementedError, match="softmax_lastdim_kernel_impl"):
        F.softmax(T([1, 2]), 0)


def test_float32_stays_float32():
    x = T(np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32),
          requires_grad=True)
    outs = [F.relu(x), F.leaky_relu(x), F.elu(x), F.selu(x), F.celu(x), F.gelu(x), F.silu(x),
            F.mish(x), F.softplus(x), F.hardtanh(x), F.hardsigmoid(x), F.hardswish(x),
            F.logsigmoid(x), F.softsign(x), F.tanhshrink(x), F.softshrink(x),
            F.softmax(x, 1), F.log_softmax(x, 1), F.dropout(x, 0.5), F.normalize(x),
            F.linear(x, x), F.cross_entropy(x, T([0, 1, 2, 0])),
            F.binary_cross_entropy_with_logits(x, x.detach()), F.mse_loss(x, x.detach() * 2),
            F.kl_div(x, x.detach().abs(), reduction="batchmean")]
    for o in outs:
        assert o.dtype is ember.float32
        o.sum().backward()
        assert x.grad.dtype is ember.float32


def test_loss_values_by_hand():
    x = T([[0.0, 0.0], [math.log(3.0), 0.0]])
    t = T([0, 1])
    # rows: log-softmax of [0, 0] is log(1/2); of [log 3, 0] is [log 3/4, log 1/4]
    close(F.cross_entropy(x, t), (math.log(2) + math.log(4)) / 2, rtol=1e-6)
    close(F.cross_entropy(x, t, reduction="sum"), math.log(2) + math.log(4), rtol=1e-6)
    close(F.cross_entropy(x, t, reduction="none"), [math.log(2), math.log(4)], rtol=1e-6)
    w = T([1.0, 3.0])
    close(F.cross_entropy(x, t, weight=w), (math.log(2) + 3 * math.log(4)) / 4, rtol=1e-6)
    close(F.cross_entropy(x, t, ignore_index=1), math.log(2), rtol=1e-6)
    close(F.nll_loss(x, t), -(0.0 + 0.0) / 2)
    close(F.nll_loss(T([[-1.0, -2.0], [-3.0, -4.0]]), t), 2.5)
    p = T([0.25, 0.5])
    y = T([1.0, 0.0])
    close(F.binary_cross_entropy(p, y), -(math.log(0.25) + math.log(0.5)) / 2, rtol=1e-6)
    close(F.binary_cross_entropy_with_logits(T([0.0, 0.0]), y), math.log(2), rtol=1e-6)
    close(F.binary_cross_entropy_with_logits(T([0.0]), T([1.0]), pos_weight=T([3.0])),
          3 * math.log(2), rtol=1e-6)
    close(F.mse_loss(T([1.0, 2.0]), T([0.0, 4.0])), 2.5)
    close(F.l1_loss(T([1.0, 2.0]), T([0.0, 4.0])), 1.5)
    close(F.smooth_l1_loss(T([0.5, 3.0]), T([0.0, 0.0])), (0.125 + 2.5) / 2)
    close(F.huber_loss(T([0.5, 3.0]), T([0.0, 0.0]), delta=2.0), (0.125 + 4.0) / 2)
    close(F.soft_margin_loss(T([0.0]), T([1.0])), math.log(2), rtol=1e-6)
    close(F.hinge_embedding_loss(T([0.3, 0.3]), T([1.0, -1.0]), reduction="none"), [0.3, 0.7],
          rtol=1e-6)
    close(F.margin_ranking_loss(T([1.0, 1.0]), T([2.0, 0.0]), T([1.0, 1.0]), reduction="none"),
          [1, 0])
    close(F.multi_margin_loss(T([[0.1, 0.2, 0.4, 0.8]]), T([3])), (0.3 + 0.4 + 0.6) / 4,
          rtol=1e-6)
    close(F.multilabel_margin_loss(T([[0.1, 0.2, 0.4, 0.8]]), T([[3, 0, -1, 1]])),
          0.85, rtol=1e-6)
    close(F.kl_div(T([math.log(0.5)]), T([0.25]), reduction="sum"),
          0.25 * (math.log(0.25) - math.log(0.5)), rtol=1e-6)
    close(F.cosine_embedding_loss(T([[1.0, 0.0]]), T([[0.0, 1.0]]), T([1])), 1.0)
    close(F.poisson_nll_loss(T([0.0]), T([2.0])), 1.0)


def test_cross_entropy_label_smoothing_and_probabilities_by_hand():
    x = T([[0.0, 0.0]])
    # smoothing 0.2 over 2 classes: targets (0.9, 0.1); both log-probs are log(1/2)
    close(F.cross_entropy(x, T([0]), label_smoothing=0.2), math.log(2), rtol=1e-6)
    x = T([[math.log(3.0), 0.0]])
    lp = [math.log(0.75), math.log(0.25)]
    close(F.cross_entropy(x, T([[0.5, 0.5]])), -(lp[0] + lp[1]) / 2, rtol=1e-6)
    close(F.cross_entropy(x, T([0]), label_smoothing=0.2), -(0.9 * lp[0] + 0.1 * lp[1]),
          rtol=1e-6)
    close(F.cross_entropy(x, T([[1.0, 0.0]]), label_smoothing=0.2),
          -(0.9 * lp[0] + 0.1 * lp[1]), rtol=1e-6)


def test_cross_entropy_gradient_is_softmax_minus_onehot():
    x = T(np.random.default_rng(1).standard_normal((5, 4)), requires_grad=True)
    t = np.array([0, 3, 1, 1, 2])
    F.cross_entropy(x, T(t), reduction="sum").backward()
    p = np.exp(vals(x)) / np.exp(vals(x)).sum(1, keepdims=True)
    p[np.arange(5), t] -= 1
    close(x.grad, p, rtol=1e-10)
    # the same in (N, C, d) layout
    x3 = T(np.random.default_rng(2).standard_normal((2, 4, 3)), requires_grad=True)
    t3 = np.array([[0, 1, 3], [2, 2, 0]])
    F.cross_entropy(x3, T(t3), reduction="sum").backward()
    a = vals(x3)
    p = np.exp(a) / np.exp(a).sum(1, keepdims=True)
    for n in range(2):
        for j in range(3):
            p[n, t3[n, j], j] -= 1
    close(x3.grad, p, rtol=1e-10)


def test_cross_entropy_large_logit_spread_uses_row_max():
    # rows far apart: the global-max shortcut would underflow the low row
    x = T([[1000.0, 999.0], [-1000.0, -1001.0]], requires_grad=True)
    out = F.cross_entropy(x, T([0, 0]), reduction="none")
    close(out, [math.log1p(math.exp(-1))] * 2, rtol=1e-6)
    out.sum().backward()
    s = 1 / (1 + math.exp(-1))
    close(x.grad, [[s - 1, 1 - s], [s - 1, 1 - s]], rtol=1e-6)


def test_linear_values_and_shapes():
    x = T([[1.0, 2.0], [3.0, 4.0]])
    w = T([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    b = T([0.5, 0.5, 0.5])
    close(F.linear(x, w, b), [[1.5, 2.5, 3.5], [3.5, 4.5, 7.5]])
    close(F.linear(T([1.0, 2.0]), w), [1, 2, 3])
    assert F.linear(ember.ones(4, 5, 2), w).shape == (4, 5, 3)
    close(F.linear(x, T([1.0, 1.0]), T(1.0)), [4, 8])
    close(F.bilinear(T([[1.0, 2.0]]), T([[3.0]]), T([[[1.0], [1.0]]]), T([1.0])), [[10.0]])


def test_distance_and_padding_values():
    close(F.normalize(T([[3.0, 4.0]])), [[0.6, 0.8]])
    close(F.normalize(T([[3.0, 4.0]]), p=1), [[3 / 7, 4 / 7]])
    close(F.cosine_similarity(T([[1.0, 0.0]]), T([[1.0, 1.0]])), [1 / math.sqrt(2)], rtol=1e-6)
    close(F.pairwise_distance(T([[0.0, 0.0]]), T([[3.0, 4.0]]), eps=0.0), [5.0])
    close(F.pairwise_distance(T([[0.0, 0.0]]), T([[3.0, 4.0]]), p=1, eps=0.0), [7.0])
    close(F.pad(T([[1.0, 2.0]]), (1, 2)), [[0, 1, 2, 0, 0]])
    close(F.pad(T([[1.0, 2.0]]), (0, 0, 1, 0), value=9.0), [[9, 9], [1, 2]])
    close(F.pad(T([[1.0, 2.0, 3.0]]), (-1, -1)), [[2.0]])
    oh = F.one_hot(T([0, 2]))
    assert oh.dtype is ember.int64
    np.testing.assert_array_equal(vals(oh), [[1, 0, 0], [0, 0, 1]])
    assert F.one_hot(T([1]), 4).shape == (1, 4)


# ----------------------------------------------------------------------------- gradchecks

ACTIVATIONS = [
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.1), (0,)),
    ("leaky_relu_neg", lambda x: F.leaky_relu(x, -1.5), (0,)),
    ("elu", lambda x: F.elu(x, 0.7), (0,)),
    ("selu", F.selu, (0,)),
    ("celu", lambda x: F.celu(x, 1.3), (0,)),
    ("gelu", F.gelu, ()),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), ()),
    ("silu", F.silu, ()),
    ("mish", F.mish, ()),
    ("softplus", lambda x: F.softplus(x, 2.0, 4.0), (2.0,)),
    ("hardtanh", lambda x: F.hardtanh(x, -1.0, 2.0), (-1, 2)),
    ("relu6", lambda x: F.relu6(x * 3), (0, 2)),
    ("hardsigmoid", F.hardsigmoid, (-3, 3)),
    ("hardswish", F.hardswish, (-3, 3)),
    ("threshold", lambda x: F.threshold(x, 0.5, 2.0), (0.5,)),
    ("logsigmoid", F.logsigmoid, ()),
    ("softsign", F.softsign, (0,)),
    ("tanhshrink", F.tanhshrink, ()),
    ("hardshrink", lambda x: F.hardshrink(x, 0.6), (-0.6, 0.6)),
    ("softshrink", lambda x: F.softshrink(x, 0.6), (-0.6, 0.6)),
    ("rrelu_eval", F.rrelu, (0,)),
    ("rrelu_train", lambda x: (ember.manual_seed(0), F.rrelu(x, training=True))[1], (0,)),
    ("softmax", lambda x: F.softmax(x, -1), ()),
    ("log_softmax", lambda x: F.log_softmax(x, 0), ()),
    ("softmin", lambda x: F.softmin(x, -1), ()),
    ("dropout", lambda x: (ember.manual_seed(0), F.dropout(x, 0.4))[1], ()),
    ("alpha_dropout", lambda x: (ember.manual_seed(0), F.alpha_dropout(x, 0.4, True))[1], ()),
]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name,fn,kinks", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_gradients(name, fn, kinks, shape):
    check_grad(fn, away(shape, kinks))


@pytest.mark.parametrize("shape", [(2, 4), (4,), (3, 2, 2)])
def test_glu_and_feature_dropout_gradients(shape):
    x = away(shape)
    check_grad(lambda a: F.glu(a, 0 if shape[0] % 2 == 0 else -1), x)
    if len(shape) >= 2:
        check_grad(lambda a: (ember.manual_seed(1), F.dropout2d(a, 0.5))[1], x)


@pytest.mark.parametrize("xshape,wn", [((3, 4), 4), ((3, 4), 1), ((2, 3, 2), 3), ((5,), 1),
                                       ((), 1)])
def test_prelu_gradients(xshape, wn):
    check_grad(F.prelu, away(xshape, seed=1), np.linspace(0.1, 0.4, wn))


def _pair(shape, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    return x, x + rng.choice([-1, 1], shape) * rng.uniform(0.2, 1.5, shape)


REGRESSION = [
    ("mse", lambda a, b, r: F.mse_loss(a, b, reduction=r)),
    ("l1", lambda a, b, r: F.l1_loss(a, b, reduction=r)),
    ("smooth_l1", lambda a, b, r: F.smooth_l1_loss(a, b, reduction=r, beta=0.8)),
    ("huber", lambda a, b, r: F.huber_loss(a, b, reduction=r, delta=0.7)),
    ("kl_div", lambda a, b, r: F.kl_div(a, b.abs() + 0.1, reduction=r)),
    ("kl_div_log", lambda a, b, r: F.kl_div(a, b, reduction=r, log_target=True)),
    ("poisson", lambda a, b, r: F.poisson_nll_loss(a, b.abs(), reduction=r)),
    ("poisson_full", lambda a, b, r: F.poisson_nll_loss(a.abs() + 0.1, b.abs() * 3, False, True,
                                                        reduction=r)),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name,fn", REGRESSION, ids=[r[0] for r in REGRESSION])
def test_regression_loss_gradients(name, fn, shape, reduction):
    x, y = _pair(shape)
    check_grad(lambda a, b: fn(a, b, reduction), x, y)


def test_regression_losses_broadcast_target():
    import warnings
    x, y = np.random.default_rng(0).standard_normal((3, 2)), np.array([0.5, -2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fn in (F.mse_loss, F.l1_loss, F.smooth_l1_loss):
            check_grad(fn, x, y)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", SHAPES)
def test_binary_loss_gradients(shape, reduction):
    rng = np.random.default_rng(3)
    p = np.asarray(rng.uniform(0.1, 0.9, shape))
    y = np.asarray(rng.uniform(0, 1, shape))
    x = np.asarray(rng.standard_normal(shape) * 2)
    w = np.asarray(rng.uniform(0.5, 2, shape))
    check_grad(lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction), p, y)
    check_grad(lambda a, b: F.binary_cross_entropy(a, b, T(w), reduction=reduction), p, y)
    check_grad(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction), x, y)
    check_grad(lambda a, b: F.binary_cross_entropy_with_logits(
        a, b, T(w), reduction=reduction, pos_weight=T(w + 1)), x, y)
    s = np.asarray(np.sign(rng.standard_normal(shape)))
    check_grad(lambda a: F.soft_margin_loss(a, T(s), reduction=reduction), x)
    check_grad(lambda a: F.hinge_embedding_loss(a, T(s), 0.5, reduction=reduction),
               away(shape, (0.5,)))


CLASS_SHAPES = [((4, 3), (4,)), ((3,), ()), ((2, 3, 2), (2, 2)), ((2, 3, 2, 2), (2, 2, 2))]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("xshape,tshape", CLASS_SHAPES, ids=[str(c[0]) for c in CLASS_SHAPES])
def test_class_loss_gradients(xshape, tshape, reduction):
    rng = np.random.default_rng(len(xshape))
    c = xshape[0] if len(xshape) == 1 else xshape[1]
    x = rng.standard_normal(xshape)
    t = T((np.arange(int(np.prod(tshape))) % c).reshape(tshape))   # every class present
    w = T(rng.uniform(0.5, 2, c))
    check_grad(lambda a: F.cross_entropy(a, t, reduction=reduction), x)
    check_grad(lambda a: F.cross_entropy(a, t, w, ignore_index=1, reduction=reduction,
                                         label_smoothing=0.3), x)
    check_grad(lambda a: F.nll_loss(a, t, w, ignore_index=2, reduction=reduction), x)
    probs = rng.uniform(0, 1, xshape)
    check_grad(lambda a, b: F.cross_entropy(a, b, w, reduction=reduction, label_smoothing=0.2),
               x, probs)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_margin_loss_gradients(reduction):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 3))
    t = T([0, 2, 1, 1])
    for p in (1, 2):
        w = T([1.0, 2.0, 0.5], dtype=ember.float64)
        check_grad(lambda a: F.multi_margin_loss(a, t, p, 0.7, w,
                                                 reduction=reduction), x)
    check_grad(lambda a: F.multi_margin_loss(a, T(1), reduction=reduction), x[0])
    check_grad(lambda a: F.multilabel_margin_loss(a, T([[0, 2, -1], [1, -1, 0], [2, 1, 0],
                                                        [-1, 0, 0]]), reduction=reduction), x)
    x1, x2 = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    y = np.sign(rng.standard_normal((4, 3)))
    check_grad(lambda a, b, c: F.margin_ranking_loss(a, b, c, 0.2, reduction=reduction),
               x1, x2, y)
    # broadcasting target and second input
    check_grad(lambda a, b, c: F.margin_ranking_loss(a, b, c, 0.2, reduction=reduction),
               x1, x2[:1], y[:1])
    check_grad(lambda a, b: F.cosine_embedding_loss(a, b, T([1, -1, -1, 1]), -0.5,
                                                    reduction=reduction), x1, x2)
    check_grad(lambda a, b: F.cosine_embedding_loss(a, b, T(-1), -0.5, reduction=reduction),
               x1[0], x2[0])


@pytest.mark.parametrize("lead", [(), (3,), (2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradients(lead, bias):
    rng = np.random.default_rng(6)
    x, w, b = rng.standard_normal(lead + (4,)), rng.standard_normal((2, 4)), rng.standard_normal(2)
    if bias:
        check_grad(F.linear, x, w, b)
    else:
        check_grad(F.linear, x, w)
    check_grad(F.linear, x, rng.standard_normal(4))         # vector weight


@pytest.mark.parametrize("lead", [(1,), (3,), (2, 2)])
def test_bilinear_gradients(lead):
    rng = np.random.default_rng(7)
    x1, x2 = rng.standard_normal(lead + (3,)), rng.standard_normal(lead + (2,))
    w, b = rng.standard_normal((2, 3, 2)), rng.standard_normal(2)
    check_grad(F.bilinear, x1, x2, w, b)
    check_grad(F.bilinear, x1, x2, w)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("shape,dim", [((4,), 0), ((3, 4), 1), ((2, 3, 2), 0)])
def test_normalize_and_distance_gradients(p, shape, dim):
    x = away(shape, (0,), seed=8)
    y = away(shape, (0,), seed=9)
    check_grad(lambda a: F.normalize(a, p, dim), x)
    check_grad(lambda a, b: F.pairwise_distance(a, b, p), x, y)
    check_grad(lambda a, b: F.pairwise_distance(a, b, p, keepdim=True), x, y)


@pytest.mark.parametrize("s1,s2,dim", [((4,), (4,), 0), ((3, 4), (4,), 1), ((2, 1, 3), (4, 3), -1),
                                       ((3, 1), (1, 3), 0)])
def test_cosine_similarity_gradients(s1, s2, dim):
    rng = np.random.default_rng(10)
    check_grad(lambda a, b: F.cosine_similarity(a, b, dim), rng.standard_normal(s1),
               rng.standard_normal(s2))


@pytest.mark.parametrize("shape,pad", [((3,), (1, 2)), ((2, 3), (0, 1, 2, 0)), ((2, 3), (-1, 1)),
                                       ((2, 2, 3), (1, -1, 0, 1, 1, 0))])
def test_pad_gradients(shape, pad):
    check_grad(lambda a: F.pad(a, pad, value=1.5), away(shape))


def test_gaussian_and_multilabel_soft_margin_gradients():
    rng = np.random.default_rng(11)
    x, y = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    v = rng.uniform(0.5, 2, (3, 2))
    check_grad(lambda a, b, c: F.gaussian_nll_loss(a, b, c, full=True), x, y, v)
    check_grad(lambda a: F.multilabel_soft_margin_loss(a, T((y > 0).astype(np.float64))), x)
    a, p, n = (rng.standard_normal((3, 2)) for _ in range(3))
    check_grad(lambda u, v_, w: F.triplet_margin_loss(u, v_, w, margin=3.0, swap=True), a, p, n)


def test_function_variants_keep_their_kernels():
    # every named variant is a subclass of its kernel with the PyTorch grad_fn name
    assert [c._node_cls.__name__ for c in k._L1] == ["AbsBackward0", "MeanBackward0",
                                                     "SumBackward0"]
    assert all(issubclass(c, k.CrossEntropy) for c in k._CE)
