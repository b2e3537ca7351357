"""Training-loop memory: repeated forward/backward passes must not grow the process (graphs,
saved arrays and gradients are all released)."""
import gc
import os
import time

import numpy as np

import ember


def _rss_mb():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
    except OSError:   # not Linux: peak RSS only grows, which still catches a leak
        import resource
        import sys
        r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return r / 2 ** 20 if sys.platform == "darwin" else r / 2 ** 10


def _network():
    ember.manual_seed(0)
    x = ember.randn(64, 32)
    target = ember.randn(64, 1)
    w1 = (ember.randn(32, 32) * 0.1).requires_grad_()
    b1 = ember.zeros(32, requires_grad=True)
    w2 = (ember.randn(32, 1) * 0.1).requires_grad_()
    params = (w1, b1, w2)

    def step():
        h = (x @ w1 + b1).tanh()
        err = h @ w2 - target
        loss = (err * err).mean()
        loss.backward()
        with ember.no_grad():
            for p in params:
                p -= 0.01 * p.grad
                p.grad = None
        return loss
    return step


def test_rss_stays_flat_over_1000_training_steps():
    step = _network()
    t0 = time.perf_counter()
    for _ in range(200):          # warm-up: allocator pools, caches, lazy imports
        step()
    gc.collect()
    before = _rss_mb()
    losses = []
    for i in range(1000):
        loss = step()
        if i % 100 == 0:
            losses.append(loss.item())
    del loss
    gc.collect()
    grown = _rss_mb() - before
    assert grown < 5.0, f"RSS grew by {grown:.1f} MB over 1000 steps"
    assert time.perf_counter() - t0 < 10
    assert losses[-1] < losses[0]          # it is actually training


def test_no_graph_objects_survive_a_step():
    step = _network()
    step()
    gc.collect()
    from ember.autograd.function import Node
    before = sum(issubclass(type(o), Node) for o in gc.get_objects())
    for _ in range(50):
        step()
    gc.collect()
    after = sum(issubclass(type(o), Node) for o in gc.get_objects())
    assert after <= before


def test_retained_graphs_are_released_when_dropped():
    x = ember.randn(256, 256, requires_grad=True)
    gc.collect()
    before = _rss_mb()
    for _ in range(30):
        y = (x * 2).tanh() * x            # ~3 saved 256 KB arrays per graph
        y.backward(ember.ones(256, 256), retain_graph=True)
        del y
    x.grad = None
    gc.collect()
    assert _rss_mb() - before < 5.0
    assert np.isfinite(x.detach().numpy()).all()
