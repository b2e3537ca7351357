"""Neural-network kernels: activations, softmax family, dropout, losses, linear maps.

Each kernel is one Function on arrays with a hand-written backward, fused where a chain of small
ops would cost more than the arithmetic (log-softmax + NLL is one op whose input gradient is
``softmax - onehot``; every loss computes its elementwise terms and reduction in one forward).
The wrappers here take PyTorch's positional arguments and reductions as enums (0 none, 1 mean,
2 sum), like ``torch._C._nn``; ``ember.nn.functional`` adds the Python-level argument handling.

Where PyTorch builds a loss from several ops, the fused kernel keeps PyTorch's grad_fn name for
each case (``MeanBackward0`` for ``l1_loss`` with mean reduction ...) through small subclasses.
"""
import math

import numpy as np

from ..backend import xp
from ..autograd.function import Function
from ..tensor import _new_tensor, _wrap_dim
from .._dtype import _FROM_NP, result_type, to_dtype
from ._registry import register, commit_inplace
from .elementwise import erf_array
from ..random import _rng

NONE, MEAN, SUM, BATCHMEAN = 0, 1, 2, 3


def _variants(cls, *names):
    """Subclasses of ``cls`` that differ only in their grad_fn name (one per case)."""
    return tuple(type(f"{cls.__name__}_{i}", (cls,), {"node_name": n})
                 for i, n in enumerate(names))


def _tname(npdt):
    """PyTorch's scalar-type name of a NumPy dtype ("Float", "Long" ...)."""
    return _FROM_NP[npdt]._tensor_type[:-6]


def _float_only(x, kernel):
    """PyTorch's error for a floating-point-only kernel called on an integer or bool tensor."""
    if x._data.dtype.kind not in "fc":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_tname(x._data.dtype)}\'')


def _sigmoid(x):
    """1 / (1 + exp(-x)) without overflow (exp of non-positive numbers only)."""
    e = xp.exp(-xp.abs(x))
    r = 1 / (1 + e)
    return xp.where(x >= 0, r, e * r)


def _softplus(x):
    """log(1 + exp(x)) without overflow."""
    return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))


# ============================================================================ activations


class LeakyRelu(Function):
    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)
        ctx.slope = slope
        if 0.0 <= slope <= 1.0:
            return xp.maximum(x, x * slope)
        return xp.where(x > 0, x, x * slope)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_arrays
        return xp.where(x > 0, g, g * ctx.slope), None


class Elu(Function):
    """scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1)): ELU, SELU and CELU."""

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        neg = xp.exp(xp.minimum(x, 0) * input_scale)
        neg -= 1
        neg *= alpha * scale
        y = xp.where(x > 0, x * scale if scale != 1 else x, neg)
        ctx.save_for_backward(x, neg)
        ctx.c = (alpha * scale, scale, input_scale)
        return y

    @staticmethod
    def backward(ctx, g):
        x, neg = ctx.saved_arrays
        a_s, scale, input_scale = ctx.c
        d = neg + a_s
        d *= input_scale
        return g * xp.where(x > 0, scale, d), None, None, None


class Celu(Elu):
    pass


class Gelu(Function):
    @staticmethod
    def forward(ctx, x, approximate):
        if approximate == "tanh":
            k = math.sqrt(2 / math.pi)
            t = xp.tanh(k * (x + 0.044715 * (x * x * x)))
            ctx.save_for_backward(x, t)
            ctx.tanh = True
            return 0.5 * x * (1 + t)
        cdf = 0.5 * (1 + erf_array(x * (1 / math.sqrt(2))))
        ctx.save_for_backward(x, cdf)
        ctx.tanh = False
        return x * cdf

    @staticmethod
    def backward(ctx, g):
        x, c = ctx.saved_arrays
        if ctx.tanh:
            k = math.sqrt(2 / math.pi)
            x2 = x * x
            d = 0.5 * (1 + c) + (0.5 * k) * x * (1 - c * c) * (1 + (3 * 0.044715) * x2)
        else:
            d = c + x * xp.exp(-0.5 * (x * x)) * (1 / math.sqrt(2 * math.pi))
        return g * d, None


class Silu(Function):
    @staticmethod
    def forward(ctx, x):
        s = _sigmoid(x)
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, g):
        x, s = ctx.saved_arrays
        return g * (s * (1 + x * (1 - s)))


class Mish(Function):
    @staticmethod
    def forward(ctx, x):
        t = xp.tanh(_softplus(x))
        ctx.save_for_backward(x, t)
        return x * t

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_arrays
        return g * (t + x * (1 - t * t) * _sigmoid(x))


class Softplus(Function):
    @staticmethod
    def forward(ctx, x, beta, threshold):
        bx = x * beta if beta != 1 else x
        sp = _softplus(bx)
        if beta != 1:
            sp /= beta
        ctx.save_for_backward(bx)
        ctx.threshold = threshold
        return xp.where(bx > threshold, x, sp)

    @staticmethod
    def backward(ctx, g):
        bx, = ctx.saved_arrays
        return xp.where(bx > ctx.threshold, g, g * _sigmoid(bx)), None, None


class Hardtanh(Function):
    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        if x.dtype.kind in "iu":
            return xp.clip(x, math.ceil(lo), math.floor(hi)).astype(x.dtype, copy=False)
        return xp.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_arrays
        return g * ((x > ctx.lo) & (x < ctx.hi)), None, None


class Hardsigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp.clip(x * (1 / 6) + 0.5, 0, 1)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_arrays
        return g * ((x > -3) & (x < 3)) * (1 / 6)


class Hardswish(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * xp.clip(x * (1 / 6) + 0.5, 0, 1)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_arrays
        d = xp.where(x < -3, 0, xp.where(x <= 3, x * (1 / 3) + 0.5, 1)).astype(g.dtype, copy=False)
        return g * d


class Threshold(Function):
    @staticmethod
    def forward(ctx, x, threshold, value):
        m = x > threshold
        ctx.save_for_backward(m)
        return xp.where(m, x, x.dtype.type(value))

    @staticmethod
    def backward(ctx, g):
        m, = ctx.saved_arrays
        return g * m, None, None


class LogSigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        e = xp.exp(-xp.abs(x))
        ctx.save_for_backward(x, e)
        y = xp.minimum(x, 0)
        y -= xp.log1p(e)
        return y

    @staticmethod
    def backward(ctx, g):
        x, e = ctx.saved_arrays
        r = 1 / (1 + e)
        return g * xp.where(x >= 0, e * r, r)      # sigmoid(-x)


class Softsign(Function):
    node_name = "DivBackward0"

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind not in "fc":
            x = x.astype(np.float32)
        d = xp.abs(x)
        d += 1
        ctx.save_for_backward(d)
        return x / d

    @staticmethod
    def backward(ctx, g):
        d, = ctx.saved_arrays
        return g / (d * d)


class Tanhshrink(Function):
    node_name = "SubBackward0"

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind not in "fc":
            x = x.astype(np.float32)
        t = xp.tanh(x)
        ctx.save_for_backward(t)
        return x - t

    @staticmethod
    def backward(ctx, g):
        t, = ctx.saved_arrays
        return g * (t * t)


class Hardshrink(Function):
    @staticmethod
    def forward(ctx, x, lambd):
        m = (x > lambd) | (x < -lambd)
        ctx.save_for_backward(m)
        return xp.where(m, x, x.dtype.type(0))

    @staticmethod
    def backward(ctx, g):
        m, = ctx.saved_arrays
        return g * m, None


class Softshrink(Function):
    @staticmethod
    def forward(ctx, x, lambd):
        ctx.save_for_backward(x)
        ctx.lambd = lambd
        return x - xp.clip(x, -lambd, lambd)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_arrays
        lam = ctx.lambd
        return g * ((x > lam) | (x < -lam)), None


class Glu(Function):
    @staticmethod
    def forward(ctx, x, dim):
        h = x.shape[dim] // 2
        a, b = xp.split(x, [h], axis=dim)
        s = _sigmoid(b)
        ctx.save_for_backward(a, s)
        ctx.dim = dim
        return a * s

    @staticmethod
    def backward(ctx, g):
        a, s = ctx.saved_arrays
        gs = g * s
        gb = gs * a * (1 - s)
        return xp.concatenate([gs, gb], axis=ctx.dim), None


class Prelu(Function):
    node_name = "PreluKernelBackward0"

    @staticmethod
    def forward(ctx, x, w):
        if w.size == 1:
            wv = w.reshape(())
        else:
            wv = w.reshape((w.size,) + (1,) * (x.ndim - 2))
        ctx.save_for_backward(x, wv)
        ctx.wshape = w.shape
        return xp.where(x > 0, x, wv * x)

    @staticmethod
    def backward(ctx, g):
        x, wv = ctx.saved_arrays
        need = ctx.needs_input_grad
        pos = x > 0
        gx = xp.where(pos, g, g * wv) if need[0] else None
        gw = None
        if need[1]:
            t = xp.where(pos, 0, g * x).astype(g.dtype, copy=False)
            if wv.ndim == 0:
                gw = t.sum().reshape(ctx.wshape)
            else:
                axes = (0,) + tuple(range(2, x.ndim))
                gw = t.sum(axes).reshape(ctx.wshape)
        return gx, gw


class Rrelu(Function):
    node_name = "RreluWithNoiseBackward0"

    @staticmethod
    def forward(ctx, x, noise):
        ctx.save_for_backward(noise)
        return x * noise

    @staticmethod
    def backward(ctx, g):
        noise, = ctx.saved_arrays
        return g * noise, None


# ----------------------------------------------------------------------------- softmax family


def _softmax_arr(x, dim):
    if x.ndim == 0:
        return xp.ones_like(x)
    m = x.max(dim, keepdims=True)
    e = x - m
    xp.exp(e, out=e)
    e /= e.sum(dim, keepdims=True)
    return e


class Softmax(Function):
    @staticmethod
    def forward(ctx, x, dim):
        y = _softmax_arr(x, dim)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_arrays
        gy = g * y
        gy -= y * gy.sum(ctx.dim, keepdims=True)
        return gy, None


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx, x, dim):
        z = x - x.max(dim, keepdims=True)
        z -= xp.log(xp.exp(z).sum(dim, keepdims=True))
        ctx.save_for_backward(z)
        ctx.dim = dim
        return z

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_arrays
        return g - xp.exp(y) * g.sum(ctx.dim, keepdims=True), None


def _softmax_call(fn, input, dim, dtype, kernel):
    if dtype is not None:
        input = input.to(to_dtype(dtype))
    a = input._data
    if a.dtype.kind not in "fc":
        last = "lastdim_" if _wrap_dim(dim, a.ndim) == max(a.ndim - 1, 0) else ""
        raise NotImplementedError(f'"{kernel}_{last}kernel_impl" not implemented for '
                                  f"'{_tname(a.dtype)}'")
    if a.ndim == 0:
        _wrap_dim(dim, 0)
        return fn.apply(input, None)
    if a.size == 0:
        return _new_tensor(a.copy())
    d = dim if 0 <= dim < a.ndim else _wrap_dim(dim, a.ndim)
    return fn.apply(input, d)


@register()
def softmax(input, dim, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim`` (computed as exp(x - max))."""
    return _softmax_call(Softmax, input, dim, dtype, "softmax")


@register()
def log_softmax(input, dim, dtype=None):
    """log(softmax(x)) along ``dim``, computed as x - max - log(sum(exp(x - max)))."""
    return _softmax_call(LogSoftmax, input, dim, dtype, "log_softmax")


# ============================================================================ dropout


class DropoutMul(Function):
    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, x, m):
        ctx.save_for_backward(m)
        return x * m

    @staticmethod
    def backward(ctx, g):
        m, = ctx.saved_arrays
        return g * m, None


class AlphaDropoutFn(Function):
    node_name = "AddBackward0"

    @staticmethod
    def forward(ctx, x, m, b):
        ctx.save_for_backward(m)
        y = x * m
        y += b
        return y

    @staticmethod
    def backward(ctx, g):
        m, = ctx.saved_arrays
        return g * m, None, None


def _mask(shape, keep, npdt):
    """Bernoulli(keep) mask of dtype npdt, drawn from ember's generator."""
    return (_rng().random(shape, dtype=np.float32) < keep).astype(npdt)


def _dropout_impl(input, p, train, inplace, feature=0, alpha=False):
    """Dropout of elements, or with ``feature`` of whole channels: feature=2 draws one mask
    value per (sample, channel) of an (N, C, ...) input, feature=1 one per channel of an
    unbatched (C, ...) input."""
    if not train or p == 0 or input._data.size == 0:
        return input
    a = input._data
    if feature == 2:
        if a.ndim < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        shape = a.shape[:2] + (1,) * (a.ndim - 2)
    elif feature == 1:
        shape = a.shape[:1] + (1,) * (a.ndim - 1)
    else:
        shape = a.shape
    npdt = a.dtype if a.dtype.kind == "f" else np.float32
    if p == 1:
        m = xp.zeros(shape, npdt)
        out = DropoutMul.apply(input, m)
    elif alpha:
        al = 1.7580993408473766
        k = 1.0 / math.sqrt((al * al * p + 1) * (1 - p))
        keep = _mask(shape, 1 - p, npdt)
        b = (keep - 1) * (al * k) + al * k * p
        out = AlphaDropoutFn.apply(input, keep * k, b.astype(npdt, copy=False))
    else:
        m = _mask(shape, 1 - p, npdt)
        m *= 1.0 / (1.0 - p)
        out = DropoutMul.apply(input, m)
    if inplace:
        return commit_inplace(input, out, "dropout_")
    return out


@register(method=False)
def dropout(input, p, train):
    """Zero each element with probability p and scale the rest by 1 / (1 - p) (when train)."""
    return _dropout_impl(input, p, train, False)


@register(method=False)
def alpha_dropout(input, p, train):
    """Dropout that keeps SELU's self-normalising mean and variance."""
    return _dropout_impl(input, p, train, False, alpha=True)


@register(method=False)
def feature_dropout(input, p, train):
    """Zero whole channels (dim 1) with probability p."""
    return _dropout_impl(input, p, train, False, feature=2)


@register(method=False)
def feature_alpha_dropout(input, p, train):
    return _dropout_impl(input, p, train, False, feature=2, alpha=True)


# ============================================================================ losses

_REDUCTIONS = {"none": NONE, "mean": MEAN, "sum": SUM}


def _reduce(l, red):
    if red == NONE:
        return l
    s = l.sum()
    if red == MEAN:
        s = s / l.size if l.size else s * float("nan")
    return xp.asarray(s)


def _gscale(g, red, n):
    """Gradient of the reduced loss with respect to each elementwise term."""
    if red == MEAN:
        return g / n if n else g * float("nan")
    return g


class MseLoss(Function):
    @staticmethod
    def forward(ctx, x, y, red):
        d = x - y
        ctx.save_for_backward(d)
        ctx.red = red
        return _reduce(d * d, red)

    @staticmethod
    def backward(ctx, g):
        d, = ctx.saved_arrays
        gd = d * (2 * _gscale(g, ctx.red, d.size))
        return gd, (-gd if ctx.needs_input_grad[1] else None), None


class L1Loss(Function):
    @staticmethod
    def forward(ctx, x, y, red):
        d = x - y
        ctx.save_for_backward(d)
        ctx.red = red
        return _reduce(xp.abs(d), red)

    @staticmethod
    def backward(ctx, g):
        d, = ctx.saved_arrays
        gd = xp.sign(d) * _gscale(g, ctx.red, d.size)
        return gd, (-gd if ctx.needs_input_grad[1] else None), None


_L1 = _variants(L1Loss, "AbsBackward0", "MeanBackward0", "SumBackward0")


class SmoothL1Loss(Function):
    @staticmethod
    def forward(ctx, x, y, red, beta):
        d = x - y
        ad = xp.abs(d)
        l = xp.where(ad < beta, (0.5 / beta) * (d * d), ad - 0.5 * beta)
        ctx.save_for_backward(d)
        ctx.red, ctx.beta = red, beta
        return _reduce(l, red)

    @staticmethod
    def backward(ctx, g):
        d, = ctx.saved_arrays
        gd = xp.clip(d * (1 / ctx.beta), -1, 1) * _gscale(g, ctx.red, d.size)
        return gd, (-gd if ctx.needs_input_grad[1] else None), None, None


class HuberLoss(Function):
    @staticmethod
    def forward(ctx, x, y, red, delta):
        d = x - y
        ad = xp.abs(d)
        l = xp.where(ad < delta, 0.5 * (d * d), delta * (ad - 0.5 * delta))
        ctx.save_for_backward(d)
        ctx.red, ctx.delta = red, delta
        return _reduce(l, red)

    @staticmethod
    def backward(ctx, g):
        d, = ctx.saved_arrays
        gd = xp.clip(d, -ctx.delta, ctx.delta) * _gscale(g, ctx.red, d.size)
        return gd, (-gd if ctx.needs_input_grad[1] else None), None, None


class BinaryCrossEntropy(Function):
    @staticmethod
    def forward(ctx, x, y, w, red, edge=True):
        if edge:      # some input is exactly 0 or 1: log gives -inf (clamped), quietly
            with np.errstate(divide="ignore"):
                lx = xp.maximum(xp.log(x), -100)
                l1x = xp.maximum(xp.log1p(-x), -100)
        else:
            lx = xp.maximum(xp.log(x), -100)
            l1x = xp.maximum(xp.log1p(-x), -100)
        l = (y - 1) * l1x
        l -= y * lx
        if w is not None:
            l *= w
        ctx.save_for_backward(x, y, w, lx, l1x)
        ctx.red = red
        return _reduce(l, red)

    @staticmethod
    def backward(ctx, g):
        x, y, w, lx, l1x = ctx.saved_arrays
        gs = _gscale(g, ctx.red, x.size)
        if w is not None:
            gs = gs * w
        need = ctx.needs_input_grad
        gx = gy = None
        if need[0]:
            gx = (x - y) / xp.maximum((1 - x) * x, 1e-12)
            gx *= gs
        if need[1]:
            gy = (l1x - lx) * gs
        return gx, gy, None, None, None


class BinaryCrossEntropyWithLogits(Function):
    @staticmethod
    def forward(ctx, x, y, w, pw, red):
        e = xp.exp(-xp.abs(x))
        sp = xp.maximum(-x, 0)                # softplus(-x) = -log(sigmoid(x))
        sp += xp.log1p(e)
        l = (1 - y) * x
        if pw is None:
            l += sp
            lw = None
        else:
            lw = (pw - 1) * y + 1
            l += lw * sp
        if w is not None:
            l *= w
        ctx.save_for_backward(x, y, w, pw, e, sp, lw)
        ctx.red = red
        return _reduce(l, red)

    @staticmethod
    def backward(ctx, g):
        x, y, w, pw, e, sp, lw = ctx.saved_arrays
        gs = _gscale(g, ctx.red, x.size)
        if w is not None:
            gs = gs * w
        need = ctx.needs_input_grad
        gx = gy = None
        if need[0]:
            r = 1 / (1 + e)
            s = xp.where(x >= 0, r, e * r)     # sigmoid(x)
            if lw is None:
                gx = s - y
            else:
                gx = (1 - y) - lw * (1 - s)
            gx *= gs
        if need[1]:
            gy = -x if pw is None else (pw - 1) * sp - x
            gy = gy * gs
        return gx, gy, None, None, None


# ----------------------------------------------------------------------------- NLL / cross entropy


def _rows(x):
    """(M, C) rows of class scores from (C,), (N, C) or (N, C, d1, ...)."""
    nd = x.ndim
    if nd == 2:
        return x
    if nd == 1:
        return x.reshape(1, -1)
    return xp.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _as_rows(x, t):
    """(M, C) rows of class scores and (M,) targets."""
    return _rows(x), t.reshape(-1)


def _from_rows(g2, shape):
    nd = len(shape)
    if nd == 2:
        return g2
    if nd == 1:
        return g2.reshape(shape)
    moved = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return xp.moveaxis(g2.reshape(moved), -1, 1)


def _class_targets(t, c, ii):
    """Targets safe to index with, and the mask of non-ignored ones (None when all count).

    The common case (a negative ignore_index, no negative target) costs one reduction;
    targets >= C are then caught by ``_pick``. Otherwise raises PyTorch's IndexError for a
    target outside [0, C) that is not ignore_index."""
    if t.size == 0 or (ii < 0 and t.min() >= 0):
        return t, None
    valid = t != ii
    _check_bounds(t, c, valid)
    if valid.all():
        return t, None
    return xp.where(valid, t, 0), valid


def _check_bounds(t, c, valid=None):
    bad = (t < 0) | (t >= c)
    if valid is not None:
        bad &= valid
    if bad.any():
        raise IndexError(f"Target {t[bad][0]} is out of bounds.")


def _pick(x2, rows, ts):
    """x2[n, ts[n]] for every row n (PyTorch's error for targets >= C)."""
    try:
        return x2[rows, ts]
    except IndexError:
        _check_bounds(ts, x2.shape[1])
        raise


def _exp_rows(x2):
    """exp(x2 - shift) and its row sums s (M,), with shift (scalar or (M, 1)) chosen so that
    nothing overflows: the global max when no row's sum underflows (one cheap reduction),
    else each row's max. log(s) + shift is the row's logsumexp."""
    if x2.size == 0:
        return x2.copy(), xp.zeros(x2.shape[0], x2.dtype), 0
    shift = x2.max()
    e = x2 - shift
    xp.exp(e, out=e)
    s = e.sum(1)
    if not s.min() > 1e-30:           # a row far below the global max (or inf / nan)
        shift = x2.max(1, keepdims=True)
        e = x2 - shift
        xp.exp(e, out=e)
        s = e.sum(1)
        shift = shift.reshape(-1)
    return e, s, shift


def _sample_coef(ts, valid, w, dtype):
    """Per-target weight: w[target], zero for ignored targets (None when all are 1)."""
    if w is not None:
        c = w[ts]
        if valid is not None:
            c = c * valid
        return c
    if valid is not None:
        return valid.astype(dtype)
    return None


class CrossEntropy(Function):
    """log_softmax + nll_loss on class-index targets (with weights, ignore_index and label
    smoothing), as one op: the input gradient is (softmax - onehot) scaled per sample."""

    @staticmethod
    def forward(ctx, x, t, w, red, ii, ls):
        shape = x.shape
        x2, t2 = _as_rows(x, t)
        m, c = x2.shape
        e, s, shift = _exp_rows(x2)
        lse = xp.log(s)                           # logsumexp of each row, minus shift
        ts, valid = _class_targets(t2, c, ii)
        rows = xp.arange(m)
        et = _pick(e, rows, ts)
        if m == 0 or et.min() > 1e-30:
            nll = xp.log(s / et)                  # -log softmax at the target, to a few ulp
        else:                                     # some target probability underflowed
            ok = et > 1e-30
            nll = xp.where(ok, xp.log(s / xp.where(ok, et, 1)), lse - (x2[rows, ts] - shift))
        coef = _sample_coef(ts, valid, w, x.dtype)
        li = nll if coef is None else nll * coef
        if ls > 0:
            z = x2 - (shift.reshape(-1, 1) if getattr(shift, "ndim", 0) else shift)
            if w is None:
                smooth = c * lse - z.sum(1)       # -sum_c log_softmax
            else:
                smooth = w.sum() * lse - z @ w
            if valid is not None:
                smooth *= valid
            li = (1 - ls) * li + (ls / c) * smooth
        if red == NONE:
            out = li.reshape(t.shape)
            denom = None
        else:
            out = li.sum()
            if red == MEAN:
                denom = m if coef is None else coef.sum()
                out = out / denom if denom else out * float("nan")
            else:
                denom = None
        ctx.save_for_backward(e, s, ts, coef, valid, w)
        ctx.cfg = (red, ls, shape, denom)
        return xp.asarray(out, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        e, s, ts, coef, valid, w = ctx.saved_arrays
        red, ls, shape, denom = ctx.cfg
        m, c = e.shape
        if red == NONE:
            gs = g.reshape(m)
        elif red == MEAN:
            gs = g / denom if denom else g * 0     # every target ignored: no gradient
        else:
            gs = g
        a = gs if coef is None else gs * coef     # weight of (softmax - onehot) per sample
        rows = xp.arange(m)
        if ls > 0:
            b = (ls / c) * gs
            if valid is not None:
                b = b * valid
            a = (1 - ls) * a
            wsum = c if w is None else w.sum()
            k = (a + b * wsum) / s
            gx = e * k.reshape(-1, 1)
            gx[rows, ts] -= a
            bb = b.reshape(-1, 1) if getattr(b, "ndim", 0) else b
            gx -= bb if w is None else bb * w
        else:
            gx = e * (a / s).reshape(-1, 1)
            gx[rows, ts] -= a
        return _from_rows(gx, shape), None, None, None, None, None


_CE = _variants(CrossEntropy, "NllLossBackward0", "NllLoss2DBackward0", "ViewBackward0",
                "AddBackward0")


class CrossEntropyProb(Function):
    """Cross entropy against class probabilities (targets of the input's shape)."""

    @staticmethod
    def forward(ctx, x, y, w, red, ls):
        shape = x.shape
        x2, y2 = _rows(x), _rows(y)
        m, c = x2.shape
        mx = x2.max(1, keepdims=True)
        logp = x2 - mx
        logp -= xp.log(xp.exp(logp).sum(1, keepdims=True))
        q = y2 * (1 - ls) + ls / c if ls > 0 else y2
        if w is not None:
            q = q * w
        li = -(logp * q).sum(1)
        if red == NONE:
            out = li.reshape(shape[:1] + shape[2:] if x.ndim > 1 else ())
        else:
            out = li.sum()
            if red == MEAN:
                out = out / m if m else out * float("nan")
        ctx.save_for_backward(logp, q, w)
        ctx.cfg = (red, ls, shape)
        return xp.asarray(out, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        logp, q, w = ctx.saved_arrays
        red, ls, shape = ctx.cfg
        m, c = logp.shape
        if red == NONE:
            gs = g.reshape(m, 1)
        else:
            gs = g / m if red == MEAN else g
        need = ctx.needs_input_grad
        gx = gy = None
        if need[0]:
            p = xp.exp(logp)
            gx = p * q.sum(1, keepdims=True)
            gx -= q
            gx *= gs
            gx = _from_rows(gx, shape)
        if need[1]:
            gy = -logp * gs
            if w is not None:
                gy *= w
            if ls > 0:
                gy *= (1 - ls)
            gy = _from_rows(gy, shape)
        return gx, gy, None, None, None


_CEP = _variants(CrossEntropyProb, "NegBackward0", "DivBackward1")


class NllLoss(Function):
    @staticmethod
    def forward(ctx, x, t, w, red, ii):
        shape = x.shape
        x2, t2 = _as_rows(x, t)
        m, c = x2.shape
        ts, valid = _class_targets(t2, c, ii)
        rows = xp.arange(m)
        coef = _sample_coef(ts, valid, w, x.dtype)
        li = -_pick(x2, rows, ts)
        if coef is not None:
            li = li * coef
        denom = None
        if red == NONE:
            out = li.reshape(t.shape)
        else:
            out = li.sum()
            if red == MEAN:
                denom = m if coef is None else coef.sum()
                out = out / denom if denom else out * float("nan")
        ctx.save_for_backward(ts, coef)
        ctx.cfg = (red, shape, denom, c)
        return xp.asarray(out, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        ts, coef = ctx.saved_arrays
        red, shape, denom, c = ctx.cfg
        m = ts.size
        if red == NONE:
            gs = g.reshape(m)
        elif red == MEAN:
            gs = g / denom if denom else g * 0     # every target ignored: no gradient
        else:
            gs = g
        a = gs if coef is None else gs * coef
        gx = xp.zeros((m, c), dtype=g.dtype)
        gx[xp.arange(m), ts] = -a
        return _from_rows(gx, shape), None, None, None, None


_NLL = _variants(NllLoss, "NllLossBackward0", "NllLoss2DBackward0", "ViewBackward0")


def _check_class_weight(weight, c, dtype, prefix=""):
    if weight is None:
        return None
    if weight._data.size != c:
        raise RuntimeError(f"{prefix}weight tensor should be defined either for all {c} classes "
                           f"or no classes but got weight tensor of shape: "
                           f"{list(weight._data.shape)}")
    if weight._data.dtype != dtype:
        raise RuntimeError(f"expected scalar type {_tname(dtype)} but found "
                           f"{_tname(weight._data.dtype)}")
    return weight._data.reshape(c)


def _check_nll(input, target, weight):
    """PyTorch's nll_loss_nd checks; returns the class weights as an array (or None) and the
    variant index of the grad_fn name."""
    x, t = input._data, target._data
    nd = x.ndim
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd != 1 and x.shape[0] != (t.shape[0] if t.ndim else 1):
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target "
                         f"batch_size ({t.shape[0] if t.ndim else 1}).")
    if nd <= 2:
        if t.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    elif nd == 4:
        if t.ndim != 3:
            raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                               f"targets of dimension: {t.ndim}")
        if t.shape[1:] != x.shape[2:]:
            raise RuntimeError(f"size mismatch (got input: {list(x.shape)} , target: "
                               f"{list(t.shape)}")
    elif t.shape[1:] != x.shape[2:]:
        raise RuntimeError(f"Expected target size {[x.shape[0]] + list(x.shape[2:])}, got "
                           f"{list(t.shape)}")
    if t.dtype != np.int64 and t.dtype != np.uint8:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_tname(t.dtype)}")
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"nll_loss_out_frame" not implemented for '
                                  f"'{_tname(x.dtype)}'")
    c = x.shape[0] if nd == 1 else x.shape[1]
    w = _check_class_weight(weight, c, x.dtype)
    return w


def _nll_variant(nd, red):
    if nd <= 2:
        return 0
    if red == NONE and nd != 4:
        return 2
    return 1


def nll_loss_nd(input, target, weight=None, reduction=MEAN, ignore_index=-100):
    """Negative log-likelihood of log-probabilities ``input`` at class indices ``target``."""
    w = _check_nll(input, target, weight)
    return _NLL[_nll_variant(input._data.ndim, reduction)].apply(
        input, target, w, reduction, ignore_index)


def cross_entropy_loss(input, target, weight=None, reduction=MEAN, ignore_index=-100,
                       label_smoothing=0.0):
    """PyTorch's cross_entropy_loss: class indices or class probabilities as targets."""
    x, t = input._data, target._data
    if (x.ndim == 2 and t.ndim == 1 and weight is None and not label_smoothing
            and t.dtype == np.int64 and x.shape[0] == t.shape[0] and x.dtype.kind == "f"):
        return _CE[0].apply(input, target, None, reduction, ignore_index, 0.0)   # common case
    if x.shape == t.shape:
        if t.dtype.kind != "f":
            raise RuntimeError("Expected floating point type for target with class "
                               f"probabilities, got {_tname(t.dtype)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        if label_smoothing > 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                               f"{label_smoothing}")
        if x.dtype.kind != "f":
            raise NotImplementedError(f'"log_softmax_lastdim_kernel_impl" not implemented for '
                                      f"'{_tname(x.dtype)}'")
        c = x.shape[0] if x.ndim == 1 else x.shape[1]
        w = _check_class_weight(weight, c, x.dtype, "cross_entropy: ")
        if t.dtype != x.dtype:
            target = target.to(input.dtype)
        return _CEP[1 if reduction == MEAN else 0].apply(input, target, w, reduction,
                                                         float(label_smoothing))
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if x.dtype.kind != "f" and x.ndim >= 1:
        raise NotImplementedError(f'"log_softmax_lastdim_kernel_impl" not implemented for '
                                  f"'{_tname(x.dtype)}'")
    w = _check_nll(input, target, weight)
    ls = float(label_smoothing)
    k = 3 if ls > 0 else _nll_variant(x.ndim, reduction)
    return _CE[k].apply(input, target, w, reduction, ignore_index, ls)


# ----------------------------------------------------------------------------- other losses


class KlDiv(Function):
    @staticmethod
    def forward(ctx, x, y, red, log_target):
        if log_target:
            ey = xp.exp(y)
            l = ey * (y - x)
            ctx.save_for_backward(x, y, ey)
        else:
            zero = y == 0
            with np.errstate(invalid="ignore", divide="ignore"):
                ly = xp.log(y)                   # xlogy(y, y): 0 where y == 0, nan where y < 0
            l = xp.where(zero, 0, y * ly).astype(x.dtype, copy=False)
            l -= y * x
            ly += 1
            ctx.save_for_backward(x, y, ly, zero)
        ctx.cfg = (red, log_target)
        if red == BATCHMEAN:
            s = l.sum()
            return xp.asarray(s / x.shape[0] if x.ndim else s)
        return _reduce(l, red)

    @staticmethod
    def backward(ctx, g):
        red, log_target = ctx.cfg
        saved = ctx.saved_arrays
        x, y = saved[0], saved[1]
        if red == BATCHMEAN:
            gs = g / x.shape[0] if x.ndim else g
        else:
            gs = _gscale(g, red, x.size)
        need = ctx.needs_input_grad
        gx = gy = None
        if log_target:
            ey = saved[2]
            if need[0]:
                gx = -ey * gs
            if need[1]:
                gy = ey * (y - x + 1) * gs
        else:
            ly, zero = saved[2], saved[3]
            if need[0]:
                gx = -y * gs
            if need[1]:   # PyTorch's xlogy derivative: y / y is nan at y == 0
                gy = xp.where(zero, xp.nan, ly - x).astype(x.dtype, copy=False) * gs
        return gx, gy, None, None


_KL = _variants(KlDiv, "SubBackward0", "MeanBackward0", "SumBackward0", "DivBackward0",
                "MulBackward0")


class SoftMarginLoss(Function):
    @staticmethod
    def forward(ctx, x, y, red):
        z = -y * x
        ctx.save_for_backward(y, z)
        ctx.red = red
        return _reduce(_softplus(z), red)

    @staticmethod
    def backward(ctx, g):
        y, z = ctx.saved_arrays
        return -y * _sigmoid(z) * _gscale(g, ctx.red, z.size), None, None


class HingeEmbedding(Function):
    @staticmethod
    def forward(ctx, x, y, red, margin):
        notpos = y != 1
        notneg = y != -1
        mx = margin - x
        act = mx >= 0
        l = xp.where(notpos & act, mx, 0) + xp.where(notneg, x, 0)
        ctx.save_for_backward(notpos & act, notneg)
        ctx.red = red
        return _reduce(l.astype(x.dtype, copy=False), red)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_arrays
        d = b.astype(g.dtype)
        d -= a
        return d * _gscale(g, ctx.red, a.size), None, None, None


_HINGE = _variants(HingeEmbedding, "AddBackward0", "MeanBackward0", "SumBackward0")


class MarginRanking(Function):
    @staticmethod
    def forward(ctx, x1, x2, y, red, margin):
        d = x1 - x2
        z = margin - y * d
        act = z >= 0
        ctx.save_for_backward(d, y, act)
        ctx.red = red
        return _reduce(xp.maximum(z, 0), red)

    @staticmethod
    def backward(ctx, g):
        d, y, act = ctx.saved_arrays
        gs = _gscale(g, ctx.red, act.size) * act
        need = ctx.needs_input_grad
        g1 = -y * gs if need[0] or need[1] else None
        return (g1 if need[0] else None, (-g1 if need[1] else None),
                (-d * gs if need[2] else None), None, None)


_MRANK = _variants(MarginRanking, "ClampMinBackward0", "MeanBackward0", "SumBackward0")


class CosineEmbedding(Function):
    @staticmethod
    def forward(ctx, x1, x2, y, red, margin):
        ax = x1.ndim - 1
        p = (x1 * x2).sum(ax)
        s1 = (x1 * x1).sum(ax) + 1e-12
        s2 = (x2 * x2).sum(ax) + 1e-12
        den = xp.sqrt(s1 * s2)
        cos = p / den
        pos = y == 1
        neg = (y == -1) & (cos - margin >= 0)
        l = xp.where(pos, 1 - cos, 0) + xp.where(neg, cos - margin, 0)
        ctx.save_for_backward(x1, x2, s1, s2, den, cos, pos, neg)
        ctx.red = red
        return _reduce(l.astype(x1.dtype, copy=False), red)

    @staticmethod
    def backward(ctx, g):
        x1, x2, s1, s2, den, cos, pos, neg = ctx.saved_arrays
        dc = (neg.astype(cos.dtype) - pos) * _gscale(g, ctx.red, cos.size)
        need = ctx.needs_input_grad
        dc = dc[..., None]
        den, cos, s1, s2 = den[..., None], cos[..., None], s1[..., None], s2[..., None]
        g1 = dc * (x2 / den - cos * x1 / s1) if need[0] else None
        g2 = dc * (x1 / den - cos * x2 / s2) if need[1] else None
        return g1, g2, None, None, None


_COSEMB = _variants(CosineEmbedding, "AddBackward0", "MeanBackward0", "SumBackward0")


class MultiMargin(Function):
    node_name = "MultiMarginLossBackward0"
    @staticmethod
    def forward(ctx, x, t, w, red, p, margin):
        one = x.ndim == 1
        x2 = x.reshape(1, -1) if one else x
        t2 = t.reshape(-1)
        n, c = x2.shape
        rows = xp.arange(n)
        z = x2 - x2[rows, t2].reshape(-1, 1)
        z += margin
        z[rows, t2] = 0
        h = xp.maximum(z, 0)
        hp = h * h if p == 2 else h
        if w is not None:
            hp *= w[t2].reshape(-1, 1)
        li = hp.sum(1) * (1 / c)
        ctx.save_for_backward(h, t2, w)
        ctx.cfg = (red, p, one)
        if red == NONE:
            return li.reshape(()) if one else li
        return _reduce(li, red)

    @staticmethod
    def backward(ctx, g):
        h, t2, w = ctx.saved_arrays
        red, p, one = ctx.cfg
        n, c = h.shape
        gs = g.reshape(n, 1) if red == NONE else _gscale(g, red, n)
        d = (2 * h) if p == 2 else (h > 0).astype(h.dtype)
        if w is not None:
            d *= w[t2].reshape(-1, 1)
        d *= gs * (1 / c)
        rows = xp.arange(n)
        d[rows, t2] = -d.sum(1)
        return (d.reshape(c) if one else d), None, None, None, None, None


class MultilabelMargin(Function):
    """sum over target classes j and non-target classes i of max(0, 1 - (x[j] - x[i])) / C;
    each target row lists class indices and ends at the first -1."""
    node_name = "MultilabelMarginLossBackward0"

    @staticmethod
    def forward(ctx, x, t, red):
        one = x.ndim <= 1
        x2 = x.reshape(1, -1) if one else x
        t2 = t.reshape(x2.shape)
        n, c = x2.shape
        listed = xp.cumsum(t2 == -1, axis=1) == 0
        isT = xp.zeros((n, c + 1), dtype=bool)
        isT[xp.arange(n)[:, None], xp.where(listed, t2, c)] = True
        isT = isT[:, :c]
        pair = isT[:, :, None] & ~isT[:, None, :]            # (n, j target, i other)
        h = 1 - x2[:, :, None] + x2[:, None, :]
        act = pair & (h > 0)
        li = xp.where(act, h, 0).sum((1, 2)).astype(x.dtype, copy=False) * (1 / c)
        ctx.save_for_backward(act)
        ctx.cfg = (red, x.shape)
        if red == NONE:
            return li.reshape(()) if one else li
        return _reduce(li, red)

    @staticmethod
    def backward(ctx, g):
        act, = ctx.saved_arrays
        red, shape = ctx.cfg
        n, c, _ = act.shape
        gs = g.reshape(n, 1) if red == NONE else _gscale(g, red, n)
        a = act.astype(g.dtype)
        d = a.sum(1) - a.sum(2)
        d *= gs * (1 / c)
        return d.reshape(shape), None, None


class PoissonNll(Function):
    @staticmethod
    def forward(ctx, x, y, red, log_input, full, eps):
        if log_input:
            ex = xp.exp(x)
            l = ex - y * x
            ctx.save_for_backward(x, y, ex)
        else:
            xe = x + eps
            l = x - y * xp.log(xe)
            ctx.save_for_backward(x, y, xe)
        big = None
        if full:
            big = y > 1
            ys = xp.where(big, y, 1)
            l = l + xp.where(big, ys * xp.log(ys) - ys + 0.5 * xp.log(2 * math.pi * ys), 0)
        ctx.cfg = (red, log_input, big)
        return _reduce(l.astype(x.dtype, copy=False), red)

    @staticmethod
    def backward(ctx, g):
        red, log_input, big = ctx.cfg
        x, y, k = ctx.saved_arrays
        gs = _gscale(g, red, y.size)
        need = ctx.needs_input_grad
        gx = gy = None
        if need[0]:
            gx = ((k - y) if log_input else (1 - y / k)) * gs
        if need[1]:
            gy = -x if log_input else -xp.log(k)
            if big is not None:
                ys = xp.where(big, y, 1)
                gy = gy + xp.where(big, xp.log(ys) + 0.5 / ys, 0)
            gy = gy * gs
        return gx, gy, None, None, None, None


_POISSON = _variants(PoissonNll, "SubBackward0", "MeanBackward0", "SumBackward0",
                     "AddBackward0")


# ============================================================================ linear maps


_CNAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long",
           "int32": "int", "int16": "short", "int8": "signed char", "uint8": "unsigned char",
           "bool": "bool", "complex64": "c10::complex<float>",
           "complex128": "c10::complex<double>"}


class Linear(Function):
    """x @ W.T + b in one BLAS call; backward gives dx = g @ W, dW = g.T @ x, db = sum(g)."""

    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        if x.ndim == 2:
            y = xp.matmul(x, w.T)
        elif x.ndim == 1:
            y = xp.matmul(w, x)
        else:
            y = xp.matmul(x.reshape(-1, x.shape[-1]), w.T).reshape(x.shape[:-1] + w.shape[:1])
        if b is not None:
            y += b
        return y

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_arrays
        need = ctx.needs_input_grad
        gx = gw = gb = None
        if x.ndim == 1:
            if need[0]:
                gx = xp.matmul(g, w)
            if need[1]:
                gw = xp.multiply.outer(g, x)
            if need[2]:
                gb = g
            return gx, gw, gb
        g2 = g if g.ndim == 2 else g.reshape(-1, g.shape[-1])
        if need[0]:
            gx = xp.matmul(g2, w)
            if x.ndim != 2:
                gx = gx.reshape(x.shape)
        if need[1]:
            x2 = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
            gw = xp.matmul(g2.T, x2)
        if need[2]:
            gb = g2.sum(0)
        return gx, gw, gb


_LIN = {(2, True): "AddmmBackward0", (2, False): "MmBackward0", (1, True): "ViewBackward0",
        (1, False): "SqueezeBackward4", (3, True): "ViewBackward0",
        (3, False): "UnsafeViewBackward0"}
_LINEAR = {k: _variants(Linear, v)[0] for k, v in _LIN.items()}


class LinearVec(Function):
    """x @ w for a 1-d weight (PyTorch's linear with a vector weight)."""
    node_name = "MvBackward0"

    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        y = xp.matmul(x, w)
        if b is not None:
            y = y + b
        return y

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_arrays
        gx = g[..., None] * w
        gw = (g[..., None] * x).reshape(-1, w.size).sum(0)
        return gx, gw, (g if ctx.needs_input_grad[2] else None)


def linear(input, weight, bias=None):
    """y = input @ weight.T + bias, one Function with a fused backward."""
    x, w = input._data, weight._data
    nd = x.ndim
    if w.ndim == 2 and 0 < nd and x.shape[-1] == w.shape[1] and x.dtype is w.dtype and (
            bias is None or bias._data.dtype is x.dtype):
        return _LINEAR[(nd if nd < 3 else 3, bias is not None)].apply(input, weight, bias)
    if nd == 0 or w.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{nd}D and {w.ndim}D")
    if w.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {w.ndim}D")
    if x.dtype != w.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_CNAMES[x.dtype.name]} != {_CNAMES[w.dtype.name]}")
    if w.ndim == 1:
        if x.shape[-1] != w.shape[0]:
            raise RuntimeError(f"size mismatch, got input ({x.shape[-1]}), weight ({w.shape[0]})")
        return LinearVec.apply(input, weight, bias)
    if x.shape[-1] != w.shape[1]:
        rows = 1
        for s in x.shape[:-1]:
            rows *= s
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} "
                           f"and {w.shape[1]}x{w.shape[0]})")
    b = bias._data
    if b.dtype != x.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_tname(b.dtype)} "
                           f"and {_tname(x.dtype)}")
    return _LINEAR[(nd if nd < 3 else 3, True)].apply(input, weight, bias)


class Bilinear(Function):
    @staticmethod
    def forward(ctx, x1, x2, a, b):
        lead = x1.shape[:-1]
        u = x1.reshape(-1, x1.shape[-1])
        v = x2.reshape(-1, x2.shape[-1])
        t = xp.tensordot(u, a, axes=([1], [1]))          # (N, out, in2)
        y = xp.einsum("nkj,nj->nk", t, v)
        if b is not None:
            y += b
        ctx.save_for_backward(u, v, a, t)
        ctx.shapes = (x1.shape, x2.shape)
        return y.reshape(lead + a.shape[:1])

    @staticmethod
    def backward(ctx, g):
        u, v, a, t = ctx.saved_arrays
        s1, s2 = ctx.shapes
        g2 = g.reshape(-1, a.shape[0])
        need = ctx.needs_input_grad
        g1 = gv = ga = gb = None
        if need[0]:
            g1 = xp.einsum("nk,kij,nj->ni", g2, a, v, optimize=True).reshape(s1)
        if need[1]:
            gv = xp.einsum("nk,nkj->nj", g2, t).reshape(s2)
        if need[2]:
            ga = xp.einsum("nk,ni,nj->kij", g2, u, v, optimize=True)
        if need[3]:
            gb = g2.sum(0)
        return g1, gv, ga, gb


_BIL = _variants(Bilinear, "AddBackward0", "ViewBackward0")


@register(method=False)
def bilinear(input1, input2, weight, bias=None):
    """y_k = input1 @ weight[k] @ input2 + bias[k]."""
    a1, a2, w = input1._data, input2._data, weight._data
    if a1.ndim != a2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {a1.ndim} and "
                           f"{a2.ndim}")
    for i in range(a1.ndim - 1):
        if a1.shape[i] != a2.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: "
                               f"got {a1.shape[i]} and {a2.shape[i]}")
    if a1.shape[-1] != w.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{a1.shape[-1]} but expected {w.shape[1]}")
    if a2.shape[-1] != w.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{a2.shape[-1]} but expected {w.shape[2]}")
    if bias is not None and bias._data.shape[-1] != w.shape[0]:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                           f"{bias._data.shape[-1]} but expected {w.shape[0]}")
    return _BIL[0 if bias is not None else 1].apply(input1, input2, weight, bias)


# ============================================================================ norms, distances


def _pnorm(x, p, axis):
    """The p-norm of x along ``axis`` (keepdims)."""
    ax = xp.abs(x)
    if p == 2:
        return xp.sqrt((x * x).sum(axis, keepdims=True))
    if p == 1:
        return ax.sum(axis, keepdims=True)
    if p == math.inf:
        return ax.max(axis, keepdims=True)
    if p == -math.inf:
        return ax.min(axis, keepdims=True)
    if p == 0:
        return (x != 0).sum(axis, keepdims=True).astype(x.dtype)
    return (ax ** p).sum(axis, keepdims=True) ** (1.0 / p)


def _pnorm_grad(x, n, p, axis):
    """d norm / d x (n is the kept-dims norm), 0 where the norm is 0."""
    if p == 0:
        return xp.zeros_like(x)
    if p == 1:
        return xp.sign(x)
    if p == math.inf or p == -math.inf:
        m = (xp.abs(x) == n)
        return xp.sign(x) * m / m.sum(axis, keepdims=True)
    safe = xp.where(n == 0, 1, n)
    if p == 2:
        return xp.where(n == 0, 0, x / safe)
    r = xp.sign(x) * xp.abs(x) ** (p - 1) / safe ** (p - 1)
    return xp.where(n == 0, 0, r)


class Normalize(Function):
    node_name = "DivBackward0"

    @staticmethod
    def forward(ctx, x, p, dim, eps):
        n = _pnorm(x, p, dim)
        d = xp.maximum(n, eps)
        ctx.save_for_backward(x, n, d)
        ctx.cfg = (p, dim, eps)
        return x / d

    @staticmethod
    def backward(ctx, g):
        x, n, d = ctx.saved_arrays
        p, dim, eps = ctx.cfg
        gx = g / d
        k = (g * x).sum(dim, keepdims=True) / (d * d) * (n >= eps)
        gx -= k * _pnorm_grad(x, n, p, dim)
        return gx, None, None, None


class CosineSimilarity(Function):
    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx, x1, x2, dim, eps):
        if x1.shape != x2.shape:
            x1, x2 = xp.broadcast_arrays(x1, x2)
        c1 = xp.maximum(xp.sqrt((x1 * x1).sum(dim, keepdims=True)), eps)
        c2 = xp.maximum(xp.sqrt((x2 * x2).sum(dim, keepdims=True)), eps)
        a = x1 / c1
        b = x2 / c2
        y = (a * b).sum(dim)
        ctx.save_for_backward(a, b, c1, c2, y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, g):
        a, b, c1, c2, y = ctx.saved_arrays
        dim = ctx.dim
        gk = xp.expand_dims(g, dim)
        yk = xp.expand_dims(y, dim)
        need = ctx.needs_input_grad
        g1 = gk * (b - yk * a) / c1 if need[0] else None
        g2 = gk * (a - yk * b) / c2 if need[1] else None
        return g1, g2, None, None


@register(method=False)
def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between x1 and x2 along ``dim`` (broadcasting)."""
    a1, a2 = x1._data, x2._data
    nd = max(a1.ndim, a2.ndim)
    try:
        np.broadcast_shapes(a1.shape, a2.shape)
    except ValueError:
        for i in range(1, nd + 1):
            s1 = a1.shape[-i] if i <= a1.ndim else 1
            s2 = a2.shape[-i] if i <= a2.ndim else 1
            if s1 != s2 and s1 != 1 and s2 != 1:
                raise RuntimeError(f"The size of tensor a ({s1}) must match the size of tensor "
                                   f"b ({s2}) at non-singleton dimension {nd - i}") from None
    d = _wrap_dim(dim, nd)
    if a1.dtype != a2.dtype:
        dt = result_type(x1, x2)
        x1, x2 = x1.to(dt), x2.to(dt)
    elif a1.dtype.kind not in "fc":
        x1, x2 = x1.float(), x2.float()
    return CosineSimilarity.apply(x1, x2, d, eps)


class PairwiseDistance(Function):
    node_name = "NormBackward1"

    @staticmethod
    def forward(ctx, x1, x2, p, eps, keepdim):
        d = x1 - x2
        d += eps
        if d.ndim == 0:
            d = d.reshape(1)
        n = _pnorm(d, p, -1)
        ctx.save_for_backward(d, n)
        ctx.cfg = (p, keepdim)
        return n if keepdim else n.reshape(n.shape[:-1])

    @staticmethod
    def backward(ctx, g):
        d, n = ctx.saved_arrays
        p, keepdim = ctx.cfg
        gk = g if keepdim else xp.expand_dims(g, -1)
        gd = gk * _pnorm_grad(d, n, p, -1)
        return gd, -gd if ctx.needs_input_grad[1] else None, None, None, None


@register(method=False)
def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """p-norm of x1 - x2 + eps along the last dimension."""
    if x1._data.dtype != x2._data.dtype:
        dt = result_type(x1, x2)
        x1, x2 = x1.to(dt), x2.to(dt)
    return PairwiseDistance.apply(x1, x2, p, eps, keepdim)


# ============================================================================ padding, one_hot


class ConstantPadNd(Function):
    @staticmethod
    def forward(ctx, x, pad, value):
        nd = x.ndim
        out_shape = list(x.shape)
        src = [slice(None)] * nd
        dst = [slice(None)] * nd
        for i in range(len(pad) // 2):
            d = nd - 1 - i
            lo, hi = pad[2 * i], pad[2 * i + 1]
            n = x.shape[d]
            size = n + lo + hi
            if size < 0:
                raise RuntimeError(f"The input size {n}, plus negative padding {lo} and {hi} "
                                   f"resulted in a negative output size, which is invalid. "
                                   f"Check dimension {d} of your input.")
            out_shape[d] = size
            s0, s1 = max(-lo, 0), n - max(-hi, 0)
            d0 = max(lo, 0)
            src[d] = slice(s0, max(s1, s0))
            dst[d] = slice(d0, d0 + max(s1 - s0, 0))
        out = xp.full(out_shape, value, dtype=x.dtype)
        src, dst = tuple(src), tuple(dst)
        out[dst] = x[src]
        ctx.cfg = (x.shape, src, dst)
        return out

    @staticmethod
    def backward(ctx, g):
        shape, src, dst = ctx.cfg
        gx = xp.zeros(shape, dtype=g.dtype)
        gx[src] = g[dst]
        return gx, None, None


@register(method=False)
def constant_pad_nd(input, pad, value=0):
    """Pad the last len(pad) // 2 dimensions with ``value`` (negative pads crop)."""
    pad = tuple(int(p) for p in pad)
    nd = input._data.ndim
    if len(pad) % 2:
        raise RuntimeError("Length of pad must be even but instead it equals " + str(len(pad)))
    if len(pad) // 2 > nd:
        raise RuntimeError(f"Length of pad should be no more than twice the number of dimensions "
                           f"of the input. Pad length is {len(pad)} while the input has {nd} "
                           f"dimensions.")
    a = input._data
    v = value if a.dtype.kind in "fc" else int(value)
    return ConstantPadNd.apply(input, pad, v)


def one_hot(tensor, num_classes=-1):
    """Int64 one-hot encoding with a trailing class dimension."""
    t = tensor._data
    if t.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if t.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(t.max()) + 1
    if t.size:
        if t.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if t.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = (t[..., None] == xp.arange(num_classes)).astype(np.int64)
    return _new_tensor(out)


# ============================================================================ torch-level names


# PyTorch names some in-place kernels' nodes ...Backward1 (elu_ gives EluBackward1)
_INPLACE = {c: _variants(c, n)[0] for c, n in [
    (Elu, "EluBackward1"), (Celu, "CeluBackward1"), (LeakyRelu, "LeakyReluBackward1"),
    (Threshold, "ThresholdBackward1"), (Rrelu, "RreluWithNoiseBackward1")]}


def _inplace(fn, input, name, *args):
    """Apply ``fn`` to ``input`` and write the result into it (the ``inplace=True`` forms)."""
    return commit_inplace(input, _INPLACE.get(fn, fn).apply(input, *args), name)


@register(method=False)
def selu(input):
    """scale * elu(x, alpha) with the self-normalising constants."""
    _float_only(input, "elu_cpu")
    return Elu.apply(input, 1.6732632423543772, 1.0507009873554805, 1.0)


@register(method=False)
def celu(input, alpha=1.0):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    _float_only(input, "elu_cpu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return Celu.apply(input, float(alpha), 1.0, 1.0 / alpha)


@register(method=False)
def threshold(input, threshold, value):
    """x where x > threshold, else value."""
    return Threshold.apply(input, threshold, value)


@register()
def prelu(input, weight):
    """max(0, x) + weight * min(0, x), one weight per channel (dim 1) or one for all."""
    x, w = input._data, weight._data
    _float_only(input, "prelu_cpu")
    if w.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {w.ndim}")
    if w.size != 1:
        ch = x.shape[1] if x.ndim > 1 else 1
        if ch != w.size:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {w.size} and channel size = {ch}.")
    return Prelu.apply(input, weight)


@register()
def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0."""
    _float_only(input, "hardshrink_cpu")
    return Hardshrink.apply(input, lambd)


@register(method=False)
def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """Leaky ReLU with a random slope in [lower, upper] per element (their mean in eval)."""
    return _rrelu(input, lower, upper, training, False)


def _rrelu(input, lower, upper, training, inplace):
    _float_only(input, "leaky_relu_cpu")
    x = input._data
    if training:
        slope = _rng().uniform(lower, upper, x.shape).astype(x.dtype)
    else:
        slope = x.dtype.type((lower + upper) / 2)
    noise = xp.where(x > 0, x.dtype.type(1), slope)
    if inplace:
        return _inplace(Rrelu, input, "rrelu_", noise)
    return Rrelu.apply(input, noise)


__all__ = ["softmax", "log_softmax", "linear", "bilinear", "one_hot", "cross_entropy_loss",
           "nll_loss_nd", "cosine_similarity", "pairwise_distance", "constant_pad_nd"]
