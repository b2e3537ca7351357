"""Indexing ops (ember/ops/index.py) against PyTorch 2.13: ``x[idx]`` and ``x[idx] = v`` on
hypothesis-generated basic/advanced indices, the gather/scatter family, dtypes, grad_fn names
and errors."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember
from helpers import compare_with_torch

pytestmark = pytest.mark.oracle
torch = pytest.importorskip("torch")

FLOATS = (np.float32, np.float64)


def rnd(shape, dt=np.float64, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape)
    if np.dtype(dt).kind == "b":
        return np.asarray(a > 0)
    if np.dtype(dt).kind in "iu":
        return np.asarray((a * 5).astype(dt))
    return np.asarray(a.astype(dt))


@st.composite
def shapes(draw, min_dims=0, max_dims=4, min_side=1, max_side=4):
    nd = draw(st.integers(min_dims, max_dims))
    return tuple(draw(st.integers(min_side, max_side)) for _ in range(nd))


def both(f, *arrays_, **kw):
    return compare_with_torch(lambda *t: f(ember, *t), lambda *t: f(torch, *t), *arrays_, **kw)


def build(m, spec):
    """Index spec (tuple of items; ("T", array) marks a tensor) -> index for module m."""
    out = []
    for it in spec:
        if isinstance(it, tuple) and it and it[0] == "T":
            out.append(m.tensor(it[1]))
        else:
            out.append(it)
    return tuple(out)


@st.composite
def basic_spec(draw, shape):
    nd = len(shape)
    k_front = draw(st.integers(0, nd))
    use_ell = draw(st.booleans())
    k_back = draw(st.integers(0, nd - k_front)) if use_ell else 0

    def item(s):
        kind = draw(st.sampled_from(["int", "slice", "slice", "full"]))
        if kind == "int":
            return draw(st.integers(-s, s - 1))
        if kind == "full":
            return slice(None)
        a = draw(st.one_of(st.none(), st.integers(-s - 1, s + 1)))
        b = draw(st.one_of(st.none(), st.integers(-s - 1, s + 1)))
        c = draw(st.sampled_from([None, 1, 2, 3]))
        return slice(a, b, c)

    items = [item(s) for s in shape[:k_front]]
    back = [item(s) for s in shape[nd - k_back:]]
    if use_ell:
        items = items + [Ellipsis] + back
    for _ in range(draw(st.integers(0, 2))):
        items.insert(draw(st.integers(0, len(items))), None)
    return tuple(items)


@st.composite
def adv_spec(draw, shape):
    """Integer arrays (with repeats) and/or a boolean mask mixed with basic items."""
    nd = len(shape)
    ishape = draw(shapes(0, 2, 1, 3))
    spec = []
    d = 0
    n_arr = n_mask = 0
    while d < nd:
        kind = draw(st.sampled_from(["arr", "list", "mask", "slice", "int", "stop"]))
        s = shape[d]
        if kind == "stop":
            break
        if kind == "mask" and (n_arr or n_mask):
            kind = "slice"
        if kind in ("arr", "list") and n_mask:
            kind = "int"
        if kind in ("arr", "list"):
            n_arr += 1
            v = np.asarray(draw(st.lists(st.integers(-s, s - 1), min_size=int(np.prod(ishape)),
                                         max_size=int(np.prod(ishape))))).reshape(ishape)
            spec.append(("T", v) if kind == "arr" else v.tolist())
            d += 1
        elif kind == "mask":
            n_mask += 1
            k = draw(st.integers(1, nd - d))
            seed = draw(st.integers(0, 1000))
            spec.append(("T", rnd(shape[d:d + k], np.bool_, seed)))
            d += k
        elif kind == "slice":
            spec.append(slice(draw(st.integers(0, s)), None))
            d += 1
        else:
            spec.append(draw(st.integers(-s, s - 1)))
            d += 1
    if not (n_arr or n_mask):
        v = ("T", np.asarray([0, 0, -1]))
        spec = [v] + spec[1:]
    for _ in range(draw(st.integers(0, 1))):
        spec.insert(draw(st.integers(0, len(spec))), None)
    if draw(st.booleans()):
        spec.append(Ellipsis)
    return tuple(spec)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_getitem_basic(data):
    shape = data.draw(shapes(0, 4))
    spec = data.draw(basic_spec(shape))
    dt = data.draw(st.sampled_from(FLOATS))
    both(lambda m, x: x[build(m, spec)], rnd(shape, dt))
    if len(spec) == 1:
        both(lambda m, x: x[spec[0]], rnd(shape, dt))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_getitem_advanced(data):
    shape = data.draw(shapes(1, 4))
    spec = data.draw(adv_spec(shape))
    dt = data.draw(st.sampled_from(FLOATS))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both(lambda m, x: x[build(m, spec)], rnd(shape, dt))
        if len(spec) == 1 and isinstance(spec[0], tuple):
            both(lambda m, x: x[build(m, spec)[0]], rnd(shape, dt))


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_getitem_int_bool_dtypes(data):
    shape = data.draw(shapes(1, 3))
    dt = data.draw(st.sampled_from([np.int64, np.int32, np.uint8, np.bool_]))
    spec = data.draw(st.one_of(basic_spec(shape), adv_spec(shape)))
    both(lambda m, x: x[build(m, spec)], rnd(shape, dt))


def test_getitem_common_forms():
    x = rnd((3, 4, 5))
    for f in (lambda m, x: x[0][1], lambda m, x: x[-1, :, :], lambda m, x: x[1][2][3],
              lambda m, x: x[:, -1], lambda m, x: x[..., None, 0], lambda m, x: x[x > 0],
              lambda m, x: x[x[:, 0, 0] > 0], lambda m, x: x[m.tensor(1)],
              lambda m, x: x[m.tensor([[0, 1], [2, 2]])], lambda m, x: x[[0, 2], 1:, [4, 4]],
              lambda m, x: x[:, [0, 1], [1, 2]], lambda m, x: x[[0, 1], :, [1, 2]],
              lambda m, x: x[[]], lambda m, x: x[True], lambda m, x: x[1, ..., None],
              lambda m, x: x[m.tensor([1, 0, 1], dtype=m.uint8)],
              lambda m, x: x[[[0, 1]]], lambda m, x: x[np.int64(1)],
              lambda m, x: x[m.tensor(1):m.tensor(3)], lambda m, x: x[0, :, [1, 2]],
              lambda m, x: x[:, [[0], [2]], 1], lambda m, x: x[[1, 0], None, 2],
              lambda m, x: x[1, [0, 2], ..., [[4]]]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            both(f, x)


GETITEM_NAMES = ["[0]", "[:]", "[:, :]", "[...]", "[None]", "[0, 1]", "[0, 1:3]", "[1:3, 0]",
                 "[:, 0]", "[0, None]", "[None, 0]", "[..., 0]", "[0:3]", "[0:10]", "[::2]",
                 "[-1, :, :]", "[[0, 1]]", "[m.tensor(1)]", "[0, [0, 1]]", "[x > 0]",
                 "[0, 0, 0]", "[True]", "[1, ..., None]", "[:, :, :]", "[0:3, :]",
                 "[[0, 1], [1, 2]]", "[:, [0, 1], [1, 2]]", "[-3:, :]", "[:, 1:]",
                 "[:, :4]", "[None, None]", "[..., None]"]


@pytest.mark.parametrize("expr", GETITEM_NAMES)
def test_getitem_grad_fn_names(expr):
    names = []
    for m in (ember, torch):
        x = m.randn(3, 4, 5, requires_grad=True)
        y = eval("x" + expr, {"x": x, "m": m})
        names.append(type(y.grad_fn).__name__)
        if names[-1] != "IndexBackward0":
            assert y._base is x
    assert names[0] == names[1]


def test_getitem_zero_d_results_are_views():
    x = ember.arange(6.).reshape(2, 3)
    y = x[1][2]
    assert y.dim() == 0 and y.item() == 5.
    y.fill_(9.) if hasattr(y, "fill_") else y.add_(4.)
    assert x[1, 2].item() == 9.


# ----------------------------------------------------------------------------- setitem


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_setitem_values_and_grads(data):
    shape = data.draw(shapes(1, 4))
    if data.draw(st.booleans()):
        spec = data.draw(basic_spec(shape))
    else:
        d = data.draw(st.integers(0, len(shape) - 1))
        s = shape[d]
        k = data.draw(st.integers(1, s))
        perm = np.random.default_rng(data.draw(st.integers(0, 99))).permutation(s)[:k]
        spec = (slice(None),) * d + (("T", perm),)     # unique indices: no write races
    slot = np.empty(shape)[build(np, [x if not isinstance(x, tuple) else x[1]
                                      for x in spec])].shape
    vshape = slot[data.draw(st.integers(0, len(slot))):]
    dt = data.draw(st.sampled_from(FLOATS))
    kind = data.draw(st.sampled_from(["tensor", "scalar"]))

    def f(m, x, v):
        y = x * 1
        y[build(m, spec)] = v if kind == "tensor" else 2.5
        return y

    both(f, rnd(shape, dt), rnd(vshape, dt, 1))


def test_setitem_forms():
    for f in (
        lambda m, x, v: _set(x * 1, (0,), v[0]),
        lambda m, x, v: _set(x * 1, (slice(None), 1), v[:, 0]),
        lambda m, x, v: _set(x * 1, (x > 0,), 0.),
        lambda m, x, v: _set(x * 1, (x > 0,), v.sum()),
        lambda m, x, v: _set(x * 1, ([0, 2],), v[:2]),
        lambda m, x, v: _set(x * 1, (Ellipsis, 0), v[0, :3].unsqueeze(0)),
        lambda m, x, v: _set(x * 1, (m.tensor(1),), v[1]),
        lambda m, x, v: _set(m.zeros(3, 4, dtype=x.dtype), (1,), v[1]),
    ):
        both(f, rnd((3, 4)), rnd((3, 4), seed=3))


def _set(y, idx, v):
    y[idx] = v
    return y


def test_setitem_int_tensors_cast():
    for m in (ember, torch):
        a = m.zeros(3, dtype=m.long)
        a[0] = 1.7
        a[1:] = m.tensor([2.9, -1.5])
        assert a.tolist() == [1, 2, -1]
        b = m.zeros(2, 3)
        b[:, 0] = m.tensor([1, 2])
        b[0] = m.tensor([[1., 2., 3.]])
        assert b.tolist() == [[1, 2, 3], [2, 0, 0]]


def test_setitem_grad_fn_and_versions():
    names = []
    for m in (ember, torch):
        x = m.randn(3, 4, requires_grad=True)
        h = x * 2
        v0 = h._version if m is torch else h._version_counter
        h[0] = 5.
        n1 = type(h.grad_fn).__name__
        h[h > 0] = m.tensor(1.)
        n2 = type(h.grad_fn).__name__
        v1 = h._version if m is torch else h._version_counter
        z = m.zeros(3)
        z[0] = m.tensor(2., requires_grad=True)
        names.append((n1, n2, v1 - v0, type(z.grad_fn).__name__, z.requires_grad))
    assert names[0] == names[1]


def test_setitem_leaf_errors_and_no_grad():
    for m in (ember, torch):
        x = m.randn(3, requires_grad=True)
        with pytest.raises(RuntimeError) as e1:
            x[0] = 1.
        with pytest.raises(RuntimeError) as e2:
            x[[0]] = 1.
        with m.no_grad():
            x[0] = 7.
        assert x[0].item() == 7.
        v = x[1:]
        with pytest.raises(RuntimeError):
            v[0] = 1.
        if m is ember:
            msgs = (str(e1.value), str(e2.value))
        else:
            assert (str(e1.value), str(e2.value)) == msgs


def test_setitem_writes_through_views_and_detects_saved_modification():
    for m in (ember, torch):
        x = m.zeros(3, 4)
        v = x[1]
        x[1, 2] = 5.
        assert v[2].item() == 5.
        v[0] = 3.
        assert x[1, 0].item() == 3.
    for m in (ember, torch):
        a = m.randn(3, requires_grad=True)
        h = a.exp()
        h[0] = 1.
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            h.sum().backward()


# ----------------------------------------------------------------------------- gather family


def ix(a):
    return ("T", np.asarray(a))


def T(m, spec):
    return m.tensor(spec[1]) if isinstance(spec, tuple) else spec


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_index_select_take_gather(data):
    shape = data.draw(shapes(1, 4))
    dt = data.draw(st.sampled_from(FLOATS))
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    s = shape[d]
    n = data.draw(st.integers(0, 5))
    idx = np.asarray(data.draw(st.lists(st.integers(0, s - 1), min_size=n, max_size=n)),
                     dtype=data.draw(st.sampled_from([np.int64, np.int32])))
    x = rnd(shape, dt, data.draw(st.integers(0, 99)))
    both(lambda m, x: m.index_select(x, d, m.tensor(idx)), x)
    both(lambda m, x: x.index_select(d, m.tensor(idx)), x)
    size = int(np.prod(shape))
    flat = np.asarray(data.draw(st.lists(st.integers(-size, size - 1), min_size=1,
                                         max_size=6)))
    both(lambda m, x: m.take(x, m.tensor(flat.reshape(-1, 1) if len(flat) % 2 else flat)), x)
    gshape = tuple(data.draw(st.integers(1, k)) for k in shape)
    gshape = gshape[:d % len(shape)] + (data.draw(st.integers(1, 5)),) + \
        gshape[d % len(shape) + 1:]
    gidx = np.random.default_rng(1).integers(0, s, gshape)
    both(lambda m, x: m.gather(x, d, m.tensor(gidx)), x)
    both(lambda m, x: m.take_along_dim(x, m.tensor(gidx)), x)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_take_along_dim_broadcasts(data):
    shape = data.draw(shapes(1, 3))
    d = data.draw(st.integers(0, len(shape) - 1))
    ishape = tuple(data.draw(st.sampled_from([1, k])) for k in shape)
    ishape = ishape[:d] + (data.draw(st.integers(1, 4)),) + ishape[d + 1:]
    xshape = tuple(1 if (data.draw(st.booleans()) and i != d) else k
                   for i, k in enumerate(shape))
    gidx = np.random.default_rng(2).integers(0, xshape[d], ishape)
    both(lambda m, x: m.take_along_dim(x, m.tensor(gidx), dim=d), rnd(xshape))


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_scatter_family(data):
    shape = data.draw(shapes(1, 3))
    dt = data.draw(st.sampled_from(FLOATS))
    nd = len(shape)
    d = data.draw(st.integers(-nd, nd - 1))
    dd = d % nd
    sshape = tuple(k + data.draw(st.integers(0, 1)) for k in shape)
    ishape = tuple(data.draw(st.integers(1, min(a, b))) for a, b in zip(shape, sshape))
    ishape = ishape[:dd] + (data.draw(st.integers(1, sshape[dd])),) + ishape[dd + 1:]
    rng = np.random.default_rng(data.draw(st.integers(0, 99)))
    # unique positions along dim for scatter (no races); repeats for scatter_add
    uidx = np.stack([rng.permutation(shape[dd])[:ishape[dd]]
                     for _ in range(int(np.prod(ishape)) // ishape[dd])], -1)
    uidx = np.moveaxis(uidx.reshape((ishape[dd],) + ishape[:dd] + ishape[dd + 1:]), 0, dd) \
        if ishape[dd] <= shape[dd] else None
    ridx = rng.integers(0, shape[dd], ishape)
    x, src = rnd(shape, dt, 1), rnd(sshape, dt, 2)
    # PyTorch's own backward needs src shaped like index (it gathers the gradient), so
    # gradients are compared there and values alone for a larger src
    both(lambda m, x, s: m.scatter_add(x, d, m.tensor(ridx), s), x, src, grad=False)
    if uidx is not None:
        both(lambda m, x, s: m.scatter(x, d, m.tensor(uidx), s), x, src, grad=False)
    src = rnd(ishape, dt, 2)
    both(lambda m, x, s: m.scatter_add(x, d, m.tensor(ridx), s), x, src)
    both(lambda m, x, s: x.scatter_add(d, m.tensor(ridx), s), x, src)
    both(lambda m, x: m.scatter(x, d, m.tensor(ridx), 1.5), x)
    both(lambda m, x: x.scatter(d, m.tensor(ridx), value=-2.), x)
    if uidx is not None:
        both(lambda m, x, s: m.scatter(x, d, m.tensor(uidx), s), x, src)
        both(lambda m, x, s: (x * 1).scatter_(d, m.tensor(uidx), s), x, src)
        both(lambda m, x, s: (x * 1).scatter_(d, m.tensor(uidx), s), x, src)
    both(lambda m, x, s: (x * 1).scatter_add_(d, m.tensor(ridx), s), x, src)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_index_add_fill_copy(data):
    shape = data.draw(shapes(1, 3))
    dt = data.draw(st.sampled_from(FLOATS))
    nd = len(shape)
    d = data.draw(st.integers(-nd, nd - 1))
    dd = d % nd
    rng = np.random.default_rng(data.draw(st.integers(0, 99)))
    n = data.draw(st.integers(1, 5))
    ridx = rng.integers(-shape[dd] if data.draw(st.booleans()) else 0, shape[dd], n)
    uidx = rng.permutation(shape[dd])[:data.draw(st.integers(1, shape[dd]))]
    x = rnd(shape, dt, 3)
    src = rnd(shape[:dd] + (n,) + shape[dd + 1:], dt, 4)
    usrc = rnd(shape[:dd] + (len(uidx),) + shape[dd + 1:], dt, 5)
    alpha = data.draw(st.sampled_from([1, 2.5]))
    ridx = ridx % shape[dd]
    both(lambda m, x, s: m.index_add(x, d, m.tensor(ridx), s, alpha=alpha), x, src)
    both(lambda m, x, s: (x * 1).index_add_(d, m.tensor(ridx), s), x, src)
    both(lambda m, x: m.index_fill(x, d, m.tensor(ridx), -1.5), x)
    both(lambda m, x, v: x.index_fill(d, m.tensor(ridx), v.sum()), x, rnd((2,), dt))
    both(lambda m, x: (x * 1).index_fill_(d, m.tensor(ridx), 3), x)
    both(lambda m, x, s: m.index_copy(x, d, m.tensor(uidx), s), x, usrc)
    key = tuple(rng.integers(0, k, n) for k in shape)
    vals = rnd((n,), dt, 6)
    both(lambda m, x, v: x.index_put(tuple(m.tensor(k) for k in key), v, accumulate=True),
         x, vals)
    first = np.asarray([shape[0] - 1])
    both(lambda m, x, v: m.index_put(x, (m.tensor(first),), v[:1]), x, vals)
    both(lambda m, x, s: (x * 1).index_copy_(d, m.tensor(uidx), s), x, usrc)


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_masked_ops_and_where(data):
    shape = data.draw(shapes(0, 4))
    dt = data.draw(st.sampled_from(FLOATS))
    mshape = shape[data.draw(st.integers(0, len(shape))):]
    mshape = tuple(1 if data.draw(st.booleans()) else k for k in mshape)
    big = data.draw(st.booleans())
    if big:     # the mask may also broadcast the input
        shape, mshape = shape[data.draw(st.integers(0, len(shape))):], shape
    mask = rnd(mshape, np.bool_, data.draw(st.integers(0, 99)))
    x = rnd(shape, dt, 1)
    both(lambda m, x: m.masked_select(x, m.tensor(mask)), x)
    both(lambda m, x: x.masked_fill(m.tensor(mask), 0.5), x)
    both(lambda m, x, v: m.masked_fill(x, m.tensor(mask), v.sum()), x, rnd((3,), dt))
    both(lambda m, x: x.masked_fill(m.tensor(mask), m.tensor(2.)), x)
    n = int(np.broadcast_to(mask, np.broadcast_shapes(shape, mshape)).sum())
    both(lambda m, x, s: x.masked_scatter(m.tensor(mask), s), x, rnd((n + 2,), dt, 2))
    y = rnd(mshape, dt, 3)
    both(lambda m, x, y: m.where(m.tensor(mask), x, y), x, y)
    both(lambda m, x: m.where(m.tensor(mask), x, 0.), x)
    both(lambda m, y: m.where(m.tensor(mask), -1, y), y)
    both(lambda m, x, y: x.where(m.tensor(mask), y), x, y)
    if len(shape) == len(np.broadcast_shapes(shape, mshape)) and not big:
        both(lambda m, x: (x * 1).masked_fill_(m.tensor(mask), 1.), x)
        both(lambda m, x, s: (x * 1).masked_scatter_(m.tensor(mask), s), x,
             rnd((n,), dt, 2))


def test_where_dtypes():
    c = np.array([True, False, True])
    cases = [
        (lambda m: m.where(m.tensor(c), 1., 0)), (lambda m: m.where(m.tensor(c), 1, 0)),
        (lambda m: m.where(m.tensor(c), m.tensor([1, 2, 3]), 0.5)),
        (lambda m: m.where(m.tensor(c), m.tensor(1.5, dtype=m.float64), m.tensor([1, 2, 3]))),
        (lambda m: m.where(m.tensor(c), m.tensor([1.5]), m.tensor([1, 2, 3],
                                                                   dtype=m.float64))),
        (lambda m: m.where(m.tensor(c), m.tensor([1, 2, 3], dtype=m.int32), True)),
        (lambda m: m.where(m.tensor(c), m.tensor([1, 2, 3], dtype=m.uint8),
                           m.tensor([1, 2, 3], dtype=m.int8))),
        (lambda m: m.where(m.tensor(c))[0]), (lambda m: m.where(m.tensor([[1., 0.], [2., 0.]]))),
        (lambda m: m.tensor([1, 2]).masked_fill(m.tensor([True, False]), 2.7)),
        (lambda m: m.tensor([1, 2]).masked_fill(m.tensor([True, False]), m.tensor(2.5))),
        (lambda m: m.tensor([1., 2]).masked_fill(m.tensor([True, False]),
                                                 m.tensor(2.5, dtype=m.float64))),
        (lambda m: m.tensor([True, False]).masked_fill(m.tensor([True, False]), False)),
        (lambda m: m.tensor([[1, 2], [3, 4]]).index_select(1, m.tensor([1, 1]))),
        (lambda m: m.tensor([[1, 2], [3, 4]]).gather(1, m.tensor([[1], [0]]))),
        (lambda m: m.tensor([[1, 2], [3, 4]]).scatter_add(1, m.tensor([[1], [1]]),
                                                          m.tensor([[5], [6]]))),
        (lambda m: m.tensor([[1, 2], [3, 4]]).index_add(0, m.tensor([1, 1]),
                                                        m.tensor([[5, 6], [7, 8]]), alpha=2)),
        (lambda m: m.tensor([[True, False]]).masked_select(m.tensor([True, True]))),
        (lambda m: m.tensor([[1, 2], [3, 4]]).take(m.tensor([3, 0]))),
        (lambda m: m.nonzero(m.tensor([[0, 1], [2, 0]]))),
        (lambda m: m.nonzero(m.tensor([[0, 1], [2, 0]]), as_tuple=True)),
        (lambda m: m.argwhere(m.tensor([0., 1., 2.]))),
        (lambda m: m.nonzero(m.tensor(5))), (lambda m: m.nonzero(m.tensor(5), as_tuple=True)),
        (lambda m: m.nonzero(m.tensor(0))), (lambda m: m.nonzero(m.zeros(2, 0))),
        (lambda m: m.tensor([[1, 2], [3, 4]]).index_fill(1, m.tensor([0]), 7)),
        (lambda m: m.tensor([[1, 2], [3, 4]]).scatter(1, m.tensor([[1], [0]]), 9)),
        (lambda m: m.tensor([[1, 2], [3, 4]]).index_fill(0, m.tensor([-1]), 9)),
        (lambda m: m.tensor([[1, 2], [3, 4]]).take(m.tensor([-1, -4]))),
        (lambda m: m.take_along_dim(m.tensor([[1, 2], [3, 4]]), m.tensor([[-1], [0]]), 1)),
    ]
    for f in cases:
        e, t = f(ember), f(torch)
        es = e if isinstance(e, tuple) else (e,)
        ts = t if isinstance(t, tuple) else (t,)
        assert len(es) == len(ts)
        for a, b in zip(es, ts):
            assert str(a.dtype)[6:] == str(b.dtype)[6:]
            assert tuple(a.shape) == tuple(b.shape)
            np.testing.assert_allclose(a.numpy(), b.numpy())


INDEX_NAMES = [
    lambda m, x, v: x.index_select(1, m.tensor([0, 0])),
    lambda m, x, v: x.masked_select(x > 0), lambda m, x, v: x.masked_fill(x > 0, 1.),
    lambda m, x, v: x.masked_fill(x > 0, v[0]), lambda m, x, v: x.masked_fill(x > 0, m.tensor(1.)),
    lambda m, x, v: x.masked_scatter(x > 0, m.randn(20)),
    lambda m, x, v: m.where(x > 0, x, 0.), lambda m, x, v: x.gather(1, m.tensor([[0], [1], [2]])),
    lambda m, x, v: x.scatter(1, m.tensor([[0], [1]]), v[:2, None]),
    lambda m, x, v: x.scatter(1, m.tensor([[0], [1]]), 2.),
    lambda m, x, v: x.scatter_add(1, m.tensor([[0], [1]]), v[:2, None]),
    lambda m, x, v: x.index_add(0, m.tensor([0, 0]), v[None].expand(2, 4)),
    lambda m, x, v: x.index_fill(1, m.tensor([0, 2]), -1.),
    lambda m, x, v: x.index_fill(1, m.tensor([0, 2]), v[0]),
    lambda m, x, v: x.index_copy(0, m.tensor([2, 0]), v[None].expand(2, 4)),
    lambda m, x, v: x.take(m.tensor([[0, 5]])),
    lambda m, x, v: x.take_along_dim(m.tensor([[0], [1], [2]]), 1),
    lambda m, x, v: m.take_along_dim(x, m.tensor([0, 1])),
    lambda m, x, v: x.index_put((m.tensor([0, 0]),), v, accumulate=True),
]


@pytest.mark.parametrize("k", range(len(INDEX_NAMES)))
def test_index_grad_fn_names(k):
    f = INDEX_NAMES[k]
    e = f(ember, ember.randn(3, 4, requires_grad=True), ember.randn(4, requires_grad=True))
    t = f(torch, torch.randn(3, 4, requires_grad=True), torch.randn(4, requires_grad=True))
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__


def _raises_both(f):
    errs = []
    for m in (ember, torch):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                f(m)
        except Exception as e:  # noqa: BLE001
            errs.append(e)
        else:
            errs.append(None)
    e, t = errs
    assert t is not None, "torch did not raise"
    assert e is not None, f"ember did not raise; torch raised {t!r}"
    assert isinstance(e, type(t)), (e, t)
    return e, t


ERRORS = [
    (lambda m: m.zeros(3, 4, 5)[::-1], True),
    (lambda m: m.zeros(3, 4, 5)[5], True),
    (lambda m: m.zeros(3, 4, 5)[0, -5], True),
    (lambda m: m.zeros(3, 4, 5)[0, 0, 0, 0], True),
    (lambda m: m.zeros(3, 4, 5)[m.tensor([0.])], True),
    (lambda m: m.zeros(3, 4, 5)[m.tensor([True, False])], True),
    (lambda m: m.zeros(3, 4, 5)[:, m.tensor([[True, False, True, True]])], True),
    (lambda m: m.zeros(3, 4, 5)[[5]], True),
    (lambda m: m.zeros(3, 4, 5)[1.5], True),
    (lambda m: m.zeros(3, 4, 5)["a"], False),
    (lambda m: m.tensor(1.)[0], True),
    (lambda m: m.zeros(3).__setitem__(5, 1.), True),
    (lambda m: m.zeros(3).__setitem__(slice(None), m.ones(2)), False),
    (lambda m: m.zeros(3).__setitem__(0, m.ones(2)), False),
    (lambda m: m.zeros(3, 4).index_select(1, m.tensor([0.])), True),
    (lambda m: m.zeros(3, 4).index_select(1, m.tensor([[0]])), True),
    (lambda m: m.zeros(3, 4).index_select(1, m.tensor([9])), False),
    (lambda m: m.zeros(3, 4).masked_select((m.zeros(3, 4) > 0).byte()), True),
    (lambda m: m.zeros(3, 4).masked_select(m.tensor([True, False])), True),
    (lambda m: m.zeros(3, 4).masked_fill((m.zeros(3, 4) > 0).byte(), 1.), True),
    (lambda m: m.zeros(3, 4).masked_fill(m.zeros(3, 4) > 0, m.zeros(4)), True),
    (lambda m: m.zeros(4).masked_fill_(m.zeros(3, 4) > 0, 1.), True),
    (lambda m: m.zeros(3, 4).masked_scatter(m.zeros(3, 4) > -1, m.zeros(6)), True),
    (lambda m: m.zeros(3, 4).masked_scatter((m.zeros(3, 4) > 0).byte(), m.zeros(12)), True),
    (lambda m: m.zeros(3, 4).masked_scatter(m.zeros(3, 4) > 0, m.zeros(12).double()), True),
    (lambda m: m.where(m.tensor([1., 0.]), 1., 2.), True),
    (lambda m: m.where(m.tensor([True, False]), m.zeros(3), 2.), True),
    (lambda m: m.zeros(3, 4).gather(1, m.tensor([[9]])), True),
    (lambda m: m.zeros(3, 4).gather(1, m.tensor([[-5]])), False),
    (lambda m: m.zeros(3, 4).gather(1, m.tensor([0])), True),
    (lambda m: m.zeros(3, 4).gather(1, m.tensor([[0.]])), True),
    (lambda m: m.zeros(3, 4).gather(0, m.tensor([[0, 0, 0, 0, 0]])), False),
    (lambda m: m.zeros(3, 4).scatter(1, m.tensor([[0], [1]]), m.tensor([[1], [2]])), True),
    (lambda m: m.zeros(3, 4).scatter(1, m.tensor([[0.], [1]]), 1.), True),
    (lambda m: m.zeros(3, 4).scatter(1, m.tensor([[0, 0, 0, 0, 0]]), m.zeros(2, 1)), True),
    (lambda m: m.zeros(3, 4).scatter(0, m.tensor([[5]]), 1.), True),
    (lambda m: m.zeros(3, 4).scatter_add(0, m.tensor([[5]]), m.ones(1, 1)), True),
    (lambda m: m.zeros(3, 4).index_add(0, m.tensor([0]), m.ones(1, 4).double()), True),
    (lambda m: m.zeros(3, 4).index_add(0, m.tensor([[0]]), m.ones(1, 4)), True),
    (lambda m: m.zeros(3, 4).index_add(0, m.tensor([0, 1]), m.ones(1, 4)), True),
    (lambda m: m.zeros(3, 4).index_add(0, m.tensor([0, 0]), m.ones(2, 3)), True),
    (lambda m: m.zeros(3, 4).index_add(0, m.tensor([5]), m.ones(1, 4)), True),
    (lambda m: m.zeros(3, 4).index_copy(0, m.tensor([0]), m.ones(1, 4).double()), True),
    (lambda m: m.zeros(3, 4).index_copy(0, m.tensor([5]), m.ones(1, 4)), True),
    (lambda m: m.zeros(3, 4).index_fill(0, m.tensor([5]), 1.), True),
    (lambda m: m.zeros(3, 4).index_fill(1, m.tensor([0, 2]), m.tensor([1.])), True),
    (lambda m: m.zeros(3, 4).take(m.tensor([12])), True),
    (lambda m: m.zeros(3, 4).take(m.tensor([0.])), True),
    (lambda m: m.take_along_dim(m.zeros(3, 4), m.tensor([0, 1]), dim=1), True),
    (lambda m: m.zeros(3, 4).gather(1, m.tensor([[-1]])), True),
    (lambda m: m.take_along_dim(m.tensor(1.), m.tensor(0), 0), True),
    (lambda m: m.zeros(3).index_put((m.tensor([0]),), m.tensor(1.).double()), True),
    (lambda m: m.tensor(3.).index_add(0, m.tensor([0]), m.tensor([5.])), True),
    (lambda m: m.zeros(3, 4).scatter(1, m.tensor([[-1]]), 1.), True),
    (lambda m: m.zeros(3, 4).index_select(1, m.tensor([-1])), False),
    (lambda m: m.zeros(3, 4).index_add(0, m.tensor([-1]), m.ones(1, 4)), True),
    (lambda m: m.zeros(3, 4).index_copy(0, m.tensor([-1]), m.ones(1, 4)), True),
    (lambda m: m.take_along_dim(m.zeros(3, 4), m.tensor([[0, 1]]), dim=0), True),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors(k):
    f, same_msg = ERRORS[k]
    e, t = _raises_both(f)
    if same_msg:
        assert str(e) == str(t).replace("torch.", "ember.")


def test_uint8_index_warns_like_torch():
    for m in (ember, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = m.arange(3.)[m.tensor([1, 0, 1], dtype=m.uint8)]
        assert r.tolist() == [0., 2.]
        assert any("uint8" in str(x.message) for x in w)
