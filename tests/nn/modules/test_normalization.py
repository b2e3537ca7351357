"""LayerNorm, GroupNorm, LocalResponseNorm layers: reprs, parameters, forward statistics."""
import numpy as np
import pytest

import ember
import ember.nn as nn


def test_layer_norm_layer():
    m = nn.LayerNorm(5)
    assert repr(m) == "LayerNorm((5,), eps=1e-05, elementwise_affine=True, bias=True)"
    assert m.weight.shape == (5,) and list(m.state_dict()) == ["weight", "bias"]
    y = m(ember.randn(3, 4, 5) * 4 + 2).detach().numpy()
    np.testing.assert_allclose(y.mean(-1), 0, atol=1e-5)
    m2 = nn.LayerNorm([4, 5], elementwise_affine=False)
    assert m2.weight is None and repr(m2) == ("LayerNorm((4, 5), eps=1e-05, "
                                              "elementwise_affine=False, bias=False)")


def test_group_norm_and_lrn_layers():
    m = nn.GroupNorm(2, 4)
    assert repr(m) == "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"
    y = m(ember.randn(2, 4, 3, 3) + 5).detach().numpy().reshape(2, 2, -1)
    np.testing.assert_allclose(y.mean(-1), 0, atol=1e-5)
    with pytest.raises(ValueError, match="num_channels \\(5\\) must be divisible by num_groups"):
        nn.GroupNorm(2, 5)
    lrn = nn.LocalResponseNorm(2)
    assert repr(lrn) == "LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)"
    assert lrn(ember.randn(2, 4, 3, 3)).shape == (2, 4, 3, 3)
