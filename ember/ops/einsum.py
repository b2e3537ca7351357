"""``einsum``: parse the equation, contract pairwise with tensordot/matmul, differentiate by
einsum of the other operands."""
import math
import operator
import warnings

import numpy as np   # dtype constants only; compute goes through xp

from ..backend import xp
from ..autograd.function import Function
from .._dtype import _FROM_NP, to_dtype
from ..tensor import Tensor, _wrap_dim
from .. import return_types
from ._registry import register

from ._linalg_util import (_INF, _tn, _cn, _c, _mT, _mH, _real_dtype, _tensor, _check_expand, _broadcast_batch, _prod, _scale, _diag_embed, _safe_div)  # noqa: F401

# ----------------------------------------------------------------------------- einsum

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _einsum_parse(eq, shapes):
    """Expand ellipses into letters, work out the output subscripts and check sizes."""
    eq = eq.replace(" ", "")
    lhs, arrow, out = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(shapes):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    for i, ch in enumerate(eq):
        if ch not in _LETTERS and ch not in ",.->":
            raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation "
                               "string, subscripts must be in [a-zA-Z]")
    free = [c for c in _LETTERS if c not in eq]
    parts, n_ell = [], 0
    for i, (t, shp) in enumerate(zip(terms, shapes)):
        pre, dots, post = t.partition("...")
        if "." in pre or "." in post:
            raise RuntimeError(f"einsum(): found '.' for operand {i} that is not part of any "
                               "ellipsis")
        if dots:
            n = len(shp) - len(pre) - len(post)
            if n < 0:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                                   f"({len(pre) + len(post)}) is more than the number of "
                                   f"dimensions ({len(shp)}) for operand {i}")
            n_ell = max(n_ell, n)
            parts.append((pre, n, post))
        else:
            if len(t) != len(shp):
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(t)}) "
                                   f"does not match the number of dimensions ({len(shp)}) for "
                                   f"operand {i} and no ellipsis was given")
            parts.append((t, None, ""))
    ell = "".join(free[:n_ell])
    terms = [pre if n is None else pre + ell[n_ell - n:] + post for pre, n, post in parts]
    letters = "".join(p[0] + p[2] for p in parts)
    if not arrow:
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    else:
        pre, dots, post = out.partition("...")
        if "." in pre or "." in post:
            raise RuntimeError("einsum(): found '.' for output that is not part of any ellipsis")
        out = pre + ell + post
        for i, c in enumerate(out):
            if c not in letters and c not in ell:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   "equation for any input operand")
            if c in out[:i]:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the "
                                   "output")
    sizes = {}
    for i, (t, shp) in enumerate(zip(terms, shapes)):
        seen = {}
        for c, s in zip(t, shp):
            if c in seen and seen[c] != s:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the "
                                   f"sizes don't match, {seen[c]} != {s}")
            seen[c] = s
            prev = sizes.get(c)
            if prev is None or prev == 1:
                sizes[c] = s
            elif s != 1 and s != prev:
                raise RuntimeError(f"einsum(): subscript {c} has size {s} for operand {i} which "
                                   f"does not broadcast with previously seen size {prev}")
    return terms, out


def _contract2(a, sa, b, sb, keep):
    """Contract two operands (subscripts without repeats) as one batched GEMM: batch letters
    (in both, kept), contracted letters (in both, not kept), left and right free letters."""
    batch = [c for c in sa if c in sb and c in keep]
    contr = [c for c in sa if c in sb and c not in keep]
    left = [c for c in sa if c not in sb]
    right = [c for c in sb if c not in sa]
    for c in contr:          # a size-1 dim broadcast against a contracted one: sum the other
        i, j = sa.index(c), sb.index(c)
        if a.shape[i] != b.shape[j]:
            if a.shape[i] == 1:
                b = b.sum(axis=j, keepdims=True)
            else:
                a = a.sum(axis=i, keepdims=True)
    A = a.transpose([sa.index(c) for c in batch + left + contr])
    B = b.transpose([sb.index(c) for c in batch + contr + right])
    nb, nl, nc = len(batch), len(left), len(contr)
    lsh, rsh = A.shape[nb:nb + nl], B.shape[nb + nc:]
    L, R, C = _prod(lsh), _prod(rsh), _prod(A.shape[nb + nl:])
    if nc == 0:     # nothing summed: an outer/elementwise product
        out = A.reshape(A.shape[:nb] + (L, 1)) * B.reshape(B.shape[:nb] + (1, R))
    else:
        out = xp.matmul(A.reshape(A.shape[:nb] + (L, C)), B.reshape(B.shape[:nb] + (C, R)))
    return out.reshape(out.shape[:nb] + lsh + rsh), "".join(batch + left + right)


def _einsum_arrays(terms, out, arrays):
    """Evaluate a parsed einsum: per-operand diagonals and sums first, then pairwise GEMM
    contractions from left to right, then the output permutation."""
    n = len(arrays)
    ops = []
    for i in range(n):
        t, a = terms[i], arrays[i]
        others = set(out).union(*(terms[j] for j in range(n) if j != i))
        keep = "".join(dict.fromkeys(c for c in t if c in others))
        if keep != t:
            a = xp.einsum(f"{t}->{keep}", a)
            t = keep
        ops.append((t, a))
    t, a = ops[0]
    for j in range(1, n):
        later = set(out).union(*(ops[k][0] for k in range(j + 1, n)))
        a, t = _contract2(a, t, ops[j][1], ops[j][0], later)
    if t != out:
        a = a.transpose([t.index(c) for c in out])
    return a


class Einsum(Function):
    node_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, spec, *arrays):
        terms, out = spec
        ctx.save_for_backward(*arrays)
        ctx.spec = spec
        r = _einsum_arrays(terms, out, arrays)
        if len(arrays) == 1 and not r.flags.owndata:
            r = r.copy()
        return r

    @staticmethod
    def backward(ctx, g):
        terms, out = ctx.spec
        arrays = ctx.saved_arrays
        need = ctx.needs_input_grad
        grads = [None]
        for i, a in enumerate(arrays):
            if not need[i + 1]:
                grads.append(None)
                continue
            t = terms[i]
            uniq = "".join(dict.fromkeys(t))
            o_terms = [out] + [terms[j] for j in range(len(arrays)) if j != i]
            o_arrays = [g] + [_c(arrays[j]) for j in range(len(arrays)) if j != i]
            avail = set("".join(o_terms))
            present = "".join(c for c in uniq if c in avail)
            gi = _einsum_arrays(o_terms, present, o_arrays)
            size = {c: a.shape[t.index(c)] for c in uniq}
            for k, c in enumerate(present):     # operand dims of size 1 that were broadcast
                if gi.shape[k] != size[c] and size[c] == 1:
                    gi = gi.sum(axis=k, keepdims=True)
            full = tuple(size[c] for c in uniq)
            if present != uniq or gi.shape != full:
                # letters summed away inside this operand, or broadcast from size 1 elsewhere
                gi = xp.broadcast_to(gi.reshape([gi.shape[present.index(c)] if c in present
                                                 else 1 for c in uniq]), full)
            if uniq != t:                       # repeated letters: the gradient sits on a diagonal
                z = xp.zeros(a.shape, gi.dtype)
                xp.einsum(f"{t}->{uniq}", z)[...] = gi
                gi = z
            grads.append(gi)
        return tuple(grads)


class EinsumMul(Einsum):
    node_name = "MulBackward0"


class EinsumSum(Einsum):
    node_name = "SumBackward1"


class EinsumPermute(Einsum):
    node_name = "PermuteBackward0"


def _sublist_equation(args):
    def sub(lst):
        s = ""
        for x in lst:
            if x is Ellipsis:
                s += "..."
            else:
                x = operator.index(x)
                if not 0 <= x < 52:
                    raise RuntimeError(f"einsum(): subscript in subscript list is not within the "
                                       f"valid range [0, 52), got {x}")
                s += _LETTERS[x]
        return s
    ops = list(args[0::2])
    subs = list(args[1::2])
    if len(args) % 2:
        out = ops.pop()
        return ",".join(sub(s) for s in subs) + "->" + sub(out), ops
    return ",".join(sub(s) for s in subs), ops


@register(method=False)
def einsum(*args):
    """Einstein summation: ``einsum("ij,jk->ik", a, b)`` (operands may also come as one list, or
    in the sublist format ``einsum(a, [0, 1], b, [1, 2], [0, 2])``)."""
    if not args:
        raise RuntimeError("einsum(): must specify the equation string and at least one operand, "
                           "or at least one operand and its subscripts list")
    if isinstance(args[0], str):
        eq, ops = args[0], args[1:]
        if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
            ops = tuple(ops[0])
    else:
        eq, ops = _sublist_equation(args)
    arrays = [_tensor(o, "einsum", "operands", 2) for o in ops]
    terms, out = _einsum_parse(eq, [a.shape for a in arrays])
    for a in arrays[1:]:
        if a.dtype != arrays[0].dtype:
            raise RuntimeError(f"expected scalar type {_tn(arrays[0])} but found {_tn(a)}")
    summed = any(c not in out for t in terms for c in t)
    if len(ops) == 1:
        cls = EinsumSum if summed else EinsumPermute
    else:
        cls = Einsum if summed else EinsumMul
    return cls.apply((terms, out), *ops)
