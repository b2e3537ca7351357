"""Elementwise ops: values on hand-checkable inputs, dtype rules, operators, in-place forms,
errors, and a float64 gradient check of every differentiable op on several shapes."""
import math

import numpy as np
import pytest

import ember
from ember.ops import elementwise as ew
from ember.ops import _special as sp
from helpers import check_grad

T = ember.tensor
RNG = np.random.default_rng(0)


def vals(t):
    return np.asarray(t._data)


def close(t, expected, **kw):
    np.testing.assert_allclose(vals(t), np.asarray(expected, dtype=np.float64), **kw)


# ----------------------------------------------------------------------------- values


def test_arithmetic_values_and_broadcasting():
    a = T([[1., 2., 3.], [4., 5., 6.]])
    b = T([10., 20., 30.])
    close(a + b, [[11, 22, 33], [14, 25, 36]])
    close(a - b, [[-9, -18, -27], [-6, -15, -24]])
    close(a * b, [[10, 40, 90], [40, 100, 180]])
    close(b / a, [[10, 10, 10], [2.5, 4, 5]])
    close(ember.add(a, b, alpha=2), [[21, 42, 63], [24, 45, 66]])
    close(ember.sub(a, b, alpha=0.5), [[-4, -8, -12], [-1, -5, -9]])
    close(ember.rsub(a, b), [[9, 18, 27], [6, 15, 24]])
    close(2 - a, [[1, 0, -1], [-2, -3, -4]])
    close(12 / a, [[12, 6, 4], [3, 2.4, 2]])
    close(2 ** T([0., 1., 3.]), [1, 2, 8])
    close(T([7., -7., 7.5]) // 2, [3, -4, 3])
    close(T([7., -7., 7.5]) % 2, [1, 1, 1.5])
    close(5 % T([3., -3.]), [2, -1])
    close(ember.fmod(T([7., -7.]), 2), [1, -1])
    close(ember.remainder(T([-3., 3.]), T([2., -2.])), [1, -1])
    close(T([2., 3.]) ** 2, [4, 9])
    close(T([2., 3.]) ** T([3., 0.5]), [8, math.sqrt(3)])
    close(ember.div(T([-7., 7.]), 2, rounding_mode="trunc"), [-3, 3])
    close(ember.div(T([-7., 7.]), 2, rounding_mode="floor"), [-4, 3])
    close(ember.float_power(T([2., 3.]), 2), [4, 9])
    assert ember.float_power(T([2., 3.]), 2).dtype is ember.float64


def test_integer_arithmetic():
    i = T([-7, 7, 9])
    assert (i // 2).tolist() == [-4, 3, 4]
    assert (i % 4).tolist() == [1, 3, 1]
    assert ember.fmod(i, 4).tolist() == [-3, 3, 1]
    assert ember.div(i, 2, rounding_mode="trunc").tolist() == [-3, 3, 4]
    assert ember.div(i, 2, rounding_mode="floor").tolist() == [-4, 3, 4]
    assert ember.div(i, 2, rounding_mode="trunc").dtype is ember.int64
    assert (i / 2).dtype is ember.float32
    assert (T([2, 3]) ** 2).tolist() == [4, 9]
    assert (T([1, -1, 2, -1]) ** T([-1, -3, -2, -2])).tolist() == [1, -1, 0, 1]
    assert (2 ** T([1, 2])).tolist() == [2, 4]
    assert (-T([1], dtype=ember.uint8)).tolist() == [255]


def test_unary_values():
    x = T([0.25, 0.5, 0.75])
    close(ember.sqrt(T([4., 9.])), [2, 3])
    close(ember.rsqrt(T([4., 16.])), [0.5, 0.25])
    close(ember.exp(T([0., 1.])), [1, math.e], rtol=1e-6)
    close(ember.exp2(T([3., -1.])), [8, 0.5])
    close(ember.expm1(T([0., 1e-10], dtype=ember.float64)), [0, math.expm1(1e-10)], rtol=1e-12)
    close(ember.log(T([1., math.e])), [0, 1], rtol=1e-6)
    close(ember.log2(T([8., 0.5])), [3, -1])
    close(ember.log10(T([1000., 0.01])), [3, -2], rtol=1e-6)
    close(ember.log1p(T([0., 1e-10], dtype=ember.float64)), [0, math.log1p(1e-10)], rtol=1e-12)
    close(ember.reciprocal(T([4., -0.5])), [0.25, -2])
    close(ember.square(T([3., -2.])), [9, 4])
    close(ember.sin(T([0., math.pi / 2])), [0, 1], atol=1e-7)
    close(ember.cos(T([0., math.pi])), [1, -1], atol=1e-7)
    close(ember.tan(T([0., math.pi / 4])), [0, 1], rtol=1e-6)
    close(ember.asin(T([0., 1.])), [0, math.pi / 2], rtol=1e-6)
    close(ember.acos(T([1., 0.])), [0, math.pi / 2], rtol=1e-6)
    close(ember.atan(T([0., 1.])), [0, math.pi / 4], rtol=1e-6)
    close(ember.sinh(T([0., 1.])), [0, math.sinh(1)], rtol=1e-6)
    close(ember.cosh(T([0., 1.])), [1, math.cosh(1)], rtol=1e-6)
    close(ember.tanh(T([0., 1.])), [0, math.tanh(1)], rtol=1e-6)
    close(ember.asinh(T([0., 1.])), [0, math.asinh(1)], rtol=1e-6)
    close(ember.acosh(T([1., 2.])), [0, math.acosh(2)], rtol=1e-6)
    close(ember.atanh(T([0., 0.5])), [0, math.atanh(0.5)], rtol=1e-6)
    close(ember.sigmoid(T([0., -1000., 1000.])), [0.5, 0, 1])
    close(ember.logit(x), [math.log(1 / 3), 0, math.log(3)], rtol=1e-6)
    close(ember.logit(T([0., 1., 0.5]), eps=0.25), [math.log(1 / 3), math.log(3), 0], rtol=1e-6)
    close(ember.sinc(T([0., 0.5, 1.])), [1, 2 / math.pi, 0], atol=1e-7)
    close(ember.deg2rad(T([180., 90.])), [math.pi, math.pi / 2], rtol=1e-6)
    close(ember.rad2deg(T([math.pi])), [180], rtol=1e-6)
    close(ember.hypot(T([3., 5.]), T([4., 12.])), [5, 13])
    close(ember.atan2(T([1., 1.]), T([1., -1.])), [math.pi / 4, 3 * math.pi / 4], rtol=1e-6)
    close(ember.arctan2(T([1.]), T([0.])), [math.pi / 2], rtol=1e-6)
    close(ember.xlogy(T([0., 2., 0.]), T([0., math.e, float("nan")])), [0, 2, float("nan")],
          rtol=1e-6)
    close(ember.lerp(T([0., 10.]), T([10., 20.]), 0.25), [2.5, 12.5])
    close(ember.lerp(T([0., 10.]), T([10., 20.]), T([0.5, 1.0])), [5, 20])


def test_sign_abs_neg_keep_integer_dtypes():
    for dt in (ember.int64, ember.int32, ember.int8):
        i = T([-3, 0, 2], dtype=dt)
        assert ember.abs(i).dtype is dt and ember.abs(i).tolist() == [3, 0, 2]
        assert (-i).dtype is dt and (-i).tolist() == [3, 0, -2]
        assert ember.sign(i).dtype is dt and ember.sign(i).tolist() == [-1, 0, 1]
    b = T([True, False])
    assert ember.sign(b).dtype is ember.bool and ember.sign(b).tolist() == [True, False]
    close(ember.sign(T([-2., 0., 3., float("nan")])), [-1, 0, 1, 0])


def test_rounding():
    x = T([-1.5, -0.5, 0.5, 1.5, 2.5, 2.7])
    close(ember.round(x), [-2, -0, 0, 2, 2, 3])
    close(ember.floor(x), [-2, -1, 0, 1, 2, 2])
    close(ember.ceil(x), [-1, -0, 1, 2, 3, 3])
    close(ember.trunc(x), [-1, -0, 0, 1, 2, 2])
    close(ember.fix(x), [-1, -0, 0, 1, 2, 2])
    close(ember.frac(T([3.75, -3.75])), [0.75, -0.75])
    close(ember.round(T([1.2345, 1234.5678]), decimals=2), [1.23, 1234.57], rtol=1e-6)
    close(ember.round(T([1234.5678, 15.]), decimals=-1), [1230, 20])
    for f in (ember.round, ember.floor, ember.ceil, ember.trunc):
        r = f(T([3, -4]))
        assert r.dtype is ember.int64 and r.tolist() == [3, -4]


def test_clamp_family():
    x = T([-2., 0.5, 3.])
    close(ember.clamp(x, 0, 1), [0, 0.5, 1])
    close(ember.clamp(x, min=0), [0, 0.5, 3])
    close(ember.clamp(x, max=1), [-2, 0.5, 1])
    close(ember.clip(x, -1, 1), [-1, 0.5, 1])
    close(ember.clamp(x, T([0., 1., 0.]), T([1., 2., 2.])), [0, 1, 2])
    close(ember.clamp(x, min=T(0.), max=1), [0, 0.5, 1])
    close(ember.clamp(x, 4, 2), [2, 2, 2])      # min > max: everything becomes max
    close(ember.clamp_min(x, 0), [0, 0.5, 3])
    close(ember.clamp_max(x, T([0., 0., 0.])), [-2, 0, 0])
    r = ember.clamp(T([1, 5]), 2, 3.5)
    assert r.dtype is ember.float32 and r.tolist() == [2., 3.5]
    assert ember.clamp(T([1, 5]), 2, 3).dtype is ember.int64


def test_maximum_minimum_fmax_fmin():
    nan = float("nan")
    a, b = T([1., nan, 3., nan]), T([2., 0., nan, nan])
    close(ember.maximum(a, b), [2, nan, nan, nan])
    close(ember.minimum(a, b), [1, nan, nan, nan])
    close(ember.fmax(a, b), [2, 0, 3, nan])
    close(ember.fmin(a, b), [1, 0, 3, nan])
    assert ember.maximum(T([1, 5]), T([3, 2])).tolist() == [3, 5]


def test_nan_to_num_and_value_tests():
    nan, inf = float("nan"), float("inf")
    x = T([nan, inf, -inf, 1.])
    close(ember.nan_to_num(x), [0, np.finfo(np.float32).max, np.finfo(np.float32).min, 1])
    close(ember.nan_to_num(x, nan=1., posinf=2., neginf=-3.), [1, 2, -3, 1])
    assert ember.nan_to_num(T([1, 2])).tolist() == [1, 2]
    assert ember.isnan(x).tolist() == [True, False, False, False]
    assert ember.isinf(x).tolist() == [False, True, True, False]
    assert ember.isfinite(x).tolist() == [False, False, False, True]
    assert ember.isposinf(x).tolist() == [False, True, False, False]
    assert ember.isneginf(x).tolist() == [False, False, True, False]
    assert ember.isreal(x).tolist() == [True] * 4
    assert ember.signbit(T([-0.0, 0.0, -1., 2.])).tolist() == [True, False, True, False]
    i = T([1, -2])
    assert ember.isnan(i).tolist() == [False, False]
    assert ember.isfinite(i).tolist() == [True, True]
    assert ember.signbit(i).tolist() == [False, True]
    for f in (ember.isnan, ember.isinf, ember.isfinite, ember.signbit):
        assert f(x).dtype is ember.bool


# ----------------------------------------------------------------------------- erf family


ERF_CASES = [(0.0, 0.0), (1e-8, 1.1283791670955126e-08), (0.3, 0.3286267594591112),
             (-0.9, -0.7969082124228322), (1.0, 0.8427007929497149),
             (2.5, 0.9995930479825550), (-4.0, -0.9999999845827421)]


@pytest.fixture(params=["scipy", "numpy"])
def special_path(request, monkeypatch):
    """Run a test with SciPy's kernels (when installed) and with the NumPy fallback."""
    if request.param == "numpy":
        monkeypatch.setattr(sp, "_special", [False])
    else:
        pytest.importorskip("scipy.special")
        monkeypatch.setattr(sp, "_special", [None])
    return request.param


def test_erf_erfc_values(special_path):
    xs = T([c[0] for c in ERF_CASES], dtype=ember.float64)
    np.testing.assert_allclose(vals(ember.erf(xs)), [c[1] for c in ERF_CASES], rtol=1e-12)
    grid = np.linspace(-6, 6, 241)
    np.testing.assert_allclose(vals(ember.erf(T(grid))), [math.erf(v) for v in grid],
                               rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(vals(ember.erfc(T(grid))), [math.erfc(v) for v in grid],
                               rtol=1e-12, atol=1e-300)
    # erfc keeps relative accuracy deep in the tail, where 1 - erf would be 0
    tail = np.array([5., 10., 20., 26.])
    np.testing.assert_allclose(vals(ember.erfc(T(tail))), [math.erfc(v) for v in tail],
                               rtol=1e-12)
    assert vals(ember.erf(T([np.inf, -np.inf]))).tolist() == [1, -1]
    assert vals(ember.erfc(T([np.inf, -np.inf]))).tolist() == [0, 2]
    assert np.isnan(vals(ember.erf(T([np.nan])))).all()
    assert ember.erf(T([0.5])).dtype is ember.float32
    assert ember.erf(T([1, 2])).dtype is ember.float32


def test_erfinv_values(special_path):
    y = np.concatenate([np.linspace(-0.999, 0.999, 101), [1e-300, 0.5, -0.7, 1 - 2 ** -40]])
    x = vals(ember.erfinv(T(y)))
    np.testing.assert_allclose([math.erf(v) for v in x], y, rtol=1e-13, atol=1e-15)
    assert vals(ember.erfinv(T([1., -1.]))).tolist() == [np.inf, -np.inf]
    assert np.isnan(vals(ember.erfinv(T([1.5, -2.])))).all()
    assert vals(ember.erfinv(T([0.0])))[0] == 0
    np.testing.assert_allclose(vals(ember.erfinv(T([0.5], dtype=ember.float64))),
                               [0.4769362762044699], rtol=1e-13)


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")   # NumPy's, at log1p(-1)
def test_book_erfinv_and_log1p_on_linspace(special_path):
    # the book's chapter 2 prints these on linspace(-1, 1, 10)
    x = ember.linspace(-1, 1, 10)
    e = vals(ember.erfinv(x))
    assert e[0] == -np.inf and e[-1] == np.inf
    np.testing.assert_allclose(e[1:5], [-0.8631, -0.5407, -0.3046, -0.0988], atol=1e-4)
    lp = vals(ember.log1p(x))
    assert lp[0] == -np.inf
    np.testing.assert_allclose(lp[1:3], [-1.5041, -0.8109], atol=1e-4)
    assert np.allclose(lp[-1], math.log(2))


def test_numpy_erf_matches_scipy_when_available():
    special = pytest.importorskip("scipy.special")
    x = RNG.standard_normal(2000) * 3
    np.testing.assert_allclose(sp._erf_np(x), special.erf(x), rtol=2e-15, atol=1e-300)
    np.testing.assert_allclose(sp._erfc_np(x), special.erfc(x), rtol=1e-14, atol=1e-300)
    y = RNG.uniform(-1, 1, 2000)
    np.testing.assert_allclose(sp._erfinv_np(y), special.erfinv(y), rtol=1e-13)


def test_erf_family_gradients(special_path):
    x = RNG.uniform(-2, 2, (3, 4))
    check_grad(ember.erf, x)
    check_grad(ember.erfc, x)
    check_grad(ember.erfinv, RNG.uniform(-0.9, 0.9, (2, 3)))
    check_grad(ember.erfinv, np.array(0.3))


# ----------------------------------------------------------------------------- dtypes


FLOAT_FNS = ["sqrt", "rsqrt", "exp", "exp2", "expm1", "log", "log1p", "log2", "log10",
             "reciprocal", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
             "asinh", "acosh", "atanh", "sigmoid", "logit", "erf", "erfc", "erfinv", "sinc",
             "deg2rad", "rad2deg"]


@pytest.mark.parametrize("name", FLOAT_FNS)
def test_integer_and_bool_inputs_give_default_float(name):
    f = getattr(ember, name)
    with np.errstate(all="ignore"):   # acos(2), atanh(1) ... are NaN or inf: fine here
        for t in (T([1, 2]), T([True, False]), T([1, 2], dtype=ember.uint8)):
            assert f(t).dtype is ember.float32
        ember.set_default_dtype(ember.float64)
        try:
            assert f(T([1, 2])).dtype is ember.float64
        finally:
            ember.set_default_dtype(ember.float32)


def test_python_scalars_never_widen_float32():
    x = T([1., 2.])
    for r in (x + 0.1, x - 1e-20, 0.3 * x, x / 3.0, 2.5 / x, x ** 1.5, 1.5 ** x, x % 0.7,
              x // 0.3, ember.clamp(x, 0.1, 1.7), ember.lerp(x, x, 0.3), ember.xlogy(x, 2.0),
              ember.xlogy(0.5, x), ember.fmod(x, 0.3), ember.nan_to_num(x, nan=0.5)):
        assert r.dtype is ember.float32
    assert (T([1, 2]) + 1.5).dtype is ember.float32
    assert (T([1, 2]) * 2).dtype is ember.int64
    assert (x + T(1., dtype=ember.float64)).dtype is ember.float32    # 0-d does not promote
    assert (x + T([1.], dtype=ember.float64)).dtype is ember.float64


def test_gradients_stay_float32():
    x = T([0.5, 1.5], requires_grad=True)
    y = (ember.xlogy(2.0, x) + 2 ** x + ember.lerp(x, x * 2, 0.25) + ember.clamp(x, 0.1, 1.)
         + ember.erf(x) + ember.atan2(x, x + 1))
    y.sum().backward()
    assert x.grad.dtype is ember.float32


# ----------------------------------------------------------------------------- comparisons


def test_comparisons_return_bool_and_never_require_grad():
    x = T([1., 2., 3.], requires_grad=True)
    y = T([3., 2., 1.])
    cases = [(x == y, [False, True, False]), (x != y, [True, False, True]),
             (x < y, [True, False, False]), (x <= y, [True, True, False]),
             (x > y, [False, False, True]), (x >= y, [False, True, True]),
             (2 < x, [False, False, True]), (x == 2, [False, True, False]),
             (ember.greater(x, y), [False, False, True]),
             (ember.greater_equal(x, y), [False, True, True]),
             (ember.less(x, y), [True, False, False]),
             (ember.less_equal(x, y), [True, True, False]),
             (ember.not_equal(x, y), [True, False, True]), (x.eq(y), [False, True, False])]
    for r, expected in cases:
        assert r.dtype is ember.bool and not r.requires_grad and r.grad_fn is None
        assert r.tolist() == expected
    assert (T([1, 2]) == T([1., 2.5])).tolist() == [True, False]
    assert (T([16777217]) == 16777216.0).tolist() == [True]   # compared in float32, as torch


def test_eq_operator_with_non_numbers_and_hash():
    x = T([1., 2.])
    assert (x == None) is False   # noqa: E711
    assert (x != "a") is True
    assert (x == [1., 2.]) is False
    with pytest.raises(TypeError):
        x < "a"
    d = {x: 1}
    assert d[x] == 1 and hash(x) == id(x)
    assert x in [x]


def test_inplace_comparison_writes_into_self():
    x = T([1., 2.])
    x.eq_(1.)
    assert x.tolist() == [1., 0.]


def test_allclose_isclose_equal():
    a = T([1., 2., float("nan")])
    b = T([1. + 1e-7, 2.1, float("nan")])
    assert ember.isclose(a, b).tolist() == [True, False, False]
    assert ember.isclose(a, b, equal_nan=True, atol=0.2).tolist() == [True, True, True]
    assert ember.allclose(T([1., 2.]), T([1., 2.000001])) is True
    assert ember.allclose(T([1., 2.]), T([1., 2.1])) is False
    assert T([1., 1.]).allclose(T([1.])) is True
    assert ember.equal(T([1, 2]), T([1, 2])) is True
    assert ember.equal(T([1, 2]), T([1., 2.])) is True
    assert ember.equal(T([1, 2]), T([[1, 2]])) is False
    assert ember.equal(T([float("nan")]), T([float("nan")])) is False
    with pytest.raises(RuntimeError, match="Float did not match Long"):
        ember.isclose(T([1.]), T([1]))
    with pytest.raises(RuntimeError, match="size of tensor a \\(2\\) must match"):
        ember.allclose(T([1., 1.]), T([1., 1., 1.]))


def test_logical_and_bitwise():
    a, b = T([True, True, False]), T([True, False, False])
    assert ember.logical_and(a, b).tolist() == [True, False, False]
    assert ember.logical_or(a, b).tolist() == [True, True, False]
    assert ember.logical_xor(a, b).tolist() == [False, True, False]
    assert ember.logical_not(T([0., 2.])).tolist() == [True, False]
    assert ember.logical_and(T([1, 0]), T([2., 2.])).dtype is ember.bool
    assert (a & b).tolist() == [True, False, False]
    assert (a | b).tolist() == [True, True, False]
    assert (a ^ b).tolist() == [False, True, False]
    assert (~a).tolist() == [False, False, True]
    i, j = T([12, 10]), T([10, 6])
    assert (i & j).tolist() == [8, 2] and (i | j).tolist() == [14, 14]
    assert (i ^ j).tolist() == [6, 12] and (~i).tolist() == [-13, -11]
    assert (3 & i).tolist() == [0, 2] and (i | 1).tolist() == [13, 11]
    assert (a ^ True).tolist() == [False, False, True]
    assert (a & 2).dtype is ember.int64
    k = T([12, 10])
    k &= 6
    assert k.tolist() == [4, 2]
    k |= 1
    k ^= 2
    assert k.tolist() == [7, 1]
    m = T([True, False])
    m.logical_not_()
    assert m.tolist() == [False, True]


# ----------------------------------------------------------------------------- operators


def test_grad_fn_names_of_operators():
    x = T([1., 2.], requires_grad=True)
    y = T([3., 4.], requires_grad=True)

    def name(t):
        return type(t.grad_fn).__name__
    assert name(2 - x) == "RsubBackward1"
    assert name(ember.rsub(x, y)) == "RsubBackward0"
    assert name(x - 2) == "SubBackward0"
    assert name(2 / x) == "MulBackward0"
    assert name(x / 2) == "DivBackward0"
    assert name(2 ** x) == "PowBackward2"
    assert name(x ** 2) == "PowBackward0"
    assert name(x ** y) == "PowBackward1"
    assert name(x // 2) == "NotImplemented"
    assert name(x % 2) == "RemainderBackward0"
    assert name(x % y) == "RemainderBackward1"
    assert name(ember.fmod(x, 2)) == "FmodBackward0"
    assert name(ember.fmod(x, y)) == "FmodBackward1"
    assert name(ember.clamp(x, 0, 1)) == "ClampBackward1"
    assert name(ember.clamp(x, min=y)) == "ClampBackward0"
    assert name(ember.clamp_min(x, 0)) == "ClampMinBackward0"
    assert name(ember.clamp_max(x, y)) == "ClampMaxBackward1"
    assert name(ember.round(x, decimals=1)) == "RoundBackward1"
    assert name(ember.round(x)) == "RoundBackward0"
    assert name(ember.lerp(x, y, 0.5)) == "LerpBackward0"
    assert name(ember.lerp(x, y, y)) == "LerpBackward1"
    assert name(ember.xlogy(2., y)) == "XlogyBackward1"
    assert name(ember.xlogy(x, 2.)) == "XlogyBackward2"
    assert name(ember.div(x, y, rounding_mode="floor")) == "DivBackward2"
    assert name(ember.log1p(x)) == "Log1PBackward0"
    assert name(ember.deg2rad(x)) == "Deg2RadBackward0"
    assert name(ember.square(x)) == "PowBackward0"
    assert name(ember.fix(x)) == "TruncBackward0"
    assert name(-x) == "NegBackward0"
    assert name(abs(x)) == "AbsBackward0"


def test_floor_divide_has_no_derivative_like_torch():
    x = T([1.5, 2.5], requires_grad=True)
    with pytest.raises(RuntimeError, match="derivative for aten::floor_divide"):
        (x // 2).sum().backward()
    x.grad = None
    with pytest.raises(RuntimeError, match="derivative for aten::remainder"):
        (5 % x).sum().backward()


def test_inplace_operators():
    x = T([1., 2., 3.], requires_grad=True)
    y = T([2., 2., 2.], requires_grad=True)
    z = x * 1
    z += y
    z -= 1
    z *= y
    z /= 4
    z **= 2
    close(z, [1., 2.25, 4.])
    z.sum().backward()
    # z = ((x + y - 1) * y / 4) ** 2
    u = (vals(x) + vals(y) - 1) * vals(y) / 4
    close(x.grad, 2 * u * vals(y) / 4)
    close(y.grad, 2 * u * (vals(x) + 2 * vals(y) - 1) / 4)
    i = T([5, 6])
    i += 2
    i *= 3
    i //= 2
    i %= 7
    assert i.tolist() == [3, 5] and i.dtype is ember.int64
    with pytest.raises(RuntimeError, match="can't be cast"):
        j = T([1, 2])
        j /= 2
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x += 1


def test_inplace_function_forms_and_views_share_memory():
    x = T([0.25, 4.0])
    v = x.sqrt_()
    assert v is x and x.tolist() == [0.5, 2.0]
    x.clamp_(max=1.0).mul_(2).sub_(T([1., 1.]))
    assert x.tolist() == [0., 1.]
    a = T([1., -1.])
    a.abs_().neg_().exp_()
    close(a, [math.exp(-1)] * 2, rtol=1e-6)
    b = T([1.5, -0.5])
    b.clip_(0, 1).round_()
    assert b.tolist() == [1., 0.]


def test_inplace_op_keeps_gradient_through_saved_values():
    x = T([0.5, 1.0], requires_grad=True)
    y = x * 2
    y.exp_()              # ExpBackward saves its output, which y now holds
    y.sum().backward()
    close(x.grad, 2 * np.exp(2 * vals(x)), rtol=1e-6)


# ----------------------------------------------------------------------------- errors


def test_error_messages():
    b = T([True, False])
    with pytest.raises(RuntimeError, match="with two bool tensors is not supported"):
        b - b
    with pytest.raises(RuntimeError, match="with a bool tensor is not supported"):
        T([1, 2]) - b
    with pytest.raises(RuntimeError, match="Negation, the `-` operator, on a bool tensor"):
        -b
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        T([1, 2]) // 0
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        T([1, 2]) % T([1, 0])
    with pytest.raises(RuntimeError, match="negative integer powers"):
        T([1, 2]) ** -1
    with pytest.raises(RuntimeError, match="At least one of 'min' or 'max'"):
        ember.clamp(T([1.]))
    with pytest.raises(RuntimeError, match="expected dtype float for `end` but got dtype double"):
        ember.lerp(T([1.]), T([1.], dtype=ember.float64), 0.5)
    with pytest.raises(TypeError, match="argument 'other' \\(position 2\\) must be Tensor"):
        ember.maximum(T([1.]), 2)
    with pytest.raises(NotImplementedError, match="bitwise_and_cpu"):
        T([1.]) & T([1.])
    with pytest.raises(TypeError, match="only implemented on integer and Boolean"):
        ~T([1.])
    with pytest.raises(NotImplementedError, match="hypot_cpu"):
        ember.hypot(T([1]), T([2]))
    with pytest.raises(NotImplementedError, match="frac_cpu"):
        ember.frac(T([1]))
    with pytest.raises(RuntimeError, match="alpha must not be a floating point"):
        ember.add(T([1]), T([1]), alpha=0.5)
    with pytest.raises(RuntimeError, match="rounding_mode"):
        ember.div(T([1.]), 2, rounding_mode="round")
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(2\) must match the size of "
                                           r"tensor b \(3\) at non-singleton dimension 1"):
        T([1., 2.]) * ember.ones(3, 3)
    with pytest.raises(RuntimeError, match=r"tensor a \(3\) .* tensor b \(2\) .* dimension 2"):
        ember.ones(2, 3) + ember.ones(4, 1, 2)


def test_out_argument():
    out = ember.empty(2)
    r = ember.mul(T([1., 2.]), 3, out=out)
    assert r is out and out.tolist() == [3., 6.]
    ember.sin(T([0., 0.]), out=out)
    assert out.tolist() == [0., 0.]


# ----------------------------------------------------------------------------- kinks


def grads(fn, *arrays):
    ts = [T(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]
    fn(*ts).sum().backward()
    return [vals(t.grad) for t in ts]


def test_gradients_at_kinks_follow_torch():
    assert grads(ember.abs, [0., -2., 3.])[0].tolist() == [0, -1, 1]
    assert grads(ember.relu, [0., -2., 3.])[0].tolist() == [0, 0, 1]
    assert grads(lambda x: ember.clamp(x, 0, 1), [0., 1., 2., -1., 0.5])[0].tolist() == \
        [1, 1, 0, 0, 1]
    ga, gb = grads(ember.maximum, [1., 2., 3.], [1., 1., 4.])
    assert ga.tolist() == [0.5, 1, 0] and gb.tolist() == [0.5, 0, 1]
    ga, gb = grads(ember.minimum, [1., 2., 3.], [1., 1., 4.])
    assert ga.tolist() == [0.5, 0, 1] and gb.tolist() == [0.5, 1, 0]
    ga, gb = grads(ember.fmax, [1., 2., np.nan], [1., 3., 0.])
    assert ga.tolist() == [1, 0, 0] and gb.tolist() == [0, 1, 1]
    ga, gb, gc = grads(lambda x, lo, hi: ember.clamp(x, lo, hi), [0., 5., 2.], [1., 1., 1.],
                       [3., 3., 3.])
    assert ga.tolist() == [0, 0, 1] and gb.tolist() == [1, 0, 0] and gc.tolist() == [0, 1, 0]
    assert grads(ember.sign, [0., 1.])[0].tolist() == [0, 0]
    assert grads(ember.sinc, [0.])[0].tolist() == [0]
    assert grads(lambda x: ember.xlogy(x, T([0.5, 2.], dtype=ember.float64)),
                 [0., 1.])[0].tolist() == [0, math.log(2)]
    g = grads(ember.nan_to_num, [np.nan, np.inf, 2.])[0]
    assert g.tolist() == [0, 0, 1]


# ----------------------------------------------------------------------------- gradcheck

UNARY_SHAPES = [(3, 4), (), (2, 1, 3)]
BINARY_SHAPES = [((3, 4), (4,)), ((), (2, 3)), ((2, 1), (1, 3))]


def uniform(lo, hi):
    return lambda shape: RNG.uniform(lo, hi, shape)


def away_from_int(shape):
    return RNG.integers(-3, 3, shape) + RNG.uniform(0.1, 0.4, shape)


def nonzero(shape):
    return RNG.choice([-1, 1], shape) * RNG.uniform(0.5, 2, shape)


ANY, POS, UNIT = uniform(-2, 2), uniform(0.2, 3), uniform(-0.9, 0.9)

UNARY_GRAD = [
    ("neg", ember.neg, ANY), ("abs", ember.abs, nonzero), ("sign", ember.sign, nonzero),
    ("sgn", ember.sgn, nonzero), ("sqrt", ember.sqrt, POS), ("rsqrt", ember.rsqrt, POS),
    ("exp", ember.exp, ANY), ("exp2", ember.exp2, ANY), ("expm1", ember.expm1, ANY),
    ("log", ember.log, POS), ("log1p", ember.log1p, uniform(-0.8, 3)),
    ("log2", ember.log2, POS), ("log10", ember.log10, POS),
    ("reciprocal", ember.reciprocal, nonzero), ("square", ember.square, ANY),
    ("sin", ember.sin, ANY), ("cos", ember.cos, ANY), ("tan", ember.tan, uniform(-1.2, 1.2)),
    ("asin", ember.asin, UNIT), ("acos", ember.acos, UNIT), ("atan", ember.atan, ANY),
    ("sinh", ember.sinh, ANY), ("cosh", ember.cosh, ANY), ("tanh", ember.tanh, ANY),
    ("asinh", ember.asinh, ANY), ("acosh", ember.acosh, uniform(1.2, 3)),
    ("atanh", ember.atanh, UNIT), ("sigmoid", ember.sigmoid, uniform(-5, 5)),
    ("logit", ember.logit, uniform(0.1, 0.9)),
    ("logit_eps", lambda x: ember.logit(x, eps=0.2), uniform(0.01, 0.99)),
    ("erf", ember.erf, ANY), ("erfc", ember.erfc, ANY), ("erfinv", ember.erfinv, UNIT),
    ("floor", ember.floor, away_from_int), ("ceil", ember.ceil, away_from_int),
    ("round", ember.round, away_from_int), ("trunc", ember.trunc, away_from_int),
    ("round_dec", lambda x: ember.round(x, decimals=1), lambda s: away_from_int(s) / 10 + 0.01),
    ("frac", ember.frac, away_from_int), ("sinc", ember.sinc, ANY),
    ("deg2rad", ember.deg2rad, ANY), ("rad2deg", ember.rad2deg, ANY),
    ("relu", ember.relu, nonzero), ("nan_to_num", ember.nan_to_num, ANY),
    ("clamp", lambda x: ember.clamp(x, -0.5, 0.5), nonzero),
    ("clamp_min", lambda x: ember.clamp_min(x, 0.1), nonzero),
    ("clamp_max", lambda x: ember.clamp_max(x, 0.1), nonzero),
    ("pow_scalar", lambda x: x ** 2.5, POS), ("pow_int", lambda x: x ** 3, ANY),
    ("rpow", lambda x: 1.7 ** x, ANY), ("rsub", lambda x: 2 - x, ANY),
    ("rdiv", lambda x: 2 / x, nonzero), ("add_scalar", lambda x: x + 1.5, ANY),
    ("mul_scalar", lambda x: 0.5 * x, ANY), ("sub_alpha", lambda x: ember.sub(x, 1, alpha=2), ANY),
    ("div_scalar", lambda x: x / 3, ANY), ("remainder_scalar", lambda x: x % 1.7, POS),
    ("fmod_scalar", lambda x: ember.fmod(x, 1.7), POS),
    ("xlogy_scalar_other", lambda x: ember.xlogy(x, 3.0), ANY),
    ("xlogy_scalar_self", lambda x: ember.xlogy(2.0, x), POS),
    ("lerp_w_scalar_small", lambda x: ember.lerp(x, x * x, 0.3), ANY),
    ("lerp_w_scalar_big", lambda x: ember.lerp(x, x * x, 0.8), ANY),
    ("float_power", lambda x: ember.float_power(x, 2.5), POS),
    ("clone", ember.clone, ANY), ("positive", lambda x: +x, ANY),
]


@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=str)
@pytest.mark.parametrize("name,fn,gen", UNARY_GRAD, ids=[u[0] for u in UNARY_GRAD])
def test_gradcheck_unary(name, fn, gen, shape):
    check_grad(fn, gen(shape))


BINARY_GRAD = [
    ("add", ember.add, ANY, ANY), ("add_alpha", lambda a, b: ember.add(a, b, alpha=-1.5), ANY,
                                   ANY),
    ("sub", ember.sub, ANY, ANY), ("rsub", ember.rsub, ANY, ANY), ("mul", ember.mul, ANY, ANY),
    ("div", ember.div, ANY, nonzero), ("pow", ember.pow, POS, ANY),
    ("remainder", ember.remainder, POS, uniform(0.7, 2)),
    ("fmod", ember.fmod, POS, uniform(0.7, 2)),
    ("div_trunc", lambda a, b: ember.div(a, b, rounding_mode="trunc"), ANY, uniform(0.7, 2)),
    ("atan2", ember.atan2, ANY, nonzero), ("hypot", ember.hypot, nonzero, nonzero),
    ("xlogy", ember.xlogy, ANY, POS), ("maximum", ember.maximum, ANY, ANY),
    ("minimum", ember.minimum, ANY, ANY), ("fmax", ember.fmax, ANY, ANY),
    ("fmin", ember.fmin, ANY, ANY), ("clamp_min_t", ember.clamp_min, ANY, ANY),
    ("clamp_max_t", ember.clamp_max, ANY, ANY),
    ("clamp_t", lambda a, b: ember.clamp(a, b - 1, b + 0.5), ANY, ANY),
    ("clamp_min_only_t", lambda a, b: ember.clamp(a, min=b), ANY, ANY),
    ("lerp_t", lambda a, b: ember.lerp(a, b, ember.sigmoid(a * b)), ANY, ANY),
    ("float_power_t", ember.float_power, POS, ANY),
]


@pytest.mark.parametrize("shapes", BINARY_SHAPES, ids=str)
@pytest.mark.parametrize("name,fn,gen_a,gen_b", BINARY_GRAD, ids=[b[0] for b in BINARY_GRAD])
def test_gradcheck_binary(name, fn, gen_a, gen_b, shapes):
    sa, sb = shapes
    check_grad(fn, gen_a(sa), gen_b(sb))
    check_grad(fn, gen_a(sb), gen_b(sa))


@pytest.mark.parametrize("shapes", [((3, 1), (1, 4), (3, 4)), ((), (2,), ()),
                                    ((2, 3), (3,), (2, 1))], ids=str)
def test_gradcheck_three_tensor_ops(shapes):
    sa, sb, sw = shapes
    check_grad(ember.lerp, ANY(sa), ANY(sb), RNG.uniform(-0.2, 1.2, sw))
    check_grad(ember.clamp, ANY(sa), RNG.uniform(-2, -0.5, sb), RNG.uniform(0.5, 2, sw))
