"""Tensor: an n-d array with a dtype, autograd state and PyTorch's methods.

Data lives in ``_data`` (a NumPy array). Ops are attached to the class by
``ember.ops._registry``; this file holds only state, conversion and autograd entry points.
"""
import weakref

import numpy as np

from . import _dtype
from ._dtype import _FROM_NP

__all__ = ["Tensor", "Size"]


class Size(tuple):
    """The shape of a tensor: a tuple that prints as ``ember.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self):
        return f"ember.Size({list(self)})"

    __str__ = __repr__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, k):
        r = tuple.__getitem__(self, k)
        return Size(r) if isinstance(k, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other):
        return Size(tuple.__add__(tuple(other), self))

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__


class _HookHandle:
    __slots__ = ("_lst", "_fn")

    def __init__(self, lst, fn):
        self._lst, self._fn = lst, fn

    def remove(self):
        if self._fn in self._lst:
            self._lst.remove(self._fn)


_NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information.")


class Tensor:
    """A multi-dimensional array that can record the ops applied to it for autograd."""

    __slots__ = ("_data", "_rg", "_grad", "grad_fn", "_version", "__dict__", "__weakref__")
    # rarely-set state lives in the (lazily created) instance dict, read through these defaults
    _output_nr = 0
    _acc = None
    _hooks = None
    _base = None
    _rebases = 0          # root tensors: writes that gave it a new node (ops/_copy_slices.py)
    _view_rebases = 0     # views: the base's _rebases when this view's node was made
    _nograd_view = False  # views made in no_grad mode of a tensor that requires grad
    _retains = False
    __array_priority__ = 1000   # NumPy defers ``ndarray * tensor`` to Tensor.__rmul__
    is_sparse = False
    is_quantized = False

    def __new__(cls, *args, dtype=None, device=None, requires_grad=False):
        """Legacy constructor: ``Tensor(data)`` copies data as float32, ``Tensor(2, 3)``
        allocates an uninitialised 2x3 tensor, ``Tensor()`` is empty."""
        if dtype is not None:
            dt = _dtype.to_dtype(dtype)
        else:
            dt = cls._legacy_dtype or _dtype.get_default_dtype()
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            a = args[0]
            if isinstance(a, Size):
                data = np.empty(tuple(a), dt.np)
            elif isinstance(a, (float, complex, bool, np.generic)):
                raise TypeError(f"new(): data must be a sequence (got {type(a).__name__})")
            else:
                a = a._data if isinstance(a, Tensor) else a
                try:
                    data = np.array(a, dtype=dt.np)
                except OverflowError:   # ByteTensor([-1]) wraps, ByteTensor([300]) raises
                    from ._creation import _cast_checked
                    data = _cast_checked(a, dt)
        else:
            for s in args:
                if not isinstance(s, (int, np.integer)):
                    raise TypeError(f"{cls.__name__}(): expected sizes as ints or data as a "
                                    f"sequence, got {type(s).__name__}")
            data = np.zeros(tuple(int(s) for s in args) if args else (0,), dt.np)
        t = _new_tensor(data)
        if requires_grad:
            t.requires_grad = True
        return t

    _legacy_dtype = None

    # ----- basic properties -------------------------------------------------------------
    @property
    def dtype(self):
        return _FROM_NP[self._data.dtype]

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        if not self._data.ndim:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    @property
    def device(self):
        from .backend.device import device
        return device("cpu")

    @property
    def is_cuda(self):
        return False

    is_cpu = True

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_complex(self):
        return self._data.dtype.kind == "c"

    def is_contiguous(self, memory_format=None):
        return self._data.flags.c_contiguous

    def stride(self, dim=None):
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def data_ptr(self):
        return self._data.__array_interface__["data"][0]

    def get_device(self):
        return -1

    # ----- autograd state ---------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._rg

    @requires_grad.setter
    def requires_grad(self, flag):
        flag = bool(flag)
        if self.grad_fn is not None:
            if flag:
                return
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if flag and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._rg = flag

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def retains_grad(self):
        return bool(self._retains)

    @property
    def data(self):
        return _new_tensor(self._data)

    @data.setter
    def data(self, value):
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def _version_counter(self):
        return self._version[0]

    def _grad_accumulator(self):
        """The AccumulateGrad node of this leaf, created once and held weakly."""
        acc = self._acc() if self._acc is not None else None
        if acc is None:
            from .autograd.function import AccumulateGrad
            acc = AccumulateGrad(self)
            self._acc = weakref.ref(acc)
        return acc

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into the ``.grad`` of every leaf that requires grad."""
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """A tensor sharing this one's memory, cut off from the graph."""
        t = _new_tensor(self._data)
        t._version = self._version
        return t

    def detach_(self):
        if self._base is not None and self._base._rg:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._rg = False
        return self

    @property
    def grad(self):
        """The gradient backward accumulated here: leaves, and non-leaves that called
        ``retain_grad()``. Reading it on any other non-leaf warns, as PyTorch does."""
        g = self._grad
        if g is None and self.grad_fn is not None and not self._retains:
            from ._warnings import warn_user
            warn_user(_NON_LEAF_GRAD)
        return g

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size "
                                   f"'{list(value._data.shape)}' to a tensor of size "
                                   f"'{list(self._data.shape)}'. Please ensure that the gradient "
                                   "and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                # PyTorch names the gradient's type in C++ ("double") and the tensor's as a
                # scalar type ("Float")
                from .ops._linalg_util import _cn, _tn
                raise RuntimeError(f"attempting to assign a gradient with dtype "
                                   f"'{_cn(value._data)}' to a tensor with grad_dtype "
                                   f"'{_tn(self._data)}'. The gradient must match the "
                                   "tensor's dtype")
        self._grad = value

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if self.grad_fn is None:
            if not self._rg:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains:
            return
        ref = weakref.ref(self)

        def hook(g):
            t = ref()
            if t is not None:
                t._grad = _new_tensor(g._data.copy() if t._grad is None
                                      else t._grad._data + g._data)
        self._retains = hook   # truthy; register_hook keeps it last, as PyTorch runs it last
        _node_hook(self.grad_fn, self._output_nr, hook)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; its return value, if
        not None, replaces the gradient."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
            return _HookHandle(self._hooks, hook)
        lst = _node_hook(self.grad_fn, self._output_nr, hook)
        r = self._retains
        if r and r in lst:   # the retain_grad hook sees the gradient after all other hooks
            lst.remove(r)
            lst.append(r)
        return _HookHandle(lst, hook)

    # ----- conversion -------------------------------------------------------------------
    def numpy(self, *, force=False):
        if self._rg and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        if self._rg:
            self.numpy()   # raises PyTorch's "Can't call numpy() on Tensor that requires grad"
        a = self._data
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        return a

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.item() if self._data.ndim == 0 else self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __contains__(self, element):
        """``element in t``: whether any entry equals ``element`` (a number or a tensor)."""
        if isinstance(element, (Tensor, int, float, complex, bool, np.number, np.bool_)):
            other = element._data if isinstance(element, Tensor) else element
            return bool(np.any(self._data == other))
        raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed "
                           f"in a {type(element)}.")

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous"
                               if self._data.size else
                               "Boolean value of Tensor with no values is ambiguous")
        return bool(self._data.reshape(()))

    def __int__(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return int(self.item())

    def __float__(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return float(self.item())

    def __complex__(self):
        return complex(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __hash__(self):
        return id(self)

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr
        return tensor_repr(self, tensor_contents=tensor_contents)

    def __reduce_ex__(self, proto):
        return (_rebuild, (self._data, self._rg))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.")
        t = _new_tensor(self._data.copy(), type(self))
        t._rg = self._rg
        if self._grad is not None:
            t._grad = _new_tensor(self._grad._data.copy())
        memo[id(self)] = t
        return t

    # ----- dtype / device conversion -------------------------------------------------------
    def type(self, dtype=None, non_blocking=False):
        """Without arguments the type name (``ember.FloatTensor``); else a cast."""
        if dtype is None:
            return "ember." + self.dtype._tensor_type
        if isinstance(dtype, str) and dtype.endswith("Tensor"):
            name = dtype.split(".")[-1]
            for d in _dtype._ALL:
                if d._tensor_type == name:
                    return self.to(d)
            raise TypeError(f"invalid type: {dtype!r}")
        if isinstance(dtype, type) and issubclass(dtype, Tensor) and dtype._legacy_dtype:
            return self.to(dtype._legacy_dtype)
        return self.to(_dtype.to_dtype(dtype))

    def to(self, *args, dtype=None, device=None, copy=False, non_blocking=False,
           memory_format=None):
        """Cast to a dtype and/or move to a device (only "cpu" exists today)."""
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, (str,)) or type(a).__name__ == "device":
                device = a
            elif a is not None:
                dtype = a
        if device is not None:
            from .backend.device import check_device
            check_device(device)
        if dtype is None:
            return self.clone() if copy else self
        dt = _dtype.to_dtype(dtype)
        if dt.np == self._data.dtype and not copy:
            return self
        from .ops.elementwise import _to_copy
        return _to_copy(self, dt)

    def cpu(self):
        return self

    def cuda(self, device=None, non_blocking=False):
        return self.to("cuda")

    def float(self):
        return self.to(_dtype.float32)

    def double(self):
        return self.to(_dtype.float64)

    def half(self):
        return self.to(_dtype.float16)

    def long(self):
        return self.to(_dtype.int64)

    def int(self):
        return self.to(_dtype.int32)

    def short(self):
        return self.to(_dtype.int16)

    def char(self):
        return self.to(_dtype.int8)

    def byte(self):
        return self.to(_dtype.uint8)

    def bool(self):
        return self.to(_dtype.bool)

    def cfloat(self):
        return self.to(_dtype.complex64)

    def cdouble(self):
        return self.to(_dtype.complex128)

    def type_as(self, other):
        return self.to(other.dtype)

    # ----- new_* constructors -----------------------------------------------------------
    def new_tensor(self, data, dtype=None, requires_grad=False):
        from ._creation import tensor
        return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, requires_grad=False):
        from ._creation import zeros
        return zeros(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, requires_grad=False):
        from ._creation import ones
        return ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, requires_grad=False):
        from ._creation import empty
        return empty(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, requires_grad=False):
        from ._creation import full
        return full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)


def _node_hook(node, output_nr, hook):
    if node.hooks is None:
        node.hooks = {}
        node._fast = False
    lst = node.hooks.setdefault(output_nr, [])
    lst.append(hook)
    return lst


def _wrap_dim(dim, ndim):
    n = ndim if ndim else 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim


_new = object.__new__


def _new_tensor(data, cls=Tensor):
    """Wrap an ndarray without copying (the fast constructor every op uses)."""
    t = _new(cls)
    t._data = data
    t._rg = False
    t._grad = None
    t.grad_fn = None
    t._version = [0]
    return t


def _rebuild(data, requires_grad):
    t = _new_tensor(data)
    t._rg = requires_grad
    return t


class _LegacyMeta(type):
    """``isinstance(t, ember.FloatTensor)`` is true for every float32 tensor, as in PyTorch."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._data.dtype == cls._legacy_dtype.np


def _legacy(name, dt):
    cls = _LegacyMeta(name, (Tensor,), {"__slots__": (), "_legacy_dtype": dt,
                                        "__doc__": f"Legacy constructor for {dt!r} tensors."})
    return cls


FloatTensor = _legacy("FloatTensor", _dtype.float32)
DoubleTensor = _legacy("DoubleTensor", _dtype.float64)
HalfTensor = _legacy("HalfTensor", _dtype.float16)
LongTensor = _legacy("LongTensor", _dtype.int64)
IntTensor = _legacy("IntTensor", _dtype.int32)
ShortTensor = _legacy("ShortTensor", _dtype.int16)
CharTensor = _legacy("CharTensor", _dtype.int8)
ByteTensor = _legacy("ByteTensor", _dtype.uint8)
BoolTensor = _legacy("BoolTensor", _dtype.bool)
