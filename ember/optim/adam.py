"""Adam and AdamW: bias-corrected moment estimates, optional AMSGrad and decoupled weight
decay, updated in place per cache-sized chunk with preallocated state."""
import numpy as np

from .optimizer import (Optimizer, _eval_closure, _check_betas, _check_lr, _check_nonneg, _grad, _lerp_,
                        _use_grad)

__all__ = ["Adam", "AdamW"]


def _adam_kernel(p, g, m, v, t0, t1, t2, a):
    decay, wd, maximize, w1, b2, c2, amsgrad, vmax, ss, eps_c = a
    if decay != 1.0:              # decoupled weight decay: p *= 1 - lr * wd
        p *= decay
    d = _grad(p, g, t0, wd, maximize)
    _lerp_(m, d, w1, t1)                      # m = lerp(m, d, 1 - beta1)
    v *= b2                                   # v = beta2 * v + (1 - beta2) * d * d
    np.multiply(d, c2, out=t1)
    t1 *= d
    v += t1
    if amsgrad:
        np.maximum(vmax, v, out=vmax)
        np.sqrt(vmax, out=t1)
    else:
        np.sqrt(v, out=t1)
    # p -= step_size * m / (sqrt(v) / sqrt(bc2) + eps), with sqrt(bc2) folded into the
    # scalars so the denominator takes one pass less
    t1 += eps_c
    np.multiply(m, ss, out=t2)
    t2 /= t1
    p += t2


def _adam_ams_kernel(p, g, m, v, vmax, t0, t1, t2, a):
    _adam_kernel(p, g, m, v, t0, t1, t2, a[:6] + (True, vmax) + a[8:])


class Adam(Optimizer):
    """Adam (Kingma & Ba), with optional AMSGrad, L2 weight decay (or decoupled, as AdamW)
    and maximize."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        from ..tensor import Tensor
        _check_lr(lr)
        _check_nonneg(eps, "epsilon value")
        b = tuple(x.item() if isinstance(x, Tensor) else x for x in betas)
        _check_betas(b)
        _check_nonneg(weight_decay, "weight_decay value")
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def _fix_group(self, group):
        for k, v in (("amsgrad", False), ("maximize", False), ("capturable", False),
                     ("decoupled_weight_decay", False)):
            group.setdefault(k, v)

    @_use_grad
    def step(self, closure=None):
        """One Adam update of every parameter that has a gradient."""
        loss = _eval_closure(closure)
        state = self.state
        apply = self._apply
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = group["betas"]
            beta1, beta2 = float(beta1), float(beta2)
            eps = float(group["eps"])
            wd = float(group["weight_decay"])
            amsgrad = group["amsgrad"]
            maximize = group["maximize"]
            decay = 1.0
            if group["decoupled_weight_decay"] and wd:
                decay, wd = 1.0 - lr * wd, 0.0
            last = None
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                st = state[p]
                if not st:
                    st["step"] = self._counter()
                    st["exp_avg"] = self._zeros(p)
                    st["exp_avg_sq"] = self._zeros(p)
                    if amsgrad:
                        st["max_exp_avg_sq"] = self._zeros(p)
                step_arr = st["step"]._data
                step_arr += 1
                step = float(step_arr)
                if step != last:
                    last = step
                    bc1 = 1 - beta1 ** step
                    bc2_sqrt = (1 - beta2 ** step) ** 0.5
                    step_size = lr / bc1
                    args = (decay, wd, maximize, 1 - beta1, beta2, 1 - beta2, False, None,
                            -step_size * bc2_sqrt, eps * bc2_sqrt)
                arrays = (g._data, st["exp_avg"]._data, st["exp_avg_sq"]._data)
                if amsgrad:
                    apply(_adam_ams_kernel, p, arrays + (st["max_exp_avg_sq"]._data,), 3, args)
                else:
                    apply(_adam_kernel, p, arrays, 3, args)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): p *= 1 - lr * weight_decay
    before the Adam update."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def _fix_group(self, group):
        super()._fix_group(group)
        group["decoupled_weight_decay"] = True
