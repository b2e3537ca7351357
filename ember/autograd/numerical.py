"""Numerical differentiation, the four schemes of the book's ch. 4.

``derivative(f, x, h, method)`` differentiates a function of one float; ``jacobian(fn, inputs,
eps, method)`` perturbs each element of each input tensor and returns d(outputs)/d(input) as
NumPy matrices of shape (input numel, output numel), which ``gradcheck`` compares with autograd.

- "forward":  (f(x + h) - f(x)) / h                 error O(h)
- "backward": (f(x) - f(x - h)) / h                 error O(h)
- "central":  (f(x + h) - f(x - h)) / 2h            error O(h^2)
- "richardson": (4 D(h/2) - D(h)) / 3 with D the central difference, error O(h^4)
"""
import numpy as np

__all__ = ["derivative", "jacobian", "METHODS"]

METHODS = ("forward", "backward", "central", "richardson")


def derivative(f, x, h=1e-5, method="central"):
    """Approximate f'(x) for a scalar function ``f`` of a float with step ``h``."""
    if method == "forward":
        return (f(x + h) - f(x)) / h
    if method == "backward":
        return (f(x) - f(x - h)) / h
    if method == "central":
        return (f(x + h) - f(x - h)) / (2 * h)
    if method == "richardson":
        d1 = (f(x + h) - f(x - h)) / (2 * h)
        d2 = (f(x + h / 2) - f(x - h / 2)) / h
        return (4 * d2 - d1) / 3
    raise ValueError(f"unknown method {method!r}; choose one of {METHODS}")


def _flat_outputs(fn, inputs):
    from ..tensor import Tensor
    from .grad_mode import no_grad
    with no_grad():
        out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return np.concatenate([np.asarray(o._data, dtype=np.float64).ravel()
                           for o in outs if isinstance(o, Tensor)] or [np.zeros(0)])


def jacobian(fn, inputs, eps=1e-6, method="central"):
    """One (numel_in, numel_out) matrix per input tensor, by perturbing elements in place."""
    from ..tensor import Tensor
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {METHODS}")
    f0 = _flat_outputs(fn, inputs) if method in ("forward", "backward") else None
    jacs = []
    for t in inputs:
        if not isinstance(t, Tensor) or not t._rg:
            jacs.append(None)
            continue
        orig_data = t._data
        if not orig_data.flags.c_contiguous or not orig_data.flags.writeable:
            t._data = np.array(orig_data, order="C")   # perturb a private contiguous copy
        try:
            jacs.append(_jacobian_rows(fn, inputs, t._data.reshape(-1), eps, method, f0))
        finally:
            t._data = orig_data
    return jacs


def _jacobian_rows(fn, inputs, flat, eps, method, f0):
    """d(outputs)/d(flat[i]) for every element i of ``flat`` (a view of an input's buffer)."""
    if flat.size == 0:
        n_out = (f0 if f0 is not None else _flat_outputs(fn, inputs)).size
        return np.zeros((0, n_out))
    rows = []
    for i in range(flat.size):
        orig = flat[i].item()

        def f_at(delta):
            flat[i] = orig + delta
            try:
                return _flat_outputs(fn, inputs)
            finally:
                flat[i] = orig
        if method == "richardson":
            d1 = (f_at(eps) - f_at(-eps)) / (2 * eps)
            d2 = (f_at(eps / 2) - f_at(-eps / 2)) / eps
            rows.append((4 * d2 - d1) / 3)
        elif method == "forward":
            rows.append((f_at(eps) - f0) / eps)
        elif method == "backward":
            rows.append((f0 - f_at(-eps)) / eps)
        else:
            rows.append((f_at(eps) - f_at(-eps)) / (2 * eps))
    return np.array(rows).reshape(flat.size, -1)
