"""NAdam: Adam with Nesterov momentum and the momentum-decay schedule of Dozat (2016)."""
import numpy as np

from .optimizer import (Optimizer, _eval_closure, _check_betas, _check_lr, _check_nonneg, _grad, _lerp_,
                        _use_grad)

__all__ = ["NAdam"]


def _nadam_kernel(p, g, m, v, t0, t1, t2, a):
    decay, wd, maximize, w1, b2, c2, bc2, eps, cg, cm = a
    if decay != 1.0:
        p *= decay
    d = _grad(p, g, t0, wd, maximize)
    _lerp_(m, d, w1, t1)
    v *= b2
    np.multiply(d, c2, out=t1)
    t1 *= d
    v += t1
    np.divide(v, bc2, out=t1)          # denom = sqrt(v / bc2) + eps
    np.sqrt(t1, out=t1)
    t1 += eps
    np.multiply(d, cg, out=t2)         # p += cg * d / denom + cm * m / denom
    t2 /= t1
    p += t2
    np.multiply(m, cm, out=t2)
    t2 /= t1
    p += t2


class NAdam(Optimizer):
    """NAdam with betas, eps, weight_decay (optionally decoupled, as NAdamW),
    momentum_decay and maximize."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        _check_lr(lr)
        _check_nonneg(eps, "epsilon value")
        _check_betas(betas)
        _check_nonneg(weight_decay, "weight_decay value")
        _check_nonneg(momentum_decay, "momentum_decay value")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _fix_group(self, group):
        group.setdefault("maximize", False)
        group.setdefault("decoupled_weight_decay", False)

    @_use_grad
    def step(self, closure=None):
        """One NAdam update of every parameter that has a gradient."""
        loss = _eval_closure(closure)
        state = self.state
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = (float(b) for b in group["betas"])
            eps = float(group["eps"])
            wd = float(group["weight_decay"])
            md = float(group["momentum_decay"])
            decay = 1.0
            if group["decoupled_weight_decay"] and wd:
                decay, wd = 1.0 - lr * wd, 0.0
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                st = state[p]
                if not st:
                    st["step"] = self._counter()
                    st["mu_product"] = self._counter(1.0)
                    st["exp_avg"] = self._zeros(p)
                    st["exp_avg_sq"] = self._zeros(p)
                step_arr = st["step"]._data
                step_arr += 1
                step = float(step_arr)
                bc2 = 1 - beta2 ** step
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * md)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * md)))
                mp = st["mu_product"]._data
                mp *= mu                       # kept in float32, as PyTorch
                mu_product = float(mp)
                mu_product_next = mu_product * mu_next
                args = (decay, wd, group["maximize"], 1 - beta1, beta2, 1 - beta2, bc2, eps,
                        -lr * (1.0 - mu) / (1.0 - mu_product),
                        (-lr * mu_next) / (1.0 - mu_product_next))
                self._apply(_nadam_kernel, p,
                            (g._data, st["exp_avg"]._data, st["exp_avg_sq"]._data), 3, args)
        return loss
