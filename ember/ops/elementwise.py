"""Elementwise ops: arithmetic with broadcasting, unary maths, comparisons, logic.

Each op is one Function on arrays; ``register`` gives it its function, method, operator and
in-place forms. Gradients are returned at the broadcast shape: the engine sums them back.
"""
from ..backend import xp
from ..autograd.function import Function
from .._dtype import to_dtype
from ._registry import register

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


class FloorDivide(Function):
    promote = True

    @staticmethod
    def forward(ctx, a, b):
        return xp.floor_divide(a, b)

    @staticmethod
    def backward(ctx, g):
        return xp.zeros_like(g), None


class Remainder(Function):
    promote = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return xp.remainder(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        return g, (-g * xp.floor_divide(a, b) if ctx.needs_input_grad[1] else None)


class Fmod(Function):
    promote = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return xp.fmod(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        return g, (-g * xp.trunc(a / b) if ctx.needs_input_grad[1] else None)


class Pow(Function):
    """tensor ** scalar (PowBackward0)."""
    promote = True

    @staticmethod
    def forward(ctx, a, e):
        ctx.save_for_backward(a)
        ctx.e = e
        if e == 2:
            return a * a
        if e == 0.5 and a.dtype.kind == "f":
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
    """tensor ** tensor (PowBackward1) and scalar ** tensor (PowBackward2)."""
    node_name = "PowBackward1"
    promote = True

    @staticmethod
    def forward(ctx, a, b):
        y = xp.power(a, b)
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
            la = xp.log(xp.where(a == 0, 1, a) if True else a)
            gb = xp.where((a == 0) & (b >= 0), 0.0, g * y * la).astype(g.dtype, copy=False)
        return ga, gb


class RPow(PowTensor):
    node_name = "PowBackward2"


def _is_tensor(x):
    from ..tensor import Tensor
    return isinstance(x, Tensor)


@register(inplace=True, dunder="__add__", rdunder=("__radd__", True), idunder="__iadd__")
def add(input, other, *, alpha=1):
    """input + alpha * other, broadcasting."""
    if alpha == 1:
        return Add.apply(input, other)
    return Add.apply(input, other, alpha)


@register(inplace=True, dunder="__sub__", idunder="__isub__", aliases=("subtract",))
def sub(input, other, *, alpha=1):
    """input - alpha * other, broadcasting."""
    if not _is_tensor(input):
        return Rsub.apply(input, other) if alpha == 1 else Rsub.apply(input, other, alpha)
    if alpha == 1:
        return Sub.apply(input, other)
    return Sub.apply(input, other, alpha)


def _rsub(self, other):
    return Rsub.apply(other, self)


@register(function=True, method=True)
def rsub(input, other, *, alpha=1):
    """other - alpha * input."""
    return Rsub.apply(other, input, alpha) if alpha != 1 else Rsub.apply(other, input)


@register(inplace=True, dunder="__mul__", rdunder=("__rmul__", True), idunder="__imul__",
          aliases=("multiply",))
def mul(input, other):
    """input * other, broadcasting."""
    return Mul.apply(input, other)


@register(inplace=True, dunder="__truediv__", idunder="__itruediv__",
          aliases=("divide", "true_divide"))
def div(input, other, *, rounding_mode=None):
    """input / other; integer inputs give a float result. ``rounding_mode`` "trunc"/"floor"."""
    if rounding_mode is None:
        return Div.apply(input, other)
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        q = Div.apply(input, other)
        r = trunc(q)
        if _is_tensor(input) and input.dtype.is_floating_point is False and \
                (not _is_tensor(other) or not other.dtype.is_floating_point):
            return r.to(input.dtype if _is_tensor(input) else other.dtype)
        return r
    raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                     f"found '{rounding_mode}'")


def _rtruediv(self, other):
    return mul(reciprocal(self), other)


@register(inplace=True, dunder="__floordiv__", idunder="__ifloordiv__")
def floor_divide(input, other):
    """Division rounded down (``//``)."""
    return FloorDivide.apply(input, other)


@register(inplace=True, dunder="__mod__", idunder="__imod__")
def remainder(input, other):
    """Python-style modulus: the result has the sign of ``other``."""
    return Remainder.apply(input, other)


@register(inplace=True)
def fmod(input, other):
    """C-style modulus: the result has the sign of ``input``."""
    return Fmod.apply(input, other)


@register(inplace=True, dunder="__pow__", idunder="__ipow__", aliases=("float_power",))
def pow(input, exponent):
    """input ** exponent (tensor or scalar on either side)."""
    if _is_tensor(exponent):
        if _is_tensor(input):
            return PowTensor.apply(input, exponent)
        return RPow.apply(input, exponent)
    return Pow.apply(input, exponent)


from ..tensor import Tensor  # noqa: E402
Tensor.__rsub__ = _rsub
Tensor.__rtruediv__ = _rtruediv
Tensor.__rdiv__ = _rtruediv
Tensor.__rpow__ = lambda self, other: RPow.apply(other, self)
Tensor.__rfloordiv__ = lambda self, other: FloorDivide.apply(other, self)
Tensor.__rmod__ = lambda self, other: Remainder.apply(other, self)


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        if a.dtype == bool:
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


Tensor.__pos__ = lambda self: self

# ----------------------------------------------------------------------------- unary maths


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
        return g * (1 - y * y)


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
        return g * (y * (1 - y))


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


class Abs(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp.abs(a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_arrays
        return g * xp.sign(a)


class Relu(Function):
    @staticmethod
    def forward(ctx, a):
        y = xp.maximum(a, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_arrays
        return g * (y > 0)


@register(inplace=True)
def exp(input):
    """e ** input."""
    return Exp.apply(input)


@register(inplace=True)
def log(input):
    """Natural logarithm."""
    return Log.apply(input)


@register(inplace=True)
def tanh(input):
    """Hyperbolic tangent."""
    return Tanh.apply(input)


@register(inplace=True)
def sigmoid(input):
    """1 / (1 + exp(-input)), computed without overflow."""
    return Sigmoid.apply(input)


@register(inplace=True)
def sqrt(input):
    """Square root."""
    return Sqrt.apply(input)


@register(inplace=True, dunder="__abs__", aliases=("absolute",))
def abs(input):
    """|input| (integer tensors stay integer)."""
    return Abs.apply(input)


@register(inplace=True)
def relu(input):
    """max(input, 0)."""
    return Relu.apply(input)


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


# placeholders resolved below once the rest of the unary family is defined
def reciprocal(input):
    return Div.apply(1.0, input)


def trunc(input):
    from ..tensor import _new_tensor
    return _new_tensor(xp.trunc(input._data))
