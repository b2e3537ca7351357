"""SGD (ember/optim/sgd.py): hand-computed steps, every option against the scalar reference,
state, and argument errors."""
import numpy as np
import pytest

import ember
from ember.optim import SGD
import optim_reference as ref


def test_one_step_by_hand():
    p = ember.tensor([1.0, -2.0], requires_grad=True)
    opt = SGD([p], lr=0.1)
    p.grad = ember.tensor([0.5, 0.25])
    opt.step()
    np.testing.assert_allclose(p.detach().numpy(), [0.95, -2.025], rtol=1e-7)
    assert p.dtype == ember.float32 and len(opt.state) == 0


def test_momentum_by_hand():
    # b1 = g1 = 1; p1 = 1 - 0.1*1 = 0.9;  b2 = 0.9*1 + (1-0.5)*2 = 1.9; p2 = 0.9 - 0.19 = 0.71
    p = ember.tensor([1.0], dtype=ember.float64, requires_grad=True)
    opt = SGD([p], lr=0.1, momentum=0.9, dampening=0.5)
    for g in (1.0, 2.0):
        p.grad = ember.tensor([g], dtype=ember.float64)
        opt.step()
    assert p.item() == pytest.approx(0.71, abs=1e-15)
    assert opt.state[p]["momentum_buffer"].tolist() == pytest.approx([1.9])


OPTIONS = [dict(lr=0.1), dict(lr=0.1, momentum=0.9), dict(lr=0.05, momentum=0.5, dampening=0.3),
           dict(lr=0.1, weight_decay=0.2), dict(lr=0.1, momentum=0.9, nesterov=True),
           dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1, maximize=True),
           dict(lr=0.1, maximize=True)]


@pytest.mark.parametrize("kw", OPTIONS, ids=str)
def test_matches_reference(kw):
    ref.drive(SGD, kw, ref.sgd)


@pytest.mark.parametrize("kw", OPTIONS[:3], ids=str)
def test_float32_close_to_reference(kw):
    p, _ = ref.drive(SGD, kw, ref.sgd, dtype=np.float32, rtol=2e-6)
    assert p.dtype == ember.float32


def test_momentum_buffer_state_only_with_momentum():
    p = ember.ones(3, requires_grad=True)
    opt = SGD([p], lr=0.1, momentum=0.9)
    p.grad = ember.ones(3)
    opt.step()
    st = opt.state[p]
    assert list(st) == ["momentum_buffer"]
    assert st["momentum_buffer"].dtype == ember.float32
    assert st["momentum_buffer"].tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("kw,msg", [
    (dict(lr=-1), "Invalid learning rate: -1"),
    (dict(momentum=-0.1), "Invalid momentum value: -0.1"),
    (dict(weight_decay=-1e-3), "Invalid weight_decay value: -0.001"),
    (dict(nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (dict(nesterov=True, momentum=0.9, dampening=0.1),
     "Nesterov momentum requires a momentum and zero dampening")])
def test_invalid_arguments(kw, msg):
    with pytest.raises(ValueError, match=msg):
        SGD([ember.zeros(2, requires_grad=True)], **kw)


def test_default_lr_and_defaults():
    opt = SGD([ember.zeros(2, requires_grad=True)])
    assert opt.defaults == dict(lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                                nesterov=False, maximize=False, foreach=None,
                                differentiable=False, fused=None)
