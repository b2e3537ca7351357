"""Autograd for views and in-place writes that share memory.

``v = y[0:2]; v.mul_(3)`` changes ``y``'s memory, so ``y`` gets a ``CopySlices`` node: outside
the view's region the gradient goes to the old ``y``; inside it, to the in-place op's result
(whose own node routes it through the op and the view back to the old ``y``).

Other views of ``y`` made before such a write (or before an in-place op on ``y`` itself) still
hold nodes built from the old ``y``. Each root tensor counts the writes that gave it a new node
(``_rebases``) and each view remembers the count it was made at (``_view_rebases``); a view
found behind when it is next used gets a fresh ``AsStridedBackward0`` node reading its region of
the current base, as PyTorch regenerates a view's grad_fn.

A region is an index map: for every element of the view, the flat (C-order) index of the base
element it shares memory with. It is read off the two NumPy arrays' addresses and strides, so
any base layout works (permuted, strided, reversed).
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..autograd import grad_mode
from ..autograd.function import Function

__all__ = ["after_inplace", "refresh_view", "refresh_if_stale", "check_no_grad_view_write"]


def _view_indices(base, view):
    """An intp array of ``view``'s shape: each element's flat C-order index in ``base``.

    The base's logical indices are written into a scratch buffer laid out like the base's
    memory (same strides, in units of elements); reading that buffer with the view's offset
    and strides gives the map."""
    size = base.itemsize
    if any(s % size for s in base.strides + view.strides):
        raise RuntimeError("an in-place operation through a view whose strides are not whole "
                           "elements cannot be differentiated; copy the tensor first")
    lo = sum(min(0, (n - 1) * s) for n, s in zip(base.shape, base.strides)) // size
    hi = sum(max(0, (n - 1) * s) for n, s in zip(base.shape, base.strides)) // size
    scratch = np.zeros(hi - lo + 1, dtype=np.intp)
    isz = scratch.itemsize
    start = base.__array_interface__["data"][0]
    b_logical = as_strided(scratch[-lo:], base.shape, tuple(s // size * isz for s in base.strides))
    b_logical[...] = np.arange(base.size, dtype=np.intp).reshape(base.shape)
    offset = (view.__array_interface__["data"][0] - start) // size
    v_logical = as_strided(scratch[offset - lo:], view.shape,
                           tuple(s // size * isz for s in view.strides))
    return v_logical.copy()


def _overlaps(shape, strides):
    """Whether two elements of a view with these strides can share memory: taken by
    increasing stride, each dimension must step past everything the smaller ones span."""
    span = 0
    for n, st in sorted(((n, abs(st)) for n, st in zip(shape, strides) if n > 1),
                        key=lambda d: d[1]):
        if st <= span:
            return True
        span += (n - 1) * st
    return False


class CopySlices(Function):
    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, base, result, idx):
        ctx.idx = idx
        return base                     # the view's write already changed the base's memory

    @staticmethod
    def backward(ctx, g):
        out = np.array(g, order="C")                 # our own copy: g may be shared
        flat = out.reshape(-1)
        g_result = flat[ctx.idx]
        flat[ctx.idx] = 0                            # the old values there were overwritten
        return out, g_result, None


class AsStrided(Function):
    """A view re-read from its base's current node (its region of the base's memory)."""
    node_name = "AsStridedBackward0"

    @staticmethod
    def forward(ctx, base, view, idx, overlapping):
        ctx.idx = idx
        ctx.overlapping = overlapping
        ctx.base_shape = base.shape
        return view

    @staticmethod
    def backward(ctx, g):
        buf = np.zeros(ctx.base_shape, g.dtype)
        flat = buf.reshape(-1)
        if ctx.overlapping:                          # expand and the like: elements repeat
            np.add.at(flat, ctx.idx.ravel(), np.asarray(g).ravel())
        else:
            flat[ctx.idx] = g
        return buf, None, None, None


def bump_rebases(base):
    """``base`` (a root tensor) got a new node: its older views must re-read it."""
    base._rebases += 1


def move_retain_hook(t, old_node, old_nr):
    """``t.retain_grad()`` follows ``t`` to its new node, as in PyTorch: ``t.grad`` is the
    gradient of its current value."""
    hook = t._retains
    if not hook or old_node is None or t.grad_fn is None or t.grad_fn is old_node:
        return
    from ..tensor import _node_hook
    hooks = old_node.hooks or {}
    lst = hooks.get(old_nr)
    if lst and hook in lst:
        lst.remove(hook)
    _node_hook(t.grad_fn, t._output_nr, hook)


def check_no_grad_view_write(view):
    """PyTorch forbids an in-place write, with grad mode on, to a view made in no_grad mode
    of a tensor that requires grad: whether the write should be tracked is ambiguous."""
    if view._nograd_view and grad_mode._enabled[0]:
        raise RuntimeError(
            "A view was created in no_grad mode and is being modified inplace with grad mode "
            "enabled. Given that this use case is ambiguous and error-prone, it is forbidden. "
            "You can clarify your code by moving both the view and the inplace either both "
            "inside the no_grad block (if you don't want the inplace to be tracked) or both "
            "outside (if you want the inplace to be tracked).")


def rebase_view_write(base, view, result):
    """After ``view`` (a view of ``base``) took over ``result``'s node in place, give ``base``
    the ``CopySlices`` node that makes its gradient see the write."""
    old_node, old_nr = base.grad_fn, base._output_nr
    out = CopySlices.apply(base, result, _view_indices(base._data, view._data))
    base.grad_fn = out.grad_fn
    base._output_nr = 0
    base._rg = True
    move_retain_hook(base, old_node, old_nr)
    bump_rebases(base)
    view._view_rebases = base._rebases          # the written view's own node is current


def after_inplace(t, result, old_node, old_nr):
    """``t`` now holds ``result``'s node (an in-place op, or a custom Function's dirty
    output): a view's base gets a CopySlices node, a root's older views must re-read it, and
    ``retain_grad`` follows ``t`` from ``old_node``."""
    if t._base is not None:
        rebase_view_write(t._base, t, result)
    else:
        bump_rebases(t)
    move_retain_hook(t, old_node, old_nr)


def refresh_if_stale(t):
    """Refresh ``t`` if it is a view whose base was written in place after it was made
    (``Function.apply`` inlines this test on its hot path)."""
    if t._base is not None and t._view_rebases != t._base._rebases:
        refresh_view(t)


def refresh_view(view):
    """Give a view made before its base's latest rebase a node reading the current base;
    returns that node. With grad mode off nothing is recorded, so the view keeps its stale
    node until it is next used with grad mode on."""
    if not grad_mode._enabled[0]:
        return view.grad_fn
    base = view._base
    old_node, old_nr = view.grad_fn, view._output_nr
    v = view._data
    out = AsStrided.apply(base, view.detach(), _view_indices(base._data, v),
                          _overlaps(v.shape, v.strides))
    view.grad_fn = out.grad_fn
    view._output_nr = 0
    view._rg = out._rg
    view._view_rebases = base._rebases
    move_retain_hook(view, old_node, old_nr)
    return view.grad_fn
