"""Indexing ops: ``tensor[...]`` and ``tensor[...] = v``, and the gather/scatter family
(index_select, masked_*, where, gather, scatter, index_add/fill/copy, take, nonzero).

Basic indexing (ints, slices, None, Ellipsis) returns a view; advanced indexing (integer or
boolean tensors, lists, arrays) follows NumPy's rules, which are PyTorch's, and returns a copy
whose backward accumulates repeated indices.
"""
import warnings

import numpy as np

from ..backend import xp
from ..autograd.function import Function
from ..autograd import grad_mode
from .._dtype import result_type
from ..tensor import Tensor, _wrap_dim, _new_tensor
from ._registry import register, commit_inplace
from .shape import Select, Slice, Alias, _UnsqueezeIndex, _broadcast_shapes, _FULL

_Ellipsis = Ellipsis
_CPP = {"bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short int",
        "int32": "int", "int64": "long int", "float16": "c10::Half", "float32": "float",
        "float64": "double", "complex64": "c10::complex<float>",
        "complex128": "c10::complex<double>"}


def _tname(t):
    """PyTorch's short type name: Float, Long, Bool ..."""
    return t.dtype._tensor_type[:-6]


def _np_index_error(e):
    msg = str(e)
    if "out of bounds" in msg:
        return msg.replace("for axis", "for dimension")
    return msg


# ----------------------------------------------------------------------------- getitem


class Index(Function):
    """Advanced indexing (IndexBackward0): a copy; backward adds into the indexed places.
    ``pre`` is a basic key applied first (PyTorch applies integer indices as selects before
    the tensor indices, which decides where the indexed dims land)."""

    @staticmethod
    def forward(ctx, a, key, unique, pre=None):
        ctx.in_shape = a.shape
        ctx.key = key
        ctx.unique = unique
        ctx.pre = pre
        if pre is not None:
            a = a[pre]
        return a[key]

    @staticmethod
    def backward(ctx, g):
        gx = xp.zeros(ctx.in_shape, g.dtype)
        t = gx if ctx.pre is None else gx[ctx.pre]
        if ctx.unique:
            t[ctx.key] = g
        else:
            xp.add.at(t, ctx.key, g)
        return gx, None, None, None


_BAD_INDEX = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
              "are valid indices (got {})")


def _index_array(it):
    """An index tensor/array/list as an integer or bool ndarray, or raise as PyTorch does."""
    if isinstance(it, Tensor):
        arr = it._data
    elif isinstance(it, np.ndarray):
        arr = it
    else:
        arr = np.asarray(it._data if isinstance(it, Tensor) else
                         [x._data if isinstance(x, Tensor) else x for x in it]
                         if isinstance(it, list) else it)
        if arr.size == 0 and arr.dtype.kind == "f":
            arr = arr.astype(np.int64)
    k = arr.dtype.kind
    if k == "b" or k == "i":
        return arr
    if arr.dtype == np.uint8:
        warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype "
                      "torch.bool instead.", UserWarning, stacklevel=4)
        return arr.astype(bool)
    if k == "u":
        return arr.astype(np.int64)
    if isinstance(it, (Tensor, np.ndarray)):
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    raise IndexError(_BAD_INDEX.format(type(it).__name__))


def _parse(idx, shape, single):
    """PyTorch index -> (NumPy key, Function class, unique). ``single``: the index was not a
    tuple (PyTorch then applies even a full slice, naming the node SliceBackward0)."""
    items = []
    adv = 0
    has_mask_only = True
    consumed = 0
    ell = False
    for it in idx:
        t = type(it)
        if t is int or t is slice or it is None:
            if t is slice and it.step is not None and it.step <= 0:
                raise ValueError("step must be greater than zero")
            if it is not None:
                consumed += 1
            items.append(it)
        elif it is _Ellipsis:
            if ell:
                raise IndexError("an index can only have a single ellipsis ('...')")
            ell = True
            items.append(it)
        elif t is bool:
            adv += 1
            items.append(it)
        elif isinstance(it, (int, np.integer)):
            items.append(int(it))
            consumed += 1
        elif isinstance(it, Tensor) and it._data.ndim == 0 and it._data.dtype.kind in "iu" \
                and it._data.dtype != np.uint8:
            items.append(int(it._data))
            consumed += 1
        elif isinstance(it, (Tensor, np.ndarray, list, tuple)):
            arr = _index_array(it)
            adv += 1
            if arr.dtype.kind == "b":
                consumed += arr.ndim
            else:
                has_mask_only = False
                consumed += 1
            items.append(arr)
        elif t is str:
            raise TypeError("new(): invalid data type 'str'")
        else:
            raise IndexError(_BAD_INDEX.format(t.__name__))
    nd = len(shape)
    if consumed > nd:
        if nd == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {nd}")
    # walk the dims: check masks, name the node after the last op PyTorch would apply
    dim = 0
    last = None
    for it in items:
        t = type(it)
        if t is int:
            last = Select
            dim += 1
        elif t is slice:
            if single:
                last = Slice
            else:
                a, b, c = it.start, it.stop, it.step
                if not ((a is None or a == 0) and (b is None or b >= shape[dim])
                        and (c is None or c == 1)):
                    last = Slice
            dim += 1
        elif it is None:
            last = _UnsqueezeIndex
        elif it is _Ellipsis:
            dim += nd - consumed
        elif t is bool:
            pass
        else:
            if it.dtype.kind == "b":
                ms = it.shape
                for j, m in enumerate(ms):
                    if m != shape[dim + j]:
                        raise IndexError(f"The shape of the mask {list(ms)} at index {j} does "
                                         f"not match the shape of the indexed tensor "
                                         f"{list(shape)} at index {dim + j}")
                dim += len(ms)
            else:
                dim += 1
    if adv:
        unique = adv == 1 and has_mask_only
        if any(type(it) is int for it in items):
            pre, rest = [], []
            for it in items:
                t = type(it)
                if t is int:
                    pre.append(it)
                elif it is None or t is bool:
                    rest.append(it)
                elif it is _Ellipsis:
                    pre.append(it)
                    rest.append(it)
                else:
                    pre.extend((_FULL,) * (it.ndim if t is not slice and it.dtype.kind == "b"
                                           else 1))
                    rest.append(it)
            return tuple(rest), Index, unique, tuple(pre)
        return tuple(items), Index, unique, None
    if not ell:
        items.append(_Ellipsis)
    return tuple(items), (last or Alias), False, None


def _resolve(self, idx):
    """Any PyTorch index -> ``_parse``'s (key, class, unique, pre)."""
    t = type(idx)
    if t is tuple:
        return _parse(idx, self._data.shape, False)
    if t is list and len(idx) < 32 and any(
            isinstance(x, (list, tuple, Tensor, np.ndarray, slice)) or x is None or
            x is _Ellipsis for x in idx):
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated "
                      "and will be changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq].",
                      UserWarning, stacklevel=3)
        return _parse(tuple(idx), self._data.shape, False)
    return _parse((idx,), self._data.shape, True)


_ZERO_D = ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
           "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")


def _getitem(self, idx):
    """``tensor[idx]``: a view for basic indices, a copy for advanced ones."""
    t = type(idx)
    try:
        if t is int:
            if not self._data.ndim:
                raise IndexError(_ZERO_D)
            return Select.apply(self, (idx, _Ellipsis))
        if t is slice:
            if idx.step is not None and idx.step <= 0:
                raise ValueError("step must be greater than zero")
            if not self._data.ndim:
                raise IndexError(_ZERO_D)
            return Slice.apply(self, idx)
        key, cls, unique, pre = _resolve(self, idx)
        if cls is Index:
            return Index.apply(self, key, unique, pre)
        return cls.apply(self, key)
    except IndexError as e:
        msg = _np_index_error(e)
        if msg.startswith("too many indices for array"):
            msg = f"too many indices for tensor of dimension {self._data.ndim}"
        raise IndexError(msg) from None


# ----------------------------------------------------------------------------- setitem


class CopySlices(Function):
    """``x[idx] = v`` on a basic index (PyTorch's CopySlices). Forward writes into ``a``
    itself; ``__setitem__`` then commits it as an in-place op on x."""
    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, a, v, key, pre=None):
        ctx.key = key
        ctx.pre = pre
        (a if pre is None else a[pre])[key] = v
        return a

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        key, pre = ctx.key, ctx.pre
        gx = gv = None
        if need[0]:
            gx = g.copy()
            (gx if pre is None else gx[pre])[key] = 0
        if need[1]:
            gv = (g if pre is None else g[pre])[key]    # the engine sums it to v's shape
        return gx, gv, None, None


class IndexPut(CopySlices):
    node_name = "IndexPutBackward0"


def _setitem(self, idx, value):
    """``tensor[idx] = value``: writes into the tensor's memory (views see it) and, when
    gradients flow, records the write as an in-place op on the tensor."""
    t = type(idx)
    pre = None
    adv = False
    try:
        if t is int:
            if not self._data.ndim:
                raise IndexError(_ZERO_D)
            key = (idx, _Ellipsis)
        elif t is slice:
            if idx.step is not None and idx.step <= 0:
                raise ValueError("step must be greater than zero")
            key = idx
        else:
            key, cls, _, pre = _resolve(self, idx)
            adv = cls is Index
        vt = isinstance(value, Tensor)
        if grad_mode._enabled[0] and (self._rg or (vt and value._rg)):
            if self._rg and self.grad_fn is None:
                raise RuntimeError(("a leaf Variable that requires grad is being used in an "
                                    "in-place operation.") if adv else
                                   ("a view of a leaf Variable that requires grad is being used "
                                    "in an in-place operation."))
            b = self._base
            if b is not None and b.grad_fn is None and b._rg:
                raise RuntimeError("a view of a leaf Variable that requires grad is being used "
                                   "in an in-place operation.")
            r = (IndexPut if adv else CopySlices).apply(self, value, key, pre)
            commit_inplace(self, r, "__setitem__")
        else:
            if self._nograd_view:
                from ._copy_slices import check_no_grad_view_write
                check_no_grad_view_write(self)
            (self._data if pre is None else self._data[pre])[key] = value._data if vt else value
            self._version[0] += 1
    except IndexError as e:
        raise IndexError(_np_index_error(e)) from None
    except ValueError as e:
        if "could not broadcast" not in str(e):
            raise
        slot = (self._data if pre is None else self._data[pre])[key].shape
        vs = value._data.shape if vt else np.shape(value)
        if len(vs) > len(slot):
            raise RuntimeError(f"expand(ember.{value.dtype._tensor_type if vt else 'Tensor'}"
                               f"{{{list(vs)}}}, size={list(slot)}): the number of sizes "
                               f"provided ({len(slot)}) must be greater or equal to the number "
                               f"of dimensions in the tensor ({len(vs)})") from None
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(vs)} cannot be "
                           f"broadcast to indexing result of shape {list(slot)}") from None


Tensor.__getitem__ = _getitem
Tensor.__setitem__ = _setitem


class IndexPutOp(Function):
    """``index_put(indices, values, accumulate)`` (IndexPutBackward0)."""
    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, a, v, key, accumulate):
        out = a.copy()
        if accumulate:
            xp.add.at(out, key, v)
        else:
            out[key] = v
        ctx.key = key
        ctx.acc = accumulate
        return out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        gx = gv = None
        if need[0]:
            if ctx.acc:
                gx = g
            else:
                gx = g.copy()
                gx[ctx.key] = 0
        if need[1]:
            gv = g[ctx.key]
        return gx, gv, None, None


@register(inplace=True)
def index_put(input, indices, values, accumulate=False):
    """``input`` with ``values`` written (or, with ``accumulate``, added) at the places the
    tuple of index tensors selects."""
    key = []
    for i, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
        key.append(_index_array(t))
    if values.dtype is not input.dtype:
        raise RuntimeError("Index put requires the source and destination dtypes match, got "
                           f"{_tname(input)} for the destination and {_tname(values)} for the "
                           "source.")
    try:
        return IndexPutOp.apply(input, values, tuple(key), bool(accumulate))
    except IndexError as e:
        raise IndexError(_np_index_error(e)) from None


# ----------------------------------------------------------------------------- helpers


def _check_index_dtype(index, name, long_only=False):
    d = index._data.dtype
    if d.kind != "i" or (long_only and d.itemsize != 8) or d.itemsize < 4:
        if long_only:
            raise RuntimeError(f"{name}(): Expected a long tensor for index, but got "
                               f"{_tname(index)}")
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")


def _check_bounds(idx, n, dim, exc=RuntimeError, prefix="", neg_ok=False):
    """Raise PyTorch's out-of-bounds error unless every index is in [0, n) (or [-n, n))."""
    if idx.size:
        lo, hi = int(idx.min()), int(idx.max())
        if hi >= n or lo < (-n if neg_ok else 0):
            bad = hi if hi >= n else lo
            raise exc(f"{prefix}index {bad} is out of bounds for dimension {dim} with size {n}")


def _add_along(out, dim, idx, src):
    """out[..., idx[i], ...] += src[..., i, ...] along ``dim``, repeated indices adding up."""
    xp.add.at(xp.moveaxis(out, dim, 0), idx, xp.moveaxis(src, dim, 0))


def _grid_key(idx, dim):
    """The full NumPy key that picks ``a[i][j][idx[i, j, k]]``-style entries along ``dim``."""
    nd = idx.ndim
    if nd == 0:
        return ()
    key = []
    for d, n in enumerate(idx.shape):
        if d == dim:
            key.append(idx)
        else:
            shp = [1] * nd
            shp[d] = n
            key.append(xp.arange(n).reshape(shp))
    return tuple(key)


# ----------------------------------------------------------------------------- index_select


class IndexSelect(Function):
    @staticmethod
    def forward(ctx, a, dim, idx):
        ctx.in_shape = a.shape
        ctx.dim = dim
        ctx.idx = idx
        if a.ndim == 0:
            return a.copy()
        return xp.take(a, idx, axis=dim)

    @staticmethod
    def backward(ctx, g):
        if not ctx.in_shape:
            return g, None, None
        gx = xp.zeros(ctx.in_shape, g.dtype)
        _add_along(gx, ctx.dim, ctx.idx, g)
        return gx, None, None


@register()
def index_select(input, dim, index):
    """Entries of ``input`` at ``index`` along ``dim``."""
    d = input._data.ndim
    dim = _wrap_dim(dim, d)
    if index._data.dtype.kind != "i" or index._data.dtype.itemsize < 4:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    idx = index._data.reshape(-1)
    n = input._data.shape[dim] if d else 1
    if d == 0 and idx.size != 1:
        raise IndexError(f"index_select(): Index to scalar can have only 1 value, got "
                         f"{idx.size} value(s)")
    if idx.size and (int(idx.max()) >= n or int(idx.min()) < 0):
        bad = int(idx.max()) if int(idx.max()) >= n else int(idx.min())
        raise RuntimeError(f"index_select(): index {bad} is out of bounds for dimension {dim} "
                           f"with size {n}")
    return IndexSelect.apply(input, dim, idx)


# ----------------------------------------------------------------------------- masked ops


def _check_mask(mask, msg):
    if mask._data.dtype != np.bool_:
        raise RuntimeError(msg.format(cpp=_CPP[mask.dtype.name], short=_tname(mask)))


class MaskedSelect(Function):
    @staticmethod
    def forward(ctx, a, mask, shape):
        m = xp.broadcast_to(mask, shape)
        ctx.mask = m
        return xp.broadcast_to(a, shape)[m]

    @staticmethod
    def backward(ctx, g):
        m = ctx.mask
        gx = xp.zeros(m.shape, g.dtype)
        gx[m] = g
        return gx, None, None


@register()
def masked_select(input, mask):
    """A 1-d tensor of the entries where the (broadcast) boolean ``mask`` is True."""
    _check_mask(mask, "masked_select: expected BoolTensor for mask")
    shape = _broadcast_shapes(mask._data.shape, input._data.shape)
    return MaskedSelect.apply(input, mask, shape)


class MaskedFill(Function):
    """masked_fill with a Python number (MaskedFillBackward0)."""

    @staticmethod
    def forward(ctx, a, mask, value):
        shape = a.shape if a.shape == mask.shape else _broadcast_shapes(mask.shape, a.shape)
        out = xp.array(xp.broadcast_to(a, shape))
        xp.copyto(out, value, where=mask, casting="unsafe")
        ctx.mask = mask
        return out

    @staticmethod
    def backward(ctx, g):
        m = ctx.mask
        need = ctx.needs_input_grad
        gx = xp.where(m, 0, g) if need[0] else None
        gv = xp.asarray(xp.sum(g, where=xp.broadcast_to(m, g.shape))) if need[2] else None
        return gx, None, gv


class MaskedFill1(MaskedFill):
    """masked_fill with a 0-d tensor value (MaskedFillBackward1)."""
    node_name = "MaskedFillBackward1"


@register(inplace=True)
def masked_fill(input, mask, value):
    """``input`` with ``value`` written where ``mask`` is True (mask broadcasts)."""
    _check_mask(mask, "masked_fill_ only supports boolean masks, but got mask with dtype {cpp}")
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        return MaskedFill1.apply(input, mask, value)
    return MaskedFill.apply(input, mask, value)


class MaskedScatter(Function):
    @staticmethod
    def forward(ctx, a, mask, src):
        shape = _broadcast_shapes(mask.shape, a.shape)
        m = xp.broadcast_to(mask, shape)
        n = int(xp.count_nonzero(m))
        if src.size < n:
            raise RuntimeError("Number of elements of source < number of ones in mask")
        out = xp.array(xp.broadcast_to(a, shape))
        out[m] = src.reshape(-1)[:n]
        ctx.mask = m
        ctx.src_shape = src.shape
        ctx.n = n
        return out

    @staticmethod
    def backward(ctx, g):
        m = ctx.mask
        need = ctx.needs_input_grad
        gx = xp.where(m, 0, g) if need[0] else None
        gs = None
        if need[2]:
            gs = xp.zeros(int(np.prod(ctx.src_shape)), g.dtype)
            gs[:ctx.n] = g[m]
            gs = gs.reshape(ctx.src_shape)
        return gx, None, gs


@register(inplace=True)
def masked_scatter(input, mask, source):
    """``input`` with the first entries of ``source`` (in order) written where ``mask`` is
    True."""
    _check_mask(mask, "masked_scatter_ only supports boolean masks, but got mask with dtype "
                      "{short}")
    if source.dtype is not input.dtype:
        raise RuntimeError("masked_scatter: expected self and source to have same dtypes but got"
                           f"{_tname(input)} and {_tname(source)}")
    return MaskedScatter.apply(input, mask, source)


# ----------------------------------------------------------------------------- where


class Where(Function):
    @staticmethod
    def forward(ctx, cond, x, y, npdt):
        ctx.cond = cond
        out = xp.where(cond, x, y)
        if out.dtype != npdt:
            out = out.astype(npdt)
        return out

    @staticmethod
    def backward(ctx, g):
        c = ctx.cond
        need = ctx.needs_input_grad
        return (None, xp.where(c, g, 0) if need[1] else None,
                xp.where(c, 0, g) if need[2] else None, None)


def where(condition, input=None, other=None):
    """``input`` where ``condition`` is True, else ``other`` (tensors or scalars, broadcast);
    with one argument, ``nonzero(condition, as_tuple=True)``."""
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    cd = condition._data.dtype
    if cd != np.bool_:
        if cd == np.uint8:
            warnings.warn("where received a uint8 condition tensor. This behavior is deprecated "
                          "and will be removed in a future version of PyTorch. Use a boolean "
                          "condition instead.", UserWarning, stacklevel=3)
        else:
            raise RuntimeError("where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {_tname(condition)}")
    dt = result_type(input, other)
    cs = condition._data.shape
    xs = input._data.shape if isinstance(input, Tensor) else cs
    ys = other._data.shape if isinstance(other, Tensor) else cs
    if not cs == xs == ys:
        _broadcast_shapes(cs, xs, ys)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        return Where.apply(condition, np.asarray(input, dt.np), np.asarray(other, dt.np), dt.np)
    return Where.apply(condition, input, other, dt.np)


register(method=False)(where)
Tensor.where = lambda self, condition, other: where(condition, self, other)


# ----------------------------------------------------------------------------- gather / scatter


class Gather(Function):
    """gather and take_along_dim (GatherBackward0); ``bshape`` broadcasts the input first."""

    @staticmethod
    def forward(ctx, a, dim, idx, bshape=None):
        if bshape is not None:
            a = xp.broadcast_to(a, bshape)
        ctx.in_shape = a.shape
        if a.ndim == 0:
            ctx.key = ()
            return a.copy()
        key = _grid_key(idx, dim)
        ctx.key = key
        return a[key]

    @staticmethod
    def backward(ctx, g):
        if not ctx.in_shape:
            return g, None, None, None
        gx = xp.zeros(ctx.in_shape, g.dtype)
        xp.add.at(gx, ctx.key, g)
        return gx, None, None, None


def _check_gather_shapes(input, index, dim, name, src=None):
    nd = input._data.ndim
    if index._data.ndim != nd and not (nd == 0 and index._data.ndim <= 1) \
            and not (index._data.ndim == 0 and nd <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    ishape = index._data.shape
    sshape = input._data.shape
    bad = any(ishape[d] > sshape[d] for d in range(min(nd, len(ishape))) if d != dim)
    if src is not None:
        bad = bad or any(ishape[d] > src._data.shape[d] for d in range(len(ishape)))
    if bad:
        if src is not None:
            raise RuntimeError(f"Expected index {list(ishape)} to be no larger than self "
                               f"{list(sshape)} apart from dimension {dim} and to be no larger "
                               f"size than src {list(src._data.shape)}")
        raise RuntimeError(f"Size does not match at dimension {dim} expected index "
                           f"{list(ishape)} to be no larger than self {list(sshape)} apart "
                           f"from dimension {dim}")


@register()
def gather(input, dim, index, *, sparse_grad=False):
    """``out[i][j] = input[i][index[i][j]]`` (for dim=1), and so on for other dims."""
    _check_index_dtype(index, "gather")
    nd = input._data.ndim
    dim = _wrap_dim(dim, nd)
    _check_gather_shapes(input, index, dim, "gather")
    idx = index._data
    _check_bounds(idx, input._data.shape[dim] if nd else 1, dim)
    return Gather.apply(input, dim, idx)


@register()
def take_along_dim(input, indices, dim=None):
    """Values of ``input`` at ``indices`` along ``dim`` (both broadcast apart from ``dim``);
    with no dim, of the flattened input."""
    _check_index_dtype(indices, "take_along_dim", long_only=False)
    a = input._data
    idx = indices._data
    if dim is not None and a.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if dim is None:
        flat = idx.reshape(-1)
        _check_bounds(flat, a.size, 0, neg_ok=True)
        from .shape import _reshape
        return Gather.apply(_reshape(input, (a.size,)), 0, flat)
    if idx.ndim != a.ndim:
        raise RuntimeError("ember.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {a.ndim} dimensions for input, and "
                           f"{idx.ndim} dimensions for indices")
    dim = _wrap_dim(dim, a.ndim)
    ish = list(a.shape)
    xsh = list(idx.shape)
    ish[dim] = xsh[dim] = 1
    b = list(_broadcast_shapes(tuple(ish), tuple(xsh)))
    in_b = tuple(b[:dim] + [a.shape[dim]] + b[dim + 1:]) if a.ndim else ()
    idx_b = tuple(b[:dim] + [idx.shape[dim]] + b[dim + 1:]) if a.ndim else ()
    idx = xp.broadcast_to(idx, idx_b)
    _check_bounds(idx, a.shape[dim] if a.ndim else 1, dim, neg_ok=True)
    return Gather.apply(input, dim, idx, None if in_b == a.shape else in_b)


class Scatter(Function):
    """scatter with a src tensor (ScatterBackward0)."""

    @staticmethod
    def forward(ctx, a, dim, idx, src):
        key = _grid_key(idx, dim)
        out = a.copy()
        sl = tuple(slice(0, s) for s in idx.shape)
        out[key] = src[sl]
        ctx.key = key
        ctx.sl = sl
        ctx.src_shape = src.shape
        return out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        gx = gs = None
        if need[0]:
            gx = g.copy()
            gx[ctx.key] = 0
        if need[3]:
            gs = xp.zeros(ctx.src_shape, g.dtype)
            gs[ctx.sl] = g[ctx.key]
        return gx, None, None, gs


class ScatterValue(Function):
    """scatter with a scalar value (ScatterBackward1)."""
    node_name = "ScatterBackward1"

    @staticmethod
    def forward(ctx, a, dim, idx, value):
        key = _grid_key(idx, dim)
        out = a.copy()
        out[key] = value
        ctx.key = key
        return out

    @staticmethod
    def backward(ctx, g):
        gx = g.copy()
        gx[ctx.key] = 0
        return gx, None, None, None


class ScatterAdd(Scatter):
    @staticmethod
    def forward(ctx, a, dim, idx, src):
        key = _grid_key(idx, dim)
        out = a.copy()
        sl = tuple(slice(0, s) for s in idx.shape)
        xp.add.at(out, key, src[sl])
        ctx.key = key
        ctx.sl = sl
        ctx.src_shape = src.shape
        return out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        gs = None
        if need[3]:
            gs = xp.zeros(ctx.src_shape, g.dtype)
            gs[ctx.sl] = g[ctx.key]
        return (g if need[0] else None), None, None, gs


def _scatter_checks(input, dim, index, src, name):
    _check_index_dtype(index, name)
    nd = input._data.ndim
    dim = _wrap_dim(dim, nd)
    if index._data.ndim != nd:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if src is not None:
        if src.dtype is not input.dtype:
            raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
        if src._data.ndim != nd:
            raise RuntimeError("Index tensor must have the same number of dimensions as src "
                               "tensor")
    _check_gather_shapes(input, index, dim, name, src)
    idx = index._data
    _check_bounds(idx, input._data.shape[dim] if nd else 1, dim)
    return dim, idx


@register(inplace=True)
def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """``input`` with ``src[i][j]`` (or ``value``) written at ``[i][index[i][j]]`` (dim=1)."""
    if reduce is not None:
        raise NotImplementedError("scatter(reduce=...) is not supported; use scatter_add or "
                                  "scatter_reduce")
    if src is None:
        src = value
    if isinstance(src, Tensor):
        dim, idx = _scatter_checks(input, dim, index, src, "scatter")
        return Scatter.apply(input, dim, idx, src)
    if src is None:
        raise TypeError("scatter() missing 1 required positional argument: 'src' or 'value'")
    dim, idx = _scatter_checks(input, dim, index, None, "scatter")
    return ScatterValue.apply(input, dim, idx, src)


@register(inplace=True)
def scatter_add(input, dim, index, src):
    """``input`` plus ``src[i][j]`` added at ``[i][index[i][j]]`` (dim=1); repeats add up."""
    dim, idx = _scatter_checks(input, dim, index, src, "scatter_add")
    return ScatterAdd.apply(input, dim, idx, src)


# ----------------------------------------------------------------------------- index_add/fill/copy


def _index_vector(index, name):
    if index._data.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector, but got dim: "
                         f"{index._data.ndim} with type: {_tname(index)} and size: "
                         f"{list(index._data.shape)}")
    if index._data.dtype.kind != "i" or index._data.dtype.itemsize < 4:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    return index._data.reshape(-1)


class IndexAdd(Function):
    @staticmethod
    def forward(ctx, a, dim, idx, src, alpha):
        out = a.copy()
        if alpha != 1:
            src = src * alpha
        if out.ndim == 0:
            out += src.sum()
        else:
            _add_along(out, dim, idx, src)
        ctx.args = (dim, idx, alpha, src.shape)
        return out

    @staticmethod
    def backward(ctx, g):
        dim, idx, alpha, sshape = ctx.args
        gs = None
        if ctx.needs_input_grad[3]:
            gs = xp.take(g, idx, axis=dim) if g.ndim else xp.broadcast_to(g, sshape)
            if alpha != 1:
                gs = gs * alpha
            gs = gs.reshape(sshape)
        return g, None, None, gs, None


def _index_common(input, dim, index, source, name, kind):
    nd = input._data.ndim
    dim = _wrap_dim(dim, nd)
    idx = _index_vector(index, name)
    if source is not None:
        if source.dtype is not input.dtype:
            if kind == "add":
                raise RuntimeError(f"{name}(): self ({_tname(input)}) and source "
                                   f"({_tname(source)}) must have the same scalar type")
            raise RuntimeError(f"{name}(): self and source expected to have the same dtype, "
                               f"but got (self) {_tname(input)} and (source) {_tname(source)}")
        ss, st = source._data.shape, input._data.shape
        if (nd and (len(ss) != nd or any(ss[d] != st[d] for d in range(nd) if d != dim))) \
                or (not nd and kind == "add" and ss):
            raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                               f"specified dimension. Got self.shape = {list(st)} source.shape "
                               f"= {list(ss)}")
        if nd and ss[dim] != idx.size:
            raise RuntimeError(f"{name}(): Number of indices ({idx.size}) should be equal to "
                               f"source.size(dim): ({ss[dim]}), for dim: {dim}")
    n = input._data.shape[dim] if nd else 1
    exc, prefix = (RuntimeError, "") if kind == "add" else (IndexError, "")
    if kind == "copy":
        prefix = f"{name}(): "
    _check_bounds(idx, n, dim, exc, prefix, neg_ok=kind == "fill")
    return dim, idx


@register(inplace=True)
def index_add(input, dim, index, source, *, alpha=1):
    """``input`` plus ``alpha * source`` added at ``index`` along ``dim`` (repeats add up)."""
    dim, idx = _index_common(input, dim, index, source, "index_add_", "add")
    return IndexAdd.apply(input, dim, idx, source, alpha)


class IndexFill(Function):
    @staticmethod
    def forward(ctx, a, dim, idx, value):
        out = a.copy()
        if out.ndim == 0:
            out[()] = value
        else:
            xp.moveaxis(out, dim, 0)[idx] = value
        ctx.args = (dim, idx)
        return out

    @staticmethod
    def backward(ctx, g):
        dim, idx = ctx.args
        need = ctx.needs_input_grad
        gx = gv = None
        if g.ndim == 0:
            return (xp.zeros_like(g) if need[0] else None), None, None, (g if need[3] else None)
        if need[0]:
            gx = g.copy()
            xp.moveaxis(gx, dim, 0)[idx] = 0
        if need[3]:
            u = xp.unique(idx % g.shape[dim])
            gv = xp.asarray(xp.take(g, u, axis=dim).sum())
        return gx, None, None, gv


class IndexFill1(IndexFill):
    node_name = "IndexFillBackward1"


@register(inplace=True)
def index_fill(input, dim, index, value):
    """``input`` with ``value`` written at ``index`` along ``dim``."""
    dim, idx = _index_common(input, dim, index, None, "index_fill_", "fill")
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        return IndexFill1.apply(input, dim, idx, value)
    return IndexFill.apply(input, dim, idx, value)


class IndexCopy(Function):
    @staticmethod
    def forward(ctx, a, dim, idx, src):
        out = a.copy()
        if out.ndim == 0:
            out[()] = src.reshape(-1)[-1]
        else:
            xp.moveaxis(out, dim, 0)[idx] = xp.moveaxis(src, dim, 0)
        ctx.args = (dim, idx, src.shape)
        return out

    @staticmethod
    def backward(ctx, g):
        dim, idx, sshape = ctx.args
        need = ctx.needs_input_grad
        gx = gs = None
        if g.ndim == 0:
            return (xp.zeros_like(g) if need[0] else None), None, None, \
                (xp.broadcast_to(g, sshape) if need[3] else None)
        if need[0]:
            gx = g.copy()
            xp.moveaxis(gx, dim, 0)[idx] = 0
        if need[3]:
            gs = xp.take(g, idx, axis=dim)
        return gx, None, None, gs


@register(inplace=True)
def index_copy(input, dim, index, source):
    """``input`` with slices of ``source`` copied to ``index`` along ``dim``."""
    dim, idx = _index_common(input, dim, index, source, "index_copy_", "copy")
    return IndexCopy.apply(input, dim, idx, source)


# ----------------------------------------------------------------------------- take / nonzero


class Take(Function):
    @staticmethod
    def forward(ctx, a, idx):
        ctx.in_shape = a.shape
        ctx.idx = idx
        return xp.take(a.reshape(-1), idx)

    @staticmethod
    def backward(ctx, g):
        shape = ctx.in_shape
        n = 1
        for s in shape:
            n *= s
        gx = xp.zeros(n, g.dtype)
        xp.add.at(gx, ctx.idx, g)
        return gx.reshape(shape), None


@register()
def take(input, index):
    """Entries of the flattened ``input`` at ``index`` (the result has index's shape)."""
    _check_index_dtype(index, "take", long_only=True)
    idx = index._data
    n = input._data.size
    if idx.size:
        hi, lo = int(idx.max()), int(idx.min())
        if hi >= n or lo < -n:
            bad = hi if hi >= n else lo
            raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                             "elements.")
    return Take.apply(input, idx)


@register()
def nonzero(input, *, as_tuple=False):
    """Indices of the non-zero entries: an (n, ndim) int64 tensor, or one 1-d tensor per dim."""
    a = input._data
    if as_tuple:
        if a.ndim == 0:
            a = a.reshape(1)
        return tuple(_new_tensor(i.astype(np.int64, copy=False)) for i in xp.nonzero(a))
    return _new_tensor(xp.argwhere(a).astype(np.int64, copy=False))


@register()
def argwhere(input):
    """``nonzero(input)``: an (n, ndim) tensor of the indices of non-zero entries."""
    return nonzero(input)
