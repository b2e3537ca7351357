"""Stochastic gradient descent with momentum (PyTorch's form: b = mu*b + (1-dampening)*g,
p -= lr*b, or p -= lr*(g + mu*b) with Nesterov)."""
import numpy as np

from .optimizer import Optimizer, _eval_closure, _check_lr, _grad, _use_grad

__all__ = ["SGD"]


def _sgd_kernel(p, g, t0, t1, a):
    wd, maximize, neg_lr = a
    d = _grad(p, g, t0, wd, maximize)
    np.multiply(d, neg_lr, out=t1)
    p += t1


def _sgd_momentum_kernel(p, g, buf, t0, t1, a):
    wd, maximize, neg_lr, mu, keep, nesterov, first = a
    d = _grad(p, g, t0, wd, maximize)
    if first:                       # the buffer starts as a copy of the gradient
        np.copyto(buf, d)
    else:
        buf *= mu
        if keep == 1.0:
            buf += d
        else:
            np.multiply(d, keep, out=t1)
            buf += t1
    if nesterov:
        np.multiply(buf, mu, out=t1)
        t1 += d
    else:
        np.multiply(buf, neg_lr, out=t1)
        p += t1
        return
    t1 *= neg_lr
    p += t1


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum, Nesterov momentum and weight
    decay (L2 penalty added to the gradient)."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def _fix_group(self, group):
        group.setdefault("nesterov", False)
        group.setdefault("maximize", False)

    @_use_grad
    def step(self, closure=None):
        """One update of every parameter that has a gradient; ``closure`` re-evaluates the
        loss (with grad enabled) and its result is returned."""
        loss = _eval_closure(closure)
        state = self.state
        apply = self._apply
        for group in self.param_groups:
            neg_lr = -float(group["lr"])
            wd = float(group["weight_decay"])
            maximize = group["maximize"]
            mu = float(group["momentum"])
            if not mu:
                args = (wd, maximize, neg_lr)
                for p in group["params"]:
                    g = p.grad
                    if g is not None:
                        apply(_sgd_kernel, p, (g._data,), 2, args)
                continue
            keep = 1.0 - float(group["dampening"])
            nesterov = group["nesterov"]
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                st = state[p]
                buf = st.get("momentum_buffer")
                first = buf is None
                if first:
                    buf = st["momentum_buffer"] = self._zeros(p)
                apply(_sgd_momentum_kernel, p, (g._data, buf._data), 2,
                      (wd, maximize, neg_lr, mu, keep, nesterov, first))
        return loss
