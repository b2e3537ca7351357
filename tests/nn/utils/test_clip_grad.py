"""Gradient clipping and parameter/vector conversion."""
import math

import numpy as np
import pytest

import ember
from ember.nn.utils import (clip_grad_norm_, clip_grad_value_, parameters_to_vector,
                            vector_to_parameters)


def _params_with_grads(*grads):
    ps = []
    for g in grads:
        p = ember.nn.Parameter(ember.zeros(len(g)))
        p.grad = ember.tensor(g)
        ps.append(p)
    return ps


def test_clip_grad_norm_scales_when_above():
    ps = _params_with_grads([3.0, 0.0], [0.0, 4.0])
    total = clip_grad_norm_(ps, max_norm=1.0)
    assert total.item() == pytest.approx(5.0)
    new = math.sqrt(sum(float((p.grad.numpy() ** 2).sum()) for p in ps))
    assert new == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(ps[0].grad.numpy(), [0.6, 0.0], rtol=1e-5)


def test_clip_grad_norm_leaves_small_and_inf_norm():
    ps = _params_with_grads([0.3, -0.4])
    clip_grad_norm_(ps, 1.0)
    np.testing.assert_allclose(ps[0].grad.numpy(), [0.3, -0.4])
    ps = _params_with_grads([1.0, -6.0], [2.0])
    assert clip_grad_norm_(ps, 3.0, norm_type=float("inf")).item() == 6.0
    np.testing.assert_allclose(ps[0].grad.numpy(), [0.5, -3.0], rtol=1e-5)


def test_clip_grad_norm_nonfinite_error():
    ps = _params_with_grads([float("nan"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)


def test_clip_grad_value_and_skips_missing_grads():
    ps = _params_with_grads([5.0, -0.5, -7.0])
    ps.append(ember.nn.Parameter(ember.zeros(2)))   # no grad: skipped
    clip_grad_value_(ps, 1.0)
    np.testing.assert_array_equal(ps[0].grad.numpy(), [1.0, -0.5, -1.0])


def test_parameters_vector_roundtrip():
    ps = [ember.nn.Parameter(ember.tensor([[1.0, 2.0], [3.0, 4.0]])),
          ember.nn.Parameter(ember.tensor([5.0]))]
    v = parameters_to_vector(ps)
    np.testing.assert_array_equal(v.numpy(), [1, 2, 3, 4, 5])
    vector_to_parameters(v * 2, ps)
    np.testing.assert_array_equal(ps[0].detach().numpy(), [[2, 4], [6, 8]])
    assert ps[1].item() == 10.0
