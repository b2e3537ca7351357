"""Adagrad: per-coordinate learning rates from the running sum of squared gradients."""
import numpy as np

from .optimizer import Optimizer, _eval_closure, _check_lr, _check_nonneg, _grad, _use_grad

__all__ = ["Adagrad"]


def _adagrad_kernel(p, g, s, t0, t1, t2, a):
    wd, maximize, eps, neg_clr = a
    d = _grad(p, g, t0, wd, maximize)
    np.multiply(d, d, out=t1)          # sum += d * d
    s += t1
    np.sqrt(s, out=t1)
    t1 += eps
    np.multiply(d, neg_clr, out=t2)    # p -= clr * d / (sqrt(sum) + eps)
    t2 /= t1
    p += t2


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.) with lr_decay, weight_decay, initial_accumulator_value, eps
    and maximize. Its state is created for every parameter at construction, as PyTorch."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False,
                 differentiable=False, fused=None):
        _check_lr(lr)
        _check_nonneg(lr_decay, "lr_decay value")
        _check_nonneg(weight_decay, "weight_decay value")
        _check_nonneg(initial_accumulator_value, "initial_accumulator_value value")
        _check_nonneg(eps, "epsilon value")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        fused=fused)
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(self.state[p], p, initial_accumulator_value)

    def _init_state(self, st, p, value):
        st["step"] = self._counter()
        st["sum"] = self._zeros(p, value)

    def _fix_group(self, group):
        group.setdefault("maximize", False)

    @_use_grad
    def step(self, closure=None):
        """One Adagrad update of every parameter that has a gradient."""
        loss = _eval_closure(closure)
        state = self.state
        for group in self.param_groups:
            lr = float(group["lr"])
            lr_decay = float(group["lr_decay"])
            head = (float(group["weight_decay"]), group["maximize"], float(group["eps"]))
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                st = state[p]
                if not st:
                    self._init_state(st, p, self.defaults["initial_accumulator_value"])
                step_arr = st["step"]._data
                step_arr += 1
                clr = lr / (1 + (float(step_arr) - 1) * lr_decay)
                self._apply(_adagrad_kernel, p, (g._data, st["sum"]._data), 3,
                            head + (-clr,))
        return loss
