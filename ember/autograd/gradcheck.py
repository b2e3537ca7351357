"""``gradcheck``: compare autograd's gradients with central differences (use float64).

For every differentiable input and every output, the Jacobian autograd gives (one backward
pass per output element) must match the numerical one within ``atol + rtol * |numerical|``.
"""
import warnings

import numpy as np

from .numerical import jacobian

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when autograd's and the numerical Jacobians disagree."""


def _outputs(out):
    from ..tensor import Tensor
    return [o for o in (out if isinstance(out, (tuple, list)) else (out,))
            if isinstance(o, Tensor)]


def _analytical(fn, inputs, diff_idx):
    """One (numel_in, numel_out_total) matrix per differentiable input, row = input element."""
    from ..tensor import _new_tensor
    from . import grad as autograd_grad
    outs = _outputs(fn(*inputs))
    diff_in = [inputs[i] for i in diff_idx]
    n_out = sum(o._data.size for o in outs)
    jacs = [np.zeros((t._data.size, n_out)) for t in diff_in]
    col = 0
    for o in outs:
        if not o._rg:   # a non-differentiable output: its Jacobian is zero
            col += o._data.size
            continue
        for j in range(o._data.size):
            g = np.zeros(o._data.size, dtype=o._data.dtype)
            g[j] = 1
            gs = autograd_grad([o], diff_in, [_new_tensor(g.reshape(o._data.shape))],
                               retain_graph=True, allow_unused=True)
            for k, gk in enumerate(gs):
                if gk is not None:
                    jacs[k][:, col] = np.asarray(gk._data, dtype=np.float64).ravel()
            col += 1
    return jacs, [o._data.size for o in outs]


def _show(a):
    from ..tensor import _new_tensor
    return repr(_new_tensor(np.asarray(a)))


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None):
    """True when autograd's Jacobian of ``func`` at ``inputs`` matches central differences;
    otherwise raise ``GradcheckError`` (or return False with ``raise_exception=False``)."""
    from ..tensor import Tensor
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    diff_idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t._rg]
    if not diff_idx:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")
    for i in diff_idx:
        if inputs[i]._data.dtype not in (np.float64, np.complex128):
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating "
                          "point or complex. This check will likely fail if all the inputs are "
                          "not of double precision floating point or complex. ")
    numerical = [j for j in jacobian(func, inputs, eps, "central") if j is not None]
    analytical, sizes = _analytical(func, inputs, diff_idx)
    bounds = np.cumsum([0] + sizes)
    for k, (a, n) in enumerate(zip(analytical, numerical)):
        n = n.reshape(a.shape[0], -1)
        for j in range(len(sizes)):
            aj, nj = a[:, bounds[j]:bounds[j + 1]], n[:, bounds[j]:bounds[j + 1]]
            if not np.allclose(aj, nj, rtol=rtol, atol=atol, equal_nan=True):
                if not raise_exception:
                    return False
                raise GradcheckError(f"Jacobian mismatch for output {j} with respect to input "
                                     f"{diff_idx[k]},\nnumerical:{_show(nj)}\n"
                                     f"analytical:{_show(aj)}\n")
    return True


def gradgradcheck(func, inputs, grad_outputs=None, **kwargs):
    """Second-order check; needs ``create_graph=True``, which ember does not support."""
    raise NotImplementedError("ember computes first-order gradients only; gradgradcheck needs "
                              "create_graph=True (higher-order derivatives)")
