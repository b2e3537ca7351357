"""ember.optim against torch.optim 2.13: 100-step parameter trajectories of a small network
for every optimizer and option combination, state_dict layout and exchange, reprs, errors."""
import numpy as np
import pytest

import ember

pytestmark = pytest.mark.oracle
torch = pytest.importorskip("torch")

STEPS = 100


def _data(seed=0):
    rng = np.random.default_rng(seed)
    f = lambda *s: (rng.standard_normal(s) * 0.5).astype(np.float32)  # noqa: E731
    # W1, b1, W2, b2 and a 0-d output scale
    params = [f(4, 5), f(5), f(5, 2), f(2), np.array(1.0 + f(), dtype=np.float32)]
    x = f(STEPS, 8, 4) * 2
    target = np.sin(x[..., :2] * 2 + x[..., 2:]).astype(np.float32)
    return params, x, target


def _loss(ps, X, T):
    y = ((X @ ps[0] + ps[1]).tanh() @ ps[2] + ps[3]) * ps[4]
    return ((y - T) ** 2).sum() / 16


def _make(fw, name, kw, dtype=np.float32, groups=None, seed=0):
    params0, x, target = _data(seed)
    ps = [fw.tensor(p.astype(dtype), requires_grad=True) for p in params0]
    spec = ps if groups is None else [dict(g, params=[ps[i] for i in g["params"]])
                                      for g in groups]
    opt = getattr(fw.optim, name)(spec, **kw)
    data = (x.astype(dtype), target.astype(dtype))
    return ps, opt, data


def _train(fw, ps, opt, data, steps, start=0, sign=1.0):
    x, target = data
    traj = []
    for t in range(start, start + steps):
        opt.zero_grad()
        loss = _loss(ps, fw.tensor(x[t]), fw.tensor(target[t]))
        (loss * sign).backward()
        opt.step()
        traj.append(np.concatenate([p.detach().numpy().ravel() for p in ps]))
    return np.array(traj)


def _trajectories(name, kw, dtype=np.float32, groups=None, steps=STEPS):
    sign = -1.0 if kw.get("maximize") else 1.0   # maximize -loss: the same descent
    out = []
    for fw in (ember, torch):
        ps, opt, data = _make(fw, name, kw, dtype, groups)
        out.append(_train(fw, ps, opt, data, steps, sign=sign))
    return out


def _assert_close(a, b, rtol):
    """Relative to the scale of the parameters (elements near 0 are compared absolutely)."""
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * np.abs(b).max())


CONFIGS = [
    ("SGD", dict(lr=0.2)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.2, momentum=0.9, dampening=0.5, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, maximize=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.1, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, maximize=True, betas=(0.5, 0.9), eps=1e-3)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.9))),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, amsgrad=True, maximize=True, weight_decay=0.2)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-4, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, maximize=True)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1, weight_decay=0.1,
                     maximize=True, eps=1e-6)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.5, eps=1e-4, weight_decay=0.1, maximize=True)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True, betas=(0.5, 0.9), eps=1e-4)),
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
]


def _id(c):
    return c[0] + "-" + "-".join(f"{k}={v}" for k, v in c[1].items())


@pytest.mark.parametrize("name,kw", CONFIGS, ids=[_id(c) for c in CONFIGS])
def test_trajectory_float32(name, kw):
    e, t = _trajectories(name, kw)
    assert e.dtype == np.float32
    assert np.abs(t[-1] - t[0]).max() > 0.01       # the parameters really moved
    _assert_close(e, t, 1e-5)


@pytest.mark.parametrize("name,kw", [CONFIGS[1], CONFIGS[6], CONFIGS[16], CONFIGS[18],
                                     CONFIGS[20], CONFIGS[22], CONFIGS[25], CONFIGS[28]],
                         ids=lambda c: c if isinstance(c, str) else None)
def test_trajectory_float64(name, kw):
    e, t = _trajectories(name, kw, dtype=np.float64)
    assert e.dtype == np.float64
    _assert_close(e, t, 1e-9)


GROUPS = [dict(params=[0, 1], lr=0.02, weight_decay=0.1), dict(params=[2, 3]),
          dict(params=[4], lr=0.001)]


@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=0.1, momentum=0.9)),
                                     ("Adam", dict(lr=0.01, amsgrad=True)),
                                     ("RMSprop", dict(lr=0.01, centered=True)),
                                     ("Adagrad", dict(lr=0.1)),
                                     ("NAdam", dict(lr=0.01))])
def test_param_groups_trajectory(name, kw):
    e, t = _trajectories(name, kw, groups=GROUPS, steps=50)
    _assert_close(e, t, 1e-5)


def test_frozen_and_gradless_parameters_are_skipped():
    out = []
    for fw in (ember, torch):
        ps, opt, data = _make(fw, "Adam", dict(lr=0.01))
        ps[4].requires_grad_(False)           # frozen: never gets a gradient
        traj = _train(fw, ps, opt, data, 20)
        assert len(opt.state) == 4
        out.append(traj)
    _assert_close(out[0], out[1], 1e-5)
    assert (out[0][:, -1] == out[0][0, -1]).all()


def _state_np(state):
    return {k: (v.detach().numpy() if hasattr(v, "detach") else v) for k, v in state.items()}


@pytest.mark.parametrize("name,kw", [c for c in CONFIGS if c[0] != "SGD" or "momentum" in c[1]],
                         ids=[_id(c) for c in CONFIGS if c[0] != "SGD" or "momentum" in c[1]])
def test_state_dict_matches_torch(name, kw):
    sds = []
    for fw in (ember, torch):
        ps, opt, data = _make(fw, name, kw)
        _train(fw, ps, opt, data, 5)
        sds.append(opt.state_dict())
    e, t = sds
    assert e["param_groups"] == t["param_groups"]
    assert list(e["state"]) == list(t["state"])
    for i in t["state"]:
        es, ts = _state_np(e["state"][i]), _state_np(t["state"][i])
        assert list(es) == list(ts)
        for k in ts:
            assert es[k].dtype == ts[k].dtype and es[k].shape == ts[k].shape, k
            _assert_close(es[k], ts[k], 1e-5)


@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
                                     ("Adam", dict(lr=0.01, amsgrad=True)),
                                     ("AdamW", dict(lr=0.01)),
                                     ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
                                     ("Adagrad", dict(lr=0.1)), ("Adadelta", dict()),
                                     ("Adamax", dict()), ("NAdam", dict()),
                                     ("RAdam", dict(lr=0.01))])
def test_load_torch_state_dict_and_continue(name, kw):
    # torch trains 30 steps; ember takes over from torch's state_dict (tensors -> numpy)
    tps, topt, data = _make(torch, name, kw)
    _train(torch, tps, topt, data, 30)
    sd = topt.state_dict()
    sd_np = {"state": {k: {kk: (vv.numpy() if isinstance(vv, torch.Tensor) else vv)
                           for kk, vv in v.items()} for k, v in sd["state"].items()},
             "param_groups": sd["param_groups"]}
    eps_, eopt, _ = _make(ember, name, kw)
    for ep, tp in zip(eps_, tps):
        ep._data[...] = tp.detach().numpy()
    eopt.load_state_dict(sd_np)
    for k, saved in sd_np["state"][0].items():     # loaded as ember tensors, copied
        v = eopt.state[eps_[0]][k]
        assert isinstance(v, ember.Tensor) and v.dtype == ember.float32
        assert not np.shares_memory(v.numpy(), saved)
    e = _train(ember, eps_, eopt, data, 30, start=30)
    t = _train(torch, tps, topt, data, 30, start=30)
    _assert_close(e, t, 1e-5)


def test_torch_loads_ember_state_dict():
    eps_, eopt, data = _make(ember, "Adam", dict(lr=0.01))
    _train(ember, eps_, eopt, data, 10)
    sd = eopt.state_dict()
    tps, topt, _ = _make(torch, "Adam", dict(lr=0.01))
    for ep, tp in zip(eps_, tps):
        tp.data.copy_(torch.from_numpy(ep.detach().numpy().copy()))
    topt.load_state_dict({"state": {k: {kk: torch.from_numpy(vv.numpy().copy())
                                        for kk, vv in v.items()} for k, v in sd["state"].items()},
                          "param_groups": sd["param_groups"]})
    e = _train(ember, eps_, eopt, data, 10, start=10)
    t = _train(torch, tps, topt, data, 10, start=10)
    _assert_close(e, t, 1e-5)


ALL = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"]


@pytest.mark.parametrize("name", ALL)
def test_repr_and_defaults(name):
    reprs = []
    for fw in (ember, torch):
        p = fw.zeros(2, requires_grad=True)
        q = fw.zeros(3, requires_grad=True)
        opt = getattr(fw.optim, name)([{"params": [p]}, {"params": [q], "lr": 0.5}])
        reprs.append(repr(opt))
    assert reprs[0] == reprs[1]


@pytest.mark.parametrize("name", ALL)
def test_state_keys_and_step_dtype(name):
    states = []
    for fw in (ember, torch):
        p = fw.tensor(np.ones(3, np.float32), requires_grad=True)
        kw = dict(momentum=0.9) if name in ("SGD",) else {}
        opt = getattr(fw.optim, name)([p], **kw)
        p.grad = fw.tensor(np.full(3, 0.5, np.float32))
        opt.step()
        states.append({k: (str(v.dtype).split(".")[-1], tuple(v.shape))
                       for k, v in opt.state[p].items()})
    assert states[0] == states[1]


BAD = [
    ("SGD", dict(lr=-1)), ("SGD", dict(momentum=-0.5)), ("SGD", dict(weight_decay=-1)),
    ("SGD", dict(nesterov=True)), ("SGD", dict(nesterov=True, momentum=0.9, dampening=0.1)),
    ("Adam", dict(lr=-0.1)), ("Adam", dict(eps=-1.0)), ("Adam", dict(betas=(1.0, 0.9))),
    ("Adam", dict(betas=(0.9, -0.1))), ("Adam", dict(weight_decay=-1)),
    ("Adam", dict(betas=(0, 0.9))), ("AdamW", dict(betas=(0.9, 1.5))),
    ("RMSprop", dict(alpha=-1)), ("RMSprop", dict(momentum=-1)), ("RMSprop", dict(eps=-1)),
    ("Adagrad", dict(lr_decay=-1)), ("Adagrad", dict(initial_accumulator_value=-1)),
    ("Adadelta", dict(rho=1.5)), ("Adadelta", dict(lr=-2)),
    ("Adamax", dict(betas=(0.9, 1.0))), ("NAdam", dict(momentum_decay=-1)),
    ("RAdam", dict(eps=-1e-8)), ("Adam", dict(fused=True, foreach=True)),
]


@pytest.mark.parametrize("name,kw", BAD, ids=[_id(c) for c in BAD])
def test_invalid_arguments_raise_like_torch(name, kw):
    errs = []
    for fw in (ember, torch):
        p = fw.zeros(2, requires_grad=True)
        with pytest.raises((ValueError, RuntimeError)) as info:
            getattr(fw.optim, name)([p], **kw)
        errs.append((type(info.value), str(info.value)))
    assert errs[0] == errs[1]


def test_param_list_errors_like_torch():
    cases = [lambda fw: fw.optim.SGD([], lr=0.1),
             lambda fw: fw.optim.SGD(fw.zeros(2, requires_grad=True), lr=0.1),
             lambda fw: fw.optim.SGD([1.0], lr=0.1),
             lambda fw: fw.optim.SGD([fw.zeros(2, requires_grad=True) * 2], lr=0.1),
             lambda fw: fw.optim.SGD([{"params": {fw.zeros(2, requires_grad=True)}}], lr=0.1)]
    for case in cases:
        errs = []
        for fw in (ember, torch):
            with pytest.raises((ValueError, TypeError)) as info:
                case(fw)
            errs.append((type(info.value), str(info.value).replace("torch.", "ember.")))
        assert errs[0] == errs[1]
    errs = []
    for fw in (ember, torch):
        p = fw.zeros(2, requires_grad=True)
        opt = fw.optim.SGD([p], lr=0.1)
        with pytest.raises(ValueError) as info:
            opt.add_param_group({"params": [p]})
        errs.append(str(info.value))
        with pytest.raises(ValueError) as info:
            opt.load_state_dict({"state": {}, "param_groups": []})
        errs.append(str(info.value))
        with pytest.raises(ValueError) as info:
            opt.load_state_dict({"state": {}, "param_groups": [{"params": [0, 1], "lr": 1}]})
        errs.append(str(info.value))
    assert errs[:3] == errs[3:]
