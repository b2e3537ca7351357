"""Embedding lookups: ``embedding`` (a row per index) and ``embedding_bag`` (sum, mean or max of
the rows of each bag), with PyTorch's padding_idx, max_norm and scale_grad_by_freq.

The weight gradient is a scatter-add of gradient rows into (num_embeddings, dim) with repeated
indices. ``np.add.at`` does that slowly, so ``_scatter_rows`` sorts the indices once and adds
in rounds: the first occurrence of every index is plain fancy assignment, later occurrences
(the k-th of each index in round k) are fancy ``+=`` with no duplicates inside a round, and the
few very frequent indices (padding, "the") are summed with one contiguous reduction each.
"""
import numpy as np

from ..autograd.function import Function, Node
from ..backend import xp
from ..tensor import Tensor, _new_tensor

__all__ = ["embedding", "embedding_bag", "FUNCTIONAL"]

_ROUNDS = 16     # occurrences handled by fancy-index rounds; more frequent indices are summed


def _scatter_rows(idx, g, V, padding_idx=None, scale_by_freq=False):
    """Sum the rows ``g[k]`` into row ``idx[k]`` of a zero (V, D) array (``padding_idx`` rows
    get nothing; with ``scale_by_freq`` each row is divided by its index's count)."""
    D = g.shape[1]
    out = xp.zeros((V, D), g.dtype)
    if padding_idx is not None and padding_idx >= 0:
        keep = idx != padding_idx
        if not keep.all():
            idx = idx[keep]
            g = g[keep]
    n = idx.shape[0]
    if n == 0:
        return out
    order = xp.argsort(idx, kind="stable")
    s = idx[order]
    new = xp.empty(n, bool)
    new[0] = True
    xp.not_equal(s[1:], s[:-1], out=new[1:])
    starts = xp.flatnonzero(new)
    rows = s[starts]
    counts = xp.diff(xp.append(starts, n))
    out[rows] = g[order[starts]]                    # round 0: first occurrence of each index
    top = int(counts.max())
    if top > 1:
        gid = xp.cumsum(new) - 1
        rank = xp.arange(n) - starts[gid]
        light = counts[gid] <= _ROUNDS
        for r in range(1, min(top, _ROUNDS)):
            sel = xp.flatnonzero((rank == r) & light)
            if sel.size == 0:
                break
            out[s[sel]] += g[order[sel]]
        for h in xp.flatnonzero(counts > _ROUNDS):
            a = starts[h]
            out[rows[h]] += g[order[a + 1:a + counts[h]]].sum(0)
    if scale_by_freq:
        out[rows] /= counts[:, None].astype(g.dtype)
    return out


def _check_indices(idx, what="embedding"):
    if idx.dtype.kind not in "iu" or idx.dtype not in (np.int64, np.int32):
        from .._dtype import _FROM_NP
        t = _FROM_NP[idx.dtype]._tensor_type
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {t} instead (while "
                           f"checking arguments for {what})")


class Embedding(Function):
    """weight[indices]; the gradient rows are summed into the rows they came from."""

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        V = weight.shape[0]
        if indices.size and (indices.min() < 0 or indices.max() >= V):
            raise IndexError("index out of range in self")
        if isinstance(ctx, Node):
            ctx.meta = (indices, V, padding_idx, scale_grad_by_freq)
        return xp.take(weight, indices, axis=0)

    @staticmethod
    def backward(ctx, g):
        idx, V, padding_idx, freq = ctx.meta
        D = g.shape[-1]
        return _scatter_rows(idx.reshape(-1), g.reshape(-1, D), V, padding_idx, freq), None, \
            None, None


def _renorm_(weight, indices, max_norm, norm_type):
    """Rescale, in place, the rows of ``weight`` used by ``indices`` whose norm exceeds
    ``max_norm`` to norm ``max_norm`` (PyTorch's embedding_renorm_, under no_grad)."""
    w = weight._data
    rows = np.unique(indices._data.reshape(-1))
    if rows.size == 0:
        return
    if rows.min() < 0 or rows.max() >= w.shape[0]:
        raise IndexError("index out of range in self")
    sub = w[rows]
    p = float(norm_type)
    if p == 2:
        norms = np.sqrt(np.einsum("ij,ij->i", sub, sub))
    elif p == float("inf"):
        norms = np.abs(sub).max(1)
    elif p == 1:
        norms = np.abs(sub).sum(1)
    else:
        norms = (np.abs(sub) ** p).sum(1) ** (1.0 / p)
    big = norms > max_norm
    if big.any():
        scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
        w[rows[big]] = sub[big] * scale[:, None]
        weight._version[0] += 1


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` (num_embeddings, dim) picked by the integer ``input``: output
    ``input.shape + (dim,)``. The ``padding_idx`` row gets no gradient; with ``max_norm``, the
    rows used are first renormalised in place."""
    n = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= n:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = n + padding_idx
    else:
        padding_idx = -1
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    _check_indices(idx)
    if max_norm is not None:
        _renorm_(weight, input if isinstance(input, Tensor) else _new_tensor(idx), max_norm,
                 norm_type)
    return Embedding.apply(weight, idx, padding_idx, bool(scale_grad_by_freq))


# ------------------------------------------------------------------------------ bags

class EmbeddingBagSum(Function):
    """Per-bag sum (or mean: ``scale`` holds 1/count per entry) of weighted rows.

    Bags are contiguous runs of ``idx``: entry k belongs to bag ``bag[k]``; entries equal to
    the padding index carry zero weight."""

    node_name = "EmbeddingBagBackward0"

    @staticmethod
    def forward(ctx, weight, psw, idx, bag, starts, nbags, scale, padding_idx, freq):
        rows = xp.take(weight, idx, axis=0)
        wk = scale if psw is None else (psw if scale is None else psw * scale)
        if wk is not None:
            rows *= wk[:, None]
        out = xp.zeros((nbags, weight.shape[1]), weight.dtype)
        if idx.size:
            ne = starts[0]
            out[ne] = xp.add.reduceat(rows, starts[1], axis=0)
        if isinstance(ctx, Node):
            ctx.meta = (idx, bag, wk, weight.shape[0], padding_idx, freq)
            if psw is not None:
                ctx.save_for_backward(weight)
        return out

    @staticmethod
    def backward(ctx, g):
        idx, bag, wk, V, padding_idx, freq = ctx.meta
        need = ctx.needs_input_grad
        gr = xp.take(g, bag, axis=0)                      # (n, D): each entry's bag gradient
        dpsw = None
        if need[1]:
            weight, = ctx.saved_arrays
            dpsw = xp.einsum("ij,ij->i", gr, xp.take(weight, idx, axis=0))
            if padding_idx is not None and padding_idx >= 0:
                dpsw[idx == padding_idx] = 0
        dW = None
        if need[0]:
            if wk is not None:
                gr *= wk[:, None]
            dW = _scatter_rows(idx, gr, V, padding_idx, freq)
        return (dW, dpsw) + (None,) * 7


class EmbeddingBagMax(Function):
    """Per-bag, per-dimension maximum; the gradient goes to the row that attained it."""

    node_name = "EmbeddingBagBackward0"

    @staticmethod
    def forward(ctx, weight, idx, starts, nbags):
        D = weight.shape[1]
        out = xp.zeros((nbags, D), weight.dtype)
        arg = xp.full((nbags, D), -1, np.int64)
        if idx.size:
            ne, st = starts
            rows = xp.take(weight, idx, axis=0)
            m = xp.maximum.reduceat(rows, st, axis=0)
            out[ne] = m
            # first entry of each bag that attains the max, per dimension
            seg = xp.repeat(xp.arange(st.shape[0]), xp.diff(xp.append(st, idx.shape[0])))
            pos = xp.where(rows == m[seg], xp.arange(idx.shape[0])[:, None], idx.shape[0])
            first = xp.minimum.reduceat(pos, st, axis=0)
            arg[ne] = idx[first]
        if isinstance(ctx, Node):
            ctx.meta = (arg, weight.shape[0])
        return out, arg

    @staticmethod
    def backward(ctx, g, garg=None):
        arg, V = ctx.meta
        D = g.shape[1]
        ok = arg >= 0
        flat = (arg * D + xp.arange(D))[ok]
        u, inv = xp.unique(flat, return_inverse=True)
        dW = xp.zeros(V * D, g.dtype)
        dW[u] = xp.bincount(inv.reshape(-1), weights=g[ok], minlength=u.shape[0])
        return dW.reshape(V, D), None, None, None


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    """Sum, mean or max of the embedding rows of each bag: a 2-D ``input`` (B, L) is B bags
    of L indices; a 1-D ``input`` is split into bags at ``offsets``. Empty bags give zeros;
    ``padding_idx`` entries are left out (not counted by the mean)."""
    if weight._data.dtype.kind in "iu" and input._data.dtype.kind == "f":
        import warnings
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage "
                      "`embedding_bag(weight, input, ...)` is deprecated, and should now be "
                      "`embedding_bag(input, weight, ...)`.", stacklevel=2)
        weight, input = input, weight
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is "
                         f"not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.dim()}")
    idx = input._data
    psw = per_sample_weights
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found "
                             f"offsets of type {type(offsets)}")
        B, L = idx.shape
        offs = np.arange(0, B * L, L, dtype=np.int64) if L else np.zeros(B, np.int64)
        idx = idx.reshape(-1)
        include_last_offset = False
        if psw is not None:
            psw = psw.reshape(-1)
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        offs = offsets._data.astype(np.int64)
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{idx.ndim}")
    if mode == "sum":
        pass
    elif mode == "mean":
        pass
    elif mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    else:
        raise ValueError("mode has to be one of sum, mean or max")
    _check_indices(idx, "embedding_bag")
    if max_norm is not None:
        _renorm_(weight, _new_tensor(idx), max_norm, norm_type)
    if psw is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. "
                                  "per_sample_weights is only supported for mode='sum' "
                                  f"(got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    V = weight.shape[0]
    if idx.size:
        bad = np.flatnonzero((idx < 0) | (idx >= V))
        if bad.size:
            raise RuntimeError(f"Index {bad[0]} of input takes value {idx[bad[0]]} which is not in "
                             f"the valid range [0, {V})")
    n = idx.shape[0]
    if include_last_offset:
        if offs.shape[0] < 1:
            raise RuntimeError("include_last_offset: numBags should be at least 1")
        nbags = offs.shape[0] - 1
        end = int(offs[-1]) if offs.shape[0] else n
        offs = offs[:-1]
        if end < n:
            idx = idx[:end]
            if psw is not None:
                psw = psw[:end]
            n = end
    else:
        nbags = offs.shape[0]
    if offs.shape[0] and offs[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                           f"has to start from position 0. However, got {int(offs[0])}")
    if offs.shape[0] > 1 and np.any(offs[1:] < offs[:-1]):
        raise RuntimeError("offsets must be nondecreasing")
    if offs.shape[0] and offs[-1] > n:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {n} but got "
                           f"offsets[-1] of {int(offs[-1])}")
    ends = np.append(offs[1:], n) if nbags else offs
    counts = ends - offs
    bag = np.repeat(np.arange(nbags), counts)
    pad = None if padding_idx is None else (padding_idx + V if padding_idx < 0 else padding_idx)
    nonempty = np.flatnonzero(counts > 0)
    starts = (nonempty, offs[nonempty])
    dt = weight._data.dtype
    if mode == "max":
        if pad is not None:
            keep = idx != pad
            if not keep.all():      # drop padding entries; a bag of padding only gives zeros
                ecount = np.bincount(bag[keep], minlength=nbags)
                idx, bag = idx[keep], bag[keep]
                eoffs = np.concatenate(([0], np.cumsum(ecount)[:-1]))
                nonempty = np.flatnonzero(ecount > 0)
                starts = (nonempty, eoffs[nonempty])
        out, _ = EmbeddingBagMax.apply(weight, idx, starts, nbags)
        return out
    scale = None
    if pad is not None or mode == "mean":
        valid = (idx != pad) if pad is not None else None
        if mode == "mean":
            cnt = np.bincount(bag[valid], minlength=nbags) if valid is not None else counts
            inv = (1.0 / np.maximum(cnt, 1)).astype(dt)
            scale = inv[bag]
            if valid is not None:
                scale = scale * valid.astype(dt)
        else:
            scale = valid.astype(dt)
    return EmbeddingBagSum.apply(weight, psw, idx, bag, starts, nbags, scale, pad,
                                 bool(scale_grad_by_freq))


FUNCTIONAL = {"embedding": embedding, "embedding_bag": embedding_bag}
