"""In-place fills and copies: ``copy_``, ``fill_``, ``zero_``, ``fill_diagonal_``.

Each writes into the tensor's own memory (views see it) and, when a graph is recorded,
replaces the tensor's history: the old values get a zero gradient, the source gets the
incoming one.
"""
from ..backend import xp
from ..autograd import grad_mode
from ..autograd.function import Function
from ..tensor import Tensor
from ._registry import register, commit_inplace

__all__ = ["copy_", "fill_", "zero_", "fill_diagonal_"]


def _recording(*ts):
    return grad_mode._enabled[0] and any(isinstance(t, Tensor) and t._rg for t in ts)


def _write(self, values):
    """Plain write with no graph: broadcast and cast into self's memory."""
    if self._nograd_view:
        from ._copy_slices import check_no_grad_view_write
        check_no_grad_view_write(self)
    xp.copyto(self._data, values, casting="unsafe")
    self._version[0] += 1
    return self


class Copy(Function):
    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, dst, src):
        out = xp.empty_like(dst)
        xp.copyto(out, src, casting="unsafe")
        return out

    @staticmethod
    def backward(ctx, g):
        return xp.zeros_like(g), g     # the engine sums/casts g to src's shape and dtype


class Fill(Function):
    node_name = "FillBackward3"       # fill_ with a 0-d tensor value, as PyTorch 2.13 names it

    @staticmethod
    def forward(ctx, dst, value):
        return xp.full_like(dst, value)

    @staticmethod
    def backward(ctx, g):
        return xp.zeros_like(g), (g.sum() if ctx.needs_input_grad[1] else None)


class FillScalar(Function):
    node_name = "FillBackward2"

    @staticmethod
    def forward(ctx, dst, value):
        return xp.full_like(dst, value)

    @staticmethod
    def backward(ctx, g):
        return xp.zeros_like(g), None


class Zero(FillScalar):
    node_name = "ZeroBackward0"


@register("copy_", function=False)
def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, cast to self's dtype) into self, in place."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not "
                        f"{type(src).__name__}")
    try:
        shape = xp.broadcast_shapes(src._data.shape, self._data.shape)
    except ValueError:
        shape = None
    if shape != self._data.shape:
        raise RuntimeError(f"The size of tensor a ({list(self._data.shape)}) must match the "
                           f"size of tensor b ({list(src._data.shape)}) at non-singleton "
                           "dimension")
    if not _recording(self, src):
        return _write(self, src._data)
    return commit_inplace(self, Copy.apply(self, src), "copy_")


@register("fill_", function=False)
def fill_(self, value):
    """Set every element to ``value`` (a number or a 0-d tensor), in place."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        if not _recording(self, value):
            return _write(self, value._data)
        return commit_inplace(self, Fill.apply(self, value), "fill_")
    if not _recording(self):
        return _write(self, value)
    return commit_inplace(self, FillScalar.apply(self, value), "fill_")


@register("zero_", function=False)
def zero_(self):
    """Set every element to zero, in place."""
    if not _recording(self):
        return _write(self, 0)
    return commit_inplace(self, Zero.apply(self, 0), "zero_")


@register("fill_diagonal_", function=False)
def fill_diagonal_(self, fill_value, wrap=False):
    """Fill the main diagonal (all dims equal, or a 2-d matrix) with ``fill_value``."""
    d = self._data
    if d.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if d.ndim > 2 and len(set(d.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    if _recording(self):
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation." if self.grad_fn is None else
                           "fill_diagonal_ does not record gradients in ember yet; call it "
                           "under ember.no_grad()")
    if d.ndim == 2:
        n, m = d.shape
        k = min(n, m) if not wrap else n
        rows = xp.arange(k)
        if wrap and n > m:
            rows = rows[rows % (m + 1) != m]   # torch leaves a gap row between wraps
            cols = rows % (m + 1)
            keep = cols < m
            rows, cols = rows[keep], cols[keep]
            d[rows, cols] = fill_value
        else:
            d[rows, rows] = fill_value
    else:
        idx = xp.arange(d.shape[0])
        d[(idx,) * d.ndim] = fill_value
    self._version[0] += 1
    return self
