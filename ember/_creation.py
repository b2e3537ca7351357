"""Tensor creation: ``tensor``, ``from_numpy``, ``zeros``, ``arange``, ``rand`` and friends."""
import builtins
import math
import warnings

import numpy as np

from . import _dtype
from ._dtype import to_dtype, get_default_dtype
from .random import _rng
from .tensor import Tensor, _new_tensor

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "full", "empty",
           "zeros_like", "ones_like", "full_like", "empty_like", "rand_like", "randn_like",
           "randint_like", "eye", "arange", "range", "linspace", "logspace", "rand", "randn",
           "randint", "randperm", "normal", "bernoulli", "multinomial", "scalar_tensor",
           "complex", "polar"]


def _infer(data):
    """PyTorch's dtype for Python data: bool, int -> int64, float -> default, complex."""
    if isinstance(data, Tensor):
        return data.dtype
    if isinstance(data, np.ndarray):
        return _dtype.from_numpy_dtype(data.dtype)
    if isinstance(data, np.generic):
        return _dtype.from_numpy_dtype(data.dtype)
    if isinstance(data, (builtins.bool,)):
        return _dtype.bool
    if isinstance(data, int):
        return _dtype.int64
    if isinstance(data, float):
        return get_default_dtype()
    if isinstance(data, builtins.complex):
        return _dtype.complex64 if get_default_dtype() is not _dtype.float64 else _dtype.complex128
    if isinstance(data, (list, tuple)):
        best = None
        for x in data:
            d = _infer(x)
            best = d if best is None else _dtype.promote_types(best, d)
        return best if best is not None else get_default_dtype()
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def _to_array(data, dt):
    if isinstance(data, Tensor):
        return np.array(data._data, dtype=dt.np)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in data):
        data = [_to_array(x, dt) if isinstance(x, (Tensor, list, tuple)) else x for x in data]
    return np.array(data, dtype=dt.np)


def _finish(t, requires_grad):
    if requires_grad:
        t.requires_grad = True
    return t


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (nested lists, arrays, scalars, tensors)."""
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.clone().detach() or sourceTensor.clone().detach()."
                      "requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    dt = to_dtype(dtype) if dtype is not None else _infer(data)
    return _finish(_new_tensor(_to_array(data, dt)), requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a NumPy array or tensor when the dtype allows."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray):
        dt = _dtype.from_numpy_dtype(data.dtype) if dtype is None else to_dtype(dtype)
        return _new_tensor(data if data.dtype == dt.np else data.astype(dt.np))
    return tensor(data, dtype=dtype)


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray`` (writes show through both ways)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    return _new_tensor(ndarray)


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    try:
        return tuple(int(s) for s in size)
    except TypeError:
        raise TypeError(f"size must be a sequence of ints, got {size!r}") from None


def _dt(dtype):
    return get_default_dtype() if dtype is None else to_dtype(dtype)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _finish(_new_tensor(np.zeros(_size(size), _dt(dtype).np)), requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _finish(_new_tensor(np.ones(_size(size), _dt(dtype).np)), requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          memory_format=None, pin_memory=False):
    return _finish(_new_tensor(np.empty(_size(size), _dt(dtype).np)), requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value``; the dtype follows the value's type."""
    dt = to_dtype(dtype) if dtype is not None else _infer(fill_value)
    return _finish(_new_tensor(np.full(_size((size,)) if not isinstance(size, int) else (size,),
                                       fill_value, dt.np)), requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    return _finish(_new_tensor(np.array(s, _dt(dtype).np)), requires_grad)


def _like(fn):
    def like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
             memory_format=None):
        dt = input.dtype if dtype is None else to_dtype(dtype)
        return _finish(_new_tensor(fn(input._data.shape, dt.np)), requires_grad)
    return like


zeros_like = _like(np.zeros)
ones_like = _like(np.ones)
empty_like = _like(np.empty)
zeros_like.__name__, ones_like.__name__, empty_like.__name__ = "zeros_like", "ones_like", \
    "empty_like"


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    dt = input.dtype if dtype is None else to_dtype(dtype)
    return _finish(_new_tensor(np.full(input._data.shape, fill_value, dt.np)), requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _finish(_new_tensor(np.eye(n, n if m is None else m, dtype=_dt(dtype).np)),
                   requires_grad)


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Values from start (default 0) to end, exclusive; int64 unless a bound is a float."""
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        dt = get_default_dtype() if any(isinstance(v, float) for v in vals) else _dtype.int64
    else:
        dt = to_dtype(dtype)
    s, e, st = vals
    n = max(0, math.ceil((e - s) / st))
    data = (s + np.arange(n, dtype=np.float64) * st) if dt.is_floating_point \
        else np.arange(s, e, st)
    return _finish(_new_tensor(data.astype(dt.np)), requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated inclusive arange (float by default), kept for old code."""
    warnings.warn("torch.range is deprecated and will be removed in a future release because "
                  "its behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    return _finish(_new_tensor((start + np.arange(n) * step).astype(_dt(dtype).np)),
                   requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``steps`` evenly spaced values from start to end inclusive (as PyTorch computes them:
    the first half counted from start, the second half from end)."""
    dt = _dt(dtype)
    steps = int(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    if steps == 1:
        data = np.array([start], dtype=np.float64)
    else:
        i = np.arange(steps, dtype=np.float64)
        step = (end - start) / (steps - 1)
        half = steps // 2
        data = np.where(i < half, start + step * i, end - step * (steps - 1 - i))
    if not dt.is_floating_point and not dt.is_complex:
        data = np.trunc(data)
    return _finish(_new_tensor(data.astype(dt.np)), requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``base ** linspace(start, end, steps)``."""
    dt = _dt(dtype)
    exps = linspace(start, end, steps, dtype=_dtype.float64)._data
    return _finish(_new_tensor(np.power(base, exps).astype(dt.np)), requires_grad)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False):
    """Uniform samples on [0, 1)."""
    dt = _dt(dtype)
    data = _rng(generator).random(_size(size), dtype=np.float64 if dt is _dtype.float64
                                  else np.float32)
    return _finish(_new_tensor(data.astype(dt.np, copy=False)), requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False):
    """Standard normal samples."""
    dt = _dt(dtype)
    data = _rng(generator).standard_normal(_size(size), dtype=np.float64 if dt is _dtype.float64
                                           else np.float32)
    return _finish(_new_tensor(data.astype(dt.np, copy=False)), requires_grad)


def rand_like(input, *, dtype=None, requires_grad=False, **kw):
    return rand(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, requires_grad=False, **kw):
    return randn(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False):
    """Integers uniform on [low, high); ``randint(high, size)`` or ``randint(low, high, size)``."""
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint() missing required argument 'size'")
        low, high, size = 0, low, high
    dt = _dtype.int64 if dtype is None else to_dtype(dtype)
    data = _rng(generator).integers(low, high, size=tuple(size))
    return _finish(_new_tensor(data.astype(dt.np)), requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, **kw):
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """A random permutation of 0..n-1 (int64)."""
    dt = _dtype.int64 if dtype is None else to_dtype(dtype)
    return _new_tensor(_rng(generator).permutation(n).astype(dt.np))


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None,
           layout=None, device=None, requires_grad=False):
    """Normal samples: tensor or float mean/std (broadcast), or floats with ``size``."""
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    if isinstance(s, np.ndarray) and (s < 0).any() or not isinstance(s, np.ndarray) and s < 0:
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if size is None:
        if not isinstance(m, np.ndarray) and not isinstance(s, np.ndarray):
            raise TypeError("normal() with float mean and std needs a size")
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        dt = (mean if isinstance(mean, Tensor) else std).dtype
    else:
        shape = _size((size,)) if not isinstance(size, int) else (size,)
        dt = _dt(dtype)
    data = m + s * _rng(generator).standard_normal(shape)
    return _finish(_new_tensor(np.asarray(data).astype(dt.np)), requires_grad)


def bernoulli(input, p=None, *, generator=None, out=None):
    """Draw 0/1 with probability ``input`` (or ``p``) per element."""
    prob = input._data if p is None else np.full(input._data.shape, p)
    draw = _rng(generator).random(prob.shape) < prob
    return _new_tensor(draw.astype(input._data.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Sample category indices from (rows of) non-negative weights."""
    w = np.asarray(input._data, dtype=np.float64)
    rows = w.reshape(-1, w.shape[-1])
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    rng = _rng(generator)
    out = np.stack([rng.choice(r.size, num_samples, replace=replacement, p=r / r.sum())
                    for r in rows])
    return _new_tensor(out.reshape(*w.shape[:-1], num_samples).astype(np.int64))


def complex(real, imag, *, out=None):
    """A complex tensor from real and imaginary parts."""
    return _new_tensor(real._data + 1j * imag._data.astype(real._data.dtype)
                       if real._data.dtype == np.float64 else
                       (real._data + 1j * imag._data).astype(np.complex64))


def polar(abs, angle, *, out=None):
    z = abs._data * np.exp(1j * angle._data)
    return _new_tensor(z.astype(np.complex128 if abs._data.dtype == np.float64
                                else np.complex64))
