"""``gradcheck``: compare autograd's gradients with central differences (use float64)."""
import numpy as np

from .numerical import jacobian

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    pass


def _analytical(fn, inputs):
    from ..tensor import Tensor, _new_tensor
    from . import grad as autograd_grad
    out = fn(*inputs)
    outs = [o for o in (out if isinstance(out, (tuple, list)) else (out,))
            if isinstance(o, Tensor)]
    diff_in = [t for t in inputs if isinstance(t, Tensor) and t._rg]
    n_out = sum(o._data.size for o in outs)
    jacs = [np.zeros((t._data.size, n_out)) for t in diff_in]
    col = 0
    for o in outs:
        for j in range(o._data.size):
            if not o._rg:
                col += 1
                continue
            g = np.zeros(o._data.size, dtype=o._data.dtype)
            g[j] = 1
            gs = autograd_grad([o], diff_in, [_new_tensor(g.reshape(o._data.shape))],
                               retain_graph=True, allow_unused=True)
            for k, gk in enumerate(gs):
                if gk is not None:
                    jacs[k][:, col] = np.asarray(gk._data, dtype=np.float64).ravel()
            col += 1
    return jacs


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, fast_mode=False, **kwargs):
    """True when autograd's Jacobian of ``func`` at ``inputs`` matches central differences
    within ``atol + rtol * |numerical|``; otherwise raise (or return False)."""
    from ..tensor import Tensor
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    for t in inputs:
        if isinstance(t, Tensor) and t._rg and t._data.dtype != np.float64:
            import warnings
            warnings.warn("Input #0 requires gradient and is not a double precision floating "
                          "point. This check will likely fail if all the inputs are not of "
                          "double precision floating point. ")
    diff = [t for t in inputs if isinstance(t, Tensor) and t._rg]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of the them have requires_grad=True.")
    numerical = [j for j in jacobian(func, inputs, eps, "central") if j is not None]
    analytical = _analytical(func, inputs)
    for k, (a, n) in enumerate(zip(analytical, numerical)):
        if a.shape != n.shape or not np.allclose(a, n, rtol=rtol, atol=atol):
            if not raise_exception:
                return False
            raise GradcheckError(f"Jacobian mismatch for output 0 with respect to input {k},\n"
                                 f"numerical:{n}\nanalytical:{a}\n")
    return True


def gradgradcheck(*args, **kwargs):
    raise NotImplementedError("ember computes first-order gradients only; gradgradcheck needs "
                              "create_graph=True")
