"""InstanceNorm layers (ember/nn/modules/instancenorm.py): reprs, unbatched input, per-sample
normalisation, running statistics when tracked."""
import numpy as np
import pytest

import ember
import ember.nn as nn


def test_instance_norm_layers():
    m = nn.InstanceNorm2d(3)
    assert repr(m) == ("InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, "
                       "track_running_stats=False)")
    x = ember.randn(2, 3, 4, 5) * 3 + 1
    y = m(x).numpy()
    np.testing.assert_allclose(y.mean((2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(y.var((2, 3)), 1, atol=1e-3)
    np.testing.assert_allclose(m(x[0]).numpy(), y[0], rtol=1e-5, atol=1e-6)
    t = nn.InstanceNorm1d(2, affine=True, track_running_stats=True)
    t(ember.randn(3, 2, 6))
    assert t.num_batches_tracked.item() == 0 and t.running_mean.abs().sum().item() > 0
    assert list(t.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                    "num_batches_tracked"]
    with pytest.raises(ValueError, match="expected input's size at dim=1 to match num_features"):
        t(ember.randn(3, 4, 6))
    with pytest.raises(ValueError, match="expected 4D or 5D input"):
        nn.InstanceNorm3d(2)(ember.randn(2, 2, 3))
