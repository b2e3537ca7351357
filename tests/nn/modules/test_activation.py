"""Activation modules: PyTorch's reprs, constructor checks, forward = functional form, in-place
flags, PReLU's learnable weight, and use inside Sequential."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F

T = ember.tensor

REPRS = [
    (nn.ReLU(), "ReLU()"), (nn.ReLU(inplace=True), "ReLU(inplace=True)"),
    (nn.LeakyReLU(), "LeakyReLU(negative_slope=0.01)"),
    (nn.LeakyReLU(0.2, True), "LeakyReLU(negative_slope=0.2, inplace=True)"),
    (nn.PReLU(), "PReLU(num_parameters=1)"), (nn.PReLU(3, 0.1), "PReLU(num_parameters=3)"),
    (nn.ELU(), "ELU(alpha=1.0)"), (nn.ELU(0.5, True), "ELU(alpha=0.5, inplace=True)"),
    (nn.SELU(), "SELU()"), (nn.SELU(True), "SELU(inplace=True)"),
    (nn.CELU(), "CELU(alpha=1.0)"), (nn.GELU(), "GELU(approximate='none')"),
    (nn.GELU("tanh"), "GELU(approximate='tanh')"), (nn.SiLU(), "SiLU()"),
    (nn.SiLU(True), "SiLU(inplace=True)"), (nn.Mish(), "Mish()"), (nn.Sigmoid(), "Sigmoid()"),
    (nn.Tanh(), "Tanh()"), (nn.Softmax(), "Softmax(dim=None)"), (nn.Softmax(1), "Softmax(dim=1)"),
    (nn.Softmax(dim=-1), "Softmax(dim=-1)"), (nn.LogSoftmax(1), "LogSoftmax(dim=1)"),
    (nn.Softmin(0), "Softmin(dim=0)"), (nn.Softplus(), "Softplus(beta=1.0, threshold=20.0)"),
    (nn.Softplus(2, 10), "Softplus(beta=2, threshold=10)"), (nn.Softsign(), "Softsign()"),
    (nn.Hardtanh(), "Hardtanh(min_val=-1.0, max_val=1.0)"),
    (nn.Hardtanh(-2, 2, True), "Hardtanh(min_val=-2, max_val=2, inplace=True)"),
    (nn.ReLU6(), "ReLU6()"), (nn.ReLU6(True), "ReLU6(inplace=True)"),
    (nn.Hardsigmoid(True), "Hardsigmoid()"), (nn.Hardswish(), "Hardswish()"),
    (nn.Tanhshrink(), "Tanhshrink()"),
    (nn.Threshold(0.1, 20), "Threshold(threshold=0.1, value=20)"),
    (nn.Threshold(0.1, 20, True), "Threshold(threshold=0.1, value=20, inplace=True)"),
    (nn.LogSigmoid(), "LogSigmoid()"), (nn.GLU(), "GLU(dim=-1)"),
    (nn.Hardshrink(), "Hardshrink(0.5)"),
    (nn.Softshrink(0.3), "Softshrink(0.3)"),
    (nn.RReLU(), "RReLU(lower=0.125, upper=0.3333333333333333)"), (nn.Softmax2d(), "Softmax2d()"),
]


@pytest.mark.parametrize("mod,text", REPRS, ids=[r[1] for r in REPRS])
def test_reprs_match_pytorch(mod, text):
    assert repr(mod) == text


FORWARD = [
    (nn.ReLU(), F.relu), (nn.LeakyReLU(0.2), lambda x: F.leaky_relu(x, 0.2)),
    (nn.ELU(0.5), lambda x: F.elu(x, 0.5)), (nn.SELU(), F.selu),
    (nn.CELU(2.0), lambda x: F.celu(x, 2.0)),
    (nn.GELU("tanh"), lambda x: F.gelu(x, approximate="tanh")), (nn.SiLU(), F.silu),
    (nn.Mish(), F.mish), (nn.Sigmoid(), F.sigmoid), (nn.Tanh(), F.tanh),
    (nn.Softmax(1), lambda x: F.softmax(x, 1)), (nn.LogSoftmax(1), lambda x: F.log_softmax(x, 1)),
    (nn.Softmin(1), lambda x: F.softmin(x, 1)),
    (nn.Softplus(2, 10), lambda x: F.softplus(x, 2, 10)),
    (nn.Softsign(), F.softsign), (nn.Hardtanh(-2, 2), lambda x: F.hardtanh(x, -2, 2)),
    (nn.ReLU6(), F.relu6), (nn.Hardsigmoid(), F.hardsigmoid), (nn.Hardswish(), F.hardswish),
    (nn.Tanhshrink(), F.tanhshrink), (nn.Threshold(0.1, 20), lambda x: F.threshold(x, 0.1, 20)),
    (nn.LogSigmoid(), F.logsigmoid), (nn.GLU(), F.glu), (nn.Hardshrink(), F.hardshrink),
    (nn.Softshrink(0.3), lambda x: F.softshrink(x, 0.3)),
]


@pytest.mark.parametrize("mod,fn", FORWARD, ids=[repr(f[0]) for f in FORWARD])
def test_forward_equals_functional(mod, fn):
    x = ember.randn(3, 4)
    np.testing.assert_array_equal(mod(x).numpy(), fn(x).numpy())
    assert mod.training and not list(mod.parameters())


def test_inplace_modules_modify_their_input():
    for mod in (nn.ReLU(True), nn.LeakyReLU(0.1, True), nn.ELU(inplace=True), nn.SELU(True),
                nn.CELU(inplace=True), nn.SiLU(True), nn.Mish(True), nn.Hardtanh(inplace=True),
                nn.ReLU6(True), nn.Hardsigmoid(True), nn.Hardswish(True),
                nn.Threshold(0.0, -1.0, True), nn.RReLU(inplace=True)):
        x = T([-2.0, -0.5, 0.5, 2.0])
        assert mod(x) is x
        assert mod.inplace is True
    x = T([-1.0, 1.0])
    assert nn.ReLU()(x) is not x
    np.testing.assert_array_equal(x.numpy(), [-1, 1])


def test_prelu_parameter_learns():
    m = nn.PReLU(3, init=0.1)
    assert isinstance(m.weight, nn.Parameter) and m.weight.shape == (3,)
    np.testing.assert_allclose(m.weight.detach().numpy(), 0.1, rtol=1e-6)
    assert list(m.state_dict()) == ["weight"]
    x = T([[-1.0, -2.0, 3.0], [-1.0, 1.0, -1.0]])
    y = m(x)
    np.testing.assert_allclose(y.detach().numpy(), [[-0.1, -0.2, 3.0], [-0.1, 1.0, -0.1]],
                               rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(m.weight.grad.numpy(), [-2.0, -2.0, -1.0])
    assert nn.PReLU(dtype=ember.float64).weight.dtype is ember.float64


def test_rrelu_random_in_training_fixed_in_eval():
    m = nn.RReLU(0.1, 0.3)
    x = -ember.ones(10000)
    ember.manual_seed(0)
    slopes = -m(x).numpy()
    assert 0.1 <= slopes.min() and slopes.max() <= 0.3 and slopes.std() > 0.03
    m.eval()
    np.testing.assert_allclose(-m(x).numpy(), 0.2, rtol=1e-6)


def test_constructor_checks():
    with pytest.raises(AssertionError, match=r"max_val \(-1.0\) must be greater than min_val"):
        nn.Hardtanh(1.0, -1.0)
    with pytest.warns(FutureWarning, match="min_value"):
        m = nn.Hardtanh(min_value=-3.0)
    assert m.min_val == -3.0
    with pytest.raises(ValueError, match="Softmax2d: expected input to be 3D or 4D, got 2D"):
        nn.Softmax2d()(ember.ones(2, 3))
    y = nn.Softmax2d()(ember.randn(2, 3, 4, 4))
    np.testing.assert_allclose(y.sum(1).numpy(), 1, rtol=1e-5)


def test_in_sequential_and_backward():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.LogSoftmax(dim=1))
    x = ember.randn(5, 4)
    out = model(x)
    assert out.shape == (5, 3)
    np.testing.assert_allclose(np.exp(out.detach().numpy()).sum(1), 1, rtol=1e-5)
    F.nll_loss(out, T([0, 1, 2, 0, 1])).backward()
    assert all(p.grad is not None for p in model.parameters())
    assert "(1): ReLU()" in repr(model) and "(3): LogSoftmax(dim=1)" in repr(model)
