"""Dropout modules: reprs, p checks, train/eval behaviour, statistics, channel-wise masks and
reproducibility with ember.manual_seed."""
import numpy as np
import pytest

import ember
import ember.nn as nn


@pytest.mark.parametrize("cls", [nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d,
                                 nn.AlphaDropout, nn.FeatureAlphaDropout])
def test_repr_and_probability_check(cls):
    name = cls.__name__
    assert repr(cls()) == f"{name}(p=0.5, inplace=False)"
    assert repr(cls(0.1, True)) == f"{name}(p=0.1, inplace=True)"
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match=f"dropout probability has to be between 0 and 1, "
                                             f"but got {bad}"):
            cls(bad)


def test_dropout_train_and_eval():
    m = nn.Dropout(0.25)
    x = ember.ones(100000)
    ember.manual_seed(0)
    y = m(x).numpy()
    assert abs((y == 0).mean() - 0.25) < 0.01
    np.testing.assert_allclose(y[y != 0], 1 / 0.75, rtol=1e-6)
    assert abs(y.mean() - 1) < 0.02
    m.eval()
    assert m(x) is x
    m.train()
    assert m(x) is not x


def test_dropout_reproducible_and_inplace():
    m = nn.Dropout(0.5)
    x = ember.ones(10, 10)
    ember.manual_seed(7)
    a = m(x).numpy()
    ember.manual_seed(7)
    b = m(x).numpy()
    np.testing.assert_array_equal(a, b)
    mi = nn.Dropout(0.5, inplace=True)
    z = ember.ones(10, 10)
    ember.manual_seed(7)
    assert mi(z) is z
    np.testing.assert_array_equal(z.numpy(), a)


def test_dropout2d_drops_channels_and_keeps_gradient_mask():
    m = nn.Dropout2d(0.5)
    ember.manual_seed(1)
    x = ember.ones(4, 6, 3, 3, requires_grad=True)
    y = m(x)
    y.sum().backward()
    ch = y.detach().numpy().reshape(4, 6, -1)
    assert np.all((ch == 0).all(-1) | (ch == 2).all(-1))
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())


def test_alpha_dropout_train_eval():
    m = nn.AlphaDropout(0.3)
    ember.manual_seed(3)
    x = ember.randn(200000)
    y = m(x).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
    m.eval()
    assert m(x) is x


def test_dropout_in_a_model_eval_is_deterministic():
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 1))
    x = ember.randn(4, 8)
    model.eval()
    np.testing.assert_array_equal(model(x).detach().numpy(), model(x).detach().numpy())
    model.train()
    assert not np.array_equal(model(x).detach().numpy(), model(x).detach().numpy())
