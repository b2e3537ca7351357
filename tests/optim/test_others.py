"""RMSprop, Adagrad, Adadelta, Adamax, NAdam and RAdam: every option against the scalar reference
(PyTorch's documented algorithms), a hand-checked step each, state keys, errors."""
import numpy as np
import pytest

import ember
from ember.optim import Adadelta, Adagrad, Adamax, NAdam, RAdam, RMSprop
import optim_reference as ref

CASES = [
    (RMSprop, ref.rmsprop, dict()), (RMSprop, ref.rmsprop, dict(lr=0.1, alpha=0.9, eps=1e-3)),
    (RMSprop, ref.rmsprop, dict(centered=True, lr=0.05)),
    (RMSprop, ref.rmsprop, dict(momentum=0.9, weight_decay=0.1)),
    (RMSprop, ref.rmsprop, dict(centered=True, momentum=0.5, maximize=True, lr=0.05)),
    (Adagrad, ref.adagrad, dict()), (Adagrad, ref.adagrad, dict(lr=0.5, lr_decay=0.1)),
    (Adagrad, ref.adagrad, dict(initial_accumulator_value=0.5, weight_decay=0.1, maximize=True)),
    (Adadelta, ref.adadelta, dict()), (Adadelta, ref.adadelta, dict(lr=0.5, rho=0.5, eps=1e-3)),
    (Adadelta, ref.adadelta, dict(weight_decay=0.2, maximize=True)),
    (Adamax, ref.adamax, dict()), (Adamax, ref.adamax, dict(lr=0.1, betas=(0.3, 0.8))),
    (Adamax, ref.adamax, dict(weight_decay=0.1, maximize=True, eps=1e-2)),
    (NAdam, ref.nadam, dict()), (NAdam, ref.nadam, dict(lr=0.1, momentum_decay=0.05)),
    (NAdam, ref.nadam, dict(weight_decay=0.1)),
    (NAdam, ref.nadam, dict(weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    (RAdam, ref.radam, dict()), (RAdam, ref.radam, dict(betas=(0.8, 0.9), lr=0.1)),
    (RAdam, ref.radam, dict(weight_decay=0.1, betas=(0.9, 0.9))),
    (RAdam, ref.radam, dict(weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
]


@pytest.mark.parametrize("cls,fn,kw", CASES, ids=[f"{c.__name__}-{k}" for c, _, k in CASES])
def test_matches_reference(cls, fn, kw):
    # 10 steps: RAdam switches to the rectified update at step 6 with beta2 = 0.9 / 0.999
    ref.drive(cls, kw, fn, steps=10)


@pytest.mark.parametrize("cls,fn,kw", CASES[::3], ids=[f"{c.__name__}" for c, _, k in CASES[::3]])
def test_float32_close_to_reference(cls, fn, kw):
    p, opt = ref.drive(cls, kw, fn, steps=5, dtype=np.float32, rtol=3e-5)
    assert p.dtype == ember.float32
    for v in opt.state[p].values():
        assert v.dtype == ember.float32


def test_hand_checked_first_steps():
    def one(cls, g=0.5, **kw):
        p = ember.tensor([1.0], dtype=ember.float64, requires_grad=True)
        opt = cls([p], **kw)
        p.grad = ember.tensor([g], dtype=ember.float64)
        opt.step()
        return p.item()
    # RMSprop: v = 0.01 * 0.25 -> p -= 0.01 * 0.5 / 0.05
    assert one(RMSprop) == pytest.approx(1 - 0.1, abs=1e-6)
    # Adagrad: sum = 0.25 -> p -= 0.01 * 0.5 / 0.5
    assert one(Adagrad) == pytest.approx(0.99, abs=1e-9)
    # Adadelta: v = 0.025, delta = sqrt(1e-6) / sqrt(0.025 + 1e-6) * 0.5
    assert one(Adadelta) == pytest.approx(1 - 1e-3 / (0.025 + 1e-6) ** 0.5 * 0.5, rel=1e-12)
    # Adamax: m = 0.05, u = 0.5 -> p -= 0.002 / 0.1 * 0.05 / 0.5
    assert one(Adamax) == pytest.approx(1 - 0.002, abs=1e-9)
    # RAdam: rho_1 < 5 -> p -= lr * m_hat = 0.001 * 0.5
    assert one(RAdam) == pytest.approx(1 - 0.0005, abs=1e-12)


@pytest.mark.parametrize("cls,kw,keys", [
    (RMSprop, dict(), ["step", "square_avg"]),
    (RMSprop, dict(momentum=0.9, centered=True), ["step", "square_avg", "momentum_buffer",
                                                  "grad_avg"]),
    (Adagrad, dict(), ["step", "sum"]), (Adadelta, dict(), ["step", "square_avg", "acc_delta"]),
    (Adamax, dict(), ["step", "exp_avg", "exp_inf"]),
    (NAdam, dict(), ["step", "mu_product", "exp_avg", "exp_avg_sq"]),
    (RAdam, dict(), ["step", "exp_avg", "exp_avg_sq"])])
def test_state_keys(cls, kw, keys):
    p = ember.ones(2, requires_grad=True)
    opt = cls([p], **kw)
    p.grad = ember.ones(2)
    opt.step()
    assert list(opt.state[p]) == keys
    assert opt.state[p]["step"].shape == () and opt.state[p]["step"].item() == 1.0


def test_adagrad_state_exists_before_any_step():
    p = ember.ones(3, requires_grad=True)
    opt = Adagrad([p], initial_accumulator_value=0.25)
    assert opt.state[p]["sum"].tolist() == [0.25] * 3
    assert opt.state[p]["step"].item() == 0.0


def test_nadam_mu_product_is_float32_product():
    p = ember.ones(1, requires_grad=True)
    opt = NAdam([p])
    mu = [0.9 * (1 - 0.5 * 0.96 ** (t * 4e-3)) for t in (1, 2, 3)]
    for _ in range(3):
        p.grad = ember.ones(1)
        opt.step()
    prod = np.float32(1.0)
    for m in mu:
        prod = np.float32(prod * np.float32(m))
    assert opt.state[p]["mu_product"].item() == float(prod)


@pytest.mark.parametrize("cls,kw,msg", [
    (RMSprop, dict(lr=-1), "Invalid learning rate: -1"),
    (RMSprop, dict(alpha=-0.1), "Invalid alpha value: -0.1"),
    (RMSprop, dict(momentum=-1), "Invalid momentum value: -1"),
    (RMSprop, dict(eps=-1), "Invalid epsilon value: -1"),
    (Adagrad, dict(lr_decay=-1), "Invalid lr_decay value: -1"),
    (Adagrad, dict(initial_accumulator_value=-1), "Invalid initial_accumulator_value value: -1"),
    (Adadelta, dict(rho=1.1), "Invalid rho value: 1.1"),
    (Adamax, dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
    (NAdam, dict(momentum_decay=-1), "Invalid momentum_decay value: -1"),
    (RAdam, dict(weight_decay=-1), "Invalid weight_decay value: -1")])
def test_invalid_arguments(cls, kw, msg):
    with pytest.raises(ValueError, match=msg):
        cls([ember.zeros(2, requires_grad=True)], **kw)
