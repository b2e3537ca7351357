"""ember.nn.functional without PyTorch: argument handling (legacy size_average/reduce,
implicit softmax dims, reductions), warnings, errors, in-place forms, dropout statistics and
reproducibility, and the fused kernels' grad_fn names."""
import math
import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as F

T = ember.tensor


def vals(t):
    return np.asarray(t.detach()._data)


def test_public_names_exist():
    for name in F.__all__:
        assert callable(getattr(F, name)), name
    for name in ("relu", "softmax", "cross_entropy", "linear", "dropout", "mse_loss",
                 "binary_cross_entropy", "one_hot", "pad", "log_softmax"):
        assert name in F.__all__


def test_relu_reuses_the_elementwise_op():
    x = T([-1.0, 2.0], requires_grad=True)
    a, b = F.relu(x), ember.relu(x)
    assert type(a.grad_fn) is type(b.grad_fn)
    assert type(a.grad_fn).__name__ == "ReluBackward0"
    np.testing.assert_array_equal(vals(a), [0, 2])


def test_inplace_activations_write_into_input():
    for fn in (lambda t: F.relu(t, inplace=True), F.relu_, lambda t: F.elu(t, inplace=True),
               F.elu_, lambda t: F.leaky_relu(t, 0.1, True), F.leaky_relu_,
               lambda t: F.hardtanh(t, inplace=True), F.hardtanh_,
               lambda t: F.relu6(t, True), lambda t: F.threshold(t, 0.0, -1.0, True),
               lambda t: F.threshold_(t, 0.0, -1.0), lambda t: F.selu(t, True), F.selu_,
               lambda t: F.celu(t, 1.0, True), F.celu_, lambda t: F.silu(t, True),
               lambda t: F.mish(t, True), lambda t: F.hardswish(t, True),
               lambda t: F.hardsigmoid(t, True), lambda t: F.rrelu(t, inplace=True), F.rrelu_,
               lambda t: F.dropout(t, 0.5, True, True)):
        x = T([-2.0, -0.5, 0.5, 2.0])
        before = x._version[0]
        y = fn(x)
        assert y is x
        assert x._version[0] > before
    # in the graph: the gradient flows through the in-place op
    leaf = T([-1.0, 2.0], requires_grad=True)
    h = leaf * 1.0
    F.relu_(h)
    h.sum().backward()
    np.testing.assert_array_equal(vals(leaf.grad), [0, 1])
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.relu_(T([1.0], requires_grad=True))


def test_softmax_implicit_dim_warns_and_picks_torch_dims():
    for nd, dim in [(0, 0), (1, 0), (2, 1), (3, 0), (4, 1)]:
        x = ember.randn(*([2, 3, 2, 2][:nd]))
        with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
            y = F.softmax(x)
        np.testing.assert_allclose(vals(y), vals(F.softmax(x, dim)))
    with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
        F.log_softmax(ember.randn(2, 3))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        F.softmin(ember.randn(2, 3))


def test_reduction_argument_handling():
    x, y = T([1.0, 2.0, 4.0]), T([0.0, 0.0, 0.0])
    assert F.mse_loss(x, y).item() == pytest.approx(7.0)
    assert F.mse_loss(x, y, reduction="sum").item() == pytest.approx(21.0)
    assert F.mse_loss(x, y, reduction="none").shape == (3,)
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        F.mse_loss(x, y, reduction="avg")
    with pytest.warns(UserWarning, match="elementwise_mean"):
        assert F.l1_loss(x, y, reduction="elementwise_mean").item() == pytest.approx(7 / 3)
    # book Listing 6-4: size_average=False means a summed loss, with the deprecation warning
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated, "
                                         "please use reduction='sum' instead."):
        assert F.mse_loss(x, y, size_average=False).item() == pytest.approx(21.0)
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert F.mse_loss(x, y, reduce=False).shape == (3,)
    with pytest.warns(UserWarning, match="reduction='mean'"):
        assert F.l1_loss(x, y, size_average=True).item() == pytest.approx(7 / 3)
    with pytest.warns(UserWarning, match="reduction='sum'"):
        F.cross_entropy(ember.randn(2, 3), T([0, 1]), size_average=False)


def test_kl_div_mean_warning_and_batchmean():
    x = T([[math.log(0.5), math.log(0.5)]] * 2)
    y = T([[0.25, 0.75]] * 2)
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        m = F.kl_div(x, y)
    s = F.kl_div(x, y, reduction="sum")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        b = F.kl_div(x, y, reduction="batchmean")
    assert m.item() == pytest.approx(s.item() / 4)
    assert b.item() == pytest.approx(s.item() / 2)


def test_loss_target_checks():
    with pytest.raises(ValueError, match=r"Using a target size \(ember.Size\(\[3\]\)\) that is "
                                         r"different to the input size \(ember.Size\(\[3, 1\]\)\)"):
        F.binary_cross_entropy(ember.rand(3, 1), ember.rand(3))
    with pytest.raises(ValueError, match=r"Target size \(ember.Size\(\[3\]\)\) must be the same as "
                                         r"input size \(ember.Size\(\[3, 1\]\)\)"):
        F.binary_cross_entropy_with_logits(ember.rand(3, 1), ember.rand(3))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(T([1.5]), T([1.0]))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got "
                                           "Float"):
        F.cross_entropy(ember.randn(4, 3), T([0.0, 1.0, 2.0, 0.0]))
    with pytest.raises(RuntimeError, match="but got Int"):
        F.cross_entropy(ember.randn(4, 3), T([0, 1, 2, 0], dtype=ember.int32))
    with pytest.raises(IndexError, match="Target 3 is out of bounds."):
        F.cross_entropy(ember.randn(4, 3), T([0, 3, 1, 1]))
    with pytest.raises(IndexError, match="Target -2 is out of bounds."):
        F.nll_loss(ember.randn(4, 3), T([0, -2, 1, 1]))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(4\) to match target "
                                         r"batch_size \(3\)."):
        F.cross_entropy(ember.randn(4, 3), T([0, 1, 1]))
    with pytest.raises(RuntimeError, match="Expected floating point type for target with class "
                                           "probabilities, got Long"):
        F.cross_entropy(ember.randn(4, 3), ember.zeros(4, 3, dtype=ember.int64))
    with pytest.warns(UserWarning, match="This will likely lead to incorrect results due to "
                                         "broadcasting"):
        F.mse_loss(ember.rand(3, 1), ember.rand(3))


def test_cross_entropy_ignore_index_and_weights_mean_over_kept_weight():
    x = ember.randn(5, 4)
    t = T([0, 1, 2, 3, 1])
    w = T([1.0, 2.0, 3.0, 4.0])
    per = vals(F.cross_entropy(x, t, reduction="none"))
    mean = F.cross_entropy(x, t, weight=w, ignore_index=1).item()
    kept = [0, 2, 3]
    wt = np.array([1.0, 3.0, 4.0])
    assert mean == pytest.approx((per[kept] * wt).sum() / wt.sum(), rel=1e-5)
    # all ignored: nan mean, zero gradient
    xg = ember.randn(2, 3, requires_grad=True)
    loss = F.cross_entropy(xg, T([-100, -100]))
    assert math.isnan(loss.item())
    loss.backward()
    np.testing.assert_array_equal(vals(xg.grad), 0)


def test_grad_fn_names_of_fused_kernels():
    x = ember.randn(4, 3, requires_grad=True)
    t = T([0, 2, 1, 1])

    def name(y):
        return type(y.grad_fn).__name__
    assert name(F.cross_entropy(x, t)) == "NllLossBackward0"
    assert name(F.cross_entropy(x.reshape(2, 3, 2), t.reshape(2, 2))) == "NllLoss2DBackward0"
    assert name(F.cross_entropy(x.reshape(2, 3, 2), t.reshape(2, 2), reduction="none")) == \
        "ViewBackward0"
    assert name(F.cross_entropy(x, t, label_smoothing=0.1)) == "AddBackward0"
    assert name(F.cross_entropy(x, F.softmax(x.detach(), 1))) == "DivBackward1"
    assert name(F.binary_cross_entropy(x.sigmoid(), x.detach().sigmoid())) == \
        "BinaryCrossEntropyBackward0"
    assert name(F.binary_cross_entropy_with_logits(x, x.detach())) == \
        "BinaryCrossEntropyWithLogitsBackward0"
    assert name(F.mse_loss(x, x.detach())) == "MseLossBackward0"
    assert name(F.l1_loss(x, x.detach())) == "MeanBackward0"
    assert name(F.l1_loss(x, x.detach(), reduction="none")) == "AbsBackward0"
    assert name(F.linear(x, ember.randn(2, 3), ember.randn(2))) == "AddmmBackward0"
    assert name(F.linear(x, ember.randn(2, 3))) == "MmBackward0"
    assert name(F.dropout(x, 0.5)) == "MulBackward0"
    assert name(F.softmax(x, 1)) == "SoftmaxBackward0"
    assert name(F.log_softmax(x, 1)) == "LogSoftmaxBackward0"


def test_dropout_statistics_and_scaling():
    ember.manual_seed(0)
    x = ember.ones(200000)
    for p in (0.1, 0.5, 0.8):
        y = vals(F.dropout(x, p))
        zero = y == 0
        assert abs(zero.mean() - p) < 0.01
        np.testing.assert_allclose(y[~zero], 1 / (1 - p), rtol=1e-6)
        assert abs(y.mean() - 1.0) < 0.02            # expectation preserved
    assert np.all(vals(F.dropout(x, 1.0)) == 0)
    assert F.dropout(x, 0.0) is x
    assert F.dropout(x, 0.5, training=False) is x
    # float64 stays float64
    assert F.dropout(ember.ones(3, dtype=ember.float64), 0.5).dtype is ember.float64


def test_dropout_gradient_uses_the_same_mask():
    ember.manual_seed(3)
    x = ember.ones(1000, requires_grad=True)
    y = F.dropout(x, 0.25)
    y.sum().backward()
    np.testing.assert_array_equal(vals(x.grad), vals(y))


def test_dropout_is_reproducible_with_manual_seed():
    x = ember.ones(64, 32)
    ember.manual_seed(42)
    a = vals(F.dropout(x, 0.3))
    ember.manual_seed(42)
    b = vals(F.dropout(x, 0.3))
    c = vals(F.dropout(x, 0.3))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)


def test_feature_dropout_zeroes_whole_channels():
    ember.manual_seed(1)
    x = ember.ones(8, 16, 3, 3)
    y = vals(F.dropout2d(x, 0.5))
    per_channel = y.reshape(8, 16, -1)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2.0).all(-1))
    assert 0.3 < (per_channel[..., 0] == 0).mean() < 0.7
    y1 = vals(F.dropout1d(ember.ones(16, 5), 0.5))       # unbatched (C, L)
    assert np.all((y1 == 0).all(-1) | (y1 == 2.0).all(-1))
    y3 = vals(F.dropout3d(ember.ones(4, 2, 2, 2), 0.5))   # unbatched (C, D, H, W)
    assert np.all((y3.reshape(4, -1) == 0).all(-1) | (y3.reshape(4, -1) == 2.0).all(-1))
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but "
                                         "got 1.5"):
        F.dropout2d(x, 1.5)


def test_alpha_dropout_keeps_mean_and_variance():
    ember.manual_seed(2)
    x = ember.randn(400000)
    y = vals(F.alpha_dropout(x, 0.2, training=True))
    assert abs(y.mean()) < 0.01
    assert abs(y.std() - 1.0) < 0.01
    assert F.alpha_dropout(x, 0.2) is x                  # training=False by default


def test_one_hot_pad_normalize_misc():
    np.testing.assert_array_equal(vals(F.one_hot(T([[0], [2]]))), [[[1, 0, 0]], [[0, 0, 1]]])
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes."):
        F.one_hot(T([3]), 3)
    np.testing.assert_array_equal(vals(F.pad(T([[[1.0, 2.0, 3.0]]]), (1, 1), mode="reflect")),
                                  [[[2, 1, 2, 3, 2]]])      # non-constant modes: issue 4
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F.pad(ember.ones(2), (1,))
    out = ember.empty(1, 2)
    assert F.normalize(T([[3.0, 4.0]]), out=out) is out
    np.testing.assert_allclose(vals(out), [[0.6, 0.8]], rtol=1e-6)
    np.testing.assert_allclose(vals(F.normalize(ember.zeros(1, 2))), [[0, 0]])


def test_linear_errors_name_the_shapes():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied "
                                           r"\(4x3 and 4x5\)"):
        F.linear(ember.ones(4, 3), ember.ones(5, 4))
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype, but got: "
                                           "float != double"):
        F.linear(ember.ones(4, 3), ember.ones(5, 3, dtype=ember.float64))


def test_gumbel_softmax():
    ember.manual_seed(0)
    logits = ember.randn(5, 4, requires_grad=True)
    y = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(vals(y).sum(1), 1, rtol=1e-5)
    h = F.gumbel_softmax(logits, hard=True)
    v = vals(h)
    assert set(np.unique(v).round(6)) <= {0.0, 1.0} and np.all(v.sum(1).round(6) == 1)
    h.sum().backward()
    assert logits.grad is not None


def test_multi_margin_and_margin_checks():
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        F.multi_margin_loss(ember.randn(2, 3), T([0, 1]), p=3)
    with pytest.raises(RuntimeError, match="target out of range"):
        F.multi_margin_loss(ember.randn(2, 3), T([0, 3]))
    with pytest.raises(ValueError, match="margin must be greater than 0"):
        F.triplet_margin_loss(ember.randn(2, 3), ember.randn(2, 3), ember.randn(2, 3), margin=0)
