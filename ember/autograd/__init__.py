"""Automatic differentiation: ``backward``, ``grad``, grad modes, custom Functions, gradcheck."""
import numpy as np

from .grad_mode import (no_grad, enable_grad, set_grad_enabled, is_grad_enabled,  # noqa: F401
                        inference_mode)
from .function import CustomFunction as Function, FunctionCtx  # noqa: F401
from .engine import run_backward

__all__ = ["backward", "grad", "Variable", "Function", "no_grad", "enable_grad",
           "set_grad_enabled", "gradcheck", "gradgradcheck", "numerical"]


def _root_grads(tensors, grad_tensors, implicit_msg=True):
    from ..tensor import Tensor
    from ..ops._copy_slices import refresh_if_stale
    roots = []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        refresh_if_stale(t)          # a view whose base was written in place after it was made
        if not t._rg:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have "
                               "a grad_fn")
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = np.ones_like(t._data)
        else:
            g = g._data if isinstance(g, Tensor) else np.asarray(g, dtype=t._data.dtype)
            if g.shape != t._data.shape:
                from ..tensor import Size
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{Size(g.shape)} and output[{i}] has a shape of "
                                   f"{Size(t._data.shape)}.")
        node = t.grad_fn if t.grad_fn is not None else t._grad_accumulator()
        roots.append((node, t._output_nr, g))
    return roots


def _as_list(x):
    from ..tensor import Tensor
    if x is None:
        return None
    return [x] if isinstance(x, Tensor) else list(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the leaves (or of ``inputs``)."""
    if create_graph:
        raise NotImplementedError("ember computes first-order gradients only: create_graph=True "
                                  "(higher-order derivatives) is not supported")
    tensors = _as_list(tensors)
    grads = _as_list(grad_tensors) or [None] * len(tensors)
    roots = _root_grads(tensors, grads)
    if inputs is None:
        run_backward(roots, retain_graph=bool(retain_graph))
        return
    inputs = _as_list(inputs)
    capture = {}
    for i, t in enumerate(inputs):
        node = t.grad_fn if t.grad_fn is not None else t._grad_accumulator()
        capture[(node, t._output_nr)] = i
    got = run_backward(roots, retain_graph=bool(retain_graph), capture=capture, accumulate=False)
    from .engine import _accumulate
    for t, g in zip(inputs, got):
        if g is not None:
            _accumulate(t, g, set())


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated)."""
    from ..tensor import _new_tensor
    if create_graph:
        raise NotImplementedError("ember computes first-order gradients only: create_graph=True "
                                  "(higher-order derivatives) is not supported")
    outputs = _as_list(outputs)
    inputs = _as_list(inputs)
    grads = _as_list(grad_outputs) or [None] * len(outputs)
    roots = _root_grads(outputs, grads)
    capture = {}
    for i, t in enumerate(inputs):
        if not t._rg:
            raise RuntimeError(f"One of the differentiated Tensors does not require grad")
        node = t.grad_fn if t.grad_fn is not None else t._grad_accumulator()
        capture.setdefault((node, t._output_nr), len(capture))
    slots = [capture[(t.grad_fn if t.grad_fn is not None else t._grad_accumulator(),
                      t._output_nr)] for t in inputs]   # an input given twice shares a slot
    got = run_backward(roots, retain_graph=bool(retain_graph), capture=capture, accumulate=False)
    res = []
    for i, (t, slot) in enumerate(zip(inputs, slots)):
        g = got[slot]
        if g is None:
            if materialize_grads:
                g = np.zeros_like(t._data)
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
            else:
                res.append(None)
                continue
        res.append(_new_tensor(np.array(g, dtype=t._data.dtype)))
    return tuple(res)


def Variable(data, requires_grad=False, volatile=False):
    """Deprecated wrapper kept for old code: returns a plain Tensor, as PyTorch does."""
    from ..tensor import Tensor, _new_tensor
    t = _new_tensor(data._data if isinstance(data, Tensor) else np.asarray(data))
    if requires_grad:
        t.requires_grad = True
    return t


from .gradcheck import gradcheck, gradgradcheck  # noqa: E402,F401
from . import numerical  # noqa: E402,F401
from .anomaly import detect_anomaly, set_detect_anomaly  # noqa: F401,E402
