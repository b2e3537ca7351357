"""BatchNorm layers (ember/nn/modules/batchnorm.py): reprs, buffers and state_dict keys,
running-statistic updates (momentum and cumulative average), eval mode, input checks."""
import numpy as np
import pytest

import ember
import ember.nn as nn


def test_repr_buffers_state_dict():
    m = nn.BatchNorm2d(16)
    assert repr(m) == ("BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, bias=True, "
                       "track_running_stats=True)")
    assert list(m.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                    "num_batches_tracked"]
    assert m.num_batches_tracked.dtype == ember.int64 and m.num_batches_tracked.item() == 0
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]
    m = nn.BatchNorm1d(3, affine=False, track_running_stats=False)
    assert repr(m) == ("BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, "
                       "track_running_stats=False)")
    assert m.weight is None and m.running_mean is None and list(m.state_dict()) == []


def test_training_updates_running_stats_and_eval_uses_them():
    ember.manual_seed(0)
    m = nn.BatchNorm2d(3)
    x = ember.randn(4, 3, 5, 5) * 2 + 3
    y = m(x)
    xa = x.numpy().astype(np.float64)
    mean, var = xa.mean((0, 2, 3)), xa.var((0, 2, 3), ddof=1)
    np.testing.assert_allclose(m.running_mean.numpy(), 0.1 * mean, rtol=1e-5)
    np.testing.assert_allclose(m.running_var.numpy(), 0.9 + 0.1 * var, rtol=1e-5)
    assert m.num_batches_tracked.item() == 1
    np.testing.assert_allclose(y.detach().numpy().mean((0, 2, 3)), 0, atol=1e-5)
    m.eval()
    y = m(x).detach().numpy()
    expect = (xa - 0.1 * mean[:, None, None]) / np.sqrt(0.9 + 0.1 * var[:, None, None] + 1e-5)
    np.testing.assert_allclose(y, expect, rtol=1e-4, atol=1e-5)
    assert m.num_batches_tracked.item() == 1


def test_momentum_none_is_cumulative_average():
    m = nn.BatchNorm1d(2, momentum=None)
    batches = [ember.randn(6, 2) + i for i in range(3)]
    for b in batches:
        m(b)
    means = [b.numpy().mean(0) for b in batches]
    np.testing.assert_allclose(m.running_mean.numpy(), np.mean(means, 0), rtol=1e-5)
    assert m.num_batches_tracked.item() == 3


def test_no_tracking_uses_batch_stats_in_eval():
    m = nn.BatchNorm1d(2, track_running_stats=False).eval()
    y = m(ember.randn(8, 2) * 5 + 3).detach().numpy()
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-5)


def test_input_checks_and_old_state_dicts():
    with pytest.raises(ValueError, match="expected 4D input \\(got 3D input\\)"):
        nn.BatchNorm2d(3)(ember.randn(2, 3, 4))
    with pytest.raises(ValueError, match="expected 2D or 3D input \\(got 4D input\\)"):
        nn.BatchNorm1d(3)(ember.randn(2, 3, 4, 4))
    with pytest.raises(ValueError, match="expected 5D input"):
        nn.BatchNorm3d(3)(ember.randn(2, 3, 4, 4))
    m = nn.BatchNorm2d(2)
    sd = {k: v for k, v in nn.BatchNorm2d(2).state_dict().items() if k != "num_batches_tracked"}
    m.load_state_dict(sd)      # checkpoints older than the counter still load
