"""Convolutions: ``conv1d``, ``conv2d``, ``conv_transpose1d``, ``conv_transpose2d``.

One Function per convolution (grad_fn ``ConvolutionBackward0``, as PyTorch), im2col + GEMM:

- forward: a strided view of the padded input gives every receptive field; one copy lays them
  out as a (K = C_g*kh*kw, L = H_out*W_out) matrix per sample, with a row of ones so that the
  batched GEMM [W | b] @ [cols; 1] adds the bias and writes NCHW output directly;
- backward: [dW | db] is the batched GEMM of the output gradient with the same columns (kept
  from forward when small, else recomputed in memory-bounded chunks of the batch); dx (skipped
  when the input needs no gradient) is one GEMM W^T @ grad with grad laid out (O, N*L), then
  col2im as kh*kw strided slice additions into a (C, N, H, W) image (no scatter loops);
- deep layers (>= 48 channels, <= 12 output columns) use channels-last columns instead, whose
  copies and col2im additions run over contiguous channel vectors.

Measured against PyTorch 2.13 at one thread (forward+backward): 0.2-0.5x on first layers
(1-3 input channels), 2-2.7x on 16-128 channel layers, where OpenBLAS' AVX2 SGEMM (~55 GMAC/s,
this environment pins OPENBLAS_CORETYPE=Haswell) runs at half of oneDNN's AVX-512 rate.
1-D convolutions run as 2-D ones with a height of 1.
"""
import numpy as np   # dtype constants and stride tricks only; compute goes through ``xp``

from ..backend import xp
from ..autograd.function import Function
from ..tensor import Tensor
from ._registry import register

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "FUNCTIONAL"]

_as_strided = np.lib.stride_tricks.as_strided
_KEEP_COLS = 48 << 20      # keep im2col columns for backward up to this many bytes
_CHUNK = 24 << 20          # otherwise process the batch in chunks of about this many bytes


# ----------------------------------------------------------------------------- array kernels


def _pad4(x, pt, pb, pl, pr):
    """Zero-pad the last two dims of an (N, C, H, W) array (x itself when no padding)."""
    if not (pt or pb or pl or pr):
        return x
    N, C, H, W = x.shape
    out = xp.zeros((N, C, H + pt + pb, W + pl + pr), x.dtype)
    out[:, :, pt:pt + H, pl:pl + W] = x
    return out


def _windows(xp_, G, kh, kw, sh, sw, dh, dw, Ho, Wo):
    """(N, G, C_g, kh, kw, Ho, Wo) strided view of every receptive field of a padded input."""
    N, C = xp_.shape[:2]
    s0, s1, s2, s3 = xp_.strides
    Cg = C // G
    return _as_strided(xp_, (N, G, Cg, kh, kw, Ho, Wo),
                       (s0, Cg * s1, s1, dh * s2, dw * s3, sh * s2, sw * s3), writeable=False)


def _im2col(xp_, G, kh, kw, sh, sw, dh, dw, Ho, Wo, out=None, ones=False):
    """Columns (N, G, C_g*kh*kw, Ho*Wo) of a padded input (a view when the conv is 1x1 and
    ``ones`` is False). With ``ones`` a row of ones is appended per group (N, G, K+1, L), so
    one GEMM with [W | b] adds the bias and one with the output gradient yields [dW | db]."""
    N, C = xp_.shape[:2]
    Cg = C // G
    K, L = Cg * kh * kw, Ho * Wo
    if not ones and kh == kw == 1 and xp_.shape[2:] == (Ho, Wo) and xp_.flags.c_contiguous:
        return xp_.reshape(N, G, Cg, L)
    v = _windows(xp_, G, kh, kw, sh, sw, dh, dw, Ho, Wo)
    Kx = K + 1 if ones else K
    if out is None:
        out = xp.empty((N, G, Kx, L), xp_.dtype)
    else:
        out = out.reshape(N, G, Kx, L)
    if ones:
        out[:, :, K, :] = 1
        xp.copyto(out[:, :, :K, :].reshape(v.shape), v)
    else:
        xp.copyto(out.reshape(v.shape), v)
    return out


def _tap_range(i, d, p, s, n_out, n_in):
    """Output positions r (first, count) whose tap i lands inside the unpadded input, and the
    input position of the first one: in = i*d - p + s*r must satisfy 0 <= in < n_in."""
    off = i * d - p
    r0 = max(0, -(off // s))
    r1 = min(n_out - 1, (n_in - 1 - off) // s)
    return r0, r1 - r0 + 1, off + s * r0


def _col2im(dcols, dx, kh, kw, sh, sw, pt, pl, dh, dw, Ho, Wo):
    """Add columns (N, C, kh, kw, Ho, Wo) back onto the unpadded image dx (N, C, H, W): one
    strided slice addition per kernel tap, clipped to the image (padding is never stored)."""
    H, W = dx.shape[2:]
    for i in range(kh):
        r0, nr, y0 = _tap_range(i, dh, pt, sh, Ho, H)
        if nr <= 0:
            continue
        for j in range(kw):
            c0, nc, x0 = _tap_range(j, dw, pl, sw, Wo, W)
            if nc <= 0:
                continue
            dst = dx[:, :, y0:y0 + sh * (nr - 1) + 1:sh, x0:x0 + sw * (nc - 1) + 1:sw]
            dst += dcols[:, :, i, j, r0:r0 + nr, c0:c0 + nc]
    return dx


def _chunks(n, per_sample):
    """Batch chunk size so that per-chunk work arrays stay near _CHUNK bytes."""
    return max(1, min(n, _CHUNK // max(per_sample, 1)))


def _out_size(n, k, s, p0, p1, d):
    return (n + p0 + p1 - d * (k - 1) - 1) // s + 1


def _wb(w, b, G):
    """Per-group GEMM weight (G, O_g, K), with the bias appended as a column when given."""
    O = w.shape[0]
    wm = w.reshape(G, O // G, -1)
    if b is None:
        return wm
    return xp.concatenate([wm, b.reshape(G, O // G, 1).astype(w.dtype, copy=False)], axis=2)


def _batches(N, per, limit):
    """[(n0, n1)] covering the batch in chunks of at most ``limit`` bytes of columns."""
    if N * per <= limit:
        return [(0, N)]
    nc = _chunks(N, per)
    return [(n0, min(N, n0 + nc)) for n0 in range(0, N, nc)]


def _conv_forward(x, w, b, G, sh, sw, pt, pb, pl, pr, dh, dw, keep):
    """y = conv(x, w) + b on 4-D arrays: per sample and group one GEMM [W | b] @ [cols; 1]
    (the bias rides along as a row of ones), written straight into NCHW order. Returns y and,
    when ``keep`` and they fit in _KEEP_COLS, the columns for the backward pass."""
    N, C, H, W = x.shape
    O, Cg, kh, kw = w.shape
    Ho = _out_size(H, kh, sh, pt, pb, dh)
    Wo = _out_size(W, kw, sw, pl, pr, dw)
    K, L, Og = Cg * kh * kw, Ho * Wo, O // G
    xp_ = _pad4(x, pt, pb, pl, pr)
    if kh == kw == 1 and (Ho, Wo) == xp_.shape[2:] and xp_.flags.c_contiguous:
        y = xp.matmul(w.reshape(G, Og, K), xp_.reshape(N, G, Cg, L)).reshape(N, O, Ho, Wo)
        if b is not None:
            y += b.reshape(O, 1, 1)
        return y, None
    ones = b is not None
    wm = _wb(w, b, G)
    per = G * (K + ones) * L * x.itemsize
    parts = _batches(N, per, _KEEP_COLS if keep else _CHUNK)
    if len(parts) == 1:
        cols = _im2col(xp_, G, kh, kw, sh, sw, dh, dw, Ho, Wo, ones=ones)
        return xp.matmul(wm, cols).reshape(N, O, Ho, Wo), (cols if keep else None)
    y = xp.empty((N, G, Og, L), x.dtype)
    buf = xp.empty((parts[0][1] - parts[0][0]) * per // x.itemsize, x.dtype)
    for n0, n1 in parts:
        cols = _im2col(xp_[n0:n1], G, kh, kw, sh, sw, dh, dw, Ho, Wo,
                       out=buf[:(n1 - n0) * per // x.itemsize], ones=ones)
        xp.matmul(wm, cols, out=y[n0:n1])
    return y.reshape(N, O, Ho, Wo), None


def _conv_backward(g, x, w, cols, G, sh, sw, pt, pb, pl, pr, dh, dw, need_x, need_w,
                   need_b):
    """Gradients of y = conv(x, w) + b for x, w and b (None where not needed).

    [dW | db] is a batched GEMM of the output gradient with the columns (kept from forward, or
    recomputed chunk by chunk). dx is skipped when the input needs no gradient; otherwise the
    gradient is laid out (O, N*L) (a cheap copy) so that W^T @ grad is one GEMM whose result is
    (C, kh, kw, N, Ho, Wo): col2im then adds kh*kw contiguous-block slices into a (C, N, H, W)
    image, ~20% faster than from per-sample columns, and one transpose gives NCHW."""
    N, C, H, W = x.shape
    O, Cg, kh, kw = w.shape
    Ho, Wo = g.shape[2:]
    K, L, Og = Cg * kh * kw, Ho * Wo, O // G
    gx = gw = gb = None
    direct = kh == kw == 1 and sh == sw == 1 and not (pt or pb or pl or pr)
    if cols is not None:
        parts = [(0, N)]
        ones = cols.shape[2] > K
    elif need_w or need_x:
        ones = need_w and need_b and not direct
        parts = _batches(N, G * (K + ones) * L * x.itemsize, _CHUNK)
    else:
        parts, ones = [], False
    Kx = K + 1 if ones else K
    g4 = g.reshape(N, G, Og, L)
    if need_w:
        gwb = xp.zeros((G, Og, Kx), g.dtype)
        if cols is None:
            xp_ = _pad4(x, pt, pb, pl, pr)
            m0 = parts[0][1] - parts[0][0]
            buf = None if direct else xp.empty(m0 * G * Kx * L, x.dtype)
    if need_x:
        wt = w.reshape(G, Og, K).transpose(0, 2, 1)
        gxb = xp.empty((C, N, H, W), g.dtype) if direct else xp.zeros((C, N, H, W), g.dtype)
    for n0, n1 in parts:
        m = n1 - n0
        if need_w:
            c = cols if cols is not None else _im2col(
                xp_[n0:n1], G, kh, kw, sh, sw, dh, dw, Ho, Wo,
                out=None if buf is None else buf[:m * G * Kx * L], ones=ones)
            gwb += xp.matmul(g4[n0:n1], c.transpose(0, 1, 3, 2)).sum(0)
            del c
        if need_x:
            gT = xp.ascontiguousarray(g4[n0:n1].transpose(1, 2, 0, 3)).reshape(G, Og, m * L)
            dc = xp.matmul(wt, gT)                               # (G, K, m*L)
            if direct:
                gxb[:, n0:n1] = dc.reshape(C, m, H, W)
            else:
                dcv = dc.reshape(C, kh, kw, m, Ho, Wo).transpose(0, 3, 1, 2, 4, 5)
                _col2im(dcv, gxb[:, n0:n1], kh, kw, sh, sw, pt, pl, dh, dw, Ho, Wo)
    if need_w:
        gw = gwb[:, :, :K].reshape(O, Cg, kh, kw)
        if ones:
            gb = gwb[:, :, K].reshape(O)
    if need_b and gb is None:
        gb = _bias_grad(g)
    if need_x:
        gx = xp.ascontiguousarray(gxb.transpose(1, 0, 2, 3))
    return gx, gw, gb


def _bias_grad(g):
    """Sum of g over every axis but 1 (a matrix-vector product with ones is ~2.5x a sum)."""
    N, O = g.shape[:2]
    g3 = g.reshape(N, O, -1)
    return xp.matmul(g3, xp.ones(g3.shape[2], g.dtype)).sum(0)


# ----------------------------------------------------------------------------- channels-last
# Deep layers (many channels, few pixels) copy columns fastest from a channels-last image: each
# receptive-field row is then one contiguous run of C values instead of a run of W_out pixels
# (8 at the end of the cats-vs-dogs CNN), and col2im adds runs of C too. Measured at 64->128
# channels on 8x8: forward+backward 8.2 ms against 9.9 ms in NCHW; at 16-32 channels NCHW wins.
_NHWC_MIN_C = 48
_NHWC_MAX_W = 12


def _use_nhwc(x, w, G, Wo, keep):
    N, C = x.shape[:2]
    O, Cg, kh, kw = w.shape
    return G == 1 and C >= _NHWC_MIN_C and Wo <= _NHWC_MAX_W and kh * kw > 1 and \
        N * x.shape[2] * Wo * (C * kh * kw + 1) * x.itemsize <= _KEEP_COLS


def _conv_forward_nhwc(x, w, b, sh, sw, pt, pb, pl, pr, dh, dw):
    """y = conv(x, w) + b through channels-last columns (N*Ho*Wo, kh*kw*C + 1): one GEMM
    cols @ [W | b]^T, then one transpose to NCHW. Returns y, the columns and [W | b]."""
    N, C, H, W = x.shape
    O, _, kh, kw = w.shape
    Ho = _out_size(H, kh, sh, pt, pb, dh)
    Wo = _out_size(W, kw, sw, pl, pr, dw)
    L, K = Ho * Wo, kh * kw * C
    xcl = xp.zeros((N, H + pt + pb, W + pl + pr, C), x.dtype)
    xcl[:, pt:pt + H, pl:pl + W, :] = x.transpose(0, 2, 3, 1)
    s0, s1, s2, s3 = xcl.strides
    v = _as_strided(xcl, (N, Ho, Wo, kh, kw, C),
                    (s0, sh * s1, sw * s2, dh * s1, dw * s2, s3), writeable=False)
    cols = xp.empty((N * L, K + 1), x.dtype)
    cols[:, K] = 1
    xp.copyto(cols[:, :K].reshape(N, Ho, Wo, kh, kw, C), v)
    wr = w.transpose(0, 2, 3, 1).reshape(O, K)
    wr = xp.concatenate([wr, (b if b is not None else xp.zeros(O, x.dtype))
                         .astype(x.dtype, copy=False)[:, None]], axis=1)
    y = xp.empty((N, O, L), x.dtype)
    xp.copyto(y, xp.matmul(cols, wr.T).reshape(N, L, O).transpose(0, 2, 1))
    return y.reshape(N, O, Ho, Wo), cols, wr


def _conv_backward_nhwc(g, xshape, wshape, cols, wr, sh, sw, pt, pl, dh, dw, need_x, need_w,
                        need_b):
    N, C, H, W = xshape
    O, _, kh, kw = wshape
    Ho, Wo = g.shape[2:]
    L, K = Ho * Wo, kh * kw * C
    gr = xp.ascontiguousarray(g.reshape(N, O, L).transpose(0, 2, 1)).reshape(N * L, O)
    gx = gw = gb = None
    if need_w or need_b:
        gwb = xp.matmul(gr.T, cols)                                  # (O, K + 1)
        if need_w:
            gw = xp.ascontiguousarray(gwb[:, :K].reshape(O, kh, kw, C).transpose(0, 3, 1, 2))
        if need_b:
            gb = gwb[:, K].copy()
    if need_x:
        dc = xp.matmul(gr, wr[:, :K]).reshape(N, Ho, Wo, kh, kw, C)
        dxcl = xp.zeros((N, H, W, C), g.dtype)
        for i in range(kh):
            r0, nr, y0 = _tap_range(i, dh, pt, sh, Ho, H)
            if nr <= 0:
                continue
            for j in range(kw):
                c0, nc, x0 = _tap_range(j, dw, pl, sw, Wo, W)
                if nc <= 0:
                    continue
                dxcl[:, y0:y0 + sh * (nr - 1) + 1:sh, x0:x0 + sw * (nc - 1) + 1:sw, :] += \
                    dc[:, r0:r0 + nr, c0:c0 + nc, i, j, :]
        gx = xp.ascontiguousarray(dxcl.transpose(0, 3, 1, 2))
    return gx, gw, gb


# ----------------------------------------------------------------------------- Functions


class Convolution(Function):
    """conv1d/conv2d on (N, C, [H,] W) arrays; ``pad`` is (top, bottom, left, right)."""
    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, stride, pad, dilation, groups):
        one_d = x.ndim == 3
        if one_d:
            x, w = x[:, :, None, :], w[:, :, None, :]
        sh, sw = stride
        pt, pb, pl, pr = pad
        dh, dw = dilation
        need = ctx.needs_input_grad
        Wo = _out_size(x.shape[3], w.shape[3], sw, pl, pr, dw)
        if _use_nhwc(x, w, groups, Wo, need[1]):
            y, cols, wr = _conv_forward_nhwc(x, w, b, sh, sw, pt, pb, pl, pr, dh, dw)
            if need[0] or need[1] or need[2]:
                ctx.save_for_backward(cols, wr)
                ctx.cfg = (one_d, x.shape, w.shape, stride, pad, dilation)
                ctx.nhwc = True
            return y[:, :, 0, :] if one_d else y
        y, cols = _conv_forward(x, w, b, groups, sh, sw, pt, pb, pl, pr, dh, dw, need[1])
        if need[0] or need[1] or need[2]:
            ctx.save_for_backward(x, w, cols)
            ctx.cfg = (one_d, groups, stride, pad, dilation)
        return y[:, :, 0, :] if one_d else y

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        if ctx.__dict__.get("nhwc"):
            cols, wr = ctx.saved_arrays
            one_d, xshape, wshape, (sh, sw), (pt, pb, pl, pr), (dh, dw) = ctx.cfg
            if one_d:
                g = g[:, :, None, :]
            gx, gw, gb = _conv_backward_nhwc(g, xshape, wshape, cols, wr, sh, sw, pt, pl, dh,
                                             dw, need[0], need[1], need[2])
        else:
            x, w, cols = ctx.saved_arrays
            one_d, G, (sh, sw), (pt, pb, pl, pr), (dh, dw) = ctx.cfg
            if one_d:
                g = g[:, :, None, :]
            gx, gw, gb = _conv_backward(g, x, w, cols, G, sh, sw, pt, pb, pl, pr, dh, dw,
                                        need[0], need[1], need[2])
        if one_d:
            gx = gx[:, :, 0, :] if gx is not None else None
            gw = gw[:, :, 0, :] if gw is not None else None
        return gx, gw, gb, None, None, None, None


def _convT_forward(x, w, G, sh, sw, ph, pw, oph, opw, dh, dw):
    """Transposed convolution: the input gradient of a convolution whose output is x."""
    N, Cin, H, W = x.shape
    _, Cog, kh, kw = w.shape
    Cin_g = Cin // G
    Ho = (H - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
    Wo = (W - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    K = Cog * kh * kw
    wt = w.reshape(G, Cin_g, K).transpose(0, 2, 1)
    y = xp.zeros((N, G * Cog, Ho, Wo), x.dtype)
    per = K * G * H * W * x.itemsize
    nc = _chunks(N, per)
    for n0 in range(0, N, nc):
        n1 = min(N, n0 + nc)
        dc = xp.matmul(wt, x[n0:n1].reshape(n1 - n0, G, Cin_g, H * W))
        _col2im(dc.reshape(n1 - n0, G * Cog, kh, kw, H, W), y[n0:n1], kh, kw, sh, sw, ph, pw,
                dh, dw, H, W)
    return y


class ConvolutionTranspose(Function):
    """conv_transpose1d/2d on (N, C, [H,] W) arrays; weight is (C_in, C_out/groups, kh, kw)."""
    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, stride, padding, output_padding, dilation, groups):
        one_d = x.ndim == 3
        if one_d:
            x, w = x[:, :, None, :], w[:, :, None, :]
        sh, sw = stride
        ph, pw = padding
        dh, dw = dilation
        y = _convT_forward(x, w, groups, sh, sw, ph, pw, output_padding[0], output_padding[1],
                           dh, dw)
        if b is not None:
            y += b.reshape(-1, 1, 1)
        need = ctx.needs_input_grad
        if need[0] or need[1]:
            ctx.save_for_backward(x, w)
            ctx.cfg = (one_d, groups, stride, padding, dilation)
        return y[:, :, 0, :] if one_d else y

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_arrays
        one_d, G, (sh, sw), (ph, pw), (dh, dw) = ctx.cfg
        need = ctx.needs_input_grad
        if one_d:
            g = g[:, :, None, :]
        N, Cin, H, W = x.shape
        _, Cog, kh, kw = w.shape
        Cin_g = Cin // G
        K = Cog * kh * kw
        gx = gw = None
        gp = _pad4(g, ph, ph, pw, pw)   # conv of g on the input grid (trailing rows unused)
        wm = w.reshape(G, Cin_g, K)
        per = K * G * H * W * g.itemsize
        nc = _chunks(N, per)
        if need[0]:
            gx = xp.empty((N, G, Cin_g, H * W), g.dtype)
        if need[1]:
            gw = xp.zeros((G, Cin_g, K), g.dtype)
        for n0 in range(0, N, nc):
            n1 = min(N, n0 + nc)
            cols = _im2col(gp[n0:n1], G, kh, kw, sh, sw, dh, dw, H, W)
            if need[0]:
                xp.matmul(wm, cols, out=gx[n0:n1])
            if need[1]:
                xc = x[n0:n1].reshape(n1 - n0, G, Cin_g, H * W)
                gw += xp.matmul(xc, cols.transpose(0, 1, 3, 2)).sum(0)
        if gx is not None:
            gx = gx.reshape(N, Cin, H, W)
        if gw is not None:
            gw = gw.reshape(Cin, Cog, kh, kw)
        gb = _bias_grad(g) if need[2] else None
        if one_d:
            gx = gx[:, :, 0, :] if gx is not None else None
            gw = gw[:, :, 0, :] if gw is not None else None
        return gx, gw, gb, None, None, None, None, None


# ----------------------------------------------------------------------------- argument checks


def _tname(a):
    from .._dtype import _FROM_NP
    return _FROM_NP[a.dtype]._tensor_type


def _short(a):
    return {"float32": "float", "float64": "double", "float16": "c10::Half",
            "int64": "long", "int32": "int"}.get(a.dtype.name, a.dtype.name)


def _tuple(v, n, name):
    if isinstance(v, (int, np.integer)):
        return (int(v),) * n
    v = tuple(int(a) for a in v)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} "
                           f"values to match the convolution dimensions, but got "
                           f"{name}={list(v)}")
    return v


def _check_common(fname, input, weight, bias, nsp, stride, dilation, groups):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}() argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if not isinstance(weight, Tensor):
        raise TypeError(f"{fname}() argument 'weight' (position 2) must be Tensor, not "
                        f"{type(weight).__name__}")
    a, w = input._data, weight._data
    if a.ndim not in (nsp + 1, nsp + 2):
        raise RuntimeError(f"Expected {nsp + 1}D (unbatched) or {nsp + 2}D (batched) input to "
                           f"{fname}, but got input of size: {list(a.shape)}")
    if w.ndim != nsp + 2:
        raise RuntimeError("weight should have at least three dimensions" if w.ndim < 3 else
                           f"Expected {nsp + 2}-dimensional weight for {nsp + 2}-dimensional "
                           f"input {list(a.shape)}, but got {w.ndim}-dimensional weight of "
                           f"size {list(w.shape)} instead")
    if a.dtype != w.dtype:
        if a.dtype == np.float32 and w.dtype == np.float64:
            raise RuntimeError(f"Input type (ember.{_tname(a)}) and weight type "
                               f"(ember.{_tname(w)}) should be the same or input should be a "
                               "MKLDNN tensor and weight is a dense tensor")
        raise RuntimeError(f"expected scalar type {_tname(a)[:-6]} but found "
                           f"{_tname(w)[:-6]}")
    if bias is not None and bias._data.dtype != a.dtype:
        raise RuntimeError(f"Input type ({_short(a)}) and bias type ({_short(bias._data)}) "
                           "should be the same")
    stride = _tuple(stride, nsp, "stride")
    dilation = _tuple(dilation, nsp, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    groups = int(groups)
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    return stride, dilation, groups


def _conv(fname, input, weight, bias, stride, padding, dilation, groups, nsp):
    stride, dilation, groups = _check_common(fname, input, weight, bias, nsp, stride, dilation,
                                             groups)
    a, w = input._data, weight._data
    unbatched = a.ndim == nsp + 1
    if unbatched:
        input = input.unsqueeze(0)
        a = input._data
    ks = w.shape[2:]
    if isinstance(padding, str):
        if padding == "valid":
            pads = (0,) * (2 * nsp)
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = []
            for k, d in zip(ks, dilation):
                tot = d * (k - 1)
                pads += [tot // 2, tot - tot // 2]
            pads = tuple(pads)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        p = _tuple(padding, nsp, "padding")
        if any(v < 0 for v in p):
            raise RuntimeError("negative padding is not supported")
        pads = tuple(v for q in p for v in (q, q))
    C, O = a.shape[1], w.shape[0]
    if O % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{list(w.shape)}] instead")
    if C != w.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(w.shape)}, expected "
                           f"input{list(a.shape)} to have {w.shape[1] * groups} channels, but "
                           f"got {C} channels instead")
    if bias is not None and (bias._data.ndim != 1 or bias._data.shape[0] != O):
        raise RuntimeError(f"Given weight of size {list(w.shape)}, expected bias to be "
                           f"1-dimensional with {O} elements, but got bias of size "
                           f"{list(bias._data.shape)} instead")
    sp = a.shape[2:]
    padded = [n + pads[2 * i] + pads[2 * i + 1] for i, n in enumerate(sp)]
    eff = [d * (k - 1) + 1 for k, d in zip(ks, dilation)]
    if any(p_ < e for p_, e in zip(padded, eff)):
        raise RuntimeError("Calculated padded input size per channel: ("
                           + " x ".join(map(str, padded)) + "). Kernel size: ("
                           + " x ".join(map(str, eff)) + "). Kernel size can't be greater than "
                           "actual input size")
    if nsp == 1:
        stride, dilation, pads = (1, stride[0]), (1, dilation[0]), (0, 0) + pads
    out = Convolution.apply(input, weight, bias, stride, pads, dilation, groups)
    return out.squeeze(0) if unbatched else out


@register(method=False)
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution of (N, C, H, W) or (C, H, W) input with (O, C/groups, kh, kw) weight."""
    return _conv("conv2d", input, weight, bias, stride, padding, dilation, groups, 2)


@register(method=False)
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution of (N, C, L) or (C, L) input with (O, C/groups, k) weight."""
    return _conv("conv1d", input, weight, bias, stride, padding, dilation, groups, 1)


def _conv_t(fname, input, weight, bias, stride, padding, output_padding, groups, dilation, nsp):
    stride, dilation, groups = _check_common(fname, input, weight, bias, nsp, stride, dilation,
                                             groups)
    padding = _tuple(padding, nsp, "padding")
    output_padding = _tuple(output_padding, nsp, "output_padding")
    if any(v < 0 for v in padding):
        raise RuntimeError("negative padding is not supported")
    if any(v < 0 for v in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= s and op >= d:
            raise RuntimeError("output padding must be smaller than either stride or dilation, "
                               f"but got output_padding_height: {op} output_padding_width: {op} "
                               f"stride_height: {s} stride_width: {s} dilation_height: {d} "
                               f"dilation_width: {d}")
    a, w = input._data, weight._data
    unbatched = a.ndim == nsp + 1
    if unbatched:
        input = input.unsqueeze(0)
        a = input._data
    if a.shape[1] != w.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected "
                           f"input{list(a.shape)} to have {w.shape[0]} channels, but got "
                           f"{a.shape[1]} channels instead")
    if w.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{list(w.shape)}] instead")
    O = w.shape[1] * groups
    if bias is not None and (bias._data.ndim != 1 or bias._data.shape[0] != O):
        raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected bias "
                           f"to be 1-dimensional with {O} elements, but got bias of size "
                           f"{list(bias._data.shape)} instead")
    for n, k, s, p, op, d in zip(a.shape[2:], w.shape[2:], stride, padding, output_padding,
                                 dilation):
        if (n - 1) * s - 2 * p + d * (k - 1) + op + 1 <= 0:
            raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, a.shape[2:]))}"
                               "). Calculated output size per channel is non-positive. Output "
                               "size is too small")
    if nsp == 1:
        stride, padding, output_padding, dilation = ((1,) + stride, (0,) + padding,
                                                     (0,) + output_padding, (1,) + dilation)
    out = ConvolutionTranspose.apply(input, weight, bias, stride, padding, output_padding,
                                     dilation, groups)
    return out.squeeze(0) if unbatched else out


@register(method=False)
def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """Transposed 2-D convolution (the input gradient of conv2d) with (C_in, C_out/groups, kh,
    kw) weight."""
    return _conv_t("conv_transpose2d", input, weight, bias, stride, padding, output_padding,
                   groups, dilation, 2)


@register(method=False)
def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """Transposed 1-D convolution with (C_in, C_out/groups, k) weight."""
    return _conv_t("conv_transpose1d", input, weight, bias, stride, padding, output_padding,
                   groups, dilation, 1)


FUNCTIONAL = {"conv1d": conv1d, "conv2d": conv2d, "conv_transpose1d": conv_transpose1d,
              "conv_transpose2d": conv_transpose2d}
