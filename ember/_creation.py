"""Tensor creation: ``tensor``, ``from_numpy``, ``zeros``, ``arange``, ``rand`` and friends.

Ranges (``arange``, ``linspace``, ``logspace``) are computed the way PyTorch's CPU kernels
compute them, so float32 results match torch's bit for bit.
"""
import builtins
import functools
import math
import operator
import warnings
from collections.abc import Sequence

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

_PYSCALARS = (builtins.bool, int, float, builtins.complex)


def _fma(a, b, c):
    """``a * b + c`` with one rounding, as the fused multiply-adds in PyTorch's range kernels:
    the product is split exactly (Dekker's two-product), the sum carries its rounding error
    (two-sum), and both corrections are added back at the end. Float64 arrays in and out."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    p = a * b
    ca, cb = 134217729.0 * a, 134217729.0 * b          # Veltkamp split at 2**27 + 1
    ah = ca - (ca - a)
    bh = cb - (cb - b)
    al, bl = a - ah, b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl   # p + e == a * b exactly
    s = p + c
    v = s - p
    r = (p - (s - v)) + (c - v)                          # s + r == p + c exactly
    return s + (r + e)


# ----------------------------------------------------------------------------- helpers

def _finish(t, requires_grad):
    if requires_grad:
        if t._data.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        t._rg = True
    return t


def _size(size, name="size"):
    """A shape tuple from ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` or ``f(ember.Size(...))``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    for s in size:
        if type(s) is not int:
            return _size_slow(size, name)
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
    return tuple(size)


def _size_slow(size, name):
    out = []
    for i, s in enumerate(size):
        if isinstance(s, Tensor) and s._data.ndim:
            raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, "
                            "not Tensor")
        try:
            n = operator.index(s)
        except TypeError:
            raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, but "
                            f"found element of type {type(s).__name__} at pos {i}") from None
        out.append(n)
    if any(n < 0 for n in out):
        neg = next(n for n in out if n < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {neg}: {out}")
    return tuple(out)


def _dt(dtype):
    return get_default_dtype() if dtype is None else to_dtype(dtype)


def _scalar(v):
    """A Python number from a number, a NumPy scalar or a one-element tensor."""
    if isinstance(v, Tensor):
        return v.item()
    if isinstance(v, np.generic):
        return v.item()
    return v


def _torch_name(dt):
    """PyTorch's short type name used in kernel errors (Long, Int, Bool ...)."""
    return dt._tensor_type[:-len("Tensor")] or "Float"


def _into(out, name, fn, args, kw):
    """The ``out=`` form: compute (in out's dtype unless one is given) and write into ``out``,
    resizing it when the shapes differ."""
    if "dtype" in kw and kw["dtype"] is None:
        kw["dtype"] = out.dtype
    from .ops._registry import _write_out
    return _write_out(out, fn(*args, **kw), name)


# ----------------------------------------------------------------------------- from data

def _infer(data):
    """PyTorch's dtype for Python data: bool, int -> int64, float -> default, complex;
    NumPy arrays, NumPy scalars and tensors keep their own dtype."""
    if isinstance(data, Tensor):
        return _dtype._FROM_NP[data._data.dtype]
    if isinstance(data, (np.ndarray, np.generic)):
        return _dtype.from_numpy_dtype(data.dtype)
    if isinstance(data, builtins.bool):
        return _dtype.bool
    if isinstance(data, int):
        return _dtype.int64
    if isinstance(data, float):
        return get_default_dtype()
    if isinstance(data, builtins.complex):
        return _dtype._default_complex()
    if isinstance(data, (list, tuple)):
        best = None
        for x in data:
            d = _infer(x)
            best = d if best is None else _dtype.promote_types(best, d)
        return best if best is not None else get_default_dtype()
    if isinstance(data, (str, bytes)):
        raise ValueError(f"too many dimensions '{type(data).__name__}'")
    raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")


def _first_leaf(data):
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return data


_KIND_DTYPE = {"b": _dtype.bool, "i": _dtype.int64, "u": _dtype.int64}


def _from_sequence(data, dtype):
    """An ndarray from nested Python sequences, with PyTorch's dtype inference."""
    leaf = _first_leaf(data)
    if dtype is None and (type(leaf) in _PYSCALARS or isinstance(data, (list, tuple)) and
                          not data):
        # plain Python numbers: let NumPy build the array, then map its kind (fast path)
        try:
            arr = np.array(data)
        except (ValueError, TypeError, RuntimeError):
            arr = None
            _check_ragged(data)
        if arr is not None and arr.dtype.kind in "biufc" and arr.dtype != np.uint64:
            k = arr.dtype.kind
            dt = _KIND_DTYPE.get(k) or (get_default_dtype() if k == "f"
                                        else _dtype._default_complex())
            if arr.size == 0 and k == "f":
                dt = get_default_dtype()
            return arr.astype(dt.np, copy=False)
    dt = to_dtype(dtype) if dtype is not None else _infer(data)
    if any(isinstance(x, Tensor) for x in _walk_leaves(data)):
        data = _tensors_to_scalars(data)
    if dtype is not None and dt.np.kind in "iu":
        return _cast_checked(data, dt)
    try:
        if dtype is not None and dt.np.kind == "f" and dt.np.itemsize < 8:
            with np.errstate(over="ignore"):    # too large for float16/32: inf, as torch
                return np.array(data, dtype=dt.np)
        return np.array(data, dtype=dt.np)
    except OverflowError:
        raise ValueError("Overflow when unpacking long long") from None
    except ValueError:
        _check_ragged(data)
        raise


def _cast_checked(data, dt):
    """Python numbers to an integer dtype as PyTorch converts them: values the type can't hold
    raise, except that unsigned types wrap negatives down to -max (``uint8``: -1 -> 255)."""
    try:
        raw = np.array(data)
    except ValueError:
        _check_ragged(data)
        raise
    if raw.dtype.kind in "iufO" and raw.size:
        info = np.iinfo(dt.np)
        lo = -int(info.max) if info.min == 0 else int(info.min)
        try:
            bad = bool((raw < lo).any() or (raw > int(info.max)).any())
        except TypeError:
            bad = False
        if bad:
            raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow")
        if raw.dtype.kind == "O":
            raw = raw.astype(np.int64)
    return raw.astype(dt.np)


def _walk_leaves(data):
    if isinstance(data, (list, tuple)):
        for x in data:
            yield from _walk_leaves(x)
    else:
        yield data


def _tensors_to_scalars(data):
    if isinstance(data, (list, tuple)):
        return [_tensors_to_scalars(x) for x in data]
    if isinstance(data, Tensor):
        if data._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return data._data.reshape(())
    return data


def _check_ragged(data, dim=0):
    """Raise PyTorch's message for a list whose rows differ in length."""
    if not isinstance(data, (list, tuple)) or not data:
        return
    first = data[0]
    n = len(first) if isinstance(first, (list, tuple)) else None
    for x in data:
        m = len(x) if isinstance(x, (list, tuple)) else None
        if m != n:
            raise ValueError(f"expected sequence of length {n} at dim {dim + 1} (got {m})")
    for x in data:
        _check_ragged(x, dim + 1)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (nested lists, arrays, scalars, tensors).

    Inferred dtypes follow PyTorch: Python floats give float32 (the default dtype), ints
    int64, bools bool; NumPy arrays and tensors keep their dtype.
    """
    if not isinstance(data, (Tensor, np.ndarray, np.generic, list, tuple, str, bytes)) and (
            hasattr(data, "__array__") or hasattr(data, "__array_interface__")):
        # an array-like such as a pandas Series: its values as an ndarray, or as a list when
        # they are Python objects (then inferred item by item, as from a list)
        data = np.asarray(data)
        if data.dtype == object:
            data = data.tolist()
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                      "requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
        dt = data.dtype if dtype is None else to_dtype(dtype)
        arr = np.array(data._data, dtype=dt.np)
    elif isinstance(data, np.ndarray):
        dt = _dtype.from_numpy_dtype(data.dtype) if dtype is None else to_dtype(dtype)
        arr = np.array(data, dtype=dt.np)
    elif isinstance(data, (list, tuple)):
        arr = _from_sequence(data, dtype)
    elif isinstance(data, _PYSCALARS) or isinstance(data, np.generic):
        dt = _infer(data) if dtype is None else to_dtype(dtype)
        if dtype is not None and dt.np.kind in "iu" and not isinstance(data, np.generic):
            arr = _cast_checked(data, dt)
        else:
            try:
                arr = np.array(data, dtype=dt.np)
            except OverflowError:
                raise ValueError("Overflow when unpacking long long") from None
    elif isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        arr = _from_sequence(list(data), dtype)
    elif isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    else:
        _infer(data)   # raises PyTorch's error for None and other objects
        raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")
    return _finish(_new_tensor(arr), requires_grad)


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


# ----------------------------------------------------------------------------- filled

def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """A tensor of zeros (default dtype float32)."""
    if out is not None:
        return _into(out, "zeros", zeros, size, {"dtype": dtype})
    try:
        shape = _size(size, "zeros")
    except RuntimeError:
        raise RuntimeError("zeros: Dimension size must be non-negative.") from None
    return _finish(_new_tensor(np.zeros(shape, _dt(dtype).np)), requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """A tensor of ones (default dtype float32)."""
    if out is not None:
        return _into(out, "ones", ones, size, {"dtype": dtype})
    return _finish(_new_tensor(np.ones(_size(size, "ones"), _dt(dtype).np)), requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          memory_format=None, pin_memory=False):
    """An uninitialised tensor (its values are whatever memory held)."""
    if out is not None:
        return _into(out, "empty", empty, size, {"dtype": dtype})
    return _finish(_new_tensor(np.empty(_size(size, "empty"), _dt(dtype).np)), requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value``; the dtype follows the value's type
    (float -> float32, int -> int64, bool -> bool) unless given."""
    if out is not None:
        return _into(out, "full", full, (size, fill_value), {"dtype": dtype})
    fill_value = _scalar(fill_value) if isinstance(fill_value, Tensor) else fill_value
    dt = to_dtype(dtype) if dtype is not None else _infer(fill_value)
    shape = (operator.index(size),) if not isinstance(size, (tuple, list)) else \
        _size((size,), "full")
    return _finish(_new_tensor(np.full(shape, fill_value, dt.np)), requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    """A 0-d tensor holding ``s`` (default dtype float32)."""
    return _finish(_new_tensor(np.array(s, _dt(dtype).np)), requires_grad)


def _like(fn, name):
    def like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
             memory_format=None):
        dt = input._data.dtype if dtype is None else to_dtype(dtype).np
        return _finish(_new_tensor(fn(input._data.shape, dt)), requires_grad)
    like.__name__ = like.__qualname__ = name
    like.__doc__ = f"``{name[:-5]}`` with the shape (and by default the dtype) of ``input``."
    return like


zeros_like = _like(np.zeros, "zeros_like")
ones_like = _like(np.ones, "ones_like")
empty_like = _like(np.empty, "empty_like")


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """``full`` with the shape and (by default) the dtype of ``input``."""
    dt = input._data.dtype if dtype is None else to_dtype(dtype).np
    return _finish(_new_tensor(np.full(input._data.shape, _scalar(fill_value), dt)),
                   requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The n x m identity matrix (m defaults to n)."""
    if out is not None:
        return _into(out, "eye", eye, (n, m), {"dtype": dtype})
    n = operator.index(n)
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    m = n if m is None else operator.index(m)
    if m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    return _finish(_new_tensor(np.eye(n, m, dtype=_dt(dtype).np)), requires_grad)


# ----------------------------------------------------------------------------- ranges

def _simd_ramp(start, step, n, width, base_dtype):
    """``start + step * i`` for i < n as PyTorch's vectorised CPU kernel computes it: blocks of
    ``width`` lanes start from ``start + step * k`` rounded to ``base_dtype``, then add
    ``step * lane`` in double precision; the tail (under two blocks) goes element by element.
    Each step is a fused multiply-add, as in the kernel."""
    i = np.arange(n, dtype=np.float64)
    vals = _fma(step, i, start)
    nvec = (n // (2 * width)) * 2 * width
    if nvec:
        iv = i[:nvec]
        lane = iv % width
        base = _fma(step, iv - lane, start).astype(base_dtype).astype(np.float64)
        vals[:nvec] = _fma(step, lane, base)
    return vals


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Values from start (default 0) to end, exclusive, ``step`` apart; int64 when all bounds
    are integers, else the default float dtype. Computed as PyTorch's CPU kernel does."""
    if out is not None:
        return _into(out, "arange", arange, (start, end, step), {"dtype": dtype})
    if end is None:
        start, end = 0, start
    start, end, step = _scalar(start), _scalar(end), _scalar(step)
    if dtype is None:
        dt = get_default_dtype() if any(isinstance(v, float) for v in (start, end, step)) \
            else _dtype.int64
    else:
        dt = to_dtype(dtype)
    fs, fe, fst = builtins.float(start), builtins.float(end), builtins.float(step)
    if not (math.isfinite(fs) and math.isfinite(fe)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if fst == 0:
        raise RuntimeError("step must be nonzero")
    if not ((fst > 0 and fe >= fs) or (fst < 0 and fe <= fs)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dt.is_floating_point or dt.is_complex:
        n = math.ceil((fe - fs) / fst)
        if dt is _dtype.float64:
            data = _simd_ramp(fs, fst, n, 4, np.float64)
        else:
            data = _simd_ramp(fs, fst, n, 8, np.float32).astype(dt.np)
    else:
        xs, xe, xst = builtins.int(start), builtins.int(end), builtins.int(step)
        if dt is _dtype.int64:
            if xst == 0:
                raise ValueError("step must be nonzero")
            sgn = (xst > 0) - (xst < 0)
            num = xe - xs + xst - sgn
            n = builtins.abs(num) // builtins.abs(xst) * (1 if (num >= 0) == (xst > 0) else -1)
        else:   # other integer types size the range in double precision, as torch
            n = math.ceil((fe - fs) / fst)
        n = max(n, 0)
        data = (xs + xst * np.arange(n, dtype=np.int64)).astype(dt.np)
    return _finish(_new_tensor(data), requires_grad)


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


def _steps(steps):
    if isinstance(steps, Tensor) or not isinstance(steps, (int, np.integer)) or \
            isinstance(steps, builtins.bool):
        raise TypeError(f"linspace(): argument 'steps' must be int, not "
                        f"{type(steps).__name__}")
    steps = int(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return steps


def _halfway_ramp(start, end, step, steps, fused=True):
    """PyTorch's symmetric ramp: the first half counted up from start, the second half down
    from end, each value one (by default fused) multiply-add in double precision."""
    i = np.arange(steps, dtype=np.float64)
    half = steps // 2
    if fused:
        lo = _fma(step, i, builtins.float(start))
        hi = _fma(-builtins.float(step), steps - 1 - i, builtins.float(end))
    else:
        lo = builtins.float(start) + builtins.float(step) * i
        hi = builtins.float(end) - builtins.float(step) * (steps - 1 - i)
    return np.where(i < half, lo, hi)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``steps`` evenly spaced values from start to end inclusive, computed as PyTorch does
    (in the output dtype, the first half from start and the second half from end)."""
    if out is not None:
        return _into(out, "linspace", linspace, (start, end, steps), {"dtype": dtype})
    dt = _dt(dtype)
    steps = _steps(steps)
    start, end = _scalar(start), _scalar(end)
    if dt.is_complex:
        data = np.linspace(start, end, steps).astype(dt.np)
    elif steps == 0:
        data = np.empty(0, dt.np)
    elif steps == 1:
        data = np.array([start]).astype(dt.np)
    elif dt.is_floating_point:
        s, e = dt.np.type(start), dt.np.type(end)
        step = dt.np.type((e - s) / dt.np.type(steps - 1))
        data = _halfway_ramp(s, e, step, steps).astype(dt.np)
    else:   # integer outputs step in double and truncate
        s, e = int(start), int(end)
        step = (builtins.float(e) - builtins.float(s)) / (steps - 1)
        data = np.trunc(_halfway_ramp(s, e, step, steps)).astype(dt.np)
    return _finish(_new_tensor(data), requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``base ** linspace(start, end, steps)``, computed in double precision as PyTorch."""
    if out is not None:
        return _into(out, "logspace", logspace, (start, end, steps, base),
                     {"dtype": dtype})
    dt = _dt(dtype)
    steps = _steps(steps)
    start, end = _scalar(start), _scalar(end)
    if dt.is_complex:
        data = np.power(base, np.linspace(start, end, steps)).astype(dt.np)
    elif steps == 0:
        data = np.empty(0, dt.np)
    elif steps == 1:
        data = np.array([math.pow(base, start)]).astype(dt.np)
    else:
        if dt.is_floating_point:
            s, e = dt.np.type(start), dt.np.type(end)
            b = builtins.float(base)
        else:
            s, e = int(start), int(end)
            b = builtins.float(np.float32(base))
        step = builtins.float(dt.np.type(e - s)) / (steps - 1)
        data = np.power(b, _halfway_ramp(builtins.float(s), builtins.float(e), step, steps,
                                         fused=False))
        data = data.astype(dt.np)
    return _finish(_new_tensor(data), requires_grad)


# ----------------------------------------------------------------------------- sampling

def _float_dtype(dtype, name, complex_ok=False):
    dt = _dt(dtype)
    if not (dt.is_floating_point or complex_ok and dt.is_complex):
        raise NotImplementedError(f'"{name}" not implemented for \'{_torch_name(dt)}\'')
    return dt


def _uniform(rng, shape, dt):
    if dt is _dtype.float64:
        return rng.random(shape)
    return rng.random(shape, dtype=np.float32).astype(dt.np, copy=False)


def _standard_normal(rng, shape, dt):
    if dt.is_complex:
        real = dt.to_real().np
        z = rng.standard_normal((2,) + tuple(shape), dtype=real) * real.type(math.sqrt(0.5))
        return (z[0] + 1j * z[1]).astype(dt.np)
    if dt is _dtype.float64:
        return rng.standard_normal(shape)
    return rng.standard_normal(shape, dtype=np.float32).astype(dt.np, copy=False)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """Uniform samples on [0, 1)."""
    if out is not None:
        return _into(out, "rand", rand, size, {"dtype": dtype, "generator": generator})
    dt = _float_dtype(dtype, "check_uniform_bounds", complex_ok=True)
    shape = _size(size, "rand")
    if dt.is_complex:
        real = dt.to_real()
        r = _uniform(_rng(generator), (2,) + shape, real)
        data = (r[0] + 1j * r[1]).astype(dt.np)
    else:
        data = _uniform(_rng(generator), shape, dt)
    return _finish(_new_tensor(data), requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    """Standard normal samples (complex dtypes: unit variance split over both parts)."""
    if out is not None:
        return _into(out, "randn", randn, size, {"dtype": dtype, "generator": generator})
    dt = _float_dtype(dtype, "normal_kernel_cpu", complex_ok=True)
    return _finish(_new_tensor(_standard_normal(_rng(generator), _size(size, "randn"), dt)),
                   requires_grad)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, generator=None):
    """``rand`` with the shape and (by default) dtype of ``input``."""
    return rand(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad,
                generator=generator)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None, generator=None):
    """``randn`` with the shape and (by default) dtype of ``input``."""
    return randn(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad,
                 generator=generator)


def _randint_args(low, high, size):
    if isinstance(size, int) or isinstance(size, Tensor) and size._data.ndim == 0:
        raise TypeError("randint(): argument 'size' must be tuple of ints, not int")
    for name, v in (("low", low), ("high", high)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, builtins.bool):
            raise TypeError(f"randint(): argument '{name}' must be int, not "
                            f"{type(v).__name__}")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False):
    """Integers uniform on [low, high): ``randint(high, size)`` or ``randint(low, high, size)``
    (int64 unless ``dtype`` says otherwise)."""
    if out is not None:
        return _into(out, "randint", randint, (low, high, size),
                     {"dtype": dtype, "generator": generator})
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint() missing required argument 'size'")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    low, high = _scalar(low), _scalar(high)
    _randint_args(low, high, size)
    dt = _dtype.int64 if dtype is None else to_dtype(dtype)
    data = _rng(generator).integers(low, high, size=_size((size,), "randint"), dtype=np.int64)
    return _finish(_new_tensor(data.astype(dt.np, copy=False)), requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None, generator=None):
    """``randint`` with the shape and (by default) dtype of ``input``."""
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input._data.shape), dtype=dtype or input.dtype,
                   requires_grad=requires_grad, generator=generator)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """A random permutation of 0..n-1 (int64)."""
    if out is not None:
        return _into(out, "randperm", randperm, (n,), {"dtype": dtype, "generator": generator})
    n = operator.index(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dt = _dtype.int64 if dtype is None else to_dtype(dtype)
    return _finish(_new_tensor(_rng(generator).permutation(n).astype(dt.np)), requires_grad)


def _no_grad_sample(name, inputs, data):
    """Wrap sampled ``data``; if an input requires grad, record a node whose gradient is zero
    (PyTorch's samplers do not reparametrise)."""
    from .autograd import grad_mode
    if grad_mode._enabled[0] and any(isinstance(t, Tensor) and t._rg for t in inputs):
        return _SAMPLERS[name].apply(data, *inputs)
    return _new_tensor(data)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None,
           layout=None, device=None, requires_grad=False):
    """Normal samples: tensor or float mean/std (broadcast together), or floats and ``size``."""
    if out is not None:
        return _into(out, "normal", normal, (mean, std, size),
                     {"dtype": dtype, "generator": generator})
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if st:
        if std._data.size and (std._data < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    rng = _rng(generator)
    if not mt and not st:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments: with float "
                            "mean and std, give a size (normal(mean, std, size))")
        dt = _float_dtype(dtype, "normal_kernel_cpu")
        shape = _size((size,), "normal") if not isinstance(size, int) else (size,)
        data = _standard_normal(rng, shape, dt)
        data = (data * dt.np.type(std) + dt.np.type(mean)).astype(dt.np, copy=False)
        return _finish(_new_tensor(data), requires_grad)
    m = mean._data if mt else mean
    s = std._data if st else std
    dt = _dtype.result_type(*(t for t in (mean, std) if isinstance(t, Tensor)))
    if not dt.is_floating_point:
        raise NotImplementedError(f'"normal_kernel_cpu" not implemented for '
                                  f"'{_torch_name(dt)}'")
    try:
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({np.shape(m)}) must match the size of tensor "
                           f"b ({np.shape(s)})") from None
    z = _standard_normal(rng, shape, dt)
    data = (np.asarray(m, dt.np) + np.asarray(s, dt.np) * z).astype(dt.np, copy=False)
    name = "NormalBackward3" if mt and st else "NormalBackward1" if mt else "NormalBackward2"
    return _no_grad_sample(name, [t for t in (mean, std) if isinstance(t, Tensor)], data)


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 draws with probability ``input`` (or the scalar ``p``) per element, in input's
    dtype."""
    if out is not None:
        return _into(out, "bernoulli", bernoulli, (input, p), {"generator": generator})
    d = input._data
    if d.dtype.kind not in "f":
        raise NotImplementedError(f'"bernoulli_tensor_cpu_p_" not implemented for '
                                  f"'{_torch_name(input.dtype)}'")
    prob = d if p is None else np.asarray(p)
    if prob.size and not ((prob >= 0) & (prob <= 1)).all():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    u = _uniform(_rng(generator), d.shape, _dtype.float64 if d.dtype == np.float64
                 else _dtype.float32)
    data = (u < prob).astype(d.dtype)
    return _no_grad_sample("BernoulliBackward0", [input], data)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Draw category indices from (each row of) non-negative weights: int64, shape
    ``(num_samples,)`` or ``(rows, num_samples)``."""
    if out is not None:
        return _into(out, "multinomial", multinomial, (input, num_samples, replacement),
                     {"generator": generator})
    w = input._data
    if w.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if w.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_torch_name(input.dtype)}")
    n = operator.index(num_samples)
    if n <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    k = w.shape[-1]
    if not replacement and n > k:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    rows = np.asarray(w, dtype=np.float64).reshape(-1, k)
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    total = rows.sum(axis=1, keepdims=True)
    if (total <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _rng(generator)
    r = rows.shape[0]
    if replacement:
        # inverse CDF for all rows in one search: row j's CDF is shifted to [j, j + 1]
        cdf = np.cumsum(rows, axis=1)
        cdf /= cdf[:, -1:]          # trailing entries become exactly 1
        offs = np.arange(r)[:, None]
        flat = (cdf + offs).ravel()
        u = rng.random((r, n)) + offs
        idx = np.searchsorted(flat, u.ravel(), side="right").reshape(r, n) - offs * k
        out = np.minimum(idx, k - 1)
    else:
        # PyTorch's exponential race: the n largest p / q with q ~ Exp(1); zero weights last
        keys = rows / rng.standard_exponential((r, k))
        if n == 1:
            out = keys.argmax(axis=1)[:, None]
        else:
            out = np.argsort(-keys, axis=1, kind="stable")[:, :n]
    out = out.astype(np.int64)
    return _new_tensor(out.reshape(n) if w.ndim == 1 else out)


def complex(real, imag, *, out=None):
    """A complex tensor from real and imaginary parts."""
    if out is not None:
        return _into(out, "complex", complex, (real, imag), {})
    return _new_tensor(real._data + 1j * imag._data.astype(real._data.dtype)
                       if real._data.dtype == np.float64 else
                       (real._data + 1j * imag._data).astype(np.complex64))


def polar(abs, angle, *, out=None):
    """A complex tensor ``abs * exp(i * angle)``."""
    if out is not None:
        return _into(out, "polar", polar, (abs, angle), {})
    z = abs._data * np.exp(1j * angle._data)
    return _new_tensor(z.astype(np.complex128 if abs._data.dtype == np.float64
                                else np.complex64))


# ----------------------------------------------------------------------------- in-place fills

def _fill_sampled(self, values, node_name):
    """Write sampled ``values`` into ``self`` as an in-place op: the version counter moves, a
    leaf that requires grad is refused while grad mode is on, and a non-leaf gets a node
    whose gradient is zero (the old values no longer matter)."""
    from .autograd import grad_mode
    if grad_mode._enabled[0] and self._rg:
        from .ops._registry import commit_inplace
        values = np.asarray(values).astype(self._data.dtype, copy=False)
        return commit_inplace(self, _SAMPLERS[node_name].apply(values, self), node_name)
    np.copyto(self._data, values, casting="unsafe")
    self._version[0] += 1
    return self


def _out_dtype(self):
    d = _dtype._FROM_NP[self._data.dtype]
    return d if d.is_floating_point else _dtype.float64


def uniform_(self, from_=0, to=1, *, generator=None, **kw):
    """Fill with samples uniform on [from, to)."""
    from_ = kw.pop("from", from_)
    dt = _out_dtype(self)
    u = _uniform(_rng(generator), self._data.shape, dt)
    return _fill_sampled(self, from_ + (to - from_) * u, "UniformBackward0")


def normal_(self, mean=0, std=1, *, generator=None):
    """Fill with normal samples of the given mean and std."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    z = _standard_normal(_rng(generator), self._data.shape, _out_dtype(self))
    return _fill_sampled(self, mean + std * z, "NormalBackward0")


def random_(self, *args, generator=None, **kw):
    """Fill with integers uniform on [from, to): ``random_(to)``, ``random_(from, to)``, or with
    no bound the whole range the dtype represents exactly."""
    if len(args) == 2:
        from_, to = args
    elif len(args) == 1:
        from_, to = (kw.pop("from"), args[0]) if "from" in kw else (0, args[0])
    else:
        from_, to = kw.pop("from", 0), kw.pop("to", None)
    if to is None:
        d = self._data.dtype
        to = (2 ** (np.finfo(d).nmant + 1) + 1 if d.kind == "f" else
              2 if d.kind == "b" else int(np.iinfo(d).max) + 1)
    if from_ >= to:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={from_} "
                           f">= to={to}")
    vals = _rng(generator).integers(from_, to - 1, size=self._data.shape, dtype=np.int64,
                                    endpoint=True)
    return _fill_sampled(self, vals, "RandomBackward2")


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with samples from Exp(lambd)."""
    return _fill_sampled(self, _rng(generator).standard_exponential(self._data.shape) / lambd,
                         "ExponentialBackward0")


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1 draws that are 1 with probability ``p`` (a float or a tensor)."""
    prob = p._data if isinstance(p, Tensor) else np.asarray(p)
    if prob.size and not ((prob >= 0) & (prob <= 1)).all():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    draw = _rng(generator).random(self._data.shape) < prob
    return _fill_sampled(self, draw, "BernoulliBackward2")


def geometric_(self, p, *, generator=None):
    """Fill with the number of Bernoulli(p) trials up to the first success (1, 2, ...)."""
    return _fill_sampled(self, _rng(generator).geometric(p, self._data.shape),
                         "GeometricBackward0")


def cauchy_(self, median=0, sigma=1, *, generator=None):
    """Fill with Cauchy(median, sigma) samples."""
    return _fill_sampled(self, median + sigma * _rng(generator).standard_cauchy(
        self._data.shape), "CauchyBackward0")


def log_normal_(self, mean=1, std=2, *, generator=None):
    """Fill with exp(N(mean, std)) samples."""
    return _fill_sampled(self, _rng(generator).lognormal(mean, std, self._data.shape),
                         "LogNormalBackward0")


def _tensor_bernoulli(self, p=None, *, generator=None):
    if p is not None:
        return bernoulli(self, p, generator=generator)
    return bernoulli(self, generator=generator)


def _tensor_multinomial(self, num_samples, replacement=False, *, generator=None):
    return multinomial(self, num_samples, replacement, generator=generator)


for _f in (uniform_, normal_, random_, exponential_, bernoulli_, geometric_, cauchy_,
           log_normal_):
    setattr(Tensor, _f.__name__, _f)
Tensor.bernoulli = _tensor_bernoulli
Tensor.multinomial = _tensor_multinomial
del _f


def _make_samplers():
    """Graph nodes for sampling ops: gradient zero for every tensor input (as PyTorch)."""
    from .autograd.function import Function
    from .backend import xp

    class _Sampled(Function):
        @staticmethod
        def forward(ctx, data, *inputs):
            return data

        @staticmethod
        def backward(ctx, g):
            return (None,) + tuple(xp.zeros_like(g) if need else None
                                   for need in ctx.needs_input_grad[1:])

    names = ("NormalBackward1", "NormalBackward2", "NormalBackward3", "BernoulliBackward0",
             "UniformBackward0", "NormalBackward0", "RandomBackward2", "ExponentialBackward0",
             "BernoulliBackward2", "GeometricBackward0", "CauchyBackward0",
             "LogNormalBackward0")
    return {n: type(n[:-len("Backward0")], (_Sampled,), {"node_name": n}) for n in names}


class _LazySamplers(dict):
    def __missing__(self, key):
        self.update(_make_samplers())
        return dict.__getitem__(self, key)


_SAMPLERS = _LazySamplers()


def _checks_device(fn):
    """``device=`` is accepted by every creation function; anything but the CPU is an error,
    never silently ignored."""
    @functools.wraps(fn)
    def checked(*args, **kwargs):
        if kwargs.get("device") is not None:
            from .backend.device import check_device
            check_device(kwargs["device"])
        return fn(*args, **kwargs)
    return checked


def _wrap_device_checks(namespace):
    for name in __all__:
        fn = namespace[name]
        code = fn.__code__
        if "device" in code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]:
            namespace[name] = _checks_device(fn)


_wrap_device_checks(globals())

