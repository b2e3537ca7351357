"""Optimizer base: parameter groups with per-group options, zero_grad, state_dict, hooks.

Subclasses implement ``step`` with in-place NumPy kernels on flat views of each parameter
(``Optimizer._apply`` runs a kernel over cache-sized chunks with reusable scratch buffers).
The state layout, the messages and the state_dict format follow ``torch.optim.Optimizer``.
"""
import copy
import functools
import warnings
from collections import OrderedDict, defaultdict
from itertools import chain

import numpy as np

__all__ = ["Optimizer", "required", "register_optimizer_step_pre_hook",
           "register_optimizer_step_post_hook"]

# elements per kernel call: the 4-6 arrays of one chunk stay in L2 cache across the passes
_CHUNK = 1 << 16


class _Required:
    """Singleton for a hyperparameter a param group must give (``lr=required``)."""

    def __repr__(self):
        return "<required parameter>"


required = _Required()


class _RemovableHandle:
    """Returned by the ``register_*_hook`` methods; ``remove()`` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks_dict):
        self._hooks_ref = hooks_dict
        self.id = _RemovableHandle._next_id
        _RemovableHandle._next_id += 1

    def remove(self):
        self._hooks_ref.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


_global_optimizer_pre_hooks = OrderedDict()
_global_optimizer_post_hooks = OrderedDict()


def register_optimizer_step_pre_hook(hook):
    """Call ``hook(optimizer, args, kwargs)`` before every optimizer's ``step``."""
    handle = _RemovableHandle(_global_optimizer_pre_hooks)
    _global_optimizer_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook):
    """Call ``hook(optimizer, args, kwargs)`` after every optimizer's ``step``."""
    handle = _RemovableHandle(_global_optimizer_post_hooks)
    _global_optimizer_post_hooks[handle.id] = hook
    return handle


def _typename(obj):
    from ..tensor import Tensor
    if isinstance(obj, Tensor):
        return obj.type()
    t = type(obj)
    module = t.__module__
    if module in ("builtins", "__builtin__", None):
        return t.__qualname__
    return module + "." + t.__qualname__


def _scalar_dtype():
    """dtype of the "step" counters: float64 under a float64 default, else float32."""
    from .._dtype import get_default_dtype
    return np.float64 if get_default_dtype().np == np.float64 else np.float32


def _num(x):
    """A hyperparameter as a Python float (tensors of one element are accepted)."""
    return float(x)


def _use_grad(step):
    """Run ``step`` with grad mode off (its closure turns it back on)."""
    from ..autograd.grad_mode import no_grad
    return no_grad()(step)


def _eval_closure(closure):
    """Evaluate a step's closure (if any) with grad mode on; returns its loss."""
    if closure is None:
        return None
    from ..autograd import grad_mode
    with grad_mode.enable_grad():
        return closure()


class Optimizer:
    """Base of all optimizers: ``param_groups`` (dicts with "params" and their options),
    ``defaults`` and per-parameter ``state``."""

    def __init__(self, params, defaults):
        from ..tensor import Tensor
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        self._patch_step_function()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # ----- pickling -----------------------------------------------------------------------
    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self._patch_step_function()
        self.defaults.setdefault("differentiable", False)
        for group in self.param_groups:
            for k, v in self.defaults.items():
                if v is not required:
                    group.setdefault(k, v)
            self._fix_group(group)
            for p in group["params"]:
                st = self.state.get(p)
                if st:
                    self._fix_state(st)

    def _fix_group(self, group):
        """Hook for subclasses: normalise a (loaded) param group."""

    def _fix_state(self, st):
        """Turn number-valued step counters of an old state into 0-d tensors, as PyTorch."""
        from ..tensor import Tensor, _new_tensor
        for key in ("step", "mu_product"):
            v = st.get(key)
            if v is not None and not isinstance(v, Tensor):
                st[key] = _new_tensor(np.array(float(v), dtype=_scalar_dtype()))

    def __repr__(self):
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += "\n"
            s += f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        s += ")"
        return s

    # ----- step hooks ---------------------------------------------------------------------
    @staticmethod
    def profile_hook_step(func):
        """Wrap ``step`` so the registered pre/post hooks run around it."""
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            self = args[0]
            if self._optimizer_step_pre_hooks or _global_optimizer_pre_hooks:
                for pre_hook in chain(_global_optimizer_pre_hooks.values(),
                                      self._optimizer_step_pre_hooks.values()):
                    result = pre_hook(self, args, kwargs)
                    if result is not None:
                        if isinstance(result, tuple) and len(result) == 2:
                            args, kwargs = result
                        else:
                            raise RuntimeError(f"{func} must return None or a tuple of "
                                               f"(new_args, new_kwargs), but got {result}.")
            out = func(*args, **kwargs)
            if self._optimizer_step_post_hooks or _global_optimizer_post_hooks:
                for post_hook in chain(self._optimizer_step_post_hooks.values(),
                                       _global_optimizer_post_hooks.values()):
                    post_hook(self, args, kwargs)
            return out
        return wrapper

    def _patch_step_function(self):
        cls = self.__class__
        if not getattr(cls.step, "hooked", None):
            cls.step = self.profile_hook_step(cls.step)
            cls.step.hooked = True

    def register_step_pre_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` runs before ``step``; it may return new
        ``(args, kwargs)``."""
        handle = _RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` runs after ``step``."""
        handle = _RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    def _register(self, hooks, hook, prepend):
        handle = _RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_state_dict_pre_hook(self, hook, prepend=False):
        return self._register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        return self._register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        return self._register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        return self._register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ----- param groups -------------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with "params" and optional options) that
        trains with its own options, e.g. when unfreezing layers during fine-tuning."""
        from ..tensor import Tensor
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered "
                            "collections, but the ordering of tensors in sets will change "
                            "between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)
        tensors, names = [], []
        for p in param_group["params"]:
            if isinstance(p, tuple):
                names.append(p[0])
                tensors.append(p[1])
            else:
                tensors.append(p)
        param_group["params"] = tensors
        if names:
            if len(names) == len(tensors):
                param_group["param_names"] = names
            else:
                raise ValueError("all optimizer params should be with/without names. Some "
                                 "param names are missing")
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params "
                                "is " + _typename(p))
            if not self.defaults.get("differentiable", None) and not (
                    p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        if len({id(p) for p in tensors}) != len(tensors):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                txt = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {txt} to the optimizer")
        if any(id(p) in seen for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of every parameter: to None (the default, as PyTorch 2.x), or
        to zeros in place with ``set_to_none=False``."""
        if set_to_none:
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.grad = None
            return
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is not None:
                    g.grad_fn = None
                    g._rg = False
                    g._data.fill(0)
                    g._version[0] += 1

    def step(self, closure=None):
        """Update every parameter that has a gradient; subclasses implement it."""
        raise NotImplementedError

    # ----- state_dict ---------------------------------------------------------------------
    def state_dict(self):
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}``: the
        layout of ``torch.optim.Optimizer.state_dict`` (state holds references, not copies)."""
        from ..tensor import Tensor
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        mapping = {}
        start = 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                mapping.setdefault(id(p), i)
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v
                 for k, v in self.state.items()}
        sd = {"state": state, "param_groups": groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            r = post_hook(self, sd)
            if r is not None:
                sd = r
        return sd

    @staticmethod
    def _cast_state_value(param, value, key):
        """A copy of one saved state value for ``param``: arrays/tensors become ember tensors,
        floating ones in the parameter's dtype ("step" keeps its own dtype, as PyTorch)."""
        from ..tensor import Tensor, _new_tensor
        if isinstance(value, Tensor):
            arr = value._data
        elif isinstance(value, np.ndarray):
            arr = value
        elif isinstance(value, dict):
            return {k: Optimizer._cast_state_value(param, v, k) for k, v in value.items()}
        elif isinstance(value, (list, tuple)):
            return type(value)(Optimizer._cast_state_value(param, v, None) for v in value)
        else:
            return value
        pdt = param._data.dtype
        dtype = pdt if key != "step" and pdt.kind in "fc" and arr.dtype.kind in "fc" \
            else arr.dtype
        return _new_tensor(np.array(arr, dtype=dtype, order="C", copy=True))

    def load_state_dict(self, state_dict):
        """Load a state from ``state_dict()`` (of ember or of PyTorch with its tensors turned
        into arrays); the state is copied, parameters are matched by position."""
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            r = pre_hook(self, state_dict)
            if r is not None:
                state_dict = r
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't "
                             "match the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))
        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            key = int(k) if isinstance(k, (str, np.integer)) and str(k).isdigit() else k
            if key in id_map:
                param = id_map[key]
                state[param] = {sk: self._cast_state_value(param, sv, sk)
                                for sk, sv in v.items()}
            else:
                state[k] = v
        new_groups = []
        for g, ng in zip(groups, saved_groups):
            ng["params"] = g["params"]
            if "param_names" in g and "param_names" not in ng:
                ng["param_names"] = g["param_names"]
            new_groups.append(ng)
        self.__setstate__({"state": state, "param_groups": new_groups})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    # ----- helpers for the update kernels ------------------------------------------------
    def _zeros(self, p, fill=0.0):
        """A state tensor shaped like ``p`` (C-contiguous, so flat views write through)."""
        from ..tensor import _new_tensor
        if fill == 0:
            return _new_tensor(np.zeros(p._data.shape, p._data.dtype))
        return _new_tensor(np.full(p._data.shape, fill, p._data.dtype))

    @staticmethod
    def _counter(value=0.0):
        """A 0-d step counter as PyTorch keeps it (float32, or float64 by default dtype)."""
        from ..tensor import _new_tensor
        return _new_tensor(np.array(value, dtype=_scalar_dtype()))

    def _scratch(self, dtype, k, n):
        """``k`` reusable 1-D temporaries of length >= n (n <= _CHUNK) for ``dtype``."""
        pool = self.__dict__.get("_scratch_pool")
        if pool is None:
            pool = self._scratch_pool = {}
        bufs = pool.get(dtype)
        if bufs is None or len(bufs) < k or bufs[0].size < n:
            size = max(n, bufs[0].size if bufs else 0)
            bufs = pool[dtype] = [np.empty(size, dtype) for _ in range(max(k, len(bufs or ())))]
        return bufs

    def _apply(self, kernel, p, arrays, ntmp, args):
        """Run ``kernel(param, *arrays, *temporaries, args)`` in place on flat views, over
        cache-sized chunks; then bump the parameter's version counter.

        ``arrays`` are the gradient (read only) and the state arrays (updated in place);
        complex arrays are processed as real pairs.
        """
        pd = p._data
        back = []                        # (array, contiguous copy) pairs to write back
        pf = _flat(pd, back)
        flats = [arrays[0].reshape(-1)] + [_flat(a, back) for a in arrays[1:]]
        if pf.dtype.kind == "c":
            pf = pf.view(pf.real.dtype)
            flats = [a.view(a.real.dtype) for a in flats]
        n = pf.size
        if n <= _CHUNK:
            tmps = self._scratch(pf.dtype, ntmp, n)
            kernel(pf, *flats, *[t[:n] for t in tmps[:ntmp]], args)
        else:
            tmps = self._scratch(pf.dtype, ntmp, _CHUNK)[:ntmp]
            for i in range(0, n, _CHUNK):
                j = min(i + _CHUNK, n)
                m = j - i
                kernel(pf[i:j], *[a[i:j] for a in flats], *[t[:m] for t in tmps], args)
        for a, c in back:
            a[...] = c
        p._version[0] += 1


def _flat(a, back):
    """A flat view of ``a`` that writes through: for a non-contiguous array, a contiguous copy
    recorded in ``back`` to be copied back after the update."""
    if a.flags.c_contiguous:
        return a.reshape(-1)
    c = np.ascontiguousarray(a)
    back.append((a, c))
    return c.reshape(-1)


def _grad(p, g, t, wd, maximize):
    """The gradient an update uses: ``(-g if maximize else g) + wd * p`` (in ``t`` if it
    has to be computed)."""
    if wd:
        np.multiply(p, wd, out=t)
        if maximize:
            t -= g
        else:
            t += g
        return t
    if maximize:
        return np.negative(g, out=t)
    return g


def _lerp_(m, g, w, t):
    """``m.lerp_(g, w)`` as PyTorch computes it (two formulas for small and large w)."""
    np.subtract(g, m, out=t)
    if abs(w) < 0.5:
        t *= w
        m += t
    else:
        t *= 1.0 - w
        np.subtract(g, t, out=m)


def _check_nonneg(value, what):
    if not 0.0 <= value:
        raise ValueError(f"Invalid {what}: {value}")


def _check_lr(lr):
    from ..tensor import Tensor
    v = lr
    if isinstance(lr, Tensor):
        if lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        v = lr.item()
    if not 0.0 <= v:
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_betas(betas):
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
