"""Optimizer base (ember/optim/optimizer.py): param groups, zero_grad, skipping, state_dict
round trips (including PyTorch-style dicts of numpy arrays), hooks, closure, errors."""
import copy
import pickle

import numpy as np
import pytest

import ember
from ember.optim import SGD, Adam, Adagrad, NAdam, Optimizer
from ember.optim.optimizer import (register_optimizer_step_post_hook,
                                   register_optimizer_step_pre_hook, required)


def params(*shapes, dtype=ember.float32):
    return [ember.ones(*s, dtype=dtype, requires_grad=True) for s in shapes]


def set_grads(ps, value=1.0):
    for p in ps:
        p.grad = ember.full(tuple(p.shape), value, dtype=p.dtype)


def test_param_groups_take_defaults_and_overrides():
    a, b = params((2,), (3,))
    opt = SGD([{"params": [a]}, {"params": b, "lr": 0.5, "momentum": 0.9}], lr=0.1)
    g0, g1 = opt.param_groups
    assert g0["params"] == [a] and g0["lr"] == 0.1 and g0["momentum"] == 0
    assert g1["params"] == [b] and g1["lr"] == 0.5 and g1["momentum"] == 0.9
    set_grads([a, b])
    opt.step()
    assert a.tolist() == pytest.approx([0.9, 0.9])
    assert b.tolist() == pytest.approx([0.5] * 3)


def test_generator_and_named_parameters():
    ps = params((2,), (2,))
    opt = SGD((p for p in ps), lr=0.1)
    assert opt.param_groups[0]["params"] == ps
    opt = SGD([("w", ps[0]), ("b", ps[1])], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]


def test_add_param_group():
    a, b = params((2,), (2,))
    opt = Adam([a], lr=0.1)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[1]["lr"] == 0.01 and opt.param_groups[1]["betas"] == (0.9, 0.999)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter "
                                         "group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([a])


def test_required_option_and_param_errors():
    class Custom(Optimizer):
        def __init__(self, params, lr=required):
            super().__init__(params, dict(lr=lr))
    (a,) = params((2,))
    with pytest.raises(ValueError, match="parameter group didn't specify a value of required "
                                         "optimization parameter lr"):
        Custom([a])
    assert Custom([{"params": [a], "lr": 0.1}]).param_groups[0]["lr"] == 0.1
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts, but got "
                                        "ember.FloatTensor"):
        SGD(a, lr=0.1)
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the "
                                        "params is int"):
        SGD([1], lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        SGD([a * 2], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        SGD([{"params": {a}}], lr=0.1)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        SGD([a, a], lr=0.1)


def test_zero_grad():
    a, b = params((2,), (2,))
    opt = SGD([a, b], lr=0.1)
    set_grads([a])
    opt.zero_grad()
    assert a.grad is None and b.grad is None
    set_grads([a, b], 3.0)
    g = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is g and a.grad.tolist() == [0.0, 0.0] and not a.grad.requires_grad


def test_params_without_grad_are_skipped():
    a, b = params((2,), (2,))
    frozen = ember.ones(2)                      # requires_grad=False: never gets a gradient
    opt = Adam([a, b, frozen], lr=0.1)
    set_grads([a])
    opt.step()
    assert b.tolist() == [1.0, 1.0] and frozen.tolist() == [1.0, 1.0]
    assert b not in opt.state and frozen not in opt.state
    assert a.tolist() == pytest.approx([0.9, 0.9])


def test_update_is_in_place_and_bumps_version():
    (a,) = params((3,))
    data = a._data
    v = a._version[0]
    opt = Adam([a], lr=0.1)
    set_grads([a])
    opt.step()
    assert a._data is data and a._version[0] == v + 1


def test_replaced_parameter_data_is_used():
    (a,) = params((3,))
    opt = SGD([a], lr=0.5, momentum=0.9)
    set_grads([a])
    opt.step()
    a._data = np.full(3, 10.0, np.float32)       # e.g. weights loaded into the parameter
    set_grads([a])
    opt.step()
    assert a.tolist() == pytest.approx([10 - 0.5 * 1.9] * 3)


def test_closure_runs_with_grad_enabled_and_returns_loss():
    (a,) = params((2,))
    opt = SGD([a], lr=0.1)
    seen = []

    def closure():
        seen.append(ember.is_grad_enabled())
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss

    with ember.no_grad():
        loss = opt.step(closure)
    assert seen == [True] and loss.item() == 2.0
    assert a.tolist() == pytest.approx([0.8, 0.8])


def _train(opt, ps, steps, start=0):
    for t in range(start, start + steps):
        for i, p in enumerate(ps):
            p.grad = ember.tensor(np.sin(np.arange(p.numel()) + t + i).astype(np.float32)
                                  .reshape(tuple(p.shape)))
        opt.step()


@pytest.mark.parametrize("make", [lambda ps: Adam(ps, lr=0.1, amsgrad=True),
                                  lambda ps: SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: NAdam([{"params": ps[:1]},
                                                    {"params": ps[1:], "lr": 0.01}]),
                                  lambda ps: Adagrad(ps, lr_decay=0.1)])
def test_state_dict_round_trip_continues_identically(make):
    ps1 = params((2, 3), (3,))
    ps2 = params((2, 3), (3,))
    o1 = make(ps1)
    _train(o1, ps1, 4)
    sd = o1.state_dict()
    assert sorted(sd["state"]) == [0, 1]
    assert [g["params"] for g in sd["param_groups"]] in ([[0, 1]], [[0], [1]])
    o2 = make(ps2)
    for p1, p2 in zip(ps1, ps2):
        p2._data[...] = p1._data
    o2.load_state_dict(copy.deepcopy(sd))
    for k, v in o2.state[ps2[0]].items():       # copies, not aliases
        assert not np.shares_memory(v._data, o1.state[ps1[0]][k]._data)
    _train(o1, ps1, 3, start=4)
    _train(o2, ps2, 3, start=4)
    for p1, p2 in zip(ps1, ps2):
        np.testing.assert_array_equal(p1.detach().numpy(), p2.detach().numpy())


def test_load_pytorch_style_state_dict_of_arrays():
    """A torch state_dict with tensors turned into numpy arrays (and old number-valued step)."""
    (a,) = params((2,))
    opt = Adam([a], lr=0.5)
    sd = {"state": {0: {"step": np.array(3.0, np.float32),
                        "exp_avg": np.array([0.1, 0.2], np.float64),
                        "exp_avg_sq": np.array([0.01, 0.04], np.float32)}},
          "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0,
                            "amsgrad": False, "maximize": False, "foreach": None,
                            "capturable": False, "differentiable": False, "fused": None,
                            "decoupled_weight_decay": False, "params": [0]}]}
    opt.load_state_dict(sd)
    st = opt.state[a]
    assert isinstance(st["step"], ember.Tensor) and st["step"].shape == ()
    assert st["exp_avg"].dtype == ember.float32        # cast to the parameter's dtype
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["params"] == [a]
    set_grads([a])
    opt.step()
    assert st["step"].item() == 4.0
    sd["state"][0]["step"] = 7                          # number-valued (old format)
    opt.load_state_dict(sd)
    assert opt.state[a]["step"].dtype == ember.float32 and opt.state[a]["step"].item() == 7.0


def test_load_state_dict_errors():
    (a,) = params((2,))
    opt = SGD([a], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict({"state": {}, "param_groups": [{"params": [0, 1], "lr": 1}]})


def test_step_hooks():
    (a,) = params((2,))
    opt = SGD([a], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, args, kw: calls.append(("pre", o is opt)))
    h2 = opt.register_step_post_hook(lambda o, args, kw: calls.append(("post", o is opt)))
    g = register_optimizer_step_pre_hook(lambda o, args, kw: calls.append(("gpre", True)))
    g2 = register_optimizer_step_post_hook(lambda o, args, kw: calls.append(("gpost", True)))
    opt.step()
    assert calls == [("gpre", True), ("pre", True), ("post", True), ("gpost", True)]
    for h in (h1, h2, g, g2):
        h.remove()
    opt.step()
    assert len(calls) == 4


def test_state_dict_hooks():
    (a,) = params((2,))
    opt = SGD([a], lr=0.1)
    opt.register_state_dict_post_hook(lambda o, sd: dict(sd, extra=1))
    assert opt.state_dict()["extra"] == 1
    seen = []
    opt.register_load_state_dict_pre_hook(lambda o, sd: seen.append("pre"))
    opt.register_load_state_dict_post_hook(lambda o: seen.append("post"))
    opt.load_state_dict(opt.state_dict())
    assert seen == ["pre", "post"]


def test_repr():
    (a,) = params((2,))
    assert repr(SGD([a], lr=0.1)) == (
        "SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False\n"
        "    foreach: None\n    fused: None\n    lr: 0.1\n    maximize: False\n"
        "    momentum: 0\n    nesterov: False\n    weight_decay: 0\n)")


def test_pickle_and_deepcopy_keep_state_linked_to_params():
    ps = params((2,), (3,))
    opt = Adam(ps, lr=0.1)
    _train(opt, ps, 2)
    for clone in (pickle.loads(pickle.dumps(opt)), copy.deepcopy(opt)):
        cps = [p for g in clone.param_groups for p in g["params"]]
        assert all(p in clone.state for p in cps)
        _train(clone, cps, 1, start=2)
        assert clone.state[cps[0]]["step"].item() == 3.0


def test_float64_parameters_stay_float64():
    (a,) = params((2,), dtype=ember.float64)
    opt = Adam([a], lr=0.1)
    set_grads([a])
    opt.step()
    assert a.dtype == ember.float64 and opt.state[a]["exp_avg"].dtype == ember.float64
    assert opt.state[a]["step"].dtype == ember.float32
