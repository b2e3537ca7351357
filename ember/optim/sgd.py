"""Stochastic gradient descent with momentum (PyTorch's form: b = mu*b + g, p -= lr*b)."""
import numpy as np

from .optimizer import Optimizer, required
from ..autograd import grad_mode

__all__ = ["SGD"]


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        if lr is not required and lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize, foreach=foreach,
                                      differentiable=differentiable, fused=fused))

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with grad_mode.enable_grad():
                loss = closure()
        for g in self.param_groups:
            lr, mu, damp = g["lr"], g["momentum"], g["dampening"]
            wd, nesterov, maximize = g["weight_decay"], g["nesterov"], g["maximize"]
            for p in g["params"]:
                if p.grad is None:
                    continue
                w = p._data
                d = p.grad._data
                if maximize:
                    d = -d
                if wd:
                    d = d + wd * w
                if mu:
                    st = self.state[p]
                    buf = st.get("momentum_buffer")
                    if buf is None:
                        buf = np.array(d, dtype=w.dtype)
                        from ..tensor import _new_tensor
                        st["momentum_buffer"] = _new_tensor(buf)
                    else:
                        buf = buf._data
                        buf *= mu
                        buf += (1 - damp) * d
                    d = d + mu * buf if nesterov else buf
                w -= (lr * d).astype(w.dtype, copy=False)
                p._version[0] += 1
        return loss
