"""Adam and AdamW (ember/optim/adam.py): one step on a scalar by hand, every option against the
scalar reference, large (chunked) and complex parameters, state layout, errors."""
import numpy as np
import pytest

import ember
from ember.optim import Adam, AdamW
import optim_reference as ref


def test_one_step_on_a_scalar_by_hand():
    # m = 0.1*g, v = 0.001*g^2 -> m_hat = g, v_hat = g^2 -> p -= lr * g / (|g| + eps)
    p = ember.tensor(2.0, requires_grad=True)
    opt = Adam([p], lr=0.1)
    p.grad = ember.tensor(-4.0)
    opt.step()
    assert p.item() == pytest.approx(2.1, abs=1e-6)
    st = opt.state[p]
    assert st["exp_avg"].item() == pytest.approx(-0.4)
    assert st["exp_avg_sq"].item() == pytest.approx(0.016)
    assert p.dtype == ember.float32 and p.shape == ()


def test_two_steps_by_hand_float64():
    p = ember.tensor([1.0], dtype=ember.float64, requires_grad=True)
    opt = Adam([p], lr=0.1)
    for g in (0.5, -0.5):
        p.grad = ember.tensor([g], dtype=ember.float64)
        opt.step()
    # step 2: m = 0.9*0.05 - 0.05 = -0.005, v = 0.999*2.5e-4 + 2.5e-4; m_hat = -0.005/0.19
    m_hat = -0.005 / 0.19
    v_hat = (0.999 * 2.5e-4 + 2.5e-4) / (1 - 0.999 ** 2)
    expected = 1.0 - 0.1 * 0.5 / (0.5 + 1e-8) - 0.1 * m_hat / (v_hat ** 0.5 + 1e-8)
    assert p.item() == pytest.approx(expected, rel=1e-14)


ADAM = [dict(lr=0.1), dict(lr=0.1, betas=(0.5, 0.9)), dict(lr=0.1, betas=(0.2, 0.7), eps=1e-3),
        dict(lr=0.1, weight_decay=0.3), dict(lr=0.1, amsgrad=True),
        dict(lr=0.1, amsgrad=True, weight_decay=0.1, maximize=True),
        dict(lr=0.1, weight_decay=0.3, decoupled_weight_decay=True), dict(lr=0.1, maximize=True)]


@pytest.mark.parametrize("kw", ADAM, ids=str)
def test_adam_matches_reference(kw):
    ref.drive(Adam, kw, ref.adam, steps=8)


@pytest.mark.parametrize("kw", [dict(lr=0.1), dict(lr=0.1, weight_decay=0.5),
                                dict(lr=0.1, amsgrad=True, maximize=True)], ids=str)
def test_adamw_matches_reference(kw):
    ref.drive(AdamW, kw, ref.adamw, steps=8)


def test_float32_state_and_step_counter():
    p = ember.ones(2, 3, requires_grad=True)
    opt = Adam([p], amsgrad=True)
    for _ in range(3):
        p.grad = ember.ones(2, 3)
        opt.step()
    st = opt.state[p]
    assert list(st) == ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]
    assert st["step"].dtype == ember.float32 and st["step"].shape == ()
    assert st["step"].item() == 3.0
    for k in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
        assert st[k].dtype == ember.float32 and st[k].shape == (2, 3)
    assert p.dtype == ember.float32


def test_large_parameter_updated_in_chunks_like_small_ones():
    rng = np.random.default_rng(1)
    n = 3 * 65536 + 123                           # several chunks plus a remainder
    w0 = rng.standard_normal(n).astype(np.float32)
    g = rng.standard_normal((3, n)).astype(np.float32)
    big = ember.tensor(w0.copy(), requires_grad=True)
    pieces = [ember.tensor(w0[i:i + 1000].copy(), requires_grad=True) for i in range(0, n, 1000)]
    ob, op = Adam([big], lr=0.01, weight_decay=0.1), Adam(pieces, lr=0.01, weight_decay=0.1)
    for t in range(3):
        big.grad = ember.tensor(g[t])
        for k, q in enumerate(pieces):
            q.grad = ember.tensor(g[t, k * 1000:(k + 1) * 1000])
        ob.step()
        op.step()
    joined = np.concatenate([q.detach().numpy() for q in pieces])
    np.testing.assert_array_equal(big.detach().numpy(), joined)


def test_non_contiguous_parameter_is_updated_in_place():
    base = np.arange(12, dtype=np.float32).reshape(3, 4)
    p = ember.tensor(base.copy(), requires_grad=True)
    p._data = p._data.T                           # a transposed (non-contiguous) parameter
    q = ember.tensor(np.ascontiguousarray(base.T), requires_grad=True)
    g = np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3)
    o1, o2 = Adam([p], lr=0.1), Adam([q], lr=0.1)
    for _ in range(2):
        p.grad, q.grad = ember.tensor(g.copy()), ember.tensor(g.copy())
        o1.step()
        o2.step()
    np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_complex_parameter_as_real_pairs():
    z = ember.tensor(np.array([1 + 2j, -0.5 + 0j], dtype=np.complex64), requires_grad=True)
    r = ember.tensor(np.array([[1, 2], [-0.5, 0]], dtype=np.float32), requires_grad=True)
    oz, orr = Adam([z], lr=0.1), Adam([r], lr=0.1)
    gz = np.array([0.3 - 1j, 2 + 0.5j], dtype=np.complex64)
    for _ in range(3):
        z.grad = ember.tensor(gz)
        r.grad = ember.tensor(np.stack([gz.real, gz.imag], -1))
        oz.step()
        orr.step()
    zz = z.detach().numpy()
    np.testing.assert_allclose(np.stack([zz.real, zz.imag], -1), r.detach().numpy(), rtol=1e-6)
    assert oz.state[z]["exp_avg"].dtype == ember.complex64


def test_adamw_is_adam_with_decoupled_weight_decay():
    opt = AdamW([ember.zeros(1, requires_grad=True)])
    assert opt.defaults["weight_decay"] == 1e-2
    assert opt.defaults["decoupled_weight_decay"] is True
    assert isinstance(opt, Adam)


@pytest.mark.parametrize("kw,msg", [
    (dict(lr=-1), "Invalid learning rate: -1"), (dict(eps=-1e-8), "Invalid epsilon value"),
    (dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    (dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    (dict(betas=(0, 0.9)), "betas must be either both floats or both Tensors")])
def test_invalid_arguments(kw, msg):
    with pytest.raises(ValueError, match=msg):
        Adam([ember.zeros(2, requires_grad=True)], **kw)


def test_tensor_lr_and_betas():
    p = ember.tensor([1.0], requires_grad=True)
    opt = Adam([p], lr=ember.tensor(0.1), betas=(ember.tensor(0.9), ember.tensor(0.999)))
    p.grad = ember.tensor([1.0])
    opt.step()
    assert p.item() == pytest.approx(0.9, abs=1e-6)
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        Adam([p], lr=ember.tensor([0.1, 0.2]))


def test_non_contiguous_state_is_updated_in_place():
    p = ember.tensor(np.ones((2, 3), np.float32), requires_grad=True)
    opt = Adam([p], lr=0.1)
    p.grad = ember.ones(2, 3)
    opt.step()
    m = np.zeros((3, 2), np.float32).T            # a transposed buffer put in the state
    m[...] = opt.state[p]["exp_avg"].numpy()
    opt.state[p]["exp_avg"] = ember.from_numpy(m)
    opt.step()
    np.testing.assert_allclose(m, np.full((2, 3), 0.19), rtol=1e-6)
