"""Learning-rate schedulers (ember/optim/lr_scheduler.py) on hand-computed sequences."""
import math
import warnings

import pytest

import ember
from ember.optim import SGD, Adam
from ember.optim import lr_scheduler as S


def make(lr=1.0, kind=SGD, **kw):
    return kind([ember.zeros(2, requires_grad=True)], lr=lr, **kw)


def run(opt, sched, n, metrics=None):
    out = []
    for i in range(n):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        out.append(sched.get_last_lr()[0])
    return out


def test_base_sets_initial_lr_and_last_epoch():
    opt = make(0.5)
    sched = S.StepLR(opt, step_size=2)
    assert opt.param_groups[0]["initial_lr"] == 0.5
    assert sched.base_lrs == [0.5] and sched.last_epoch == 0
    assert sched.get_last_lr() == [0.5]
    with pytest.raises(KeyError, match="initial_lr"):
        S.StepLR(make(), step_size=2, last_epoch=3)
    with pytest.raises(TypeError, match="int is not an Optimizer"):
        S.StepLR(3, step_size=2)


def test_step_and_multistep():
    assert run(*(lambda o: (o, S.StepLR(o, 2, gamma=0.5)))(make()), 5) == \
        [1.0, 0.5, 0.5, 0.25, 0.25]
    o = make()
    assert run(o, S.MultiStepLR(o, [1, 3, 3], gamma=0.1), 4) == pytest.approx(
        [0.1, 0.1, 0.001, 0.001])


def test_exponential_lambda_multiplicative():
    o = make()
    assert run(o, S.ExponentialLR(o, 0.5), 3) == [0.5, 0.25, 0.125]
    o = make(2.0)
    assert run(o, S.LambdaLR(o, lambda e: 1 / (e + 1)), 3) == [1.0, 2 / 3, 0.5]
    o = make()
    assert run(o, S.MultiplicativeLR(o, lambda e: 0.5), 2) == [0.5, 0.25]


def test_linear_and_constant_warmups():
    o = make()
    sched = S.LinearLR(o, start_factor=0.25, total_iters=3)
    assert sched.get_last_lr() == [0.25]
    assert run(o, sched, 4) == pytest.approx([0.5, 0.75, 1.0, 1.0])
    o = make()
    sched = S.ConstantLR(o, factor=0.5, total_iters=2)
    assert sched.get_last_lr() == [0.5]
    assert run(o, sched, 3) == [0.5, 1.0, 1.0]
    o = make()
    assert run(o, S.PolynomialLR(o, total_iters=4, power=1.0), 5) == pytest.approx(
        [0.75, 0.5, 0.25, 0.0, 0.0])


def test_cosine_annealing_follows_the_closed_form():
    o = make()
    lrs = run(o, S.CosineAnnealingLR(o, T_max=10, eta_min=0.1), 10)
    expected = [0.1 + 0.9 * (1 + math.cos(math.pi * t / 10)) / 2 for t in range(1, 11)]
    assert lrs == pytest.approx(expected, rel=1e-12)
    o = make()
    lrs = run(o, S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2), 9)
    cur = [1, 2, 0, 1, 2, 3, 4, 5, 0]
    period = [3, 3, 6, 6, 6, 6, 6, 6, 12]
    assert lrs == pytest.approx([(1 + math.cos(math.pi * c / t)) / 2
                                 for c, t in zip(cur, period)], rel=1e-12)


def test_one_cycle_lr_and_momentum():
    o = make(kind=SGD, momentum=0.9)
    sched = S.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=0.3, anneal_strategy="linear")
    assert o.param_groups[0]["lr"] == pytest.approx(1.0 / 25)
    assert o.param_groups[0]["momentum"] == 0.95
    lrs = run(o, sched, 2)
    assert lrs[-1] == pytest.approx(1.0)                  # peak at step pct_start*10 - 1 = 2
    assert o.param_groups[0]["momentum"] == pytest.approx(0.85)
    run(o, sched, 7)
    assert o.param_groups[0]["lr"] == pytest.approx(1.0 / 25 / 1e4)
    o = make(kind=Adam)
    S.OneCycleLR(o, max_lr=0.1, total_steps=10)
    assert o.param_groups[0]["betas"] == (0.95, 0.999)


def test_cyclic_triangular():
    o = make(kind=SGD, momentum=0.9)
    lrs = run(o, S.CyclicLR(o, base_lr=0.0, max_lr=1.0, step_size_up=2), 6)
    assert lrs == pytest.approx([0.5, 1.0, 0.5, 0.0, 0.5, 1.0])
    assert o.param_groups[0]["momentum"] == pytest.approx(0.8)


def test_sequential_and_chained():
    o = make()
    sched = S.SequentialLR(o, [S.ConstantLR(o, factor=0.1, total_iters=2),
                               S.ExponentialLR(o, gamma=0.5)], milestones=[2])
    assert sched.get_last_lr() == pytest.approx([0.1])
    assert run(o, sched, 4) == pytest.approx([0.1, 1.0, 0.5, 0.25])
    o = make()
    sched = S.ChainedScheduler([S.ConstantLR(o, factor=0.5, total_iters=2),
                                S.ExponentialLR(o, gamma=0.5)])
    assert run(o, sched, 3) == pytest.approx([0.25, 0.25, 0.125])


def test_reduce_lr_on_plateau():
    o = make()
    sched = S.ReduceLROnPlateau(o, patience=1, factor=0.5, cooldown=1, min_lr=0.2)
    losses = [1.0, 0.9] + [0.9] * 8
    # 2 bad epochs (> patience) halve lr; a cooldown epoch resets the count; min_lr caps it
    assert run(o, sched, len(losses), losses) == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25,
                                                  0.25, 0.2]
    o = make()
    sched = S.ReduceLROnPlateau(o, mode="max", patience=0, threshold=0.1,
                                threshold_mode="abs")
    assert run(o, sched, 3, [1.0, 1.05, 1.2]) == [1.0, 0.1, 0.1]


def test_state_dict_round_trip():
    o = make()
    s = S.StepLR(o, step_size=2, gamma=0.5)
    run(o, s, 3)
    sd = s.state_dict()
    assert "optimizer" not in sd and sd["last_epoch"] == 3
    o2 = make()
    o2.load_state_dict(o.state_dict())
    s2 = S.StepLR(o2, step_size=2, gamma=0.5)
    s2.load_state_dict(sd)
    assert run(o, s, 3) == run(o2, s2, 3)


def test_warns_when_stepped_before_optimizer():
    o = make()
    sched = S.StepLR(o, 2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    o = make()
    sched = S.StepLR(o, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        o.step()
        sched.step()


def test_tensor_lr_is_filled_in_place():
    lr = ember.tensor(1.0)
    o = SGD([ember.zeros(2, requires_grad=True)], lr=lr)
    sched = S.ExponentialLR(o, 0.5)
    run(o, sched, 2)
    assert o.param_groups[0]["lr"] is lr and lr.item() == 0.25
    assert isinstance(sched.get_last_lr()[0], ember.Tensor)
