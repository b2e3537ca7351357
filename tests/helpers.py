"""Shared test helpers: gradcheck on arrays, and comparison of an op with PyTorch.

``check_grad(fn, *arrays)`` runs ember's float64 gradcheck on ``fn`` over tensors made from the
arrays. ``compare_with_torch(ember_fn, torch_fn, *arrays)`` (oracle tests) runs the same op in
both frameworks and compares the outputs and the gradients of ``sum(out * w)`` for a fixed
random ``w``, with dtype and shape checked too.
"""
import numpy as np

import ember


def t64(a, requires_grad=True):
    return ember.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def check_grad(fn, *arrays, eps=1e-6, atol=1e-5, rtol=1e-3, grad_mask=None):
    """gradcheck ``fn`` at float64 tensors built from ``arrays`` (all require grad unless
    ``grad_mask`` says which do)."""
    mask = grad_mask or [True] * len(arrays)
    ins = [t64(a, m) for a, m in zip(arrays, mask)]
    assert ember.autograd.gradcheck(fn, ins, eps=eps, atol=atol, rtol=rtol)


def _flat(out):
    return out if isinstance(out, (tuple, list)) else (out,)


def compare_with_torch(ember_fn, torch_fn, *arrays, grad=True, rtol=None, atol=None,
                       check_dtype=True, seed=0):
    """Run both frameworks on the same inputs; compare values, dtypes and input gradients.

    Float arrays become tensors of their own dtype; float inputs require grad when ``grad``.
    Tolerances default to 1e-5 relative for float32 and 1e-6 (relative and absolute) in float64.
    """
    import torch
    rng = np.random.default_rng(seed)
    e_in, t_in = [], []
    for a in arrays:
        if isinstance(a, np.ndarray):
            rg = grad and a.dtype.kind == "f"
            e_in.append(ember.tensor(a.copy(), requires_grad=rg))
            t_in.append(torch.tensor(a.copy(), requires_grad=rg))
        else:
            e_in.append(a)
            t_in.append(a)
    e_out, t_out = _flat(ember_fn(*e_in)), _flat(torch_fn(*t_in))
    assert len(e_out) == len(t_out)
    loss_e, loss_t = None, None
    for eo, to in zip(e_out, t_out):
        if not isinstance(to, torch.Tensor):
            assert eo == to
            continue
        tv = to.detach().numpy()
        ev = eo.detach().numpy()
        assert tuple(eo.shape) == tuple(to.shape), (eo.shape, to.shape)
        if check_dtype:
            assert str(eo.dtype).replace("ember.", "") == str(to.dtype).replace("torch.", "")
        r = rtol if rtol is not None else (1e-6 if tv.dtype == np.float64 else 1e-5)
        a_ = atol if atol is not None else (1e-6 if tv.dtype == np.float64 else 1e-6)
        np.testing.assert_allclose(ev, tv, rtol=r, atol=a_, equal_nan=True)
        if grad and to.requires_grad:
            w = rng.standard_normal(tv.shape).astype(tv.dtype)
            le = (eo * ember.tensor(w)).sum()
            lt = (to * torch.tensor(w)).sum()
            loss_e = le if loss_e is None else loss_e + le
            loss_t = lt if loss_t is None else loss_t + lt
    if loss_t is not None:
        loss_e.backward()
        loss_t.backward()
        for ei, ti in zip(e_in, t_in):
            if isinstance(ti, torch.Tensor) and ti.requires_grad:
                if ti.grad is None:
                    assert ei.grad is None or not np.any(ei.grad.numpy())
                    continue
                tg = ti.grad.numpy()
                r = rtol if rtol is not None else (1e-6 if tg.dtype == np.float64 else 1e-5)
                a_ = atol if atol is not None else 1e-5
                np.testing.assert_allclose(ei.grad.numpy(), tg, rtol=r, atol=a_,
                                           equal_nan=True)
    return e_out, t_out
