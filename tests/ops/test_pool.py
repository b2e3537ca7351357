"""Pooling (ember/ops/pool.py): values on hand-checkable inputs (ties, padding, ceil_mode,
count_include_pad, indices), errors, and float64 gradient checks over kernel/stride/padding/
dilation/ceil_mode combinations."""
import numpy as np
import pytest

import ember
from helpers import check_grad

T = ember.tensor
F = ember.nn.functional


def vals(t):
    return np.asarray(t._data)


def distinct(*shape, seed=0):
    """Values with no ties (finite differences across a tie have no derivative)."""
    rng = np.random.default_rng(seed)
    return rng.permutation(np.prod(shape)).reshape(shape) / 7.0 + rng.uniform(0, 0.01, shape)


# ----------------------------------------------------------------------------- values


def test_max_pool_values_indices_and_ties():
    x = T(np.arange(16.0).reshape(1, 1, 4, 4))
    y, i = F.max_pool2d(x, 2, return_indices=True)
    np.testing.assert_allclose(vals(y)[0, 0], [[5, 7], [13, 15]])
    assert vals(i)[0, 0].tolist() == [[5, 7], [13, 15]] and i.dtype == ember.int64
    # ties: the first maximum of the window (row-major) gets the index and the gradient
    t = T(np.array([[[[1.0, 1.0], [1.0, 0.0]]]]), requires_grad=True)
    y, i = F.max_pool2d(t, 2, return_indices=True)
    assert vals(i).ravel().tolist() == [0]
    y.sum().backward()
    np.testing.assert_allclose(vals(t.grad)[0, 0], [[1, 0], [0, 0]])


def test_max_pool_padding_ceil_dilation():
    x = T(np.arange(25.0).reshape(1, 1, 5, 5))
    y = F.max_pool2d(x, 3, stride=2, padding=1)
    np.testing.assert_allclose(vals(y)[0, 0], [[6, 8, 9], [16, 18, 19], [21, 23, 24]])
    assert F.max_pool2d(x, 2).shape == (1, 1, 2, 2)
    assert F.max_pool2d(x, 2, ceil_mode=True).shape == (1, 1, 3, 3)
    np.testing.assert_allclose(vals(F.max_pool2d(x, 2, ceil_mode=True))[0, 0, 2], [21, 23, 24])
    y = F.max_pool2d(x, 2, stride=1, dilation=2)
    np.testing.assert_allclose(vals(y)[0, 0], [[12, 13, 14], [17, 18, 19], [22, 23, 24]])
    np.testing.assert_allclose(vals(F.max_pool1d(T([[1.0, 3.0, 2.0, 5.0, 4.0]]), 2)),
                               [[3, 5]])


def test_max_pool_nan_propagates():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    x[0, 0, 0, 1] = np.nan
    t = T(x, requires_grad=True)
    y, i = F.max_pool2d(t, 2, return_indices=True)
    assert np.isnan(vals(y)[0, 0, 0, 0]) and vals(i)[0, 0, 0, 0] == 1
    y.sum().backward()
    assert vals(t.grad)[0, 0, 0, 1] == 1 and vals(t.grad)[0, 0, 1, 1] == 0


def test_avg_pool_values():
    x = T(np.arange(16.0).reshape(1, 1, 4, 4))
    np.testing.assert_allclose(vals(F.avg_pool2d(x, 2))[0, 0], [[2.5, 4.5], [10.5, 12.5]])
    ones = T(np.ones((1, 1, 3, 3)))
    # count_include_pad: the corner window covers 4 ones out of 9 places
    np.testing.assert_allclose(vals(F.avg_pool2d(ones, 3, 1, 1))[0, 0, 0, 0], 4 / 9)
    np.testing.assert_allclose(vals(F.avg_pool2d(ones, 3, 1, 1, count_include_pad=False)), 1)
    np.testing.assert_allclose(vals(F.avg_pool2d(ones, 3, 1, 1, divisor_override=2))[0, 0, 1, 1],
                               4.5)
    # ceil_mode: the last window is clipped to the input (divisor counts the padded extent)
    y = F.avg_pool2d(T(np.arange(5.0).reshape(1, 1, 1, 5)), (1, 2), ceil_mode=True)
    np.testing.assert_allclose(vals(y).ravel(), [0.5, 2.5, 4])
    np.testing.assert_allclose(vals(F.avg_pool1d(T([[1.0, 3.0, 2.0, 6.0]]), 2)), [[2, 4]])


def test_adaptive_pools_values():
    x = T(np.arange(20.0).reshape(1, 1, 4, 5))
    # windows [0,2)x[0,3) [0,2)x[2,5) [2,4)x[0,3) [2,4)x[2,5) for a 2x2 output of 4x5
    np.testing.assert_allclose(vals(F.adaptive_avg_pool2d(x, 2))[0, 0], [[3.5, 5.5], [13.5, 15.5]])
    y, i = F.adaptive_max_pool2d(x, 2, return_indices=True)
    np.testing.assert_allclose(vals(y)[0, 0], [[7, 9], [17, 19]])
    assert vals(i)[0, 0].tolist() == [[7, 9], [17, 19]]
    y = F.adaptive_avg_pool2d(x, (None, 1))
    np.testing.assert_allclose(vals(y)[0, 0, :, 0], [2, 7, 12, 17])
    assert type(F.adaptive_avg_pool2d(T(np.ones((1, 2, 3, 3)), requires_grad=True), 1)
                .grad_fn).__name__ == "MeanBackward1"
    np.testing.assert_allclose(vals(F.adaptive_avg_pool1d(T([[1.0, 2.0, 3.0, 4.0]]), 2)),
                               [[1.5, 3.5]])
    v, idx = ember.adaptive_max_pool1d(T([[1.0, 5.0, 3.0, 4.0]]), 2)
    assert vals(v).tolist() == [[5, 4]] and vals(idx).tolist() == [[1, 3]]


def test_max_unpool_roundtrip():
    x = T(np.arange(16.0).reshape(1, 1, 4, 4))
    y, i = F.max_pool2d(x, 2, return_indices=True)
    u = F.max_unpool2d(y, i, 2)
    expect = np.zeros((4, 4))
    expect[1, 1], expect[1, 3], expect[3, 1], expect[3, 3] = 5, 7, 13, 15
    np.testing.assert_allclose(vals(u)[0, 0], expect)
    assert F.max_unpool2d(y, i, 2, output_size=(5, 5)).shape == (1, 1, 5, 5)
    y1, i1 = F.max_pool1d(T([[[1.0, 3.0, 2.0, 5.0]]]), 2, return_indices=True)
    np.testing.assert_allclose(vals(F.max_unpool1d(y1, i1, 2)), [[[0, 3, 0, 5]]])


def test_lp_pool():
    x = T(np.array([[[[3.0, 4.0], [0.0, 0.0]]]]))
    np.testing.assert_allclose(vals(F.lp_pool2d(x, 2, 2)), [[[[5.0]]]], rtol=1e-6)
    np.testing.assert_allclose(vals(F.lp_pool1d(T([[[3.0, 4.0]]]), 2, 2)), [[[5.0]]], rtol=1e-6)


def test_int_input_and_registration():
    xi = T(np.arange(16).reshape(1, 1, 4, 4))
    assert F.max_pool2d(xi, 2).dtype == ember.int64
    assert vals(F.avg_pool2d(xi * 3 - 20, 3, 1, 1))[0, 0, 0, 0] == -5   # truncates like torch
    assert ember.max_pool2d(T(np.ones((1, 1, 2, 2))), 2).shape == (1, 1, 1, 1)
    assert ember.max_pool1d(T(np.ones((1, 1, 4))), 2, 2).shape == (1, 1, 2)
    assert ember.avg_pool1d(T(np.ones((1, 1, 4))), 2).shape == (1, 1, 2)


def test_pool_errors():
    x = T(np.ones((1, 3, 8, 8)))
    with pytest.raises(RuntimeError, match="pad should be at most half of effective kernel"):
        F.max_pool2d(x, 3, padding=2)
    with pytest.raises(RuntimeError, match="Output size is too small"):
        F.max_pool2d(x, 9)
    with pytest.raises(RuntimeError, match="stride should not be zero"):
        F.max_pool2d(x, 2, stride=0)
    with pytest.raises(RuntimeError, match=r"Expected 3D or 4D tensor, but got \[8\]"):
        F.adaptive_avg_pool2d(T(np.ones(8)), 2)
    y, i = F.max_pool2d(T(np.ones((1, 1, 8, 7))), 2, return_indices=True)
    with pytest.raises(RuntimeError, match="Found an invalid max index"):
        F.max_unpool2d(y, i * 10, 2)


# ----------------------------------------------------------------------------- gradients


@pytest.mark.parametrize("shape,k,s,p,d,ceil", [
    ((2, 2, 6, 6), 2, None, 0, 1, False),
    ((1, 2, 7, 5), 3, 2, 1, 1, True),
    ((1, 1, 7, 7), (2, 3), (1, 2), (1, 0), 2, False),
    ((2, 5, 5), 3, 1, 1, 1, False),
])
def test_max_pool2d_gradcheck(shape, k, s, p, d, ceil):
    check_grad(lambda x: F.max_pool2d(x, k, s, p, d, ceil), distinct(*shape))


@pytest.mark.parametrize("shape,k,s,p,ceil,cip,div", [
    ((2, 2, 6, 6), 2, None, 0, False, True, None),
    ((1, 2, 7, 5), 3, 2, 1, True, False, None),
    ((1, 1, 5, 6), (2, 3), (1, 2), (1, 1), False, True, 4),
])
def test_avg_pool2d_gradcheck(shape, k, s, p, ceil, cip, div):
    check_grad(lambda x: F.avg_pool2d(x, k, s, p, ceil, cip, div), distinct(*shape))


def test_pool1d_and_adaptive_gradcheck():
    check_grad(lambda x: F.max_pool1d(x, 3, 2, 1), distinct(2, 2, 9))
    check_grad(lambda x: F.avg_pool1d(x, 3, 2, 1, True, False), distinct(2, 2, 9))
    for out in (3, (2, 4), 1):
        check_grad(lambda x: F.adaptive_avg_pool2d(x, out), distinct(1, 2, 5, 7))
        check_grad(lambda x: F.adaptive_max_pool2d(x, out), distinct(1, 2, 5, 7))
    check_grad(lambda x: F.adaptive_avg_pool1d(x, 3), distinct(2, 2, 7))
    check_grad(lambda x: F.adaptive_max_pool1d(x, 3), distinct(2, 2, 7))
    check_grad(lambda x: F.lp_pool2d(x, 2, 2), distinct(1, 2, 4, 4) + 1)


def test_max_unpool_gradcheck():
    x = T(distinct(1, 2, 4, 6))
    y, i = F.max_pool2d(x, 2, return_indices=True)
    check_grad(lambda v: F.max_unpool2d(v, i, 2), vals(y))
