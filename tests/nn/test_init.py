"""nn.init: formulas of PyTorch's initialisers, checked on large tensors' statistics."""
import math

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.nn import init


def test_calculate_gain_table():
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("selu") == 0.75 and init.calculate_gain("conv2d") == 1
    with pytest.raises(ValueError):
        init.calculate_gain("nope")


def test_kaiming_uniform_bound_matches_formula():
    w = ember.empty(400, 300)
    init.kaiming_uniform_(w, a=math.sqrt(5))
    bound = math.sqrt(3) * math.sqrt(2 / (1 + 5)) / math.sqrt(300)   # = 1/sqrt(fan_in)
    a = w.numpy()
    assert a.max() <= bound and a.min() >= -bound
    assert a.max() > 0.98 * bound and a.min() < -0.98 * bound
    assert w.dtype == ember.float32


def test_normal_family_std():
    w = ember.empty(500, 400)
    init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert w.numpy().std() == pytest.approx(math.sqrt(2 / 500), rel=0.02)
    init.xavier_normal_(w, gain=2.0)
    assert w.numpy().std() == pytest.approx(2 * math.sqrt(2 / 900), rel=0.02)
    init.xavier_uniform_(w)
    bound = math.sqrt(6 / 900)
    assert np.abs(w.numpy()).max() <= bound
    init.normal_(w, 3.0, 0.5)
    assert w.numpy().mean() == pytest.approx(3.0, abs=0.01)


def test_constant_zeros_ones_eye_orthogonal():
    w = ember.empty(3, 5)
    assert (init.constant_(w, 0.3).numpy() == np.float32(0.3)).all()
    assert init.zeros_(w).numpy().sum() == 0 and init.ones_(w).numpy().sum() == 15
    np.testing.assert_array_equal(init.eye_(w).numpy(), np.eye(3, 5))
    q = init.orthogonal_(ember.empty(6, 4)).numpy()
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)
    q = init.orthogonal_(ember.empty(3, 7), gain=2).numpy()
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(3), atol=1e-5)


def test_fan_errors_and_no_graph():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(ember.empty(3))
    p = nn.Parameter(ember.empty(4, 4))
    init.uniform_(p, -1, 1)
    assert p.is_leaf and p.grad_fn is None


def test_linear_default_init_distribution():
    ember.manual_seed(0)
    lin = nn.Linear(1000, 200)
    bound = 1 / math.sqrt(1000)
    w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # uniform on [-bound, bound] has std bound/sqrt(3)
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)


def test_seed_reproducible():
    ember.manual_seed(5)
    a = nn.Linear(4, 4).weight.detach().numpy().copy()
    ember.manual_seed(5)
    b = nn.Linear(4, 4).weight.detach().numpy()
    np.testing.assert_array_equal(a, b)
