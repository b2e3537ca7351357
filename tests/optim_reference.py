"""Scalar reference implementations of the optimizers (PyTorch's documented algorithms in plain
Python floats), and a driver that checks an ember optimizer against one, element by element.
"""
import math

import numpy as np

import ember


def drive(opt_cls, kw, ref_step, steps=6, n=5, seed=0, dtype=np.float64, rtol=1e-11):
    """Run ``opt_cls([p], **kw)`` for ``steps`` steps on fixed gradients and compare each step
    with ``ref_step(p, g, state, t, **kw)`` applied to every element."""
    rng = np.random.default_rng(seed)
    p0 = rng.standard_normal(n)
    grads = rng.standard_normal((steps, n))
    p = ember.tensor(p0.astype(dtype), requires_grad=True)
    opt = opt_cls([p], **kw)
    ref = [float(x) for x in p0.astype(dtype)]
    states = [dict() for _ in range(n)]
    for t in range(1, steps + 1):
        p.grad = ember.tensor(grads[t - 1].astype(dtype))
        opt.step()
        for i in range(n):
            ref[i] = ref_step(ref[i], float(grads[t - 1][i].astype(dtype)), states[i], t, **kw)
        np.testing.assert_allclose(p.detach().numpy(), ref, rtol=rtol, atol=rtol)
    return p, opt


def _g(p, g, weight_decay=0, maximize=False):
    g = -g if maximize else g
    return g + weight_decay * p


def sgd(p, g, s, t, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
        maximize=False):
    g = _g(p, g, weight_decay, maximize)
    if momentum:
        s["b"] = g if t == 1 else momentum * s["b"] + (1 - dampening) * g
        g = g + momentum * s["b"] if nesterov else s["b"]
    return p - lr * g


def adam(p, g, s, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
         maximize=False, decoupled_weight_decay=False):
    b1, b2 = betas
    g = -g if maximize else g
    if decoupled_weight_decay:
        p = p * (1 - lr * weight_decay)
    else:
        g = g + weight_decay * p
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
    mhat = s["m"] / (1 - b1 ** t)
    if amsgrad:
        s["vmax"] = max(s.get("vmax", 0.0), s["v"])
        vhat = s["vmax"] / (1 - b2 ** t)
    else:
        vhat = s["v"] / (1 - b2 ** t)
    return p - lr * mhat / (math.sqrt(vhat) + eps)


def adamw(p, g, s, t, weight_decay=1e-2, **kw):
    return adam(p, g, s, t, weight_decay=weight_decay, decoupled_weight_decay=True, **kw)


def rmsprop(p, g, s, t, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
            centered=False, maximize=False):
    g = _g(p, g, weight_decay, maximize)
    s["v"] = alpha * s.get("v", 0.0) + (1 - alpha) * g * g
    v = s["v"]
    if centered:
        s["ga"] = alpha * s.get("ga", 0.0) + (1 - alpha) * g
        v = v - s["ga"] ** 2
    if momentum > 0:
        s["b"] = momentum * s.get("b", 0.0) + g / (math.sqrt(v) + eps)
        return p - lr * s["b"]
    return p - lr * g / (math.sqrt(v) + eps)


def adagrad(p, g, s, t, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
            eps=1e-10, maximize=False):
    g = _g(p, g, weight_decay, maximize)
    clr = lr / (1 + (t - 1) * lr_decay)
    s["sum"] = s.get("sum", initial_accumulator_value) + g * g
    return p - clr * g / (math.sqrt(s["sum"]) + eps)


def adadelta(p, g, s, t, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False):
    g = _g(p, g, weight_decay, maximize)
    s["v"] = rho * s.get("v", 0.0) + (1 - rho) * g * g
    delta = math.sqrt(s.get("u", 0.0) + eps) / math.sqrt(s["v"] + eps) * g
    s["u"] = rho * s.get("u", 0.0) + (1 - rho) * delta * delta
    return p - lr * delta


def adamax(p, g, s, t, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
           maximize=False):
    b1, b2 = betas
    g = _g(p, g, weight_decay, maximize)
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    s["u"] = max(b2 * s.get("u", 0.0), abs(g) + eps)
    return p - lr / (1 - b1 ** t) * s["m"] / s["u"]


def nadam(p, g, s, t, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
          momentum_decay=4e-3, decoupled_weight_decay=False, maximize=False):
    b1, b2 = betas
    g = -g if maximize else g
    if decoupled_weight_decay:
        p = p * (1 - lr * weight_decay)
    else:
        g = g + weight_decay * p
    mu = b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    # PyTorch keeps the product of the mu's in a float32 scalar tensor (the "step" dtype)
    s["prod"] = float(np.float32(s.get("prod", 1.0)) * np.float32(mu))
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
    vhat = s["v"] / (1 - b2 ** t)
    denom = math.sqrt(vhat) + eps
    return (p - lr * (1 - mu) / (1 - s["prod"]) * g / denom
            - lr * mu_next / (1 - s["prod"] * mu_next) * s["m"] / denom)


def radam(p, g, s, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
          decoupled_weight_decay=False, maximize=False):
    b1, b2 = betas
    g = -g if maximize else g
    if decoupled_weight_decay:
        p = p * (1 - lr * weight_decay)
    else:
        g = g + weight_decay * p
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
    mhat = s["m"] / (1 - b1 ** t)
    rho_inf = 2 / (1 - b2) - 1
    rho_t = rho_inf - 2 * t * b2 ** t / (1 - b2 ** t)
    if rho_t > 5:
        lt = math.sqrt(1 - b2 ** t) / (math.sqrt(s["v"]) + eps)
        rt = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                       / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        return p - lr * mhat * lt * rt
    return p - lr * mhat
