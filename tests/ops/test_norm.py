"""Normalisation kernels (ember/ops/norm.py): batch norm statistics and running-stat updates,
eval mode, layer/group/instance/local-response norm values, errors, and float64 gradient
checks of every kernel on several shapes."""
import numpy as np
import pytest

import ember
from helpers import check_grad

T = ember.tensor
F = ember.nn.functional


def vals(t):
    return np.asarray(t._data)


def rnd(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def test_batch_norm_training_values_and_running_stats():
    x = rnd(4, 3, 5) * 2 + 1
    rm, rv = T(np.zeros(3)), T(np.ones(3))
    y = F.batch_norm(T(x), rm, rv, training=True, momentum=0.25, eps=1e-5)
    mean = x.mean(axis=(0, 2))
    var = x.var(axis=(0, 2))
    expect = (x - mean[:, None]) / np.sqrt(var[:, None] + 1e-5)
    np.testing.assert_allclose(vals(y), expect, rtol=1e-10)
    np.testing.assert_allclose(vals(rm), 0.25 * mean, rtol=1e-12)
    np.testing.assert_allclose(vals(rv), 0.75 + 0.25 * x.var(axis=(0, 2), ddof=1), rtol=1e-12)
    assert rm._version[0] == 1


def test_batch_norm_eval_and_affine():
    x = rnd(2, 3, 2, 2)
    rm, rv = T(np.array([0.5, -1.0, 2.0])), T(np.array([4.0, 1.0, 0.25]))
    w, b = T(np.array([1.0, 2.0, -1.0])), T(np.array([0.0, 1.0, 3.0]))
    y = F.batch_norm(T(x), rm, rv, w, b, training=False, eps=0.0)
    expect = (x - vals(rm)[:, None, None]) / np.sqrt(vals(rv))[:, None, None] \
        * vals(w)[:, None, None] + vals(b)[:, None, None]
    np.testing.assert_allclose(vals(y), expect, rtol=1e-12)
    np.testing.assert_allclose(vals(rm), [0.5, -1.0, 2.0])            # untouched in eval


def test_batch_norm_float32_large_mean_is_accurate():
    x = (rnd(8, 2, 64) * 0.01 + 1000).astype(np.float32)   # var << mean**2: two-pass fallback
    y = vals(F.batch_norm(T(x), None, None, training=True))
    xd = x.astype(np.float64)
    ref = (xd - xd.mean((0, 2))[:, None]) / np.sqrt(xd.var((0, 2))[:, None] + 1e-5)
    np.testing.assert_allclose(y, ref, atol=5e-3)   # PyTorch: 3.2e-3 on this input
    assert y.dtype == np.float32


def test_layer_group_instance_values():
    x = rnd(2, 4, 3)
    y = vals(F.layer_norm(T(x), (3,), eps=0.0))
    ref = (x - x.mean(-1, keepdims=True)) / x.std(-1, keepdims=True)
    np.testing.assert_allclose(y, ref, rtol=1e-10)
    y = vals(F.layer_norm(T(x), (4, 3), T(np.full((4, 3), 2.0)), T(np.ones((4, 3))), eps=0.0))
    flat = x.reshape(2, -1)
    ref = ((flat - flat.mean(1, keepdims=True)) / flat.std(1, keepdims=True)).reshape(x.shape)
    np.testing.assert_allclose(y, 2 * ref + 1, rtol=1e-10)
    g = x.reshape(2, 2, 6)
    ref = ((g - g.mean(-1, keepdims=True)) / g.std(-1, keepdims=True)).reshape(x.shape)
    np.testing.assert_allclose(vals(F.group_norm(T(x), 2, eps=0.0)), ref, rtol=1e-10)
    ref = (x - x.mean(-1, keepdims=True)) / x.std(-1, keepdims=True)
    np.testing.assert_allclose(vals(F.instance_norm(T(x), eps=0.0)), ref, rtol=1e-10)


def test_instance_norm_running_stats_average_over_batch():
    x = rnd(3, 2, 5)
    rm, rv = T(np.zeros(2)), T(np.ones(2))
    F.instance_norm(T(x), rm, rv, use_input_stats=True, momentum=0.5)
    np.testing.assert_allclose(vals(rm), 0.5 * x.mean(-1).mean(0), rtol=1e-12)
    np.testing.assert_allclose(vals(rv), 0.5 + 0.5 * x.var(-1, ddof=1).mean(0), rtol=1e-12)


def test_local_response_norm_values():
    x = rnd(1, 4, 2)
    size, a, b, k = 3, 0.5, 0.75, 2.0
    y = vals(F.local_response_norm(T(x), size, a, b, k))
    sq = np.pad(x ** 2, ((0, 0), (1, 1), (0, 0)))
    s = sq[:, :-2] + sq[:, 1:-1] + sq[:, 2:]
    np.testing.assert_allclose(y, x / (k + a / size * s) ** b, rtol=1e-12)


def test_norm_errors():
    x = T(rnd(2, 3, 4))
    with pytest.raises(RuntimeError, match="running_mean should contain 3 elements not 4"):
        F.batch_norm(x, T(np.zeros(4)), T(np.ones(4)))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        F.batch_norm(T(rnd(1, 3)), None, None, training=True)
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[5\]"):
        F.layer_norm(x, (5,))
    with pytest.raises(RuntimeError, match="divisible by num_groups"):
        F.group_norm(x, 2)
    with pytest.raises(ValueError, match="Expected 3D or higher dimensionality"):
        F.local_response_norm(T(rnd(3, 4)), 2)
    with pytest.raises(RuntimeError, match="not implemented for 'Long'"):
        F.batch_norm(T(np.ones((2, 3), np.int64)), None, None, training=True)


# ----------------------------------------------------------------------------- gradients


@pytest.mark.parametrize("shape", [(4, 3), (3, 2, 5), (2, 3, 2, 3)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradcheck(shape, training):
    C = shape[1]
    rm, rv = T(rnd(C, seed=3)), T(np.abs(rnd(C, seed=4)) + 0.5)
    check_grad(lambda x, w, b: F.batch_norm(x, rm.clone(), rv.clone(), w, b, training, 0.1, 1e-3),
               rnd(*shape), rnd(C, seed=1), rnd(C, seed=2))
    check_grad(lambda x: F.batch_norm(x, rm.clone(), rv.clone(), None, None, training),
               rnd(*shape))


@pytest.mark.parametrize("shape,ns", [((4, 3), (3,)), ((2, 3, 4), (3, 4)), ((5,), (5,))])
def test_layer_norm_gradcheck(shape, ns):
    check_grad(lambda x, w, b: F.layer_norm(x, ns, w, b, 1e-3), rnd(*shape), rnd(*ns, seed=1),
               rnd(*ns, seed=2))
    check_grad(lambda x: F.layer_norm(x, ns), rnd(*shape))


@pytest.mark.parametrize("shape,G", [((3, 4), 2), ((2, 6, 3), 3), ((2, 4, 2, 2), 1)])
def test_group_norm_gradcheck(shape, G):
    C = shape[1]
    check_grad(lambda x, w, b: F.group_norm(x, G, w, b, 1e-3), rnd(*shape), rnd(C, seed=1),
               rnd(C, seed=2))


def test_instance_and_lrn_gradcheck():
    check_grad(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), rnd(2, 3, 4),
               rnd(3, seed=1), rnd(3, seed=2))
    check_grad(lambda x: F.instance_norm(x), rnd(2, 2, 2, 3))
    for shape, size in (((2, 5, 3), 2), ((1, 4, 2, 2), 3), ((1, 3, 2), 5)):
        check_grad(lambda x: F.local_response_norm(x, size, 0.3, 0.75, 1.5), rnd(*shape))
