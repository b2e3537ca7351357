"""Normalisation: batch, layer, group, instance and local response norm.

Batch norm is one Function (grad_fn ``NativeBatchNormBackward0``) on an (N, C, L) view of the
input: statistics come from one pass of sums (``sum`` and ``vecdot(x, x)``, with a two-pass
fallback when the variance is tiny next to the mean), the output is ``x * scale + shift`` per
channel, and the input gradient is the fused per-channel form ``a * dy + b * x + c``, so no
normalised copy of the input is ever stored. Running statistics are updated in place (unbiased
variance, ``momentum``), as PyTorch. Layer and group norm share one row-wise kernel.
"""
import numpy as np   # dtype constants only; compute goes through ``xp``

from ..backend import xp
from ..autograd.function import Function
from ..tensor import Tensor, _new_tensor
from ._registry import register

__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm", "FUNCTIONAL"]


_CENTRE = 30.0   # |mean| / std above which the normalisation is computed in centred form


def _csum(a3):
    """Per-channel sum of an (N, C, L) array: a matrix-vector product with ones (~2.5x faster
    than ``sum`` over two axes)."""
    return xp.matmul(a3, xp.ones(a3.shape[2], a3.dtype)).sum(axis=0)


def _moments(x3):
    """Per-channel mean and biased variance of an (N, C, L) array over N and L."""
    N, C, L = x3.shape
    m = N * L
    mean = _csum(x3) / m
    s2 = xp.vecdot(x3, x3).sum(axis=0)
    var = s2 / m - mean * mean
    # one-pass variance loses digits when var << mean**2: redo such batches in two passes,
    # accumulating in float64 (PyTorch's CPU kernels accumulate in double too)
    if not (var > 1e-3 * mean * mean).all():
        mean64 = x3.sum(axis=(0, 2), dtype=np.float64) / m
        xc = x3 - mean64[:, None]
        var = (xp.vecdot(xc, xc).sum(axis=0) / m).astype(x3.dtype)
        mean = mean64.astype(x3.dtype)
    xp.maximum(var, 0, out=var)
    return mean, var


class BatchNorm(Function):
    node_name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, rm, rv, training, momentum, eps):
        N, C = x.shape[:2]
        x3 = x.reshape(N, C, -1)
        if training:
            mean, var = _moments(x3)
            m = x3.shape[0] * x3.shape[2]
            if rm is not None:
                rm *= 1 - momentum
                rm += (momentum * mean).astype(rm.dtype, copy=False)
            if rv is not None:
                rv *= 1 - momentum
                rv += (momentum * m / max(m - 1, 1) * var).astype(rv.dtype, copy=False)
        else:
            mean, var = rm.astype(x.dtype, copy=False), rv.astype(x.dtype, copy=False)
        invstd = 1.0 / xp.sqrt(var + eps)
        invstd = invstd.astype(x.dtype, copy=False)
        scale = invstd if w is None else invstd * w
        # x * scale + shift is one pass less than (x - mean) * scale + b, but cancels digits
        # when |mean| >> std: keep the centred form for such channels' batches
        centred = bool((xp.abs(mean) * invstd > _CENTRE).any())
        if centred:
            y = xp.subtract(x3, mean[:, None])
            y *= scale[:, None]
            if b is not None:
                y += b[:, None]
        else:
            shift = -mean * scale
            if b is not None:
                shift += b
            y = xp.multiply(x3, scale[:, None])
            y += shift[:, None]
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(x, w)
            ctx.cfg = (mean.copy() if not training else mean, invstd, training, centred)
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_arrays
        mean, invstd, training, centred = ctx.cfg
        need = ctx.needs_input_grad
        N, C = x.shape[:2]
        x3 = x.reshape(N, C, -1)
        g3 = g.reshape(N, C, -1)
        m = x3.shape[0] * x3.shape[2]
        sg = _csum(g3)
        sgx = xp.vecdot(g3, x3).sum(axis=0)
        sgxhat = (sgx - mean * sg) * invstd          # sum(g * xhat) per channel
        gx = gw = gb = None
        if need[0]:
            k = invstd if w is None else invstd * w
            if training:   # per channel a * dy + b * x + c (b * (x - mean) + c0 if centred)
                bcoef = -k * invstd * sgxhat / m
                c = -k * sg / m
                gx = xp.multiply(g3, k[:, None])
                if centred:
                    t = xp.subtract(x3, mean[:, None])
                    t *= bcoef[:, None]
                    gx += t
                else:
                    c = c - bcoef * mean
                    gx += x3 * bcoef[:, None]
                gx += c[:, None]
            else:
                gx = xp.multiply(g3, k[:, None])
            gx = gx.reshape(x.shape)
        if need[1]:
            gw = sgxhat
        if need[2]:
            gb = sg
        return gx, gw, gb, None, None, None, None, None


def _row_moments(x2):
    """Mean and biased variance of each row of a 2-D array (two-pass, exact enough)."""
    k = x2.shape[1]
    mean = x2.sum(axis=1) / k
    xc = x2 - mean[:, None]
    var = xp.vecdot(xc, xc) / k
    return mean, var, xc


class LayerNorm(Function):
    """Normalise each of the M rows of an (M, K) view; affine weight/bias of shape (K,)."""
    node_name = "NativeLayerNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, k, eps):
        x2 = x.reshape(-1, k)
        mean, var, xc = _row_moments(x2)
        rstd = (1.0 / xp.sqrt(var + eps)).astype(x.dtype, copy=False)
        xhat = xc
        xhat *= rstd[:, None]
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(w)
            ctx.cfg = (xhat if (w is not None or b is not None) else xhat.copy(), rstd,
                       x.shape, None if b is None else b.shape)
        if w is None and b is None:
            return xhat.reshape(x.shape)
        y = xhat * w.reshape(-1) if w is not None else xhat.copy()
        if b is not None:
            y += b.reshape(-1)
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):
        w, = ctx.saved_arrays
        xhat, rstd, shape = ctx.cfg[:3]
        k = xhat.shape[1]
        g2 = g.reshape(-1, k)
        need = ctx.needs_input_grad
        gx = gw = gb = None
        if need[0]:
            gh = g2 * w.reshape(-1) if w is not None else g2
            m1 = gh.sum(axis=1) / k
            m2 = xp.vecdot(gh, xhat) / k
            gx = gh - m1[:, None]
            gx -= xhat * m2[:, None]
            gx *= rstd[:, None]
            gx = gx.reshape(shape)
        if need[1]:
            gw = (g2 * xhat).sum(axis=0).reshape(w.shape)
        if need[2]:
            gb = g2.sum(axis=0).reshape(w.shape if w is not None else ctx.cfg[3])
        return gx, gw, gb, None, None


class GroupNorm(Function):
    node_name = "NativeGroupNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, G, eps):
        N, C = x.shape[:2]
        x2 = x.reshape(N * G, -1)
        mean, var, xc = _row_moments(x2)
        rstd = (1.0 / xp.sqrt(var + eps)).astype(x.dtype, copy=False)
        xc *= rstd[:, None]
        xhat = xc.reshape(N, C, -1)
        y = xhat * w[:, None] if w is not None else xhat.copy()
        if b is not None:
            y += b[:, None]
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(w)
            ctx.cfg = (xhat, rstd, G, x.shape)
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):
        w, = ctx.saved_arrays
        xhat, rstd, G, shape = ctx.cfg
        N, C, L = xhat.shape
        g3 = g.reshape(N, C, L)
        need = ctx.needs_input_grad
        gx = gw = gb = None
        if need[0]:
            gh = (g3 * w[:, None] if w is not None else g3).reshape(N * G, -1)
            xh = xhat.reshape(N * G, -1)
            k = xh.shape[1]
            m1 = gh.sum(axis=1) / k
            m2 = xp.vecdot(gh, xh) / k
            gx = gh - m1[:, None]
            gx -= xh * m2[:, None]
            gx *= rstd[:, None]
            gx = gx.reshape(shape)
        if need[1]:
            gw = xp.vecdot(g3, xhat).sum(axis=0)
        if need[2]:
            gb = g3.sum(axis=2).sum(axis=0)
        return gx, gw, gb, None, None


def _window_sum(a, lo, hi):
    """s[c] = sum of a[c - lo .. c + hi] along axis 1 (clipped), via a cumulative sum."""
    C = a.shape[1]
    cs = xp.zeros((a.shape[0], C + 1) + a.shape[2:], a.dtype)
    xp.cumsum(a, axis=1, out=cs[:, 1:])
    idx = np.arange(C)
    top = np.minimum(idx + hi + 1, C)
    bot = np.maximum(idx - lo, 0)
    return cs[:, top] - cs[:, bot]


class LocalResponseNorm(Function):
    """y = x / (k + alpha/size * sum of x^2 over neighbouring channels) ** beta."""
    node_name = "DivBackward0"

    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        lo, hi = size // 2, (size - 1) // 2
        s = _window_sum(x * x, lo, hi)
        base = s * (alpha / size) + k
        d = base ** beta
        y = x / d
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x)
            ctx.cfg = (base, d, size, alpha, beta)
        return y

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_arrays
        base, d, size, alpha, beta = ctx.cfg
        lo, hi = size // 2, (size - 1) // 2
        t = g * x / (d * base)
        back = _window_sum(t, hi, lo)   # channels c whose window contains j
        gx = g / d - (2.0 * alpha * beta / size) * x * back
        return gx, None, None, None, None


# ----------------------------------------------------------------------------- functional forms


def _tname(a):
    from .._dtype import _FROM_NP
    return _FROM_NP[a.dtype]._tensor_type[:-6] or "Float"


def _arr(t):
    return None if t is None else t._data


def _batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
                momentum=0.1, eps=1e-5):
    if not isinstance(input, Tensor):
        raise TypeError(f"batch_norm(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    a = input._data
    if a.dtype.kind != "f":
        raise RuntimeError(f"\"batch_norm\" not implemented for '{_tname(a)}'")
    if a.ndim < 2:
        raise ValueError(f"Expected 2D or more dimensional input (got {a.ndim}D input)")
    C = a.shape[1]
    if training:
        size = a.size // C
        if size == 1:
            from ..tensor import Size
            raise ValueError("Expected more than 1 value per channel when training, got input "
                             f"size {Size(a.shape)}")
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        if t is not None and t._data.size != C:
            raise RuntimeError(f"{name} should contain {C} elements not {t._data.size}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    for t in (weight, bias):
        if t is not None and t._data.dtype != a.dtype:
            raise RuntimeError(f"mixed dtype (CPU): expect parameter to have scalar type of "
                               f"{_tname(a)}")
    mom = 0.0 if momentum is None else float(momentum)
    rm = running_mean._data if running_mean is not None and training else _arr(running_mean)
    rv = running_var._data if running_var is not None and training else _arr(running_var)
    out = BatchNorm.apply(input, weight, bias, rm, rv, bool(training), mom, float(eps))
    if training:
        for t in (running_mean, running_var):
            if t is not None:
                t._version[0] += 1
    return out


def _layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    a = input._data
    if isinstance(normalized_shape, (int, np.integer)):
        normalized_shape = (int(normalized_shape),)
    ns = tuple(int(v) for v in normalized_shape)
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t._data.shape) != ns:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but "
                               f"got {name} of shape {list(t._data.shape)} and "
                               f"normalized_shape = {list(ns)}")
    if a.ndim < len(ns) or tuple(a.shape[a.ndim - len(ns):]) != ns:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*, {', '.join(map(str, ns))}], but got input of size"
                           f"{list(a.shape)}")
    if a.dtype.kind != "f":
        raise RuntimeError(f"\"LayerNormKernelImpl\" not implemented for '{_tname(a)}'")
    k = int(np.prod(ns, dtype=np.int64))
    return LayerNorm.apply(input, weight, bias, k, float(eps))


def _group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    a = input._data
    if a.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{a.ndim}")
    C = a.shape[1]
    if C % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(a.shape)} and "
                           f"num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t._data.ndim != 1 or t._data.shape[0] != C):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape "
                               f"{list(t._data.shape)} and input of shape {list(a.shape)}")
    if a.dtype.kind != "f":
        raise RuntimeError(f"\"GroupNormKernelImpl\" not implemented for '{_tname(a)}'")
    return GroupNorm.apply(input, weight, bias, int(num_groups), float(eps))


def _instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                   use_input_stats=True, momentum=0.1, eps=1e-5):
    """Batch norm of each (sample, channel) slice: runs batch_norm on a (1, N*C, ...) view,
    as PyTorch; running statistics (if given) get the batch average of the updates."""
    a = input._data
    if use_input_stats:
        sp = a.size // (a.shape[0] * a.shape[1]) if a.ndim >= 2 else 1
        if sp == 1:
            from ..tensor import Size
            raise ValueError("Expected more than 1 spatial element when training, got input "
                             f"size {Size(a.shape)}")
    N, C = a.shape[:2]
    x = input.reshape(1, N * C, *a.shape[2:])
    w = weight.repeat(N) if weight is not None else None
    b = bias.repeat(N) if bias is not None else None
    rm = _new_tensor(xp.tile(running_mean._data, N)) \
        if running_mean is not None else None
    rv = _new_tensor(xp.tile(running_var._data, N)) if running_var is not None else None
    out = _batch_norm(x, rm, rv, w, b, use_input_stats, momentum, eps)
    if use_input_stats:
        for src, dst in ((rm, running_mean), (rv, running_var)):
            if dst is not None:
                dst._data[...] = src._data.reshape(N, C).mean(axis=0)
                dst._version[0] += 1
    return out.view(*a.shape)


def _local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    a = input._data
    if a.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          "
                         f"input (got {a.ndim} dimensions)")
    if a.size == 0:
        return input
    return LocalResponseNorm.apply(input, int(size), float(alpha), float(beta), float(k))


# torch.* namespace forms (their argument order differs from nn.functional's)


@register(method=False)
def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
               cudnn_enabled=True):
    """torch.batch_norm: note the (weight, bias, running_mean, running_var) order."""
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


@register(method=False)
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    """Normalise over the trailing ``normalized_shape`` dimensions."""
    return _layer_norm(input, normalized_shape, weight, bias, eps)


@register(method=False)
def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    """Normalise over channel groups (and all spatial positions) of each sample."""
    return _group_norm(input, num_groups, weight, bias, eps)


@register(method=False)
def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum,
                  eps, cudnn_enabled=True):
    """torch.instance_norm: per-sample, per-channel normalisation."""
    return _instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                          momentum, eps)


def _f_batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
                  momentum=0.1, eps=1e-5):
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def _f_layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    return _layer_norm(input, normalized_shape, weight, bias, eps)


def _f_group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    return _group_norm(input, num_groups, weight, bias, eps)


def _f_instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                     use_input_stats=True, momentum=0.1, eps=1e-5):
    return _instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                          momentum, eps)


def _f_local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    return _local_response_norm(input, size, alpha, beta, k)


FUNCTIONAL = {"batch_norm": _f_batch_norm, "layer_norm": _f_layer_norm,
              "group_norm": _f_group_norm, "instance_norm": _f_instance_norm,
              "local_response_norm": _f_local_response_norm}
for _n, _f in FUNCTIONAL.items():
    _f.__name__ = _f.__qualname__ = _n
