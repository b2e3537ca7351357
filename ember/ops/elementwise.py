"""Elementwise ops: arithmetic with broadcasting, unary maths, comparisons, logic.

Each op is one Function on arrays; ``register`` gives it its function, method, operator and
in-place forms. Gradients are returned at the broadcast shape: the engine sums them back.
Gradients at kinks follow PyTorch (abs'(0) = 0, clamp passes the gradient on its closed
interval, maximum/minimum split it on ties). Comparisons, logic and bit ops return bool or
integer tensors outside the graph.
"""
import math

import numpy as np   # dtype and scalar type constants only; compute goes through ``xp``

from ..backend import xp
from ..autograd.function import Function, _promote
from .._dtype import to_dtype, _FROM_NP, float64, complex128
from ..tensor import Tensor, _new_tensor
from ._registry import register
from ._special import erf_array, erfc_array, erfinv_array, _TWO_OVER_SQRT_PI

_ndarray = np.ndarray
_NUMBERS = (int, float, bool, complex, np.generic)
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_PI = math.pi


# ----------------------------------------------------------------------------- helpers


def _tname(npdt):
    """PyTorch's scalar-type name of a NumPy dtype: 'Float', 'Long', 'Bool' ..."""
    return _FROM_NP[npdt]._tensor_type[:-6] or "Float"


def _not_implemented(kernel, npdt):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_tname(npdt)}\'')


def _need_tensor(fname, x, pos, argname):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def _shape_error(err, args):
    """Turn NumPy's broadcast ValueError into PyTorch's message (other errors pass through)."""
    if "broadcast" not in str(err):
        return err
    shapes = [tuple(a.shape) for a in args if isinstance(a, (Tensor, _ndarray))]
    if len(shapes) >= 2:
        sa, sb = shapes[0], shapes[1]
        n = max(len(sa), len(sb))
        for i in range(n - 1, -1, -1):
            ia, ib = i - n + len(sa), i - n + len(sb)
            da = sa[ia] if ia >= 0 else 1
            db = sb[ib] if ib >= 0 else 1
            if da != db and da != 1 and db != 1:
                return RuntimeError(f"The size of tensor a ({da}) must match the size of tensor "
                                    f"b ({db}) at non-singleton dimension {i}")
    return RuntimeError(str(err))


def _call(cls, *args):
    """``cls.apply(*args)`` with PyTorch's message for shapes that do not broadcast."""
    try:
        return cls.apply(*args)
    except ValueError as e:
        raise _shape_error(e, args) from None


def _kind(x):
    """NumPy kind letter of a forward argument (array or Python scalar)."""
    if type(x) is _ndarray:
        return x.dtype.kind
    return "b" if isinstance(x, (bool, np.bool_)) else "i" if isinstance(x, (int, np.integer)) \
        else "f"


def _check_int_division(a, b, kernel):
    """Integer division by zero raises (as PyTorch); bool inputs are not supported."""
    k = a.dtype.kind if type(a) is _ndarray else _kind(b)
    if k == "b":
        raise _not_implemented(kernel, np.dtype(bool))
    if k in "iu" and (xp.any(b == 0) if type(b) is _ndarray else b == 0):
        raise RuntimeError("ZeroDivisionError")


def _zeros_grad(ctx, g):
    """Backward of piecewise-constant ops (floor, sign ...): the gradient is zero."""
    z = xp.zeros_like(g)
    return (z,) + (None,) * (len(ctx.next) - 1) if len(ctx.next) > 1 else z


def _sign(a):
    """sign with sign(nan) = 0, as PyTorch ((0 < a) - (a < 0))."""
    return (a > 0).astype(a.dtype) - (a < 0)


# ----------------------------------------------------------------------------- arithmetic


class Add(Function):
    promote = True

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        if alpha != 1:
            ctx.alpha = alpha
            return a + alpha * b
        return a + b

    @staticmethod
    def backward(ctx, g):
        alpha = ctx.__dict__.get("alpha", 1)
        return g, (g if alpha == 1 else g * alpha), None


class Sub(Function):
    promote = True

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        if alpha != 1:
            ctx.alpha = alpha
            return a - alpha * b
        return a - b

    @staticmethod
    def backward(ctx, g):
        alpha = ctx.__dict__.get("alpha", 1)
        return g, -g if alpha == 1 else -alpha * g, None


class Rsub(Sub):
    """``scalar - tensor``: PyTorch records it as RsubBackward1."""
    node_name = "RsubBackward1"


class RsubTensor(Sub):
    """``rsub(tensor, tensor)``: RsubBackward0."""
    node_name = "RsubBackward0"


class Mul(Function):
    promote = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        need = ctx.needs_input_grad
        return (g * b if need[0] else None), (g * a if need[1] else None)


class Div(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        need = ctx.needs_input_grad
        ga = g / b if need[0] else None
        gb = -g * a / (b * b) if need[1] else None
        return ga, gb


class DivMode(Function):
    """Division rounded toward zero ("trunc") or down ("floor"); integers stay integer."""
    node_name = "DivBackward2"
    promote = True

    @staticmethod
    def forward(ctx, a, b, mode):
        _check_int_division(a, b, "div_trunc_cpu" if mode == "trunc" else "div_floor_cpu")
        if mode == "floor":
            return xp.floor_divide(a, b)
        if (a.dtype.kind if type(a) is _ndarray else b.dtype.kind) in "iu":
            return (a - xp.fmod(a, b)) // b     # exact: the numerator is a multiple of b
        return xp.trunc(a / b)

    @staticmethod
    def backward(ctx, g):
        z = xp.zeros_like(g)
        need = ctx.needs_input_grad
        return (z if need[0] else None), (z if need[1] else None), None


class FloorDivide(Function):
    """``//``: PyTorch defines no derivative (its node is named NotImplemented)."""
    node_name = "NotImplemented"
    promote = True

    @staticmethod
    def forward(ctx, a, b):
        _check_int_division(a, b, "div_floor_cpu")
        return xp.floor_divide(a, b)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


class Remainder(Function):
    """Python-style modulus of two tensors (RemainderBackward1)."""
    node_name = "RemainderBackward1"
    promote = True

    @staticmethod
    def forward(ctx, a, b):
        _check_int_division(a, b, "remainder_cpu")
        ctx.save_for_backward(a, b)
        return xp.remainder(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        need = ctx.needs_input_grad
        return (g if need[0] else None), (-g * xp.floor_divide(a, b) if need[1] else None)


class RemainderScalar(Remainder):
    """tensor % number (RemainderBackward0)."""
    node_name = "RemainderBackward0"


class RemainderScalarSelf(Function):
    """number % tensor: PyTorch defines no derivative."""
    node_name = "NotImplemented"
    promote = True

    @staticmethod
    def forward(ctx, a, b):
        _check_int_division(a, b, "remainder_cpu")
        return xp.remainder(a, b)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::remainder is not implemented")


class Fmod(Function):
    """C-style modulus of two tensors (FmodBackward1)."""
    node_name = "FmodBackward1"
    promote = True

    @staticmethod
    def forward(ctx, a, b):
        _check_int_division(a, b, "fmod_cpu")
        ctx.save_for_backward(a, b)
        return xp.fmod(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        need = ctx.needs_input_grad
        return (g if need[0] else None), (-g * xp.trunc(a / b) if need[1] else None)


class FmodScalar(Fmod):
    """tensor fmod number (FmodBackward0)."""
    node_name = "FmodBackward0"


def _int_pow(a, b):
    """Integer power where negative exponents give 1/a**|b| truncated (PyTorch's rule)."""
    neg = b < 0
    if not xp.any(neg):
        return xp.power(a, b)
    r = xp.power(a, xp.where(neg, 0, b))
    odd = (b % 2) != 0
    at_neg = xp.where(a == 1, 1, xp.where(a == -1, xp.where(odd, -1, 1), 0))
    return xp.where(neg, at_neg, r).astype(r.dtype, copy=False)


class Pow(Function):
    """tensor ** scalar (PowBackward0)."""
    promote = True

    @staticmethod
    def forward(ctx, a, e):
        k = a.dtype.kind
        if k in "biu":
            if k == "b":
                raise _not_implemented("pow", a.dtype)
            if e < 0:
                raise RuntimeError("Integers to negative integer powers are not allowed.")
        ctx.save_for_backward(a)
        ctx.e = e
        if e == 2:
            return a * a
        if e == 0.5 and k == "f":
            return xp.sqrt(a)
        return xp.power(a, e)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        e = ctx.e
        if e == 0:
            return xp.zeros_like(g), None
        if e == 2:
            return g * (2 * a), None
        return g * (e * xp.power(a, e - 1)), None


class PowTensor(Function):
    """tensor ** tensor (PowBackward1)."""
    node_name = "PowBackward1"
    promote = True

    @staticmethod
    def forward(ctx, a, b):
        k = a.dtype.kind if type(a) is _ndarray else b.dtype.kind
        if k == "b":
            raise _not_implemented("pow", np.dtype(bool))
        y = _int_pow(a, b) if k in "iu" else xp.power(a, b)
        if type(a) is not _ndarray and k in "fc":
            a = xp.asarray(a, dtype=y.dtype)   # keeps the backward in the tensor's dtype
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx, g):
        a, b, y = ctx.saved_arrays
        need = ctx.needs_input_grad
        ga = gb = None
        if need[0]:
            ga = xp.where(b == 0, 0.0, g * b * xp.power(a, b - 1)).astype(g.dtype, copy=False)
        if need[1]:
            gb = xp.where((a == 0) & (b >= 0), 0.0, g * y * xp.log(a)).astype(g.dtype,
                                                                                copy=False)
        return ga, gb


class RPow(PowTensor):
    """number ** tensor (PowBackward2)."""
    node_name = "PowBackward2"


@register(inplace=True, dunder="__add__", rdunder=("__radd__", True), idunder="__iadd__")
def add(input, other, *, alpha=1):
    """input + alpha * other, broadcasting."""
    try:
        if alpha == 1:
            return Add.apply(input, other)
        _check_alpha(input, other, alpha)
        return Add.apply(input, other, alpha)
    except ValueError as e:
        raise _shape_error(e, (input, other)) from None


def _check_alpha(input, other, alpha):
    if isinstance(alpha, float) and all(not isinstance(t, Tensor) or t._data.dtype.kind in "biu"
                                        for t in (input, other)):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")


def _check_bool_sub(input, other):
    a = input._data.dtype.kind == "b" if isinstance(input, Tensor) else isinstance(input, bool)
    b = other._data.dtype.kind == "b" if isinstance(other, Tensor) else isinstance(other, bool)
    if a and b:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if a or b:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


@register(inplace=True, dunder="__sub__", idunder="__isub__", aliases=("subtract",))
def sub(input, other, *, alpha=1):
    """input - alpha * other, broadcasting."""
    if isinstance(input, Tensor):
        cls = Sub
        a_bool = input._data.dtype.kind == "b"
    else:
        cls = Rsub
        a_bool = isinstance(input, bool)
    if a_bool or (other._data.dtype.kind == "b" if isinstance(other, Tensor) else
                  isinstance(other, bool)):
        _check_bool_sub(input, other)
    try:
        if alpha == 1:
            return cls.apply(input, other)
        _check_alpha(input, other, alpha)
        return cls.apply(input, other, alpha)
    except ValueError as e:
        raise _shape_error(e, (input, other)) from None


def _rsub(self, other):
    if isinstance(other, bool) or self._data.dtype.kind == "b":
        _check_bool_sub(other, self)
    return Rsub.apply(other, self)


@register(function=True, method=True)
def rsub(input, other, *, alpha=1):
    """other - alpha * input."""
    if input._data.dtype.kind == "b" or (other._data.dtype.kind == "b" if
                                         isinstance(other, Tensor) else isinstance(other, bool)):
        _check_bool_sub(other, input)
    cls = RsubTensor if isinstance(other, Tensor) else Rsub
    if alpha != 1:
        _check_alpha(input, other, alpha)
        return _call(cls, other, input, alpha)
    return _call(cls, other, input)


@register(inplace=True, dunder="__mul__", rdunder=("__rmul__", True), idunder="__imul__",
          aliases=("multiply",))
def mul(input, other):
    """input * other, broadcasting."""
    try:
        return Mul.apply(input, other)
    except ValueError as e:
        raise _shape_error(e, (input, other)) from None


@register(inplace=True, dunder="__truediv__", idunder="__itruediv__",
          aliases=("divide", "true_divide"))
def div(input, other, *, rounding_mode=None):
    """input / other; integer inputs give a float result. ``rounding_mode`` "trunc"/"floor"
    rounds the quotient (integers then stay integer) and has a zero gradient."""
    if rounding_mode is None:
        try:
            return Div.apply(input, other)
        except ValueError as e:
            raise _shape_error(e, (input, other)) from None
    if rounding_mode == "floor" or rounding_mode == "trunc":
        return _call(DivMode, input, other, rounding_mode)
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                       f"but found '{rounding_mode}'")


def _rtruediv(self, other):
    # PyTorch computes ``number / tensor`` as reciprocal(tensor) * number (MulBackward0)
    return mul(reciprocal(self), other)


@register(inplace=True, dunder="__floordiv__", idunder="__ifloordiv__")
def floor_divide(input, other):
    """Division rounded down (``//``); PyTorch gives it no derivative."""
    return _call(FloorDivide, input, other)


@register(inplace=True, dunder="__mod__", idunder="__imod__")
def remainder(input, other):
    """Python-style modulus: the result has the sign of ``other``."""
    if isinstance(other, Tensor):
        if isinstance(input, Tensor):
            return _call(Remainder, input, other)
        return RemainderScalarSelf.apply(input, other)
    return RemainderScalar.apply(input, other)


@register(inplace=True)
def fmod(input, other):
    """C-style modulus: the result has the sign of ``input``."""
    _need_tensor("fmod", input, 1, "input")
    if isinstance(other, Tensor):
        return _call(Fmod, input, other)
    return FmodScalar.apply(input, other)


@register(inplace=True, dunder="__pow__", idunder="__ipow__")
def pow(input, exponent):
    """input ** exponent (tensor or number on either side)."""
    if isinstance(exponent, Tensor):
        if isinstance(input, Tensor):
            return _call(PowTensor, input, exponent)
        return RPow.apply(input, exponent)
    return Pow.apply(input, exponent)


@register(inplace=True)
def float_power(input, exponent):
    """input ** exponent computed in double precision (the result is float64/complex128)."""
    cplx = any(isinstance(x, complex) or (isinstance(x, Tensor) and x.dtype.is_complex)
               for x in (input, exponent))
    dt = complex128 if cplx else float64
    if isinstance(input, Tensor) and input.dtype is not dt:
        input = input.to(dt)
    if isinstance(exponent, Tensor) and exponent.dtype is not dt:
        exponent = exponent.to(dt)
    elif not isinstance(input, Tensor):
        input = complex(input) if cplx else float(input)
    return pow(input, exponent)


Tensor.__rsub__ = _rsub
Tensor.__rtruediv__ = _rtruediv
Tensor.__rdiv__ = _rtruediv
Tensor.__rpow__ = lambda self, other: RPow.apply(other, self)
Tensor.__rfloordiv__ = lambda self, other: FloorDivide.apply(other, self)
Tensor.__rmod__ = lambda self, other: RemainderScalarSelf.apply(other, self)


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        if a.dtype.kind == "b":
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g


@register(inplace=True, dunder="__neg__", aliases=("negative",))
def neg(input):
    """-input."""
    return Neg.apply(input)


@register(dunder="__pos__")
def positive(input):
    """+input: the tensor itself."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


# ----------------------------------------------------------------------------- unary maths
# Float functions use ``promote = "float"``: integer and bool inputs give the default float.


class Exp(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        y = xp.exp(a)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_arrays
        return g * y


class Exp2(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        y = xp.exp2(a)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_arrays
        return g * (y * _LN2)


class Expm1(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        y = xp.expm1(a)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_arrays
        return g * (y + 1)


class Log(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.log(a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return g / a


class Log2(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.log2(a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return g / (a * _LN2)


class Log10(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.log10(a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return g / (a * _LN10)


class Log1P(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.log1p(a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return g / (a + 1)


class Sqrt(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        y = xp.sqrt(a)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_arrays
        return g / (2 * y)


class Rsqrt(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        y = 1 / xp.sqrt(a)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_arrays
        return g * (-0.5 * y * y * y)


class Reciprocal(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        y = 1 / a
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_arrays
        return -g * (y * y)


class Sin(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.sin(a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return g * xp.cos(a)


class Cos(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.cos(a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return -g * xp.sin(a)


class Tan(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        y = xp.tan(a)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_arrays
        return g * (1 + y * y)


class Asin(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.arcsin(a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return g / xp.sqrt(1 - a * a)


class Acos(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.arccos(a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return -g / xp.sqrt(1 - a * a)


class Atan(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.arctan(a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return g / (1 + a * a)


class Sinh(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.sinh(a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return g * xp.cosh(a)


class Cosh(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.cosh(a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return g * xp.sinh(a)


class Tanh(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        y = xp.tanh(a)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_arrays
        gy = g * y
        return g - gy * y     # g (1 - y^2) without a Python-scalar operand (faster on small arrays)


class Asinh(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.arcsinh(a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return g / xp.sqrt(a * a + 1)


class Acosh(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.arccosh(a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return g / xp.sqrt(a * a - 1)


class Atanh(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.arctanh(a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return g / (1 - a * a)


class Sigmoid(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        # 1 / (1 + exp(-a)) written to stay finite: exp of a non-positive number only
        e = xp.exp(-xp.abs(a))
        y = xp.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_arrays
        gy = g * y
        return gy - gy * y    # g y (1 - y), without a Python-scalar operand


class Logit(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a, eps):
        ctx.save_for_backward(a)
        ctx.eps = eps
        z = a if eps is None else xp.clip(a, eps, 1 - eps)
        return xp.log(z / (1 - z))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        eps = ctx.eps
        gi = g / (a * (1 - a))
        if eps is None:
            return xp.where((a < 0) | (a > 1), xp.nan, gi).astype(gi.dtype, copy=False), None
        return xp.where((a < eps) | (a > 1 - eps), 0, gi).astype(gi.dtype, copy=False), None


class Sinc(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        pa = _PI * a
        safe = xp.where(a == 0, 1, pa).astype(pa.dtype, copy=False)
        return xp.where(a == 0, 1, xp.sin(safe) / safe).astype(pa.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        pa = _PI * a
        zero = a == 0
        den = xp.where(zero, 1, pa * a).astype(pa.dtype, copy=False)
        d = (pa * xp.cos(pa) - xp.sin(pa)) / den
        return g * xp.where(zero, 0, d).astype(d.dtype, copy=False)


class Deg2Rad(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        return a * (_PI / 180)

    @staticmethod
    def backward(ctx, g):
        return g * (_PI / 180)


class Rad2Deg(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        return a * (180 / _PI)

    @staticmethod
    def backward(ctx, g):
        return g * (180 / _PI)


class Abs(Function):
    @staticmethod
    def forward(ctx, a):
        if a.dtype.kind == "b":
            raise _not_implemented("abs_cpu", a.dtype)
        ctx.save_for_backward(a)
        return xp.abs(a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        if a.dtype.kind == "c":   # d|z| = Re(conj(z)/|z| dz): the gradient is g * z / |z|
            m = xp.abs(a)
            return g * xp.where(m == 0, 0, a / xp.where(m == 0, 1, m))
        return g * _sign(a)


class Sign(Function):
    @staticmethod
    def forward(ctx, a):
        if a.dtype.kind == "b":
            return a.copy()
        return _sign(a)

    backward = staticmethod(_zeros_grad)


class Sgn(Sign):
    pass


class Relu(Function):
    @staticmethod
    def forward(ctx, a):
        if a.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        y = xp.maximum(a, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_arrays
        return g * (y > 0)


def _unary(cls, name, doc, aliases=()):
    """Register ``name(input)`` = ``cls.apply(input)`` with its method and in-place forms."""
    def op(input):
        return cls.apply(input)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return register(name, inplace=True, aliases=aliases)(op)


exp = _unary(Exp, "exp", "e ** input.")
exp2 = _unary(Exp2, "exp2", "2 ** input.")
expm1 = _unary(Expm1, "expm1", "exp(input) - 1, accurate near 0.")
log = _unary(Log, "log", "Natural logarithm.")
log2 = _unary(Log2, "log2", "Base-2 logarithm.")
log10 = _unary(Log10, "log10", "Base-10 logarithm.")
log1p = _unary(Log1P, "log1p", "log(1 + input), accurate near 0.")
sqrt = _unary(Sqrt, "sqrt", "Square root.")
rsqrt = _unary(Rsqrt, "rsqrt", "1 / sqrt(input).")
reciprocal = _unary(Reciprocal, "reciprocal", "1 / input (integers give a float result).")
sin = _unary(Sin, "sin", "Sine.")
cos = _unary(Cos, "cos", "Cosine.")
tan = _unary(Tan, "tan", "Tangent.")
asin = _unary(Asin, "asin", "Inverse sine.", aliases=("arcsin",))
acos = _unary(Acos, "acos", "Inverse cosine.", aliases=("arccos",))
atan = _unary(Atan, "atan", "Inverse tangent.", aliases=("arctan",))
sinh = _unary(Sinh, "sinh", "Hyperbolic sine.")
cosh = _unary(Cosh, "cosh", "Hyperbolic cosine.")
tanh = _unary(Tanh, "tanh", "Hyperbolic tangent.")
asinh = _unary(Asinh, "asinh", "Inverse hyperbolic sine.", aliases=("arcsinh",))
acosh = _unary(Acosh, "acosh", "Inverse hyperbolic cosine.", aliases=("arccosh",))
atanh = _unary(Atanh, "atanh", "Inverse hyperbolic tangent.", aliases=("arctanh",))
sigmoid = _unary(Sigmoid, "sigmoid", "1 / (1 + exp(-input)), computed without overflow.")
sinc = _unary(Sinc, "sinc", "Normalised sinc: sin(pi x) / (pi x), 1 at 0.")
deg2rad = _unary(Deg2Rad, "deg2rad", "Degrees to radians.")
rad2deg = _unary(Rad2Deg, "rad2deg", "Radians to degrees.")
sign = _unary(Sign, "sign", "-1, 0 or 1 by the sign of input (0 for NaN; bool stays bool).")
sgn = _unary(Sgn, "sgn", "sign for real tensors.")
relu = _unary(Relu, "relu", "max(input, 0).")


@register(inplace=True, dunder="__abs__", aliases=("absolute",))
def abs(input):
    """|input| (integer tensors stay integer)."""
    return Abs.apply(input)


@register(inplace=True)
def logit(input, eps=None):
    """log(p / (1 - p)); with ``eps`` the input is first clamped to [eps, 1 - eps]."""
    return Logit.apply(input, eps)


@register(inplace=True)
def square(input):
    """input ** 2 (integers stay integer, bool gives int64)."""
    return Pow.apply(input, 2)


# ----------------------------------------------------------------------------- erf family
# The kernels (SciPy when importable, else a NumPy implementation) live in ._special.

class Erf(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return erf_array(a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return g * (_TWO_OVER_SQRT_PI * xp.exp(-a * a))


class Erfc(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return erfc_array(a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return g * (-_TWO_OVER_SQRT_PI * xp.exp(-a * a))


class Erfinv(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a):
        y = erfinv_array(a)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_arrays
        return g * ((math.sqrt(_PI) / 2) * xp.exp(y * y))


erf = _unary(Erf, "erf", "Error function.")
erfc = _unary(Erfc, "erfc", "Complementary error function 1 - erf(input), accurate in the tail.")
erfinv = _unary(Erfinv, "erfinv", "Inverse error function (±inf at ±1).")


# ----------------------------------------------------------------------------- rounding


def _integer_copy(a, kernel):
    if a.dtype.kind == "b":
        raise _not_implemented(kernel, a.dtype)
    return a.copy()


class Floor(Function):
    @staticmethod
    def forward(ctx, a):
        return _integer_copy(a, "floor_vml_cpu") if a.dtype.kind in "biu" else xp.floor(a)

    backward = staticmethod(_zeros_grad)


class Ceil(Function):
    @staticmethod
    def forward(ctx, a):
        return _integer_copy(a, "ceil_vml_cpu") if a.dtype.kind in "biu" else xp.ceil(a)

    backward = staticmethod(_zeros_grad)


class Trunc(Function):
    @staticmethod
    def forward(ctx, a):
        return _integer_copy(a, "trunc_vml_cpu") if a.dtype.kind in "biu" else xp.trunc(a)

    backward = staticmethod(_zeros_grad)


class Round(Function):
    """Round half to even, as PyTorch."""
    @staticmethod
    def forward(ctx, a):
        return _integer_copy(a, "round_vml_cpu") if a.dtype.kind in "biu" else xp.rint(a)

    backward = staticmethod(_zeros_grad)


class RoundDecimals(Function):
    node_name = "RoundBackward1"

    @staticmethod
    def forward(ctx, a, decimals):
        if a.dtype.kind in "biu":
            raise _not_implemented("round_cpu", a.dtype)
        return xp.round(a, decimals)

    backward = staticmethod(_zeros_grad)


class Frac(Function):
    @staticmethod
    def forward(ctx, a):
        if a.dtype.kind not in "f":
            raise _not_implemented("frac_cpu", a.dtype)
        return a - xp.trunc(a)

    @staticmethod
    def backward(ctx, g):
        return g


floor = _unary(Floor, "floor", "Largest integer <= input (integer tensors stay integer).")
ceil = _unary(Ceil, "ceil", "Smallest integer >= input (integer tensors stay integer).")
trunc = _unary(Trunc, "trunc", "Round toward zero (integer tensors stay integer).",
               aliases=("fix",))
frac = _unary(Frac, "frac", "input - trunc(input).")


@register(inplace=True)
def round(input, *, decimals=None):
    """Round half to even, to ``decimals`` decimal places (negative: to tens, hundreds ...).
    Passing ``decimals`` (even 0) selects PyTorch's ``round.decimals`` (RoundBackward1)."""
    if decimals is None:
        return Round.apply(input)
    return RoundDecimals.apply(input, int(decimals))


# ----------------------------------------------------------------------------- clamp


class Clamp(Function):
    """clamp with number bounds (ClampBackward1): the gradient passes where min <= x <= max."""
    node_name = "ClampBackward1"
    promote = True

    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a)
        ctx.lo, ctx.hi = lo, hi
        if lo is None:
            return xp.minimum(a, hi)
        if hi is None:
            return xp.maximum(a, lo)
        return xp.minimum(xp.maximum(a, lo), hi)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        lo, hi = ctx.lo, ctx.hi
        if lo is None:
            mask = a <= hi
        elif hi is None:
            mask = a >= lo
        else:
            mask = (a >= lo) & (a <= hi)
        return g * mask, None, None


class ClampTensor(Function):
    """clamp with tensor bounds (ClampBackward0); a bound gets the gradient where it wins."""
    node_name = "ClampBackward0"
    promote = True

    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a, lo, hi)
        if lo is None:
            return xp.minimum(a, hi)
        if hi is None:
            return xp.maximum(a, lo)
        return xp.minimum(xp.maximum(a, lo), hi)

    @staticmethod
    def backward(ctx, g):
        a, lo, hi = ctx.saved_arrays
        need = ctx.needs_input_grad
        ga = glo = ghi = None
        if need[0]:
            if lo is None:
                mask = a <= hi
            elif hi is None:
                mask = a >= lo
            else:
                mask = (a >= lo) & (a <= hi)
            ga = g * mask
        if need[1]:
            glo = g * ((a < lo) & (lo < hi) if hi is not None else a < lo)
        if need[2]:
            ghi = g * ((a > hi) | (hi < lo) if lo is not None else a > hi)
        return ga, glo, ghi


class ClampMin(Function):
    promote = True

    @staticmethod
    def forward(ctx, a, lo):
        ctx.save_for_backward(a)
        ctx.lo = lo
        return xp.maximum(a, lo)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return g * (a >= ctx.lo), None


class ClampMinTensor(Function):
    node_name = "ClampMinBackward1"
    promote = True

    @staticmethod
    def forward(ctx, a, lo):
        ctx.save_for_backward(a, lo)
        return xp.maximum(a, lo)

    @staticmethod
    def backward(ctx, g):
        a, lo = ctx.saved_arrays
        need = ctx.needs_input_grad
        return (g * (a >= lo) if need[0] else None), (g * (a < lo) if need[1] else None)


class ClampMax(Function):
    promote = True

    @staticmethod
    def forward(ctx, a, hi):
        ctx.save_for_backward(a)
        ctx.hi = hi
        return xp.minimum(a, hi)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return g * (a <= ctx.hi), None


class ClampMaxTensor(Function):
    node_name = "ClampMaxBackward1"
    promote = True

    @staticmethod
    def forward(ctx, a, hi):
        ctx.save_for_backward(a, hi)
        return xp.minimum(a, hi)

    @staticmethod
    def backward(ctx, g):
        a, hi = ctx.saved_arrays
        need = ctx.needs_input_grad
        return (g * (a <= hi) if need[0] else None), (g * (a > hi) if need[1] else None)


def _bound_as_number(b):
    """A 0-d tensor bound mixed with a number bound is read as a number (PyTorch's overload
    choice); a bigger tensor cannot be mixed with a number."""
    if b._data.ndim:
        raise TypeError("clamp() received an invalid combination of arguments - got (Tensor, "
                        "min=Tensor, max=Number) or (Tensor, min=Number, max=Tensor): pass "
                        "both bounds as tensors or both as numbers")
    return b.item()


@register(inplace=True, aliases=("clip",))
def clamp(input, min=None, max=None):
    """Limit input to [min, max]; bounds are numbers or (broadcasting) tensors."""
    lo_t, hi_t = isinstance(min, Tensor), isinstance(max, Tensor)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if lo_t or hi_t:
        if lo_t and max is not None and not hi_t:
            min = _bound_as_number(min)
        elif hi_t and min is not None and not lo_t:
            max = _bound_as_number(max)
        else:
            return _call(ClampTensor, input, min, max)
    return Clamp.apply(input, min, max)


@register(inplace=True)
def clamp_min(input, min):
    """max(input, min)."""
    if isinstance(min, Tensor):
        return _call(ClampMinTensor, input, min)
    return ClampMin.apply(input, min)


@register(inplace=True)
def clamp_max(input, max):
    """min(input, max)."""
    if isinstance(max, Tensor):
        return _call(ClampMaxTensor, input, max)
    return ClampMax.apply(input, max)


# ----------------------------------------------------------------------------- binary maths


class Maximum(Function):
    promote = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return xp.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        need = ctx.needs_input_grad
        h = xp.where(a == b, g * 0.5, g)   # ties split the gradient
        return (xp.where(a < b, 0, h) if need[0] else None), \
            (xp.where(a > b, 0, h) if need[1] else None)


class Minimum(Function):
    promote = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return xp.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        need = ctx.needs_input_grad
        h = xp.where(a == b, g * 0.5, g)
        return (xp.where(a > b, 0, h) if need[0] else None), \
            (xp.where(a < b, 0, h) if need[1] else None)


class Fmax(Function):
    """maximum ignoring NaN; ties send the whole gradient to ``input``."""
    promote = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return xp.fmax(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        first = (a >= b) | xp.isnan(b)
        need = ctx.needs_input_grad
        return (g * first if need[0] else None), (g * ~first if need[1] else None)


class Fmin(Function):
    """minimum ignoring NaN; ties send the whole gradient to ``input``."""
    promote = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return xp.fmin(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        first = (a <= b) | xp.isnan(b)
        need = ctx.needs_input_grad
        return (g * first if need[0] else None), (g * ~first if need[1] else None)


class Atan2(Function):
    promote = "float"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return xp.arctan2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        den = a * a + b * b
        r = xp.where(den == 0, 0, g / den).astype(den.dtype, copy=False)   # 0 at the origin
        need = ctx.needs_input_grad
        return (r * b if need[0] else None), (-r * a if need[1] else None)


class Hypot(Function):
    promote = True

    @staticmethod
    def forward(ctx, a, b):
        if a.dtype.kind != "f":
            raise _not_implemented("hypot_cpu", a.dtype)
        y = xp.hypot(a, b)
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx, g):
        a, b, y = ctx.saved_arrays
        r = g / y
        need = ctx.needs_input_grad
        return (r * a if need[0] else None), (r * b if need[1] else None)


def _xlogy(x, y):
    """x * log(y), 0 where x == 0 unless y is NaN."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = x * xp.log(y)
    return xp.where((x == 0) & ~xp.isnan(y), 0, r).astype(r.dtype, copy=False)


class Xlogy(Function):
    """xlogy of two tensors (XlogyBackward0)."""
    promote = "float"

    @staticmethod
    def forward(ctx, a, b):
        # a number argument becomes a 0-d array of the tensor's dtype so NumPy keeps it
        if type(a) is not _ndarray:
            a = xp.asarray(a, dtype=b.dtype)
        elif type(b) is not _ndarray:
            b = xp.asarray(b, dtype=a.dtype)
        ctx.save_for_backward(a, b)
        return _xlogy(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        need = ctx.needs_input_grad
        return (g * _xlogy(a != 0, b) if need[0] else None), \
            (g * a / b if need[1] else None)


class XlogyScalarSelf(Xlogy):
    node_name = "XlogyBackward1"


class XlogyScalarOther(Xlogy):
    node_name = "XlogyBackward2"


class LerpScalar(Function):
    """lerp with a number weight (LerpBackward0)."""
    node_name = "LerpBackward0"

    @staticmethod
    def forward(ctx, a, end, w):
        ctx.w = w
        d = end - a
        # PyTorch's two-sided formula: exact at w = 0 and w = 1
        return a + w * d if -0.5 < w < 0.5 else end - d * (1 - w)

    @staticmethod
    def backward(ctx, g):
        w = ctx.w
        need = ctx.needs_input_grad
        return (g * (1 - w) if need[0] else None), (g * w if need[1] else None), None


class LerpTensor(Function):
    """lerp with a tensor weight (LerpBackward1)."""
    node_name = "LerpBackward1"

    @staticmethod
    def forward(ctx, a, end, w):
        ctx.save_for_backward(a, end, w)
        d = end - a
        return xp.where(xp.abs(w) < 0.5, a + w * d, end - d * (1 - w))

    @staticmethod
    def backward(ctx, g):
        a, end, w = ctx.saved_arrays
        need = ctx.needs_input_grad
        return (g * (1 - w) if need[0] else None), (g * w if need[1] else None), \
            (g * (end - a) if need[2] else None)


@register(inplace=True)
def maximum(input, other):
    """Elementwise maximum of two tensors (NaN propagates)."""
    _need_tensor("maximum", input, 1, "input")
    _need_tensor("maximum", other, 2, "other")
    return _call(Maximum, input, other)


@register(inplace=True)
def minimum(input, other):
    """Elementwise minimum of two tensors (NaN propagates)."""
    _need_tensor("minimum", input, 1, "input")
    _need_tensor("minimum", other, 2, "other")
    return _call(Minimum, input, other)


@register(inplace=True)
def fmax(input, other):
    """Elementwise maximum that prefers the number when the other is NaN."""
    _need_tensor("fmax", input, 1, "input")
    _need_tensor("fmax", other, 2, "other")
    return _call(Fmax, input, other)


@register(inplace=True)
def fmin(input, other):
    """Elementwise minimum that prefers the number when the other is NaN."""
    _need_tensor("fmin", input, 1, "input")
    _need_tensor("fmin", other, 2, "other")
    return _call(Fmin, input, other)


@register(inplace=True, aliases=("arctan2",))
def atan2(input, other):
    """Angle of the point (other, input): arctan(input / other) in the right quadrant."""
    _need_tensor("atan2", input, 1, "input")
    _need_tensor("atan2", other, 2, "other")
    return _call(Atan2, input, other)


@register(inplace=True)
def hypot(input, other):
    """sqrt(input**2 + other**2) without overflow."""
    _need_tensor("hypot", input, 1, "input")
    _need_tensor("hypot", other, 2, "other")
    return _call(Hypot, input, other)


@register(inplace=True)
def xlogy(input, other):
    """input * log(other), 0 where input is 0 (unless other is NaN)."""
    if isinstance(input, Tensor):
        if isinstance(other, Tensor):
            return _call(Xlogy, input, other)
        return XlogyScalarOther.apply(input, other)
    if isinstance(other, Tensor):
        return XlogyScalarSelf.apply(input, other)
    raise TypeError("xlogy(): at least one of 'input' and 'other' must be a Tensor")


@register(inplace=True)
def lerp(input, end, weight):
    """input + weight * (end - input); weight is a number or a broadcasting tensor."""
    dt = input._data.dtype
    if dt.kind not in "fc":
        raise _not_implemented("lerp_kernel_scalar" if not isinstance(weight, Tensor) else
                               "lerp_kernel_tensor", dt)
    _need_tensor("lerp", end, 2, "end")
    if end._data.dtype != dt:
        raise RuntimeError(f"expected dtype {_tname(dt).lower()} for `end` but got dtype "
                           f"{_tname(end._data.dtype).lower()}")
    if isinstance(weight, Tensor):
        if weight._data.dtype != dt:
            if weight._data.ndim:
                raise RuntimeError(f"expected dtype {_tname(dt).lower()} for `weight` but got "
                                   f"dtype {_tname(weight._data.dtype).lower()}")
            weight = weight.to(input.dtype)
        return _call(LerpTensor, input, end, weight)
    return _call(LerpScalar, input, end, weight)


# ----------------------------------------------------------------------------- special values


class NanToNum(Function):
    @staticmethod
    def forward(ctx, a, nan, posinf, neginf):
        if a.dtype.kind not in "fc":
            return a.copy()
        ctx.save_for_backward(a)
        return xp.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return g * xp.isfinite(a), None, None, None


@register(inplace=True)
def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """Replace NaN by ``nan`` and ±inf by ``posinf``/``neginf`` (default: the dtype's
    largest/smallest finite value)."""
    return NanToNum.apply(input, nan, posinf, neginf)


def _floatlike(a):
    return a.dtype.kind in "fc"


@register()
def isnan(input):
    """True where input is NaN."""
    a = input._data
    return _new_tensor(xp.isnan(a) if _floatlike(a) else xp.zeros(a.shape, bool))


@register()
def isinf(input):
    """True where input is +inf or -inf."""
    a = input._data
    return _new_tensor(xp.isinf(a) if _floatlike(a) else xp.zeros(a.shape, bool))


@register()
def isfinite(input):
    """True where input is neither NaN nor infinite."""
    a = input._data
    return _new_tensor(xp.isfinite(a) if _floatlike(a) else xp.ones(a.shape, bool))


@register()
def isposinf(input):
    """True where input is +inf."""
    a = input._data
    return _new_tensor(xp.isposinf(a) if a.dtype.kind == "f" else xp.zeros(a.shape, bool))


@register()
def isneginf(input):
    """True where input is -inf."""
    a = input._data
    return _new_tensor(xp.isneginf(a) if a.dtype.kind == "f" else xp.zeros(a.shape, bool))


@register()
def isreal(input):
    """True where input has no imaginary part (everywhere for real dtypes)."""
    a = input._data
    return _new_tensor(a.imag == 0 if a.dtype.kind == "c" else xp.ones(a.shape, bool))


@register()
def signbit(input):
    """True where the sign bit is set (-0.0 included)."""
    a = input._data
    k = a.dtype.kind
    return _new_tensor(xp.signbit(a) if k == "f" else a < 0 if k == "i" else
                       xp.zeros(a.shape, bool))


# ----------------------------------------------------------------------------- comparisons


def _arrays2(input, other):
    """The two operands as arrays (or numbers) of PyTorch's common dtype."""
    a = input._data if isinstance(input, Tensor) else input
    b = other._data if isinstance(other, Tensor) else other
    return _promote([a, b], (input, other))


def _compare(ufunc, name):
    def op(input, other):
        a, b = _arrays2(input, other)
        try:
            return _new_tensor(xp.asarray(ufunc(a, b)))
        except ValueError as e:
            raise _shape_error(e, (input, other)) from None
    op.__name__ = op.__qualname__ = name
    return op


def _comparison(ufunc, name, dunder, doc, aliases=()):
    op = _compare(ufunc, name)
    op.__doc__ = doc
    register(name, inplace=True, aliases=aliases)(op)

    def operator(self, other):
        # a non-numeric operand (None, a string, a list) is not comparable: Python then falls
        # back to identity for == / != and raises TypeError for ordering
        if isinstance(other, (Tensor, *_NUMBERS)):
            return op(self, other)
        return NotImplemented
    operator.__name__ = dunder
    setattr(Tensor, dunder, operator)
    return op


eq = _comparison(xp.equal, "eq", "__eq__", "input == other, elementwise (a bool tensor).")
ne = _comparison(xp.not_equal, "ne", "__ne__", "input != other, elementwise (a bool tensor).",
                 aliases=("not_equal",))
lt = _comparison(xp.less, "lt", "__lt__", "input < other, elementwise (a bool tensor).",
                 aliases=("less",))
le = _comparison(xp.less_equal, "le", "__le__", "input <= other, elementwise (a bool tensor).",
                 aliases=("less_equal",))
gt = _comparison(xp.greater, "gt", "__gt__", "input > other, elementwise (a bool tensor).",
                 aliases=("greater",))
ge = _comparison(xp.greater_equal, "ge", "__ge__",
                 "input >= other, elementwise (a bool tensor).", aliases=("greater_equal",))


@register()
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other|, elementwise (infinities must match)."""
    _need_tensor("isclose", input, 1, "input")
    _need_tensor("isclose", other, 2, "other")
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"{_tname(a.dtype)} did not match {_tname(b.dtype)}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    if a.dtype.kind == "b":
        return _new_tensor(xp.asarray(_call_ufunc(xp.equal, input, other)))
    try:
        with np.errstate(invalid="ignore", over="ignore"):
            r = xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    except ValueError as e:
        raise _shape_error(e, (input, other)) from None
    return _new_tensor(xp.asarray(r))


def _call_ufunc(ufunc, input, other):
    try:
        return ufunc(input._data, other._data)
    except ValueError as e:
        raise _shape_error(e, (input, other)) from None


@register()
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True (a Python bool) when every element of input is close to other."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


@register()
def equal(input, other):
    """True (a Python bool) when both have the same shape and the same values."""
    _need_tensor("equal", input, 1, "input")
    _need_tensor("equal", other, 2, "other")
    if input._data.shape != other._data.shape:
        return False
    a, b = _arrays2(input, other)
    return bool(xp.array_equal(a, b))


# ----------------------------------------------------------------------------- logic and bits


def _logical(ufunc, name, doc):
    def op(input, other):
        _need_tensor(name, input, 1, "input")
        _need_tensor(name, other, 2, "other")
        return _new_tensor(xp.asarray(_call_ufunc(ufunc, input, other)))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return register(name, inplace=True)(op)


logical_and = _logical(xp.logical_and, "logical_and", "input and other, elementwise (bool).")
logical_or = _logical(xp.logical_or, "logical_or", "input or other, elementwise (bool).")
logical_xor = _logical(xp.logical_xor, "logical_xor", "input xor other, elementwise (bool).")


@register(inplace=True)
def logical_not(input):
    """not input, elementwise (bool): nonzero is True."""
    return _new_tensor(xp.asarray(xp.logical_not(input._data)))


def _bitwise(ufunc, name, dunder, doc):
    kernel = f"{name}_cpu"

    def op(input, other):
        a, b = _arrays2(input, other)
        k = a.dtype.kind if type(a) is _ndarray else b.dtype.kind
        if k not in "biu":
            raise _not_implemented(kernel, a.dtype if type(a) is _ndarray else b.dtype)
        try:
            return _new_tensor(xp.asarray(ufunc(a, b)))
        except ValueError as e:
            raise _shape_error(e, (input, other)) from None
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return register(name, inplace=True, dunder=f"__{dunder}__",
                    rdunder=(f"__r{dunder}__", True), idunder=f"__i{dunder}__")(op)


bitwise_and = _bitwise(xp.bitwise_and, "bitwise_and", "and",
                       "Bitwise AND of integer or bool tensors (``&``).")
bitwise_or = _bitwise(xp.bitwise_or, "bitwise_or", "or",
                      "Bitwise OR of integer or bool tensors (``|``).")
bitwise_xor = _bitwise(xp.bitwise_xor, "bitwise_xor", "xor",
                       "Bitwise XOR of integer or bool tensors (``^``).")


@register(inplace=True)
def bitwise_not(input):
    """Bitwise NOT of an integer or bool tensor (logical not for bool)."""
    a = input._data
    if a.dtype.kind not in "biu":
        raise _not_implemented("bitwise_not_cpu", a.dtype)
    return _new_tensor(xp.asarray(xp.invert(a)))


def _invert(self):
    if self._data.dtype.kind not in "biu":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(self)


Tensor.__invert__ = _invert


# ----------------------------------------------------------------------------- casts, copies


class ToCopy(Function):
    @staticmethod
    def forward(ctx, a, npdt):
        return a.astype(npdt)

    @staticmethod
    def backward(ctx, g):
        return g, None   # the engine casts g back to the input's dtype


def _to_copy(input, dtype):
    return ToCopy.apply(input, to_dtype(dtype).np)


class Clone(Function):
    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, g):
        return g


@register()
def clone(input, *, memory_format=None):
    """A copy that stays in the graph."""
    return Clone.apply(input)
