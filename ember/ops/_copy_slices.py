"""Autograd for views and in-place writes that share memory.

``v = y[0:2]; v.mul_(3)`` changes ``y``'s memory, so ``y`` gets a ``CopySlices`` node: outside
the view's region the gradient goes to the old ``y``; inside it, to the in-place op's result
(whose own node routes it through the op and the view back to the old ``y``).

Other views of ``y`` made before such a write (or before an in-place op on ``y`` itself) still
hold nodes built from the old ``y``. Each root tensor counts the writes that gave it a new node
(``_rebases``) and each view remembers the count it was made at (``_view_rebases``); a view
found behind when it is next used gets a fresh ``AsStridedBackward0`` node reading its region of
the current base, as PyTorch regenerates a view's grad_fn.

Regions are found from the NumPy arrays themselves: a view's byte offset and strides inside
its base's memory.
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..autograd import grad_mode
from ..autograd.function import Function

__all__ = ["rebase_view_write", "bump_rebases", "refresh_view"]


def _region(base, view):
    """``(order, offset, strides)`` of ``view`` inside ``base``, in elements; ``base`` must be
    one contiguous block (C or Fortran order)."""
    if base.flags.c_contiguous:
        order = "C"
    elif base.flags.f_contiguous:
        order = "F"
    else:
        raise RuntimeError("an in-place operation on a view needs its base tensor to be "
                           "contiguous to record the gradient; call .contiguous() on the base "
                           "before taking the view")
    size = base.itemsize
    offset = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    return order, offset // size, tuple(s // size for s in view.strides)


class CopySlices(Function):
    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, base, result, region):
        ctx.region = region
        ctx.view_shape = result.shape
        return base                     # the view's write already changed the base's memory

    @staticmethod
    def backward(ctx, g):
        order, offset, strides = ctx.region
        buf = np.empty(g.shape, g.dtype, order=order)
        buf[...] = g
        flat = buf.reshape(-1, order=order)          # a view: buf is one contiguous block
        size = buf.itemsize
        inside = as_strided(flat[offset:], ctx.view_shape, tuple(s * size for s in strides))
        g_result = inside.copy()
        inside[...] = 0                              # the old values there were overwritten
        return buf, g_result, None


def _overlaps(shape, strides):
    """Whether two elements of a view with these (element) strides can share memory: taken by
    increasing stride, each dimension must step past everything the smaller ones span."""
    span = 0
    for n, st in sorted(((n, abs(st)) for n, st in zip(shape, strides) if n > 1),
                        key=lambda d: d[1]):
        if st <= span:
            return True
        span += (n - 1) * st
    return False


def _flat_indices(region, shape):
    """Element indices (into the base's flat buffer) of every element of a view."""
    _, offset, strides = region
    idx = np.full(shape, offset, dtype=np.intp)
    for axis, (n, st) in enumerate(zip(shape, strides)):
        step = np.arange(n, dtype=np.intp) * st
        idx += step.reshape((n,) + (1,) * (len(shape) - axis - 1))
    return idx


class AsStrided(Function):
    """A view re-read from its base's current node (its region of the base's memory)."""
    node_name = "AsStridedBackward0"

    @staticmethod
    def forward(ctx, base, view, region):
        ctx.region = region
        ctx.base_shape = base.shape
        return view

    @staticmethod
    def backward(ctx, g):
        order, offset, strides = ctx.region
        buf = np.zeros(ctx.base_shape, g.dtype, order=order)
        flat = buf.reshape(-1, order=order)
        if _overlaps(g.shape, strides):            # expand, unfold: elements share memory
            np.add.at(flat, _flat_indices(ctx.region, g.shape).ravel(), g.ravel())
        else:
            size = buf.itemsize
            as_strided(flat[offset:], g.shape, tuple(s * size for s in strides))[...] = g
        return buf, None, None


def bump_rebases(base):
    """``base`` (a root tensor) got a new node: its older views must re-read it."""
    base._rebases += 1


def rebase_view_write(base, view, result):
    """After ``view`` (a view of ``base``) took over ``result``'s node in place, give ``base``
    the ``CopySlices`` node that makes its gradient see the write."""
    region = _region(base._data, view._data)
    out = CopySlices.apply(base, result, region)
    base.grad_fn = out.grad_fn
    base._output_nr = 0
    base._rg = True
    bump_rebases(base)
    view._view_rebases = base._rebases          # the written view's own node is current


def refresh_view(view):
    """Give a view made before its base's latest rebase a node reading the current base;
    returns that node. With grad mode off nothing is recorded, so the view keeps its stale
    node until it is next used with grad mode on."""
    if not grad_mode._enabled[0]:
        return view.grad_fn
    base = view._base
    out = AsStrided.apply(base, view.detach(), _region(base._data, view._data))
    view.grad_fn = out.grad_fn
    view._output_nr = 0
    view._rg = out._rg
    view._view_rebases = base._rebases
    return view.grad_fn
