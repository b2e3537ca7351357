"""Function: an op's forward and backward on raw arrays, and the graph node it records.

Calling ``SomeOp.apply(*args)`` unwraps tensors to arrays, runs ``forward``, wraps the result,
and — only when grad mode is on and an input requires grad — records a node (the ``ctx``) whose
class is named after the op (``MulBackward0``) and whose ``backward`` the engine calls later.
"""
import itertools

import numpy as np
from numpy import ndarray, asarray as _asarray

from .._dtype import result_type, get_default_dtype, _FROM_NP
from . import grad_mode

__all__ = ["Function", "Node", "AccumulateGrad", "CustomFunction", "FunctionCtx"]

_enabled = grad_mode._enabled
_seq = itertools.count()   # creation order of graph nodes: the engine's topological order
_FREED = object()


class Node:
    """A recorded op: the ``ctx`` of its forward, and a graph node for backward.

    ``next`` holds one edge per forward argument: ``None`` or ``(node, output_nr, shape, dtype)``
    of the tensor that argument came from.
    """

    __slots__ = ("next", "saved", "needs_input_grad", "seq", "_vcheck", "__dict__",
                 "__weakref__")
    _fn = None
    _n_outputs = 1      # rarely-set attributes live in __dict__, read through these defaults
    hooks = None
    _nondiff = None
    _user = False
    _fast = True        # single output, array Function, no hooks: the engine's short path

    def save_for_backward(self, *arrays):
        self.saved = arrays

    @property
    def saved_arrays(self):
        s = self.saved
        if s is _FREED:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or if "
                "you need to access saved tensors after calling backward.")
        if self._vcheck is not None:
            for vc, ver, arr in self._vcheck:
                if vc[0] != ver:
                    t = f"ember.{_FROM_NP[arr.dtype]._tensor_type} {list(arr.shape)}"
                    raise RuntimeError(
                        "one of the variables needed for gradient computation has been modified "
                        f"by an inplace operation: [{t}], which is output 0 of "
                        f"{type(self).__name__}, is at version {vc[0]}; expected version {ver} "
                        "instead. Hint: the backtrace further above can show the operation that "
                        "failed to compute its gradient.")
        return s

    def mark_non_differentiable(self, *arrays):
        self._nondiff = arrays

    @property
    def next_functions(self):
        return tuple((None, 0) if e is None else (e[0], e[1]) for e in self.next)

    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def register_hook(self, hook):
        """Hook on this node's output gradients (PyTorch's Node.register_prehook)."""
        if self.hooks is None:
            self.hooks = {}
            self._fast = False
        self.hooks.setdefault(0, []).append(hook)

    def __call__(self, *grads):
        return self._fn.backward(self, *grads)


class AccumulateGrad(Node):
    """Graph sink for a leaf tensor: adds the incoming gradient to ``leaf.grad``."""

    __slots__ = ("variable",)
    _fast = False

    def __init__(self, variable):
        self.variable = variable
        self.next = ()
        self.saved = ()
        self._vcheck = None
        self.seq = next(_seq)


class _NoCtx:
    """The ctx forward gets when nothing is recorded: saves are dropped."""

    class _AllFalse:
        def __getitem__(self, i):
            return False

        def __iter__(self):
            return iter(())

    needs_input_grad = _AllFalse()

    def save_for_backward(self, *arrays):
        pass

    def mark_non_differentiable(self, *arrays):
        pass


class Function:
    """Base of every differentiable op. Subclasses define static ``forward(ctx, *args)`` on
    arrays (tensor arguments arrive as arrays, others as given) and ``backward(ctx, grad)``
    returning one gradient (or None) per forward argument. The engine un-broadcasts and casts
    each gradient to its input's shape and dtype.

    Class attributes: ``node_name`` (default ``<Name>Backward0``), ``is_view`` (output shares
    memory and version counter with the first input).
    """

    is_view = False
    promote = False       # cast array arguments to PyTorch's result type before forward
    _node_cls = Node

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        name = cls.__dict__.get("node_name") or cls.__name__ + "Backward0"
        cls._node_cls = type(name, (Node,), {"__slots__": (), "_fn": cls})

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args):
        # one pass over the arguments: arrays for forward, and graph edges for backward
        arrays = []
        edges = []
        needs = []
        record = False
        for a in args:
            if isinstance(a, Tensor):
                d = a._data
                arrays.append(d)
                if a._base is not None and a._view_rebases != a._base._rebases:
                    _refresh_view(a)     # its base was written in place after it was made
                if a._rg:
                    record = True
                    fn = a.grad_fn
                    if fn is None:
                        fn = a._grad_accumulator()
                    edges.append((fn, a._output_nr, d.shape, d.dtype))
                    needs.append(True)
                    continue
            else:
                arrays.append(a)
            edges.append(None)
            needs.append(False)
        p = cls.promote
        if p:
            a0 = arrays[0]
            n = len(arrays)
            if not (type(a0) is ndarray and (p is True or a0.dtype.kind in "fc")
                    and (n == 1 or n == 2 and type(arrays[1]) is ndarray
                         and arrays[1].dtype is a0.dtype)):
                arrays = _promote(arrays, args, p)
        if not record or not _enabled[0]:
            out = cls.forward(_NOCTX, *arrays)
            if type(out) is tuple:
                return tuple(_wrap_out(o, cls, args) for o in out)
            if type(out) is not ndarray:
                out = _asarray(out)
            t = _new_tensor(out)
            if cls.is_view:
                _share_view(t, args[0])
            return t

        node = cls._node_cls()
        node.saved = ()
        node._vcheck = None
        node.next = edges
        node.needs_input_grad = needs
        node.seq = next(_seq)   # after the edges: a leaf's AccumulateGrad made above is older
        out = cls.forward(node, *arrays)
        if type(out) is tuple:
            res = tuple(_wrap_out(o, cls, args, node, i) for i, o in enumerate(out))
            node._n_outputs = len(out)
            node._fast = False
            if node.saved:
                _record_versions(node, args, res)
            return res
        if type(out) is not ndarray:
            out = _asarray(out)
        res = _new_tensor(out)
        if out.dtype.kind in "fc" and node._nondiff is None:
            res._rg = True
            res.grad_fn = node
        if cls.is_view:
            _share_view(res, args[0])
        saved = node.saved
        if saved:   # remember versions of saved tensors (in-place changes are caught later);
            # _record_versions inlined for the single-output case: calling it costs ~3% on
            # the op-overhead benchmark
            checks = None
            for t in args:
                if isinstance(t, Tensor):
                    d = t._data
                    for s in saved:
                        if s is d:
                            if checks is None:
                                checks = []
                            checks.append((t._version, t._version[0], d))
                            break
            for s in saved:
                if s is out:
                    if checks is None:
                        checks = []
                    checks.append((res._version, res._version[0], out))
                    break
            node._vcheck = checks
        return res


_SCALARS = (int, float, bool, complex)
_SCALAR_CAT = {bool: 0, int: 1, float: 2, complex: 3}
_CAT = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def _promote(arrays, args, mode=True):
    """Cast array arguments to the PyTorch result type of all tensor and scalar arguments.

    The common case — every array of one dtype and no scalar of a higher category — returns at
    once. Gradients are cast back to each input's dtype by the engine. ``mode="float"`` also
    lifts integer and bool results to the default float dtype (exp, sqrt, true division ...).
    """
    if mode == "float":
        arrays = _promote(arrays, args)
        for a in arrays:
            if type(a) is np.ndarray:
                if a.dtype.kind in "biu":
                    f = get_default_dtype().np
                    return [x.astype(f) if type(x) is np.ndarray else x for x in arrays]
                break
        return arrays
    dt = None
    same = True
    top = -1
    for a in arrays:
        if type(a) is np.ndarray:
            if dt is None:
                dt = a.dtype
            elif a.dtype != dt:
                same = False
        else:
            c = _SCALAR_CAT.get(type(a))
            if c is None:
                if isinstance(a, np.generic):   # NumPy scalars promote like Python scalars
                    return _promote(*_py_scalars(arrays, args), mode)
                if not isinstance(a, _SCALARS):
                    continue
                c = 0 if isinstance(a, bool) else 1 if isinstance(a, int) else \
                    2 if isinstance(a, float) else 3
            if c > top:
                top = c
    if dt is None:
        return arrays
    if same and top <= _CAT[dt.kind]:
        return _wrap_ints(arrays, dt) if top == 1 and dt in _INT_RANGE else arrays
    target = result_type(*(a for a in args if isinstance(a, (Tensor, *_SCALARS)))).np
    arrays = [a.astype(target) if type(a) is np.ndarray and a.dtype != target else a
              for a in arrays]
    return _wrap_ints(arrays, target) if top == 1 and target in _INT_RANGE else arrays


# integer dtypes narrower than a Python int's int64 home (int64 overflow raises, as in torch)
_INT_RANGE = {np.dtype(t): (int(np.iinfo(t).min), int(np.iinfo(t).max))
              for t in (np.uint8, np.int8, np.int16, np.int32)}


def _py_scalars(arrays, args):
    conv = [a.item() if isinstance(a, np.generic) else a for a in arrays]
    return conv, [a.item() if isinstance(a, np.generic) else a for a in args]


def _wrap_ints(arrays, dt):
    """Python ints outside an integer dtype's range wrap around as in PyTorch (NumPy 2 would
    raise OverflowError): ``uint8_tensor + 300`` adds 44."""
    lo, hi = _INT_RANGE[dt]
    out = None
    for i, a in enumerate(arrays):
        if type(a) is int and not lo <= a <= hi:
            if out is None:
                out = list(arrays)
            out[i] = np.array(a).astype(dt)[()]
    return arrays if out is None else out


def _record_versions(node, args, outs):
    """Remember the version of every tensor whose array was saved, to catch later in-place
    changes (PyTorch's "modified by an inplace operation" error)."""
    checks = None
    saved = node.saved
    for t in args:
        if isinstance(t, Tensor):
            d = t._data
            for s in saved:
                if s is d:
                    if checks is None:
                        checks = []
                    checks.append((t._version, t._version[0], d))
                    break
    for t in outs:
        d = t._data
        for s in saved:
            if s is d:
                if checks is None:
                    checks = []
                checks.append((t._version, t._version[0], d))
                break
    node._vcheck = checks


def _refresh_view(view):
    from ..ops._copy_slices import refresh_view
    refresh_view(view)


def _share_view(t, src):
    t._version = src._version
    b = t._base = src if src._base is None else src._base
    if b._rebases:
        t._view_rebases = b._rebases
    if src._rg and not _enabled[0]:
        t._nograd_view = True


def _wrap_out(o, cls, args, node=None, i=0):
    if type(o) is not np.ndarray:
        o = np.asarray(o)
    t = _new_tensor(o)
    if node is not None and (node._nondiff is None or not any(o is a for a in node._nondiff)) \
            and o.dtype.kind in "fc":
        t._rg = True
        t.grad_fn = node
        t._output_nr = i
    if cls.is_view:
        _share_view(t, args[0])
    return t


_NOCTX = _NoCtx()


class FunctionCtx(Node):
    """ctx of a user-defined CustomFunction: saves tensors, as torch.autograd.function."""

    __slots__ = ()

    def save_for_backward(self, *tensors):
        self.saved = tuple(t._data if isinstance(t, Tensor) else t for t in tensors)
        self.__dict__["_saved_is_tensor"] = tuple(isinstance(t, Tensor) for t in tensors)
        checks = [(t._version, t._version[0], t._data) for t in tensors
                  if isinstance(t, Tensor)]
        self._vcheck = checks or None

    def mark_dirty(self, *tensors):
        """Declare inputs that forward modified in place: they become its outputs."""
        self.__dict__["_dirty"] = tensors

    def mark_non_differentiable(self, *tensors):
        """Declare outputs that never require grad (indices, masks)."""
        self.__dict__["_nondiff_ids"] = {id(t) for t in tensors}

    def set_materialize_grads(self, value):
        """With False, backward receives None (not zeros) for outputs that got no gradient."""
        self.__dict__["_materialize"] = bool(value)

    @property
    def saved_tensors(self):
        arrays = self.saved_arrays
        flags = self.__dict__.get("_saved_is_tensor", ())
        return tuple(_new_tensor(a) if f else a for a, f in zip(arrays, flags))


class CustomFunction(Function):
    """``ember.autograd.Function``: user-defined ops whose forward and backward take and return
    Tensors, as in PyTorch (``ctx.save_for_backward``, ``ctx.saved_tensors``, ``apply``)."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode "
                                  "AD.")

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        name = cls.__dict__.get("node_name") or cls.__name__ + "Backward"
        cls._node_cls = type(name, (FunctionCtx,), {"__slots__": (), "_fn": cls,
                                                    "_user": True, "_fast": False})

    @classmethod
    def apply(cls, *args):
        return _UserBridge.apply_user(cls, args)


class _UserBridge:
    @staticmethod
    def apply_user(cls, args):
        from ..ops._copy_slices import refresh_if_stale, after_inplace
        for a in args:
            if isinstance(a, Tensor):
                refresh_if_stale(a)
        record = _enabled[0] and any(isinstance(a, Tensor) and a._rg for a in args)
        if not record:
            ctx = cls._node_cls()
            ctx.saved = ()
            ctx._vcheck = None
            ctx.needs_input_grad = tuple(False for _ in args)
            with grad_mode.no_grad():
                return cls.forward(ctx, *args)
        node = cls._node_cls()
        node.saved = ()
        node._vcheck = None
        edges, needs = [], []
        for a in args:
            if isinstance(a, Tensor) and a._rg:
                fn = a.grad_fn if a.grad_fn is not None else a._grad_accumulator()
                edges.append((fn, a._output_nr, a._data.shape, a._data.dtype))
                needs.append(True)
            else:
                edges.append(None)
                needs.append(False)
        node.next = edges
        node.needs_input_grad = tuple(needs)
        node.seq = next(_seq)
        with grad_mode.no_grad():
            out = cls.forward(node, *args)
        outs = out if type(out) is tuple else (out,)
        info = node.__dict__
        dirty = {id(t) for t in info.get("_dirty", ())}
        nondiff = info.get("_nondiff_ids", ())
        res = []
        meta = []
        rebased = []
        for i, o in enumerate(outs):
            if isinstance(o, Tensor):
                if id(o) in dirty:   # modified in place: the input itself is the output
                    if o.grad_fn is None and o._rg:
                        raise RuntimeError("a leaf Variable that requires grad is being used in "
                                           "an in-place operation.")
                    t = o
                    rebased.append((o, o.grad_fn, o._output_nr))
                else:
                    t = _new_tensor(o._data)
                    t._version = o._version   # saved outputs see later in-place changes
                if o._data.dtype.kind in "fc" and id(o) not in nondiff:
                    t._rg = True
                    t.grad_fn = node
                    t._output_nr = i
                res.append(t)
                meta.append((o._data.shape, o._data.dtype))
            else:
                res.append(o)
                meta.append(None)
        for t, old_node, old_nr in rebased:     # tensors the Function marked dirty
            if t.grad_fn is node:
                after_inplace(t, t, old_node, old_nr)
        node._n_outputs = len(outs)
        info["_user_outputs"] = len(outs)
        info["_out_meta"] = meta
        return tuple(res) if type(out) is tuple else res[0]


def _user_backward(node, grads):
    """Call a CustomFunction's backward with Tensors and unwrap what it returns.

    Outputs that got no gradient arrive as zeros unless ``ctx.set_materialize_grads(False)``;
    each returned gradient must have its input's shape or one that sums down to it."""
    info = node.__dict__
    if info.get("_materialize", True) and any(g is None for g in grads):
        meta = info.get("_out_meta") or ()
        grads = [np.zeros(m[0], m[1]) if g is None and m is not None else g
                 for g, m in zip(grads, meta)] if meta else grads
    gts = [None if g is None else _new_tensor(g) for g in grads]
    with grad_mode.no_grad():
        r = node._fn.backward(node, *gts)
    if type(r) is not tuple:
        r = (r,)
    if len(r) != len(node.next):
        raise RuntimeError(f"function {type(node).__name__} returned an incorrect number of "
                           f"gradients (expected {len(node.next)}, got {len(r)})")
    out = []
    for i, (g, e) in enumerate(zip(r, node.next)):
        if isinstance(g, Tensor):
            g = g._data
        if e is not None and type(g) is ndarray and g.shape != e[2]:
            try:
                ok = np.broadcast_shapes(g.shape, e[2]) == g.shape
            except ValueError:
                ok = False
            if not ok:
                raise RuntimeError(f"Function {type(node).__name__} returned an invalid gradient "
                                   f"at index {i} - got {list(g.shape)} but expected shape "
                                   f"compatible with {list(e[2])}")
        out.append(g)
    return tuple(out)


from ..tensor import Tensor, _new_tensor  # noqa: E402  (tensor.py imports this module lazily)
