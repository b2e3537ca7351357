"""Shape ops (ember/ops/shape.py) against PyTorch 2.13: values, gradients, dtypes, grad_fn
names and errors on hypothesis-generated shapes."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember
from helpers import compare_with_torch

pytestmark = pytest.mark.oracle
torch = pytest.importorskip("torch")

FLOATS = (np.float32, np.float64)


@st.composite
def arrays(draw, min_dims=0, max_dims=4, min_side=1, max_side=4, dtypes=FLOATS):
    nd = draw(st.integers(min_dims, max_dims))
    shape = tuple(draw(st.integers(min_side, max_side)) for _ in range(nd))
    dt = draw(st.sampled_from(dtypes))
    seed = draw(st.integers(0, 2 ** 16))
    a = np.random.default_rng(seed).standard_normal(shape)
    if np.dtype(dt).kind == "b":
        return np.asarray(a > 0)
    if np.dtype(dt).kind in "iu":
        return np.asarray((a * 5).astype(dt))
    return np.asarray(a.astype(dt))


def both(f, *arrays_, **kw):
    """Compare ``f(module, *tensors)`` for ember and torch."""
    return compare_with_torch(lambda *t: f(ember, *t), lambda *t: f(torch, *t), *arrays_, **kw)


# op name -> (fn(module, x), min_dims, max_dims)
UNARY = {
    "view": (lambda m, x: x.view(-1), 0, 4),
    "view_sizes": (lambda m, x: x.view(x.shape[0], -1), 1, 4),
    "view_tuple": (lambda m, x: x.view((1,) + tuple(x.shape)), 0, 3),
    "view_as": (lambda m, x: x.view_as(m.zeros(x.numel())), 0, 4),
    "reshape": (lambda m, x: m.reshape(x, (-1, 1)), 0, 4),
    "reshape_nc": (lambda m, x: x.transpose(0, -1).reshape(-1), 1, 4),
    "reshape_as": (lambda m, x: x.reshape_as(m.zeros(1, x.numel())), 0, 4),
    "contiguous": (lambda m, x: x.transpose(0, -1).contiguous(), 1, 4),
    "flatten": (lambda m, x: x.flatten(), 0, 4),
    "flatten_1": (lambda m, x: m.flatten(x, 1), 2, 4),
    "flatten_mid": (lambda m, x: x.flatten(0, -2), 2, 4),
    "flatten_nc": (lambda m, x: x.transpose(0, -1).flatten(), 2, 4),
    "unflatten": (lambda m, x: x.unflatten(0, (1, x.shape[0], 1)), 1, 4),
    "unflatten_neg": (lambda m, x: m.unflatten(x, -1, (-1, 1)), 1, 4),
    "squeeze": (lambda m, x: x.squeeze(), 0, 4),
    "squeeze_dim": (lambda m, x: x[None].squeeze(0), 0, 3),
    "squeeze_dims": (lambda m, x: m.squeeze(x[None, ..., None], (0, -1)), 0, 3),
    "squeeze_noop": (lambda m, x: (x + 1).squeeze(-1), 0, 4),
    "unsqueeze": (lambda m, x: x.unsqueeze(-1), 0, 4),
    "unsqueeze_0": (lambda m, x: m.unsqueeze(x, 0), 0, 4),
    "permute": (lambda m, x: x.permute(*range(x.ndim - 1, -1, -1)), 1, 4),
    "permute_tuple": (lambda m, x: m.permute(x, tuple(range(1, x.ndim)) + (0,)), 1, 4),
    "transpose": (lambda m, x: x.transpose(0, -1), 1, 4),
    "swapaxes": (lambda m, x: m.swapaxes(x, -1, 0), 1, 4),
    "swapdims": (lambda m, x: x.swapdims(0, -1), 1, 4),
    "t": (lambda m, x: x.t(), 0, 2),
    "T": (lambda m, x: x.T, 2, 2),
    "mT": (lambda m, x: x.mT, 2, 4),
    "expand": (lambda m, x: x.expand(2, *x.shape), 0, 3),
    "expand_neg": (lambda m, x: x[..., :1].expand(*([-1] * (x.ndim - 1)), 3), 1, 4),
    "expand_as": (lambda m, x: x.expand_as(m.zeros((2,) + tuple(x.shape))), 0, 3),
    "broadcast_to": (lambda m, x: m.broadcast_to(x[..., :1], tuple(x.shape[:-1]) + (3,)), 1, 4),
    "repeat": (lambda m, x: x.repeat(*([2] * max(x.ndim, 1))), 0, 3),
    "repeat_lead": (lambda m, x: x.repeat(2, *([1] * x.ndim)), 0, 3),
    "tile": (lambda m, x: m.tile(x, (2,)), 0, 3),
    "tile_more": (lambda m, x: x.tile((2, 1, 3)), 0, 3),
    "cat": (lambda m, x: m.cat([x, x * 2], -1), 1, 4),
    "cat0": (lambda m, x: m.cat((x, x[:1])), 1, 4),
    "concat": (lambda m, x: m.concat([x, x], 0), 1, 4),
    "concatenate": (lambda m, x: m.concatenate([x, x], -1), 1, 4),
    "cat_skip": (lambda m, x: m.cat([x, m.zeros(0, dtype=x.dtype)]), 1, 3),
    "stack": (lambda m, x: m.stack([x, x * 3]), 0, 3),
    "stack_last": (lambda m, x: m.stack([x, x], -1), 0, 3),
    "hstack": (lambda m, x: m.hstack([x, x * 2]), 0, 3),
    "vstack": (lambda m, x: m.vstack([x, x * 2]), 0, 3),
    "dstack": (lambda m, x: m.dstack([x, x * 2]), 0, 3),
    "row_stack": (lambda m, x: m.row_stack((x, x)), 0, 3),
    "chunk": (lambda m, x: x.chunk(3), 1, 3),
    "chunk_dim": (lambda m, x: m.chunk(x, 2, -1), 1, 3),
    "split": (lambda m, x: x.split(2), 1, 3),
    "split_sizes": (lambda m, x: m.split(x, [1, x.shape[0] - 1]), 1, 3),
    "split_dim": (lambda m, x: x.split(1, dim=-1), 1, 3),
    "tensor_split": (lambda m, x: x.tensor_split(3), 1, 3),
    "tensor_split_idx": (lambda m, x: m.tensor_split(x, [1, 3], -1), 1, 3),
    "tensor_split_overlap": (lambda m, x: x.tensor_split([3, 1]), 1, 3),
    "unbind": (lambda m, x: x.unbind(), 1, 3),
    "unbind_dim": (lambda m, x: m.unbind(x, -1), 1, 3),
    "unbind_partial": (lambda m, x: x.unbind()[0], 1, 3),
    "movedim": (lambda m, x: x.movedim(0, -1), 1, 4),
    "moveaxis": (lambda m, x: m.moveaxis(x, (0, 1), (-1, 0)), 2, 4),
    "flip": (lambda m, x: x.flip(0), 1, 4),
    "flip_dims": (lambda m, x: m.flip(x, (0, -1)), 2, 4),
    "fliplr": (lambda m, x: m.fliplr(x), 2, 4),
    "flipud": (lambda m, x: x.flipud(), 1, 4),
    "roll": (lambda m, x: x.roll(1, 0), 1, 4),
    "roll_flat": (lambda m, x: m.roll(x, 3), 0, 4),
    "roll_multi": (lambda m, x: x.roll((1, -2), (0, -1)), 1, 4),
    "rot90": (lambda m, x: x.rot90(), 2, 4),
    "rot90_k": (lambda m, x: m.rot90(x, -3, (-1, 0)), 2, 4),
    "rot90_2": (lambda m, x: m.rot90(x, 2, (0, 1)), 2, 4),
    "tril": (lambda m, x: x.tril(), 2, 4),
    "triu_k": (lambda m, x: m.triu(x, diagonal=1), 2, 4),
    "tril_neg": (lambda m, x: m.tril(x, -1), 2, 4),
    "diag_1d": (lambda m, x: m.diag(x), 1, 1),
    "diag_1d_k": (lambda m, x: x.diag(-1), 1, 1),
    "diag_2d": (lambda m, x: m.diag(x, 1), 2, 2),
    "diagonal": (lambda m, x: x.diagonal(), 2, 4),
    "diagonal_args": (lambda m, x: m.diagonal(x, -1, -1, 0), 2, 4),
    "diagonal_big": (lambda m, x: x.diagonal(2, 0, 1), 2, 4),
    "diag_embed": (lambda m, x: x.diag_embed(), 1, 3),
    "diag_embed_args": (lambda m, x: m.diag_embed(x, 1, 0, -1), 1, 3),
    "narrow": (lambda m, x: x.narrow(0, 0, 1), 1, 4),
    "narrow_neg": (lambda m, x: m.narrow(x, -1, -1, 1), 1, 4),
    "select": (lambda m, x: x.select(0, -1), 1, 4),
    "select_last": (lambda m, x: m.select(x, -1, 0), 1, 4),
    "broadcast_tensors": (lambda m, x: m.broadcast_tensors(x, x[..., :1], m.ones(2, 1, 1, 1,
                                                                                 1)), 1, 4),
    "meshgrid": (lambda m, x: m.meshgrid(x.reshape(-1), x.reshape(-1)[:2], indexing="ij"), 0, 2),
    "meshgrid_xy": (lambda m, x: m.meshgrid([x.reshape(-1), x.reshape(-1)[:3], x.reshape(-1)],
                                            indexing="xy"), 0, 2),
    "atleast_1d": (lambda m, x: m.atleast_1d(x), 0, 3),
    "atleast_2d": (lambda m, x: m.atleast_2d(x), 0, 3),
    "atleast_3d": (lambda m, x: m.atleast_3d(x), 0, 4),
    "atleast_many": (lambda m, x: m.atleast_2d(x, x[None]), 0, 2),
    "ravel": (lambda m, x: x.ravel(), 0, 4),
    "ravel_nc": (lambda m, x: m.ravel(x.transpose(0, -1)), 1, 4),
    "view_chain": (lambda m, x: x.view(-1).view(x.shape).unsqueeze(0).squeeze(0), 0, 4),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_values_and_grads(name):
    fn, lo, hi = UNARY[name]

    @settings(max_examples=8, deadline=None)
    @given(arrays(min_dims=lo, max_dims=hi))
    def run(a):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            both(fn, a)
    run()


INT_DTYPES = (np.int64, np.int32, np.uint8, np.bool_, np.int16)


@pytest.mark.parametrize("name", ["view", "reshape_nc", "permute", "expand", "repeat", "cat",
                                  "stack", "chunk", "unbind", "flip", "roll", "rot90", "tril",
                                  "diag_embed", "diagonal", "select", "broadcast_tensors",
                                  "ravel_nc", "hstack", "tensor_split"])
def test_int_and_bool_dtypes(name):
    fn, lo, hi = UNARY[name]

    @settings(max_examples=4, deadline=None)
    @given(arrays(min_dims=lo, max_dims=hi, dtypes=INT_DTYPES))
    def run(a):
        if a.dtype == np.bool_ and name in ("cat", "stack", "hstack"):
            return   # x * 2 is not a bool op
        both(fn, a)
    run()


def test_cat_stack_promotion():
    cases = [([1, 2], "int64", [1.5, 2], "float32"), ([1, 2], "int64", [True, False], "bool"),
             ([1, 2], "uint8", [1, -3], "int8"), ([1.], "float32", [2.], "float64"),
             ([1], "int32", [2], "int64"), ([True], "bool", [1.5], "float64")]
    for a, da, b, db in cases:
        for f in ("cat", "stack", "hstack", "vstack"):
            e = getattr(ember, f)([ember.tensor(a, dtype=getattr(ember, da)),
                                   ember.tensor(b, dtype=getattr(ember, db))]
                                  if f != "stack" else
                                  [ember.tensor(a[:1], dtype=getattr(ember, da)),
                                   ember.tensor(b[:1], dtype=getattr(ember, db))])
            t = getattr(torch, f)([torch.tensor(a, dtype=getattr(torch, da)),
                                   torch.tensor(b, dtype=getattr(torch, db))]
                                  if f != "stack" else
                                  [torch.tensor(a[:1], dtype=getattr(torch, da)),
                                   torch.tensor(b[:1], dtype=getattr(torch, db))])
            assert str(e.dtype)[6:] == str(t.dtype)[6:], (f, da, db)
            np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_mixed_dtype_cat_grads():
    a = np.random.default_rng(1).standard_normal((2, 3)).astype(np.float32)
    b = np.random.default_rng(2).standard_normal((1, 3))
    both(lambda m, x, y: m.cat([x, y]), a, b)
    both(lambda m, x, y: m.stack([x, y[0]], 1), a[0], b)


@pytest.mark.parametrize("n,k", [(10, 3), (5, 4), (6, 4), (7, 7), (1, 3), (0, 2), (9, 1)])
def test_chunk_split_sizes(n, k):
    e = ember.arange(float(n))
    t = torch.arange(float(n))
    for f in (lambda x: x.chunk(k), lambda x: x.split(k), lambda x: x.tensor_split(k)):
        assert [tuple(p.shape) for p in f(e)] == [tuple(p.shape) for p in f(t)]


@pytest.mark.parametrize("idx", [[1, 5, 9], [3, 1], [-1], [0], [], [2, 2], [-10, 10]])
def test_tensor_split_indices(idx):
    e = ember.arange(7.)
    t = torch.arange(7.)
    pe, pt = e.tensor_split(idx), t.tensor_split(idx)
    assert [p.tolist() for p in pe] == [p.tolist() for p in pt]


def _name(x):
    return type(x.grad_fn).__name__


GRAD_FN = [
    lambda m, x: x.view(-1), lambda m, x: x.reshape(-1), lambda m, x: x.t().reshape(-1),
    lambda m, x: x.t().contiguous(), lambda m, x: x.flatten(), lambda m, x: x.t().ravel(),
    lambda m, x: x.unflatten(1, (2, 2)), lambda m, x: x.squeeze(), lambda m, x: x.squeeze(0),
    lambda m, x: x.squeeze((0, 1)), lambda m, x: x.unsqueeze(0), lambda m, x: x.permute(1, 0),
    lambda m, x: x.transpose(0, 1), lambda m, x: x.t(), lambda m, x: x.T, lambda m, x: x.mT,
    lambda m, x: x.expand(2, 3, 4), lambda m, x: x.repeat(2, 1), lambda m, x: x.tile(2),
    lambda m, x: m.cat([x, x]), lambda m, x: m.stack([x, x]), lambda m, x: m.hstack([x, x]),
    lambda m, x: m.vstack([x, x]), lambda m, x: m.dstack([x, x]), lambda m, x: x.chunk(2)[0],
    lambda m, x: x.split(2)[1], lambda m, x: x.split([1, 2])[0],
    lambda m, x: x.tensor_split(2)[0], lambda m, x: x.unbind()[0],
    lambda m, x: x.movedim(0, 1), lambda m, x: x.flip(0), lambda m, x: x.fliplr(),
    lambda m, x: x.flipud(), lambda m, x: x.roll(1), lambda m, x: x.rot90(),
    lambda m, x: x.tril(), lambda m, x: x.triu(), lambda m, x: x[0].diag(),
    lambda m, x: x.diag(), lambda m, x: x.diagonal(), lambda m, x: x.diag_embed(),
    lambda m, x: x.narrow(0, 1, 2), lambda m, x: x.select(1, 0),
    lambda m, x: x.broadcast_to(2, 3, 4), lambda m, x: m.broadcast_tensors(x, x[0])[1],
    lambda m, x: m.meshgrid(x[0], x[:, 0], indexing="ij")[0],
    lambda m, x: m.atleast_1d(x[0, 0]), lambda m, x: m.atleast_2d(x[0]),
    lambda m, x: m.atleast_3d(x), lambda m, x: m.atleast_3d(x[0, 0]),
    lambda m, x: x.view_as(x.t()), lambda m, x: x.reshape_as(x.t()),
    lambda m, x: x.expand_as(m.zeros(2, 3, 4)), lambda m, x: x.swapaxes(0, 1),
    lambda m, x: x.ravel(), lambda m, x: x.flatten(0, 1),
]


@pytest.mark.parametrize("k", range(len(GRAD_FN)))
def test_grad_fn_names(k):
    f = GRAD_FN[k]
    e = ember.randn(3, 4, requires_grad=True)
    t = torch.randn(3, 4, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _name(f(ember, e)) == _name(f(torch, t))


def test_views_share_memory_and_version():
    def ver(x):
        return x._version if isinstance(x, torch.Tensor) else x._version_counter

    for m in (ember, torch):
        x = m.zeros(3, 4)
        for v in (x.view(12), x.t(), x[1], x.unsqueeze(0), x.expand(3, 4), x.diagonal(),
                  x.narrow(1, 1, 2), x.unbind()[2], x.split(2)[1], x.permute(1, 0)):
            before = ver(x)
            v.add_(1)
            assert ver(x) == before + 1 and ver(v) == ver(x)
    e, t = ember.zeros(3, 4), torch.zeros(3, 4)
    for x, m in ((e, ember), (t, torch)):
        x.view(12)[0] = 5
        x.t()[1, 0] = 2
        x.diagonal()[2] = 7
        x.chunk(2, 1)[1][2] = 3
        x.unbind(1)[0][1] = -1
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_contiguous_returns_self_and_flatten_identity():
    x = ember.randn(3, 4)
    assert x.contiguous() is x
    assert x.flatten(1, 1) is x
    assert ember.atleast_1d(x) is x
    assert ember.broadcast_tensors(x, ember.ones(4))[0] is x


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
    assert type(e) is type(t) or isinstance(e, type(t)), (e, t)
    return e, t


ERRORS = [
    (lambda m: m.zeros(3, 4).t().view(12), True),
    (lambda m: m.zeros(3, 4).view(7, -1), True),
    (lambda m: m.zeros(3, 4).view(-1, -1), True),
    (lambda m: m.zeros(0, 3).view(0, -1), True),
    (lambda m: m.zeros(3, 4).view(-2, 6), True),
    (lambda m: m.zeros(3, 4).reshape(5), True),
    (lambda m: m.zeros(3, 4).squeeze(2), True),
    (lambda m: m.zeros(3, 4).unsqueeze(3), True),
    (lambda m: m.zeros(3, 4).permute(0), True),
    (lambda m: m.zeros(3, 4).permute(0, 0), True),
    (lambda m: m.zeros(3, 4).transpose(0, 2), True),
    (lambda m: m.zeros(3, 4, 5).t(), True),
    (lambda m: m.zeros(3).mT, True),
    (lambda m: m.zeros(3, 4).expand(3, 5), True),
    (lambda m: m.zeros(3, 4).expand(-1, 3, 4), True),
    (lambda m: m.zeros(3, 4).expand(4), False),
    (lambda m: m.zeros(3, 4).repeat(2), True),
    (lambda m: m.cat([]), True),
    (lambda m: m.cat([m.tensor(1.), m.tensor(2.)]), True),
    (lambda m: m.cat([m.zeros(3, 4), m.zeros(3, 4, 1)]), True),
    (lambda m: m.cat([m.zeros(3, 4), m.zeros(3, 2)]), True),
    (lambda m: m.cat([m.zeros(3, 4), m.zeros(2, 4)], 1), True),
    (lambda m: m.cat([m.zeros(3, 4), m.zeros(3, 4)], 2), True),
    (lambda m: m.cat([m.zeros(3, 4), 1]), True),
    (lambda m: m.stack([m.zeros(3), m.zeros(2)]), True),
    (lambda m: m.stack([]), True),
    (lambda m: m.stack([m.zeros(3)], 2), True),
    (lambda m: m.zeros(3).chunk(0), True),
    (lambda m: m.zeros(3).split(0), True),
    (lambda m: m.zeros(3).split(-1), True),
    (lambda m: m.zeros(3).split([1, 1]), True),
    (lambda m: m.tensor(1.).split(1), True),
    (lambda m: m.tensor(1.).unbind(), True),
    (lambda m: m.zeros(3).tensor_split(0), True),
    (lambda m: m.zeros(3, 4).movedim((0, 0), (1, 0)), True),
    (lambda m: m.zeros(3, 4).movedim((0, 1), (1,)), True),
    (lambda m: m.zeros(3, 4).flip(0, 0), True),
    (lambda m: m.zeros(3, 4).roll((1, 2), (0,)), True),
    (lambda m: m.zeros(3, 4).rot90(1, (0, 0)), True),
    (lambda m: m.zeros(3).rot90(), True),
    (lambda m: m.zeros(3, 4).rot90(1, (0, 1, 2)), True),
    (lambda m: m.zeros(3).tril(), True),
    (lambda m: m.zeros(3).triu(), True),
    (lambda m: m.zeros(3, 4, 5).diag(), True),
    (lambda m: m.zeros(3, 4).diagonal(0, 1, 1), True),
    (lambda m: m.zeros(3, 4).narrow(0, 2, 2), True),
    (lambda m: m.zeros(3, 4).narrow(0, 4, 0), True),
    (lambda m: m.zeros(3, 4).narrow(0, 0, -1), True),
    (lambda m: m.tensor(1.).narrow(0, 0, 1), True),
    (lambda m: m.zeros(3, 4).select(0, 3), True),
    (lambda m: m.zeros(3, 4).select(0, -4), True),
    (lambda m: m.tensor(1.).select(0, 0), True),
    (lambda m: m.meshgrid(m.zeros(2, 2), m.zeros(2), indexing="ij"), False),
    (lambda m: m.broadcast_tensors(m.zeros(3, 4), m.zeros(5)), True),
    (lambda m: m.zeros(3, 4).unflatten(1, (3, 2)), True),
    (lambda m: m.zeros(3, 4).flatten(1, 0), True),
    (lambda m: m.zeros(3).fliplr(), True),
    (lambda m: m.tensor(1.).flipud(), True),
    (lambda m: m.tensor(1.).roll(1, 0), True),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors(k):
    f, same_msg = ERRORS[k]
    e, t = _raises_both(f)
    if same_msg:
        assert str(e) == str(t).replace("torch.", "ember.")


def test_T_warnings_match():
    for m in (ember, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            m.zeros(2, 3, 4).T
            m.tensor(1.).T
        assert len(w) == 2
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ember.meshgrid(ember.zeros(2), ember.zeros(3))
    assert "indexing argument" in str(w[0].message)


def test_long_unbind_backward_linear():
    x = ember.randn(200, 8, requires_grad=True)
    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    h, th = ember.zeros(8), torch.zeros(8)
    for a, b in zip(x.unbind(0), tx.unbind(0)):
        h = (h + a).tanh()
        th = (th + b).tanh()
    h.sum().backward()
    th.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)
