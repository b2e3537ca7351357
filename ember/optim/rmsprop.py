"""RMSprop: divide the gradient by a running root-mean-square of recent gradients
(optionally centered, with momentum)."""
import numpy as np

from .optimizer import Optimizer, _eval_closure, _check_lr, _check_nonneg, _grad, _lerp_, _use_grad

__all__ = ["RMSprop"]


def _rmsprop_kernel(p, g, sq, ga, buf, t0, t1, t2, a):
    wd, maximize, alpha, c, eps, momentum, neg_lr = a
    d = _grad(p, g, t0, wd, maximize)
    sq *= alpha                              # sq = alpha * sq + (1 - alpha) * d * d
    np.multiply(d, c, out=t1)
    t1 *= d
    sq += t1
    if ga is not None:                       # centered: subtract the squared mean gradient
        _lerp_(ga, d, c, t1)
        np.multiply(ga, ga, out=t1)
        np.subtract(sq, t1, out=t1)
        np.sqrt(t1, out=t1)
    else:
        np.sqrt(sq, out=t1)
    t1 += eps
    if buf is not None:
        buf *= momentum
        np.divide(d, t1, out=t2)
        buf += t2
        np.multiply(buf, neg_lr, out=t2)
    else:
        np.multiply(d, neg_lr, out=t2)
        t2 /= t1
    p += t2


def _k_plain(p, g, sq, t0, t1, t2, a):
    _rmsprop_kernel(p, g, sq, None, None, t0, t1, t2, a)


def _k_centered(p, g, sq, ga, t0, t1, t2, a):
    _rmsprop_kernel(p, g, sq, ga, None, t0, t1, t2, a)


def _k_momentum(p, g, sq, buf, t0, t1, t2, a):
    _rmsprop_kernel(p, g, sq, None, buf, t0, t1, t2, a)


def _k_both(p, g, sq, ga, buf, t0, t1, t2, a):
    _rmsprop_kernel(p, g, sq, ga, buf, t0, t1, t2, a)


class RMSprop(Optimizer):
    """RMSprop (Hinton), with PyTorch's options: alpha, eps, weight_decay, momentum,
    centered, maximize."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        _check_lr(lr)
        _check_nonneg(eps, "epsilon value")
        _check_nonneg(momentum, "momentum value")
        _check_nonneg(weight_decay, "weight_decay value")
        _check_nonneg(alpha, "alpha value")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _fix_group(self, group):
        for k, v in (("momentum", 0), ("centered", False), ("maximize", False)):
            group.setdefault(k, v)

    @_use_grad
    def step(self, closure=None):
        """One RMSprop update of every parameter that has a gradient."""
        loss = _eval_closure(closure)
        state = self.state
        for group in self.param_groups:
            alpha = float(group["alpha"])
            momentum = float(group["momentum"])
            centered = group["centered"]
            args = (float(group["weight_decay"]), group["maximize"], alpha, 1 - alpha,
                    float(group["eps"]), momentum, -float(group["lr"]))
            kernel = ((_k_both if momentum > 0 else _k_centered) if centered else
                      (_k_momentum if momentum > 0 else _k_plain))
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                st = state[p]
                if not st:
                    st["step"] = self._counter()
                    st["square_avg"] = self._zeros(p)
                    if momentum > 0:
                        st["momentum_buffer"] = self._zeros(p)
                    if centered:
                        st["grad_avg"] = self._zeros(p)
                st["step"]._data += 1
                arrays = [g._data, st["square_avg"]._data]
                if centered:
                    arrays.append(st["grad_avg"]._data)
                if momentum > 0:
                    arrays.append(st["momentum_buffer"]._data)
                self._apply(kernel, p, arrays, 3, args)
        return loss
