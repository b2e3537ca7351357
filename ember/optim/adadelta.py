"""Adadelta: step sizes from running averages of squared gradients and squared updates."""
import numpy as np

from .optimizer import Optimizer, _eval_closure, _check_lr, _check_nonneg, _grad, _use_grad

__all__ = ["Adadelta"]


def _adadelta_kernel(p, g, sq, acc, t0, t1, t2, a):
    wd, maximize, rho, c, eps, neg_lr = a
    d = _grad(p, g, t0, wd, maximize)
    sq *= rho                          # sq = rho * sq + (1 - rho) * d * d
    np.multiply(d, c, out=t1)
    t1 *= d
    sq += t1
    np.add(sq, eps, out=t1)            # std = sqrt(sq + eps)
    np.sqrt(t1, out=t1)
    np.add(acc, eps, out=t2)           # delta = sqrt(acc + eps) / std * d
    np.sqrt(t2, out=t2)
    t2 /= t1
    t2 *= d
    acc *= rho                         # acc = rho * acc + (1 - rho) * delta * delta
    np.multiply(t2, c, out=t1)
    t1 *= t2
    acc += t1
    t2 *= neg_lr
    p += t2


class Adadelta(Optimizer):
    """Adadelta (Zeiler) with rho, eps, weight_decay, lr (a scale on the update) and
    maximize."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonneg(eps, "epsilon value")
        _check_nonneg(weight_decay, "weight_decay value")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, capturable=capturable, foreach=foreach,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _fix_group(self, group):
        group.setdefault("maximize", False)

    @_use_grad
    def step(self, closure=None):
        """One Adadelta update of every parameter that has a gradient."""
        loss = _eval_closure(closure)
        state = self.state
        for group in self.param_groups:
            rho = float(group["rho"])
            args = (float(group["weight_decay"]), group["maximize"], rho, 1 - rho,
                    float(group["eps"]), -float(group["lr"]))
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                st = state[p]
                if not st:
                    st["step"] = self._counter()
                    st["square_avg"] = self._zeros(p)
                    st["acc_delta"] = self._zeros(p)
                st["step"]._data += 1
                self._apply(_adadelta_kernel, p,
                            (g._data, st["square_avg"]._data, st["acc_delta"]._data), 3, args)
        return loss
