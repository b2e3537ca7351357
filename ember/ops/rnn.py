"""Recurrent kernels: one autograd Function per layer and direction, over the whole sequence.

The equations are PyTorch's (gate blocks stacked in its weight order)::

    RNN   h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)            (or relu)
    LSTM  i, f, g, o = sigma, sigma, tanh, sigma of (x W_ih^T + b_ih + h W_hh^T + b_hh)
          c' = f * c + i * g        h' = o * tanh(c')             (h' = h' W_hr^T with proj_size)
    GRU   r, z = sigma(x W_i{r,z}^T + b_i{r,z} + h W_h{r,z}^T + b_h{r,z})
          n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))      h' = (1 - z) * n + z * h

Why it is fast on NumPy: the input projection of every time step is one GEMM before the loop;
inside the loop only ``h @ W_hh^T`` and a few ufuncs on contiguous gate blocks run (sigmoid is
computed as ``0.5 * tanh(x / 2) + 0.5`` so one ``tanh`` covers all gates: the sigmoid rows of
the weights are pre-scaled by 1/2, exactly, and the LSTM's gates are kept internally as
i, f, o, g so the sigmoid block is contiguous); backpropagation through time uses derivative
factors computed in bulk before its loop, and the weight gradients are one GEMM each after it.

Input layouts: padded ``(T, B, F)`` (every step has B rows) or packed ``(N, F)`` with
non-increasing per-step batch sizes (``PackedSequence``): step t holds rows
``offs[t]:offs[t] + sizes[t]``, the sequences still running at t.
"""
from itertools import accumulate

import numpy as np

from ..autograd.function import Function, Node
from ..backend import xp

__all__ = ["RNNTanhLayer", "RNNReluLayer", "LSTMLayer", "GRULayer", "RNNDropout",
           "PackPadded", "PadPacked", "PadSequence", "pack_indices"]


# ------------------------------------------------------------------ time-step bookkeeping

def _schedule(x, batch_sizes, reverse):
    """x as (N, F), the per-step sizes and offsets, and the steps in processing order as
    ``(offset, rows, prev_offset, rows_from_prev)``: the first ``rows_from_prev`` rows of the
    step's previous state are the previous step's outputs, the rest come from the initial state
    (sequences that start there: only in the reverse direction of a packed batch)."""
    if batch_sizes is None:
        T, B = x.shape[0], x.shape[1]
        x2 = x.reshape(T * B, x.shape[2])
        sizes = (B,) * T
    else:
        x2 = x
        sizes = batch_sizes
        T = len(sizes)
    offs = list(accumulate(sizes, initial=0))
    if reverse:
        steps = [(offs[t], sizes[t], offs[t + 1] if t + 1 < T else -1,
                  sizes[t + 1] if t + 1 < T else 0) for t in range(T - 1, -1, -1)]
    else:
        steps = [(offs[t], sizes[t], offs[t - 1] if t else -1, sizes[t] if t else 0)
                 for t in range(T)]
    return x2, sizes, offs, steps


def _fill_prev(dst, src, po, pbs, init, bs):
    """Rows of a step's previous state: outputs of the previous step, then initial states."""
    if pbs:
        dst[:pbs] = src[po:po + pbs]
    if pbs < bs:
        if init is None:
            dst[pbs:] = 0
        else:
            dst[pbs:] = init[pbs:bs]


def _final(Y, sizes, offs, reverse, B):
    """Each sequence's state at its true last step: (B, F)."""
    if reverse or not sizes:
        return Y[:B].copy()
    out = xp.empty((B,) + Y.shape[1:], Y.dtype)
    T = len(sizes)
    for t in range(T):
        nb = sizes[t + 1] if t + 1 < T else 0
        if nb < sizes[t]:
            out[nb:sizes[t]] = Y[offs[t] + nb:offs[t] + sizes[t]]
    return out


def _state_buf(g, shape, dt):
    """A private, writable copy of an incoming state gradient (zeros when none came)."""
    if g is None:
        return xp.zeros(shape, dt)
    return xp.array(g, dtype=dt, copy=True)


def _out_grad(dy, N):
    if dy is None:
        return None
    return dy.reshape(N, dy.shape[-1])


# ------------------------------------------------------------------------------ RNN tanh/relu

class RNNTanhLayer(Function):
    """One direction of one layer of ``nn.RNN(nonlinearity='tanh')``.

    forward(x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse) -> (output, h_n)
    """

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse):
        return _rnn_forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse, False)

    @staticmethod
    def backward(ctx, dy, dhn):
        return _rnn_backward(ctx, dy, dhn)


class RNNReluLayer(RNNTanhLayer):
    """One direction of one layer of ``nn.RNN(nonlinearity='relu')``."""

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse):
        return _rnn_forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse, True)


def _rnn_forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse, relu):
    x2, sizes, offs, steps = _schedule(x, batch_sizes, reverse)
    N, H = offs[-1], w_hh.shape[0]
    B = x.shape[1] if batch_sizes is None else (sizes[0] if sizes else 0)
    dt = x.dtype
    A = xp.matmul(x2, w_ih.T)               # all steps' input projections: one GEMM
    if b_ih is not None:
        A += b_ih
    if b_hh is not None:
        A += b_hh
    keep = isinstance(ctx, Node)            # recording: keep what backward needs
    HP = xp.empty((N if keep else B, H), dt)   # each step's previous state (for dW_hh)
    tmp = xp.empty((B, H), dt)
    WT = w_hh.T
    for o, bs, po, pbs in steps:
        e = o + bs
        so = o if keep else 0
        hp = HP[so:so + bs]
        _fill_prev(hp, A, po, pbs, h0, bs)
        a = A[o:e]
        t = tmp[:bs]
        xp.matmul(hp, WT, out=t)
        a += t
        if relu:
            xp.maximum(a, 0, out=a)
        else:
            xp.tanh(a, out=a)
    Y = A
    hn = _final(Y, sizes, offs, reverse, B) if sizes else \
        (xp.zeros((B, H), dt) if h0 is None else h0.copy())
    if keep:
        ctx.save_for_backward(x2, w_ih, w_hh, HP, Y)
        ctx.meta = (steps, B, relu, x.shape)
    y = Y.reshape(x.shape[:-1] + (H,))
    return y, hn


def _rnn_backward(ctx, dy, dhn):
    x2, w_ih, w_hh, HP, Y = ctx.saved_arrays
    steps, B, relu, xshape = ctx.meta
    need = ctx.needs_input_grad
    N, H = Y.shape
    dt = Y.dtype
    if relu:
        F = (Y > 0).astype(dt)
    else:
        F = Y * Y
        xp.subtract(1, F, out=F)
    dY = _out_grad(dy, N)
    dHb = _state_buf(dhn, (B, H), dt)
    dZ = xp.empty((N, H), dt)
    for o, bs, po, pbs in reversed(steps):
        e = o + bs
        dh = dHb[:bs]
        if dY is not None:
            dh += dY[o:e]
        dz = dZ[o:e]
        xp.multiply(dh, F[o:e], out=dz)
        xp.matmul(dz, w_hh, out=dh)
    dx = xp.matmul(dZ, w_ih).reshape(xshape) if need[0] else None
    dh0 = dHb if need[1] else None
    dW_ih = xp.matmul(dZ.T, x2) if need[2] else None
    dW_hh = xp.matmul(dZ.T, HP) if need[3] else None
    db_ih = db_hh = None
    if need[4] or need[5]:
        db = dZ.sum(0)
        db_ih = db if need[4] else None
        db_hh = (db.copy() if need[4] else db) if need[5] else None
    return dx, dh0, dW_ih, dW_hh, db_ih, db_hh, None, None


# ------------------------------------------------------------------------------------ LSTM

_PERMS = {}


def _lstm_perm(H):
    """Internal gate order i, f, o, g (the sigmoid gates contiguous) from PyTorch's i, f, g, o."""
    p = _PERMS.get(H)
    if p is None:
        p = _PERMS[H] = np.concatenate((np.arange(2 * H), np.arange(3 * H, 4 * H),
                                        np.arange(2 * H, 3 * H)))
    return p


class LSTMLayer(Function):
    """One direction of one layer of ``nn.LSTM``.

    forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, batch_sizes, reverse)
        -> (output, h_n, c_n); h has ``proj_size`` features when ``w_hr`` is given.
    """

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, batch_sizes, reverse):
        x2, sizes, offs, steps = _schedule(x, batch_sizes, reverse)
        G, P = w_hh.shape
        H = G // 4
        H2, H3 = 2 * H, 3 * H
        N = offs[-1]
        B = x.shape[1] if batch_sizes is None else (sizes[0] if sizes else 0)
        dt = x.dtype
        half = dt.type(0.5)
        perm = _lstm_perm(H)
        Wi = w_ih[perm]                      # internal order, sigmoid rows halved
        Wi[:H3] *= half
        Wh = w_hh[perm]
        Wh[:H3] *= half
        A = xp.matmul(x2, Wi.T)              # all steps' input projections: one GEMM
        if b_ih is not None or b_hh is not None:
            b = b_ih + b_hh if b_ih is not None and b_hh is not None else \
                (b_ih if b_ih is not None else b_hh)
            b = b[perm]
            b[:H3] *= half
            A += b
        Y = xp.empty((N, P), dt)
        C = xp.empty((N, H), dt)
        keep = isinstance(ctx, Node)        # recording: keep what backward needs
        M = N if keep else B
        TC = xp.empty((M, H), dt)
        HP = xp.empty((M, P), dt)
        CP = xp.empty((M, H), dt)
        R = xp.empty((M, H), dt) if w_hr is not None else None
        WhT = Wh.T
        WrT = w_hr.T if w_hr is not None else None
        tmp = xp.empty((B, G), dt)
        tmp1 = xp.empty((B, H), dt)
        for o, bs, po, pbs in steps:
            e = o + bs
            so = o if keep else 0
            se = so + bs
            hp = HP[so:se]
            cp = CP[so:se]
            _fill_prev(hp, Y, po, pbs, h0, bs)
            _fill_prev(cp, C, po, pbs, c0, bs)
            a = A[o:e]
            t = tmp[:bs]
            xp.matmul(hp, WhT, out=t)
            a += t
            xp.tanh(a, out=a)
            s = a[:, :H3]
            s *= half
            s += half
            c = C[o:e]
            xp.multiply(a[:, H:H2], cp, out=c)
            t1 = tmp1[:bs]
            xp.multiply(a[:, :H], a[:, H3:], out=t1)
            c += t1
            tc = TC[so:se]
            xp.tanh(c, out=tc)
            if R is None:
                xp.multiply(a[:, H2:H3], tc, out=Y[o:e])
            else:
                r = R[so:se]
                xp.multiply(a[:, H2:H3], tc, out=r)
                xp.matmul(r, WrT, out=Y[o:e])
        if sizes:
            hn = _final(Y, sizes, offs, reverse, B)
            cn = _final(C, sizes, offs, reverse, B)
        else:
            hn = xp.zeros((B, P), dt) if h0 is None else h0.copy()
            cn = xp.zeros((B, H), dt) if c0 is None else c0.copy()
        if keep:
            ctx.save_for_backward(x2, w_ih, w_hh, w_hr, HP, CP, A, TC, R)
            ctx.meta = (steps, B, x.shape)
        return Y.reshape(x.shape[:-1] + (P,)), hn, cn

    @staticmethod
    def backward(ctx, dy, dhn, dcn):
        x2, w_ih, w_hh, w_hr, HP, CP, A, TC, R = ctx.saved_arrays
        steps, B, xshape = ctx.meta
        need = ctx.needs_input_grad
        G, P = w_hh.shape
        H = G // 4
        H2, H3 = 2 * H, 3 * H
        N = A.shape[0]
        dt = A.dtype
        perm = _lstm_perm(H)
        # derivative factors for every step at once (gate pre-activation = factor * dc or dh)
        ai, af, ao, ag = A[:, :H], A[:, H:H2], A[:, H2:H3], A[:, H3:]
        F = xp.empty((N, G), dt)
        S = A[:, :H3] * A[:, :H3]            # sigma' = s - s^2
        xp.subtract(A[:, :H3], S, out=S)
        xp.multiply(ag, S[:, :H], out=F[:, :H])           # di = dc * g * sigma'(i)
        xp.multiply(CP, S[:, H:H2], out=F[:, H:H2])       # df = dc * c_prev * sigma'(f)
        xp.multiply(TC, S[:, H2:], out=F[:, H2:H3])       # do = dh * tanh(c) * sigma'(o)
        del S
        Fg = F[:, H3:]
        xp.multiply(ag, ag, out=Fg)
        xp.subtract(1, Fg, out=Fg)
        Fg *= ai                                           # dg = dc * i * (1 - g^2)
        Fc = TC * TC                                       # dc += dh * o * (1 - tanh(c)^2)
        xp.subtract(1, Fc, out=Fc)
        Fc *= ao
        dY = _out_grad(dy, N)
        dHb = _state_buf(dhn, (B, P), dt)
        dCb = _state_buf(dcn, (B, H), dt)
        dZ = xp.empty((N, G), dt)
        Wh = w_hh[perm]
        proj = w_hr is not None
        DH = xp.empty((N, P), dt) if proj else None
        tmp = xp.empty((B, H), dt)
        tmph = xp.empty((B, H), dt) if proj else None
        for o, bs, po, pbs in reversed(steps):
            e = o + bs
            dh = dHb[:bs]
            if dY is not None:
                dh += dY[o:e]
            if proj:
                DH[o:e] = dh
                dh = xp.matmul(dh, w_hr, out=tmph[:bs])
            dc = dCb[:bs]
            t = tmp[:bs]
            xp.multiply(dh, Fc[o:e], out=t)
            dc += t
            dz = dZ[o:e]
            xp.multiply(dc[:, None, :], F[o:e].reshape(bs, 4, H), out=dz.reshape(bs, 4, H))
            xp.multiply(dh, F[o:e, H2:H3], out=dz[:, H2:H3])
            dc *= af[o:e]
            xp.matmul(dz, Wh, out=dHb[:bs])
        dx = dW_ih = dW_hh = db_ih = db_hh = dW_hr = None
        if need[0]:
            dx = xp.matmul(dZ, w_ih[perm]).reshape(xshape)
        if need[3]:
            dW_ih = xp.empty_like(w_ih)
            dW_ih[perm] = xp.matmul(dZ.T, x2)
        if need[4]:
            dW_hh = xp.empty_like(w_hh)
            dW_hh[perm] = xp.matmul(dZ.T, HP)
        if need[5] or need[6]:
            db = xp.empty(G, dt)
            db[perm] = dZ.sum(0)
            db_ih = db if need[5] else None
            db_hh = (db.copy() if need[5] else db) if need[6] else None
        if proj and need[7]:
            dW_hr = xp.matmul(DH.T, R)
        return (dx, dHb if need[1] else None, dCb if need[2] else None, dW_ih, dW_hh,
                db_ih, db_hh, dW_hr, None, None)


# ------------------------------------------------------------------------------------- GRU

class GRULayer(Function):
    """One direction of one layer of ``nn.GRU``.

    forward(x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse) -> (output, h_n)
    """

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse):
        x2, sizes, offs, steps = _schedule(x, batch_sizes, reverse)
        G, H = w_hh.shape
        H2 = 2 * H
        N = offs[-1]
        B = x.shape[1] if batch_sizes is None else (sizes[0] if sizes else 0)
        dt = x.dtype
        half = dt.type(0.5)
        Wi = w_ih.copy()
        Wi[:H2] *= half
        Wh = w_hh.copy()
        Wh[:H2] *= half
        A = xp.matmul(x2, Wi.T)
        if b_ih is not None or b_hh is not None:
            b = xp.zeros(G, dt)
            if b_ih is not None:
                b += b_ih
            if b_hh is not None:
                b[:H2] += b_hh[:H2]
            b[:H2] *= half
            A += b
        bhn = b_hh[H2:] if b_hh is not None else None
        keep = isinstance(ctx, Node)        # recording: keep what backward needs
        M = N if keep else B
        Y = xp.empty((N, H), dt)
        HP = xp.empty((M, H), dt)
        GHN = xp.empty((M, H), dt)          # h W_hn^T + b_hn, needed for dr
        tmp = xp.empty((B, G), dt)
        tmp1 = xp.empty((B, H), dt)
        WhT = Wh.T
        for o, bs, po, pbs in steps:
            e = o + bs
            so = o if keep else 0
            hp = HP[so:so + bs]
            _fill_prev(hp, Y, po, pbs, h0, bs)
            t = tmp[:bs]
            xp.matmul(hp, WhT, out=t)
            a = A[o:e]
            rz = a[:, :H2]
            rz += t[:, :H2]
            xp.tanh(rz, out=rz)
            rz *= half
            rz += half
            ghn = GHN[so:so + bs]
            if bhn is not None:
                xp.add(t[:, H2:], bhn, out=ghn)
            else:
                ghn[...] = t[:, H2:]
            n = a[:, H2:]
            t1 = tmp1[:bs]
            xp.multiply(a[:, :H], ghn, out=t1)
            n += t1
            xp.tanh(n, out=n)
            y = Y[o:e]
            xp.subtract(hp, n, out=y)
            y *= a[:, H:H2]
            y += n
        if sizes:
            hn = _final(Y, sizes, offs, reverse, B)
        else:
            hn = xp.zeros((B, H), dt) if h0 is None else h0.copy()
        if keep:
            ctx.save_for_backward(x2, w_ih, w_hh, HP, A, GHN)
            ctx.meta = (steps, B, x.shape)
        return Y.reshape(x.shape[:-1] + (H,)), hn

    @staticmethod
    def backward(ctx, dy, dhn):
        x2, w_ih, w_hh, HP, A, GHN = ctx.saved_arrays
        steps, B, xshape = ctx.meta
        need = ctx.needs_input_grad
        G, H = w_hh.shape
        H2 = 2 * H
        N = A.shape[0]
        dt = A.dtype
        r, z, n = A[:, :H], A[:, H:H2], A[:, H2:]
        S = A[:, :H2] * A[:, :H2]
        xp.subtract(A[:, :H2], S, out=S)                  # sigma'(r), sigma'(z)
        Fr = S[:, :H]
        Fr *= GHN                                          # dr = dn_pre * ghn * sigma'(r)
        Fz = S[:, H:]
        Fz *= xp.subtract(HP, n)                           # dz = dh * (h_prev - n) * sigma'(z)
        Fn = n * n                                         # dn_pre = dh * (1 - z) * (1 - n^2)
        xp.subtract(1, Fn, out=Fn)
        Fn *= xp.subtract(1, z)
        dY = _out_grad(dy, N)
        dHb = _state_buf(dhn, (B, H), dt)
        dGH = xp.empty((N, G), dt)          # gradients of the hidden-side pre-activations
        DXN = xp.empty((N, H), dt)          # gradient of the input-side n pre-activation
        tmp = xp.empty((B, H), dt)
        for o, bs, po, pbs in reversed(steps):
            e = o + bs
            dh = dHb[:bs]
            if dY is not None:
                dh += dY[o:e]
            dxn = DXN[o:e]
            xp.multiply(dh, Fn[o:e], out=dxn)
            dg = dGH[o:e]
            xp.multiply(dxn, Fr[o:e], out=dg[:, :H])
            xp.multiply(dh, Fz[o:e], out=dg[:, H:H2])
            xp.multiply(dxn, r[o:e], out=dg[:, H2:])
            t = tmp[:bs]
            xp.multiply(dh, z[o:e], out=t)
            xp.matmul(dg, w_hh, out=dh)
            dh += t
        dW_hh = xp.matmul(dGH.T, HP) if need[3] else None
        db_hh = dGH.sum(0) if need[5] else None
        dGH[:, H2:] = DXN                   # now the input-side pre-activation gradients
        dx = xp.matmul(dGH, w_ih).reshape(xshape) if need[0] else None
        dW_ih = xp.matmul(dGH.T, x2) if need[2] else None
        db_ih = dGH.sum(0) if need[4] else None
        return dx, dHb if need[1] else None, dW_ih, dW_hh, db_ih, db_hh, None, None


# --------------------------------------------------------------- dropout between the layers

class RNNDropout(Function):
    """x * mask (the mask already scaled by 1 / (1 - p)): dropout on a layer's output."""

    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, x, m):
        ctx.save_for_backward(m)
        return x * m

    @staticmethod
    def backward(ctx, g):
        m, = ctx.saved_arrays
        return g * m, None


# --------------------------------------------------------------- packing and padding

def pack_indices(lengths, T, batch_first):
    """Row indices, into the padded input viewed as (T*B, ...) (or (B*T, ...) when batch
    first), of the packed rows in order: step by step, the sequences still running."""
    lengths = np.asarray(lengths)
    B = lengths.shape[0]
    mask = np.arange(T)[:, None] < lengths[None, :]       # (T, B), row-major = packed order
    t, b = np.nonzero(mask)
    return b * T + t if batch_first else t * B + b


class PackPadded(Function):
    """Gather the rows of a padded (T, B, *) or (B, T, *) batch into packed (N, *) data."""

    node_name = "PackPaddedSequenceBackward0"

    @staticmethod
    def forward(ctx, x, idx):
        if isinstance(ctx, Node):
            ctx.meta = (x.shape, idx)
        return xp.take(x.reshape((x.shape[0] * x.shape[1],) + x.shape[2:]), idx, axis=0)

    @staticmethod
    def backward(ctx, g):
        shape, idx = ctx.meta
        out = xp.zeros((shape[0] * shape[1],) + shape[2:], g.dtype)
        out[idx] = g
        return out.reshape(shape), None


class PadPacked(Function):
    """Scatter packed (N, *) data into a padded (T, B, *) or (B, T, *) batch."""

    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, data, idx, shape, padding_value):
        rows = (shape[0] * shape[1],) + tuple(shape[2:])
        out = xp.zeros(rows, data.dtype) if padding_value == 0 else \
            xp.full(rows, padding_value, data.dtype)
        out[idx] = data
        if isinstance(ctx, Node):
            ctx.meta = idx
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        idx = ctx.meta
        return xp.take(g.reshape((g.shape[0] * g.shape[1],) + g.shape[2:]), idx, axis=0), \
            None, None, None


class PadSequence(Function):
    """Stack variable-length (L_i, *) sequences into (T, B, *) (or (B, T, *)), padded."""

    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, batch_first, padding_value, left, *seqs):
        T = max(s.shape[0] for s in seqs)
        B = len(seqs)
        trail = seqs[0].shape[1:]
        dt = np.result_type(*seqs)
        out = xp.full((B, T) + trail, padding_value, dt)
        for i, s in enumerate(seqs):
            n = s.shape[0]
            if left:
                out[i, T - n:] = s
            else:
                out[i, :n] = s
        if isinstance(ctx, Node):
            ctx.meta = (batch_first, left, [s.shape[0] for s in seqs])
        return out if batch_first else out.swapaxes(0, 1).copy()

    @staticmethod
    def backward(ctx, g):
        batch_first, left, lens = ctx.meta
        if not batch_first:
            g = g.swapaxes(0, 1)
        T = g.shape[1]
        grads = tuple(g[i, T - n:] if left else g[i, :n] for i, n in enumerate(lens))
        return (None, None, None) + grads
