"""The backward engine: an iterative walk of the recorded graph in dependency order.

Gradients are plain arrays while they flow; each reaching a leaf is added to ``leaf.grad``.
No recursion, so a 10,000-op chain backpropagates fine; saved arrays are freed as each node
runs unless ``retain_graph=True``.
"""
from heapq import heapify, heappop, heappush

import numpy as np

from .function import AccumulateGrad, _FREED, _user_backward
from . import grad_mode

__all__ = ["run_backward", "unbroadcast"]


def unbroadcast(g, shape):
    """Sum ``g`` down to ``shape`` (undo NumPy broadcasting)."""
    if g.shape == shape:
        return g
    nd = g.ndim - len(shape)
    if nd < 0:
        return np.broadcast_to(g, shape).copy()
    axes = tuple(range(nd)) + tuple(i + nd for i, s in enumerate(shape)
                                    if s == 1 and g.shape[i + nd] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if nd:
        g = g.reshape(shape)
    return g


def _apply_hooks(hooks, g):
    from ..tensor import _new_tensor
    for h in hooks:
        r = h(_new_tensor(np.asarray(g)))
        if r is not None:
            g = r._data
    return g


def run_backward(roots, retain_graph=False, capture=None, accumulate=True):
    """Backpropagate from ``roots``, a list of ``(node, output_nr, grad_array)``.

    ``capture`` maps ``(node, output_nr)`` to a slot index: the gradient reaching that place is
    returned in a list instead of (for leaves) being accumulated, as ``autograd.grad`` needs.
    """
    # Nodes are numbered in creation order and a node's consumers are always created after it,
    # so taking the highest-numbered pending node first runs each node after every consumer
    # has delivered its gradient -- no separate dependency count is needed.
    buffers = {}
    heap = []
    for node, idx, g in roots:
        if node not in buffers:
            heap.append((-node.seq, node))
        _add(buffers, node, idx, g)
    heapify(heap)
    captured = [None] * (len(capture) if capture else 0)
    handed = {id(r[2]) for r in roots}
    prev_mode = grad_mode._enabled[0]
    grad_mode._enabled[0] = False
    pop = buffers.pop
    get = buffers.get
    try:
        while heap:
            node = heappop(heap)[1]
            gs = pop(node)
            if node._fast and not capture:
                grads = node._fn.backward(node, gs)
            else:
                grads = _slow_node(node, gs, capture, captured, accumulate, handed)
                if grads is None:
                    continue
            if not retain_graph and node.saved:
                node.saved = _FREED
                if node._vcheck is not None:   # it references the saved arrays too
                    node._vcheck = None
            if type(grads) is not tuple:
                grads = (grads,)
            for e, g in zip(node.next, grads):
                if e is None or g is None:
                    continue
                p = e[0]
                if g.shape != e[2]:
                    g = unbroadcast(g, e[2])
                if g.dtype is not e[3] and g.dtype != e[3]:
                    g = g.astype(e[3])
                if p._n_outputs == 1:
                    old = get(p)
                    if old is None:
                        buffers[p] = g
                        heappush(heap, (-p.seq, p))
                    else:
                        buffers[p] = old + g
                else:
                    if p not in buffers:
                        heappush(heap, (-p.seq, p))
                    _add(buffers, p, e[1], g)
    finally:
        grad_mode._enabled[0] = prev_mode
    return captured


def _slow_node(node, gs, capture, captured, accumulate, handed):
    """Every case but the common one: hooks, captured gradients (autograd.grad), leaves,
    multi-output and user-defined Functions. Returns the input gradients, or None where
    nothing flows further (a leaf)."""
    multi = node._n_outputs != 1
    if node.hooks:
        gs = _run_node_hooks(node, gs, multi)
    if capture:
        for idx in range(node._n_outputs):
            slot = capture.get((node, idx))
            if slot is not None:
                captured[slot] = gs[idx] if multi else gs
    if type(node) is AccumulateGrad:
        if gs is not None:
            leaf = node.variable
            if leaf._hooks:
                gs = _apply_hooks(leaf._hooks, gs)
            if accumulate and not (capture and (node, 0) in capture):
                _accumulate(leaf, gs, handed)
        return None
    if node._user:
        return _user_backward(node, gs if multi else (gs,))
    if multi:
        return node._fn.backward(node, *gs)
    return node._fn.backward(node, gs)


def _run_node_hooks(node, gs, multi):
    for idx, hooks in node.hooks.items():
        if multi:
            if gs[idx] is not None:
                gs[idx] = _apply_hooks(hooks, gs[idx])
        elif gs is not None:
            gs = _apply_hooks(hooks, gs)
    return gs


def _add(buffers, node, idx, g):
    if node._n_outputs == 1:
        old = buffers.get(node)
        buffers[node] = g if old is None else old + g
    else:
        lst = buffers.get(node)
        if lst is None:
            lst = buffers[node] = [None] * node._n_outputs
        lst[idx] = g if lst[idx] is None else lst[idx] + g


def _accumulate(leaf, g, handed):
    """leaf.grad += g, giving the leaf an array of its own the first time."""
    from ..tensor import _new_tensor
    if leaf._grad is None:
        if type(g) is not np.ndarray or g.base is not None or id(g) in handed \
                or not g.flags.writeable or not g.flags.c_contiguous:
            g = np.array(g, dtype=leaf._data.dtype)
        handed.add(id(g))
        leaf._grad = _new_tensor(g)
    else:
        gd = leaf._grad._data
        if gd.shape == np.shape(g):
            gd += g
        else:
            leaf._grad = _new_tensor(gd + g)
