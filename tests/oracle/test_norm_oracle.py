"""Normalisation against PyTorch 2.13: batch/layer/group/instance/local-response norm values and
gradients on hypothesis-drawn shapes, running statistics of the layers over several steps
(momentum and cumulative average, train/eval switches), grad_fn names, errors and reprs."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

import ember  # noqa: E402
import ember.nn as enn  # noqa: E402
from helpers import compare_with_torch  # noqa: E402

pytestmark = pytest.mark.oracle
EF = ember.nn.functional
TF = torch.nn.functional
SOME = settings(max_examples=25, deadline=None)
# float64 checks the formulas tightly; in float32 a normalised gradient is a difference of
# O(1) terms scaled by 1/std, so a few rows of random data land at ~1e-4 absolute error in
# both frameworks (PyTorch accumulates in double on CPU, ember in float32)
TOL = {np.float32: dict(rtol=1e-3, atol=1e-3), np.float64: dict(rtol=1e-6, atol=1e-6)}
DT = st.sampled_from([np.float32, np.float64])
SEED = st.integers(0, 2 ** 31)


def data(seed, shape, dt, scale=2.0, shift=1.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale + shift).astype(dt)


@SOME
@given(st.integers(2, 4), st.integers(1, 4), st.lists(st.integers(1, 4), max_size=2),
       st.booleans(), st.booleans(), DT, SEED)
def test_batch_norm(n, c, sp, training, affine, dt, seed):
    if n * int(np.prod(sp)) < 3:
        sp = [3]                     # 1-2 values per channel: var ~ 0, gradient ill-posed
    x = data(seed, (n, c, *sp), dt)
    rng = np.random.default_rng(seed + 1)
    w, b = rng.standard_normal(c).astype(dt), rng.standard_normal(c).astype(dt)
    stats = (rng.standard_normal(c).astype(dt), (rng.random(c) + 0.5).astype(dt))
    bufs = {}

    def run(F, T):
        def f(x, w, b):
            rm, rv = T(stats[0].copy()), T(stats[1].copy())
            bufs[F] = (rm, rv)
            return F.batch_norm(x, rm, rv, w if affine else None, b if affine else None,
                                training, 0.3, 1e-3)
        return f
    e, t = compare_with_torch(run(EF, ember.tensor), run(TF, torch.tensor), x, w, b, **TOL[dt])
    assert type(e[0].grad_fn).__name__ == type(t[0].grad_fn).__name__
    for eb, tb in zip(bufs[EF], bufs[TF]):
        np.testing.assert_allclose(eb.numpy(), tb.numpy(), **TOL[dt])


@SOME
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.integers(1, 3), st.booleans(),
       DT, SEED)
def test_layer_norm(shape, k, affine, dt, seed):
    k = min(k, len(shape))
    if int(np.prod(shape[-k:])) < 3:        # 1-2 values per row: var ~ 0, gradient ill-posed
        shape = shape[:-1] + [3]
    ns = tuple(shape[-k:])
    x = data(seed, shape, dt)
    rng = np.random.default_rng(seed + 1)
    w, b = rng.standard_normal(ns).astype(dt), rng.standard_normal(ns).astype(dt)
    compare_with_torch(
        lambda x, w, b: EF.layer_norm(x, ns, w if affine else None, b if affine else None),
        lambda x, w, b: TF.layer_norm(x, ns, w if affine else None, b if affine else None),
        x, w, b, **TOL[dt])


@SOME
@given(st.integers(1, 3), st.sampled_from([(1, 1), (1, 2), (2, 2), (2, 4), (3, 6), (4, 4)]),
       st.lists(st.integers(1, 4), max_size=2), st.booleans(), DT, SEED)
def test_group_norm(n, gc, sp, affine, dt, seed):
    g, c = gc
    if c // g * int(np.prod(sp)) < 3:
        sp = [3]                     # groups of 1-2 values: var ~ 0, gradient ill-posed
    x = data(seed, (n, c, *sp), dt)
    rng = np.random.default_rng(seed + 1)
    w, b = rng.standard_normal(c).astype(dt), rng.standard_normal(c).astype(dt)
    compare_with_torch(
        lambda x, w, b: EF.group_norm(x, g, w if affine else None, b if affine else None),
        lambda x, w, b: TF.group_norm(x, g, w if affine else None, b if affine else None),
        x, w, b, **TOL[dt])


@SOME
@given(st.integers(1, 3), st.integers(1, 4), st.lists(st.integers(2, 4), min_size=1,
                                                      max_size=2),
       st.booleans(), DT, SEED)
def test_instance_norm(n, c, sp, stats, dt, seed):
    if int(np.prod(sp)) < 3:
        sp = [3]
    x = data(seed, (n, c, *sp), dt)
    rng = np.random.default_rng(seed + 1)
    w, b = rng.standard_normal(c).astype(dt), rng.standard_normal(c).astype(dt)
    bufs = {}

    def run(F, T):
        def f(x, w, b):
            rm = T(np.zeros(c, dt)) if stats else None
            rv = T(np.ones(c, dt)) if stats else None
            bufs[F] = (rm, rv)
            return F.instance_norm(x, rm, rv, w, b, True, 0.2)
        return f
    compare_with_torch(run(EF, ember.tensor), run(TF, torch.tensor), x, w, b, **TOL[dt])
    if stats:
        for eb, tb in zip(bufs[EF], bufs[TF]):
            np.testing.assert_allclose(eb.numpy(), tb.numpy(), **TOL[dt])


@SOME
@given(st.integers(1, 2), st.integers(1, 6), st.lists(st.integers(1, 3), min_size=1,
                                                      max_size=3),
       st.integers(1, 6), DT, SEED)
def test_local_response_norm(n, c, sp, size, dt, seed):
    x = data(seed, (n, c, *sp), dt)
    e, t = compare_with_torch(lambda x: EF.local_response_norm(x, size, 0.1, 0.75, 1.5),
                              lambda x: TF.local_response_norm(x, size, 0.1, 0.75, 1.5),
                              x, **TOL[dt])
    assert type(e[0].grad_fn).__name__ == type(t[0].grad_fn).__name__


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_layer_over_steps(momentum):
    """Train/eval switches over several batches: outputs, gradients and all buffers agree."""
    em, tm = enn.BatchNorm2d(3, momentum=momentum), torch.nn.BatchNorm2d(3, momentum=momentum)
    rng = np.random.default_rng(0)
    for step in range(4):
        x = (rng.standard_normal((4, 3, 5, 5)) * 3 + step).astype(np.float32)
        for m in (em, tm):
            m.train(step != 2)
        compare_with_torch(em, tm, x, rtol=1e-4, atol=1e-4)
    for (ke, ve), (kt, vt) in zip(em.state_dict().items(), tm.state_dict().items()):
        assert ke == kt
        np.testing.assert_allclose(ve.numpy(), vt.numpy(), rtol=1e-5, atol=1e-6)
    assert em.num_batches_tracked.item() == tm.num_batches_tracked.item() == 3


def test_norm_layers_forward_and_buffers():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 4, 5, 6)).astype(np.float32)
    for make in (lambda nn: nn.LayerNorm((5, 6)), lambda nn: nn.GroupNorm(2, 4),
                 lambda nn: nn.InstanceNorm2d(4, affine=True, track_running_stats=True),
                 lambda nn: nn.LocalResponseNorm(3), lambda nn: nn.BatchNorm2d(4, affine=False),
                 lambda nn: nn.BatchNorm2d(4, track_running_stats=False)):
        em, tm = make(enn), make(torch.nn)
        assert repr(em) == repr(tm)
        assert list(em.state_dict()) == list(tm.state_dict())
        compare_with_torch(em, tm, x, rtol=1e-4, atol=1e-4)
        for ve, vt in zip(em.state_dict().values(), tm.state_dict().values()):
            np.testing.assert_allclose(ve.numpy(), vt.numpy(), rtol=1e-5, atol=1e-6)
    x1 = rng.standard_normal((5, 3)).astype(np.float32)
    compare_with_torch(enn.BatchNorm1d(3), torch.nn.BatchNorm1d(3), x1, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("call", [
    lambda F, T: F.batch_norm(T(np.ones((2, 3, 4))), T(np.zeros(4)), T(np.ones(4))),
    lambda F, T: F.layer_norm(T(np.ones((2, 3, 4))), (5,)),
    lambda F, T: F.group_norm(T(np.ones((2, 3, 4))), 2),
    lambda F, T: F.batch_norm(T(np.ones((2, 3), np.int64)), None, None, training=True),
])
def test_errors_match(call):
    with pytest.raises(RuntimeError) as te:
        call(TF, torch.tensor)
    with pytest.raises(RuntimeError) as ee:
        call(EF, ember.tensor)
    assert str(ee.value) == str(te.value)


def test_value_errors_match():
    for call in (lambda F, T: F.batch_norm(T(np.ones((1, 3))), None, None, training=True),
                 lambda F, T: F.local_response_norm(T(np.ones((3, 4))), 2),
                 lambda F, T: F.instance_norm(T(np.ones((1, 3, 1))))):
        with pytest.raises(ValueError) as te:
            call(TF, torch.tensor)
        with pytest.raises(ValueError) as ee:
            call(EF, ember.tensor)
        assert str(ee.value).replace("ember", "torch") == str(te.value)
