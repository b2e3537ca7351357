"""ember.optim.lr_scheduler against torch 2.13: the learning rates (and cycled momenta) of every
scheduler over 50 steps must be the same floats; state_dicts, errors and warnings agree."""
import math
import warnings

import numpy as np
import pytest

import ember

pytestmark = pytest.mark.oracle
torch = pytest.importorskip("torch")

STEPS = 50


def _opt(fw, kind="SGD"):
    a = fw.zeros(2, requires_grad=True)
    b = fw.zeros(3, requires_grad=True)
    groups = [{"params": [a]}, {"params": [b], "lr": 0.05}]
    if kind == "SGD":
        return fw.optim.SGD(groups, lr=0.1, momentum=0.9)
    return getattr(fw.optim, kind)(groups, lr=0.1)


def _record(opt, sched, steps=STEPS, metrics=None, epochs=None):
    rows = []
    for i in range(steps):
        opt.step()
        if metrics is not None:
            sched.step(metrics[i])
        elif epochs is not None:
            sched.step(epochs[i])
        else:
            sched.step()
        rows.append([sched.get_last_lr()] + [[g["lr"], g.get("momentum"), g.get("betas")]
                                             for g in opt.param_groups])
    return rows




SCHEDULERS = {
    "StepLR": lambda S, o: S.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda S, o: S.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3),
    "ExponentialLR": lambda S, o: S.ExponentialLR(o, gamma=0.93),
    "CosineAnnealingLR": lambda S, o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
    "CosineAnnealingLR-17": lambda S, o: S.CosineAnnealingLR(o, T_max=17),
    "LambdaLR": lambda S, o: S.LambdaLR(o, lambda e: 0.95 ** e),
    "LambdaLR-list": lambda S, o: S.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: e // 10]),
    "MultiplicativeLR": lambda S, o: S.MultiplicativeLR(o, lambda e: 0.9 if e < 20 else 1.01),
    "LinearLR": lambda S, o: S.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=12),
    "LinearLR-default": lambda S, o: S.LinearLR(o),
    "ConstantLR": lambda S, o: S.ConstantLR(o, factor=0.5, total_iters=8),
    "PolynomialLR": lambda S, o: S.PolynomialLR(o, total_iters=20, power=2.0),
    "CosineAnnealingWarmRestarts": lambda S, o: S.CosineAnnealingWarmRestarts(
        o, T_0=5, T_mult=2, eta_min=0.01),
    "CosineAnnealingWarmRestarts-1": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=7),
    "CyclicLR-triangular2": lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1,
                                                    step_size_up=4, mode="triangular2"),
    "CyclicLR-exp_range": lambda S, o: S.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=0.1,
                                                  step_size_up=3, step_size_down=5,
                                                  mode="exp_range", gamma=0.95),
    "CyclicLR-triangular": lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1,
                                                   step_size_up=6, base_momentum=0.7),
    "OneCycleLR": lambda S, o: S.OneCycleLR(o, max_lr=0.5, total_steps=STEPS),
    "OneCycleLR-linear": lambda S, o: S.OneCycleLR(o, max_lr=[0.5, 0.2], epochs=5,
                                                   steps_per_epoch=10, anneal_strategy="linear",
                                                   pct_start=0.25, div_factor=10.0),
    "OneCycleLR-three_phase": lambda S, o: S.OneCycleLR(o, max_lr=0.5, total_steps=STEPS,
                                                        three_phase=True, final_div_factor=100.),
    "OneCycleLR-nomomentum": lambda S, o: S.OneCycleLR(o, max_lr=0.5, total_steps=STEPS,
                                                       cycle_momentum=False),
    "SequentialLR": lambda S, o: S.SequentialLR(
        o, [S.ConstantLR(o, factor=0.1, total_iters=5), S.ExponentialLR(o, gamma=0.9)],
        milestones=[5]),
    "SequentialLR-warmup-cosine": lambda S, o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.1, total_iters=10),
            S.CosineAnnealingLR(o, T_max=30, eta_min=1e-4), S.StepLR(o, 3)],
        milestones=[10, 40]),
    "ChainedScheduler": lambda S, o: S.ChainedScheduler(
        [S.ConstantLR(o, factor=0.1, total_iters=5), S.ExponentialLR(o, gamma=0.9)]),
    "Chained-cosine-multistep": lambda S, o: S.ChainedScheduler(
        [S.CosineAnnealingLR(o, T_max=12), S.MultiStepLR(o, [10, 20])], optimizer=o),
}


@pytest.mark.parametrize("name", list(SCHEDULERS))
@pytest.mark.parametrize("kind", ["SGD", "Adam"])
def test_lr_sequence_identical(name, kind):
    rows = []
    for fw in (ember, torch):
        opt = _opt(fw, kind)
        sched = SCHEDULERS[name](fw.optim.lr_scheduler, opt)
        first = [list(sched.get_last_lr())] + [[g["lr"], g.get("momentum"), g.get("betas")]
                                               for g in opt.param_groups]
        rows.append([first] + _record(opt, sched))
    assert rows[0] == rows[1]                    # exact float equality


def _plateau_losses(n=60, seed=0):
    rng = np.random.default_rng(seed)
    base = np.concatenate([np.linspace(1.0, 0.5, 15), np.full(15, 0.5), np.linspace(0.5, 0.3, 10),
                           0.3 + 0.01 * rng.standard_normal(20)])
    return [float(x) for x in base[:n]]


PLATEAU = [
    dict(),
    dict(patience=2, factor=0.5),
    dict(patience=1, factor=0.5, cooldown=3, min_lr=[0.01, 0.02]),
    dict(mode="max", patience=0, threshold=0.01, threshold_mode="abs"),
    dict(mode="min", patience=3, threshold=0.05, threshold_mode="rel", min_lr=0.004),
    dict(mode="max", threshold_mode="rel", patience=2, eps=0.01),
]


@pytest.mark.parametrize("kw", PLATEAU, ids=[str(k) for k in PLATEAU])
def test_reduce_lr_on_plateau_identical(kw):
    losses = _plateau_losses()
    rows, sds = [], []
    for fw in (ember, torch):
        opt = _opt(fw)
        sched = fw.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
        rows.append(_record(opt, sched, steps=len(losses), metrics=losses))
        sds.append({k: v for k, v in sched.state_dict().items()})
    assert rows[0] == rows[1]
    assert sds[0] == sds[1]


def test_reduce_lr_on_plateau_accepts_tensor_metric():
    rows = []
    for fw in (ember, torch):
        opt = _opt(fw)
        sched = fw.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1)
        metrics = [fw.tensor(v) for v in _plateau_losses(30)]
        rows.append(_record(opt, sched, steps=30, metrics=metrics))
    assert rows[0] == rows[1]


@pytest.mark.parametrize("name,epochs", [
    ("CosineAnnealingWarmRestarts", [i / 4 for i in range(STEPS)]),
    ("CosineAnnealingWarmRestarts-1", [i * 0.7 for i in range(STEPS)]),
    ("StepLR", list(range(0, 2 * STEPS, 2))),
    ("MultiStepLR", list(range(STEPS))),
    ("CosineAnnealingLR", list(range(3, STEPS + 3))),
    ("ExponentialLR", list(range(STEPS))), ("LinearLR", list(range(STEPS))),
    ("ConstantLR", list(range(STEPS))), ("PolynomialLR", list(range(STEPS))),
    ("LambdaLR", list(range(STEPS)))])
def test_explicit_epoch_closed_forms(name, epochs):
    rows = []
    for fw in (ember, torch):
        opt = _opt(fw)
        sched = SCHEDULERS[name](fw.optim.lr_scheduler, opt)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows.append(_record(opt, sched, epochs=epochs))
    assert rows[0] == rows[1]


def _comparable(sd):
    out = {}
    for k, v in sd.items():
        if callable(v) or k in ("_scale_fn_ref",):
            continue
        if isinstance(v, list) and v and isinstance(v[0], dict):      # nested schedulers
            v = [_comparable(s) for s in v]
        out[k] = v
    return out


@pytest.mark.parametrize("name", [n for n in SCHEDULERS if not n.startswith("LambdaLR")
                                  and n != "MultiplicativeLR"])
def test_state_dict_identical_and_resumable(name):
    rows, sds = [], []
    for fw in (ember, torch):
        opt = _opt(fw)
        sched = SCHEDULERS[name](fw.optim.lr_scheduler, opt)
        _record(opt, sched, steps=20)
        sd = sched.state_dict()
        sds.append(_comparable(sd))
        # a fresh scheduler on a fresh optimizer picks up where the first left off
        opt2 = _opt(fw)
        opt2.load_state_dict(opt.state_dict())
        sched2 = SCHEDULERS[name](fw.optim.lr_scheduler, opt2)
        sched2.load_state_dict(sd)
        rows.append(_record(opt2, sched2, steps=20))
    assert sds[0] == sds[1]
    assert rows[0] == rows[1]


def test_warnings_like_torch():
    msgs = []
    for fw in (ember, torch):
        opt = _opt(fw)
        sched = fw.optim.lr_scheduler.StepLR(opt, 3)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            sched.step()                     # before optimizer.step()
            sched.get_lr()                   # outside step
            sched.step(5)                    # deprecated epoch argument
        msgs.append([str(x.message) for x in w])
        opt = _opt(fw)
        sched = fw.optim.lr_scheduler.ExponentialLR(opt, 0.9)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            opt.step()
            sched.step()
        msgs.append([str(x.message) for x in w])
    assert msgs[0] == msgs[2] and msgs[1] == msgs[3]
    assert len(msgs[0]) == 3 and msgs[1] == []


BAD = [
    lambda S, o: S.ConstantLR(o, factor=1.5),
    lambda S, o: S.LinearLR(o, start_factor=0),
    lambda S, o: S.LinearLR(o, end_factor=2),
    lambda S, o: S.ReduceLROnPlateau(o, factor=1.0),
    lambda S, o: S.ReduceLROnPlateau(o, mode="avg"),
    lambda S, o: S.ReduceLROnPlateau(o, threshold_mode="x"),
    lambda S, o: S.ReduceLROnPlateau(o, min_lr=[0.1]),
    lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=0),
    lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=0),
    lambda S, o: S.OneCycleLR(o, max_lr=1.0),
    lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1.5),
    lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="exp"),
    lambda S, o: S.OneCycleLR(o, max_lr=[1.0], total_steps=10),
    lambda S, o: S.CyclicLR(o, 0.1, 1.0, mode="zigzag"),
    lambda S, o: S.LambdaLR(o, [lambda e: 1.0]),
    lambda S, o: S.MultiplicativeLR(o, 0.9),
    lambda S, o: S.SequentialLR(o, [S.StepLR(o, 2)], milestones=[3]),
    lambda S, o: S.SequentialLR(o, [S.ReduceLROnPlateau(o)], milestones=[]),
    lambda S, o: S.StepLR(None, 2),
    lambda S, o: S.StepLR(o, 2, last_epoch=4),
]


@pytest.mark.parametrize("i", range(len(BAD)))
def test_errors_like_torch(i):
    errs = []
    for fw in (ember, torch):
        opt = _opt(fw)
        with pytest.raises((ValueError, TypeError, KeyError)) as info:
            BAD[i](fw.optim.lr_scheduler, opt)
        errs.append((type(info.value), str(info.value)))
    assert errs[0] == errs[1]


def test_onecycle_overrun_raises_like_torch():
    errs = []
    for fw in (ember, torch):
        opt = _opt(fw)
        sched = fw.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=3)
        with pytest.raises(ValueError) as info:
            for _ in range(5):
                opt.step()
                sched.step()
        errs.append(str(info.value))
    assert errs[0] == errs[1]


def test_scheduler_drives_training_lr():
    """The lr a scheduler sets is the one the next optimizer step uses."""
    p = ember.tensor([1.0], requires_grad=True)
    opt = ember.optim.SGD([p], lr=1.0)
    sched = ember.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    for k in range(4):
        p.grad = ember.tensor([1.0])
        opt.step()
        sched.step()
    assert math.isclose(p.item(), 1.0 - (1 + 0.5 + 0.25 + 0.125))
