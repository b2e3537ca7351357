"""Every optimizer actually trains: a small tanh network fitting a smooth target must lower its
loss a lot within 300 steps (gradients from ember's autograd)."""
import numpy as np
import pytest

import ember
from ember import optim

CASES = [(optim.SGD, dict(lr=0.1, momentum=0.9)), (optim.SGD, dict(lr=0.1, nesterov=True,
                                                                      momentum=0.9)),
         (optim.Adam, dict(lr=0.02)), (optim.AdamW, dict(lr=0.02)),
         (optim.Adam, dict(lr=0.02, amsgrad=True)), (optim.RMSprop, dict(lr=0.005)),
         (optim.Adagrad, dict(lr=0.1)), (optim.Adadelta, dict(lr=5.0)),
         (optim.Adamax, dict(lr=0.05)), (optim.NAdam, dict(lr=0.02)),
         (optim.RAdam, dict(lr=0.02))]


@pytest.mark.parametrize("cls,kw", CASES, ids=[f"{c.__name__}-{k}" for c, k in CASES])
def test_loss_falls(cls, kw):
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.uniform(-1, 1, (64, 2)).astype(np.float32))
    y = ember.tensor(np.sin(2 * x.numpy()[:, :1]) * x.numpy()[:, 1:])
    w1 = ember.tensor((rng.standard_normal((2, 16)) * 0.5).astype(np.float32),
                      requires_grad=True)
    b1 = ember.zeros(16, requires_grad=True)
    w2 = ember.tensor((rng.standard_normal((16, 1)) * 0.25).astype(np.float32),
                      requires_grad=True)
    opt = cls([w1, b1, w2], **kw)

    def loss_fn():
        return (((x @ w1 + b1).tanh() @ w2 - y) ** 2).sum() / 64

    first = loss_fn().item()
    for _ in range(300):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
    assert loss_fn().item() < 0.05 * first
    assert w1.dtype == ember.float32
