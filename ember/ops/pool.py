"""Pooling: max, average, adaptive average/max, and max-unpooling, in 1-D and 2-D.

The 2-D kernels work on (N, C, H, W) arrays tap by tap: each of the kh*kw kernel offsets is a
strided view of the input, clipped to the image so padding is never materialised. Max pooling is
a running ``maximum`` over those views; its backward recomputes a first-maximum mask per tap
(ties go to the first element in the window, as PyTorch) and adds ``grad * mask`` into the same
strided views: no scatter loops, and plain assignment when the windows tile the input. Average
pooling sums the views and divides by a separable per-window count. Adaptive average pooling is
two small averaging matrices (rows, then columns); adaptive max pooling is separable too. 1-D
pools run as 2-D ones on an unsqueezed input, as PyTorch does (grad_fn ``SqueezeBackward1``).
"""
import math

import numpy as np   # dtype constants only; compute goes through ``xp``

from ..backend import xp
from ..autograd.function import Function
from ..tensor import Tensor
from ._registry import register

__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "adaptive_avg_pool1d",
           "adaptive_max_pool1d", "FUNCTIONAL"]


# ----------------------------------------------------------------------------- geometry


def _pool_out(n, k, s, p, d, ceil):
    """PyTorch's pooling output size (pooling_output_shape)."""
    num = n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)
    out = num // s + 1
    if ceil and (out - 1) * s >= n + p:
        out -= 1
    return out


def _axis_taps(k, s, p, d, n_out, n_in):
    """Per kernel offset i along one axis: (output slice, input slice) of the positions where
    the tap lands inside the input (in = i*d - p + s*r), or None when it never does."""
    taps = []
    for i in range(k):
        off = i * d - p
        r0 = max(0, -(off // s))
        r1 = min(n_out - 1, (n_in - 1 - off) // s)
        if r1 < r0:
            taps.append(None)
            continue
        a = off + s * r0
        taps.append((slice(r0, r1 + 1), slice(a, a + s * (r1 - r0) + 1, s)))
    return taps


def _taps(kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo, H, W):
    """Row-major list of (tap index, out index, in index) over the 2-D kernel."""
    rows = _axis_taps(kh, sh, ph, dh, Ho, H)
    cols = _axis_taps(kw, sw, pw, dw, Wo, W)
    out = []
    for i, r in enumerate(rows):
        if r is None:
            continue
        for j, c in enumerate(cols):
            if c is None:
                continue
            out.append((i * kw + j, (Ellipsis, r[0], c[0]), (Ellipsis, r[1], c[1])))
    return out


def _full(o):
    """True when an out index covers the whole output (no clipping)."""
    return o[1].start == 0 and o[2].start == 0


def _covers(taps, shape):
    """True when the taps' input views cover every input element (exact tiling)."""
    H, W = shape[-2:]
    n = 0
    for _, _, i in taps:
        r, c = i[1], i[2]
        n += len(range(r.start, r.stop, r.step)) * len(range(c.start, c.stop, c.step))
    return n == H * W


def _lowest(dt):
    return -math.inf if dt.kind == "f" else np.iinfo(dt).min if dt.kind in "iu" else False


# ----------------------------------------------------------------------------- max pool


def _first_max_masks(x, out, taps):
    """Yield (tap, out index, in index, mask) with mask True where this tap holds the first
    maximum of its window (ties go to the first element, as PyTorch). Each mask is only valid
    until the next one is drawn."""
    n = len(taps)
    found = None
    for t, (k, o, i) in enumerate(taps):
        m = x[i] == out[o]
        if found is None:
            if _full(o) and m.shape == out.shape:
                found = m
                yield k, o, i, m
                continue
            found = xp.zeros(out.shape, bool)
        xp.greater(m, found[o], out=m)      # m & ~found
        yield k, o, i, m
        if t < n - 1:
            found[o] |= m


def _nan_fix(x, out, taps, kidx):
    """Tap index of the last NaN in windows whose maximum is NaN (PyTorch's scan order)."""
    for k, o, i in taps:
        m = xp.isnan(x[i])
        kidx[o][m] = k


class MaxPool2D(Function):
    node_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation, ceil_mode, with_indices):
        (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
        H, W = x.shape[-2:]
        Ho = _pool_out(H, kh, sh, ph, dh, ceil_mode)
        Wo = _pool_out(W, kw, sw, pw, dw, ceil_mode)
        taps = _taps(kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo, H, W)
        k0, o0, i0 = taps[0] if taps else (0, None, None)
        if taps and _full(o0) and x[i0].shape[-2:] == (Ho, Wo):
            out = x[i0].copy()
            rest = taps[1:]
        else:
            out = xp.full(x.shape[:-2] + (Ho, Wo), _lowest(x.dtype), x.dtype)
            rest = taps
        for k, o, i in rest:
            xp.maximum(out[o], x[i], out=out[o])
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, out)
            ctx.cfg = (taps, sh >= kh * dh - dh + 1 and sw >= kw * dw - dw + 1)
        if not with_indices:
            return out
        kidx = xp.zeros(out.shape, np.int64)
        for k, o, i, m in _first_max_masks(x, out, taps):
            if k:
                kidx[o][m] = k
        if out.dtype.kind == "f" and xp.isnan(out).any():
            _nan_fix(x, out, taps, kidx)
        # flat index into H*W of the input: window origin + tap offset
        ii, jj = xp.divmod(kidx, kw)
        rows = (xp.arange(Ho, dtype=np.int64) * sh - ph)[:, None]
        cols = (xp.arange(Wo, dtype=np.int64) * sw - pw)[None, :]
        idx = (rows + ii * dh) * W + cols + jj * dw
        _empty_window_index(idx, kh, kw, sh, sw, ph, pw, dh, dw, H, W)
        return out, idx

    @staticmethod
    def backward(ctx, g, gi=None):
        x, out = ctx.saved_arrays
        taps, disjoint = ctx.cfg
        if out.dtype.kind == "f" and xp.isnan(out).any():
            return _scatter_back(g, x, out, taps), None, None, None, None, None, None
        if disjoint and _covers(taps, x.shape):
            gx = xp.empty(x.shape, g.dtype)
        else:
            gx = xp.zeros(x.shape, g.dtype)
        if disjoint:   # windows do not overlap: each input element gets at most one tap
            for k, o, i, m in _first_max_masks(x, out, taps):
                xp.multiply(g[o], m, out=gx[i])
        else:
            for k, o, i, m in _first_max_masks(x, out, taps):
                gx[i] += g[o] * m
        return gx, None, None, None, None, None, None


def _empty_window_index(idx, kh, kw, sh, sw, ph, pw, dh, dw, H, W):
    """Windows lying wholly in the padding give -inf; PyTorch reports the index of their first
    dilated position past the padding (which may lie outside the input)."""
    Ho, Wo = idx.shape[-2:]

    def axis(n_out, k, s, p, d, n):
        st = np.arange(n_out) * s - p
        first = np.where(st < 0, st + (-st + d - 1) // d * d, st)
        empty = first > np.minimum(st + d * (k - 1), n - 1)
        return first, empty
    rf, re = axis(Ho, kh, sh, ph, dh, H)
    cf, ce = axis(Wo, kw, sw, pw, dw, W)
    if re.any() or ce.any():
        mask = re[:, None] | ce[None, :]
        idx[..., mask] = (rf[:, None] * W + cf[None, :])[mask]


def _scatter_back(g, x, out, taps):
    """Backward through windows with NaN maxima (PyTorch routes the gradient to the last NaN)."""
    kidx = xp.zeros(out.shape, np.int64)
    for k, o, i, m in _first_max_masks(x, out, taps):
        if k:
            kidx[o][m] = k
    _nan_fix(x, out, taps, kidx)
    gx = xp.zeros(x.shape, g.dtype)
    for k, o, i in taps:
        gx[i] += g[o] * (kidx[o] == k)
    return gx


# ----------------------------------------------------------------------------- avg pool


def _avg_divisor(Ho, Wo, H, W, kh, kw, sh, sw, ph, pw, count_include_pad, dtype):
    """Per-window divisor (Ho, Wo) as PyTorch's avg_pool2d kernel computes it."""
    def axis(no, n, k, s, p):
        st = xp.arange(no) * s - p
        en = xp.minimum(st + k, n + p)
        size = en - st
        st_c = xp.maximum(st, 0)
        en_c = xp.minimum(en, n)
        return size if count_include_pad else en_c - st_c
    return (axis(Ho, H, kh, sh, ph)[:, None] * axis(Wo, W, kw, sw, pw)[None, :]).astype(dtype)


class AvgPool2D(Function):
    node_name = "AvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, ceil_mode, count_include_pad, divisor):
        (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
        H, W = x.shape[-2:]
        Ho = _pool_out(H, kh, sh, ph, 1, ceil_mode)
        Wo = _pool_out(W, kw, sw, pw, 1, ceil_mode)
        taps = _taps(kh, kw, sh, sw, ph, pw, 1, 1, Ho, Wo, H, W)
        ft = x.dtype if x.dtype.kind == "f" else np.float64
        out = xp.zeros(x.shape[:-2] + (Ho, Wo), ft if x.dtype.kind != "f" else x.dtype)
        for k, o, i in taps:
            out[o] += x[i]
        if divisor:
            div = divisor
            out /= div
        else:
            div = _avg_divisor(Ho, Wo, H, W, kh, kw, sh, sw, ph, pw, count_include_pad,
                               out.dtype)
            out /= div
        if ctx.needs_input_grad[0]:
            ctx.cfg = (x.shape, taps, div)
        if x.dtype.kind != "f":
            return (xp.trunc(out) if x.dtype.kind in "iu" else out).astype(x.dtype)
        return out

    @staticmethod
    def backward(ctx, g):
        shape, taps, div = ctx.cfg
        gd = g / div
        gx = xp.zeros(shape, g.dtype)
        for k, o, i in taps:
            gx[i] += gd[o]
        return gx, None, None, None, None, None, None


# ----------------------------------------------------------------------------- adaptive


def _adaptive_bounds(n_in, n_out):
    i = np.arange(n_out)
    start = (i * n_in) // n_out
    end = -((-(i + 1) * n_in) // n_out)
    return start, end


def _avg_matrix(n_in, n_out, dtype):
    """(n_out, n_in) matrix averaging each adaptive window."""
    st, en = _adaptive_bounds(n_in, n_out)
    j = np.arange(n_in)
    m = (j[None, :] >= st[:, None]) & (j[None, :] < en[:, None])
    return xp.asarray(m / (en - st)[:, None], dtype=dtype)


class AdaptiveAvgPool2D(Function):
    node_name = "AdaptiveAvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, out_size):
        Ho, Wo = out_size
        H, W = x.shape[-2:]
        ph = _avg_matrix(H, Ho, x.dtype)
        pw = _avg_matrix(W, Wo, x.dtype)
        ctx.cfg = (ph, pw)
        if H == Ho and W == Wo:
            return x.copy()
        return xp.matmul(ph, xp.matmul(x, pw.T))

    @staticmethod
    def backward(ctx, g):
        ph, pw = ctx.cfg
        if ph.shape[0] == ph.shape[1] and pw.shape[0] == pw.shape[1]:
            return g.copy(), None
        return xp.matmul(ph.T, xp.matmul(g, pw)), None


class AdaptiveMaxPool2D(Function):
    node_name = "AdaptiveMaxPool2DBackward0"

    @staticmethod
    def forward(ctx, x, out_size):
        Ho, Wo = out_size
        H, W = x.shape[-2:]
        hs, he = _adaptive_bounds(H, Ho)
        ws, we = _adaptive_bounds(W, Wo)
        lead = x.shape[:-2]
        # columns first: max and first arg-max over each column window, then over rows
        cm = xp.empty(lead + (H, Wo), x.dtype)
        ca = xp.empty(lead + (H, Wo), np.int64)
        for j in range(Wo):
            blk = x[..., ws[j]:we[j]]
            a = _argmax_nan(blk, -1)
            ca[..., j] = a + ws[j]
            cm[..., j] = xp.take_along_axis(blk, a[..., None], -1)[..., 0]
        out = xp.empty(lead + (Ho, Wo), x.dtype)
        idx = xp.empty(lead + (Ho, Wo), np.int64)
        for i in range(Ho):
            blk = cm[..., hs[i]:he[i], :]
            a = _argmax_nan(blk, -2)
            out[..., i, :] = xp.take_along_axis(blk, a[..., None, :], -2)[..., 0, :]
            col = xp.take_along_axis(ca[..., hs[i]:he[i], :], a[..., None, :], -2)[..., 0, :]
            idx[..., i, :] = (a + hs[i]) * W + col
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(idx)
            ctx.cfg = x.shape
        ctx.mark_non_differentiable(idx)
        return out, idx

    @staticmethod
    def backward(ctx, g, gi=None):
        idx, = ctx.saved_arrays
        return _index_backward(g, idx, ctx.cfg), None


def _argmax_nan(a, axis):
    """First arg-max along axis, NaN counting as the largest (PyTorch's max-pool kernels)."""
    if a.dtype.kind == "f":
        nan = xp.isnan(a)
        if nan.any():
            return xp.where(nan.any(axis), xp.argmax(nan, axis), xp.argmax(a, axis))
    return xp.argmax(a, axis)


def _index_backward(g, idx, shape):
    """Sum g into an input of ``shape`` at flat H*W indices ``idx`` (duplicates add up)."""
    lead = int(np.prod(shape[:-2], dtype=np.int64))
    hw = shape[-2] * shape[-1]
    flat = (idx.reshape(lead, -1) + (xp.arange(lead, dtype=np.int64) * hw)[:, None]).ravel()
    gx = xp.bincount(flat, weights=g.reshape(-1), minlength=lead * hw)
    return gx.astype(g.dtype, copy=False).reshape(shape)


class MaxUnpool2D(Function):
    node_name = "MaxUnpool2DBackward0"

    @staticmethod
    def forward(ctx, x, idx, out_hw):
        lead = x.shape[:-2]
        n = int(np.prod(lead, dtype=np.int64))
        hw = out_hw[0] * out_hw[1]
        out = xp.zeros((n, hw), x.dtype)
        i2 = idx.reshape(n, -1)
        if i2.size and (i2.min() < 0 or i2.max() >= hw):
            bad = i2[(i2 < 0) | (i2 >= hw)].flat[0]
            raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                               f"{out_hw[0]}x{out_hw[1]})")
        xp.put_along_axis(out, i2, x.reshape(n, -1), 1)
        ctx.save_for_backward(i2)
        ctx.cfg = x.shape
        return out.reshape(lead + tuple(out_hw))

    @staticmethod
    def backward(ctx, g):
        i2, = ctx.saved_arrays
        n = i2.shape[0]
        return xp.take_along_axis(g.reshape(n, -1), i2, 1).reshape(ctx.cfg), None, None


# ----------------------------------------------------------------------------- argument parsing


def _pair(v, name="kernel_size", n=2):
    if isinstance(v, (int, np.integer)):
        return (int(v),) * n
    v = tuple(int(a) for a in v)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise RuntimeError(f"max_pool2d: {name} must either be a single int, or a tuple of "
                           f"two ints")
    return v


def _pool_params(fname, a, kernel_size, stride, padding, dilation, ceil_mode):
    k = _pair(kernel_size, "kernel_size")
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else _pair(stride, "stride")
    p = _pair(padding, "padding")
    d = _pair(dilation, "dilation")
    if any(v <= 0 for v in k):
        raise RuntimeError(f"{fname}(): kernel_size must be greater than zero, but got "
                           f"kH: {k[0]} kW: {k[1]}" if fname == "max_pool2d" else
                           "kernel size should be greater than zero, but got kH: "
                           f"{k[0]} kW: {k[1]}")
    if any(v == 0 for v in s):
        raise RuntimeError("stride should not be zero")
    if any(v < 0 for v in s):
        raise RuntimeError(f"stride should be greater than zero, but got dH: {s[0]} dW: {s[1]}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: {d[0]} "
                           f"dilationW: {d[1]}")
    for kk, pp, dd in zip(k, p, d):
        if pp < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {pp}")
        if pp > (dd * (kk - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={pp}, kernel_size={kk} and dilation={dd}")
    if fname == "max_pool2d" and (p[1] > k[1] // 2 or p[0] > k[0] // 2):
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got "
                           f"padW = {p[1]}, padH = {p[0]}, kW = {k[1]}, kH = {k[0]}")
    H, W = a.shape[-2:]
    Ho = _pool_out(H, k[0], s[0], p[0], d[0], ceil_mode)
    Wo = _pool_out(W, k[1], s[1], p[1], d[1], ceil_mode)
    if Ho < 1 or Wo < 1:
        C = a.shape[-3]
        raise RuntimeError(f"Given input size: ({C}x{H}x{W}). Calculated output size: "
                           f"({C}x{Ho}x{Wo}). Output size is too small")
    return k, s, p, d


def _need_tensor(fname, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")


def _max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                return_indices=False):
    _need_tensor("max_pool2d", input)
    a = input._data
    if a.ndim not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    if a.dtype.kind == "b":
        raise RuntimeError('"max_pool2d" not implemented for \'Bool\'')
    k, s, p, d = _pool_params("max_pool2d", a, kernel_size, stride, padding, dilation, ceil_mode)
    r = MaxPool2D.apply(input, k, s, p, d, bool(ceil_mode), bool(return_indices))
    return r


def _avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
                count_include_pad=True, divisor_override=None):
    _need_tensor("avg_pool2d", input)
    a = input._data
    if a.ndim not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    if a.dtype.kind == "b":
        raise RuntimeError('"avg_pool2d" not implemented for \'Bool\'')
    k, s, p, _ = _pool_params("avg_pool2d", a, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    return AvgPool2D.apply(input, k, s, p, bool(ceil_mode), bool(count_include_pad),
                           divisor_override)


def _one_d(fn2d, input, fname, *args, **kw):
    _need_tensor(fname, input)
    a = input._data
    if a.ndim not in (2, 3):
        raise RuntimeError(f"{fname}() Expected 2D or 3D input tensor, but got "
                           f"{list(a.shape)}" if "max" in fname else
                           f"{fname}: Expected 2D or 3D input tensor, but got {list(a.shape)}")
    r = fn2d(input.unsqueeze(-2), *args, **kw)
    if isinstance(r, tuple):
        return tuple(t.squeeze(-2) for t in r)
    return r.squeeze(-2)


def _one(v, name):
    if isinstance(v, (int, np.integer)):
        return (1, int(v))
    v = tuple(v)
    if len(v) != 1:
        raise RuntimeError(f"{name} must be an int or a tuple of one int")
    return (1, int(v[0]))


def _max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                return_indices=False):
    s = None if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else _one(stride, "stride")
    r = _one_d(_max_pool2d, input, "max_pool1d", _one(kernel_size, "kernel_size"), s,
               (0, _one(padding, "padding")[1]), _one(dilation, "dilation"), ceil_mode,
               return_indices)
    if return_indices:
        out, idx = r
        return out, idx   # 1-D flat indices equal the W positions (H is 1)
    return r


def _avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
                count_include_pad=True):
    s = None if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else _one(stride, "stride")
    return _one_d(_avg_pool2d, input, "avg_pool1d", _one(kernel_size, "kernel_size"), s,
                  (0, _one(padding, "padding")[1]), ceil_mode, count_include_pad)


def _adaptive_size(a, output_size, n):
    if isinstance(output_size, (int, np.integer)):
        size = (int(output_size),) * n
    else:
        size = tuple(output_size)
        if len(size) == 1 and n == 2:
            size = size * 2
    size = tuple(a.shape[-n + i] if v is None else int(v) for i, v in enumerate(size))
    if len(size) != n:
        raise RuntimeError(f"adaptive_avg_pool{n}d: output_size must be {n}")
    if any(v < 0 for v in size):
        raise RuntimeError("elements of output_size must be greater than or equal to 0 but "
                           f"received {list(size)}")
    return size


def _adaptive_avg_pool2d(input, output_size):
    _need_tensor("adaptive_avg_pool2d", input)
    a = input._data
    if a.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                           f"{list(a.shape)}")
    size = _adaptive_size(a, output_size, 2)
    if a.dtype.kind != "f":
        raise NotImplementedError(f'"adaptive_avg_pool2d" not implemented for '
                                  f"'{_tname(a)}'")
    if size == (1, 1):
        return input.mean((-1, -2), keepdim=True)
    return AdaptiveAvgPool2D.apply(input, size)


def _adaptive_max_pool2d(input, output_size, return_indices=False):
    _need_tensor("adaptive_max_pool2d", input)
    a = input._data
    if a.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got "
                           f"{list(a.shape)}")
    size = _adaptive_size(a, output_size, 2)
    if any(v == 0 for v in a.shape[-2:]):
        raise RuntimeError("adaptive_max_pool2d(): Expected input to have non-zero size for "
                           "non-batch dimensions")
    out, idx = AdaptiveMaxPool2D.apply(input, size)
    return (out, idx) if return_indices else out


def _tname(a):
    from .._dtype import _FROM_NP
    return _FROM_NP[a.dtype]._tensor_type[:-6] or "Float"


def _adaptive_avg_pool1d(input, output_size):
    _need_tensor("adaptive_avg_pool1d", input)
    a = input._data
    if a.ndim not in (2, 3):
        raise RuntimeError(f"adaptive_avg_pool1d() argument 'input' must be 2D or 3D, but got "
                           f"{list(a.shape)}")
    size = _adaptive_size(a, output_size, 1)
    return _adaptive_avg_pool2d(input.unsqueeze(-2), (1, size[0])).squeeze(-2)


def _adaptive_max_pool1d(input, output_size, return_indices=False):
    _need_tensor("adaptive_max_pool1d", input)
    a = input._data
    if a.ndim not in (2, 3):
        raise RuntimeError(f"adaptive_max_pool1d() argument 'input' must be 2D or 3D, but got "
                           f"{list(a.shape)}")
    size = _adaptive_size(a, output_size, 1)
    out, idx = _adaptive_max_pool2d(input.unsqueeze(-2), (1, size[0]), True)
    out, idx = out.squeeze(-2), idx.squeeze(-2)
    return (out, idx) if return_indices else out


def _unpool_size(a, nsp, kernel, stride, padding, output_size):
    sp = a.shape[-nsp:]
    default = tuple((n - 1) * s - 2 * p + k for n, k, s, p in zip(sp, kernel, stride, padding))
    if output_size is None:
        return default
    size = tuple(int(v) for v in output_size)
    if len(size) == nsp + 2 or len(size) == nsp + 1:
        size = size[-nsp:]
    if len(size) != nsp:
        raise ValueError(f"output_size should be a sequence containing {nsp} or {nsp + 2} "
                         f"elements, but it has a length of '{len(size)}'")
    for d, (v, dv, s) in enumerate(zip(size, default, stride)):
        if not dv - s < v < dv + s:
            raise ValueError(f'invalid output_size "{list(size)}" (dim {d} must be between '
                             f"{dv - s} and {dv + s})")
    return size


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Place each value at its max-pool index in a zero (N, C, H_out, W_out) tensor."""
    k = _pair(kernel_size)
    s = k if stride is None else _pair(stride)
    p = _pair(padding)
    size = _unpool_size(input._data, 2, k, s, p, output_size)
    if indices._data.dtype != np.int64:
        raise RuntimeError("elements in indices should be type int64 but got: "
                           + _tname(indices._data))
    if indices._data.shape != input._data.shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input._data.shape)}) but got indices tensor with shape: "
                           f"{list(indices._data.shape)}")
    return MaxUnpool2D.apply(input, indices, size)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """1-D max-unpooling: indices are positions along the last dimension."""
    k = _pair(kernel_size, n=1)
    s = k if stride is None else _pair(stride, n=1)
    p = _pair(padding, n=1)
    size = _unpool_size(input._data, 1, k, s, p, output_size)
    return MaxUnpool2D.apply(input.unsqueeze(-2), indices.unsqueeze(-2), (1, size[0])) \
        .squeeze(-2)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling: (sum of x^p over each window)^(1/p); p=2 is L2-norm pooling."""
    kw, kh = _pair(kernel_size)
    out = _avg_pool2d(input.pow(norm_type), kernel_size,
                            stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kw * kh).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """1-D power-average pooling."""
    out = _avg_pool1d(input.pow(norm_type), kernel_size,
                            stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kernel_size).pow(1.0 / norm_type)


# ----------------------------------------------------------------------------- registrations
# ``ember.max_pool2d`` etc. take torch.max_pool2d's arguments (no return_indices); the
# nn.functional forms are in FUNCTIONAL.


@register(method=False)
def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """2-D max pooling (``ember.max_pool2d``; F.max_pool2d also returns indices on request)."""
    return _max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


@register(method=False)
def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """1-D max pooling over the last dimension."""
    return _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)


@register(method=False)
def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False,
               count_include_pad=True):
    """1-D average pooling over the last dimension."""
    return _avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)


@register(method=False)
def adaptive_avg_pool1d(input, output_size):
    """Average pooling to a fixed output length."""
    return _adaptive_avg_pool1d(input, output_size)


@register(method=False)
def adaptive_max_pool1d(input, output_size):
    """Max pooling to a fixed output length; returns (values, indices) as torch does."""
    return _adaptive_max_pool1d(input, output_size, True)


def _with_indices(fn, name):
    def f(*args, **kw):
        kw["return_indices"] = True
        return fn(*args, **kw)
    f.__name__ = name
    return f


FUNCTIONAL = {
    "max_pool1d": _max_pool1d, "max_pool2d": _max_pool2d,
    "max_pool1d_with_indices": _with_indices(_max_pool1d, "max_pool1d_with_indices"),
    "max_pool2d_with_indices": _with_indices(_max_pool2d, "max_pool2d_with_indices"),
    "avg_pool1d": _avg_pool1d, "avg_pool2d": _avg_pool2d,
    "adaptive_avg_pool1d": _adaptive_avg_pool1d, "adaptive_avg_pool2d": _adaptive_avg_pool2d,
    "adaptive_max_pool1d": _adaptive_max_pool1d, "adaptive_max_pool2d": _adaptive_max_pool2d,
    "adaptive_max_pool1d_with_indices": _with_indices(_adaptive_max_pool1d,
                                                      "adaptive_max_pool1d_with_indices"),
    "adaptive_max_pool2d_with_indices": _with_indices(_adaptive_max_pool2d,
                                                      "adaptive_max_pool2d_with_indices"),
    "max_unpool1d": max_unpool1d, "max_unpool2d": max_unpool2d,
    "lp_pool1d": lp_pool1d, "lp_pool2d": lp_pool2d,
}
for _n, _f in FUNCTIONAL.items():
    if _f.__name__.startswith("_"):
        _f.__name__ = _f.__qualname__ = _n
