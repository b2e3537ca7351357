"""RAdam: Adam with the variance of the adaptive learning rate rectified (Liu et al.)."""
import numpy as np

from .optimizer import (Optimizer, _eval_closure, _check_betas, _check_lr, _check_nonneg, _grad, _lerp_,
                        _use_grad)

__all__ = ["RAdam"]


def _radam_kernel(p, g, m, v, t0, t1, t2, a):
    decay, wd, maximize, w1, b2, c2, bc1, lr, rect, bc2_sqrt, eps = a
    if decay != 1.0:
        p *= decay
    d = _grad(p, g, t0, wd, maximize)
    _lerp_(m, d, w1, t1)
    v *= b2
    np.multiply(d, c2, out=t1)
    t1 *= d
    v += t1
    np.divide(m, bc1, out=t1)          # bias-corrected m, times lr
    t1 *= lr
    if rect is not None:               # times sqrt(bc2) / (sqrt(v) + eps) * rect
        np.sqrt(v, out=t2)
        t2 += eps
        np.reciprocal(t2, out=t2)      # PyTorch computes scalar / tensor this way
        t2 *= bc2_sqrt
        t1 *= t2
        t1 *= rect
    p -= t1


class RAdam(Optimizer):
    """RAdam with betas, eps, weight_decay (optionally decoupled) and maximize."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        _check_lr(lr)
        _check_nonneg(eps, "epsilon value")
        _check_betas(betas)
        _check_nonneg(weight_decay, "weight_decay value")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _fix_group(self, group):
        group.setdefault("maximize", False)
        group.setdefault("decoupled_weight_decay", False)

    @_use_grad
    def step(self, closure=None):
        """One RAdam update of every parameter that has a gradient."""
        loss = _eval_closure(closure)
        state = self.state
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = (float(b) for b in group["betas"])
            eps = float(group["eps"])
            wd = float(group["weight_decay"])
            decay = 1.0
            if group["decoupled_weight_decay"] and wd:
                decay, wd = 1.0 - lr * wd, 0.0
            rho_inf = 2 / (1 - beta2) - 1
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                st = state[p]
                if not st:
                    st["step"] = self._counter()
                    st["exp_avg"] = self._zeros(p)
                    st["exp_avg_sq"] = self._zeros(p)
                step_arr = st["step"]._data
                step_arr += 1
                step = float(step_arr)
                bc1 = 1 - beta1 ** step
                bc2 = 1 - beta2 ** step
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bc2
                rect = None
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                args = (decay, wd, group["maximize"], 1 - beta1, beta2, 1 - beta2, bc1, lr,
                        rect, bc2 ** 0.5, eps)
                self._apply(_radam_kernel, p,
                            (g._data, st["exp_avg"]._data, st["exp_avg_sq"]._data), 3, args)
        return loss
