"""Image ops: non-constant padding, interpolation, unfold/fold (im2col/col2im), pixel shuffle.

Reflect, replicate and circular padding gather along each padded axis with a precomputed index
vector (PyTorch's index formulas, negative pads crop); the backward adds the gradient back in a
few fancy-index passes with no duplicate targets each, so no scatter loop is needed.
Interpolation is separable: one small (out, in) weight matrix per spatial axis (nearest,
nearest-exact, linear with or without align_corners, bicubic) applied with ``matmul``, and its
transpose in backward. ``unfold``/``fold`` reuse the convolution's im2col and col2im kernels.
"""
import math
import warnings

import numpy as np   # dtype constants and small index vectors only

from ..backend import xp
from ..autograd.function import Function
from ..tensor import Tensor
from ._registry import register
from .conv import _im2col, _col2im, _pad4

__all__ = ["pixel_shuffle", "pixel_unshuffle", "FUNCTIONAL"]


# ----------------------------------------------------------------------------- padding


def _pad_index(n, lo, hi, mode):
    """Source index along one axis for each output position of a reflect/replicate/circular
    pad of an axis of length n (PyTorch's formulas; negative pads crop)."""
    if mode == "circular":
        start, stop = max(0, -lo), n - max(0, -hi)
        m = stop - start
        j = np.arange(max(n + lo + hi, 0))
        return start + (j - max(lo, 0)) % m if m > 0 else j
    j = np.arange(n + lo + hi)
    i0, o0 = max(0, -lo), max(0, lo)
    if mode == "reflect":
        ip = np.where(j < lo, 2 * lo - j, np.where(j < n + lo, j, 2 * (n + lo - 1) - j))
    else:
        ip = np.where(j < lo, lo, np.where(j < n + lo, j, n + lo - 1))
    return ip - o0 + i0


def _check_pad(shape, pad, mode, k):
    """PyTorch's checks (and messages) for reflect/replicate/circular pads."""
    sizes = shape[-k:][::-1]                      # W, H, D: the order of ``pad``
    outs = [n + pad[2 * i] + pad[2 * i + 1] for i, n in enumerate(sizes)]
    for i, n in enumerate(sizes):
        lo, hi = pad[2 * i], pad[2 * i + 1]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #{4 + 2 * i}: Padding size should be less than the "
                               f"corresponding input dimension, but got: padding ({lo}, {hi}) "
                               f"at dimension {len(shape) - 1 - i} of input {list(shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
    if mode == "circular":
        for i, n in enumerate(sizes):
            lo, hi = pad[2 * i], pad[2 * i + 1]
            if outs[i] < 0 or (outs[i] > 0 and n - max(0, -lo) - max(0, -hi) <= 0):
                # (PyTorch returns uninitialised memory in the second case)
                raise RuntimeError("Negative padding value is resulting in an empty dimension")
        return
    if all(o < 1 for o in outs):
        if k == 1:
            raise RuntimeError(f"input (W: {sizes[0]}) is too small. Calculated output W: "
                               f"{outs[0]}")
        if k == 2:
            sp = " " if mode == "replicate" else ""
            raise RuntimeError(f"input (H: {sizes[1]}, W: {sizes[0]}{sp}) is too small. "
                               f"Calculated output H: {outs[1]} W: {outs[0]}")
        raise RuntimeError(f"input (D: {sizes[2]} H: {sizes[1]}, W: {sizes[0]}) is too small. "
                           f"Calculated output D: {outs[2]} H: {outs[1]} W: {outs[0]}")
    if any(o < 0 for o in outs):
        out_shape = list(shape[:-k]) + outs[::-1]
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(outs[::-1], key=lambda v: v >= 0)}: {out_shape}")


def _layers(idx, n):
    """Split a gather index into layers without repeated sources, for scatter-free backward:
    a list of (source positions, output positions)."""
    seen = np.zeros(n, np.int64)
    occ = np.empty(len(idx), np.int64)
    for k, i in enumerate(idx.tolist()):
        occ[k] = seen[i]
        seen[i] += 1
    out = []
    for L in range(int(occ.max()) + 1 if len(idx) else 0):
        sel = np.nonzero(occ == L)[0]
        out.append((idx[sel], sel))
    return out


class _PadNd(Function):
    """Gather along each padded axis; ``plan`` is a list of (axis, index, layers, n_in)."""

    @staticmethod
    def forward(ctx, x, plan):
        for ax, idx, _, _ in plan:
            x = xp.take(x, idx, axis=ax)
        ctx.plan = plan
        return x

    @staticmethod
    def backward(ctx, g):
        for ax, idx, layers, n in reversed(ctx.plan):
            shape = list(g.shape)
            shape[ax] = n
            gx = xp.zeros(shape, g.dtype)
            pre = (slice(None),) * (ax % g.ndim)
            for src, dst in layers:
                gx[pre + (src,)] += g[pre + (dst,)]
            g = gx
        return g, None


def _pad_cls(name):
    return type(name, (_PadNd,), {"node_name": name + "Backward0"})


_PAD_CLASSES = {(m, k): _pad_cls(f"{n}{k}D") for m, n in (("reflect", "ReflectionPad"),
                                                          ("replicate", "ReplicationPad"))
                for k in (1, 2, 3)}
_CircularPad = type("CircularPad", (_PadNd,), {"node_name": "CopySlices"})


def _pad(input, pad, mode="constant", value=None):
    """F.pad: pad = (left, right, top, bottom, front, back) from the last dimension backwards."""
    if not isinstance(input, Tensor):
        raise TypeError(f"pad(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    a = input._data
    if mode == "constant":
        from .nn_ops import constant_pad_nd
        if len(pad) // 2 > a.ndim:
            raise RuntimeError(f"Padding length should be less than or equal to two times the "
                               f"input dimension but got padding length {len(pad)} and input "
                               f"of dimension {a.ndim}")
        return constant_pad_nd(input, pad, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise ValueError(f"Padding mode \"{mode}\" doesn't take in value argument")
    k = len(pad) // 2
    if k not in (1, 2, 3) or a.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {a.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    if a.dtype.kind == "b" or (a.dtype.kind in "iu" and mode != "circular"):
        from .conv import _tname
        raise RuntimeError(f"\"{mode}_pad{k}d\" not implemented for "
                           f"'{_tname(a)[:-6] or 'Float'}'")
    _check_pad(a.shape, pad, mode, k)
    plan = []
    for i in range(k):
        ax = a.ndim - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        n = a.shape[ax]
        if lo == 0 and hi == 0:
            continue
        idx = _pad_index(n, lo, hi, mode)
        plan.append((ax, idx, _layers(idx, n), n))
    cls = _CircularPad if mode == "circular" else _PAD_CLASSES[(mode, k)]
    if not plan:
        return cls.apply(input, [(a.ndim - 1, np.arange(a.shape[-1]),
                                  [(np.arange(a.shape[-1]),) * 2], a.shape[-1])])
    return cls.apply(input, plan)


# ----------------------------------------------------------------------------- interpolate


def _nearest_matrix(n_out, n_in, scale, exact):
    j = np.arange(n_out)
    src = np.floor((j + 0.5) * scale if exact else j * scale).astype(np.int64)
    return np.minimum(src, n_in - 1)


def _linear_matrix(n_out, n_in, scale, align_corners):
    m = np.zeros((n_out, n_in))
    j = np.arange(n_out)
    if align_corners:
        src = j * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
    else:
        src = np.maximum((j + 0.5) * scale - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    lam = src - i0
    np.add.at(m, (j, i0), 1.0 - lam)
    np.add.at(m, (j, i1), lam)
    return m


def _cubic_matrix(n_out, n_in, scale, align_corners, A=-0.75):
    m = np.zeros((n_out, n_in))
    j = np.arange(n_out)
    if align_corners:
        src = j * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
    else:
        src = (j + 0.5) * scale - 0.5
    i0 = np.floor(src).astype(np.int64)
    t = src - i0

    def c1(x):   # |x| <= 1
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def c2(x):   # 1 < |x| < 2
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A
    ws = (c2(t + 1), c1(t), c1(1 - t), c2(2 - t))
    for k, w in enumerate(ws):
        np.add.at(m, (j, np.clip(i0 - 1 + k, 0, n_in - 1)), w)
    return m


def _apply_along(a, m, ax):
    """Apply an (out, in) matrix along axis ``ax`` of a."""
    nd = a.ndim
    if ax == nd - 1:
        return xp.matmul(a, m.T)
    if ax == nd - 2:
        return xp.matmul(m, a)
    return xp.moveaxis(xp.matmul(m, xp.moveaxis(a, ax, -2)), -2, ax)


def _resample(x, mats):
    """Apply one matrix (or nearest index vector) per trailing spatial axis."""
    nd, k = x.ndim, len(mats)
    for i, m in enumerate(mats):
        ax = nd - k + i
        if m.ndim == 1:
            x = xp.take(x, m, axis=ax)
        else:
            x = _apply_along(x, m.astype(x.dtype, copy=False), ax)
    return x


class _Upsample(Function):
    """Separable resampling: ``mats`` holds one (out, in) matrix (or a nearest index vector)
    per trailing spatial axis; ``sizes`` are the input's spatial sizes."""

    @staticmethod
    def forward(ctx, x, mats, sizes):
        ctx.cfg = (mats, sizes)
        return _resample(x, mats)

    @staticmethod
    def backward(ctx, g):
        mats, sizes = ctx.cfg
        nd, k = g.ndim, len(mats)
        for i in reversed(range(k)):
            m = mats[i]
            if m.ndim == 1:   # nearest: the transpose of a one-hot selection matrix
                oh = np.zeros((len(m), sizes[i]))
                oh[np.arange(len(m)), m] = 1.0
                m = oh
            g = _apply_along(g, m.T.astype(g.dtype, copy=False), nd - k + i)
        return g, None, None


def _up_cls(name):
    return type(name, (_Upsample,), {"node_name": name + "Backward0"})


_UP = {n: _up_cls(n) for n in ("UpsampleNearest1D", "UpsampleNearest2D", "UpsampleNearest3D",
                               "UpsampleNearestExact1D", "UpsampleNearestExact2D",
                               "UpsampleNearestExact3D", "UpsampleLinear1D",
                               "UpsampleBilinear2D", "UpsampleBicubic2D",
                               "UpsampleTrilinear3D")}


def _interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None, antialias=False):
    a = input._data
    nsp = a.ndim - 2
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if antialias and not (mode in ("bilinear", "bicubic") and a.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear and bicubic modes and "
                         "requires a 4-D tensor as input")
    if antialias:
        raise NotImplementedError("interpolate(antialias=True) is not supported by ember")
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    sp = a.shape[2:]
    scales = None
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != nsp:
                raise ValueError(f"Input and output must have the same number of spatial "
                                 f"dimensions, but got input with spatial dimensions of "
                                 f"{list(sp)} and output size of {list(size)}. Please provide "
                                 "input tensor in (N, C, d1, d2, ...,dK) format and output "
                                 "size in (o1, o2, ...,oK) format.")
            out = tuple(int(s) for s in size)
        else:
            out = (int(size),) * nsp
    else:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != nsp:
                raise ValueError(f"Input and scale_factor must have the same number of spatial "
                                 f"dimensions, but got input with spatial dimensions of "
                                 f"{list(sp)} and scale_factor of shape {tuple(scale_factor)}. "
                                 "Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                                 "and scale_factor in (s1, s2, ...,sK) format.")
            sf = tuple(float(s) for s in scale_factor)
        else:
            sf = (float(scale_factor),) * nsp
        out = tuple(int(math.floor(n * s)) for n, s in zip(sp, sf))
        if not recompute_scale_factor:
            scales = sf
    if mode == "area":
        from .pool import FUNCTIONAL as _P
        fn = {1: "adaptive_avg_pool1d", 2: "adaptive_avg_pool2d"}.get(nsp)
        if fn is None:
            raise NotImplementedError("interpolate(mode='area') supports 3-D and 4-D input")
        return _P[fn](input, out)
    dims = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
    if mode in dims and nsp != dims[mode]:
        raise NotImplementedError(f"Got {a.ndim}D input, but {mode} mode needs "
                                  f"{dims[mode] + 2}D input")
    if mode not in ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear"):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {a.ndim}D) for the modes: nearest | linear | bilinear "
                                  f"| bicubic | trilinear | area | nearest-exact (got {mode})")
    if nsp not in (1, 2, 3):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {a.ndim}D) for the modes: nearest | linear | bilinear "
                                  f"| bicubic | trilinear | area | nearest-exact (got {mode})")
    if a.dtype.kind != "f" and not (a.dtype == np.uint8 and mode in ("nearest", "bilinear",
                                                                      "nearest-exact")):
        from .conv import _tname
        k = {"nearest": "nearest", "nearest-exact": "nearest_exact"}.get(mode, mode)
        raise NotImplementedError(f"\"upsample_{k}{nsp}d_channels_last\" not implemented for "
                                  f"'{_tname(a)[:-6]}'")
    if any(o <= 0 for o in out):
        names = ("D", "H", "W")[3 - nsp:]
        i_s = ", ".join(f"{n}: {v}" for n, v in zip(names, sp))
        o_s = ", ".join(f"{n}: {v}" for n, v in zip(names, out))
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({i_s}){' and' if nsp == 1 else ''} output ({o_s})")
    mats = []
    for i, (n_in, n_out) in enumerate(zip(sp, out)):
        scale = 1.0 / scales[i] if scales is not None and scales[i] > 0 else n_in / n_out
        if mode in ("nearest", "nearest-exact"):
            mats.append(_nearest_matrix(n_out, n_in, scale, mode == "nearest-exact"))
        elif mode == "bicubic":
            mats.append(_cubic_matrix(n_out, n_in, scale, align_corners))
        else:
            mats.append(_linear_matrix(n_out, n_in, scale, align_corners))
    name = {"nearest": "UpsampleNearest", "nearest-exact": "UpsampleNearestExact",
            "linear": "UpsampleLinear", "bilinear": "UpsampleBilinear",
            "bicubic": "UpsampleBicubic", "trilinear": "UpsampleTrilinear"}[mode]
    cls = _UP[f"{name}{nsp}D"]
    if a.dtype == np.uint8 and mode == "bilinear":
        from ..tensor import _new_tensor
        r = _resample(a.astype(np.float32), mats)
        return _new_tensor(xp.clip(xp.rint(r), 0, 255).astype(np.uint8))
    return cls.apply(input, mats, sp)


# ----------------------------------------------------------------------------- unfold / fold


def _pair(v, name, fname):
    if isinstance(v, (int, np.integer)):
        return (int(v),) * 2
    v = tuple(int(a) for a in v)
    if len(v) == 1:
        v = v * 2
    if len(v) != 2:
        raise RuntimeError(f"{fname}(): {name} must be an int or a tuple of two ints")
    return v


class Im2Col(Function):
    node_name = "Im2ColBackward0"

    @staticmethod
    def forward(ctx, x, k, d, p, s):
        ctx.unbatched = x.ndim == 3
        if ctx.unbatched:
            x = x[None]
        N, C, H, W = x.shape
        Ho = (H + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
        Wo = (W + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
        xp_ = _pad4(x, p[0], p[0], p[1], p[1])
        cols = _im2col(xp_, 1, k[0], k[1], s[0], s[1], d[0], d[1], Ho, Wo)
        ctx.cfg = (x.shape, k, d, p, s, Ho, Wo)
        cols = cols.reshape(N, -1, Ho * Wo)
        cols = cols.copy() if xp.may_share_memory(cols, x) else cols
        return cols[0] if ctx.unbatched else cols

    @staticmethod
    def backward(ctx, g):
        shape, k, d, p, s, Ho, Wo = ctx.cfg
        N, C, H, W = shape
        gx = xp.zeros(shape, g.dtype)
        _col2im(g.reshape(N, C, k[0], k[1], Ho, Wo), gx, k[0], k[1], s[0], s[1], p[0], p[1],
                d[0], d[1], Ho, Wo)
        return (gx[0] if ctx.unbatched else gx), None, None, None, None


class Col2Im(Function):
    node_name = "Col2ImBackward0"

    @staticmethod
    def forward(ctx, x, out_hw, k, d, p, s, blocks):
        ctx.unbatched = x.ndim == 2
        if ctx.unbatched:
            x = x[None]
        N = x.shape[0]
        C = x.shape[1] // (k[0] * k[1])
        H, W = out_hw
        Ho, Wo = blocks
        y = xp.zeros((N, C, H, W), x.dtype)
        _col2im(x.reshape(N, C, k[0], k[1], Ho, Wo), y, k[0], k[1], s[0], s[1], p[0], p[1],
                d[0], d[1], Ho, Wo)
        ctx.cfg = (k, d, p, s, Ho, Wo)
        return y[0] if ctx.unbatched else y

    @staticmethod
    def backward(ctx, g):
        k, d, p, s, Ho, Wo = ctx.cfg
        if ctx.unbatched:
            g = g[None]
        N = g.shape[0]
        gp = _pad4(g, p[0], p[0], p[1], p[1])
        cols = _im2col(gp, 1, k[0], k[1], s[0], s[1], d[0], d[1], Ho, Wo).reshape(N, -1, Ho * Wo)
        cols = cols.copy() if xp.may_share_memory(cols, g) else cols
        return (cols[0] if ctx.unbatched else cols), None, None, None, None, None, None


def _check_positive(fname, k, d, p, s):
    if any(v <= 0 for v in k):
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: "
                           f"{k[0]} kernel_width: {k[1]}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: "
                           f"{d[0]} dilation_width: {d[1]}")
    if any(v < 0 for v in p):
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {p[0]} "
                           f"pad_width: {p[1]}")
    if any(v <= 0 for v in s):
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: "
                           f"{s[0]} stride_width: {s[1]}")


def _unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding blocks: (N, C, H, W) -> (N, C*kh*kw, L)."""
    a = input._data
    if a.ndim not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported "
                                  f"(got {a.ndim}D)")
    k, d = _pair(kernel_size, "kernel_size", "unfold"), _pair(dilation, "dilation", "unfold")
    p, s = _pair(padding, "padding", "unfold"), _pair(stride, "stride", "unfold")
    _check_positive("unfold", k, d, p, s)
    H, W = a.shape[-2:]
    Ho = (H + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    Wo = (W + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    if Ho < 1 or Wo < 1:
        raise RuntimeError(f"Given input with spatial size ({H}, {W}), kernel_size=({k[0]}, "
                           f"{k[1]}), dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), "
                           f"calculated shape of the array of sliding blocks as ({Ho}, {Wo}), "
                           "but its components must be at least one.")
    return Im2Col.apply(input, k, d, p, s)


def _fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding blocks into an image, summing overlaps: (N, C*kh*kw, L) -> (N, C, H, W)."""
    a = input._data
    if a.ndim not in (2, 3):
        raise NotImplementedError(f"Input Error: Only unbatched (2D) or batched (3D) input "
                                  f"Tensors are supported (got {a.ndim}D)")
    o = _pair(output_size, "output_size", "fold")
    k, d = _pair(kernel_size, "kernel_size", "fold"), _pair(dilation, "dilation", "fold")
    p, s = _pair(padding, "padding", "fold"), _pair(stride, "stride", "fold")
    _check_positive("fold", k, d, p, s)
    sh = a.shape if a.ndim == 3 else (1,) + a.shape
    if sh[1] % (k[0] * k[1]):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={sh[1]} and "
                           f"kernel_size=({k[0]}, {k[1]})")
    Ho = (o[0] + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    Wo = (o[1] + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    if Ho * Wo != sh[2]:
        raise RuntimeError(f"Given output_size=({o[0]}, {o[1]}), kernel_size=({k[0]}, {k[1]}), "
                           f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), "
                           f"stride=({s[0]}, {s[1]}), expected size of input's dimension 2 to "
                           f"match the calculated number of sliding blocks {Ho} * {Wo} = "
                           f"{Ho * Wo}, but got input.size(2)={sh[2]}.")
    return Col2Im.apply(input, o, k, d, p, s, (Ho, Wo))


# ----------------------------------------------------------------------------- pixel shuffle


class PixelShuffle(Function):
    @staticmethod
    def forward(ctx, x, r):
        *lead, C, H, W = x.shape
        c = C // (r * r)
        y = x.reshape(*lead, c, r, r, H, W)
        n = len(lead)
        y = y.transpose(*range(n), n, n + 3, n + 1, n + 4, n + 2)
        ctx.cfg = (x.shape, r)
        return xp.ascontiguousarray(y).reshape(*lead, c, H * r, W * r)

    @staticmethod
    def backward(ctx, g):
        shape, r = ctx.cfg
        return _unshuffle(g, r).reshape(shape), None


def _unshuffle(x, r):
    *lead, C, H, W = x.shape
    h, w = H // r, W // r
    n = len(lead)
    y = x.reshape(*lead, C, h, r, w, r)
    y = y.transpose(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return xp.ascontiguousarray(y).reshape(*lead, C * r * r, h, w)


class PixelUnshuffle(Function):
    @staticmethod
    def forward(ctx, x, r):
        ctx.cfg = (x.shape, r)
        return _unshuffle(x, r)

    @staticmethod
    def backward(ctx, g):
        shape, r = ctx.cfg
        *lead, C, H, W = shape
        n = len(lead)
        y = g.reshape(*lead, C, r, r, H // r, W // r)
        y = y.transpose(*range(n), n, n + 3, n + 1, n + 4, n + 2)
        return xp.ascontiguousarray(y).reshape(shape), None


@register(method=False)
def pixel_shuffle(input, upscale_factor):
    """(*, C*r^2, H, W) -> (*, C, H*r, W*r)."""
    a = input._data
    r = int(upscale_factor)
    if a.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but "
                           f"got input with {a.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    if a.shape[-3] % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)="
                           f"{a.shape[-3]} is not divisible by {r * r}")
    return PixelShuffle.apply(input, r)


@register(method=False)
def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r^2, H, W)."""
    a = input._data
    r = int(downscale_factor)
    if a.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {a.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    for ax, nm in ((-2, "height"), (-1, "width")):
        if a.shape[ax] % r:
            raise RuntimeError(f"pixel_unshuffle expects {nm} to be divisible by "
                               f"downscale_factor, but input.size({ax})={a.shape[ax]} is not "
                               f"divisible by {r}")
    return PixelUnshuffle.apply(input, r)


def _upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    warnings.warn("nn.functional.upsample is deprecated. Use nn.functional.interpolate "
                  "instead.", stacklevel=2)
    return _interpolate(input, size, scale_factor, mode, align_corners)


def _upsample_nearest(input, size=None, scale_factor=None):
    warnings.warn("nn.functional.upsample_nearest is deprecated. Use nn.functional.interpolate "
                  "instead.", stacklevel=2)
    return _interpolate(input, size, scale_factor, mode="nearest")


def _upsample_bilinear(input, size=None, scale_factor=None):
    warnings.warn("nn.functional.upsample_bilinear is deprecated. Use "
                  "nn.functional.interpolate instead.", stacklevel=2)
    return _interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


FUNCTIONAL = {"pad": _pad, "interpolate": _interpolate, "unfold": _unfold, "fold": _fold,
              "pixel_shuffle": pixel_shuffle, "pixel_unshuffle": pixel_unshuffle,
              "upsample": _upsample, "upsample_nearest": _upsample_nearest,
              "upsample_bilinear": _upsample_bilinear}
for _n in ("pad", "interpolate", "unfold", "fold", "upsample", "upsample_nearest",
           "upsample_bilinear"):
    FUNCTIONAL[_n].__name__ = FUNCTIONAL[_n].__qualname__ = _n
