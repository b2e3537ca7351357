"""Shape ops: views (view, reshape, permute, expand, squeeze ...), joins and splits (cat, stack,
split, chunk, unbind ...) and reorderings (flip, roll, rot90, tril, diagonal ...).

View ops set ``is_view``: their forward returns a NumPy view of the input, so writes show
through and the version counter is shared, as in PyTorch. Multi-output splits are one Function
with several outputs, so backward assembles the input gradient once.
"""
import operator
import warnings

from ..backend import xp
from ..autograd.function import Function
from ..autograd import grad_mode
from ..autograd.engine import unbroadcast
from .._dtype import promote_types, dtype as _dtype_cls
from ..tensor import Tensor, Size, _wrap_dim, _new_tensor
from ._registry import register, FUNCTIONS
from .elementwise import Clone

_index = operator.index
_FULL = slice(None)
_Ellipsis = Ellipsis


# ----------------------------------------------------------------------------- helpers

def _sizes(size):
    """``f(2, 3)`` or ``f((2, 3))`` -> a tuple of Python ints."""
    if len(size) == 1 and not isinstance(size[0], int):
        s0 = size[0]
        if isinstance(s0, (tuple, list)):
            size = s0
        elif isinstance(s0, Tensor) and s0._data.ndim == 1:
            size = s0._data.tolist()
    try:
        return tuple(s if type(s) is int else _index(s) for s in size)
    except TypeError:
        bad = next(s for s in size if not isinstance(s, int))
        raise TypeError(f"expected a sequence of integers as sizes, but got an element of type "
                        f"{type(bad).__name__}") from None


def _infer_shape(shape, numel):
    """Resolve one -1 in ``shape`` for a tensor of ``numel`` elements (PyTorch's messages)."""
    neg = -1
    prod = 1
    for i, s in enumerate(shape):
        if s == -1:
            if neg >= 0:
                raise RuntimeError("only one dimension can be inferred")
            neg = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape "
                               f"{list(shape)}")
        else:
            prod *= s
    if neg >= 0:
        if prod == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {list(shape)} "
                               "because the unspecified dimension size -1 can be any value and "
                               "is ambiguous")
        if numel % prod:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        return shape[:neg] + (numel // prod,) + shape[neg + 1:]
    if prod != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _dims(dims):
    """varargs or one sequence of dims -> tuple."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        return tuple(dims[0])
    return dims


def _wrap_dims(dims, ndim, name):
    out = tuple(_wrap_dim(d, ndim) for d in dims)
    if len(set(out)) != len(out):
        for d in out:
            if out.count(d) > 1:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return out


def _expand_shape(in_shape, sizes, input=None):
    """Target shape of ``expand(sizes)`` with -1 kept, or PyTorch's error."""
    nd, ns = len(in_shape), len(sizes)
    if ns < nd:
        tt = input.dtype._tensor_type if input is not None else "FloatTensor"
        raise RuntimeError(f"expand(ember.{tt}{{{list(in_shape)}}}, size={list(sizes)}): "
                           f"the number of sizes provided ({ns}) must be greater or equal to the "
                           f"number of dimensions in the tensor ({nd})")
    lead = ns - nd
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            out.append(s)
            continue
        cur = in_shape[i - lead]
        if s == -1:
            s = cur
        elif cur != s and cur != 1:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing "
                               f"size ({cur}) at non-singleton dimension {i}.  Target sizes: "
                               f"{list(sizes)}.  Tensor sizes: {list(in_shape)}")
        elif s < 0:
            raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed")
        out.append(s)
    return tuple(out)


def _broadcast_shapes(*shapes):
    """Broadcast shape of several shapes, with PyTorch's error message."""
    nd = max(len(s) for s in shapes)
    out = [1] * nd
    for s in shapes:
        off = nd - len(s)
        for i, n in enumerate(s):
            j = off + i
            o = out[j]
            if o == 1:
                out[j] = n
            elif n != 1 and n != o:
                raise RuntimeError(f"The size of tensor a ({o}) must match the size of tensor b "
                                   f"({n}) at non-singleton dimension {j}")
    return tuple(out)


_NUMPY = xp.__name__ == "numpy"


def _broadcast_view(a, shape):
    """Read-only broadcast view of ``a`` (``xp.broadcast_to`` costs ~6 us; building the
    strided view directly on a contiguous NumPy array costs ~1 us)."""
    if _NUMPY and a.flags.c_contiguous and a.size:
        off = len(shape) - a.ndim
        strides = [0] * off
        for n, t, st in zip(a.shape, shape[off:], a.strides):
            strides.append(0 if n == 1 and t != 1 else st)
        try:
            b = xp.ndarray(shape, a.dtype, a, 0, strides)
        except (TypeError, ValueError):
            return xp.broadcast_to(a, shape)
        b.flags.writeable = False
        return b
    return xp.broadcast_to(a, shape)


# ----------------------------------------------------------------------------- view family


class View(Function):
    """A reshape that shares memory (ViewBackward0)."""
    is_view = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        try:
            return a.reshape(shape, copy=False)
        except ValueError:
            raise RuntimeError("view size is not compatible with input tensor's size and stride "
                               "(at least one dimension spans across two contiguous subspaces). "
                               "Use .reshape(...) instead.") from None

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None


class UnsafeView(Function):
    """A reshape of a tensor whose layout needs a copy (UnsafeViewBackward0)."""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return xp.ascontiguousarray(a).reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None


class _RavelCopy(UnsafeView):
    node_name = "ViewBackward0"


def _view_dtype(input, dt):
    a = input._data
    if a.dtype.itemsize != dt.np.itemsize and a.ndim and not a.flags.c_contiguous:
        raise RuntimeError("self.stride(-1) must be 1 to view ScalarType as a different size")
    t = _new_tensor(a.view(dt.np))
    t._version = input._version
    t._base = input if input._base is None else input._base
    return t


@register(function=False)
def view(input, *shape):
    """The same data seen with another shape; never copies (see :meth:`reshape`)."""
    if len(shape) == 1 and type(shape[0]) is _dtype_cls:
        return _view_dtype(input, shape[0])
    shape = _infer_shape(_sizes(shape), input._data.size)
    return View.apply(input, shape)


@register(function=False)
def view_as(input, other):
    return view(input, other._data.shape)


def _reshape(input, shape):
    a = input._data
    if a.flags.c_contiguous:
        return View.apply(input, shape)
    try:
        a.reshape(shape, copy=False)
    except ValueError:
        return UnsafeView.apply(input, shape)
    return View.apply(input, shape)


@register()
def reshape(input, *shape):
    """A tensor with the given shape: a view when the layout allows, otherwise a copy."""
    return _reshape(input, _infer_shape(_sizes(shape), input._data.size))


@register(function=False)
def reshape_as(input, other):
    return _reshape(input, other._data.shape)


@register(function=False)
def contiguous(input, memory_format=None):
    """``self`` when already C-contiguous, else a contiguous copy (CloneBackward0)."""
    if input._data.flags.c_contiguous:
        return input
    return Clone.apply(input)


@register()
def ravel(input):
    """A 1-D view when possible, else a flattened copy."""
    a = input._data
    if a.flags.c_contiguous:
        return View.apply(input, (a.size,))
    return _RavelCopy.apply(input, (a.size,))


@register()
def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims ``start_dim..end_dim`` into one (a 0-d tensor becomes 1-d)."""
    shape = input._data.shape
    nd = len(shape)
    if nd == 0:
        _wrap_dim(start_dim, 0)
        _wrap_dim(end_dim, 0)
        return _reshape(input, (1,))
    s = _wrap_dim(start_dim, nd)
    e = _wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    n = 1
    for k in shape[s:e + 1]:
        n *= k
    return _reshape(input, shape[:s] + (n,) + shape[e + 1:])


@register()
def unflatten(input, dim, sizes):
    """Split dim ``dim`` into ``sizes`` (one entry may be -1)."""
    shape = input._data.shape
    d = _wrap_dim(dim, len(shape))
    sizes = _sizes((sizes,))
    n = shape[d]
    prod = 1
    neg = 0
    for s in sizes:
        if s == -1:
            neg += 1
        else:
            prod *= s
    if neg > 1:
        raise RuntimeError("only one dimension can be inferred")
    if (neg and (prod == 0 or n % prod)) or (not neg and prod != n):
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({n}) in the input tensor")
    if neg:
        sizes = tuple(n // prod if s == -1 else s for s in sizes)
    return View.apply(input, shape[:d] + sizes + shape[d + 1:])


class Squeeze(Function):
    """squeeze() of every size-1 dim (SqueezeBackward0); subclasses name the dim forms."""
    is_view = True

    @staticmethod
    def forward(ctx, a, axes):
        ctx.in_shape = a.shape
        return xp.squeeze(a, axis=axes) if axes else a.view()

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None


class Squeeze1(Squeeze):
    node_name = "SqueezeBackward1"


class Squeeze2(Squeeze):
    node_name = "SqueezeBackward2"


@register()
def squeeze(input, dim=None):
    """Drop size-1 dims: all of them, or those among ``dim`` (an int or a tuple)."""
    shape = input._data.shape
    nd = len(shape)
    if dim is None:
        return Squeeze.apply(input, tuple(i for i, s in enumerate(shape) if s == 1))
    if isinstance(dim, (tuple, list)):
        dims = _wrap_dims(dim, nd, "squeeze")
        return Squeeze2.apply(input, tuple(d for d in sorted(dims) if nd and shape[d] == 1))
    d = _wrap_dim(dim, nd)
    return Squeeze1.apply(input, (d,) if nd and shape[d] == 1 else ())


class Unsqueeze(Function):
    is_view = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.in_shape = a.shape
        return a[(_FULL,) * dim + (None, _Ellipsis)]

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None


@register()
def unsqueeze(input, dim):
    """Insert a size-1 dim at ``dim``."""
    return Unsqueeze.apply(input, _wrap_dim(dim, input._data.ndim + 1))


class Permute(Function):
    is_view = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return a.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        inv = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inv[d] = i
        return g.transpose(inv), None


@register()
def permute(input, *dims):
    """Reorder the dims: ``out.shape[i] == input.shape[dims[i]]``."""
    dims = _dims(dims)
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does "
                           "not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {nd} is not equal to len(dims) = {len(dims)}")
    w = tuple(_wrap_dim(d, nd) for d in dims)
    if len(set(w)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, w)


class Transpose(Function):
    is_view = True

    @staticmethod
    def forward(ctx, a, d0, d1):
        ctx.d = (d0, d1)
        if a.ndim < 2:
            return a.view()
        return a.swapaxes(d0, d1)

    @staticmethod
    def backward(ctx, g):
        if g.ndim < 2:
            return g, None, None
        return g.swapaxes(*ctx.d), None, None


class T(Transpose):
    node_name = "TBackward0"


@register(aliases=("swapaxes", "swapdims"))
def transpose(input, dim0, dim1):
    """Swap two dims (a view)."""
    nd = input._data.ndim
    return Transpose.apply(input, _wrap_dim(dim0, nd), _wrap_dim(dim1, nd))


@register()
def t(input):
    """Transpose of a matrix; 0-d and 1-d tensors come back as they are (as views)."""
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return T.apply(input, 0, nd - 1 if nd else 0)


def _T(self):
    nd = self._data.ndim
    if nd != 2:
        if nd == 0:
            warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity "
                          "in these cases.", UserWarning, stacklevel=2)
        else:
            warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their "
                          "shape is deprecated and it will throw an error in a future release. "
                          "Consider `x.mT` to transpose batches of matrices or "
                          "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
                          "dimensions of a tensor.", UserWarning, stacklevel=2)
    return Permute.apply(self, tuple(range(nd - 1, -1, -1)))


def _mT(self):
    nd = self._data.ndim
    if nd < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got "
                           f"{nd}-D tensor.")
    return Transpose.apply(self, nd - 2, nd - 1)


Tensor.T = property(_T, doc="The tensor with its dims reversed (the transpose of a matrix).")
Tensor.mT = property(_mT, doc="Transpose of the last two dims (a batch of matrices).")
Tensor.H = property(lambda self: _T(self).conj() if self.is_complex() else _T(self))
Tensor.mH = property(lambda self: _mT(self).conj() if self.is_complex() else _mT(self))


@register(aliases=("moveaxis",))
def movedim(input, source, destination):
    """Move dims ``source`` to positions ``destination`` (ints or sequences)."""
    nd = input._data.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    s = tuple(_wrap_dim(d, nd) for d in src)
    d = tuple(_wrap_dim(x, nd) for x in dst)
    if len(set(s)) != len(s):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(src)})")
    if len(set(d)) != len(d):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(dst)})")
    order = [i for i in range(nd) if i not in s]
    for dd, ss in sorted(zip(d, s)):
        order.insert(dd, ss)
    return Permute.apply(input, tuple(order))


# ----------------------------------------------------------------------------- expand / repeat


class Expand(Function):
    """Broadcast view (ExpandBackward0); ``pre`` first reshapes the input (meshgrid)."""
    is_view = True

    @staticmethod
    def forward(ctx, a, shape, pre=None):
        ctx.in_shape = a.shape
        ctx.pre = pre
        if pre is not None:
            a = a.reshape(pre)
        if a.shape == shape:
            return a.view()
        return _broadcast_view(a, shape)

    @staticmethod
    def backward(ctx, g):
        if ctx.pre is not None:
            g = unbroadcast(g, ctx.pre).reshape(ctx.in_shape)
        return g, None, None   # the engine sums the broadcast dims away


@register(function=False)
def expand(input, *sizes):
    """A broadcast view with the given sizes (-1 keeps a dim); no memory is copied."""
    shape = _expand_shape(input._data.shape, _sizes(sizes), input)
    return Expand.apply(input, shape)


@register(function=False)
def expand_as(input, other):
    return expand(input, other._data.shape)


@register()
def broadcast_to(input, *size):
    return expand(input, *size)


def broadcast_shapes(*shapes):
    """The shape all ``shapes`` broadcast to."""
    return Size(_broadcast_shapes(*(_sizes((s,)) if not isinstance(s, int) else (s,)
                                    for s in shapes)))


FUNCTIONS["broadcast_shapes"] = broadcast_shapes


@register(method=False)
def broadcast_tensors(*tensors):
    """Expand every tensor to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tensors[0]
    shape = _broadcast_shapes(*(t._data.shape for t in tensors))
    return tuple(t if t._data.shape == shape else Expand.apply(t, shape) for t in tensors)


class Repeat(Function):
    @staticmethod
    def forward(ctx, a, reps):
        ctx.in_shape = a.shape
        ctx.reps = reps
        return xp.tile(a, reps)

    @staticmethod
    def backward(ctx, g):
        reps = ctx.reps
        shp = (1,) * (len(reps) - len(ctx.in_shape)) + tuple(ctx.in_shape)
        inter = []
        for r, s in zip(reps, shp):
            inter += [r, s]
        g = g.reshape(inter).sum(axis=tuple(range(0, 2 * len(reps), 2)))
        return g.reshape(ctx.in_shape), None


@register(function=False)
def repeat(input, *sizes):
    """Tile the tensor ``sizes[i]`` times along each dim (leading new dims allowed)."""
    reps = _sizes(sizes)
    if len(reps) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    for r in reps:
        if r < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {r}: "
                               f"{list(reps)}")
    return Repeat.apply(input, reps)


@register()
def tile(input, *dims):
    """``repeat`` that pads ``dims`` with leading 1s when shorter than the tensor's dims."""
    reps = _sizes(dims)
    nd = input._data.ndim
    if len(reps) < nd:
        reps = (1,) * (nd - len(reps)) + reps
    return repeat(input, reps)


# ----------------------------------------------------------------------------- cat / stack


def _common_dtype(tensors):
    dt = None
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
        d = t.dtype
        dt = d if dt is None else promote_types(dt, d)
    return dt


class Cat(Function):
    @staticmethod
    def forward(ctx, dim, npdt, *arrays):
        keep = [a for a in arrays if not (a.ndim == 1 and a.shape[0] == 0)]
        ctx.dim = dim
        ctx.sizes = [None if (a.ndim == 1 and a.shape[0] == 0) else a.shape[dim]
                     for a in arrays]
        if not keep:
            return xp.empty((0,), npdt)
        if len(keep) == 1:
            return keep[0].astype(npdt, copy=True)
        return xp.concatenate(keep, axis=dim, dtype=npdt, casting="unsafe")

    @staticmethod
    def backward(ctx, g):
        dim = ctx.dim
        pre = (_FULL,) * dim
        out = [None, None]
        start = 0
        for n in ctx.sizes:
            if n is None:
                out.append(xp.zeros((0,), g.dtype))
            else:
                out.append(g[pre + (slice(start, start + n),)])
                start += n
        return tuple(out)


@register(method=False, aliases=("concat", "concatenate"))
def cat(tensors, dim=0):
    """Join tensors along an existing dim, promoting dtypes; empty 1-d tensors are skipped."""
    if isinstance(tensors, Tensor):
        raise TypeError("cat(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        "Tensor")
    if type(tensors) is not list and type(tensors) is not tuple:
        tensors = list(tensors)
    if not tensors:
        raise ValueError("ember.cat(): expected a non-empty list of Tensors")
    npdt = None
    same = True
    ref = None
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
        a = t._data
        if npdt is None:
            npdt = a.dtype
        elif a.dtype != npdt:
            same = False
        s = a.shape
        if not s:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                               "concatenated")
        if ref is None:
            if len(s) == 1 and s[0] == 0:
                continue
            ref = s
            d = _wrap_dim(dim, len(s))
        elif s != ref:
            if len(s) == 1 and s[0] == 0:
                continue
            if len(s) != len(ref):
                raise RuntimeError(f"Tensors must have same number of dimensions: got "
                                   f"{len(ref)} and {len(s)}")
            for k in range(len(s)):
                if k != d and s[k] != ref[k]:
                    raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                       f"Expected size {ref[k]} but got size {s[k]} for tensor "
                                       f"number {i} in the list.")
    if not same:
        npdt = _common_dtype(tensors).np
    if ref is None:
        d = _wrap_dim(dim, 1)
    return Cat.apply(d, npdt, *tensors)


class Stack(Function):
    @staticmethod
    def forward(ctx, dim, npdt, *arrays):
        ctx.dim = dim
        ctx.n = len(arrays)
        return xp.stack(arrays, axis=dim, dtype=npdt, casting="unsafe")

    @staticmethod
    def backward(ctx, g):
        pre = (_FULL,) * ctx.dim
        return (None, None) + tuple(g[pre + (i, Ellipsis)] for i in range(ctx.n))


@register(method=False)
def stack(tensors, dim=0):
    """Join equally shaped tensors along a new dim."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    dt = _common_dtype(tensors)
    s0 = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != s0:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(s0)} "
                               f"at entry 0 and {list(t._data.shape)} at entry {i}")
    d = _wrap_dim(dim, len(s0) + 1)
    return Stack.apply(d, dt.np, *tensors)


def _tensor_seq(tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        return tuple(tensors[0]), True
    return tensors, len(tensors) != 1


@register(method=False)
def atleast_1d(*tensors):
    """Tensors with at least one dim (0-d ones become shape [1])."""
    seq, many = _tensor_seq(tensors)
    out = tuple(t if t._data.ndim >= 1 else _reshape(t, (1,)) for t in seq)
    return out if many else out[0]


def _at2(t):
    nd = t._data.ndim
    if nd >= 2:
        return t
    if nd == 0:
        return _reshape(t, (1, 1))
    return Unsqueeze.apply(t, 0)


def _at3(t):
    nd = t._data.ndim
    if nd >= 3:
        return t
    if nd == 0:
        return _reshape(t, (1, 1, 1))
    if nd == 1:
        return Unsqueeze.apply(Unsqueeze.apply(t, 0), 2)
    return Unsqueeze.apply(t, 2)


@register(method=False)
def atleast_2d(*tensors):
    """Tensors with at least two dims (1-d ones become rows)."""
    seq, many = _tensor_seq(tensors)
    out = tuple(_at2(t) for t in seq)
    return out if many else out[0]


@register(method=False)
def atleast_3d(*tensors):
    """Tensors with at least three dims (as NumPy's atleast_3d)."""
    seq, many = _tensor_seq(tensors)
    out = tuple(_at3(t) for t in seq)
    return out if many else out[0]


@register(method=False)
def hstack(tensors):
    """Concatenate column-wise (along dim 1; 1-d tensors along dim 0)."""
    ts = [t if t._data.ndim >= 1 else _reshape(t, (1,)) for t in tensors]
    if all(t._data.ndim == 1 for t in ts):
        return cat(ts, 0)
    return cat(ts, 1)


@register(method=False, aliases=("row_stack",))
def vstack(tensors):
    """Concatenate row-wise (1-d tensors become rows)."""
    return cat([_at2(t) for t in tensors], 0)


@register(method=False)
def dstack(tensors):
    """Concatenate depth-wise (along dim 2)."""
    return cat([_at3(t) for t in tensors], 2)


# ----------------------------------------------------------------------------- splits


class Split(Function):
    """Several slices of one dim as one node (SplitBackward0): backward assembles them once."""
    is_view = True

    @staticmethod
    def forward(ctx, a, dim, bounds):
        ctx.in_shape = a.shape
        ctx.dim = dim
        ctx.bounds = bounds
        pre = (_FULL,) * dim
        return tuple(a[pre + (slice(s, e),)] for s, e in bounds)

    @staticmethod
    def backward(ctx, *gs):
        dim = ctx.dim
        bounds = ctx.bounds
        ref = next((g for g in gs if g is not None), None)
        if ref is None:
            return None, None, None
        tiled = all(g is not None for g in gs) and bounds[0][0] == 0 and \
            bounds[-1][1] == ctx.in_shape[dim] and \
            all(bounds[i][1] == bounds[i + 1][0] for i in range(len(bounds) - 1))
        if tiled:
            return (gs[0] if len(gs) == 1 else xp.concatenate(gs, axis=dim)), None, None
        gx = xp.zeros(ctx.in_shape, ref.dtype)
        pre = (_FULL,) * dim
        for (s, e), g in zip(bounds, gs):
            if g is not None and e > s:
                gx[pre + (slice(s, e),)] += g
        return gx, None, None


class SplitWithSizes(Split):
    pass


class _SliceSplit(Split):
    node_name = "SliceBackward0"


class Unbind(Function):
    is_view = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.in_shape = a.shape
        ctx.dim = dim
        pre = (_FULL,) * dim
        return tuple(a[pre + (i, Ellipsis)] for i in range(a.shape[dim]))

    @staticmethod
    def backward(ctx, *gs):
        ref = next((g for g in gs if g is not None), None)
        if ref is None:
            return None, None
        if all(g is not None for g in gs):
            return xp.stack(gs, axis=ctx.dim), None
        gx = xp.zeros(ctx.in_shape, ref.dtype)
        pre = (_FULL,) * ctx.dim
        for i, g in enumerate(gs):
            if g is not None:
                gx[pre + (i, Ellipsis)] = g
        return gx, None


def _need_dims(input, name):
    if input._data.ndim == 0:
        raise RuntimeError(f"{name} expects at least a 1-dimensional tensor")


@register()
def unbind(input, dim=0):
    """All slices along ``dim`` as a tuple of views (UnbindBackward0)."""
    if input._data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return Unbind.apply(input, _wrap_dim(dim, input._data.ndim))


@register()
def split(input, split_size_or_sections, dim=0):
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or pieces of the listed
    sizes."""
    _need_dims(input, "split")
    d = _wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    s = split_size_or_sections
    if isinstance(s, (list, tuple)):
        sizes = _sizes((s,))
        if sum(sizes) != n or any(k < 0 for k in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {d}), but got "
                               f"split_sizes={list(sizes)}")
        bounds = []
        start = 0
        for k in sizes:
            bounds.append((start, start + k))
            start += k
        return SplitWithSizes.apply(input, d, bounds)
    s = _index(s)
    if s < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={s}")
    if s == 0:
        if n != 0:
            raise RuntimeError("split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        return Split.apply(input, d, [(0, 0)])
    bounds = [(i, min(i + s, n)) for i in range(0, n, s)] or [(0, 0)]
    return Split.apply(input, d, bounds)


@register()
def chunk(input, chunks, dim=0):
    """At most ``chunks`` pieces of ceil(size / chunks) along ``dim`` (the last may be
    smaller)."""
    _need_dims(input, "chunk")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    size = -(-n // chunks)
    if size == 0:
        return Split.apply(input, d, [(0, 0)] * chunks)
    return split(input, size, d)


@register()
def tensor_split(input, indices_or_sections, dim=0):
    """``sections`` near-equal pieces (the first ``n % sections`` one longer), or pieces between
    the given indices (NumPy's array_split)."""
    _need_dims(input, "tensor_split")
    d = _wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios._data.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {ios._data.ndim} dims")
        if ios._data.dtype.kind not in "iu" or ios._data.dtype.itemsize != 8:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype "
                               f"of long, but got {ios.dtype._tensor_type[:-6]}")
        ios = ios._data.item() if ios._data.ndim == 0 else ios._data.tolist()
    if isinstance(ios, (list, tuple)):
        pts = [0] + [_index(i) for i in ios] + [n]
        bounds = []
        for p0, p1 in zip(pts[:-1], pts[1:]):
            s, e, _ = slice(p0, p1).indices(n)
            bounds.append((s, max(s, e)))     # a decreasing pair gives an empty piece
        return _SliceSplit.apply(input, d, bounds)
    k = _index(ios)
    if k <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {k}")
    q, r = divmod(n, k)
    bounds = []
    start = 0
    for i in range(k):
        e = start + q + (1 if i < r else 0)
        bounds.append((start, e))
        start = e
    return _SliceSplit.apply(input, d, bounds)


# ----------------------------------------------------------------------------- basic slicing


class Select(Function):
    """A basic index (ints, slices, None, Ellipsis) as a view; PyTorch names the node after the
    last op it applies, so the subclasses below differ only in name."""
    is_view = True

    @staticmethod
    def forward(ctx, a, key):
        ctx.in_shape = a.shape
        ctx.key = key
        return a[key]

    @staticmethod
    def backward(ctx, g):
        gx = xp.zeros(ctx.in_shape, g.dtype)
        gx[ctx.key] = g
        return gx, None


class Slice(Select):
    pass


class Alias(Select):
    pass


class _UnsqueezeIndex(Select):
    node_name = "UnsqueezeBackward0"


@register()
def narrow(input, dim, start, length):
    """``length`` entries of ``dim`` from ``start`` (a view)."""
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, nd)
    n = input._data.shape[d]
    start = _index(start)
    length = _index(length)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got "
                         f"{start})")
    if start < 0:
        start += n
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return Slice.apply(input, (_FULL,) * d + (slice(start, start + length),))


@register()
def select(input, dim, index):
    """The slice at ``index`` of ``dim``, with that dim removed (a view)."""
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, len(shape))
    index = _index(index)
    if not -shape[d] <= index < shape[d]:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(shape)} at dimension {d}")
    return Select.apply(input, (_FULL,) * d + (index, Ellipsis))


# ----------------------------------------------------------------------------- reorderings


class Flip(Function):
    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return xp.flip(a, dims).copy() if dims else a.copy()

    @staticmethod
    def backward(ctx, g):
        return (xp.flip(g, ctx.dims) if ctx.dims else g), None


@register()
def flip(input, *dims):
    """Reverse the order of entries along ``dims`` (a copy, as in PyTorch)."""
    dims = _dims(dims)
    nd = input._data.ndim
    dims = _wrap_dims(dims, nd, "flip")
    return Flip.apply(input, dims if nd else ())


@register()
def fliplr(input):
    """Flip dim 1 (left/right)."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return Flip.apply(input, (1,))


@register()
def flipud(input):
    """Flip dim 0 (up/down)."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return Flip.apply(input, (0,))


class Roll(Function):
    @staticmethod
    def forward(ctx, a, shifts, dims):
        ctx.shifts = shifts
        ctx.dims = dims
        return xp.roll(a, shifts, dims)

    @staticmethod
    def backward(ctx, g):
        s = ctx.shifts
        neg = tuple(-k for k in s) if isinstance(s, tuple) else -s
        return xp.roll(g, neg, ctx.dims), None, None


@register()
def roll(input, shifts, dims=None):
    """Shift entries circularly along ``dims`` (of the flattened tensor when dims is None)."""
    nd = input._data.ndim
    if dims is None or (isinstance(dims, (tuple, list)) and len(dims) == 0):
        if isinstance(shifts, (tuple, list)):
            if len(shifts) != 1:
                raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                                   "dims:0")
            shifts = shifts[0]
        return Roll.apply(input, _index(shifts), None)
    sh = (shifts,) if not isinstance(shifts, (tuple, list)) else tuple(shifts)
    dm = (dims,) if not isinstance(dims, (tuple, list)) else tuple(dims)
    if len(sh) != len(dm):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, "
                           f"dims:{len(dm)}")
    if nd == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    dm = tuple(_wrap_dim(d, nd) for d in dm)
    return Roll.apply(input, tuple(_index(s) for s in sh), dm)


class Rot90(Function):
    @staticmethod
    def forward(ctx, a, k, dims):
        ctx.k = k
        ctx.dims = dims
        return xp.rot90(a, k, dims).copy()

    @staticmethod
    def backward(ctx, g):
        return xp.rot90(g, -ctx.k, ctx.dims), None, None


@register()
def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``dims`` (from the first towards the
    second)."""
    dims = tuple(dims)
    nd = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = _wrap_dim(dims[0], nd), _wrap_dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    return Rot90.apply(input, k % 4, (d0, d1))


class Tril(Function):
    @staticmethod
    def forward(ctx, a, k):
        ctx.k = k
        return xp.tril(a, k)

    @staticmethod
    def backward(ctx, g):
        return xp.tril(g, ctx.k), None


class Triu(Function):
    @staticmethod
    def forward(ctx, a, k):
        ctx.k = k
        return xp.triu(a, k)

    @staticmethod
    def backward(ctx, g):
        return xp.triu(g, ctx.k), None


@register(inplace=True)
def tril(input, diagonal=0):
    """Lower triangle of the last two dims (entries above ``diagonal`` zeroed)."""
    if input._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return Tril.apply(input, _index(diagonal))


@register(inplace=True)
def triu(input, diagonal=0):
    """Upper triangle of the last two dims (entries below ``diagonal`` zeroed)."""
    if input._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return Triu.apply(input, _index(diagonal))


# ----------------------------------------------------------------------------- diagonals


def _diag_view(a, offset, d1, d2):
    """Writable view of the ``offset`` diagonal of dims d1, d2, appended as the last dim."""
    shape, strides = a.shape, a.strides
    n1, n2 = shape[d1], shape[d2]
    if offset >= 0:
        L = max(min(n1, n2 - offset), 0)
        b = a[(_FULL,) * d2 + (slice(offset if L else 0, None),)]
    else:
        L = max(min(n1 + offset, n2), 0)
        b = a[(_FULL,) * d1 + (slice(-offset if L else 0, None),)]
    keep = [i for i in range(a.ndim) if i != d1 and i != d2]
    new_shape = tuple(shape[i] for i in keep) + (L,)
    new_strides = tuple(strides[i] for i in keep) + (strides[d1] + strides[d2],)
    return xp.lib.stride_tricks.as_strided(b, new_shape, new_strides)


class Diagonal(Function):
    is_view = True

    @staticmethod
    def forward(ctx, a, offset, d1, d2):
        ctx.in_shape = a.shape
        ctx.args = (offset, d1, d2)
        return _diag_view(a, offset, d1, d2)

    @staticmethod
    def backward(ctx, g):
        gx = xp.zeros(ctx.in_shape, g.dtype)
        _diag_view(gx, *ctx.args)[...] = g
        return gx, None, None, None


class _DiagonalCopy(Diagonal):
    node_name = "DiagonalBackward0_copy"
    is_view = False

    @staticmethod
    def forward(ctx, a, offset, d1, d2):
        ctx.in_shape = a.shape
        ctx.args = (offset, d1, d2)
        return _diag_view(a, offset, d1, d2).copy()


class DiagEmbed(Function):
    @staticmethod
    def forward(ctx, a, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        L = a.shape[-1] if a.ndim else 1
        m = L + abs(offset)
        rest = list(a.shape[:-1])
        lo, hi = sorted((d1, d2))
        rest.insert(lo, m)
        rest.insert(hi, m)
        out = xp.zeros(rest, a.dtype)
        _diag_view(out, offset, d1, d2)[...] = a
        return out

    @staticmethod
    def backward(ctx, g):
        return _diag_view(g, *ctx.args), None, None, None


@register()
def diagonal(input, offset=0, dim1=0, dim2=1):
    """The ``offset`` diagonal of dims ``dim1``/``dim2`` as a view, appended as the last dim."""
    nd = input._data.ndim
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, _index(offset), d1, d2)


@register()
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Tensors whose ``offset`` diagonals (in dims dim1, dim2) hold the last dim of input."""
    nd = input._data.ndim + 1
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return DiagEmbed.apply(input, _index(offset), d1, d2)


@register()
def diag(input, diagonal=0):
    """1-d input: a square matrix with it on the ``diagonal``; 2-d input: that diagonal."""
    nd = input._data.ndim
    if nd == 1:
        return DiagEmbed.apply(input, _index(diagonal), 0, 1)
    if nd == 2:
        return _DiagonalCopy.apply(input, _index(diagonal), 0, 1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


# ----------------------------------------------------------------------------- meshgrid


@register(method=False)
def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-d tensors: 'ij' (matrix) or 'xy' (Cartesian) indexing."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=3)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError("torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t}")
    n = len(tensors)
    sizes = [t._data.size for t in tensors]
    axes = list(range(n))
    if indexing == "xy" and n >= 2:
        axes[0], axes[1] = 1, 0
    shape = [0] * n
    for i, ax in enumerate(axes):
        shape[ax] = sizes[i]
    shape = tuple(shape)
    out = []
    for i, t in enumerate(tensors):
        pre = [1] * n
        pre[axes[i]] = sizes[i]
        out.append(Expand.apply(t, shape, tuple(pre)))
    return tuple(out)


# ----------------------------------------------------------------------------- in-place views


def _inplace_view(impl, name):
    """``squeeze_``-style ops: change ``self``'s shape metadata, keeping its memory."""
    def inplace(self, *args, **kwargs):
        if grad_mode._enabled[0] and self._rg and self.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        r = impl(self, *args, **kwargs)
        self._data = r._data
        if r.grad_fn is not None:
            self.grad_fn = r.grad_fn
            self._output_nr = r._output_nr
        self._version[0] += 1
        return self
    inplace.__name__ = name
    return inplace


for _n, _impl in (("squeeze_", squeeze), ("unsqueeze_", unsqueeze), ("t_", t),
                  ("transpose_", transpose), ("swapaxes_", transpose), ("swapdims_", transpose)):
    setattr(Tensor, _n, _inplace_view(_impl, _n))
del _n, _impl
