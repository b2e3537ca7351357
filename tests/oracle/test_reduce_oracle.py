"""ember/ops/reduce.py against PyTorch 2.13: values, gradients, dtypes, grad_fn names and
errors of every reduction, on hypothesis-generated shapes, dims and dtypes.

Each op is written once as ``f(m, x)`` with ``m`` the framework module (ember or torch), so the
same call runs in both."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from helpers import compare_with_torch

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

FLOATS = st.sampled_from([np.float32, np.float64])
SHAPES = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)


def distinct(shape, dtype, seed):
    """Values in [-2, 2], pairwise well apart: orders and argmaxes are stable under rounding."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    v = (rng.permutation(n) - n / 2 + rng.uniform(0.2, 0.6, n)) * (4 / max(n, 1))
    return v.reshape(shape).astype(dtype)


def ties(shape, dtype, seed, k=3):
    """Small integers as floats: many ties."""
    return np.random.default_rng(seed).integers(0, k, shape).astype(dtype)


def both(f, *arrays, name=None, **kw):
    try:
        return compare_with_torch(lambda *x: f(ember, *x), lambda *x: f(torch, *x), *arrays,
                                  **kw)
    except AssertionError as e:
        raise AssertionError(f"op {name}: {e}") from None


@st.composite
def dim_and_keep(draw, shape, multi=True):
    """A dim valid for ``shape`` (None, int, or a tuple when ``multi``) and a keepdim flag."""
    n = max(len(shape), 1)
    single = st.integers(-n, n - 1)
    choices = [single]
    if multi:
        choices += [st.none(), st.lists(st.integers(0, n - 1), min_size=1, max_size=n,
                                        unique=True).map(tuple)]
    return draw(st.one_of(*choices)), draw(st.booleans())


MULTI_DIM_OPS = {
    "sum": lambda m, x, d, k: m.sum(x, d, k) if d is not None else m.sum(x),
    "sum_method": lambda m, x, d, k: x.sum(dim=d, keepdim=k),
    "mean": lambda m, x, d, k: x.mean(d, keepdim=k) if d is not None else x.mean(),
    "nansum": lambda m, x, d, k: m.nansum(x, d, keepdim=k),
    "nanmean": lambda m, x, d, k: m.nanmean(x, d, keepdim=k),
    "amax": lambda m, x, d, k: x.amax(() if d is None else d, k),
    "amin": lambda m, x, d, k: m.amin(x, () if d is None else d, keepdim=k),
    "logsumexp": lambda m, x, d, k: m.logsumexp(x, tuple(range(x.dim())) if d is None else d, k),
    "var": lambda m, x, d, k: x.var(d, keepdim=k),
    "std_unbiased_false": lambda m, x, d, k: m.std(x, d, False, k),
    "std_correction": lambda m, x, d, k: x.std(dim=d, correction=0, keepdim=k),
    "var_mean": lambda m, x, d, k: m.var_mean(x, d, correction=0, keepdim=k),
    "std_mean": lambda m, x, d, k: m.std_mean(x, d, correction=0, keepdim=k),
    "count_nonzero": lambda m, x, d, k: m.count_nonzero(x, d),
    "any": lambda m, x, d, k: x.any(d, keepdim=k) if d is not None else x.any(),
    "all": lambda m, x, d, k: m.all(x, d, keepdim=k) if d is not None else m.all(x),
}

SINGLE_DIM_OPS = {
    "prod": lambda m, x, d, k: x.prod(d, k),
    "max": lambda m, x, d, k: m.max(x, d, k),
    "min": lambda m, x, d, k: x.min(dim=d, keepdim=k),
    "argmax": lambda m, x, d, k: m.argmax(x, d, k),
    "argmin": lambda m, x, d, k: x.argmin(d, keepdim=k),
    "aminmax": lambda m, x, d, k: m.aminmax(x, dim=d, keepdim=k),
    "cumsum": lambda m, x, d, k: x.cumsum(d),
    "cumprod": lambda m, x, d, k: m.cumprod(x, dim=d),
    "sort": lambda m, x, d, k: x.sort(d, descending=k),
    "sort_stable": lambda m, x, d, k: m.sort(x, dim=d, descending=k, stable=True),
    "argsort": lambda m, x, d, k: m.argsort(x, d, k),
    "median": lambda m, x, d, k: m.median(x, d, k),
    "mode": lambda m, x, d, k: x.mode(d, k),
    "kthvalue": lambda m, x, d, k: x.kthvalue(max(1, x.shape[d] // 2) if x.dim() else 1, d, k),
    "topk": lambda m, x, d, k: m.topk(x, min(2, x.shape[d]) if x.dim() else 1, d, largest=k),
}

FULL_OPS = {
    "sum": lambda m, x: x.sum(),
    "mean": lambda m, x: m.mean(x),
    "prod": lambda m, x: x.prod(),
    "max": lambda m, x: x.max(),
    "min": lambda m, x: m.min(x),
    "median": lambda m, x: x.median(),
    "argmax": lambda m, x: x.argmax(),
    "argmin_keep": lambda m, x: m.argmin(x, keepdim=True),
    "aminmax": lambda m, x: m.aminmax(x),
    "std": lambda m, x: x.std(),
    "var_unbiased": lambda m, x: x.var(False),
    "unique": lambda m, x: m.unique(x, return_inverse=True, return_counts=True),
    "sum_dtype": lambda m, x: x.sum(dtype=m.float64),
    "mean_dtype": lambda m, x: x.mean(dtype=m.float64),
    "cumsum_dtype": lambda m, x: x.cumsum(-1, dtype=m.float64),
}


@settings(max_examples=60, deadline=None)
@given(SHAPES, FLOATS, st.integers(0, 2 ** 16), st.data())
def test_multi_dim_ops_match_torch(shape, dt, seed, data):
    a = distinct(shape, dt, seed)
    d, k = data.draw(dim_and_keep(shape))
    for name, f in MULTI_DIM_OPS.items():
        if name.startswith(("var", "std")) and a.size <= 1:
            continue
        both(lambda m, x: f(m, x, d, k), a, name=name)


@settings(max_examples=60, deadline=None)
@given(SHAPES, FLOATS, st.integers(0, 2 ** 16), st.data())
def test_single_dim_ops_match_torch(shape, dt, seed, data):
    a = distinct(shape, dt, seed)
    d, k = data.draw(dim_and_keep(shape, multi=False))
    for name, f in SINGLE_DIM_OPS.items():
        both(lambda m, x: f(m, x, d, k), a, name=name)


@settings(max_examples=60, deadline=None)
@given(SHAPES, FLOATS, st.integers(0, 2 ** 16))
def test_full_reductions_match_torch(shape, dt, seed):
    a = distinct(shape, dt, seed)
    for name, f in FULL_OPS.items():
        if name in ("std", "var_unbiased") and a.size <= 1:
            continue
        both(f, a, grad=name != "unique", name=name)


# ----------------------------------------------------------------------------- ties

TIE_OPS = {   # deterministic in torch: first index for max/min, stable sort, lower median
    "max": lambda m, x, d: m.max(x, d),
    "min": lambda m, x, d: x.min(d, keepdim=True),
    "argmax": lambda m, x, d: x.argmax(d),
    "argmin": lambda m, x, d: m.argmin(x, d),
    "sort": lambda m, x, d: x.sort(d),
    "sort_desc": lambda m, x, d: m.sort(x, d, descending=True),
    "argsort_stable": lambda m, x, d: m.argsort(x, dim=d, stable=True),
    "median": lambda m, x, d: x.median(d),
    "mode": lambda m, x, d: m.mode(x, d),
    "amax": lambda m, x, d: x.amax(d),
    "amin_all": lambda m, x, d: x.amin(),
    "max_all": lambda m, x, d: x.max(),
    "median_all": lambda m, x, d: m.median(x),
    "aminmax": lambda m, x, d: m.aminmax(x, dim=d),
    "aminmax_all": lambda m, x, d: m.aminmax(x),
    "unique": lambda m, x, d: x.unique(return_inverse=True, return_counts=True),
    "unique_dim": lambda m, x, d: m.unique(x, dim=d, return_inverse=True, return_counts=True),
    "kthvalue_values": lambda m, x, d: x.kthvalue(1, d).values,
    "topk_values": lambda m, x, d: x.topk(1, d).values,
    "prod_zeros": lambda m, x, d: x.prod(d),
    "cumprod_zeros": lambda m, x, d: x.cumprod(d),
}


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=3).map(tuple), FLOATS,
       st.integers(0, 2 ** 16), st.data())
def test_ties_and_zeros_match_torch(shape, dt, seed, data):
    a = ties(shape, dt, seed)
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    for name, f in TIE_OPS.items():
        # torch's topk/kthvalue pick among equal values by libstdc++'s nth_element: values only
        both(lambda m, x: f(m, x, d), a, name=name,
             grad=not name.startswith(("unique", "kthvalue", "topk")))


def test_topk_kthvalue_indices_valid_under_ties():
    a = ties((4, 7), np.float64, 3)
    x = ember.tensor(a)
    for r, tr in ((x.topk(3, 1), torch.tensor(a).topk(3, 1)),
                  (x.kthvalue(3, 1, keepdim=True), torch.tensor(a).kthvalue(3, 1, keepdim=True))):
        np.testing.assert_array_equal(r.values.numpy(), tr.values.numpy())
        np.testing.assert_array_equal(np.take_along_axis(a, r.indices.numpy(), 1),
                                      r.values.numpy())


def test_nan_handling_matches_torch():
    nan = np.nan
    a = np.array([[1., nan, 3., 2.], [4., 0., -1., 2.], [nan, nan, 0., 5.]])
    for f in (lambda m, x: x.max(1), lambda m, x: x.min(1), lambda m, x: x.argmax(1),
              lambda m, x: x.argmin(), lambda m, x: x.amax(1), lambda m, x: x.sort(1),
              lambda m, x: x.sort(1, descending=True), lambda m, x: x.median(1),
              lambda m, x: x.median(),
              lambda m, x: x.nansum(1), lambda m, x: x.nanmean(1), lambda m, x: x.cumsum(1),
              lambda m, x: m.logsumexp(x, 1), lambda m, x: x.max()):
        both(f, a)
    both(lambda m, x: x.topk(2, 1).values, a, grad=False)   # which NaN comes first: libstdc++'s


def test_infinite_and_empty_edge_cases():
    inf = np.inf
    for a in (np.array([[-inf, -inf], [inf, 1.], [0., 1.]]),):
        both(lambda m, x: m.logsumexp(x, 1), a)
    e = np.zeros((0, 3))
    for f in (lambda m, x: x.sum(0), lambda m, x: x.mean(0), lambda m, x: x.prod(0),
              lambda m, x: m.logsumexp(x, 0), lambda m, x: x.std(0), lambda m, x: x.amax(1),
              lambda m, x: x.max(1), lambda m, x: x.any(0), lambda m, x: x.cumsum(0),
              lambda m, x: x.sort(0), lambda m, x: x.median(), lambda m, x: x.mean(),
              lambda m, x: m.unique(x, return_inverse=True, return_counts=True),
              lambda m, x: x.mode(1), lambda m, x: m.aminmax(x, dim=1)):
        both(f, e, grad=False)
    both(lambda m, x: x.std(), np.array([1.5]))
    for c in (3, 5):                                   # N - correction <= 0: inf, and torch's
        both(lambda m, x: x.var(0, correction=c), np.array([1., 2., 4.]))    # gradient
        both(lambda m, x: x.std(0, correction=c), np.array([1., 2., 4.]))
        both(lambda m, x: m.var_mean(x, 0, correction=c), np.array([1., 2., 4.]))
    both(lambda m, x: x.std(0, correction=0.5), np.array([1., 2., 4.]))


# ----------------------------------------------------------------------------- dtypes

INT_DTYPES = [np.bool_, np.uint8, np.int8, np.int32, np.int64]

DTYPE_OPS = [
    lambda m, x: x.sum(), lambda m, x: x.sum(0), lambda m, x: m.sum(x, 0, True),
    lambda m, x: x.sum(dtype=m.float32), lambda m, x: x.nansum(), lambda m, x: x.prod(),
    lambda m, x: x.prod(0), lambda m, x: x.cumsum(0), lambda m, x: x.cumprod(1),
    lambda m, x: x.any(), lambda m, x: x.all(1), lambda m, x: x.count_nonzero(0),
    lambda m, x: x.max(), lambda m, x: x.max(1), lambda m, x: x.amin(0),
    lambda m, x: m.aminmax(x), lambda m, x: x.sort(1), lambda m, x: x.argsort(0),
    lambda m, x: x.unique(return_counts=True), lambda m, x: x.mode(1),
    lambda m, x: x.logsumexp(1), lambda m, x: x.mean(dtype=m.float64),
    lambda m, x: m.unique(x, dim=0),
]


@pytest.mark.parametrize("dt", INT_DTYPES, ids=lambda d: np.dtype(d).name)
def test_int_and_bool_result_dtypes(dt):
    a = np.random.default_rng(1).integers(0, 3, (3, 4)).astype(dt)
    for f in DTYPE_OPS:
        both(f, a)
    if dt is not np.bool_:
        for f in (lambda m, x: x.argmax(), lambda m, x: x.median(), lambda m, x: x.median(1),
                  lambda m, x: x.kthvalue(2, 1).values, lambda m, x: x.topk(2).values,
                  lambda m, x: x.argmin(1)):
            both(f, a)


def test_float_dtypes_are_kept():
    for dt in (np.float16, np.float32, np.float64):
        a = distinct((3, 4), dt, 0)
        for f in (lambda m, x: x.sum(), lambda m, x: x.mean(1), lambda m, x: x.std(0),
                  lambda m, x: x.logsumexp(1), lambda m, x: x.prod(1), lambda m, x: x.amax(),
                  lambda m, x: x.cumsum(0), lambda m, x: m.var_mean(x, 1)):
            both(f, a, grad=dt is not np.float16, rtol=1e-2 if dt is np.float16 else None,
                 atol=1e-2 if dt is np.float16 else None)


# ----------------------------------------------------------------------------- grad_fn names

GRAD_FN_CASES = [
    "x.sum()", "x.sum(1)", "x.sum(dim=None)", "x.sum(())", "x.sum(dtype=m.float32)",
    "x.nansum()", "x.nansum(1)", "x.mean()", "x.mean(1)", "x.mean(dim=None)", "x.nanmean()",
    "x.prod()", "x.prod(1)", "x.std()", "x.std(1)", "x.var()", "x.var(0, correction=0)",
    "m.std_mean(x)[0]", "m.var_mean(x, 1)[1]", "x.max()", "x.max(1)[0]", "x.min()",
    "x.min(0).values", "m.max(x, x * 2)", "x.amax()", "x.amax(1)", "x.amin((0, 1))",
    "m.aminmax(x).min", "m.aminmax(x, dim=0).max", "x.cumsum(1)", "x.cumprod(0)",
    "x.logsumexp(1)", "x.sort()[0]", "x.sort(stable=True)[0]", "x.sort(stable=False)[0]",
    "x.topk(2)[0]", "x.kthvalue(1)[0]", "x.median()", "x.median(1)[0]", "x.mode()[0]",
    "m.unique(x)", "m.unique(x, dim=0)", "m.unique(x, return_counts=True)[0]",
]


@pytest.mark.parametrize("expr", GRAD_FN_CASES)
def test_grad_fn_names(expr):
    a = distinct((3, 4), np.float64, 7)
    names = []
    for m in (ember, torch):
        x = m.tensor(a.copy(), requires_grad=True)
        names.append(type(eval(expr, {"m": m, "x": x}).grad_fn).__name__)
    assert names[0] == names[1]


# ----------------------------------------------------------------------------- errors

ERROR_CASES = [
    "x.sum(2)", "x.sum(-3)", "x.sum((0, 2))", "x.sum((0, -2))", "x.mean(5)", "x.amax((1, 1))",
    "i.mean()", "b.mean()", "i.nanmean()", "i.std()", "i.var(0)", "x.max(2)", "x.argmax(2)",
    "x.cumsum(2)", "x.sort(-3)", "x.topk(5)", "x.topk(-1)", "x.topk(2, 2)", "x.kthvalue(0)",
    "x.kthvalue(5)", "x.median(2)", "x.mode(2)", "x.logsumexp(2)", "x.any(2)",
    "x.count_nonzero((0, 0))", "x.unique(dim=2)", "e.max()", "e.min()", "e.amax()",
    "e.argmax()", "e2.max(0)", "e2.argmin(0)", "e2.amin(0)", "e2.median(0)", "e2.mode(0)",
    "e2.kthvalue(1, 0)", "m.aminmax(e)", "b.argmax()", "b.topk(1)", "x.topk(1.0)",
    "s.unique(dim=0)", "x.prod((0, 1))", "x.max((0, 1))", "m.logsumexp(x)", "x.cumsum()",
    "x.std(0, unbiased=True, correction=1)",
]


@pytest.mark.parametrize("expr", ERROR_CASES)
def test_errors_match_torch(expr):
    errs = []
    for m in (ember, torch):
        env = {"m": m, "x": m.tensor([[1., 2., 3., 4.], [5., 6., 7., 8.]]),
               "i": m.tensor([1, 2]), "b": m.tensor([True, False]), "e": m.zeros(0),
               "e2": m.zeros(0, 3), "s": m.tensor(3.)}
        with pytest.raises(Exception) as info:
            eval(expr, env)
        errs.append(info.value)
    e_err, t_err = errs
    assert isinstance(e_err, type(t_err)) or isinstance(t_err, type(e_err)) or \
        (isinstance(t_err, (TypeError, RuntimeError)) and isinstance(e_err, TypeError)), \
        (expr, repr(e_err), repr(t_err))
    t_msg = str(t_err).split("\n")[0]
    if not isinstance(t_err, TypeError):       # torch's TypeErrors list its C++ overloads
        assert str(e_err).split("\n")[0] == t_msg, (expr, str(e_err), t_msg)


def test_return_types_behave_like_torch():
    a = distinct((3, 4), np.float32, 2)
    for name in ("max", "min", "sort", "topk", "kthvalue", "median", "mode"):
        f = {"max": lambda m, x: m.max(x, 1), "min": lambda m, x: m.min(x, 1),
             "sort": lambda m, x: m.sort(x), "topk": lambda m, x: m.topk(x, 2),
             "kthvalue": lambda m, x: m.kthvalue(x, 2), "median": lambda m, x: m.median(x, 1),
             "mode": lambda m, x: m.mode(x)}[name]
        e, t = f(ember, ember.tensor(a)), f(torch, torch.tensor(a))
        assert type(e).__name__ == type(t).__name__ == name
        assert e._fields == tuple(t._fields) if hasattr(t, "_fields") else True
        assert len(e) == len(t) == 2
        np.testing.assert_array_equal(e.indices.numpy(), t.indices.numpy())
        assert repr(e).replace("ember.", "torch.") == repr(t)
    e, t = ember.aminmax(ember.tensor(a)), torch.aminmax(torch.tensor(a))
    assert e.min.item() == t.min.item() and e.max.item() == t.max.item()
    assert repr(e).replace("ember.", "torch.") == repr(t)


@pytest.mark.parametrize("seed", range(3))
def test_long_rows_match_torch(seed):
    """Rows long enough for the partition paths of topk, kthvalue and median."""
    a = distinct((4, 90), np.float64, seed)
    for f in (lambda m, x: x.topk(4, 1), lambda m, x: m.topk(x, 3, 0, largest=False),
              lambda m, x: x.kthvalue(30, 1), lambda m, x: x.median(1, keepdim=True),
              lambda m, x: x.topk(4).values.sum() + x.kthvalue(7).values.sum()):
        both(f, a)
    t = ties((4, 91), np.float32, seed, k=5)             # median: (value, index) order in torch
    both(lambda m, x: x.median(1), t)
    both(lambda m, x: m.median(x, 0), t.T.copy())
    for f in (lambda m, x: x.topk(6, 1).values, lambda m, x: x.kthvalue(40, 1).values):
        both(f, t, grad=False)
