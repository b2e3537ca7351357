"""Adamax: Adam with the infinity norm in place of the second moment."""
import numpy as np

from .optimizer import (Optimizer, _eval_closure, _check_betas, _check_lr, _check_nonneg, _grad, _lerp_,
                        _use_grad)

__all__ = ["Adamax"]


def _adamax_kernel(p, g, m, u, t0, t1, a):
    wd, maximize, w1, b2, eps, neg_clr = a
    d = _grad(p, g, t0, wd, maximize)
    _lerp_(m, d, w1, t1)               # m = lerp(m, d, 1 - beta1)
    u *= b2                            # u = max(beta2 * u, |d| + eps)
    np.abs(d, out=t1)
    t1 += eps
    np.maximum(u, t1, out=u)
    np.multiply(m, neg_clr, out=t1)    # p -= lr / (1 - beta1^t) * m / u
    t1 /= u
    p += t1


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, section 7) with betas, eps, weight_decay and maximize."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        _check_nonneg(eps, "epsilon value")
        _check_betas(betas)
        _check_nonneg(weight_decay, "weight_decay value")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _fix_group(self, group):
        group.setdefault("maximize", False)

    @_use_grad
    def step(self, closure=None):
        """One Adamax update of every parameter that has a gradient."""
        loss = _eval_closure(closure)
        state = self.state
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = (float(b) for b in group["betas"])
            head = (float(group["weight_decay"]), group["maximize"], 1 - beta1, beta2,
                    float(group["eps"]))
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                st = state[p]
                if not st:
                    st["step"] = self._counter()
                    st["exp_avg"] = self._zeros(p)
                    st["exp_inf"] = self._zeros(p)
                step_arr = st["step"]._data
                step_arr += 1
                clr = lr / (1 - beta1 ** float(step_arr))
                self._apply(_adamax_kernel, p,
                            (g._data, st["exp_avg"]._data, st["exp_inf"]._data), 2,
                            head + (-clr,))
        return loss
