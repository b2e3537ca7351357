"""One registration per op: it makes the function (``ember.mul``, with ``out=``), the method
(``Tensor.mul``), the operators (``__mul__``, ``__rmul__``, ``__imul__``) and the in-place
form (``mul_``) from a single implementation."""
import functools

import numpy as np

from ..autograd import grad_mode
from ..tensor import Tensor, _new_tensor

__all__ = ["register", "FUNCTIONS", "commit_inplace"]

FUNCTIONS = {}   # name -> function form, exported by ember/__init__.py


def register(name=None, *, function=True, method=True, inplace=False, dunder=None,
             rdunder=None, idunder=None, aliases=()):
    """Attach ``impl(input, ...)`` to ember and Tensor under PyTorch's names.

    ``dunder``/``rdunder``/``idunder`` name the operator, its reflected form and its in-place
    operator (``"__mul__"`` ...). An ``rdunder`` equal to ``"swap"``-style ops is given as
    ``(name, True)`` when the operands commute, which skips the argument swap.
    """
    def deco(impl):
        n = name or impl.__name__.rstrip("_")
        names = (n, *aliases)
        for nm in names:
            if function:
                FUNCTIONS[nm] = _function_form(impl, nm)
            if method:
                setattr(Tensor, nm, impl)
            if inplace:
                setattr(Tensor, nm + "_", _inplace_form(impl, nm + "_"))
        if dunder:
            setattr(Tensor, dunder, impl)
        if rdunder:
            rname, commutes = rdunder if isinstance(rdunder, tuple) else (rdunder, False)
            if commutes:
                setattr(Tensor, rname, impl)
            else:
                def reflected(self, other):
                    return impl(other, self)
                reflected.__name__ = rname
                setattr(Tensor, rname, reflected)
        if idunder:
            setattr(Tensor, idunder, _inplace_form(impl, idunder))
        return impl
    return deco


def _function_form(impl, name):
    @functools.wraps(impl)
    def fn(*args, out=None, **kwargs):
        r = impl(*args, **kwargs)
        if out is None:
            return r
        return _write_out(out, r, name)
    fn.__name__ = name
    return fn


def _write_out(out, r, name):
    if isinstance(out, (tuple, list)):
        for o, v in zip(out, r):
            _write_out(o, v, name)
        return out
    if grad_mode._enabled[0] and (out._rg or r._rg):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if out._data.shape != r._data.shape:
        out._data = np.empty(r._data.shape, out._data.dtype)
    np.copyto(out._data, r._data, casting="unsafe")
    out._version[0] += 1
    return out


def _inplace_form(impl, name):
    def inplace(self, *args, **kwargs):
        return commit_inplace(self, impl(self, *args, **kwargs), name)
    inplace.__name__ = name
    inplace.__doc__ = f"In-place version of :meth:`{name.strip('_')}`."
    return inplace


_CAT = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def commit_inplace(self, r, name="in-place op"):
    """Make ``self`` hold the result ``r`` of an op applied to it: write r's values into
    self's memory (so views see them), bump the version counter, and take over r's graph node.
    """
    d = self._data
    rd = r._data
    if self._nograd_view:
        from ._copy_slices import check_no_grad_view_write
        check_no_grad_view_write(self)
    recording = r._rg and grad_mode._enabled[0]
    if recording:
        if self.grad_fn is None and self._rg:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        b = self._base
        if b is not None and b.grad_fn is None and b._rg:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
    if rd.dtype != d.dtype and _CAT[rd.dtype.kind] > _CAT[d.dtype.kind]:
        from .._dtype import _FROM_NP
        raise RuntimeError(f"result type {_FROM_NP[rd.dtype]._tensor_type[:-6] or 'Float'} "
                           f"can't be cast to the desired output type "
                           f"{_FROM_NP[d.dtype]._tensor_type[:-6]}")
    if rd.shape != d.shape:
        from ..tensor import Size
        raise RuntimeError(f"output with shape {list(d.shape)} doesn't match the broadcast shape "
                           f"{list(rd.shape)}")
    if recording:
        node = r.grad_fn
        saved = node.saved
        if saved and any(s is d for s in saved):   # keep the pre-op values the node saved
            node.saved = tuple(s.copy() if s is d else s for s in saved)
            if node._vcheck:   # that copy is private now: self's later writes can't reach it
                node._vcheck = [c for c in node._vcheck if c[2] is not d] or None
    if rd is not d:
        np.copyto(d, rd, casting="unsafe")
    self._version[0] += 1
    if recording:
        old_node, old_nr = self.grad_fn, self._output_nr
        self.grad_fn = r.grad_fn
        self._output_nr = r._output_nr
        self._rg = True
        if r.grad_fn._vcheck:
            # the result's own saved output is now self's memory, one version later
            r.grad_fn._vcheck = [(self._version, self._version[0], c[2]) if c[0] is r._version
                                 else c for c in r.grad_fn._vcheck]
        from ._copy_slices import after_inplace
        after_inplace(self, r, old_node, old_nr)   # the base and older views see the write
    return self


def new(data):
    """Alias used by ops to wrap an array without copying."""
    return _new_tensor(data)
