"""ember dtypes (ember.float32 ... ember.bool) and PyTorch's type-promotion rules."""
import numpy as np

__all__ = ["dtype", "result_type", "promote_types", "get_default_dtype", "set_default_dtype"]


class dtype:
    """A tensor element type; wraps a NumPy dtype and prints as ``ember.float32``."""

    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_complex", "is_signed",
                 "_cat", "_rank", "_tensor_type")

    def __init__(self, name, npdt, cat, rank, tensor_type):
        self.name = name
        self.np = np.dtype(npdt)
        self.itemsize = self.np.itemsize
        self.is_floating_point = cat == 2
        self.is_complex = cat == 3
        self.is_signed = name not in ("uint8", "bool")
        self._cat = cat          # 0 bool, 1 integer, 2 floating, 3 complex
        self._rank = rank
        self._tensor_type = tensor_type

    def __repr__(self):
        return "ember." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_real(self):
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    def to_complex(self):
        return {"float64": complex128, "float16": complex64}.get(self.name, complex64)


bool = dtype("bool", np.bool_, 0, 0, "BoolTensor")
uint8 = dtype("uint8", np.uint8, 1, 1, "ByteTensor")
int8 = dtype("int8", np.int8, 1, 2, "CharTensor")
int16 = dtype("int16", np.int16, 1, 3, "ShortTensor")
int32 = dtype("int32", np.int32, 1, 4, "IntTensor")
int64 = dtype("int64", np.int64, 1, 5, "LongTensor")
float16 = dtype("float16", np.float16, 2, 6, "HalfTensor")
float32 = dtype("float32", np.float32, 2, 7, "FloatTensor")
float64 = dtype("float64", np.float64, 2, 8, "DoubleTensor")
complex64 = dtype("complex64", np.complex64, 3, 9, "ComplexFloatTensor")
complex128 = dtype("complex128", np.complex128, 3, 10, "ComplexDoubleTensor")

half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
cfloat, cdouble = complex64, complex128

_ALL = (bool, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128)
_FROM_NP = {d.np: d for d in _ALL}
_BY_NAME = {d.name: d for d in _ALL}


def _by_name(name):
    return _BY_NAME[name]


def from_numpy_dtype(npdt):
    """The ember dtype of a NumPy dtype; a clear TypeError for unsupported ones."""
    try:
        return _FROM_NP[npdt]
    except KeyError:
        d = np.dtype(npdt)
        if d in _FROM_NP:
            return _FROM_NP[d]
        raise TypeError(f"can't convert np.ndarray of type numpy.{d.name}. The only supported "
                        "types are: float64, float32, float16, complex64, complex128, int64, "
                        "int32, int16, int8, uint8, and bool.") from None


def to_dtype(d):
    """Accept an ember dtype, a NumPy dtype/type or a Python type (float, int, bool)."""
    if type(d) is dtype:
        return d
    if d is _pyfloat:
        return float64
    if d is _pyint:
        return int64
    if d is _pybool:
        return bool
    if d is _pycomplex:
        return complex128
    if isinstance(d, str):
        name = d.replace("torch.", "").replace("ember.", "")
        alias = {"float": "float32", "double": "float64", "half": "float16", "long": "int64",
                 "int": "int32", "short": "int16", "cfloat": "complex64", "cdouble": "complex128"}
        name = alias.get(name, name)
        if name in _BY_NAME:
            return _BY_NAME[name]
        raise TypeError(f"unknown dtype {d!r}")
    return from_numpy_dtype(np.dtype(d))


import builtins as _b  # noqa: E402
_pyfloat, _pyint, _pybool, _pycomplex = _b.float, _b.int, _b.bool, _b.complex

_default = [float32]


def get_default_dtype():
    return _default[0]


def set_default_dtype(d):
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def promote_types(a, b):
    """The smallest dtype both a and b convert to, as torch.promote_types."""
    if a is b:
        return a
    if a._cat != b._cat:
        hi, lo = (a, b) if a._cat > b._cat else (b, a)
        if hi._cat == 3 and lo is float64:     # complex64 with float64 needs complex128
            return complex128
        return hi
    if a._cat == 1 and (a is uint8 or b is uint8):
        other = b if a is uint8 else a
        if other is int8:
            return int16
        return other
    return a if a._rank > b._rank else b


def _default_complex():
    return complex128 if _default[0] is float64 else complex64


def _combine(higher, lower):
    """PyTorch's combine_categories: a lower-priority kind (0-d tensors, then Python scalars)
    changes the result only when its category is higher."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher._cat == 3:
        return higher
    if lower._cat == 3:
        # keep the precision of a floating higher operand: float64 + complex -> complex128
        if higher._cat == 2:
            return complex128 if higher is float64 else complex64
        return lower
    if higher._cat == 2:
        return higher
    if higher is bool or lower._cat == 2:
        return promote_types(higher, lower)
    return higher


def result_type(*args):
    """PyTorch's result type of tensors and Python scalars.

    Dimensioned tensors decide within their category; 0-d tensors, and then Python scalars,
    count only when their category (bool < integer < floating < complex) is higher. A Python
    float counts as the default dtype (float32), so it never widens a float32 tensor.
    """
    from .tensor import Tensor
    dims = zerodims = scal = None
    for a in args:
        if isinstance(a, Tensor):
            d = _FROM_NP[a._data.dtype]
            if a._data.ndim:
                dims = d if dims is None else promote_types(dims, d)
            else:
                zerodims = d if zerodims is None else promote_types(zerodims, d)
        else:
            d = scalar_dtype(a) if not isinstance(a, dtype) else a
            scal = d if scal is None else promote_types(scal, d)
    if scal is not None:   # wrapped numbers count as the default float / complex dtype
        if scal._cat == 2:
            scal = _default[0]
        elif scal._cat == 3:
            scal = _default_complex()
    return _combine(dims, _combine(zerodims, scal))


def scalar_dtype(x):
    """dtype a Python (or NumPy) scalar takes on its own."""
    t = type(x)
    if t is _pybool or t is np.bool_:
        return bool
    if t is _pyint:
        return int64
    if t is _pyfloat:
        return _default[0]
    if t is _pycomplex:
        return complex64 if _default[0] is not float64 else complex128
    if isinstance(x, np.generic):  # NumPy scalars promote like the Python scalar of their kind
        k = x.dtype.kind
        if k == "b":
            return bool
        if k in "iu":
            return int64
        if k == "f":
            return _default[0]
        if k == "c":
            return complex64 if _default[0] is not float64 else complex128
    raise TypeError(f"unsupported scalar type {t.__name__}")
